"""Every string the panel shows has an Arabic and a Persian translation, with the same {fields}.

The strings are found by reading the sources: each `_("...")` literal in webui/templates,
each `self.translate("...")` literal in webui/*.py, the menu's labels and the permission
matrix's texts. Translations are read from every JSON file under webui/lang/<language>/
(each area of the panel has its own file), as the panel itself reads them.
"""

import json
import re
import string
from pathlib import Path

import pytest

from tests.web_box import web_box
from webui.navigation import menu_labels
from webui.permission_matrix import PERMISSION_TEXT
from webui.routes import ROUTES
from webui.translations import LANG_DIR, RIGHT_TO_LEFT, TABLE, Translator

WEBUI = Path(__file__).parent.parent / "webui"
_LITERAL = r"""\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
_IN_TEMPLATES = re.compile(r"(?<![\w.])_" + _LITERAL)
_IN_PYTHON = re.compile(r"self\.translate" + _LITERAL)


def _unescape(text: str) -> str:
    return (
        text.encode().decode("unicode_escape").encode("latin-1").decode() if "\\" in text else text
    )


def strings_of(path: Path) -> set[str]:
    """The English strings `path` hands to the translator as literals."""
    if path.name == "navigation.py":
        return menu_labels()
    if path.name == "permission_matrix.py":
        return set(PERMISSION_TEXT.values())
    pattern = _IN_TEMPLATES if path.suffix == ".html" else _IN_PYTHON
    return {
        _unescape(m[1] if m[1] is not None else m[2]) for m in pattern.finditer(path.read_text())
    }


SOURCES = sorted([*WEBUI.glob("templates/*.html"), *WEBUI.glob("*.py")], key=lambda p: p.name)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("source", SOURCES, ids=[p.name for p in SOURCES])
@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_every_string_has_a_translation_with_the_same_fields(source, language):
    missing, wrong_fields = [], []
    for text in sorted(strings_of(source)):
        translated = TABLE[language].get(text)
        if not translated:
            missing.append(text)
        elif _fields(translated) != _fields(text):
            wrong_fields.append((text, translated))
    assert wrong_fields == [], f"{language}: {{fields}} differ in {source.name}"
    assert missing == [], f"no {language} translation in webui/lang/{language}/ for {missing}"


def test_the_scan_finds_the_strings_of_the_pages():
    assert "Sign in" in strings_of(WEBUI / "templates" / "login.html")
    assert "The passwords differ." in strings_of(WEBUI / "session_pages.py")
    assert "Delete extension {number}?" in strings_of(WEBUI / "templates" / "extension.html")
    assert len(set().union(*(strings_of(p) for p in SOURCES))) > 100


def test_every_language_file_is_an_object_of_texts_keeping_their_fields():
    files = sorted(LANG_DIR.glob("*/*.json"))
    assert {p.parent.name for p in files} >= {"ar", "fa"}
    for path in files:
        table = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(table, dict), path
        for english, translated in table.items():
            assert isinstance(translated, str), (path, english)
            assert translated.strip(), (path, english)
            assert _fields(translated) == _fields(english), (path, english)


def test_a_translation_fills_its_fields_and_arabic_and_persian_run_right_to_left():
    arabic = Translator("ar")
    assert arabic.direction == "rtl"
    assert Translator("fa").direction == "rtl"
    assert Translator("en").direction == "ltr"
    assert arabic("Extension {number}", number="1001") == "التحويلة 1001"
    assert Translator("xx")("Sign in") == "Sign in"  # an unknown language: English


@pytest.mark.asyncio
@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
async def test_every_page_an_admin_opens_is_wholly_translated(tmp_path, monkeypatch, language):
    """Strings handed to the translator at run time (labels from tables, choices, help texts),
    which the scan of literals above cannot see: every list page opened in `language` asks
    for none that lack a translation. (Messages the box's services word, such as "no trunk
    main", are shown as they come.)"""
    asked: set[str] = set()
    original = Translator.__call__

    def noting(self, text, **values):
        if self.language == language and text not in TABLE[language]:
            asked.add(text)
        return original(self, text, **values)

    monkeypatch.setattr(Translator, "__call__", noting)
    async with web_box(tmp_path) as box:
        admin = await box.signed_in("admin", "admin")
        status, _ = await admin.api("/api/account", "PUT", {"language": language})
        assert status == 200
        statuses: dict[str, int] = {}
        pages = [
            r.pattern
            for r in ROUTES
            if "GET" in r.permissions and not r.handler.api_style and "(" not in r.pattern
        ]
        for page in pages:
            if not page.startswith(("/static/", "/ws/", "/.well-known/")):
                statuses[page] = (await admin.get(page)).code
    assert {page: status for page, status in statuses.items() if status == 500} == {}
    assert sorted(asked) == []


@pytest.mark.parametrize("language", sorted(RIGHT_TO_LEFT))
def test_each_string_is_translated_in_one_file_only(language):
    """A word several pages show ("Queue", "Agent") has one translation: it lives in
    core.json, so two areas cannot call the same thing by two names."""
    files: dict[str, list[str]] = {}
    for path in sorted((LANG_DIR / language).glob("*.json")):
        for english in json.loads(path.read_text(encoding="utf-8")):
            files.setdefault(english, []).append(path.name)
    assert {text: names for text, names in files.items() if len(names) > 1} == {}
