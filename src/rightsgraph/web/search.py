"""/search?q=: resources by title words (Chinese titles by Chinese words), identifier
(ISSN, ISBN, DOI: the string, with or without hyphens), publisher or package name.

SPARQL over the graphs the caller may see (visible.py). Every word must match
somewhere (title, publisher name, package title, identifier); case is ignored.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from pyoxigraph import NamedNode

from ..namespaces import sparql_prefixes
from .visible import visible_store

bp = Blueprint("search", __name__)
IDENTIFIER_LIKE = re.compile(r"[\dx-]*\d[\dx-]*")   # an ISSN, ISBN or part of one: 1157-3570, 978711
MAX_HITS = 200
MAX_QUERY = 200   # characters: a search box, not a document

# One word in two steps: the things whose title, name or identifier holds it, then the
# resources among them or published by them or in them (packages). A single query joining
# both steps makes Oxigraph scan every text once per resource (a minute on the demo).
# Each pattern in GRAPH ?g, and the rows of graphs the caller may not see left out
# (visible.py): a reader's default graph listing every visible graph costs Oxigraph a look-up
# per graph and pattern, seconds with a graph per licence.
_TEXTS = """SELECT DISTINCT ?s ?g WHERE {{
  GRAPH ?g {{ ?s dct:title|foaf:name|rdfs:label|rg:doi|dct:identifier ?t }}
  FILTER(CONTAINS(LCASE(STR(?t)), {word}))
}}"""
# Identifier-like words (digits, X, hyphens) are also looked up in the identifiers with hyphens
# ignored on both sides; REPLACE on every title would double the time of every search.
_IDENTIFIERS = """SELECT DISTINCT ?s ?g WHERE {{
  GRAPH ?g {{ ?s rg:issn|rg:onlineIssn|rg:printIssn|rg:isbn|rg:doi|dct:identifier ?t }}
  FILTER(CONTAINS(LCASE(REPLACE(STR(?t), "-", "")), {word}))
}}"""
_TYPED = "SELECT ?r ?g WHERE {{ VALUES ?r {{ {found} }} GRAPH ?g {{ ?r a rg:Resource }} }}"
_CONTAINED = """SELECT DISTINCT ?r ?g ?h WHERE {{ VALUES ?x {{ {found} }}
  GRAPH ?g {{ ?r dct:publisher|odrl:partOf ?x }} GRAPH ?h {{ ?r a rg:Resource }} }}"""


def words(q: str) -> list[str]:
    """The search words, lower case; hyphens dropped from identifier-like words (1457-3644)."""
    out = []
    for w in q.lower().split():
        out.append(w.replace("-", "") if IDENTIFIER_LIKE.fullmatch(w) else w)
    return [w for w in out if w]


def _string(word: str) -> str:
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _matches(store, word: str) -> set[str]:
    prefixes = sparql_prefixes()
    queries = (_TEXTS, _IDENTIFIERS) if IDENTIFIER_LIKE.fullmatch(word) else (_TEXTS,)
    found = {row["s"] for query in queries for row in store.graph_rows(prefixes + query.format(word=_string(word)))
             if isinstance(row["s"], NamedNode)}
    # the resources found themselves, then the resources of the publishers and packages found
    # (a common word finds thousands of titles: bounded queries)
    found = sorted(found, key=str)
    hits = set()
    for i in range(0, len(found), 1000):
        values = " ".join(str(x) for x in found[i:i + 1000])
        hits.update(row["r"].value for row in store.graph_rows(prefixes + _TYPED.format(found=values)))
    others = [x for x in found if x.value not in hits]
    for i in range(0, len(others), 1000):
        values = " ".join(str(x) for x in others[i:i + 1000])
        hits.update(row["r"].value for row in store.graph_rows(prefixes + _CONTAINED.format(found=values),
                                                               ("g", "h")))
    return hits


def search(store, q: str, limit: int = MAX_HITS) -> list[str]:
    """The IRIs of the resources matching every word of `q` (at most `limit`, in IRI order);
    `store`: the caller's view (visible.VisibleStore), or a Store, which sees every graph."""
    if not hasattr(store, "graph_rows"):
        from .visible import VisibleStore
        store = VisibleStore(store, frozenset())
    found = None
    for w in words(q):
        hits = _matches(store, w)
        found = hits if found is None else found & hits
        if not found:
            return []
    return sorted(found or ())[:limit]


@bp.route("/search")
def search_page():
    from .visible import labels
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    store = visible_store()
    hits = search(store, q) if q else []
    names = labels(store, hits)
    return render_template("search.html", q=q, hits=hits, names=names, limit=MAX_HITS)
