"""What the pages compute from the whole store, cached per store state: the home page's
summary, the licence list, the decision form's lists.

Each value is kept per caller view (the set of graphs hidden from the caller) and dropped when
the store changes: a write by this process bumps `write_generation.generation()`; a write by
another process on a shared remote store is noticed within `ttl` seconds by the latest
provenance record (what DecisionService.index() does).

The home page's summary is not recounted whole then (`info.store_summary` counts every graph
and every resource: seconds on a large store, and the home page is the page every visit
starts on): graph_counts.GraphCounts keeps it per graph and recounts the graphs the write
changed.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from flask import current_app

from .. import write_generation
from ..graph_counts import GraphCounts
from ..info import latest_loads
from ..namespaces import PROVENANCE_GRAPH

_FINGERPRINT = (f"SELECT (MAX(?t) AS ?last) (COUNT(?a) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> "
                "{ ?a <http://www.w3.org/ns/prov#endedAtTime> ?t } }")


class StoreStateCache:
    def __init__(self, store, ttl: float = 5.0):
        self.store = store
        self.ttl = ttl
        self._lock = threading.RLock()   # a value may be computed from another (the licence options from the rows)
        self._state: tuple = ()          # (generation, provenance fingerprint) the entries are for
        self._checked = 0.0
        self._entries: dict[tuple, object] = {}
        self.counts = GraphCounts(store)
        self._counted: tuple = ()        # the state self.counts was refreshed for

    def _fingerprint(self) -> tuple:
        row = next(iter(self.store.query(_FINGERPRINT)), None)
        return (row["last"].value if row is not None and row["last"] is not None else None,
                row["n"].value if row is not None else None)

    def get(self, name: str, hidden: frozenset[str], compute: Callable[[], object]):
        """The value `compute()` gives for the caller view `hidden`, computed once per store state."""
        key = (name, hidden)
        gen = write_generation.generation()
        fresh = self._state and self._state[0] == gen and time.monotonic() - self._checked < self.ttl
        if fresh and key in self._entries:
            return self._entries[key]
        with self._lock:
            state = (write_generation.generation(), self._fingerprint())
            self._checked = time.monotonic()
            if state != self._state:
                self._entries, self._state = {}, state
            if key not in self._entries:
                self._entries[key] = compute()
            return self._entries[key]

    def summary(self, hidden: frozenset[str]) -> dict:
        """What info.store_summary(store, hidden) gives, with `graph_rows` for the home
        page's table; after a write, only the graphs it changed are counted again."""
        def compute():
            if self._counted != self._state:      # once per store state, whatever the views
                self.counts.refresh()
                self._counted = self._state
            summary = self.counts.summary(hidden)
            summary["loads"] = None if hidden else latest_loads(self.store)   # None: not shown to this caller
            return {**summary, "graph_rows": graph_rows(summary["graphs"])}
        return self.get("summary", hidden, compute)


GRAPHS_PER_FOLDER = 20   # more graphs than this under one IRI folder (a graph per licence): one row


def graph_rows(graphs: list[dict]) -> list[dict]:
    """The home page's graph table: each graph, except that the graphs of an IRI folder holding
    more than GRAPHS_PER_FOLDER (one per licence, per KBART package) make one row: the first
    graph, how many `more`, their triples summed and the latest load. Ten thousand rows
    would cost the page a second to render, and nobody reads them there."""
    folders: dict[str, list[dict]] = {}
    for g in graphs:
        folders.setdefault(g["graph"].rsplit("/", 1)[0], []).append(g)
    out = []
    for g in graphs:
        group = folders[g["graph"].rsplit("/", 1)[0]]
        if len(group) <= GRAPHS_PER_FOLDER:
            out.append({**g, "more": 0})
        elif g is group[0]:
            out.append({"graph": g["graph"], "more": len(group) - 1, "triples": sum(x["triples"] for x in group),
                        "modified": max((x["modified"] for x in group if x["modified"]), default=None)})
    return out



def page_cache() -> StoreStateCache:
    """The app's cache (one per store)."""
    ext = current_app.extensions
    if "rightsgraph.page_cache" not in ext:
        ext["rightsgraph.page_cache"] = StoreStateCache(ext["rightsgraph.store"])
    return ext["rightsgraph.page_cache"]
