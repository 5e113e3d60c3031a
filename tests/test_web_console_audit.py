"""Changes made with the CLI (through the daemon's control socket) are in the audit log too,
one row each, named after the Unix user the kernel says is calling: the log is complete
whatever the door. In the real daemon, read back through the panel's /api/audit."""

import os
import pwd
import subprocess

import pytest

from tests.harness import CALLBOX
from tests.web_box import Browser, DaemonPanel


def _callbox(daemon, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CALLBOX), "--config", str(daemon.config_path), *args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.mark.asyncio
async def test_a_callbox_ext_add_appears_in_the_audit_log(make_daemon):
    daemon = make_daemon().start()
    assert _callbox(daemon, "ext", "add", "2001", "--name", "Front desk").returncode == 0
    assert _callbox(daemon, "ext", "add", "2001", "--name", "Again").returncode == 2  # taken
    assert _callbox(daemon, "ext", "list").returncode == 0  # a read: no row
    assert _callbox(daemon, "ext", "set", "2001", "--max-calls", "3").returncode == 0
    assert _callbox(daemon, "ext", "del", "2001").returncode == 0

    admin = Browser(DaemonPanel.of(daemon))
    await admin.set_up()
    status, answer = await admin.api("/api/audit?limit=50")
    assert status == 200
    console = [e for e in answer["events"] if e["source"] == "local"]
    me = f"console:{pwd.getpwuid(os.getuid()).pw_name}"
    assert [(e["actor"], e["action"], e["target"], e["outcome"]) for e in reversed(console)] == [
        (me, "extension.add", "2001", "ok"),
        (me, "extension.add", "2001", "refused"),
        (me, "extension.change", "2001", "ok"),
        (me, "extension.delete", "2001", "ok"),
    ]
    assert "already" in console[2]["detail"]
    # The panel's own filter finds them beside the web's changes.
    _, added = await admin.api("/api/audit?action=extension.add")
    assert len(added["events"]) == 2
