"""The usage reports kept per store state, with the mechanism the web pages use
(web/summary_cache.StoreStateCache): an entry holds until this process writes
(`write_generation.generation()`) or, checked at most every few seconds, a new provenance record
appears (a write by another process). The service then answers a repeated report without
reading the store; a one-shot CLI run computes it once, as before.

    rep = cached(store, "cost-per-use", (year, package, licence, platform), compute)

Each caller gets its own copy (the entry is kept pickled), so no caller can change what the
next one reads. Writes that bypass both the generation and the provenance graph (a raw
store handle) are not seen: the same rule as the page cache.
"""

from __future__ import annotations

import pickle
import threading
import weakref
from collections.abc import Callable

_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def cached(store, name: str, key: tuple, compute: Callable[[], dict]) -> dict:
    from ..web.summary_cache import StoreStateCache
    with _lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = StoreStateCache(store)
    data = cache.get(f"{name} {key!r}", frozenset(), lambda: pickle.dumps(compute(), protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.loads(data)


def forget() -> None:
    """Drop every kept report (the benchmark's cold runs)."""
    with _lock:
        _caches.clear()
