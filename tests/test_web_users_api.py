"""The Users and Certificate pages as JSON: /api/users, /api/tokens, /api/certificate."""

import datetime
import ipaddress
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.web_box import PASSWORD, web_box

NEW_PASSWORD = "Quiet-Orchard-73-Lantern"


async def _bearer(box, secret: str, path: str, method: str = "GET", body: object = None):
    """A request with an API token only (no cookie, no CSRF token): status, decoded body."""
    data = None if body is None else json.dumps(body)
    response = await box.browser().fetch(path, method, data, Authorization=f"Bearer {secret}")
    return response.code, json.loads(response.body) if response.body else None


@pytest.mark.asyncio
async def test_an_admin_adds_lists_changes_and_removes_users_through_the_api(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        new = {"username": "ann", "role": "supervisor", "password": PASSWORD}
        status, ann = await admin.api("/api/users", "POST", new)
        assert status == 201, ann
        assert ann == {**ann, "username": "ann", "role": "supervisor", "extension": ""}
        for wrong, reason in (
            (new, "already exists"),
            ({**new, "username": "bob", "role": "boss"}, "role must be one of"),
            ({**new, "username": "bob", "password": "short"}, "12"),
            ({**new, "username": "bob", "admin": True}, "unknown field(s): admin"),
        ):
            status, refused = await admin.api("/api/users", "POST", wrong)
            assert (status, reason in refused["error"]) == (400, True), refused
        status, listed = await admin.api("/api/users")
        assert [(u["username"], u["role"]) for u in listed["users"]] == [
            ("admin", "admin"), ("ann", "supervisor")
        ]  # fmt: skip
        fields = {"username", "role", "language", "extension", "created"}
        assert all(set(user) == fields for user in listed["users"])  # never a password hash
        assert (await admin.api("/api/users/nobody"))[0] == 404

        # A new role; an agent extension that exists (one that does not changes nothing).
        await admin.api("/api/extensions", "POST", {"number": "1001", "name": "Ann"})
        status, changed = await admin.api("/api/users/ann", "PUT", {"role": "agent"})
        assert (status, changed["role"]) == (200, "agent")
        status, refused = await admin.api(
            "/api/users/ann", "PUT", {"role": "technician", "extension": "1999"}
        )
        assert (status, refused["error"]) == (400, "no extension 1999")
        status, linked = await admin.api("/api/users/ann", "PUT", {"extension": "1001"})
        assert (status, linked["role"], linked["extension"]) == (200, "agent", "1001")
        assert box.api.web.access.extension_of("ann") == "1001"

        # A new password ends ann's sessions; the new one signs her in.
        elsewhere = box.browser("127.0.0.2")
        await elsewhere.log_in("ann")
        assert (await elsewhere.get("/agent")).code == 200
        status, _ = await admin.api("/api/users/ann", "PUT", {"password": NEW_PASSWORD})
        assert status == 200
        assert (await elsewhere.get("/agent")).headers["Location"] == "/login"
        assert (await box.browser("127.0.0.3").log_in("ann", NEW_PASSWORD)).code == 302

        assert (await admin.api("/api/users/ann", "DELETE"))[0] == 204
        assert (await admin.api("/api/users/ann"))[0] == 404
        audit = box.api.web.audit
        adds = await audit.recent(action="user.add")  # newest first
        assert [e.outcome for e in adds] == ["refused"] * 3 + [
            "ok"
        ]  # an unknown field: refused before
        assert [e.outcome for e in await audit.recent(action="user.change")] == ["ok", "ok"]
        assert [e.target for e in await audit.recent(action="user.extension")] == ["ann"]
        assert [e.actor for e in await audit.recent(action="user.delete")] == ["admin"]


@pytest.mark.asyncio
async def test_the_only_admin_can_be_neither_demoted_nor_removed(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        status, refused = await admin.api("/api/users/admin", "PUT", {"role": "agent"})
        assert (status, refused["error"]) == (
            400, "admin is the only admin: make another admin first"
        )  # fmt: skip
        status, refused = await admin.api("/api/users/admin", "DELETE")
        assert (status, refused["error"]) == (400, "you cannot remove yourself")
        new = {"username": "boss", "role": "admin", "password": PASSWORD}
        assert (await admin.api("/api/users", "POST", new))[0] == 201
        status, demoted = await admin.api("/api/users/admin", "PUT", {"role": "technician"})
        assert (status, demoted["role"]) == (200, "technician")
        boss = box.browser("127.0.0.2")
        await boss.log_in("boss")
        status, refused = await boss.api("/api/users/boss", "PUT", {"role": "agent"})
        assert (status, refused["error"]) == (
            400, "boss is the only admin: make another admin first"
        )  # fmt: skip
        assert [u.role for u in box.api.web.access.users()] == ["technician", "admin"]


@pytest.mark.asyncio
async def test_a_token_made_through_the_api_acts_as_its_user_until_revoked(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        await box.signed_in("supervisor", "sue")
        status, made = await admin.api("/api/tokens", "POST", {"username": "admin", "label": "ci"})
        assert status == 201, made
        secret = made["secret"]
        assert secret.startswith("cbx_")
        assert (made["user"], made["label"], made["last_used"]) == ("admin", "ci", None)
        for wrong, reason in (
            ({"username": "nobody"}, "no user nobody"),
            ({"username": "sue", "label": "no <b>"}, "label must be"),
            ({"username": "sue", "secret": "mine"}, "unknown field(s): secret"),
        ):
            status, refused = await admin.api("/api/tokens", "POST", wrong)
            assert (status, reason in refused["error"]) == (400, True), refused

        # The secret is the only proof: no CSRF token, no cookie.
        status, users = await _bearer(box, secret, "/api/users")
        assert (status, [u["username"] for u in users["users"]]) == (200, ["admin", "sue"])
        new = {"username": "tom", "role": "technician", "password": PASSWORD}
        assert (await _bearer(box, secret, "/api/users", "POST", new))[0] == 201
        status, sue_token = await _bearer(box, secret, "/api/tokens", "POST", {"username": "sue"})
        assert status == 201
        assert (await _bearer(box, sue_token["secret"], "/api/users"))[0] == 403  # her role's

        # Listed with when it was last used, never with its secret or the secret's hash.
        status, listed = await admin.api("/api/tokens")
        assert [(t["id"], t["user"]) for t in listed["tokens"]] == [
            (made["id"], "admin"), (sue_token["id"], "sue")
        ]  # fmt: skip
        assert listed["tokens"][0]["last_used"] is not None
        text = json.dumps(listed)
        assert "cbx_" not in text  # no secret
        fields = {"id", "user", "label", "created", "last_used"}
        assert all(set(token) == fields for token in listed["tokens"])

        assert (await admin.api(f"/api/tokens/{made['id']}", "DELETE"))[0] == 204
        assert (await _bearer(box, secret, "/api/users"))[0] == 401
        assert (await admin.api(f"/api/tokens/{made['id']}", "DELETE"))[0] == 404
        adds = await box.api.web.audit.recent(action="token.add")
        assert [(e.actor, e.outcome) for e in adds][:2] == [("admin", "ok"), ("admin", "refused")]
        revokes = await box.api.web.audit.recent(action="token.revoke")
        assert [e.outcome for e in revokes] == ["refused", "ok"]


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _issued(name: str, key, issuer_name: str, issuer_key, **extensions) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
    )
    for extension, critical in extensions.values():
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.mark.asyncio
async def test_an_admin_reads_the_certificate_and_installs_one_an_office_ca_issued(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        status, own = await admin.api("/api/certificate")
        made = box.api.web.identity.info()
        assert status == 200
        assert (own["sha256"], own["self_signed"], own["subject"]) == (
            made.sha256, True, made.issuer
        )  # fmt: skip
        assert own["not_before"] < own["not_after"]

        ca_key, leaf_key = (
            ec.generate_private_key(ec.SECP256R1()),
            ec.generate_private_key(ec.SECP256R1()),
        )
        ca = _issued(
            "Office CA", ca_key, "Office CA", ca_key,
            ca=(x509.BasicConstraints(ca=True, path_length=None), True),
        )  # fmt: skip
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        leaf = _issued("pbx.office.example", leaf_key, "Office CA", ca_key, san=(san, False))
        for wrong, reason in (
            ({"certificate": _pem(leaf), "key": _key_pem(ca_key)}, "does not belong"),
            ({"certificate": "not PEM", "key": _key_pem(leaf_key)}, "not a PEM certificate"),
            ({"certificate": _pem(leaf)}, 'send {"certificate"'),
        ):
            status, refused = await admin.api("/api/certificate", "PUT", wrong)
            assert (status, reason in refused["error"]) == (400, True), refused
        assert box.api.web.identity.info().sha256 == made.sha256  # nothing written

        chain = _pem(leaf) + _pem(ca)
        status, installed = await admin.api(
            "/api/certificate", "PUT", {"certificate": chain, "key": _key_pem(leaf_key)}
        )
        assert status == 200, installed
        assert installed["subject"] == "CN=pbx.office.example"
        assert (installed["issuer"], installed["self_signed"]) == ("CN=Office CA", False)
        # New connections present it: a client trusting only the office CA gets through.
        box.cert_path = tmp_path / "office-ca.pem"
        box.cert_path.write_text(_pem(ca))
        response = await box.browser().get("/login")
        assert response.code == 200
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
        installs = await box.api.web.audit.recent(action="certificate.install")
        assert [e.outcome for e in installs] == ["ok", "refused", "refused"]
