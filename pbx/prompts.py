"""The prompt library: recorded, uploaded and typed prompts found by name and language."""

import contextlib
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pbx.catalog import Catalog, SettingError, check_name, doc
from pbx.speech import SpeechError, SpeechSynth
from pbx.spoken_numbers import (
    base_language,
    duration_prompts,
    duration_text,
    number_prompts,
    number_text,
)
from pbx.transcoder import AudioError, Transcoder

logger = logging.getLogger(__name__)

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
_STORED_FILE = re.compile(r"^[0-9a-f]{32}\.wav$")  # the names the box gives uploads
MAX_TEXT_CHARACTERS = 2000


def check_language(language: str) -> str:
    """`language` if it is a code like "en" or "fr-ca"; SettingError otherwise."""
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise SettingError(f'language must be a code like "en" or "fr-ca", not {language!r}')
    return language


@dataclass(frozen=True)
class Prompt:
    """A prompt of the box's own, per language: a recording (uploaded, converted and
    stored under a name the box chose) or text espeak-ng speaks."""

    name: str
    files: dict[str, str] = field(default_factory=dict, metadata=doc("language -> recording"))
    texts: dict[str, str] = field(default_factory=dict, metadata=doc("language -> text"))

    def check(self) -> "Prompt":
        """The prompt itself if it is sound; SettingError naming what is not."""
        check_name("prompt", self.name)
        for language in (*self.files, *self.texts):
            check_language(language)
        if any(not _STORED_FILE.fullmatch(file) for file in self.files.values()):
            raise SettingError("a prompt's recordings are named by the box only")
        if any(not 0 < len(text) <= MAX_TEXT_CHARACTERS for text in self.texts.values()):
            raise SettingError(f"a prompt's text is 1 to {MAX_TEXT_CHARACTERS} characters")
        return self


def index_sounds(sounds_dir: Path) -> dict[str, dict[str, Path]]:
    """Debian's recorded sets by language: {"fr-ca": {"digits/5": path, ...}, "fr": ...}.

    A set's folder is named language_REGION_gender_voice ("fr_CA_f_June"); its
    prompts are named by their path inside it, without ".wav". The first voice
    found for a language is used.
    """
    sets: dict[str, dict[str, Path]] = {}
    for folder in sorted(sounds_dir.iterdir()) if sounds_dir.is_dir() else ():
        parts = folder.name.lower().split("_")
        if not folder.is_dir() or not _LANGUAGE.fullmatch(parts[0]):
            continue
        names = {p.relative_to(folder).with_suffix("").as_posix(): p for p in folder.rglob("*.wav")}
        for language in {parts[0], "-".join(parts[:2])}:
            sets.setdefault(language, names)
    return sets


