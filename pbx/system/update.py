"""Firmware updates: a bundle signed with the release key, checked, then staged for the next boot.

A bundle is a tar of three files: `manifest.json` (format, version, the board it
is for, the oldest firmware it updates from, the payload's size and SHA-256),
`manifest.sig` (the manifest's Ed25519 signature, base64) and `payload` (the
image the installer writes to the other slot). Only a bundle whose signature
verifies against the public key shipped with the firmware, for this board, newer
than what runs and whose payload matches the manifest, is staged.
`image_build/make_bundle.py` makes bundles.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from pbx import PbxError
from pbx.system.settings import write_atomically

FORMAT = "callbox-firmware"
MEMBERS = ("manifest.json", "manifest.sig", "payload")
_VERSION = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4}){2}")
_MAX_MANIFEST_BYTES = 64 * 1024
_CHUNK = 256 * 1024


class UpdateError(PbxError):
    """A bundle is refused; the text says why."""


@dataclass(frozen=True)
class StagedUpdate:
    """A verified update waiting in the staging directory for the installer and a reboot."""

    version: str
    board: str
    size: int


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def load_public_key(path: Path) -> Ed25519PublicKey:
    """The release public key (PEM) the firmware ships; UpdateError if there is none."""
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError):
        raise UpdateError(
            f"this box has no firmware update key ({path}): it cannot check bundles"
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise UpdateError("the firmware update key is not an Ed25519 key")
    return key


def verify_bundle(path: Path, key: Ed25519PublicKey, board: str, running: str) -> dict:
    """The bundle's manifest, if the bundle may be installed on this box; else UpdateError."""
    try:
        with tarfile.open(path, "r:") as bundle:
            members = bundle.getmembers()
            if sorted(m.name for m in members) != sorted(MEMBERS) or not all(
                m.isreg() for m in members
            ):
                raise UpdateError("not a Callbox firmware bundle (its files are not the three)")
            by_name = {m.name: m for m in members}
            if by_name["manifest.json"].size > _MAX_MANIFEST_BYTES:
                raise UpdateError("the bundle's manifest is too large")
            raw = bundle.extractfile(by_name["manifest.json"]).read()
            signature = bundle.extractfile(by_name["manifest.sig"]).read(1024)
            _check_signature(key, raw, signature)
            manifest = _parse(raw)
            _check_fit(manifest, board, running)
            _check_payload(bundle, by_name["payload"], manifest["payload"])
    except (tarfile.TarError, EOFError, OSError) as err:
        raise UpdateError(f"the bundle is damaged or incomplete ({err})") from None
    return manifest


def _check_signature(key: Ed25519PublicKey, manifest: bytes, signature: bytes) -> None:
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), manifest)
    except (InvalidSignature, ValueError):
        raise UpdateError(
            "the bundle's signature is not valid: it was not made by the firmware's publisher"
            " or was changed since"
        ) from None


def _parse(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise UpdateError("the bundle's manifest is not readable") from None
    fields = {"format", "version", "board", "min_version", "payload", "created"}
    if (
        not isinstance(manifest, dict)
        or set(manifest) != fields
        or manifest["format"] != FORMAT
        or not all(
            isinstance(manifest[k], str) and _VERSION.fullmatch(manifest[k])
            for k in ("version", "min_version")
        )
        or not isinstance(manifest["board"], str)
        or not isinstance(manifest["payload"], dict)
        or set(manifest["payload"]) != {"size", "sha256"}
    ):
        raise UpdateError("the bundle's manifest is not one this box reads")
    return manifest


def _check_fit(manifest: dict, board: str, running: str) -> None:
    if manifest["board"] != board:
        raise UpdateError(f"the bundle is for the {manifest['board']} board; this box is {board}")
    if version_tuple(manifest["version"]) <= version_tuple(running):
        raise UpdateError(f"the bundle's version {manifest['version']} is not newer than {running}")
    if version_tuple(running) < version_tuple(manifest["min_version"]):
        raise UpdateError(
            f"version {manifest['version']} updates from {manifest['min_version']} or later;"
            f" this box runs {running}"
        )


def _check_payload(bundle: tarfile.TarFile, member: tarfile.TarInfo, expected: dict) -> None:
    if member.size != expected["size"]:
        raise UpdateError("the bundle's payload is not the size its manifest gives")
    digest, source = hashlib.sha256(), bundle.extractfile(member)
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
    if digest.hexdigest() != expected["sha256"]:
        raise UpdateError("the bundle's payload does not match its manifest")


def stage(bundle_path: Path, manifest: dict, staged_dir: Path) -> StagedUpdate:
    """Put the verified payload and manifest in `staged_dir` (replacing an older staged one)."""
    shutil.rmtree(staged_dir, ignore_errors=True)
    staged_dir.mkdir(parents=True)
    with tarfile.open(bundle_path, "r:") as bundle:
        source = bundle.extractfile("payload")
        with (staged_dir / "payload").open("xb") as out:
            shutil.copyfileobj(source, out, _CHUNK)
            out.flush()
            os.fsync(out.fileno())
    write_atomically(staged_dir / "manifest.json", json.dumps(manifest, indent=1).encode())
    return StagedUpdate(manifest["version"], manifest["board"], manifest["payload"]["size"])


def staged(staged_dir: Path) -> StagedUpdate | None:
    """The update staged now, if any."""
    try:
        manifest = json.loads((staged_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return StagedUpdate(manifest["version"], manifest["board"], manifest["payload"]["size"])
