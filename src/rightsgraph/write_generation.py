"""A counter of the writes this process made, so that caches (the policy index) know when
to rebuild without asking the store on every request."""

from __future__ import annotations

import itertools
import threading

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0


_listeners: list = []


def on_change(callback) -> None:
    """Call `callback()` after every write this process commits (e.g. publish a snapshot)."""
    _listeners.append(callback)


def bump() -> int:
    """Record that this process committed a write (call after the write is complete)."""
    global _generation
    with _lock:
        _generation = next(_counter)
        gen = _generation
    for callback in list(_listeners):
        callback()
    return gen


def generation() -> int:
    return _generation
