"""Backups of the box's configuration (and optionally its recordings), signed with a passphrase.

An archive is a gzip'd tar: the files under `data/`, then `manifest.json` (what
is in it: each file's size and SHA-256, the scrypt salt) and `manifest.hmac`
(HMAC-SHA256 of the manifest under a key derived from the admin's passphrase).
The passphrase, not a key of this box, signs it, so a backup restores onto a new
box after a hardware swap. A restore unpacks into a staging directory while it
hashes, and keeps nothing unless the signature, the schema and every file check
out; the daemon then restarts and swaps the staged files in before it opens
anything (see power.apply_pending).
"""

import hashlib
import hmac
import json
import re
import secrets
import shutil
import sqlite3
import tarfile
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from pbx import PbxError
from pbx.system.settings import write_atomically

FORMAT = "callbox-backup"
VERSION = 1
MIN_PASSPHRASE = 12
# scrypt's cost is fixed here, not read from the archive: a crafted one cannot
# make the box spend gigabytes deriving a key.
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
# What a backup holds, relative to the data directory ("recordings": recording.dir).
FILE_ITEMS = ("callbox.db", "system/settings.json", "system/wireguard.key")
ITEMS = (*FILE_ITEMS, "web/tls", "edge/tls", "prompts", "moh")
RECORDINGS = "recordings"
_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
_ITEM_OF = re.compile(
    r"(callbox\.db|system/settings\.json|system/wireguard\.key|web/tls|edge/tls|prompts|moh"
    r"|recordings)(/.*)?"
)
_MAX_DEPTH = 8
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_CHUNK = 256 * 1024
STAGING = "restore.staged"
READY = "restore.ready"  # written last: its items are swapped in at the next start


class BackupError(PbxError):
    """A backup cannot be made, or an archive cannot be restored; the text says why."""


@dataclass(frozen=True)
class BackupPlaces:
    """Where the box keeps what a backup holds."""

    data_dir: Path
    recordings_dir: Path

    def live(self, item: str) -> Path:
        return self.recordings_dir if item == RECORDINGS else self.data_dir / item


def derive_key(passphrase: str, salt: bytes) -> bytes:
    """The signing key for `passphrase` (scrypt, RFC 7914)."""
    return hashlib.scrypt(passphrase.encode(), salt=salt, dklen=32, maxmem=2**26, **_SCRYPT)


def check_passphrase(passphrase: object) -> str:
    if not isinstance(passphrase, str) or len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the backup passphrase must be at least {MIN_PASSPHRASE} characters")
    return passphrase


def item_of(relative: str) -> str:
    """The item an archive path belongs to; BackupError if it is not one a backup may hold."""
    parts = relative.split("/")
    match = _ITEM_OF.fullmatch(relative)
    if not match or len(parts) > _MAX_DEPTH or not all(_PART.fullmatch(p) for p in parts):
        raise BackupError(f"the archive holds a file a backup never has: {relative[:80]!r}")
    if (match.group(1) in FILE_ITEMS) == bool(match.group(2)):
        raise BackupError(f"the archive holds a file a backup never has: {relative[:80]!r}")
    return match.group(1)


async def make_backup(
    places: BackupPlaces,
    snapshot: Callable[[Path], Awaitable[None]],
    out_path: Path,
    *,
    passphrase: str,
    recordings: bool,
    firmware: str,
) -> None:
    """Write a signed archive to `out_path`; the database copied by SQLite (VACUUM INTO)."""
    import asyncio  # noqa: PLC0415

    check_passphrase(passphrase)
    work = out_path.with_suffix(".db")
    work.unlink(missing_ok=True)
    await snapshot(work)  # never a copy of the live file: the WAL may hold the newest rows
    try:
        await asyncio.to_thread(
            _write_archive,
            places,
            work,
            out_path,
            passphrase=passphrase,
            recordings=recordings,
            firmware=firmware,
        )
    finally:
        work.unlink(missing_ok=True)


