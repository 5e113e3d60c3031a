"""Fixtures: daemons with private ports and data, cleaned up after each test."""

import shutil

import pytest

from tests.harness import Daemon, short_tempdir


def pytest_sessionstart(session):
    missing = [tool for tool in ("sipp",) if shutil.which(tool) is None]
    if missing:
        pytest.exit(f"integration peers missing: {missing}; run `make test`", returncode=2)


@pytest.fixture
def workdir():
    """A short private directory (Unix socket paths must stay under 108 bytes)."""
    with short_tempdir() as path:
        yield path


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
