"""The compiled policies kept on disk, so that a restarted service answers decisions at once.

Compiling the policies of a 1M-triple store with 10,000 licences reads a million quads and
takes about 20 s; loading the compiled index back takes about one. The copy is written into
the store's folder with the store's content token (store/content_stamp.py) and the digest of
the code that compiled it, and it is used only when both still hold: the token file is
removed before any write to the store, so a copy is never used for content it was not
compiled from; a new version of rightsgraph compiles again.

What is kept is the index a decision reads (policies, candidate rules, the partOf, class and
action maps). The parts that let an index be brought up to date after a write (the policy
graph and what each compilation read) are twice as large and are not kept: the service that
starts from a copy compiles again in the background (decision_service.py) and keeps
answering from the copy meanwhile.

The file is read with pickle, so it is trusted as the store beside it is: whoever may write
in the data folder may change the store itself.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import time
from functools import lru_cache
from pathlib import Path

from .index import PolicyIndex, _store_annotations

FILE = "rightsgraph-policy-index.pickle"
FORMAT = 2
log = logging.getLogger("rightsgraph.index_cache")
# what is not written: the refreshable parts, memoised closures, the store's annotation lookup
_LEFT_OUT = frozenset({"_annotation_source", "_annotation_cache", "graph", "_g", "_graph_subjects", "_footprints",
                       "_owners", "_facts", "_premis", "_statements", "_refresh_delta",
                       "_anc", "_anc_self", "_cls", "_act", "_act_impl"})


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of the package's code and ontology: an index compiled by other code is not used."""
    from ..package_data import ontology_files
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")) + sorted(ontology_files()):
        h.update(str(path.name).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _header(token: str) -> dict:
    return {"format": FORMAT, "token": token, "code": code_digest()}


def save(index: PolicyIndex, folder: Path, token: str) -> Path:
    """Write `index` as compiled from the store content named by `token` (atomically), with
    the tally of the terms its policies name (policy/known_terms.py: half a second to count)."""
    from .known_terms import tally
    state = {k: v for k, v in index.__dict__.items() if k not in _LEFT_OUT}
    state = {"index": state, "known_terms": tally(index)}
    target = folder / FILE
    for stale in folder.glob(FILE + ".*.tmp"):       # left by a process killed while saving
        stale.unlink(missing_ok=True)
    tmp = folder / f"{FILE}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(json.dumps(_header(token)).encode() + b"\n")
        pickle.dump(state, f, protocol=5)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


def usable(store) -> bool:
    """Whether a copy saved for the store's current content is there (its header read only)."""
    token = store.content_token()
    if token is None or store.path is None:
        return False
    try:
        with open(Path(store.path) / FILE, "rb") as f:
            return json.loads(f.readline()) == _header(token)
    except (OSError, ValueError):
        return False


def load(store) -> tuple[PolicyIndex, object] | None:
    """(index, tally of its known terms) saved for the store's current content, or None (no
    copy, another content, other code, or a copy that cannot be read: the caller compiles)."""
    token = store.content_token()
    if token is None or store.path is None:
        return None
    path = Path(store.path) / FILE
    started = time.perf_counter()
    try:
        with open(path, "rb") as f:
            header = json.loads(f.readline())
            if header != _header(token):
                return None
            data = f.read()
        was_enabled = gc.isenabled()
        gc.disable()               # a million small objects: the collector would triple the time
        try:
            state = pickle.loads(data)
            # and out of the collector's sight until the compile behind it replaces it
            # (decision_service.py unfreezes): else the first full collection, soon after,
            # walks them all again (0.7 s)
            gc.freeze()
        finally:
            del data
            if was_enabled:
                gc.enable()
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged copy is compiled again, never trusted
        log.warning("the saved policy index %s could not be read (%s); compiling the policies", path, exc)
        return None
    index = PolicyIndex()
    index.__dict__.update(state["index"])
    index._annotation_source = _store_annotations(store)
    log.info("policy index loaded from %s in %.2f s", path, time.perf_counter() - started)
    return index, state["known_terms"]
