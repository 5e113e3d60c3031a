"""Queues and agents from the panel, on the real daemon: the JSON API changes the queue the
daemon runs (an agent logged in and paused shows in the queue's live state), roles hold,
and the wallboard in Chromium follows a caller into the queue and out without a reload."""

import pytest
from playwright.sync_api import expect

from tests.call_center import add_queue, ask, call_queue, phones, start_box
from tests.harness import wait_until
from tests.panel_browser import signed_in_page
from tests.web_box import PASSWORD, Browser, DaemonPanel


@pytest.fixture
def box(make_daemon, workdir):
    daemon = start_box(make_daemon, workdir, numbers=("1001", "1002", "1009"))
    yield daemon
    print(daemon.log_tail(60))  # shown when the test failed


async def _user(admin: Browser, panel, username: str, role: str) -> Browser:
    await admin.get("/users")
    made = await admin.post("/users", {"username": username, "role": role, "password": PASSWORD})
    assert made.code == 302
    user = Browser(panel, "127.0.0.1")
    await user.log_in(username)
    return user


async def _queue(admin: Browser, box) -> None:
    body = {"name": "sales", "number": "600", "members": ["1001", ["1002", 5]], "wrapup_s": 0}
    code, made = await admin.api("/api/queues", "POST", body)
    assert code == 201, made
    assert made["members"] == [
        {"extension": "1001", "penalty": 0},
        {"extension": "1002", "penalty": 5},
    ]
    for bad, says in (
        ({"name": "Sales Team"}, "name must start with a letter"),
        ({"name": "support", "ring_timeout_s": "soon"}, "ring_timeout_s must be a whole number"),
        ({"name": "sales"}, "queue sales exists"),
        ({"name": "support", "members": ["1999"]}, "member 1999 is not an extension"),
    ):
        code, answer = await admin.api("/api/queues", "POST", bad)
        assert code == 400, bad
        assert says in answer["error"], answer
    code, changed = await admin.api("/api/queues/sales", "PUT", {"strategy": "linear"})
    assert code == 200, changed
    assert (changed["strategy"], len(changed["members"])) == ("linear", 2)
    assert ask(box, "queue.list")[0]["strategy"] == "linear"  # the daemon runs it


async def _live(browser: Browser) -> dict:
    code, queue = await browser.api("/api/queues/sales")
    assert code == 200
    return queue["live"]["agents"]


@pytest.mark.asyncio
async def test_agents_are_logged_in_and_paused_through_the_api_and_the_queue_shows_it(box):
    panel = DaemonPanel.of(box)
    admin = Browser(panel)
    await admin.set_up()
    await _queue(admin, box)
    assert (await _live(admin))["logged-out"] == 2

    code, agent = await admin.api("/api/agents/1001", "POST", {"action": "login"})
    assert (code, agent["state"], agent["queues"]) == (200, "available", ["sales"])
    assert (await _live(admin))["available"] == 1
    code, agent = await admin.api(
        "/api/agents/1001", "POST", {"action": "pause", "reason": "lunch"}
    )
    assert (code, agent["state"], agent["pause_reason"]) == (200, "paused", "lunch")
    live = await _live(admin)
    assert (live["paused"], live["available"]) == (1, 0)
    daemon_view = {a["extension"]: a for a in ask(box, "agent.list")}
    assert (daemon_view["1001"]["state"], daemon_view["1001"]["pause_reason"]) == (
        "paused",
        "lunch",
    )
    code, refused = await admin.api("/api/agents/1001", "POST", {"action": "dance"})
    assert code == 400
    assert "action must be one of" in refused["error"]
    code, _ = await admin.api("/api/agents/1001", "POST", {"action": "unpause"})
    assert (await _live(admin))["available"] == 1

    # A supervisor manages agents but not queues; an agent acts on their own extension only.
    supervisor = await _user(admin, panel, "sue", "supervisor")
    code, _ = await supervisor.api("/api/agents/1001", "POST", {"action": "logout"})
    assert code == 200
    assert (await supervisor.api("/api/queues/sales", "PUT", {"strategy": "random"}))[0] == 403
    ann = await _user(admin, panel, "ann", "agent")
    await admin.get("/users")
    assert (await admin.post("/users/ann/extension", {"extension": "1002"})).code == 302
    code, own = await ann.api("/api/agent", "POST", {"action": "login"})
    assert (code, own["extension"], own["state"]) == (200, "1002", "available")
    code, own = await ann.api("/api/agent", "POST", {"action": "pause", "reason": "coffee"})
    assert own["state"] == "paused"
    assert (await ann.api("/api/agents/1001", "POST", {"action": "login"}))[0] == 403
    page = (await ann.get("/agent")).body.decode()
    assert 'data-state="paused"' in page
    assert "coffee" in page

    code, audit = await admin.api("/api/audit")
    actions = [(e["actor"], e["action"], e["target"]) for e in audit["events"]]
    for row in (("admin", "agent.pause", "1001"), ("sue", "agent.logout", "1001"),
                ("ann", "agent.pause", "1002"), ("admin", "queue.change", "sales")):  # fmt: skip
        assert row in actions, row
    code, board = await admin.api("/api/dashboard")
    assert (board["engine"], board["host"]["load_1m"] is not None) == ("running", True)
    assert (await admin.api("/api/queues/sales", "DELETE"))[0] == 204
    assert (await admin.api("/api/queues/sales"))[0] == 404

    group = {"name": "front", "number": "610", "strategy": "in-order", "members": ["1002", "1001"]}
    code, made = await admin.api("/api/groups", "POST", group)
    assert (code, made["members"]) == (200, ["1002", "1001"])
    assert ask(box, "group.list")[0]["strategy"] == "in-order"
    code, refused = await admin.api("/api/groups", "POST", {**group, "strategy": "loudest"})
    assert code == 400
    assert "strategy must be one of" in refused["error"]
    assert (await supervisor.api("/api/groups/front", "DELETE"))[0] == 403
    assert (await admin.api("/api/groups/front", "DELETE"))[0] == 204
    assert (await admin.api("/api/groups"))[1] == {"groups": []}


