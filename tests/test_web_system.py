"""The System page and /api/system: each setting checked and written as the system's files
under the box's configured root (never the test machine's own), the VPN's peers with their
QR codes, signed firmware bundles, signed backups refused when tampered with, and reboots
through the host command a test sets."""

import gzip
import io
import json
import os
import tarfile

import pytest

from tests.system_files import eventually, keygen, make_bundle
from tests.web_box import web_box

ROOT = "system/root"
PASSPHRASE = "correct horse battery"


def _actions(data_dir) -> list[str]:
    log = data_dir / "system" / "actions.log"
    return (
        [json.loads(line)["action"] for line in log.read_text().splitlines()]
        if log.exists()
        else []
    )


@pytest.mark.asyncio
async def test_time_zone_and_ntp_servers_are_checked_then_written_for_systemd(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        code, answer = await admin.api("/api/system/time", "PUT", {"zone": "Mars/Olympus"})
        assert (code, answer["error"]) == (
            400,
            "unknown time zone: 'Mars/Olympus' (e.g. Europe/London)",
        )
        code, answer = await admin.api(
            "/api/system/time", "PUT", {"zone": "Asia/Tehran", "ntp": ["pool ntp!"]}
        )
        assert code == 400
        assert "neither a host name nor an address" in answer["error"]
        assert not (tmp_path / ROOT).exists()  # nothing written for a refused change

        code, answer = await admin.api(
            "/api/system/time",
            "PUT",
            {"zone": "Asia/Tehran", "ntp": ["0.ir.pool.ntp.org", "192.0.2.7"]},
        )
        assert code == 200, answer
        assert answer["time"] == {"zone": "Asia/Tehran", "ntp": ["0.ir.pool.ntp.org", "192.0.2.7"]}
        assert answer["now"].endswith("+03:30")  # the box's time, shown in its zone
        root = tmp_path / ROOT
        timesyncd = (root / "etc/systemd/timesyncd.conf.d/callbox.conf").read_text()
        assert "[Time]\nNTP=0.ir.pool.ntp.org 192.0.2.7\n" in timesyncd
        assert os.readlink(root / "etc/localtime") == "/usr/share/zoneinfo/Asia/Tehran"
        assert (root / "etc/timezone").read_text() == "Asia/Tehran\n"
        assert _actions(tmp_path) == ["time"]

        page = await admin.get("/system")  # the form: a zone picked from the list, NTP per line
        assert b"<option selected>Asia/Tehran</option>" in page.body
        saved = await admin.post(
            "/system/time", {"zone": "Europe/London", "ntp": "a.example\nb.example"}
        )
        assert saved.code == 200
        assert b"Time settings saved." in saved.body
        assert box.api.system.settings.time.ntp == ("a.example", "b.example")
        audit = await box.api.web.audit.recent(action="system.time")
        assert sorted(e.outcome for e in audit) == ["ok", "ok", "refused", "refused"]


@pytest.mark.asyncio
async def test_network_settings_are_checked_and_written_as_a_systemd_networkd_file(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        refusals = {
            "192.168.1.20": "give the prefix too",
            "192.168.1.0/24": "is not a host of",
            "192.168.1.300/24": "is not an address with its prefix",
        }
        for address, message in refusals.items():
            code, answer = await admin.api(
                "/api/system/network", "PUT",
                {"mode": "static", "address": address, "gateway": "192.168.1.1",
                 "dns": ["192.168.1.1"]},
            )  # fmt: skip
            assert (code, message in answer["error"]) == (400, True), (address, answer)
        code, answer = await admin.api(
            "/api/system/network", "PUT",
            {"mode": "static", "address": "192.168.1.20/24", "gateway": "10.0.0.1",
             "dns": ["9.9.9.9"]},
        )  # fmt: skip
        assert answer["error"] == "gateway: 10.0.0.1 must be another address in 192.168.1.0/24"
        code, answer = await admin.api("/api/system/network", "PUT", {"mode": "bridge"})
        assert (code, answer["error"]) == (400, "mode must be dhcp or static")
        code, answer = await admin.api("/api/system/network", "PUT", {"mode": "dhcp", "mtu": 9000})
        assert (code, answer["error"]) == (400, "unknown setting(s): mtu")

        code, answer = await admin.api(
            "/api/system/network", "PUT",
            {"mode": "static", "address": "192.168.1.20/24", "gateway": "192.168.1.1",
             "dns": ["192.168.1.1", "9.9.9.9"]},
        )  # fmt: skip
        assert code == 200, answer
        network_file = tmp_path / ROOT / "etc/systemd/network/10-callbox.network"
        assert network_file.read_text().endswith(
            "[Match]\nName=eth0\n\n[Network]\nAddress=192.168.1.20/24\nGateway=192.168.1.1\n"
            "DNS=192.168.1.1\nDNS=9.9.9.9\n"
        )
        assert isinstance(answer["addresses"], list)  # what the interfaces hold now (read only)
        page = await admin.get("/system")
        assert b"callbox network dhcp" in page.body  # how to recover, shown beside the form
        back = await admin.post("/system/network", {"mode": "dhcp"})
        assert back.code == 200
        assert network_file.read_text().endswith("[Network]\nDHCP=yes\n")
        assert _actions(tmp_path) == ["network", "network"]


@pytest.mark.asyncio
async def test_a_vpn_peer_gets_a_client_config_and_qr_code_once_and_only_its_public_key_is_kept(
    tmp_path,
):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        code, answer = await admin.api("/api/system/vpn/peers", "POST", {"name": "ann-phone"})
        assert (code, answer["error"]) == (
            400,
            "set the VPN endpoint (how peers reach the box) first",
        )
        code, answer = await admin.api(
            "/api/system/vpn", "PUT", {"enabled": True, "endpoint": "vpn.example.com"}
        )
        assert code == 200, answer
        box_key = answer["vpn_public_key"]

        code, peer = await admin.api("/api/system/vpn/peers", "POST", {"name": "ann-phone"})
        assert code == 201, peer
        assert peer["address"] == "10.8.0.2"
        config = peer["config"]
        private_key = config.split("PrivateKey = ")[1].split("\n")[0]
        assert len(private_key) == 44
        assert "Address = 10.8.0.2/32\n" in config
        assert f"PublicKey = {box_key}\n" in config
        assert "Endpoint = vpn.example.com:51820\n" in config
        assert "AllowedIPs = 10.8.0.0/24\n" in config
        assert peer["qr_svg"].startswith("<svg")
        assert "<path" in peer["qr_svg"]
        assert "style=" not in peer["qr_svg"]
        assert "<script" not in peer["qr_svg"]

        wg = tmp_path / ROOT / "etc/wireguard/wg0.conf"
        assert oct(wg.stat().st_mode & 0o777) == "0o600"
        text = wg.read_text()
        assert "Address = 10.8.0.1/24\nListenPort = 51820\n" in text
        assert (
            f"# ann-phone\n[Peer]\nPublicKey = {peer['public_key']}\nAllowedIPs = 10.8.0.2/32"
            in text
        )
        for path in tmp_path.rglob("*"):  # the peer's private key went out in the answer only
            if path.is_file():
                assert private_key.encode() not in path.read_bytes(), path

        for body, message in (
            ({"name": "ann-phone"}, "a peer named ann-phone exists already"),
            (
                {"name": "bob", "address": "10.9.0.5"},
                "peer address: 10.9.0.5 is not in 10.8.0.0/24",
            ),
            ({"name": "bob", "address": "10.8.0.2"}, "peer address: 10.8.0.2 is in use"),
            ({"name": "../bob"}, "peer name: 1 to 32 letters"),
        ):
            code, answer = await admin.api("/api/system/vpn/peers", "POST", body)
            assert (code, answer["error"].startswith(message)) == (400, True), answer

        page = await admin.post("/system/vpn/peers", {"name": "bob-laptop"})
        assert page.code == 200
        html = page.body.decode()
        assert '<div class="qr"><svg xmlns="http://www.w3.org/2000/svg"' in html  # inline SVG
        assert "Address = 10.8.0.3/32" in html
        assert "default-src 'none'" in page.headers["Content-Security-Policy"]
        again = (await admin.get("/system")).body.decode()
        assert "bob-laptop" in again
        assert "PrivateKey" not in again
        assert "<svg" not in again

        code, _ = await admin.api("/api/system/vpn/peers/ann-phone", "DELETE")
        assert code == 204
        assert "ann-phone" not in wg.read_text()
        assert [p.name for p in box.api.system.settings.vpn.peers] == ["bob-laptop"]
        assert (await admin.api("/api/system/vpn/peers/ann-phone", "DELETE"))[0] == 404


@pytest.mark.asyncio
async def test_reboot_needs_a_confirmation_and_runs_the_hosts_command(tmp_path):
    marker = tmp_path / "rebooted"
    async with web_box(tmp_path, system={"reboot_command": f"touch {marker}"}) as box:
        technician = await box.signed_in("technician")
        code, answer = await technician.api("/api/system/reboot", "POST", {})
        assert (code, answer["error"]) == (400, 'confirm the reboot: {"confirm": true}')
        page = await technician.post("/system/reboot", {})
        assert b"Tick the box to confirm the reboot." in page.body
        assert not marker.exists()

        code, answer = await technician.api("/api/system/reboot", "POST", {"confirm": True})
        assert (code, answer) == (202, {"rebooting": True})
        await eventually(marker.exists, 10, "the reboot command to run")
        assert box.stops == []  # the system reboots the box, the daemon need not stop itself
        assert _actions(tmp_path) == ["reboot"]
        assert [e.actor for e in await box.api.web.audit.recent(action="system.reboot")] == [
            "technician1"
        ]
        page = await technician.get("/system")  # a technician sees, and may only reboot
        assert b'id="reboot"' in page.body
        assert b'id="factory-reset"' not in page.body


@pytest.mark.asyncio
async def test_without_a_reboot_command_the_daemon_stops_to_be_started_again(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        page = await admin.post("/system/reboot", {"confirm": "yes"})
        assert b"The box is rebooting." in page.body
        await eventually(lambda: box.stops, 10, "the daemon to ask to stop")
        assert box.stops == [75]


@pytest.mark.asyncio
async def test_a_firmware_bundle_is_staged_only_when_signed_for_this_board_and_newer(tmp_path):
    keys = tmp_path / "keys"
    keys.mkdir()
    release, public = keygen(keys, "release")
    stranger, _ = keygen(keys, "stranger")
    installer = tmp_path / "installed"
    settings = {"update_key": str(public), "update_command": f"touch {installer}",
                "reboot_command": f"touch {tmp_path / 'rebooted'}"}  # fmt: skip
    payload = os.urandom(3 * 1024 * 1024)  # past the panel's 1 MiB: streamed to the disk
    async with web_box(tmp_path, system=settings) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.get("/system")

        async def upload(bundle: bytes):
            response = await admin.fetch(
                "/api/system/firmware", "POST", bundle, X_CSRF_Token=admin.csrf_token
            )
            return response.code, json.loads(response.body)

        good = make_bundle(keys, release, payload)
        refused = {
            "signature is not valid": make_bundle(keys, stranger, payload),
            "is for the rev-b board; this box is reference": make_bundle(
                keys, release, payload, board="rev-b"
            ),
            "version 0.1.0 is not newer than 0.1.0": make_bundle(
                keys, release, payload, version="0.1.0"
            ),
            "damaged or incomplete": good[: len(good) // 2],
            "not a Callbox firmware bundle": _tar({"payload": b"x"}),
        }
        for message, bundle in refused.items():
            code, answer = await upload(bundle)
            assert (code, message in answer["error"]) == (400, True), (message, answer)
        assert not (tmp_path / "update").exists()
        assert not installer.exists()
        tampered = bytearray(good)
        tampered[good.index(payload[:64]) + 1000] ^= 1  # a bit of the payload
        code, answer = await upload(bytes(tampered))
        assert (code, answer["error"]) == (400, "the bundle's payload does not match its manifest")

        code, answer = await upload(good)
        assert (code, answer) == (
            202,
            {"version": "0.2.0", "board": "reference", "rebooting": True},
        )
        staged = tmp_path / "update" / "staged"
        assert (staged / "payload").read_bytes() == payload
        await eventually((tmp_path / "rebooted").exists, 10, "the reboot after staging")
        assert installer.exists()
        assert _actions(tmp_path) == ["update", "reboot"]
        assert not list((tmp_path / "system" / "uploads").iterdir())  # uploads are not kept
        _, status = await admin.api("/api/system")
        assert status["firmware"]["staged"]["version"] == "0.2.0"


def _tar(files: dict[str, bytes], gz: bool = False) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz" if gz else "w") as archive:
        for name, content in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return out.getvalue()


def _rewrite(archive: bytes, change) -> bytes:
    """The backup with `change(name, content)` applied to each member (None drops it)."""
    files = {}
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as source:
        for member in source:
            content = change(member.name, source.extractfile(member).read())
            if content is not None:
                files[member.name] = content
    return _tar(files, gz=True)


@pytest.mark.asyncio
async def test_a_backup_is_refused_when_tampered_with_or_the_passphrase_is_wrong(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.api("/api/extensions", "POST", {"number": "1001", "name": "Ann"})
        code, answer = await admin.api("/api/system/backup", "POST", {"passphrase": "short"})
        assert (code, answer["error"]) == (
            400,
            "the backup passphrase must be at least 12 characters",
        )
        response = await admin.fetch(
            "/api/system/backup", "POST", json.dumps({"passphrase": PASSPHRASE}),
            X_CSRF_Token=admin.csrf_token,
        )  # fmt: skip
        assert response.code == 200
        assert response.headers["Content-Disposition"].startswith(
            'attachment; filename="callbox-backup-'
        )
        archive = response.body
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as listing:
            names = listing.getnames()
        assert names[-2:] == ["manifest.json", "manifest.hmac"]
        assert {"data/callbox.db", "data/web/tls/cert.pem", "data/web/tls/key.pem"} <= set(names)
        assert gzip.decompress(archive)  # a plain tar.gz any tool can list

        def restore(body: bytes, passphrase: str = PASSPHRASE):
            return admin.fetch(
                "/api/system/restore", "POST", body,
                X_CSRF_Token=admin.csrf_token, X_Backup_Passphrase=passphrase,
            )  # fmt: skip

        def corrupt_db(name, content):
            return content[:-1] + bytes([content[-1] ^ 1]) if name == "data/callbox.db" else content

        def planted(name, content):
            return content

        refusals = [
            (
                archive,
                "wrong passphrase for this one",
                "wrong passphrase, or the backup was changed",
            ),
            (_rewrite(archive, corrupt_db), PASSPHRASE, "do not match its signed manifest"),
            (
                archive[: len(archive) // 2],
                PASSPHRASE,
                "the file is damaged or not a Callbox backup",
            ),
            (b"not an archive at all", PASSPHRASE, "the file is damaged or not a Callbox backup"),
            (
                _tar({"data/../../etc/passwd": b"x"}, gz=True),
                PASSPHRASE,
                "a file a backup never has",
            ),
            (_tar({"data/callbox.db": b"x"}, gz=True), PASSPHRASE, "has no signed manifest"),
            (archive, "", "the backup passphrase must be at least 12 characters"),
        ]
        for body, passphrase, message in refusals:
            answer = await restore(body, passphrase)
            assert answer.code == 400, (message, answer.code)
            assert message in json.loads(answer.body)["error"], (message, answer.body)
        assert not (tmp_path / "restore.staged").exists()
        assert not (tmp_path / "restore.ready").exists()
        assert box.stops == []  # nothing restarted
        assert [e.number for e in await box.api.extensions.list()] == ["1001"]
        refused = await box.api.web.audit.recent(action="system.restore")
        assert len(refused) == len(refusals)
        assert all(e.outcome == "refused" for e in refused)
        del planted


@pytest.mark.asyncio
async def test_the_system_page_speaks_arabic_and_persian_right_to_left(tmp_path):
    # Every string has its translations (tests/test_web_languages.py); here, the page in use.
    async with web_box(tmp_path, language="fa") as box:
        admin = await box.signed_in("admin", "admin")
        page = (await admin.get("/system")).body.decode()
        assert 'dir="rtl"' in page
        assert "پشتیبان‌گیری و بازگردانی" in page


@pytest.mark.asyncio
async def test_an_upload_past_its_limit_is_refused_with_a_message(tmp_path):
    async with web_box(tmp_path, system={"max_update_mb": 1}) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.get("/system")
        response = await admin.fetch(
            "/api/system/firmware", "POST", b"\0" * (2 << 20), X_CSRF_Token=admin.csrf_token
        )
        assert response.code == 413
        assert json.loads(response.body) == {"error": "the file is larger than 1 MiB"}
        assert not list((tmp_path / "system").glob("uploads/*"))


@pytest.mark.asyncio
async def test_a_command_that_fails_to_apply_a_change_is_reported(tmp_path):
    async with web_box(tmp_path, system={"network_command": "false"}) as box:
        admin = await box.signed_in("admin", "admin")
        code, answer = await admin.api("/api/system/network", "PUT", {"mode": "dhcp"})
        assert code == 400
        assert answer["error"] == "saved, but applying it failed (false exited 1: no message)"
        [event] = await box.api.web.audit.recent(action="system.network")
        assert event.outcome == "refused"


@pytest.mark.asyncio
async def test_a_backup_that_inflates_past_the_limit_is_refused(tmp_path):
    async with web_box(tmp_path, system={"max_restore_mb": 1}) as box:
        admin = await box.signed_in("admin", "admin")
        await admin.get("/system")
        bomb = _tar({"data/prompts/en/big.wav": b"\0" * (3 << 20)}, gz=True)  # some 3 KiB
        response = await admin.fetch(
            "/api/system/restore", "POST", bomb,
            X_CSRF_Token=admin.csrf_token, X_Backup_Passphrase=PASSPHRASE,
        )  # fmt: skip
        assert response.code == 400
        assert json.loads(response.body) == {"error": "the backup unpacks to more than 1 MiB"}
        assert not (tmp_path / "restore.staged").exists()
