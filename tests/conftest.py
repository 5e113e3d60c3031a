"""Fixtures: daemons with private ports and data, cleaned up after each test."""

import asyncio
import shutil
from dataclasses import dataclass

import pytest
import pytest_asyncio

from pbx.bus import EventBus
from pbx.calls import CallService
from pbx.loop_guard import LoopGuard
from pbx.sip import EngineSettings, SipEngine
from pbx.store import CdrStore, main_database
from pbx.store.config_objects import ConfigObjectStore
from pbx.trunks import BARE_DESTINATION_KINDS, DESTINATION_KINDS
from tests import speech
from tests.harness import Daemon, free_port, short_tempdir
from tests.panel_browser import chromium  # noqa: F401 (a fixture for the browser tests)


def pytest_sessionstart(session):
    missing = [tool for tool in ("sipp",) if shutil.which(tool) is None]
    if missing:
        pytest.exit(f"integration peers missing: {missing}; run `make test`", returncode=2)


@pytest.fixture
def workdir():
    """A short private directory (Unix socket paths must stay under 108 bytes)."""
    with short_tempdir() as path:
        yield path


@pytest.fixture(scope="session")
def speech_corpus(tmp_path_factory):
    """A few minutes of espeak-ng speech in five languages, 8 kHz PCM by name ("en-m3")."""
    return speech.corpus(tmp_path_factory.mktemp("speech"))


@pytest.fixture
def make_daemon(workdir):
    """Build daemons with settings overrides: make_daemon({"engine": {...}})."""
    daemons = []

    def make(settings: dict | None = None, name: str = "box") -> Daemon:
        path = workdir / name
        path.mkdir()
        daemon = Daemon(path, settings or {})
        daemons.append(daemon)
        return daemon

    yield make
    for daemon in daemons:
        daemon.close()


@dataclass
class EngineStack:
    """The real SIP engine and call service in this process, on a debug loop."""

    calls: CallService
    bus: EventBus
    cdrs: CdrStore
    sip_port: int
    engine: SipEngine

    def uri(self, number: str) -> str:
        return f"sip:{number}@127.0.0.1:{self.sip_port}"


@pytest_asyncio.fixture
async def engine_stack(tmp_path):
    """Engine, bus, store and call service wired as firmware.box does, guards armed."""
    loop = asyncio.get_running_loop()
    loop.set_debug(True)
    guard = LoopGuard(loop)
    bus = EventBus(guard)
    database = main_database(tmp_path / "callbox.db")
    await database.open()
    port = free_port()
    engine = SipEngine(
        EngineSettings(sip_port=port, rtp_port_min=22000, rtp_port_max=22199, max_calls=32), bus
    )
    await engine.start()
    cdrs = CdrStore(database)
    calls = CallService(engine, bus, cdrs, guard)
    try:
        yield EngineStack(calls, bus, cdrs, port, engine)
    finally:
        await calls.shutdown(5)
        await engine.stop()
        await database.close()


@pytest_asyncio.fixture
async def config_store(tmp_path):
    """The call-center configuration store on a fresh SQLite database."""
    database = main_database(tmp_path / "config.db")
    await database.open()
    try:
        yield ConfigObjectStore(database)
    finally:
        await database.close()


@pytest.fixture
def destination_kinds():
    """The destination kinds the box registers at start (its router does), for one test."""
    kinds, bare = set(DESTINATION_KINDS), set(BARE_DESTINATION_KINDS)
    DESTINATION_KINDS.update({"ivr", "announce", "tc", "hangup"})
    BARE_DESTINATION_KINDS.add("hangup")
    yield
    DESTINATION_KINDS.intersection_update(kinds)
    BARE_DESTINATION_KINDS.intersection_update(bare)
