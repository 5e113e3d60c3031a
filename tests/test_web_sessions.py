"""Signing in to the panel: first start, sessions and their timeouts, the log-in throttle,
API tokens and the audit log. In this process, on a manual clock: no test sleeps."""

import json

import pytest

from tests.web_box import PASSWORD, web_box

pytestmark = pytest.mark.asyncio


async def test_the_first_start_token_works_once_and_only_until_it_expires(tmp_path):
    async with web_box(tmp_path, setup_token_ttl_s=600) as box:
        stranger = box.browser("127.0.0.2")
        assert (await stranger.get("/")).headers["Location"] == "/setup"
        assert (await stranger.get("/login")).headers["Location"] == "/setup"
        await stranger.get("/setup")
        guessed = await stranger.post(
            "/setup",
            {"token": "AAAA-BBBB-CCCC", "username": "admin", "password": PASSWORD,
             "confirm": PASSWORD},
        )  # fmt: skip
        assert guessed.code == 401
        assert box.api.web.access.needs_setup

        first = box.api.web.status()["setup_token"]
        box.clock.advance(601)  # expired: the box makes a new one, and the old one is refused
        owner = box.browser()
        await owner.get("/setup")
        stale = await owner.post(
            "/setup", {"token": first, "username": "admin", "password": PASSWORD,
                       "confirm": PASSWORD},
        )  # fmt: skip
        assert stale.code == 401
        second = box.api.web.status()["setup_token"]
        assert second != first

        done = await owner.post(
            "/setup",
            {"token": second.lower().replace("-", " "), "username": "admin",
             "password": PASSWORD, "confirm": PASSWORD},
        )  # fmt: skip
        assert (done.code, done.headers["Location"]) == (302, "/")
        assert owner.session_id
        assert "setup_token" not in box.api.web.status()

        again = box.browser("127.0.0.3")
        assert (await again.get("/setup")).headers["Location"] == "/login"
        await again.get("/login")  # a form's CSRF token
        reused = await again.post(
            "/setup", {"token": second, "username": "evil", "password": PASSWORD,
                       "confirm": PASSWORD},
        )  # fmt: skip
        assert reused.code == 400
        assert [u.username for u in box.api.web.access.users()] == ["admin"]
        setups = await box.api.web.audit.recent(action="setup")
        assert [(e.outcome, e.source) for e in setups] == [
            ("ok", "127.0.0.1"), ("failed", "127.0.0.1"), ("failed", "127.0.0.2"),
        ]  # fmt: skip


async def test_a_weak_first_password_is_refused_without_spending_the_token(tmp_path):
    async with web_box(tmp_path) as box:
        owner = box.browser()
        await owner.get("/setup")
        token = box.api.web.status()["setup_token"]
        weak = await owner.post(
            "/setup", {"token": token, "username": "admin", "password": "Password123!",
                       "confirm": "Password123!"},
        )  # fmt: skip
        assert weak.code == 400
        assert b"common password" in weak.body
        assert box.api.web.status()["setup_token"] == token
        assert (await owner.set_up()).code == 302


async def test_signing_in_gives_a_new_session_id_and_signing_out_ends_it(tmp_path):
    async with web_box(tmp_path) as box:
        await box.browser().set_up()
        browser = box.browser()
        first = await browser.log_in("admin")
        assert first.code == 302
        old_id = browser.session_id
        cookie = first.headers["Set-Cookie"]
        for attribute in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"):
            assert attribute in cookie
        assert (await browser.log_in("admin")).code == 302
        assert browser.session_id not in ("", old_id)
        planted = box.browser()  # the old id no longer opens anything
        planted.cookies["__Host-cbx_session"] = old_id
        assert (await planted.get("/extensions")).code == 302

        wrong = await box.browser().log_in("admin", "Wrong-Password-1")
        assert wrong.code == 401
        assert b"wrong user name or password" in wrong.body
        nobody = await box.browser().log_in("nobody", PASSWORD)
        assert nobody.body.count(b"wrong user name or password") == 1

        session_id = browser.session_id
        await browser.get("/")
        assert (await browser.post("/logout")).headers["Location"] == "/login"
        browser.cookies["__Host-cbx_session"] = session_id
        assert (await browser.get("/extensions")).code == 302
        logins = await box.api.web.audit.recent(action="login")
        assert [(e.actor, e.target, e.outcome) for e in logins] == [
            ("-", "nobody", "failed"), ("-", "admin", "failed"), ("admin", "admin", "ok"),
            ("admin", "admin", "ok"),
        ]  # fmt: skip


