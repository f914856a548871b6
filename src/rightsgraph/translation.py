"""Messages in English and Chinese from the gettext catalogues (src/rightsgraph/locale).

The same catalogues serve the web pages (Flask-Babel, web/i18n.py) and the command line
(here, through Babel's `Translations`). Message ids are the English text; placeholders are
`%(name)s` (python-format), filled after translation so a translator may move them.

The command line's language is `--lang`, else the environment (RIGHTSGRAPH_LANG, LC_ALL,
LC_MESSAGES, LANG); `set_lang` fixes it once the command line is read. Code that answers in
both languages at once (JSON, reports kept for later) uses `both`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "zh")
DOMAIN = "messages"
CATALOGUES = Path(__file__).resolve().parent / "locale"

_lang: str | None = None   # the command line's language, once known


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of `lang` (loaded once); English falls back to the msgid."""
    return Translations.load(str(CATALOGUES), [lang], domain=DOMAIN)


def env_lang() -> str:
    """The language the environment asks for: RIGHTSGRAPH_LANG, else the POSIX locale
    variables in their order of precedence (LC_ALL, LC_MESSAGES, LANG)."""
    for name in ("RIGHTSGRAPH_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def lang_in_args(args: list[str] | None) -> str | None:
    """The `--lang` on a command line not parsed yet (`--help` is eager: it renders before
    click has read --lang)."""
    args = list(args or [])
    for i, a in enumerate(args):
        if a == "--":
            break
        value = a.split("=", 1)[1] if a.startswith("--lang=") else (
            args[i + 1] if a == "--lang" and i + 1 < len(args) else None)
        if value in LANGUAGES:
            return value
    return None


def set_lang(lang: str | None) -> None:
    global _lang
    _lang = lang if lang in LANGUAGES else None


def current_lang() -> str:
    """The command line's language: the one set, else the environment's."""
    return _lang or env_lang()


def gettext(msgid: str, lang: str | None = None, **fmt) -> str:
    """`msgid` in `lang` (default: the current language), its %(name)s placeholders filled."""
    text = translations(lang or current_lang()).ugettext(msgid)
    return text % fmt if fmt else text


def ngettext(singular: str, plural: str, n: int, lang: str | None = None, **fmt) -> str:
    text = translations(lang or current_lang()).ungettext(singular, plural, n)
    return text % fmt if fmt else text


def pgettext(context: str, msgid: str, lang: str | None = None) -> str:
    """`msgid` as meant in `context` (a word with several translations: a stage, a status)."""
    return translations(lang or current_lang()).upgettext(context, msgid)


def both(msgid: str, **fmt) -> dict[str, str]:
    """{"en": ..., "zh": ...}: `msgid` in every language, for answers that carry both."""
    return {lang: gettext(msgid, lang, **fmt) for lang in LANGUAGES}


_ = gettext

__all__ = ["LANGUAGES", "CATALOGUES", "translations", "env_lang", "lang_in_args", "set_lang",
           "current_lang", "gettext", "ngettext", "pgettext", "both", "_"]