class PromptLibrary:
    """Finds a prompt by name in a language, falling back to the box's language, then
    English; the box's own prompts come before the recorded sets of the same name.

    Callers look prompts up by name only: a name is a key into the index of
    recorded sets or into the box's prompts, never part of a path.
    """

    def __init__(
        self,
        catalog: Catalog[Prompt],
        *,
        sounds_dir: Path,
        prompts_dir: Path,
        speech: SpeechSynth,
        transcoder: Transcoder,
        language: str,
    ) -> None:
        self._catalog = catalog
        self._recorded = index_sounds(sounds_dir)
        self._dir = prompts_dir
        self._speech = speech
        self._transcoder = transcoder
        self.language = language  # the box's language
        logger.info("recorded prompts in %s", ", ".join(sorted(self._recorded)) or "no language")

    async def load(self) -> None:
        """Read the stored objects (at start)."""
        await self._catalog.load()

    def _chain(self, language: str) -> list[str]:
        """Languages to try for a prompt wanted in `language`, best first."""
        wanted = [language, base_language(language), self.language, base_language(self.language)]
        return list(dict.fromkeys([*wanted, "en"]))

    def recorded_languages(self) -> list[str]:
        """Languages with a recorded set installed."""
        return sorted(self._recorded)

    def exists(self, name: str) -> bool:
        """Whether a prompt of this name exists in any language."""
        return name in self._catalog or any(name in names for names in self._recorded.values())

    async def find(self, name: str, language: str = "") -> Path | None:
        """The file of prompt `name` in `language` or the nearest fallback, or None."""
        chain = self._chain(language or self.language)
        if name in self._catalog:
            prompt = self._catalog.get(name)
            for candidate in chain:
                if candidate in prompt.files:
                    return self._dir / prompt.files[candidate]
                if candidate in prompt.texts and (
                    spoken := await self._spoken(prompt.texts[candidate], candidate)
                ):
                    return spoken
        for candidate in chain:
            if path := self._recorded.get(candidate, {}).get(name):
                return path
        return None

    async def files(self, names: tuple[str, ...] | list[str], language: str = "") -> list[str]:
        """The files of `names` in order; a name found nowhere is left out, with a warning."""
        found = []
        for name in names:
            path = await self.find(name, language)
            if path is None:
                logger.warning("prompt %s not found (language %s)", name, language or "default")
            else:
                found.append(str(path))
        return found

    async def _spoken(self, text: str, language: str) -> Path | None:
        try:
            return await self._speech.speak(text, language)
        except (SpeechError, AudioError) as err:
            logger.warning("cannot speak a prompt: %s", err)
            return None

    def _recording_set(self, names: list[str] | None, language: str) -> list[str] | None:
        """Paths of `names` in `language`'s own recordings, or None if any is missing."""
        own = self._recorded.get(language) or self._recorded.get(base_language(language), {})
        paths = [own.get(name) for name in names or [None]]
        return None if None in paths else [str(p) for p in paths]

    async def say_number(self, n: int, language: str = "") -> list[str]:
        """A playlist (files in order) saying `n` in `language`: its recordings, else
        espeak-ng in that language, else the box's language."""
        language = language or self.language
        if recorded := self._recording_set(number_prompts(n, language), language):
            return recorded
        spoken = await self._spoken(number_text(n), language)
        if spoken is not None:
            return [str(spoken)]
        return self._recording_set(number_prompts(n, self.language), self.language) or []

    async def say_duration(self, seconds: int, language: str = "") -> list[str]:
        """A playlist saying `seconds` as minutes and seconds, found as say_number's."""
        language = language or self.language
        if recorded := self._recording_set(duration_prompts(seconds, language), language):
            return recorded
        text = duration_text(seconds, language)
        spoken = await self._spoken(text, language) if text else None
        if spoken is not None:
            return [str(spoken)]
        return self._recording_set(duration_prompts(seconds, self.language), self.language) or []

    # --- the box's own prompts ------------------------------------------------------

    def prompts(self) -> list[Prompt]:
        """The box's own prompts, by name."""
        return self._catalog.items()

    def recorded_counts(self) -> dict[str, int]:
        """How many prompts each installed recorded set holds, by language."""
        return {language: len(names) for language, names in sorted(self._recorded.items())}

    async def version_file(self, name: str, language: str) -> Path:
        """The file of the box's prompt `name` in exactly `language` (its recording, or
        its text spoken), found in the catalog; SettingError if it has no such version."""
        prompt = self._catalog.get(name) if name in self._catalog else Prompt(name)
        if language in prompt.files:
            return self._dir / prompt.files[language]
        if language in prompt.texts:
            try:
                return await self._speech.speak(prompt.texts[language], language)
            except (SpeechError, AudioError) as err:
                raise SettingError(str(err)) from None
        raise SettingError(f"prompt {name} has no {language} version")

    async def upload(self, name: str, language: str, data: bytes) -> Prompt:
        """Convert `data` (any common audio format) and make it prompt `name` in
        `language` ("": the box's).

        AudioError if it cannot be used; nothing changes then.
        """
        old, language = self._existing(name, language)
        file = f"{uuid.uuid4().hex}.wav"
        await self._transcoder.convert(data, self._dir / file)
        new = Prompt(name, {**old.files, language: file}, _without(old.texts, language))
        try:
            await self._store(old, new)
        except BaseException:
            (self._dir / file).unlink(missing_ok=True)
            raise
        return new

    async def set_text(self, name: str, language: str, text: str) -> Prompt:
        """Make prompt `name` in `language` the spoken `text` (checked by speaking it)."""
        old, language = self._existing(name, language)
        try:
            await self._speech.speak(text, language)
        except SpeechError as err:
            raise SettingError(str(err)) from None
        new = Prompt(name, _without(old.files, language), {**old.texts, language: text})
        await self._store(old, new)
        return new

    async def delete(self, name: str, language: str = "") -> None:
        """Remove prompt `name` in `language`, or in every language."""
        old = self._catalog.get(name)
        if language and language not in {**old.files, **old.texts}:
            raise SettingError(f"prompt {name} has no {language} version")
        new = Prompt(name, _without(old.files, language), _without(old.texts, language))
        if not language or not (new.files or new.texts):
            await self._catalog.delete(name)
            self._remove_files(old.files.values())
        else:
            await self._store(old, new)

    def _existing(self, name: str, language: str) -> tuple[Prompt, str]:
        """Prompt `name` as it is (empty if new) and the language meant ("": the box's)."""
        check_name("prompt", name)
        language = check_language(language or self.language)
        return self._catalog.get(name) if name in self._catalog else Prompt(name), language

    async def _store(self, old: Prompt, new: Prompt) -> None:
        await self._catalog.put(new)
        self._remove_files(f for f in old.files.values() if f not in new.files.values())

    def _remove_files(self, files: Iterable[str]) -> None:
        for file in files:
            with contextlib.suppress(OSError):
                (self._dir / file).unlink()


def _without(values: dict[str, str], language: str) -> dict[str, str]:
    """`values` but for `language` ("" takes every language out)."""
    return {k: v for k, v in values.items() if language and k != language}
