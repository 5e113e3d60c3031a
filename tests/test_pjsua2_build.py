"""The pjsua2 in the venv is the appliance build, and its recipe reuses the cache."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import REPO

PROBE = """
import pjsua2 as pj
ep = pj.Endpoint()
ep.libCreate()
cfg = pj.EpConfig()
cfg.uaConfig.maxCalls = 1024      # the stock build refuses anything above 4
cfg.logConfig.level = cfg.logConfig.consoleLevel = 0
ep.libInit(cfg)
print(pj.EpConfig().medConfig.clockRate, pj.EpConfig().medConfig.maxMediaPorts)
print(" ".join(sorted(c.codecId for c in ep.codecEnum2())))
ep.libDestroy()
"""


def test_installed_pjsua2_has_the_appliance_limits_and_codecs():
    # In a child process: one pjsua2 library per process, and the tests' engine may run here.
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    clock, codecs = result.stdout.strip().splitlines()[-2:]
    assert clock.split() == ["8000", "3200"]  # 8 kHz bridge; 1024 calls + 2048 media + 128
    for codec in ("PCMA/8000/1", "PCMU/8000/1", "G722/16000/1", "opus/48000/2"):
        assert codec in codecs.split()


def cached_sources() -> list[Path]:
    src = Path(os.environ.get("PJSUA2_CACHE", "/var/cache/callbox/pjsua2")) / "src"
    return sorted(p for p in src.glob("*pjproject*.tar.*") if not p.name.endswith(".part"))


def build(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(REPO / "image_build" / "pjsua2" / "build.sh"), sys.executable],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )


needs_cached_source = pytest.mark.skipif(
    not cached_sources(), reason="no pjproject tarball in the cache yet"
)


@needs_cached_source
@pytest.mark.parametrize("source", ["PJPROJECT_TARBALL", "PJPROJECT_URL"])
def test_a_second_build_comes_from_the_cache_in_seconds(source):
    tarball = cached_sources()[-1]
    value = str(tarball) if source == "PJPROJECT_TARBALL" else tarball.as_uri()
    result = build(
        **{source: value}, PJPROJECT_SHA256=hashlib.sha256(tarball.read_bytes()).hexdigest()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cached build" in result.stderr
    wheel = Path(result.stdout.strip())
    assert wheel.name.startswith("pjsua2-2.17-")
    assert wheel.suffix == ".whl"
    assert wheel.exists()


@needs_cached_source
def test_a_download_with_the_wrong_checksum_is_refused_and_not_kept():
    src = cached_sources()[-1].parent
    before = set(src.iterdir())
    result = build(
        PJPROJECT_URL=cached_sources()[-1].as_uri() + "?wrong", PJPROJECT_SHA256="0" * 64
    )
    assert result.returncode != 0
    assert "does not match PJPROJECT_SHA256" in result.stderr
    assert set(src.iterdir()) == before


def test_set_up_is_complete_and_has_nothing_left_to_do():
    result = subprocess.run(
        ["make", "-q", "setup"], cwd=REPO, capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, "`make setup` would rebuild something that did not change"
