#!/usr/bin/env python3
"""Make a signed Callbox firmware update bundle, or a signing key pair.

    make_bundle.py keygen release-key.pem update-key.pub
    make_bundle.py bundle --key release-key.pem --version 0.2.0 --board reference \
        --payload rootfs.img --out callbox-0.2.0.cbu

A bundle is an uncompressed tar of manifest.json (format, version, board,
min_version, created, the payload's size and SHA-256), manifest.sig (the
manifest's Ed25519 signature, base64) and payload. The box accepts it only if
the signature verifies against the public key it ships (system.update_key).
The private key never goes into the repository: keep the release key offline;
tests make a throwaway pair with `keygen`.
"""

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def keygen(private_path: Path, public_path: Path) -> None:
    """A new Ed25519 pair: the private key (PEM, mode 0600) and the public key (PEM)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(private)
    public_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def bundle(args: argparse.Namespace) -> None:
    """Sign a manifest for the payload and write the three files as one tar."""
    key = serialization.load_pem_private_key(args.key.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        sys.exit("make_bundle: the key is not an Ed25519 private key")
    manifest = json.dumps(
        {
            "format": "callbox-firmware",
            "version": args.version,
            "board": args.board,
            "min_version": args.min_version,
            "created": int(time.time()),
            "payload": {"size": args.payload.stat().st_size, "sha256": _sha256(args.payload)},
        },
        indent=1,
    ).encode()
    signature = base64.b64encode(key.sign(manifest))
    with tarfile.open(args.out, "w", format=tarfile.PAX_FORMAT) as out:
        for name, content in (("manifest.json", manifest), ("manifest.sig", signature)):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o644, int(time.time())
            out.addfile(info, io.BytesIO(content))
        out.add(args.payload, arcname="payload", recursive=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    pair = sub.add_parser("keygen", help="make an Ed25519 signing key pair")
    pair.add_argument("private", type=Path, help="where the private key goes (PEM, 0600)")
    pair.add_argument("public", type=Path, help="where the public key goes (PEM)")
    make = sub.add_parser("bundle", help="make a signed bundle")
    make.add_argument("--key", type=Path, required=True, help="the private signing key (PEM)")
    make.add_argument("--version", required=True, help="the firmware's version, e.g. 0.2.0")
    make.add_argument("--board", default="reference", help="the board profile it is for")
    make.add_argument("--min-version", default="0.0.0", help="oldest version it updates from")
    make.add_argument("--payload", type=Path, required=True, help="the image the installer writes")
    make.add_argument("--out", type=Path, required=True, help="the bundle to write")
    args = parser.parse_args()
    if args.command == "keygen":
        keygen(args.private, args.public)
    else:
        bundle(args)


if __name__ == "__main__":
    main()
