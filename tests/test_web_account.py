"""One's own account: changing one's password and language, the API document, security.txt
and HSTS (only once the admin's own, CA-issued certificate is in use)."""

import json
import re
import sqlite3
import subprocess
from datetime import UTC, datetime

import pytest
from openapi_spec_validator import validate

from pbx.api import Permission
from tests.web_box import PASSWORD, web_box
from webui.api_document import build_document, path_template
from webui.handler import ApiHandler
from webui.routes import ROUTES, Route
from webui.translations import TABLE

NEW_PASSWORD = "Quiet-Orchard-73-Lantern"


@pytest.mark.asyncio
async def test_a_user_changes_their_own_password_and_their_other_sessions_end(tmp_path):
    async with web_box(tmp_path) as box:
        agent = await box.signed_in("agent")
        elsewhere = box.browser("127.0.0.2")
        await elsewhere.log_in("agent1")
        await agent.get("/account")
        fields = {"current_password": "wrong-one-entirely", "new_password": NEW_PASSWORD,
                  "confirm": NEW_PASSWORD}  # fmt: skip
        wrong = await agent.post("/account/password", fields)
        assert wrong.code == 400
        assert b"the current password is wrong" in wrong.body
        differ = await agent.post("/account/password", {**fields, "current_password": PASSWORD,
                                                         "confirm": "something else"})  # fmt: skip
        assert b"The passwords differ." in differ.body
        weak = {**fields, "current_password": PASSWORD, "new_password": "agent1agent1",
                "confirm": "agent1agent1"}  # fmt: skip
        assert (await agent.post("/account/password", weak)).code == 400
        done = await agent.post("/account/password", {**fields, "current_password": PASSWORD})
        assert done.code == 200
        assert b'id="done"' in done.body
        assert (await agent.get("/account")).code == 200  # this session goes on
        assert (await elsewhere.get("/account")).code == 302  # the other one ended
        assert (await box.browser().log_in("agent1", PASSWORD)).code == 401
        assert (await box.browser().log_in("agent1", NEW_PASSWORD)).code == 302
        rows = await box.api.web.audit.recent(action="password.change")
        assert [(r.actor, r.target, r.outcome) for r in rows] == [
            ("agent1", "agent1", "ok"),
            ("agent1", "agent1", "refused"),  # too weak
            ("agent1", "agent1", "failed"),  # the wrong current password
        ]


@pytest.mark.asyncio
async def test_the_api_changes_a_password_with_a_token_and_wrong_guesses_are_throttled(tmp_path):
    async with web_box(tmp_path, login_free_failures=2) as box:
        admin = await box.signed_in("admin", "admin")
        token = await admin.api_token("admin")
        script = box.browser("127.0.0.4")

        async def change(current: str, new: str = NEW_PASSWORD):
            body = json.dumps({"current_password": current, "new_password": new})
            return await script.fetch("/api/account/password", "POST", body,
                                      Authorization=f"Bearer {token}")  # fmt: skip

        assert (await change("guess-number-one")).code == 400
        assert (await change("guess-number-two")).code == 400
        assert (await change("guess-number-three")).code == 429  # past the free ones
        throttled = await change(PASSWORD)  # now even the right one must wait
        assert throttled.code == 429
        assert "Retry-After" in throttled.headers
        box.clock.advance(60)
        assert (await change(PASSWORD, "short")).code == 400
        assert (await change(PASSWORD)).code == 204
        assert (await admin.get("/account")).code == 302  # a token keeps no session alive
        assert (await box.browser().log_in("admin", NEW_PASSWORD)).code == 302


