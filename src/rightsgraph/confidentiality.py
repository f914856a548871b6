"""Confidential graphs (licence prices, confidential clauses): a graph is confidential when
the provenance graph says `<graph> rg:confidential true`. Readers never see them."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from . import write_generation
from .accounts import role_at_least
from .namespaces import PROVENANCE_GRAPH, RG, XSD

_TRUE = Literal("true", datatype=XSD.boolean)


def confidential_graphs(store) -> set[str]:
    rows = store.query(f"SELECT ?g WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g <{RG.confidential.value}> true }} }}")
    return {r["g"].value for r in rows}


def hidden_from_readers(confidential) -> frozenset[str]:
    """The graphs a reader must not see, given the confidential ones: those, and the
    provenance graph (load records, confidentiality marks). Every door applies this rule:
    web/auth.hidden_graphs per request, public_copies for the public read tier."""
    return frozenset(confidential) | {PROVENANCE_GRAPH.value}


def may_read(role: str | None, graph: str, confidential) -> bool:
    """Whether `role` may read `graph`: cataloguers and admins read every graph, readers
    none of those hidden from them."""
    return role_at_least(role, "cataloguer") or graph not in hidden_from_readers(confidential)


def set_confidential(store, graph: str, confidential: bool = True) -> None:
    g = NamedNode(graph)
    store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{graph}> <{RG.confidential.value}> ?v }} }}")
    if confidential:
        store.add_quads([Quad(g, RG.confidential, _TRUE, PROVENANCE_GRAPH)])
    write_generation.bump()


class GraphCatalog:
    """The store's graphs and which are confidential, cached: recomputed after a write by
    this process (write_generation.generation) or after `ttl` seconds (writes by other processes
    to a shared remote store). Every request of every door needs them; a query each time
    would cost more than answering a decision."""

    def __init__(self, store, ttl: float = 5.0):
        import threading
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._at = (-1, 0.0)
        self._graphs: list[str] = []
        self._confidential: frozenset[str] = frozenset()

    def _refresh(self) -> None:
        import time
        gen, now = write_generation.generation(), time.monotonic()
        if self._at[0] == gen and now - self._at[1] < self.ttl:
            return
        with self._lock:
            if self._at[0] != gen and now - self._at[1] < self.ttl and self._follow_writes(gen):
                return
            self._graphs = [g.value for g in self.store.graphs()]
            self._confidential = frozenset(confidential_graphs(self.store))
            self._at = (gen, now)

    def _follow_writes(self, gen: int) -> bool:
        """After writes by this process that named the graphs they changed (one writer, as
        graph_counts assumes): look up those graphs instead of listing 10,000 of them (50 ms
        on a large store, after every licence import). The listing's time is kept, so that
        another process's writes are still noticed within `ttl` seconds."""
        changed = write_generation.graphs_since(self._at[0]) if self.store.copies_cheaply else None
        if changed is None:
            return False
        graphs = [g for g in self._graphs if g not in changed]
        graphs += [g for g in changed if self.store.has_graph(NamedNode(g))]
        self._graphs = sorted(graphs)
        self._confidential = frozenset(confidential_graphs(self.store))
        self._at = (gen, self._at[1])
        return True

    def graphs(self) -> list[str]:
        self._refresh()
        return self._graphs

    def confidential(self) -> frozenset[str]:
        self._refresh()
        return self._confidential
