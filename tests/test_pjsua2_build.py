"""The pjsua2 in the venv is the appliance build, and its recipe reuses the cache."""

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


@pytest.mark.skipif(not cached_sources(), reason="no pjproject tarball in the cache yet")
def test_a_second_build_comes_from_the_cache_in_seconds():
    env = {**os.environ, "PJPROJECT_TARBALL": str(cached_sources()[-1])}
    result = subprocess.run(
        [str(REPO / "image_build" / "pjsua2" / "build.sh"), sys.executable],
        capture_output=True,
        text=True,
        timeout=30,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "cached build" in result.stderr
    wheel = Path(result.stdout.strip().splitlines()[-1])
    assert wheel.name.startswith("pjsua2-2.17-")
    assert wheel.suffix == ".whl"
    assert wheel.exists()


def test_set_up_is_complete_and_has_nothing_left_to_do():
    result = subprocess.run(
        ["make", "-q", "setup"], cwd=REPO, capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, "`make setup` would rebuild something that did not change"
