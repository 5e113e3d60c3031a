"""Music-on-hold classes: named sets of music, played in order or shuffled, and their uploads."""

import contextlib
import logging
import random
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pbx.catalog import Catalog, SettingError, check_name, doc
from pbx.moh import DEFAULT_CLASS, MusicOnHold
from pbx.transcoder import Transcoder

logger = logging.getLogger(__name__)

ORDERS = ("ordered", "shuffled")
MAX_FILES_PER_CLASS = 100
_STORED_FILE = re.compile(r"^[0-9a-f]{32}\.wav$")  # the names the box gives uploads
_TITLE_CHARACTERS = 64


def clean_title(title: str) -> str:
    """A title fit to show and sort by: printable, one line, no folders, 64 characters."""
    base = title.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", base)  # the uploaded file's extension
    text = "".join(c for c in base if c.isprintable()).strip()
    return text[:_TITLE_CHARACTERS] or "untitled"


@dataclass(frozen=True)
class MusicClass:
    """A class of music: `files` maps each stored file (named by the box) to its title.

    "ordered" plays the files by title (name them "01 ...", "02 ..." to choose the
    order); "shuffled" plays them in a random order, drawn anew each time the
    class's player is made (on first use, and after each change).
    """

    name: str
    order: str = field(default="ordered", metadata=doc("ordered (by title) or shuffled"))
    files: dict[str, str] = field(default_factory=dict, metadata=doc("stored file -> title"))

    def check(self) -> "MusicClass":
        """The class itself if it is sound; SettingError naming what is not."""
        check_name("music class", self.name)
        if self.order not in ORDERS:
            raise SettingError(f"order must be one of {', '.join(ORDERS)}")
        if any(not _STORED_FILE.fullmatch(file) for file in self.files):
            raise SettingError("a class's files are named by the box only")
        if len(self.files) > MAX_FILES_PER_CLASS:
            raise SettingError(f"a class holds at most {MAX_FILES_PER_CLASS} files")
        return self


class MusicLibrary:
    """The music classes: what each plays, and uploads converted like prompts.

    The default class always exists: the WAV files of `default_dir` (Debian's
    asterisk-moh-opsound-wav) plus any uploaded to it. Each change reaches
    callers listening at once, through MusicOnHold.refresh.
    """

    def __init__(
        self,
        catalog: Catalog[MusicClass],
        music_dir: Path,
        default_dir: Path,
        transcoder: Transcoder,
        *,
        shuffle: random.Random | None = None,
    ) -> None:
        self._catalog = catalog
        self._dir = music_dir
        self._default_dir = default_dir
        self._transcoder = transcoder
        self._random = shuffle or random.Random()
        self.moh: MusicOnHold | None = None  # told of every change

    async def load(self) -> None:
        """Read the stored objects (at start)."""
        await self._catalog.load()

    def classes(self) -> list[MusicClass]:
        """Every class, the default one included, by name."""
        found = {c.name: c for c in self._catalog.items()}
        found.setdefault(DEFAULT_CLASS, MusicClass(DEFAULT_CLASS))
        return [found[name] for name in sorted(found)]

    def get(self, name: str) -> MusicClass:
        """One class; SettingError if there is none."""
        if name == DEFAULT_CLASS and name not in self._catalog:
            return MusicClass(DEFAULT_CLASS)
        return self._catalog.get(name)

    def playlist(self, name: str) -> list[str]:
        """The files of class `name` in the order to play them; [] if it does not exist."""
        try:
            music = self.get(name)
        except SettingError:
            return []
        titled = sorted((title, str(self._dir / file)) for file, title in music.files.items())
        if name == DEFAULT_CLASS:
            titled += sorted((p.stem, str(p)) for p in self._default_dir.glob("*.wav"))
            titled.sort()
        paths = [path for _, path in titled]
        if music.order == "shuffled":
            self._random.shuffle(paths)
        return paths

    def tracks(self, name: str) -> list[tuple[str, str, bool]]:
        """Class `name`'s files as (file id, title, uploaded), by title; the default
        class's Debian music has its file name as id and cannot be removed."""
        music = self.get(name)
        found = [(file, title, True) for file, title in music.files.items()]
        if name == DEFAULT_CLASS:
            found += [(p.name, p.stem, False) for p in self._default_dir.glob("*.wav")]
        return sorted(found, key=lambda track: (track[1], track[0]))

    def track_path(self, name: str, file: str) -> Path:
        """The file of track `file` of class `name`, found in the class's own list
        (never built from `file` unchecked); SettingError if the class has no such file."""
        for known, _, uploaded in self.tracks(name):
            if known == file:
                return (self._dir if uploaded else self._default_dir) / known
        raise SettingError(f"class {name} has no file {file!r}")

    async def set_class(self, name: str, order: str = "ordered") -> MusicClass:
        """Create class `name`, or change its order."""
        known = name == DEFAULT_CLASS or name in self._catalog
        music = MusicClass(name, order, self.get(name).files if known else {})
        await self._catalog.put(music)
        await self._changed(name)
        return music

    async def upload(self, name: str, title: str, data: bytes) -> tuple[MusicClass, str]:
        """Convert `data` and add it to class `name`; returns the class and the stored file.

        AudioError if it cannot be used; nothing changes then.
        """
        music = self.get(name)
        file = f"{uuid.uuid4().hex}.wav"
        await self._transcoder.convert(data, self._dir / file)
        try:
            music = MusicClass(name, music.order, {**music.files, file: clean_title(title)})
            await self._catalog.put(music)
        except BaseException:
            (self._dir / file).unlink(missing_ok=True)
            raise
        await self._changed(name)
        return music, file

    async def remove_file(self, name: str, file: str) -> MusicClass:
        """Take a stored file (as `upload` named it) out of class `name`."""
        music = self.get(name)
        if file not in music.files:
            raise SettingError(f"class {name} has no file {file!r}")
        music = MusicClass(name, music.order, {k: v for k, v in music.files.items() if k != file})
        await self._catalog.put(music)
        await self._changed(name)
        self._remove([file])
        return music

    async def delete_class(self, name: str) -> None:
        """Remove class `name` and its files (the default class keeps Debian's music)."""
        music = self.get(name)
        if name in self._catalog:
            await self._catalog.delete(name)
        await self._changed(name)
        self._remove(music.files)

    async def _changed(self, name: str) -> None:
        if self.moh is not None:
            await self.moh.refresh(name)

    def _remove(self, files: Iterable[str]) -> None:
        for file in files:
            with contextlib.suppress(OSError):
                (self._dir / file).unlink()
