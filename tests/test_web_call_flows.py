"""The call-flow pages and their API, in this process: inbound routes, time conditions and
night mode, IVR menus, announcements, and the destination picker they share.

Each change is made as a user would (a form, or JSON with the session's CSRF
token) and read back through the service API, so "saved" means the box has it.
"""

import pytest

from tests.web_box import web_box


async def _admin(box):
    admin = box.browser()
    await admin.set_up()
    return admin


async def _flows(box, admin) -> None:
    """An announcement and a menu to send calls to (prompts from the box's own set)."""
    await box.api.prompts.set_text("hello", "en", "Hello")
    assert (
        await admin.api("/api/announcements", "POST", {"name": "closed", "prompts": ["hello"]})
    )[0] == 201
    code, menu = await admin.api(
        "/api/ivr", "POST", {"name": "main", "greeting": ["hello"], "options": {"1": "hangup"}}
    )
    assert code == 201, menu


@pytest.mark.asyncio
async def test_inbound_routes_through_the_api_create_change_refuse_and_delete(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await _admin(box)
        await _flows(box, admin)
        route = {"name": "sales", "did": "_44207123XXXX", "destination": "ivr:main",
                 "source_kind": "trunk", "recording": "always"}  # fmt: skip
        code, made = await admin.api("/api/inbound-routes", "POST", route)
        assert code == 201, made
        assert made["destination"] == "ivr:main"
        assert made["recording"] == "always"
        assert box.api.call_flows.routes.get("sales").did == "_44207123XXXX"

        code, changed = await admin.api(
            "/api/inbound-routes/sales", "PUT", {"destination": "announce:closed"}
        )
        assert code == 200, changed
        assert (changed["destination"], changed["did"]) == ("announce:closed", "_44207123XXXX")

        for bad, reason in (
            ({"destination": "ivr:nowhere"}, "there is no ivr nowhere"),
            ({"destination": "fax:1"}, "destination must be one of"),
            ({"recording": "sometimes"}, "recording must be"),
            ({"priority": "high"}, "priority must be a whole number"),
            ({"colour": "red"}, "unknown setting"),
        ):
            code, answer = await admin.api("/api/inbound-routes/sales", "PUT", bad)
            assert code == 400, (bad, answer)
            assert reason in answer["error"], (bad, answer)
        code, answer = await admin.api("/api/inbound-routes", "POST", {**route, "did": "1"})
        assert code == 400
        assert "already exists" in answer["error"]
        code, answer = await admin.api("/api/inbound-routes", "POST", {"name": "Bad Name"})
        assert code == 400
        assert "name must start with a letter" in answer["error"]
        assert [r.name for r in box.api.call_flows.routes.items()] == ["sales"]
        assert box.api.call_flows.routes.get("sales").destination == "announce:closed"

        # The IVR the route once led to can go; the announcement it leads to cannot.
        code, answer = await admin.api("/api/announcements/closed", "DELETE")
        assert code == 400
        assert "in use by route-in sales" in answer["error"]
        assert (await admin.api("/api/inbound-routes/sales", "DELETE"))[0] == 204
        assert (await admin.api("/api/inbound-routes/sales"))[0] == 404
        assert (await admin.api("/api/announcements/closed", "DELETE"))[0] == 204
        actions = [e.action for e in await box.api.web.audit.recent()]
        # One done, four refused by the box (an unknown setting is refused before it is tried).
        assert actions.count("inbound-route.change") == 5
        assert "inbound-route.delete" in actions


@pytest.mark.asyncio
async def test_an_ivr_menu_made_in_the_form_keeps_what_was_typed_when_refused(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await _admin(box)
        await _flows(box, admin)
        await box.api.extensions.add("1001", "Ann")
        page = await admin.get("/ivr")
        assert page.code == 200
        assert b'value="ext:1001"' in page.body  # the destination picker offers it
        form = {
            "name": "sales", "greeting": "hello\n", "options.key": ["1", "2", ""],
            "options.value": ["ext:1001", "ivr:main", ""], "direct_dial": "_1XXX",
            "timeout_s": "soon", "digit_timeout_s": "3", "attempts": "3",
            "invalid_prompt": "invalid", "timeout_prompt": "", "final_destination": "hangup",
            "language": "",
        }  # fmt: skip
        refused = await admin.post("/ivr", form)
        assert refused.code == 400
        body = refused.body.decode()
        assert "Wait for a first key (s) must be a number" in body
        for typed in (
            'value="soon"',
            'value="_1XXX"',
            'value="sales"',
            'value="ext:1001" selected',
        ):
            assert typed in body, typed
        assert "sales" not in box.api.call_flows.menus
        made = await admin.post("/ivr", {**form, "timeout_s": "4"})
        assert made.code == 302
        menu = box.api.call_flows.menus.get("sales")
        assert menu.options == {"1": "ext:1001", "2": "ivr:main"}
        assert (menu.timeout_s, menu.direct_dial, menu.greeting) == (4.0, "_1XXX", ("hello",))
        # The menu's own page shows it, and a change there replaces its keys.
        page = await admin.get("/ivr/sales")
        assert page.code == 200
        assert b'value="_1XXX"' in page.body
        changed = await admin.post(
            "/ivr/sales",
            {**form, "timeout_s": "4", "options.key": ["9"], "options.value": ["repeat"]},
        )
        assert changed.code == 302
        assert box.api.call_flows.menus.get("sales").options == {"9": "repeat"}
        # In use by another menu: not deleted, and the page says why.
        to_sales = {"options.key": ["5"], "options.value": ["ivr:sales"], "timeout_s": "4"}
        assert (await admin.post("/ivr/main", {**form, **to_sales})).code == 302
        refused = await admin.post("/ivr/sales/delete")
        assert refused.code == 400
        assert b"in use by ivr main" in refused.body
        assert "sales" in box.api.call_flows.menus


@pytest.mark.asyncio
async def test_night_mode_is_a_supervisors_switch_and_shows_which_branch_is_active(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await _admin(box)
        await _flows(box, admin)
        condition = {"name": "office", "open_destination": "ivr:main",
                     "closed_destination": "announce:closed", "timezone": "UTC"}  # fmt: skip
        code, made = await admin.api("/api/time-conditions", "POST", condition)
        assert code == 201, made
        assert made["now"]["open"] is True  # no schedule: open at all hours
        assert made["now"]["destination"] == "ivr:main"
        code, answer = await admin.api(
            "/api/time-conditions/office", "PUT", {"schedule": ["mon-fri 9-5"]}
        )
        assert code == 400
        assert "a schedule entry is like" in answer["error"]

        boss = await box.signed_in("supervisor")
        page = await boss.get("/time-conditions")
        assert page.code == 200
        assert b'id="night-office-closed"' in page.body
        assert b'id="save"' not in page.body  # a supervisor sees the flows, changes none
        assert (await boss.post("/time-conditions/office/night", {"mode": "closed"})).code == 302
        assert box.api.call_flows.time_conditions.get("office").override == "closed"
        page = await boss.get("/time-conditions/office")
        assert b"night mode" in page.body
        assert b"announce:closed" in page.body

        code, state = await boss.api("/api/time-conditions/office/night", "PUT", {"mode": "open"})
        assert code == 200, state
        assert state["now"]["why"] == "forced open"
        code, answer = await boss.api("/api/time-conditions/office/night", "PUT", {"mode": "dark"})
        assert code == 400
        assert "override must be one of" in answer["error"]
        assert (await boss.api("/api/time-conditions/office", "PUT", {"timezone": ""}))[0] == 403
        code, state = await boss.api("/api/time-conditions/office/night", "PUT", {"mode": "auto"})
        assert state["override"] == "auto"
        switched = await box.api.web.audit.recent(action="night-mode.set")
        assert [(e.actor, e.target) for e in switched][:3] == [
            ("supervisor1", "office auto"), ("supervisor1", "office dark"),
            ("supervisor1", "office open"),
        ]  # fmt: skip


@pytest.mark.asyncio
async def test_the_destination_picker_offers_what_exists(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await _admin(box)
        await _flows(box, admin)
        await box.api.extensions.add("1001", "Ann")
        code, listed = await admin.api("/api/destinations")
        assert code == 200
        offered = {c["value"] for kind in listed["destinations"] for c in kind["choices"]}
        assert {"ext:1001", "ivr:main", "announce:closed", "hangup"} <= offered
        for path in ("/inbound-routes", "/time-conditions", "/announcements", "/trunks"):
            page = await admin.get(path)
            assert page.code == 200, path
            assert b'<optgroup label="IVR menus">' in page.body, path


@pytest.mark.asyncio
@pytest.mark.parametrize(("language", "title"), [("ar", "الشروط الزمنية"), ("fa", "شرط‌های زمانی")])
async def test_the_call_flow_pages_speak_arabic_and_persian_right_to_left(
    tmp_path, language, title
):
    async with web_box(tmp_path, language=language) as box:
        admin = await _admin(box)
        page = (await admin.get("/time-conditions")).body.decode()
        assert 'dir="rtl"' in page
        assert f"<h1>{title}</h1>" in page
