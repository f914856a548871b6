"""A counter of the writes this process made, so that caches (the policy index) know when
to rebuild without asking the store on every request."""

from __future__ import annotations

import itertools
import threading

_counter = itertools.count(1)
_lock = threading.Lock()
_generation = 0


def bump() -> int:
    global _generation
    with _lock:
        _generation = next(_counter)
        return _generation


def generation() -> int:
    return _generation
