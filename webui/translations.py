"""The panel's words in each language: every string the UI shows goes through here.

English is the source: its text is the key. Each other language has a folder
`webui/lang/<language>/` of JSON files, one per area of the panel (so pages
written side by side do not share a file), each mapping English text to the
translation; they are read once at import. A language lacking a string shows
the English one. Arabic and Persian pages are laid out right to left.
"""

import json
from pathlib import Path

RIGHT_TO_LEFT = frozenset({"ar", "fa"})
LANGUAGES = ("en", "ar", "fa")
LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "fa": "فارسی"}  # each in its own words
LANG_DIR = Path(__file__).with_name("lang")


def load_table(language: str) -> dict[str, str]:
    """English text -> translation, from every file in `webui/lang/<language>/`."""
    table: dict[str, str] = {}
    folder = LANG_DIR / language
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            table.update(json.loads(path.read_text(encoding="utf-8")))
    return table


def negotiate(asked: str, accept_language: str, default: str) -> str:
    """The language for someone not signed in: `asked` (?lang=) if the panel has it, else
    the first of the browser's Accept-Language it has (by weight), else `default`."""
    if asked in LANGUAGES:
        return asked
    weighted = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        weighted.append((-weight, position, tag.strip().lower().split("-")[0]))
    for weight, _, language in sorted(weighted):
        if weight < 0 and language in LANGUAGES:
            return language
    return default


TABLE: dict[str, dict[str, str]] = {language: load_table(language) for language in LANGUAGES}


class Translator:
    """Translates the panel's strings into one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in TABLE else "en"
        self._strings = TABLE[self.language]

    @property
    def direction(self) -> str:
        """The page's writing direction, for `dir=` on <html>."""
        return "rtl" if self.language in RIGHT_TO_LEFT else "ltr"

    def __call__(self, text: str, **values: object) -> str:
        """`text` in this language, with `{name}` fields filled from `values`."""
        translated = self._strings.get(text, text)
        return translated.format(**values) if values else translated