def _sources(places: BackupPlaces, snapshot: Path, recordings: bool):
    """(archive path, file) of everything the backup holds."""
    yield "callbox.db", snapshot
    for item in FILE_ITEMS[1:]:
        if (path := places.live(item)).is_file():
            yield item, path
    for item in (*ITEMS[len(FILE_ITEMS) :], *((RECORDINGS,) if recordings else ())):
        root = places.live(item)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = f"{item}/{path.relative_to(root).as_posix()}"
            if path.is_file() and not path.is_symlink() and _fits(relative):
                yield relative, path


def _fits(relative: str) -> bool:
    """True for files a backup may hold (not, say, a half-written ".cert.pem.new")."""
    try:
        item_of(relative)
    except BackupError:
        return False
    return True


def _write_archive(places, snapshot, out_path, *, passphrase, recordings, firmware) -> None:
    files = []
    with tarfile.open(out_path, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for relative, path in _sources(places, snapshot, recordings):
            digest, size = hashlib.sha256(), 0
            with path.open("rb") as source:
                info = archive.gettarinfo(fileobj=source, arcname=f"data/{relative}")
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                archive.addfile(info, _Hashing(source, digest, info.size))
                size = info.size
            files.append({"path": relative, "size": size, "sha256": digest.hexdigest()})
        salt = secrets.token_bytes(16)
        manifest = json.dumps(
            {
                "format": FORMAT,
                "version": VERSION,
                "created": int(time.time()),
                "firmware": firmware,
                "salt": salt.hex(),
                "items": [*ITEMS, *((RECORDINGS,) if recordings else ())],
                "files": files,
            },
            indent=1,
        ).encode()
        signature = hmac.new(derive_key(passphrase, salt), manifest, hashlib.sha256).hexdigest()
        for name, content in (("manifest.json", manifest), ("manifest.hmac", signature.encode())):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(content), 0o600, int(time.time())
            archive.addfile(info, _BytesReader(content))


class _Hashing:
    """Reads a file for tarfile, hashing exactly the bytes that go into the archive."""

    def __init__(self, source, digest, size: int) -> None:
        self._source, self._digest, self._left = source, digest, size

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        chunk = self._source.read(size)
        chunk += b"\0" * (size - len(chunk))  # a file that shrank meanwhile: keep tar's framing
        self._left -= len(chunk)
        self._digest.update(chunk)
        return chunk


class _BytesReader:
    def __init__(self, content: bytes) -> None:
        self._content, self._at = content, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._content) if size < 0 else self._at + size
        chunk, self._at = self._content[self._at : end], end
        return chunk


def stage_restore(
    archive_path: Path, passphrase: str, data_dir: Path, limit_bytes: int = 1 << 40
) -> dict:
    """Check an uploaded archive and stage it for the next start; its manifest, or BackupError.

    Nothing outside the staging directory is touched; on any problem it is removed. What it
    unpacks to is bounded by `limit_bytes` too (a small archive may inflate to a full disk).
    """
    check_passphrase(passphrase)
    staging = data_dir / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    (data_dir / READY).unlink(missing_ok=True)
    try:
        manifest = _unpack_and_verify(archive_path, passphrase, staging, limit_bytes)
        write_atomically(data_dir / READY, json.dumps({"items": manifest["items"]}).encode())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _unpack_and_verify(archive_path: Path, passphrase: str, staging: Path, limit: int) -> dict:
    unpacked: dict[str, tuple[int, str]] = {}
    signed: dict[str, bytes] = {}
    try:
        with tarfile.open(archive_path, "r|gz") as archive:
            total = 0
            for member in archive:
                total += member.size
                if total > limit:
                    raise BackupError(f"the backup unpacks to more than {limit >> 20} MiB")
                _take(archive, member, staging, unpacked, signed)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as err:
        raise BackupError(f"the file is damaged or not a Callbox backup ({err})") from None
    if set(signed) != {"manifest.json", "manifest.hmac"}:
        raise BackupError("the file is not a Callbox backup (it has no signed manifest)")
    manifest = _parse_manifest(signed["manifest.json"])
    key = derive_key(passphrase, bytes.fromhex(manifest["salt"]))
    expected = hmac.new(key, signed["manifest.json"], hashlib.sha256).hexdigest().encode()
    if not hmac.compare_digest(expected, signed["manifest.hmac"].strip()):
        raise BackupError("wrong passphrase, or the backup was changed after it was made")
    listed = {f["path"]: (f["size"], f["sha256"]) for f in manifest["files"]}
    if listed != unpacked:
        raise BackupError("the backup's files do not match its signed manifest")
    _check_database(staging / "callbox.db")
    for item in set(manifest["items"]) - set(FILE_ITEMS):  # empty still replaces the box's
        (staging / item).mkdir(parents=True, exist_ok=True)
    return manifest


