"""The web pages' gettext catalogues and language choice (src/rightsgraph/web/i18n.py)."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from rightsgraph.web.catalogues import compiled, extract, po_path
from rightsgraph.web.i18n import COOKIE, LANGUAGES


def _catalogue(lang):
    with open(po_path(lang), "rb") as f:
        return read_po(f, locale=lang)


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_has_a_translation(lang):
    catalogue = _catalogue(lang)
    empty = [m.id for m in catalogue if m.id and not all(s and s.strip() for s in _strings(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not empty, f"{lang}: untranslated: {empty}"
    assert not fuzzy, f"{lang}: fuzzy (unreviewed) translations: {fuzzy}"


def test_the_chinese_catalogue_is_chinese():
    """A msgstr copied from English is not a translation: every Chinese message that has
    letters holds at least one CJK character, unless it is a name (SPARQL, JSON)."""
    names = {"SPARQL", "PERMIT", "DENY"}
    latin_only = [m.id for m in _catalogue("zh") if m.id and m.id not in names
                  and not any("\u4e00" <= ch <= "\u9fff" for s in _strings(m) for ch in s)]
    assert not latin_only, latin_only


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_of_the_code_is_in_the_catalogues(lang):
    ids = {m.id for m in _catalogue(lang) if m.id}
    missing = [m.id for m in extract() if m.id and m.id not in ids]
    assert not missing, f"run `python dev.py catalogues` and translate: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_is_the_compiled_po(lang):
    mo = po_path(lang).with_suffix(".mo")
    assert mo.read_bytes() == compiled(po_path(lang)), "run `python dev.py catalogues`"


@pytest.fixture
def client(store):
    from rightsgraph.web.app import create_app
    return create_app(store).test_client()


def test_english_without_a_choice(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Named graphs" in page and "命名图" not in page


def test_accept_language_chooses_chinese(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in page and "命名图" in page and "Named graphs" not in page


def test_the_switch_wins_over_accept_language_and_is_remembered(client):
    first = client.get("/licences?lang=zh", headers={"Accept-Language": "en"})
    assert "许可协议" in first.get_data(as_text=True)
    assert f"{COOKIE}=zh" in first.headers["Set-Cookie"]
    again = client.get("/search", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "查找资源" in again                       # the cookie, not Accept-Language
    back = client.get("/search?lang=en").get_data(as_text=True)
    assert "Find a title" in back and "查找资源" not in back


def test_an_unknown_language_is_ignored(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "zh"})
    assert "Set-Cookie" not in page.headers and "命名图" in page.get_data(as_text=True)


def test_the_language_links_keep_the_page_and_its_parameters(client):
    page = client.get("/licences/compare?l=urn:x:a&l=urn:x:b")
    assert page.status_code == 404           # no such licences; the page still has the switch
    assert 'href="/licences/compare?l=urn%3Ax%3Aa&amp;l=urn%3Ax%3Ab&amp;lang=zh"' in page.get_data(as_text=True)


def test_a_malformed_iri_is_refused_naming_the_parameter_in_the_callers_language(client):
    en = client.get("/licence?iri=not an iri")
    assert en.status_code == 400 and "Parameter iri is not an absolute IRI" in en.get_data(as_text=True)
    zh = client.get("/resource?iri=&lang=zh")
    assert zh.status_code == 400 and "缺少参数 iri" in zh.get_data(as_text=True)
