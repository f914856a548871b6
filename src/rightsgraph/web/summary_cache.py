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
        self._previous: dict[tuple, object] = {}   # latest(): the newest value of each key, whatever its state
        self._jobs: dict[tuple, _Job] = {}           # latest(): the computation running for each key
        self.counts = GraphCounts(store)
        self._loads: dict = {}           # latest_loads(): each load's files and triples, read once
        self._counted: tuple = ()        # the state self.counts was refreshed for
        self._texts = None               # search_texts(): the texts, and the state they are for
        self._texts_state: tuple = ()

    def _fingerprint(self) -> tuple:
        row = next(iter(self.store.query(_FINGERPRINT)), None)
        return (row["last"].value if row is not None and row["last"] is not None else None,
                row["n"].value if row is not None else None)

    def get(self, name: str, hidden: frozenset[str], compute: Callable[[], object]):
        """The value `compute()` gives for the caller view `hidden`, computed once per store state."""
        key = (name, hidden)
        if self._known_fresh() and key in self._entries:
            return self._entries[key]
        with self._lock:
            self._check_state()
            if key not in self._entries:
                self._entries[key] = compute()
            return self._entries[key]

    def latest(self, name: str, hidden: frozenset[str], compute: Callable[[], object],
               wait: float, family: str | None = None, first_wait: float | None = None
               ) -> tuple[object | None, bool]:
        """(value, fresh): the value for the current store state if `compute()` gives it
        within `wait` seconds; else the value of an earlier state, while `compute()` goes on
        in the background and is kept when it ends. With no earlier value the request waits
        `first_wait` seconds (None: until it is there), then gets (None, False) while the
        computation goes on. For values that take minutes on a large
        store (the risk report at 10k licences) on a page that must not wait for them after
        every write; small stores answer within `wait` and are always fresh.
        One computation per value runs at a time: writes in quick succession do not pile
        them up (the next request after one ends starts the next). A computation that
        failed raises its error in the request that waits for it. `family` names the values
        that may stand in for each other (yesterday's report for today's); default `name`."""
        key, kin = (name, hidden), (family or name, hidden)
        with self._lock:
            if not (self._known_fresh() and key in self._entries):
                self._check_state()
            if key in self._entries:
                return self._entries[key], True
            job = self._jobs.get(key)
            if job is None or (job.done.is_set() and job.state != self._state):
                job = self._jobs[key] = _Job(self._state)
                threading.Thread(target=self._run, args=(key, kin, job, compute), daemon=True,
                                 name=f"page-cache-{name}").start()
        if job.state == self._state:
            job.done.wait(wait if kin in self._previous else first_wait)
        with self._lock:    # done, or not yet, as one with _previous (a job ending now is fresh)
            if not (job.state == self._state and job.done.is_set()):
                return self._previous.get(kin), False
            if self._jobs.get(key) is job:
                del self._jobs[key]           # a failure is not kept: the next request tries again
        if job.error is not None:
            raise job.error
        return job.value, True

    def _run(self, key, kin, job: "_Job", compute) -> None:
        try:
            job.value = compute()
        except Exception as exc:   # noqa: BLE001 - handed to the request that waits for it
            job.error = exc
        with self._lock:
            if job.error is None:
                self._previous[kin] = job.value
                if job.state == self._state:
                    self._entries[key] = job.value
            job.done.set()

    def _known_fresh(self) -> bool:
        """The entries are for the current state: no write by this process since they were made,
        and another process's write was looked for less than `ttl` seconds ago."""
        self.store.catch_up()        # a reader's snapshot: the writer's latest write counts here at once
        return bool(self._state) and self._state[0] == write_generation.generation() \
            and time.monotonic() - self._checked < self.ttl

    def _check_state(self) -> None:
        with self._lock:
            state = (write_generation.generation(), self._fingerprint())
            self._checked = time.monotonic()
            if state != self._state:
                self._entries, self._state = {}, state

    def summary(self, hidden: frozenset[str]) -> dict:
        """What info.store_summary(store, hidden) gives, with `graph_rows` for the home
        page's table; after a write, only the graphs it changed are counted again."""
        def compute():
            if self._counted != self._state:      # once per store state, whatever the views
                self.counts.refresh(self._graphs_written_since(self._counted))
                self._counted = self._state
            summary = self.counts.summary(hidden)
            summary["loads"] = None if hidden else latest_loads(self.store, self._loads)   # None: not shown to this caller
            return {**summary, "graph_rows": graph_rows(summary["graphs"])}
        return self.get("summary", hidden, compute)

    def search_texts(self):
        """The texts /search looks words up in (search_texts.py), once per store state:
        after a write that named its graphs, those graphs read again."""
        from .search_texts import SearchTexts

        def compute():
            graphs = self._graphs_written_since(self._texts_state) if self._texts is not None else None
            texts = self._texts.refreshed(self.store, graphs) if graphs is not None else SearchTexts.from_store(self.store)
            self._texts, self._texts_state = texts, self._state
            return texts
        return self.get("search-texts", frozenset(), compute)

    def _graphs_written_since(self, counted: tuple | None) -> frozenset[str] | None:
        """The graphs this process's writes changed since the store state `counted`, when
        that accounts for every change: a store with one writer (embedded, or its snapshots)
        and a write of ours since then that said which graphs; else None."""
        state = self._state
        if not counted or not state or counted[0] == state[0] or not self.store.copies_cheaply:
            return None
        return write_generation.graphs_since(counted[0])


class _Job:
    """One background computation of StoreStateCache.latest, for the store state `state`."""

    def __init__(self, state: tuple):
        self.state = state
        self.done = threading.Event()
        self.value: object = None
        self.error: Exception | None = None


GRAPHS_PER_FOLDER = 20   # more graphs than this under one IRI folder (a graph per licence): one row


def graph_rows(graphs: list[dict]) -> list[dict]:
    """The home page's graph table: each graph, except that the graphs of an IRI folder holding
    more than GRAPHS_PER_FOLDER (one per licence, per KBART package) make one row: the first
    graph, how many `more`, their triples summed and the latest load. Ten thousand rows
    would cost the page a second to render, and nobody reads them there."""
    keys = [g["graph"].rpartition("/")[0] for g in graphs]   # one pass each: 10,000 graphs after every write
    folders: dict[str, list[dict]] = {}
    for key, g in zip(keys, graphs):
        folders.setdefault(key, []).append(g)
    out = []
    for key, g in zip(keys, graphs):
        group = folders[key]
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
        with _CACHE_LOCK:       # one per app, whichever thread (a request, the warm-up) asks first
            if "rightsgraph.page_cache" not in ext:
                ext["rightsgraph.page_cache"] = StoreStateCache(ext["rightsgraph.store"])
    return ext["rightsgraph.page_cache"]


_CACHE_LOCK = threading.Lock()
