"""The web pages' language: gettext catalogues (src/rightsgraph/locale) through Flask-Babel.

The language is, in order: `?lang=zh|en` (remembered in a cookie), the cookie, the browser's
Accept-Language, English. Texts that live in the data (titles, term labels, explanations)
come as {"en": ..., "zh": ...} dicts and are picked with `pick`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g, request
from flask_babel import Babel, get_locale

LANGUAGES = ("en", "zh")
COOKIE = "rg_lang"
CATALOGUES = Path(__file__).resolve().parents[1] / "locale"


def select_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        g.set_lang_cookie = asked
        return asked
    remembered = request.cookies.get(COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or "en"


def lang() -> str:
    """The current request's language code ("en" or "zh"), looked up once per request: long
    tables call `pick` for every cell."""
    chosen = g.get("rg_lang")
    if chosen is None:
        chosen = g.rg_lang = str(get_locale() or "en")[:2]
    return chosen


def pick(texts, fallback: str = "") -> str:
    """The text in the page's language from {"en": ..., "zh": ...}, else the other one."""
    if not isinstance(texts, dict):
        return texts if texts else fallback
    here = lang()
    return texts.get(here) or next((v for k, v in texts.items() if v), fallback)


def lang_url(code: str) -> str:
    """This page's URL in language `code` (every other query parameter kept, repeated ones too)."""
    from urllib.parse import urlencode
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return request.path + "?" + urlencode(args)


def install(app: Flask) -> None:
    Babel(app, locale_selector=select_language, default_translation_directories=str(CATALOGUES))
    app.jinja_env.globals.update(pick=pick, page_lang=lang, lang_url=lang_url, languages=LANGUAGES)

    @app.after_request
    def remember_language(resp):
        chosen = g.get("set_lang_cookie")
        if chosen:
            resp.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return resp