def test_the_wallboard_shows_a_caller_waiting_and_gone_without_a_reload(box, chromium):
    add_queue(box, "sales", ["1001"], number="600")  # 1001 logged out: callers wait
    errors: list[str] = []
    page = signed_in_page(chromium, box, errors)
    dashboard = page.context.new_page()  # the same session, another tab
    dashboard.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    dashboard.goto(box.status()["web"]["url"] + "dashboard")
    assert dashboard.locator("#ports tbody tr").count() == 8  # the emulated board's 4 + 4
    calls_now = dashboard.locator('[data-field="calls_active"]')
    assert calls_now.inner_text() == "0"
    queues = page.context.new_page()
    queues.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    queues.goto(box.status()["web"]["url"] + "queues")
    listed = queues.locator('tr[data-queue="sales"] [data-field="waiting"]')
    assert listed.inner_text() == "0"
    page.goto(box.status()["web"]["url"] + "wallboard")
    page.wait_for_selector('#wallboard[data-connected="yes"]')
    waiting = '[data-queue="sales"] [data-field="waiting"]'
    assert page.inner_text(waiting) == "0"
    page.evaluate("window.stillTheSamePage = true")

    with phones(box, "1009") as (caller,):
        call_queue(caller)
        # Pushed on the queue's join event: well before the periodic tick (5 s).
        expect(page.locator(waiting)).to_have_text("1", timeout=4000)
        expect(calls_now).to_have_text("1", timeout=10_000)  # the dashboard polls its API
        expect(listed).to_have_text("1", timeout=10_000)  # and so does the Queues page
        wait_until(lambda: page.inner_text(f'[data-queue="sales"] {LONGEST}') != "0:00", 5,
                   "the longest wait to tick")  # fmt: skip
        caller.hangup()
        caller.wait_for("state", state="DISCONNECTED", timeout=10)
        expect(page.locator(waiting)).to_have_text("0", timeout=4000)
    assert page.evaluate("window.stillTheSamePage") is True  # pushed, never reloaded
    assert errors == []  # nothing the CSP blocked, no script error


LONGEST = '[data-field="longest_wait_s"]'


@pytest.mark.asyncio
async def test_the_queues_page_adds_changes_and_removes_a_queue_and_acts_on_agents(box):
    admin = Browser(DaemonPanel.of(box))
    await admin.set_up()
    await admin.get("/queues")
    fields = {"name": "sales", "number": "600", "strategy": "linear", "members": "1001, 1002:5"}
    added = await admin.post("/queues", fields)
    assert (added.code, added.headers["Location"]) == (302, "/queues/sales")
    page = (await admin.get("/queues/sales")).body.decode()
    assert 'value="1001, 1002:5"' in page
    assert 'id="save-queue"' in page

    refused = await admin.post("/queues/sales", {"ring_timeout_s": "soon", "number": "601"})
    assert refused.code == 400
    assert b"ring_timeout_s must be a whole number" in refused.body
    assert ask(box, "queue.list")[0]["number"] == "600"  # nothing changed
    saved = await admin.post("/queues/sales", {"ring_timeout_s": "30", "announce_position": "no"})
    assert saved.code == 200
    assert b'id="saved"' in saved.body
    running = ask(box, "queue.list")[0]
    assert (running["ring_timeout_s"], running["announce_position"]) == (30, False)
    assert running["strategy"] == "linear"  # what the form did not send stays

    assert (await admin.post("/queues/agents/1001", {"action": "login"})).code == 302
    pause = {"action": "pause", "reason": "training"}
    assert (await admin.post("/queues/agents/1001", pause)).code == 302
    listing = (await admin.get("/queues")).body.decode()
    assert "training" in listing
    assert 'value="unpause"' in listing
    wrong = await admin.post("/queues/agents/1009", {"action": "login"})
    assert wrong.code == 400
    assert b"extension 1009 is a member of no queue" in wrong.body

    assert (await admin.post("/queues/sales/delete")).code == 302
    assert ask(box, "queue.list") == []
    assert (await admin.get("/queues/sales")).code == 404


def test_an_agent_logs_in_and_pauses_from_their_own_page_which_follows_a_supervisor(box, chromium):
    add_queue(box, "sales", ["1001", "1002"], number="600")
    errors: list[str] = []
    page = signed_in_page(chromium, box, errors)
    url = box.status()["web"]["url"]
    page.goto(url + "users")  # the admin is also agent 1001
    page.fill('form[action="/users/owner/extension"] input[name=extension]', "1001")
    page.click('form[action="/users/owner/extension"] button')
    page.click("text=My queues")
    page.click("#agent-login")
    page.wait_for_selector('#agent-state[data-state="available"]')
    page.fill("input[name=reason]", "lunch")
    page.click("#agent-pause")
    page.wait_for_selector('#agent-state[data-state="paused"]')
    assert "lunch" in page.inner_text("main")
    assert ask(box, "agent.list")[0]["state"] == "paused"
    ask(box, "agent.unpause", extension="1001")  # a supervisor, elsewhere
    page.wait_for_selector("#agent-unpause", state="detached")  # the page follows
    assert page.get_attribute("#agent-state", "data-state") == "available"
    assert errors == []
