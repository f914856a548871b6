"""The compiled policies kept on disk, so that a restarted service answers decisions at once.

Compiling the policies of a 1M-triple store with 10,000 licences reads a million quads and
takes about 20 s; loading the compiled index back takes about one. The copy is written into
the store's folder with the store's content token (store/content_stamp.py) and the digest of
the code that compiled it, and it is used only when both still hold: the token file is
removed before any write to the store, so a copy is never used for content it was not
compiled from; a new version of rightsgraph compiles again.

Two files, each with that header:
- `FILE`: what a decision reads (policies, candidate rules, the partOf, class and action
  maps) and the tally of known terms: loaded first, at start;
- `REFRESH_FILE`: what brings an index up to date after a write (the policy graph, each
  graph's subjects, what each policy's compilation read, the licence lifecycle facts): as
  large again, loaded after the first decision's needs are met (decision_service.py), so a
  write soon after a start is refreshed in a second or two instead of waiting for a compile.
Neither holds policy objects the other refers to: the second is keys and RDF terms only. Both
carry one random pair id: two processes saving the same content at once (readers of one
snapshot) write equivalent copies, but the refresh parts of one are never joined to the index
of the other (a refreshed index and a compiled one need not record footprints alike).

The files are read with pickle, so they are trusted as the store beside them is: whoever may
write in the data folder may change the store itself.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import pickle
import threading
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .index import PolicyIndex, _store_annotations

FILE = "rightsgraph-policy-index.pickle"
REFRESH_FILE = "rightsgraph-policy-index-refresh.pickle"
FORMAT = 4
log = logging.getLogger("rightsgraph.index_cache")
_saving = threading.Lock()
# what an index needs to be brought up to date after a write (index.from_quads(refreshable=True))
REFRESH_PARTS = ("_g", "_graph_subjects", "_footprints", "_owners", "_facts", "_premis", "_statements")
# what is written in neither: memoised closures, the store's annotation lookup, the last refresh
_LEFT_OUT = frozenset({"_annotation_source", "_annotation_cache", "graph", "_refresh_delta",
                       "_anc", "_anc_self", "_cls", "_act", "_act_impl", *REFRESH_PARTS})


@dataclass
class Saved:
    """An index loaded from its copy, the tally of its known terms, the token it was saved
    with, and the pair id its refresh parts must carry."""
    index: PolicyIndex
    known_terms: object
    token: str
    pair: str


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


def _fits(header: dict, token: str) -> bool:
    """Whether a file's header is for `token` and this code (its pair id aside)."""
    return {k: v for k, v in header.items() if k != "pair"} == _header(token) and isinstance(header.get("pair"), str)


def save(index: PolicyIndex, folder: Path, token: str) -> None:
    """Write `index` as compiled from the store content named by `token`, each file atomically
    (the refresh parts first: a copy is never paired with the parts of another)."""
    with _saving:                                # one save at a time in a process (one temporary name)
        _save(index, Path(folder), token)


def _save(index: PolicyIndex, folder: Path, token: str) -> None:
    from ..store.snapshots import process_running
    from .known_terms import tally
    if saved_for(folder, token):
        return                                   # another process (a reader) saved this content already
    for stale in [*folder.glob(FILE + ".*.tmp"), *folder.glob(REFRESH_FILE + ".*.tmp")]:
        pid = stale.name.rsplit(".", 2)[-2]
        if not (pid.isdigit() and process_running(int(pid))):
            stale.unlink(missing_ok=True)        # left by a process killed while saving
    pair = uuid.uuid4().hex
    if getattr(index, "_g", None) is not None:
        _write(folder / REFRESH_FILE, token, pair, {k: getattr(index, k) for k in REFRESH_PARTS})
    state = {k: v for k, v in index.__dict__.items() if k not in _LEFT_OUT}
    _write(folder / FILE, token, pair, {"index": state, "known_terms": tally(index)})


def _write(target: Path, token: str, pair: str, state) -> None:
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(json.dumps({**_header(token), "pair": pair}).encode() + b"\n")
        pickle.dump(state, f, protocol=5)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


def _header_of(path: Path) -> dict | None:
    """The header line of a saved file, or None when there is none that can be read."""
    try:
        with open(path, "rb") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None


def saved_for(folder: Path, token: str) -> bool:
    """Whether both files of one copy saved for `token` by this code are in `folder` (headers read only)."""
    headers = [_header_of(Path(folder) / name) for name in (FILE, REFRESH_FILE)]
    return (all(h is not None and _fits(h, token) for h in headers)
            and headers[0]["pair"] == headers[1]["pair"])


def usable(store) -> bool:
    """Whether a copy saved for the store's current content is there (its header read only)."""
    token, folder = store.content_token(), store.cache_folder()
    if token is None or folder is None:
        return False
    header = _header_of(Path(folder) / FILE)
    return header is not None and _fits(header, token)


def load(store) -> Saved | None:
    """The index saved for the store's current content, or None (no copy, another content,
    other code, or a copy that cannot be read: the caller compiles)."""
    token, folder = store.content_token(), store.cache_folder()
    if token is None or folder is None:
        return None
    started = time.perf_counter()
    found = _read(Path(folder) / FILE, token)
    if found is None:
        return None
    pair, state = found
    index = PolicyIndex()
    index.__dict__.update(state["index"])
    index._annotation_source = _store_annotations(store)
    log.info("policy index loaded from %s in %.2f s", Path(folder) / FILE, time.perf_counter() - started)
    return Saved(index, state["known_terms"], token, pair)


def load_refresh_parts(store, saved: Saved) -> bool:
    """Give `saved.index` what bringing it up to date after writes needs, from the file saved
    with it (the same token: the same content, whatever was written since); False if there
    is none that fits."""
    folder = store.cache_folder()
    if folder is None:
        return False
    found = _read(Path(folder) / REFRESH_FILE, saved.token, saved.pair)
    if found is None:
        return False
    parts = found[1]
    for k in REFRESH_PARTS:
        setattr(saved.index, k, parts[k])
    return True


def _read(path: Path, token: str, pair: str | None = None):
    """(pair id, state) of a file saved for `token` by this code (and, given, that pair id), or None."""
    try:
        with open(path, "rb") as f:
            header = json.loads(f.readline())
            if not _fits(header, token) or (pair is not None and header["pair"] != pair):
                return None
            data = f.read()
        was_enabled = gc.isenabled()
        gc.disable()               # a million small objects: the collector would triple the time
        try:
            state = pickle.loads(data)
            # and out of the collector's sight until the process has settled (decision_service.py
            # unfreezes): else the first full collection, soon after, walks them all again (0.7 s)
            gc.freeze()
        finally:
            del data
            if was_enabled:
                gc.enable()
        return header["pair"], state
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a damaged copy is compiled again, never trusted
        log.warning("the saved policy index %s could not be read (%s); compiling the policies", path, exc)
        return None