async def test_sessions_end_after_the_idle_and_the_absolute_timeout(tmp_path):
    async with web_box(
        tmp_path, session_idle_timeout_s=600, session_absolute_timeout_s=3600
    ) as box:
        browser = box.browser()
        await browser.set_up()
        box.clock.advance(590)
        assert (await browser.get("/extensions")).code == 200  # used: the idle time restarts
        box.clock.advance(590)
        assert (await browser.get("/extensions")).code == 200
        box.clock.advance(601)
        assert (await browser.get("/extensions")).headers["Location"] == "/login"

        await browser.log_in("admin")
        for _ in range(6):  # busy all along, yet it ends an hour after signing in
            box.clock.advance(590)
            assert (await browser.get("/extensions")).code == 200
        box.clock.advance(300)
        assert (await browser.get("/extensions")).headers["Location"] == "/login"


async def test_failed_log_ins_slow_their_address_down_but_not_the_admin_elsewhere(tmp_path):
    async with web_box(tmp_path, login_free_failures=3, login_max_backoff_s=60) as box:
        await box.browser().set_up()
        attacker = box.browser("127.0.0.2")
        waits = []
        for guess in range(8):
            response = await attacker.log_in("admin", f"Guess-number-{guess}")
            waits.append((response.code, response.headers.get("Retry-After")))
        # Three free tries, then 1 s, then refused unchecked until the wait is over.
        assert waits[:4] == [(401, None)] * 3 + [(429, "1")]
        assert all(code == 429 for code, _ in waits[4:])
        refused = await attacker.log_in("admin")  # even the right password waits
        assert refused.code == 429
        assert not attacker.session_id

        admin = box.browser("127.0.0.3")
        assert (await admin.log_in("admin")).code == 302

        box.clock.advance(1)
        assert (await attacker.log_in("admin", "Guess-again-1")).headers["Retry-After"] == "2"
        box.clock.advance(2)
        assert (await attacker.log_in("admin", "Guess-again-2")).headers["Retry-After"] == "4"
        for _ in range(4):  # the wait doubles (8, 16, 32) up to login_max_backoff_s
            box.clock.advance(60)
            last = await attacker.log_in("admin", "Guess-again")
        assert last.headers["Retry-After"] == "60"
        box.clock.advance(60)
        assert (await attacker.log_in("admin")).code == 302  # and a success forgets it all
        failures = await box.api.web.audit.recent(action="login")
        assert sum(e.outcome == "failed" for e in failures) == 3 + 1 + 2 + 4


async def test_a_new_password_ends_the_users_other_sessions(tmp_path):
    async with web_box(tmp_path) as box:
        supervisor = await box.signed_in("supervisor", "sam")
        admin = box.browser()
        await admin.log_in("admin")
        await admin.get("/users")
        changed = await admin.post(
            "/users/sam", {"role": "supervisor", "password": "Brand-New-Pass-77"}
        )
        assert changed.code == 302
        assert (await supervisor.get("/extensions")).headers["Location"] == "/login"
        assert (await supervisor.log_in("sam", "Brand-New-Pass-77")).code == 302
        last = box.browser()
        await last.log_in("admin")
        await last.get("/users")
        refused = await last.post("/users/admin", {"role": "agent"})
        assert b"only admin" in refused.body
        assert [e.outcome for e in await box.api.web.audit.recent(action="user.change")] == [
            "refused", "ok"
        ]  # fmt: skip


