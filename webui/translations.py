"""The panel's words in each language: every string the UI shows goes through here.

English is the source: its text is the key. A language lacking a string shows
the English one. Arabic and Persian pages are laid out right to left.
"""

RIGHT_TO_LEFT = frozenset({"ar", "fa"})
LANGUAGES = ("en", "ar", "fa")

# Language -> English text -> translation. Only English exists yet; the tables
# are here so that every page is written for them from the start.
TABLE: dict[str, dict[str, str]] = {"en": {}, "ar": {}, "fa": {}}


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
