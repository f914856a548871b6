"""The home page's summary kept per graph (issue 15), so that a write costs a recount of the
graphs it changed, not of the store.

Per graph: its triple count and the IRIs it types as a resource, licence, party or policy
(info.COUNTED_CLASSES). A caller's DISTINCT counts are the size of the union of the visible
graphs' sets: a resource described in two graphs counts once, as in info.store_summary. So
that a view need not build that union, each IRI also carries the number of data graphs that
type it (`_refs`): a view hiding a few graphs subtracts theirs.

Which graphs changed, the provenance records say, as for the holdings index
(holdings.graph_states: every write's record gives each graph it wrote a new `dct:modified`;
a graph removed by a harvest or a usage removal loses it). Graphs without such a record (the
provenance graph itself, the derived graphs written by the system) are recounted on every
refresh: nothing says when they change. A refresh whose records name no changed graph (a
write that left no record) recounts everything.
"""

from __future__ import annotations

import sys
import threading

import pyoxigraph as ox

from .holdings import graph_states
from .info import COUNTED, COUNTED_CLASSES
from .namespaces import PROVENANCE_GRAPH, RDF, SYSTEM_GRAPHS
from .store.plain_rows import plain_rows as _rows

_SYSTEM = frozenset(g.value for g in SYSTEM_GRAPHS)   # not counted: the ontology ships open-licence policies
_CATEGORY_OF = {}                                    # class IRI -> the counts it is in (rg:Licence: two)
for _name, _classes in COUNTED_CLASSES.items():
    for _c in _classes:
        _CATEGORY_OF.setdefault(_c, []).append(COUNTED.index(_name))
_CLASS_VALUES = " ".join(f"<{c}>" for c in _CATEGORY_OF)

# More changed graphs than this: one pass over the store costs less than naming them all
# (a VALUES of graph IRIs is an index look-up per graph).
WHOLE_STORE_ABOVE = 2000

_EMPTY = (frozenset(),) * len(COUNTED)