async def test_api_tokens_act_as_their_user_until_revoked(tmp_path):
    async with web_box(tmp_path) as box:
        await box.signed_in("technician", "tess")
        admin = box.browser()
        await admin.log_in("admin")
        await admin.get("/users")
        made = await admin.post("/tokens", {"username": "admin", "label": "provisioning"})
        secret = made.body.decode().split('id="new-token">')[1].split("<")[0]
        assert secret.startswith("cbx_")
        assert secret.encode() not in (await admin.get("/users")).body  # shown once
        bearer = {"Authorization": f"Bearer {secret}"}
        api = box.browser("127.0.0.4")  # no cookies, no CSRF token: a script

        body = json.dumps({"number": "1001", "name": "Ann", "permission": "local"})
        added = await api.fetch("/api/extensions", "POST", body, **bearer)
        assert added.code == 201
        reply = json.loads(added.body)
        assert len(reply["secret"]) == 20
        assert reply["permission"] == "local"
        changed = await api.fetch(
            "/api/extensions/1001", "PUT", json.dumps({"name": "Ann B", "max_calls": 3}), **bearer
        )
        assert json.loads(changed.body)["name"] == "Ann B"
        assert json.loads(changed.body)["secret"] is None
        bad = await api.fetch("/api/extensions/1001", "PUT", json.dumps({"ha1": "x"}), **bearer)
        assert bad.code == 400
        listed = json.loads((await api.fetch("/api/extensions", **bearer)).body)
        assert [(e["number"], e["registered"]) for e in listed["extensions"]] == [("1001", False)]
        assert (await api.fetch("/api/extensions/1001", "DELETE", **bearer)).code == 204
        assert (await api.fetch("/api/extensions/1001", **bearer)).code == 404

        await admin.get("/users")
        made = await admin.post("/tokens", {"username": "tess", "label": ""})
        tess = {
            "Authorization": "Bearer "
            + made.body.decode().split('id="new-token">')[1].split("<")[0]
        }
        assert (await api.fetch("/api/extensions", **tess)).code == 200
        assert (await api.fetch("/api/extensions", "POST", body, **tess)).code == 403
        token_id = box.api.web.access.tokens()[-1].token_id
        assert (await admin.post(f"/tokens/{token_id}/revoke")).code == 302
        assert (await api.fetch("/api/extensions", **tess)).code == 401
        changes = await box.api.web.audit.recent(50)
        assert [e.action for e in changes if e.outcome == "ok" and "." in e.action] == [
            "token.revoke", "token.add", "extension.delete", "extension.change",
            "extension.add", "token.add", "user.add",
        ]  # fmt: skip


async def test_extensions_page_adds_shows_the_secret_once_changes_and_deletes(tmp_path):
    async with web_box(tmp_path) as box:
        admin = box.browser()
        await admin.set_up()
        await admin.get("/extensions")
        added = await admin.post("/extensions", {"number": "1001", "name": "Ann"})
        page = added.body.decode()
        secret = page.split('id="new-secret">')[1].split("<")[0]
        assert len(secret) == 20
        listing = (await admin.get("/extensions")).body.decode()
        assert "Ann" in listing
        assert secret not in listing
        assert "not registered" in listing
        duplicate = await admin.post("/extensions", {"number": "1001", "name": "Again"})
        assert duplicate.code == 400
        assert b"already exists" in duplicate.body

        await admin.get("/extensions/1001")
        renewed = await admin.post(
            "/extensions/1001", {"name": "Ann Lee", "permission": "internal", "new_secret": "on"}
        )
        new_secret = renewed.body.decode().split('id="new-secret">')[1].split("<")[0]
        assert new_secret != secret
        extension = await box.api.extensions.get("1001")
        assert (extension.name, extension.permission.name) == ("Ann Lee", "INTERNAL")
        for recording in ("always", ""):  # blank is the box's default, not "as it was"
            await admin.post("/extensions/1001", {"name": "Ann Lee", "recording": recording})
            assert (await box.api.extensions.get("1001")).recording == recording
        assert (await admin.post("/extensions/1001/delete")).headers["Location"] == "/extensions"
        assert await box.api.extensions.list() == []
        assert (await admin.get("/extensions/1001")).code == 404
        rows = [(e.action, e.target, e.outcome) for e in await box.api.web.audit.recent(10)]
        assert rows[:6] == [
            ("extension.delete", "1001", "ok"), ("extension.change", "1001", "ok"),
            ("extension.change", "1001", "ok"), ("extension.change", "1001", "ok"),
            ("extension.add", "1001", "refused"), ("extension.add", "1001", "ok"),
        ]  # fmt: skip
        audit_page = (await admin.get("/audit")).body.decode()
        assert "extension.delete" in audit_page
        assert "127.0.0.1" in audit_page
