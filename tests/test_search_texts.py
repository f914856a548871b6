"""/search looks words up in texts held per store state (web/search_texts.py): after each
write the page finds what the store holds then, a reader never finds a title only a
confidential graph holds, and a write that named its graphs re-reads only those."""

from __future__ import annotations

import re

from rightsgraph.web import search_texts
from rightsgraph.web.search_texts import SearchTexts

from .test_home_summary_counts import EX, G, books, load, site  # noqa: F401 (the fixture)


def found(app, q: str, headers=None) -> set[str]:
    page = app.test_client().get("/search", query_string={"q": q}, headers=headers or {})
    assert page.status_code == 200
    return {EX + n for n in re.findall(re.escape(EX) + r"(book\d+)", page.get_data(as_text=True))}


def test_search_follows_every_write_and_hides_confidential_titles(site, monkeypatch):
    store, app, cataloguer, folder = site
    # book4 is only in the confidential graph c: a cataloguer finds it, a reader does not
    assert EX + "book4" in found(app, "book4", cataloguer)
    assert EX + "book4" not in found(app, "book4")
    assert found(app, "book book2") == {EX + "book2"}
    whole = []
    real = SearchTexts.from_store.__func__
    monkeypatch.setattr(SearchTexts, "from_store", classmethod(
        lambda cls, st, graphs=None, base=None: (whole.append(1) if graphs is None else None) or real(cls, st, graphs, base)))
    load(store, folder, "d", books("book7"))                       # a new graph
    assert found(app, "book7") == {EX + "book7"}
    load(store, folder, "a", books("book1"), replace=True)         # book2 gone
    assert found(app, "book2") == set()
    client = app.test_client()
    assert client.post("/sparql", data={"update": f'DELETE WHERE {{ GRAPH <{G}d> {{ ?s ?p ?o }} }}'},
                       headers=cataloguer).status_code in (200, 204)
    assert found(app, "book7") == set()
    assert whole == [], "a write that named its graphs made the search read every text again"


def test_a_word_is_found_as_a_substring_of_the_lower_cased_text_as_contains_would():
    texts = SearchTexts({"g": [("urn:a", "book one", False, True), ("urn:b", "1157-3570", True, False),
                               ("urn:c", "奥尔德盖特科技期刊", False, True)]})
    assert texts.matches("ok o", False) == {("urn:a", "g")}
    assert texts.matches("11573570", True) == {("urn:b", "g")}
    assert texts.matches("11573570", False) == set()                 # identifiers only for identifier-like words
    assert texts.matches("盖特", False) == {("urn:c", "g")}
    assert texts.matches("one\x00", False) == set() and texts.matches("e1157", True) == set()   # not across texts