def _take(archive, member, staging: Path, unpacked: dict, signed: dict) -> None:
    if not member.isreg():
        raise BackupError(f"the archive holds something other than files: {member.name[:80]!r}")
    if member.name in ("manifest.json", "manifest.hmac"):
        if member.name in signed or member.size > _MAX_MANIFEST_BYTES:
            raise BackupError("the backup's manifest is repeated or too large")
        signed[member.name] = archive.extractfile(member).read()
        return
    relative = member.name.removeprefix("data/")
    if signed:
        raise BackupError("the backup has files after its manifest")
    if relative == member.name or relative in unpacked:
        raise BackupError(f"the archive holds a file a backup never has: {member.name[:80]!r}")
    item_of(relative)
    target = staging.joinpath(*relative.split("/"))  # checked parts only: no "..", no "/"
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, source = hashlib.sha256(), archive.extractfile(member)
    with target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    unpacked[relative] = (member.size, digest.hexdigest())


def _parse_manifest(raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise BackupError("the backup's manifest is not readable") from None
    fields = {"format", "version", "created", "firmware", "salt", "items", "files"}
    if not isinstance(manifest, dict) or set(manifest) != fields:
        raise BackupError("the backup's manifest is not one this box reads")
    if manifest["format"] != FORMAT or manifest["version"] != VERSION:
        raise BackupError(f"not a version-{VERSION} Callbox backup")
    if not (isinstance(manifest["salt"], str) and re.fullmatch(r"[0-9a-f]{32}", manifest["salt"])):
        raise BackupError("the backup's manifest is not one this box reads")
    items = manifest["items"]
    if not isinstance(items, list) or not set(ITEMS) <= set(items) <= {*ITEMS, RECORDINGS}:
        raise BackupError("the backup's manifest names items this box does not know")
    files = manifest["files"]
    if not isinstance(files, list) or not all(_file_entry(f) for f in files):
        raise BackupError("the backup's file list is not one this box reads")
    return manifest


def _file_entry(entry: object) -> bool:
    return (
        isinstance(entry, dict)
        and set(entry) == {"path", "size", "sha256"}
        and isinstance(entry["path"], str)
        and isinstance(entry["size"], int)
        and isinstance(entry["sha256"], str)
    )


def _check_database(path: Path) -> None:
    """The staged database must be an intact SQLite file."""
    if not path.is_file():
        raise BackupError("the backup holds no database")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            result = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        result = None
    if result != ("ok",):
        raise BackupError("the backup's database is damaged")


def swap_in(places: BackupPlaces) -> list[str]:
    """At start, before anything opens: replace each staged item; the items done.

    The READY file lists the items left, rewritten after each one, so a power cut
    part-way resumes where it stopped instead of removing what was swapped in.
    """
    ready = places.data_dir / READY
    staging = places.data_dir / STAGING
    if not ready.exists():
        shutil.rmtree(staging, ignore_errors=True)  # an upload the box never finished checking
        return []
    items = json.loads(ready.read_text(encoding="utf-8"))["items"]
    done = []
    while items:
        item = items[0]
        live, staged = places.live(item), staging / item
        if staged.exists():  # else it was swapped in before a power cut
            _remove(live)
            if item == "callbox.db":
                for suffix in ("-wal", "-shm"):
                    live.with_name(live.name + suffix).unlink(missing_ok=True)
            live.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(staged, live)
        done.append(items.pop(0))
        write_atomically(ready, json.dumps({"items": items}).encode())
    ready.unlink()
    shutil.rmtree(staging, ignore_errors=True)
    return done


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
