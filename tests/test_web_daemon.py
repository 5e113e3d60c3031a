"""The web panel in the real daemon: HTTPS and the redirect to it, its certificate kept
across restarts, the setup token in `callbox status`, and an admin's own certificate."""

import http.client
import os
import ssl
import stat
import subprocess

import pytest

from tests.web_box import web_box


def _https(daemon, path: str = "/") -> tuple[http.client.HTTPResponse, str]:
    """GET over HTTPS, checking the server against the box's own certificate."""
    cert = daemon.data_dir / "web" / "tls" / "cert.pem"
    context = ssl.create_default_context(cafile=str(cert))
    connection = http.client.HTTPSConnection(
        "127.0.0.1", daemon.sections["web"]["https_port"], context=context, timeout=5
    )
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    fingerprint = connection.sock.getpeercert(binary_form=True)
    connection.close()
    return response, fingerprint.hex()


def test_the_panel_is_served_over_https_with_a_certificate_made_once_and_kept(make_daemon):
    daemon = make_daemon().start()
    web = daemon.status()["web"]
    assert web["url"] == f"https://127.0.0.1:{daemon.sections['web']['https_port']}/"
    assert len(web["setup_token"]) == 14
    assert f"setup token {web['setup_token']}" in daemon.log_path.read_text()
    response, first = _https(daemon)
    assert (response.status, response.getheader("Location")) == (302, "/setup")
    key = daemon.data_dir / "web" / "tls" / "key.pem"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600

    http_port = daemon.sections["web"]["http_port"]
    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=5)
    plain.request("GET", "/extensions?x=1", headers={"Host": f"127.0.0.1:{http_port}"})
    redirect = plain.getresponse()
    assert redirect.status == 308
    https_port = daemon.sections["web"]["https_port"]
    assert redirect.getheader("Location") == f"https://127.0.0.1:{https_port}/extensions?x=1"
    redirect.read()
    plain.request("POST", "//evil.example/", body=b"", headers={"Host": f"127.0.0.1:{http_port}"})
    assert (
        plain.getresponse().getheader("Location") == f"https://127.0.0.1:{https_port}/evil.example/"
    )

    daemon.terminate(timeout_s=15)
    daemon.start()
    assert _https(daemon)[1] == first  # the same certificate after a restart
    assert daemon.status()["web"]["certificate_sha256"] == web["certificate_sha256"]


def test_a_taken_panel_port_stops_the_daemon_with_status_78(make_daemon):
    daemon = make_daemon()
    import socket  # noqa: PLC0415

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", daemon.sections["web"]["https_port"]))
        squatter.listen()
        with pytest.raises(AssertionError, match="exited"):
            daemon.start()
        assert daemon.process.wait(timeout=15) == 78
    assert "web.https_port" in daemon.log_path.read_text()


@pytest.mark.asyncio
async def test_each_box_has_its_own_certificate_and_an_admin_may_install_one(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with web_box(tmp_path / "a") as one, web_box(tmp_path / "b") as other:
        made = one.api.web.identity.info()
        assert made.self_signed
        assert made.sha256 != other.api.web.identity.info().sha256
        admin = one.browser()
        await admin.set_up()
        await admin.get("/certificate")
        # The other box's key is not this certificate's: refused, nothing written.
        other_key = other.api.web.identity.key_path.read_bytes()
        refused = await _upload(admin, one.cert_path.read_bytes(), other_key)
        assert refused.code == 400
        assert b"does not belong" in refused.body
        own = tmp_path / "own"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-subj", "/CN=pbx.office.example", "-addext", "subjectAltName=IP:127.0.0.1",
             "-days", "30", "-keyout", f"{own}.key", "-out", f"{own}.crt"],
            check=True, capture_output=True,
        )  # fmt: skip
        installed = await _upload(
            admin, (tmp_path / "own.crt").read_bytes(), (tmp_path / "own.key").read_bytes()
        )
        assert installed.code == 200, installed.body
        info = one.api.web.identity.info()
        assert "pbx.office.example" in info.subject
        one.cert_path = tmp_path / "own.crt"  # new connections present the new one
        assert (await one.browser().get("/login")).code == 200
        installs = await one.api.web.audit.recent(action="certificate.install")
        assert [e.outcome for e in installs] == ["ok", "refused"]


async def _upload(browser, cert: bytes, key: bytes):
    boundary = "----panel-test"
    parts = [("csrf_token", browser.csrf_token.encode(), None), ("certificate", cert, "c.pem"),
             ("key", key, "k.pem")]  # fmt: skip
    body = b""
    for name, value, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += value + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return await browser.fetch(
        "/certificate", "POST", body, Content_Type=f"multipart/form-data; boundary={boundary}"
    )
