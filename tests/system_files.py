"""Helpers for the System page's tests: signed bundles with a throwaway key, waiting on the loop."""

import asyncio
import subprocess
import sys
import time
from pathlib import Path

from tests.harness import REPO

MAKE_BUNDLE = REPO / "image_build" / "make_bundle.py"


def keygen(folder: Path, name: str) -> tuple[Path, Path]:
    """A new Ed25519 pair made by image_build/make_bundle.py: (private, public)."""
    private, public = folder / f"{name}.pem", folder / f"{name}.pub"
    subprocess.run([sys.executable, MAKE_BUNDLE, "keygen", private, public], check=True)
    return private, public


def make_bundle(folder: Path, key: Path, payload: bytes, **manifest: str) -> bytes:
    """A bundle as a release would be made (defaults: version 0.2.0, the reference board)."""
    payload_path = folder / "payload.img"
    payload_path.write_bytes(payload)
    out = folder / "bundle.cbu"
    options = {"version": "0.2.0", "board": "reference", "min_version": "0.0.0", **manifest}
    subprocess.run(
        [sys.executable, MAKE_BUNDLE, "bundle", "--key", key, "--payload", payload_path,
         "--out", out, "--version", options["version"], "--board", options["board"],
         "--min-version", options["min_version"]],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


async def eventually(predicate, timeout_s: float, what: str):
    """Await until `predicate()` is truthy, letting the loop (and the box on it) run."""
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.05)
    return value
