"""Restore and factory reset in the real daemon: each stops it with status 75 (to be started
again, as systemd and `make run` do), and the next start swaps the backup in, or wipes."""

import asyncio
import json
import os
import subprocess

import pytest

from tests.harness import CALLBOX
from tests.web_box import Browser, DaemonPanel

PASSPHRASE = "correct horse battery"
EXIT_RESTART = 75


def _box(make_daemon):
    return make_daemon({"edge": {"enabled": False}}).start()


async def _exit_status(daemon) -> int:
    return await asyncio.to_thread(daemon.process.wait, 30)


@pytest.mark.asyncio
async def test_a_backup_brings_back_an_extension_deleted_since_and_the_time_zone(make_daemon):
    daemon = _box(make_daemon)
    panel = DaemonPanel.of(daemon)
    admin = Browser(panel)
    await admin.set_up()
    assert (await admin.api("/api/extensions", "POST", {"number": "1001", "name": "Ann"}))[0] == 201
    assert (await admin.api("/api/system/time", "PUT", {"zone": "Asia/Tokyo"}))[0] == 200
    backup = await admin.fetch(
        "/api/system/backup", "POST", json.dumps({"passphrase": PASSPHRASE}),
        X_CSRF_Token=admin.csrf_token,
    )  # fmt: skip
    assert backup.code == 200

    assert (await admin.api("/api/extensions/1001", "DELETE"))[0] == 204
    assert (await admin.api("/api/system/time", "PUT", {"zone": "UTC"}))[0] == 200
    localtime = daemon.data_dir / "system" / "root" / "etc" / "localtime"
    assert os.readlink(localtime) == "/usr/share/zoneinfo/UTC"

    restored = await admin.fetch(
        "/api/system/restore", "POST", backup.body,
        X_CSRF_Token=admin.csrf_token, X_Backup_Passphrase=PASSPHRASE,
    )  # fmt: skip
    assert restored.code == 202, restored.body
    assert json.loads(restored.body)["restarting"] is True
    assert await _exit_status(daemon) == EXIT_RESTART
    daemon.start()

    again = Browser(panel)
    await again.log_in("admin")
    code, listing = await again.api("/api/extensions")
    assert code == 200
    assert [e["number"] for e in listing["extensions"]] == ["1001"]
    _, system = await again.api("/api/system")
    assert system["time"]["zone"] == "Asia/Tokyo"
    assert os.readlink(localtime) == "/usr/share/zoneinfo/Asia/Tokyo"  # applied at the start
    assert not (daemon.data_dir / "restore.staged").exists()


@pytest.mark.asyncio
async def test_a_factory_reset_wipes_recordings_keys_and_users_and_returns_to_first_start(
    make_daemon,
):
    daemon = _box(make_daemon)
    panel = DaemonPanel.of(daemon)
    admin = Browser(panel)
    await admin.set_up()
    await admin.api("/api/extensions", "POST", {"number": "1001", "name": "Ann"})
    await admin.api("/api/system")  # the box's WireGuard key is made
    recording = daemon.data_dir / "recordings" / "2027" / "01" / "call.wav"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"RIFF")
    fingerprint = daemon.status()["web"]["certificate_sha256"]
    assert (daemon.data_dir / "system" / "wireguard.key").exists()

    code, answer = await admin.api("/api/system/factory-reset", "POST", {"confirm": "erase"})
    assert (code, answer["error"]) == (400, 'confirm the factory reset: {"confirm": "ERASE"}')
    page = await admin.post("/system/factory-reset", {"confirm": "yes"})
    assert b"Type ERASE to confirm the factory reset." in page.body
    assert daemon.process.poll() is None

    code, answer = await admin.api("/api/system/factory-reset", "POST", {"confirm": "ERASE"})
    assert (code, answer) == (202, {"resetting": True})
    assert await _exit_status(daemon) == EXIT_RESTART
    daemon.start()

    assert not recording.exists()
    assert not (daemon.data_dir / "system" / "wireguard.key").exists()
    web = daemon.status()["web"]
    assert web["certificate_sha256"] != fingerprint  # a new key and certificate
    assert "setup_token" in web  # first start again: a new one-time token on the console
    stranger = Browser(panel)
    landing = await stranger.get("/")
    assert (landing.code, landing.headers["Location"]) == (302, "/setup")
    assert (await stranger.log_in("admin")).code != 302  # the old admin is gone
    fresh = Browser(panel)
    await fresh.set_up()
    assert (await fresh.api("/api/extensions"))[1]["extensions"] == []


def test_the_console_can_go_back_to_dhcp_without_the_daemon(tmp_path):
    config = tmp_path / "callbox.toml"
    config.write_text(f'[daemon]\ndata_dir = "{tmp_path / "data"}"\n')
    settings = tmp_path / "data" / "system" / "settings.json"
    settings.parent.mkdir(parents=True)
    static = {
        "mode": "static",
        "address": "10.1.1.9/24",
        "gateway": "10.1.1.1",
        "dns": ["10.1.1.1"],
    }
    settings.write_text(json.dumps({"network": static}))
    done = subprocess.run(
        [CALLBOX, "--config", config, "network", "dhcp"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    written = tmp_path / "data/system/root/etc/systemd/network/10-callbox.network"
    assert done.stdout == f"DHCP on eth0: {written}\n"
    assert written.read_text().endswith("[Network]\nDHCP=yes\n")
    assert json.loads(settings.read_text())["network"]["mode"] == "dhcp"
