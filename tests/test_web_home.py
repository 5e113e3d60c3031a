"""The home page: the menu by role, and for admins the getting-started list ticking itself off
as the box is set up."""

import re

import pytest

from tests.web_box import web_box


def _steps(body: bytes) -> list[tuple[str, str]]:
    """(state, URL) of each getting-started step, in order."""
    section = body.decode().split('id="getting-started"')[1].split("</section>")[0]
    return re.findall(r'<li class="(done|todo)"><a href="([^"]+)"', section)


@pytest.mark.asyncio
async def test_the_getting_started_list_follows_what_the_box_has(tmp_path):
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        fresh = _steps((await admin.get("/")).body)
        pages = ["/extensions", "/extensions", "/trunks", "/inbound-routes", "/queues", "/system"]
        assert [url for _, url in fresh] == [*pages, "/users"]
        assert {state for state, _ in fresh} == {"todo"}

        await admin.get("/extensions")
        assert (await admin.post("/extensions", {"number": "1001", "name": "Ann"})).code == 200
        await admin.get("/users")
        made = await admin.post("/users", {"username": "sam", "role": "supervisor",
                                           "password": "Tall-Ladder-42-Sunrise"})  # fmt: skip
        assert made.code == 302
        page = await admin.get("/")
        assert "2 of 7 done" in page.body.decode()
        steps = _steps(page.body)
        assert steps[0] == ("done", "/extensions")  # an extension exists
        assert steps[1] == ("todo", "/extensions")  # but no phone has registered
        assert steps[-1] == ("done", "/users")

        supervisor = box.browser()
        await supervisor.log_in("sam")
        home = (await supervisor.get("/")).body.decode()
        assert 'id="getting-started"' not in home  # configuring is the admin's
        assert 'href="/queues"' in home
        assert 'href="/users"' not in home
