"""store/plain_rows.py: solutions read from the engine's TSV are the values the terms give,
whatever the literal holds (escapes, quotes, language tags, datatypes, short numbers), with
None for an unbound variable: the reports read large results this way and compare them with
values read term by term."""

from __future__ import annotations

import pytest

from rightsgraph.store.plain_rows import plain_rows

DATA = r'''PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { GRAPH <https://example.org/g> {
  <https://example.org/a> <https://example.org/p>
      "tab\there \"quoted\" back\\slash"@en , "二行\n文本"@zh , 12 , 1.5 , "1.0E3"^^xsd:double , true ,
      "2024-02-29"^^xsd:date , "été" , "caf\u00e9 \U0001F600" , <https://example.org/b?x=1&y=%20> , _:node , "" .
  <https://example.org/b?x=1&y=%20> <https://example.org/q> "has a q" .
} }'''
QUERY = """SELECT ?o ?q WHERE { <https://example.org/a> <https://example.org/p> ?o
           OPTIONAL { ?o <https://example.org/q> ?q } }"""


def _term_by_term(store) -> list[tuple]:
    return sorted((row["o"].value, row["q"].value if row["q"] is not None else None) for row in store.query(QUERY))


@pytest.mark.parametrize("which", ["store", "remote_store"])
def test_values_are_what_the_terms_give(which, request):
    store = request.getfixturevalue(which)
    store.update(DATA)
    rows = sorted(plain_rows(store, QUERY), key=lambda r: (r[0], r[1] or ""))
    expected = sorted(_term_by_term(store), key=lambda r: (r[0], r[1] or ""))
    assert rows == expected
    values = {o for o, _ in rows}
    assert 'tab\there "quoted" back\\slash' in values and "二行\n文本" in values and "café 😀" in values
    assert ("https://example.org/b?x=1&y=%20", "has a q") in rows
    assert "" in values and len(rows) == 12


def test_an_unbound_row_is_a_row(store):
    store.update(DATA)
    rows = list(plain_rows(store, "SELECT ?q WHERE { <https://example.org/a> <https://example.org/p> ?o "
                                  "OPTIONAL { ?o <https://example.org/q> ?q } }"))
    assert len(rows) == 12 and rows.count((None,)) == 11
