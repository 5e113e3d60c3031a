"""Text spoken by espeak-ng, in the engine's format, cached by voice and text."""

import asyncio
import hashlib
import logging
import re
import subprocess
import tempfile
from pathlib import Path

from pbx import PbxError
from pbx.transcoder import Transcoder

logger = logging.getLogger(__name__)

MAX_TEXT_CHARACTERS = 2000
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class SpeechError(PbxError):
    """Text cannot be spoken; the text says why."""


def _espeak_voices() -> set[str]:
    """The language codes espeak-ng has voices for ("en", "en-us", "fa" ...)."""
    try:
        listing = subprocess.run(
            ["espeak-ng", "--voices"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError) as err:
        logger.error("espeak-ng is not usable: %s", err)
        return set()
    return {line.split()[1].lower() for line in listing.splitlines()[1:] if len(line.split()) > 1}


class SpeechSynth:
    """Speaks text with espeak-ng, converted like an upload, into a cache directory.

    A file is named by a hash of the voice and text, so the same words are
    synthesised once and the name never comes from the text itself. The text
    reaches espeak-ng on its standard input, never as an argument.
    """

    def __init__(self, transcoder: Transcoder, cache_dir: Path) -> None:
        self._transcoder = transcoder
        self._cache_dir = cache_dir
        self._voices = _espeak_voices()  # once, at start: the list does not change

    def voice(self, language: str) -> str | None:
        """espeak-ng's voice for `language` ("fr-ca" falls back to "fr"), or None."""
        if not _LANGUAGE.fullmatch(language):
            return None
        for candidate in (language, language.split("-", 1)[0]):
            # espeak-ng takes a bare language ("en", "fr") for its voices of it (en-gb ...).
            if any(v == candidate or v.startswith(candidate + "-") for v in self._voices):
                return candidate
        return None

    async def speak(self, text: str, language: str) -> Path:
        """The WAV file of `text` spoken in `language`; SpeechError if it cannot be."""
        text = " ".join(text.split())
        if not text or len(text) > MAX_TEXT_CHARACTERS:
            raise SpeechError(f"text to speak must be 1 to {MAX_TEXT_CHARACTERS} characters")
        voice = self.voice(language)
        if voice is None:
            raise SpeechError(f"espeak-ng has no voice for the language {language!r}")
        key = hashlib.sha256(f"{voice}\0{self._transcoder.rate_hz}\0{text}".encode()).hexdigest()
        path = self._cache_dir / f"{key[:32]}.wav"
        if not path.exists():
            await self._synthesise(text, voice, path)
        return path

    async def _synthesise(self, text: str, voice: str, path: Path) -> None:
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._cache_dir) as scratch:
            raw = Path(scratch) / "speech.wav"
            process = await asyncio.create_subprocess_exec(
                "nice", "-n", "10", "espeak-ng", "-v", voice, "-w", str(raw), "--stdin",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            _, errors = await process.communicate(text.encode())
            if process.returncode or not raw.exists():
                raise SpeechError(f"espeak-ng failed: {errors.decode(errors='replace').strip()}")
            await self._transcoder.convert(raw.read_bytes(), path)
        logger.info("spoke %d characters in %s", len(text), voice)
