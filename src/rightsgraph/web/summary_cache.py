"""The home page's store summary, cached per store state.

`info.store_summary` counts every graph and every resource: seconds on a large store, and the
home page is the page every visit starts on. The summary is kept per caller view (the set of
graphs hidden from the caller) and rebuilt when the store changes: a write by this process
bumps `changes.generation()`; a write by another process on a shared remote store is noticed
within `ttl` seconds by the latest provenance record (what DecisionService.index() does).
"""

from __future__ import annotations

import threading
import time

from .. import changes
from ..info import store_summary
from ..namespaces import PROVENANCE_GRAPH

_FINGERPRINT = (f"SELECT (MAX(?t) AS ?last) (COUNT(?a) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> "
                "{ ?a <http://www.w3.org/ns/prov#endedAtTime> ?t } }")


class SummaryCache:
    def __init__(self, store, ttl: float = 5.0):
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._state: tuple = ()          # (generation, provenance fingerprint) the entries are for
        self._checked = 0.0
        self._entries: dict[frozenset, dict] = {}

    def _fingerprint(self) -> tuple:
        row = next(iter(self.store.query(_FINGERPRINT)), None)
        return (row["last"].value if row is not None and row["last"] is not None else None,
                row["n"].value if row is not None else None)

    def summary(self, hidden: frozenset[str]) -> dict:
        gen = changes.generation()
        fresh = self._state and self._state[0] == gen and time.monotonic() - self._checked < self.ttl
        if fresh and hidden in self._entries:
            return self._entries[hidden]
        with self._lock:
            state = (changes.generation(), self._fingerprint())
            self._checked = time.monotonic()
            if state != self._state:
                self._entries, self._state = {}, state
            if hidden not in self._entries:
                self._entries[hidden] = store_summary(self.store, hidden)
            return self._entries[hidden]
