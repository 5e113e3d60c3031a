"""Ring groups from the panel, on the real daemon: added on the Queues page, changed on their
own page and removed there, refused input shown as typed with nothing saved, PUT through the
API changing only what it names, roles held and every change in the audit log; and the call-flow
forms' "Add a row" button in Chromium, which lets an IVR menu get a fourth key before saving."""

import pytest

from tests.call_center import ask, start_box
from tests.panel_browser import signed_in_page
from tests.web_box import PASSWORD, Browser, DaemonPanel


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir, numbers=("1001", "1002", "1009"))
    yield daemon
    print(daemon.log_tail(60))  # shown when the test failed


def _group(box) -> dict:
    groups = ask(box, "group.list")
    assert len(groups) == 1, groups
    return groups[0]


async def _supervisor(admin: Browser, panel) -> Browser:
    await admin.get("/users")
    made = await admin.post(
        "/users", {"username": "sue", "role": "supervisor", "password": PASSWORD}
    )
    assert made.code == 302
    sue = Browser(panel, "127.0.0.1")
    await sue.log_in("sue")
    return sue


async def _add(admin: Browser, box) -> None:
    await admin.get("/queues")
    fields = {"name": "front", "number": "610", "strategy": "in-order", "members": "1002, 1001",
              "ring_timeout_s": "15", "no_answer_destination": ""}  # fmt: skip
    added = await admin.post("/groups", fields)
    assert (added.code, added.headers["Location"]) == (302, "/groups/front")
    running = _group(box)
    assert (running["members"], running["strategy"], running["ring_timeout_s"]) == (
        ["1002", "1001"],
        "in-order",
        15,
    )
    for bad, says in (
        ({**fields, "number": "611"}, b"ring group front exists"),
        ({**fields, "name": "back", "members": "1999"}, b"member 1999 is not an extension"),
        ({**fields, "name": "back", "ring_timeout_s": "soon"}, b"ring_timeout_s must be"),
    ):
        refused = await admin.post("/groups", bad)
        assert refused.code == 400, bad
        assert says in refused.body
        page = refused.body.decode()
        for name in ("name", "number", "members", "ring_timeout_s"):
            assert f'name="{name}" value="{bad[name]}"' in page, name  # as typed
    assert _group(box)["number"] == "610"  # nothing saved
    listing = (await admin.get("/queues")).body.decode()
    assert '<a href="/groups/front">front</a>' in listing


@pytest.mark.asyncio
async def test_a_ring_group_is_added_changed_and_removed_from_the_panel(box):
    panel = DaemonPanel.of(box)
    admin = Browser(panel)
    await admin.set_up()
    await _add(admin, box)

    page = (await admin.get("/groups/front")).body.decode()
    assert 'value="1002, 1001"' in page
    assert "data-confirm=" in page
    assert 'action="/groups/front/delete"' in page
    refused = await admin.post("/groups/front", {"number": "611", "ring_timeout_s": "soon"})
    assert refused.code == 400
    assert b"ring_timeout_s must be a whole number" in refused.body
    assert b'value="611"' in refused.body
    assert b'value="soon"' in refused.body
    assert _group(box)["number"] == "610"
    change = {"number": "611", "strategy": "ring-all", "members": "1001 1009",
              "ring_timeout_s": "30", "no_answer_destination": "ext:1002"}  # fmt: skip
    saved = await admin.post("/groups/front", change)
    assert (saved.code, b'id="saved"' in saved.body) == (200, True)
    running = _group(box)
    assert (running["number"], running["strategy"], running["members"]) == (
        "611",
        "ring-all",
        ["1001", "1009"],
    )
    assert (running["ring_timeout_s"], running["no_answer_destination"]) == (30, "ext:1002")

    # PUT changes only the settings it names; a supervisor may look but not change.
    code, changed = await admin.api("/api/groups/front", "PUT", {"ring_timeout_s": 45})
    assert (code, changed["ring_timeout_s"], changed["members"]) == (200, 45, ["1001", "1009"])
    assert _group(box)["ring_timeout_s"] == 45
    for bad, says in (
        ({"strategy": "loudest"}, "strategy must be one of"),
        ({"name": "rear"}, "name cannot change"),
        ({"members": "1001"}, "members must be a list"),
        ({"colour": "red"}, "unknown settings: colour"),
    ):
        code, answer = await admin.api("/api/groups/front", "PUT", bad)
        assert (code, says in answer["error"]) == (400, True), answer
    assert (await admin.api("/api/groups/rear", "PUT", {"number": "612"}))[0] == 404
    sue = await _supervisor(admin, panel)
    code, seen = await sue.api("/api/groups/front")
    assert (code, seen["number"]) == (200, "611")
    page = await sue.get("/groups/front")
    assert page.code == 200
    assert b'id="save-group"' not in page.body
    assert (await sue.post("/groups/front", {"number": "613"})).code == 403
    assert (await sue.api("/api/groups/front", "PUT", {"number": "613"}))[0] == 403

    assert (await admin.post("/groups/front/delete")).code == 302
    assert ask(box, "group.list") == []
    assert (await admin.get("/groups/front")).code == 404
    code, audit = await admin.api("/api/audit")
    rows = [(e["action"], e["target"], e["outcome"]) for e in audit["events"]]
    assert rows.count(("group.set", "front", "ok")) == 3  # added, changed on the page, PUT
    assert rows.count(("group.set", "front", "refused")) == 2  # the box's refusals
    assert ("group.set", "back", "refused") in rows
    assert ("group.delete", "front", "ok") in rows


def test_add_a_row_gives_an_ivr_menu_a_fourth_key_before_saving(make_daemon, chromium):
    daemon = make_daemon().start()
    daemon.add_extension("1001", "Front desk")
    errors: list[str] = []
    page = signed_in_page(chromium, daemon, errors)
    page.click("text=IVR menus")
    # Without JavaScript: the three blank rows, the button hidden.
    served = page.request.get(page.url).text()
    assert served.count('name="options.key"') == 3
    assert 'data-add-row="f-options" hidden' in served
    keys = page.locator('#f-options input[name="options.key"]')
    assert keys.count() == 3
    page.click('button[data-add-row="f-options"]')
    assert keys.count() == 4
    page.fill("#f-name", "main")
    page.fill("#f-greeting", "vm-goodbye")
    for index in range(4):
        keys.nth(index).fill(str(index + 1))
        page.select_option(f"#f-options-{index}", "ext:1001")
    page.click("#save")
    page.wait_for_selector('tr[data-name="main"]')
    assert "4 -> ext:1001" in page.inner_text('tr[data-name="main"]')
    assert errors == []