class GraphCounts:
    """Triple counts and typed IRIs per named graph, brought up to date by `refresh()`.

    `recounted` (the graphs the last refresh counted) and `full_recounts` are there for the
    tests and the benchmark: a timing-free sign of what a refresh cost."""

    def __init__(self, store):
        self.store = store
        self._lock = threading.Lock()
        self._built = False
        self._triples: dict[str, int] = {}                    # graphs holding triples
        self._typed: dict[str, tuple[frozenset, ...]] = {}    # data graph -> its IRIs per count
        self._refs: list[dict[str, int]] = [{} for _ in COUNTED]   # IRI -> data graphs typing it
        self._modified: dict[str, str] = {}                   # graph_states at the last refresh
        self._listed: set[str] = set()                        # the store's named graphs then
        self._order: list[str] = []
        self.recounted: frozenset[str] = frozenset()
        self.full_recounts = 0

    # ------------------------------------------------------------------ refreshing
    def refresh(self, changed: frozenset[str] | None = None) -> None:
        """Catch up with the store. Call after reading the store's state fingerprint (a
        write landing in between is then seen by the next refresh). `changed`: the graphs
        this process's writes changed since the last refresh, when they all said
        (write_generation.graphs_since): only those and the provenance graph are counted,
        without reading the provenance records and the list of graphs (60 ms each at
        10,000 graphs)."""
        with self._lock:
            if changed is not None and self._built:
                # this process's writes named every graph they changed but the provenance
                # graph, where their records go (derived graphs are named by their writers)
                self._recount(set(changed) | ({PROVENANCE_GRAPH.value} & self._listed))
                modified = {g: m for g, m in self._modified.items() if g not in changed}
                if changed:
                    modified.update(graph_states(self.store, sorted(changed)))
                self._modified = modified
                self._listed = (self._listed | (changed & self._triples.keys())) - (changed - self._triples.keys())
                self._order = sorted(self._triples)
                return
            states = graph_states(self.store)
            listed = {g.value for g in self.store.graphs()}
            changed = {g for g in states.keys() | self._modified.keys() if states.get(g) != self._modified.get(g)}
            if not self._built or not changed:
                self._recount(None)          # the first time, or the records do not say what changed
            else:
                untracked = {g for g in listed if g not in states}   # provenance, derived graphs
                appeared_or_gone = listed ^ self._listed
                self._recount(changed | untracked | appeared_or_gone)
            self._modified, self._listed, self._built = states, listed, True
            self._order = sorted(self._triples)

    def _recount(self, graphs: set[str] | None) -> None:
        """Count `graphs` again (None: every graph)."""
        whole = graphs is None or len(graphs) > WHOLE_STORE_ABOVE
        triples, typed = self._count(None if whole else graphs)
        if graphs is None:
            graphs = set(self._triples) | set(triples)
            self._triples, self._typed = {}, {}
            self._refs = [{} for _ in COUNTED]
            self.full_recounts += 1
        for g in graphs:
            self._forget(g)
            n = triples.get(g, 0)
            if n and not self.store.engine_graph(g):
                self._triples[g] = n
                if g not in _SYSTEM:
                    self._remember(g, typed.get(g))
        self.recounted = frozenset(graphs)

    def _count(self, graphs: set[str] | None) -> tuple[dict[str, int], dict[str, list[set]]]:
        """Triples per graph and typed IRIs per graph and count, of `graphs` (None: all)."""
        if graphs is None:
            triples = {g: int(n) for g, n in _rows(self.store, "SELECT ?g (COUNT(*) AS ?n) WHERE "
                                                                "{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
            rows = _rows(self.store, f"SELECT ?g ?x ?k WHERE {{ GRAPH ?g {{ ?x <{RDF.type.value}> ?k }} "
                                     f"VALUES ?k {{ {_CLASS_VALUES} }} }}")
        else:
            # a count per graph: a third of the time of one query joining the graphs from a VALUES
            triples = {g: self.store.count(ox.NamedNode(g)) for g in graphs}
            # each graph's typings, the classes picked here: with the classes (or the graphs) in a
            # VALUES, Oxigraph reads every typing of those classes in the store, 0.2 s at 1M triples
            rows = ((g, x, k) for g in sorted(graphs) if triples[g] and g not in _SYSTEM   # provenance: large
                    for x, k in _rows(self.store, f"SELECT ?x ?k WHERE {{ GRAPH <{g}> {{ ?x <{RDF.type.value}> ?k }} }}")
                    if k in _CATEGORY_OF)
        typed: dict[str, list[set]] = {}
        intern = sys.intern    # one str per IRI however many graphs type it
        for g, x, k in rows:
            sets = typed.get(g)
            if sets is None:
                sets = typed[g] = [set() for _ in COUNTED]
            x = intern(x)
            for i in _CATEGORY_OF[k]:
                sets[i].add(x)
        return triples, typed

    def _remember(self, graph: str, sets) -> None:
        if not sets:
            return
        frozen = tuple(frozenset(s) for s in sets)
        self._typed[graph] = frozen
        for refs, iris in zip(self._refs, frozen):
            for x in iris:
                refs[x] = refs.get(x, 0) + 1

    def _forget(self, graph: str) -> None:
        self._triples.pop(graph, None)
        for refs, iris in zip(self._refs, self._typed.pop(graph, _EMPTY)):
            for x in iris:
                n = refs[x] - 1
                if n:
                    refs[x] = n
                else:
                    del refs[x]

    # ------------------------------------------------------------------ a caller's view
    def summary(self, hidden: frozenset[str] = frozenset()) -> dict:
        """info.store_summary's graphs, total and counts for a caller who may not see the
        `hidden` graphs (its "loads" are not kept here)."""
        with self._lock:
            graphs = [{"graph": g, "triples": self._triples[g], "modified": self._modified.get(g)}
                      for g in self._order if g not in hidden]
            counts = self._distinct(hidden)
        return {"total_triples": sum(g["triples"] for g in graphs), "counts": counts, "graphs": graphs}

    def _distinct(self, hidden: frozenset[str]) -> dict[str, int]:
        hidden_sets = [self._typed[g] for g in hidden if g in self._typed]
        out = {}
        for i, (name, refs) in enumerate(zip(COUNTED, self._refs)):
            if not any(s[i] for s in hidden_sets):
                out[name] = len(refs)
                continue
            # the IRIs that only hidden graphs type drop out: count them among the hidden
            # graphs' own (a few confidential graphs: far fewer than the visible ones)
            seen: dict[str, int] = {}
            for s in hidden_sets:
                for x in s[i]:
                    seen[x] = seen.get(x, 0) + 1
            out[name] = len(refs) - sum(1 for x, n in seen.items() if refs[x] == n)
        return out

