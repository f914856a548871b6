"""The texts /search looks words up in, held in memory per store state.

Asked of the store, every search word was a scan of every title, name and identifier
(`FILTER(CONTAINS(LCASE(STR(?t)), "word"))`): about a second per word at 1M triples. Here
those texts are read once, lower-cased, and joined into one string per kind (texts, and
identifiers without hyphens), so that a word is found by `str.find` over a few megabytes (C
speed) and mapped back to its subject and graph. The match is the query's: a substring of
the lower-cased text (Python's `str.lower` and SPARQL's LCASE agree but for a few special
cases, such as the dotted capital I).

After a write that said which graphs it changed (write_generation.graphs_since), only those
graphs are read again; otherwise everything is.
"""

from __future__ import annotations

import bisect

from ..decision_service import expand
from ..namespaces import sparql_prefixes

TEXT_PREDICATES = ("dct:title", "foaf:name", "rdfs:label", "rg:doi", "dct:identifier")
IDENTIFIER_PREDICATES = ("rg:issn", "rg:onlineIssn", "rg:printIssn", "rg:isbn", "rg:doi", "dct:identifier")
_TEXT_IRIS = frozenset(expand(n) for n in TEXT_PREDICATES)
_IDENTIFIER_IRIS = frozenset(expand(n) for n in IDENTIFIER_PREDICATES)
_SEP = "\x00"


def _query(graphs=None) -> str:
    preds = sorted(set(TEXT_PREDICATES) | set(IDENTIFIER_PREDICATES))
    values = "" if graphs is None else "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } "
    return (sparql_prefixes() + f"SELECT ?s ?p ?t ?g WHERE {{ {values}VALUES ?p {{ {' '.join(preds)} }} "
            "GRAPH ?g { ?s ?p ?t } FILTER(isIRI(?s)) }")


class _Column:
    """Texts joined into one string, with where each starts and whose it is."""

    def __init__(self, rows):
        self.starts, self.subjects, self.graphs = [], [], []
        parts, at = [], 0
        for subject, graph, text in rows:
            self.starts.append(at)
            self.subjects.append(subject)
            self.graphs.append(graph)
            parts.append(text)
            at += len(text) + 1
        self.text = _SEP.join(parts)

    def find(self, word: str) -> list[tuple[str, str]]:
        """(subject, graph) of every text holding `word`."""
        out, text, at = [], self.text, 0
        starts = self.starts
        while True:
            at = text.find(word, at)
            if at < 0:
                return out
            i = bisect.bisect_right(starts, at) - 1
            out.append((self.subjects[i], self.graphs[i]))
            # on to the next text: one hit per text is enough
            at = starts[i + 1] if i + 1 < len(starts) else len(text)


class SearchTexts:
    """Per graph: its (subject, lower-case text, is an identifier) rows; and the two columns."""

    def __init__(self, by_graph: dict[str, list]):
        self.by_graph = by_graph
        texts, idents = [], []
        for g, rows in by_graph.items():
            for s, t, ident, is_text in rows:
                if is_text:
                    texts.append((s, g, t))
                if ident:
                    idents.append((s, g, t.replace("-", "")))
        self.texts, self.identifiers = _Column(texts), _Column(idents)

    @classmethod
    def from_store(cls, store, graphs=None, base: dict | None = None) -> "SearchTexts":
        by_graph = dict(base or {})
        for g in graphs or ():
            by_graph.pop(g, None)
        fresh: dict[str, list] = {}
        for row in store.query(_query(graphs)):
            g = row["g"]
            if g is None or store.engine_graph(g.value):
                continue
            p = row["p"].value
            fresh.setdefault(g.value, []).append(
                (row["s"].value, row["t"].value.lower(), p in _IDENTIFIER_IRIS, p in _TEXT_IRIS))
        by_graph.update(fresh)
        return cls(by_graph)

    def refreshed(self, store, graphs) -> "SearchTexts":
        """These texts with `graphs` read again."""
        if not graphs:
            return self
        return SearchTexts.from_store(store, sorted(graphs), base=self.by_graph)

    def matches(self, word: str, identifier_like: bool) -> set[tuple[str, str]]:
        """(subject IRI, graph IRI) of the texts holding `word` (lower case), and for an
        identifier-like word also of the identifiers holding it with hyphens ignored."""
        if not word or _SEP in word:
            return set()          # the separator: it would match across texts
        found = set(self.texts.find(word))
        if identifier_like:
            found.update(self.identifiers.find(word))
        return found