@pytest.mark.asyncio
async def test_each_user_has_their_own_language_and_the_login_page_follows_the_browser(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        agent = await box.signed_in("agent")
        await agent.get("/account")
        assert (await agent.post("/account/language", {"language": "xx"})).code == 400
        assert (await agent.post("/account/language", {"language": "fa"})).code == 302
        page = (await agent.get("/account")).body.decode()
        assert '<html lang="fa" dir="rtl">' in page
        assert "حساب شما" in page  # "Your account"
        assert '<html lang="en" dir="ltr">' in (await admin.get("/")).body.decode()
        # The API: the same setting, and a restart keeps it (a column of panel_user).
        assert (await agent.api("/api/account"))[1]["language"] == "fa"
        status, answer = await agent.api("/api/account", "PUT", {"language": "ar"})
        assert (status, answer["language"], answer["permissions"]) == (
            200, "ar", ["agent.self", "wallboard.view"]
        )  # fmt: skip
        assert (await agent.api("/api/account", "PUT", {"language": "de"}))[0] == 400
        assert {u.username: u.language for u in box.api.web.access.users()} == {
            "admin": "", "agent1": "ar"
        }  # fmt: skip
        with sqlite3.connect(tmp_path / "callbox.db") as stored:
            rows = stored.execute("SELECT username, language FROM panel_user ORDER BY username")
            assert rows.fetchall() == [("admin", ""), ("agent1", "ar")]
        languages = await box.api.web.audit.recent(action="user.language")
        assert [(r.actor, r.outcome) for r in languages] == [("agent1", "ok")] * 2
        # Before signing in: ?lang=, else the browser's Accept-Language, else the box's.
        stranger = box.browser()
        assert 'lang="ar" dir="rtl"' in (await stranger.get("/login?lang=ar")).body.decode()
        accept = await stranger.fetch("/login", Accept_Language="de-DE, fa;q=0.8, en;q=0.5")
        assert 'lang="fa" dir="rtl"' in accept.body.decode()
        assert "ورود" in accept.body.decode()  # "Sign in"
        assert 'lang="en"' in (await stranger.fetch("/login", Accept_Language="de")).body.decode()


@pytest.mark.asyncio
async def test_the_box_language_stays_the_default_for_users_who_chose_none(tmp_path):
    async with web_box(tmp_path, language="ar") as box:
        admin = await box.signed_in("admin", "admin")
        assert 'lang="ar" dir="rtl"' in (await admin.get("/")).body.decode()
        await admin.get("/account")
        await admin.post("/account/language", {"language": "en"})
        assert 'lang="en" dir="ltr"' in (await admin.get("/")).body.decode()


def test_every_api_route_and_method_is_in_the_document_and_it_is_valid_openapi_3_1():
    document = build_document(ROUTES)
    validate(document)  # raises on anything OpenAPI 3.1 forbids
    assert document["openapi"].startswith("3.1")
    api_routes = [r for r in ROUTES if issubclass(r.handler, ApiHandler)]
    assert len(api_routes) >= 6
    for route in api_routes:
        template, _ = path_template(route.pattern)
        assert template in document["paths"], template
        for method, permission in route.permissions.items():
            operation = document["paths"][template][method.lower()]
            assert operation["x-permission"] == str(permission)
            assert f"`{permission}`" in operation["description"]
            assert operation["summary"]
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"])
    one = document["paths"]["/api/extensions/{number}"]
    assert one["parameters"][0]["schema"]["pattern"] == "^[0-9]{2,8}$"
    assert one["get"]["summary"] == "One extension, with the phones registered for it now."
    adding = document["paths"]["/api/extensions"]["post"]
    assert adding["requestBody"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/NewExtension"
    )
    assert "Extension" in document["components"]["schemas"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"]["scheme"] == "bearer"
    assert schemes["csrf"] == {**schemes["csrf"], "in": "header", "name": "X-CSRF-Token"}


def test_a_handler_with_unknown_or_broken_schemas_does_not_break_the_document():
    class Odd(ApiHandler):
        """GET: something odd. POST: more of it."""

        request_schema = {"POST": {"$ref": "#/components/schemas/Nobody"}}  # noqa: RUF012
        response_schema = {"GET": "not a schema"}  # noqa: RUF012
        api_schemas = {"Broken": {"$ref": "#/components/schemas/Missing"}}  # noqa: RUF012

        def get(self) -> None: ...
        def post(self) -> None: ...

    routes = (*ROUTES, Route(r"/api/odd/(?P<thing>[a-z]+(?:-[a-z]+)*)", Odd,
                             {"GET": "signed-in", "POST": "users.manage"}))  # fmt: skip
    document = build_document(routes)
    validate(document)
    odd = document["paths"]["/api/odd/{thing}"]
    assert odd["get"]["summary"] == "something odd"
    assert odd["post"]["summary"] == "more of it"
    assert odd["post"]["x-roles"] == ["admin"]
    assert odd["parameters"][0]["schema"]["pattern"] == "^[a-z]+(?:-[a-z]+)*$"
    assert odd["post"]["requestBody"]["content"]["application/json"]["schema"]["type"] == "object"
    assert document["components"]["schemas"]["Broken"]["type"] == "object"


@pytest.mark.asyncio
async def test_the_document_is_served_to_signed_in_users_and_shown_as_a_page(tmp_path):
    async with web_box(tmp_path) as box:
        agent = await box.signed_in("agent")
        status, document = await agent.api("/api/openapi.json")
        assert status == 200
        validate(document)
        token = await (await box.signed_in("admin", "admin")).api_token("agent1")
        by_token = await box.browser().fetch("/api/openapi.json", Authorization=f"Bearer {token}")
        assert json.loads(by_token.body)["paths"] == document["paths"]
        page = (await agent.get("/api-docs")).body.decode()
        for path in document["paths"]:
            assert f">{path}</code>" in page, path
        assert '<code class="permission">extensions.edit</code>' in page
        assert "cdn" not in page.lower()
        assert "<script>" not in page


@pytest.mark.asyncio
async def test_security_txt_names_the_contact_and_an_expiry_within_a_year(tmp_path):
    async with web_box(tmp_path, security_contact="mailto:psirt@vendor.example") as box:
        answer = await box.browser().get("/.well-known/security.txt")
        assert answer.code == 200
        assert answer.headers["Content-Type"].startswith("text/plain")
        fields = dict(line.split(": ", 1) for line in answer.body.decode().splitlines())
        assert fields["Contact"] == "mailto:psirt@vendor.example"
        expires = datetime.fromisoformat(fields["Expires"])
        assert 30 < (expires - datetime.now(UTC)).days < 365
        assert fields["Canonical"].endswith("/.well-known/security.txt")


@pytest.mark.asyncio
async def test_hsts_only_once_a_certificate_from_a_ca_is_installed(tmp_path):
    async with web_box(tmp_path) as box:
        admin = box.browser()
        await admin.set_up()
        page = await admin.get("/certificate")
        assert "Strict-Transport-Security" not in page.headers  # self-signed: never
        ca, leaf = tmp_path / "ca", tmp_path / "leaf"
        _openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-subj", "/CN=Office CA", "-days", "30", "-keyout", f"{ca}.key", "-out",
                 f"{ca}.crt")  # fmt: skip
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-subj", "/CN=pbx.office.example", "-keyout", f"{leaf}.key", "-out",
                 f"{leaf}.csr")  # fmt: skip
        (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
        _openssl("x509", "-req", "-in", f"{leaf}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
                 "-CAcreateserial", "-days", "30", "-extfile", str(tmp_path / "san.ext"), "-out",
                 f"{leaf}.crt")  # fmt: skip
        from tests.test_web_daemon import _upload  # noqa: PLC0415

        installed = await _upload(
            admin, (tmp_path / "leaf.crt").read_bytes(), (tmp_path / "leaf.key").read_bytes()
        )
        assert installed.code == 200, installed.body
        box.cert_path = tmp_path / "ca.crt"  # the office's browsers trust the office's CA
        for path in ("/login", "/no-such-page", "/static/panel.css"):
            answer = await box.browser().get(path)
            assert answer.headers["Strict-Transport-Security"] == "max-age=31536000", path


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.mark.asyncio
async def test_the_users_page_shows_what_each_role_may_do(tmp_path):
    async with web_box(tmp_path, language="fa") as box:
        admin = await box.signed_in("admin", "admin")
        page = (await admin.get("/users")).body.decode()
        rows = re.findall(r'<tr data-permission="([a-z.-]+)">(.*?)</tr>', page, re.S)
        held = {name: re.findall(r'<td class="(yes|no)">', row) for name, row in rows}
        # Columns: admin, supervisor, agent, technician (Role's order).
        assert held["metrics.view"] == ["yes", "no", "no", "yes"]
        assert held["agent.self"] == ["yes", "yes", "yes", "no"]
        assert held["recordings.delete"] == ["yes", "no", "no", "no"]
        assert len(held) == len(Permission) - 2  # all but public and signed-in
        assert TABLE["fa"]["deleting recordings"] in page
