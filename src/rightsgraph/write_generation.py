"""A counter of the writes this process made, so that caches (the policy index) know when
to rebuild without asking the store on every request, and which graphs each write touched,
so that a cache can bring only those up to date."""

from __future__ import annotations

import collections
import itertools
import threading

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0
# (generation, frozenset of graph IRIs or None: not said) of the latest writes; older
# generations fell out and count as "not said"
_log: collections.deque = collections.deque(maxlen=256)


_listeners: list = []


def on_change(callback) -> None:
    """Call `callback()` after every write this process commits (e.g. publish a snapshot)."""
    _listeners.append(callback)


def bump(graphs=None) -> int:
    """Record that this process committed a write (call after the write is complete).
    `graphs`: the named graphs (IRIs) it changed, the default graph aside, if the writer
    knows them; None: any graph may have changed."""
    global _generation
    with _lock:
        _generation = next(_counter)
        gen = _generation
        _log.append((gen, None if graphs is None else frozenset(str(getattr(g, "value", g)) for g in graphs)))
    for callback in list(_listeners):
        callback()
    return gen


def generation() -> int:
    return _generation


def graphs_since(gen: int) -> frozenset | None:
    """The named graphs this process's writes after generation `gen` changed, or None when
    one of them did not say (or is too old to be remembered)."""
    with _lock:
        if _generation == gen:
            return frozenset()
        entries = [e for e in _log if e[0] > gen]
        if not entries or entries[0][0] != gen + 1:
            return None
        out: set = set()
        for _, graphs in entries:
            if graphs is None:
                return None
            out |= graphs
        return frozenset(out)
