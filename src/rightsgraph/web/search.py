"""/search?q=: resources by title words (Chinese titles by Chinese words), identifier
(ISSN, ISBN, DOI: the string, with or without hyphens), publisher or package name.

Over the graphs the caller may see (visible.py). Every word must match somewhere (title,
publisher name, package title, identifier); case is ignored.
"""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from pyoxigraph import NamedNode

from ..namespaces import sparql_prefixes
from .search_texts import SearchTexts
from .summary_cache import page_cache
from .visible import visible_store

bp = Blueprint("search", __name__)
IDENTIFIER_LIKE = re.compile(r"[\dx-]*\d[\dx-]*")   # an ISSN, ISBN or part of one: 1157-3570, 978711
MAX_HITS = 200
MAX_QUERY = 200   # characters: a search box, not a document

# One word in two steps: the things whose title, name or identifier holds it (looked up in
# memory, search_texts.py: a scan of every text in the store took a second per word at 1M
# triples), then the resources among them or published by them or in them (packages).
# Rows of graphs the caller may not see are left out (visible.py).
_TYPED = "SELECT ?r ?g WHERE {{ VALUES ?r {{ {found} }} GRAPH ?g {{ ?r a rg:Resource }} }}"
_CONTAINED = """SELECT DISTINCT ?r ?g ?h WHERE {{ VALUES ?x {{ {found} }}
  GRAPH ?g {{ ?r dct:publisher|odrl:partOf ?x }} GRAPH ?h {{ ?r a rg:Resource }} }}"""


def words(q: str) -> list[str]:
    """The search words, lower case; hyphens dropped from identifier-like words (1457-3644)."""
    out = []
    for w in q.lower().split():
        out.append(w.replace("-", "") if IDENTIFIER_LIKE.fullmatch(w) else w)
    return [w for w in out if w]


def _matches(store, word: str, texts: SearchTexts) -> set[str]:
    prefixes = sparql_prefixes()
    seen: dict[str, bool] = {}
    found = set()
    for subject, graph in texts.matches(word, bool(IDENTIFIER_LIKE.fullmatch(word))):
        visible = seen.get(graph)
        if visible is None:
            visible = seen[graph] = store.sees(NamedNode(graph))
        if visible:
            found.add(NamedNode(subject))
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


def search(store, q: str, limit: int = MAX_HITS, texts: SearchTexts | None = None) -> list[str]:
    """The IRIs of the resources matching every word of `q` (at most `limit`, in IRI order);
    `store`: the caller's view (visible.VisibleStore), or a Store, which sees every graph;
    `texts`: the store's texts as the page cache keeps them (default: read now)."""
    if not hasattr(store, "graph_rows"):
        from .visible import VisibleStore
        store = VisibleStore(store, frozenset())
    if texts is None:
        texts = SearchTexts.from_store(store.store)
    found = None
    for w in words(q):
        hits = _matches(store, w, texts)
        found = hits if found is None else found & hits
        if not found:
            return []
    return sorted(found or ())[:limit]


@bp.route("/search")
def search_page():
    from .visible import labels
    q = (request.args.get("q") or "").strip()[:MAX_QUERY]
    store = visible_store()
    hits = search(store, q, texts=page_cache().search_texts()) if q else []
    names = labels(store, hits)
    return render_template("search.html", q=q, hits=hits, names=names, limit=MAX_HITS)
