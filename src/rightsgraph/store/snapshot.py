"""Read-only views of the embedded store for reader processes.

The embedded Oxigraph store has one writer process. To serve reads from several processes,
the writer publishes a consistent snapshot after each commit (an Oxigraph backup: hard
links, no copy) and names the newest one in `<snapshots>/CURRENT`; readers open the named
snapshot read-only and move to a newer one when CURRENT changes. A reader sees a
committed state, never a half-written one, and is never blocked by the writer.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

import pyoxigraph as ox

from .. import write_generation
from .base import StoreError
from .embedded import EmbeddedStore

CHANGES = ".changes.json"   # beside each snapshot: the one before it and the graphs changed since
KEEP = 4            # snapshots kept besides CURRENT, for readers still on an older one
GRACE_SECONDS = 30  # and never removed younger than this


def snapshot_dir(store_path: Path) -> Path:
    return Path(store_path).parent / "published"


def publish(store: EmbeddedStore, graphs=None) -> Path:
    """Write a snapshot of `store` and make it CURRENT; prune old ones. `graphs`: the named
    graphs changed since the previous snapshot (None: not known), written beside the
    snapshot so that readers moving to it can tell their caches what changed."""
    root = snapshot_dir(store.path)
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{time.time_ns()}-{uuid.uuid4().hex[:6]}"
    store.backup(target)
    try:
        previous = (root / "CURRENT").read_text().strip()
    except OSError:
        previous = None
    changes = {"after": previous, "graphs": None if graphs is None else sorted(graphs)}
    (root / f"{target.name}{CHANGES}").write_text(json.dumps(changes))
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(target.name)
    tmp.replace(root / "CURRENT")
    snaps = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    now = time.time()
    for old in snaps[:-KEEP - 1]:
        if now - old.stat().st_mtime > GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
            (root / f"{old.name}{CHANGES}").unlink(missing_ok=True)
    return target


def publisher(store: EmbeddedStore):
    """A write listener (write_generation.on_change) publishing a snapshot after each write,
    with the graphs the writes since the previous one changed."""
    state = {"gen": write_generation.generation()}

    def on_write() -> None:
        graphs = write_generation.graphs_since(state["gen"])
        state["gen"] = write_generation.generation()
        publish(store, graphs)
    return on_write


def changed_between(root: Path, old: str | None, new: str) -> frozenset | None:
    """The graphs changed from snapshot `old` to snapshot `new` (following each snapshot's
    record back to `old`), or None when a step is not known."""
    out: set = set()
    name = new
    for _ in range(10_000):
        if name == old:
            return frozenset(out)
        try:
            changes = json.loads((root / f"{name}{CHANGES}").read_text())
        except (OSError, ValueError):
            return None
        if changes.get("graphs") is None or old is None:
            return None
        out.update(changes["graphs"])
        name = changes.get("after")
        if name is None:
            return None
    return None


class SnapshotStore(EmbeddedStore):
    """The newest published snapshot, opened read-only; writes are refused."""

    def __init__(self, store_path: str | os.PathLike):
        self._root = snapshot_dir(Path(store_path))
        self._lock = threading.Lock()
        self._current_name: str | None = None
        self.path = None
        self._store = None
        self.refresh(force=True)

    def catch_up(self) -> None:
        self.refresh()

    def refresh(self, force: bool = False) -> None:
        # Read CURRENT on every access (a few microseconds): the writer publishes before it
        # answers a write, so a client reads its own writes through any reader process.
        try:
            name = (self._root / "CURRENT").read_text().strip()
        except OSError as exc:
            raise StoreError(f"no published snapshot in {self._root}: {exc}") from None
        if name == self._current_name:
            return
        with self._lock:
            if name != self._current_name:
                graphs = changed_between(self._root, self._current_name, name)
                self._store = ox.Store.read_only(str(self._root / name))
                self.path = self._root / name
                self._current_name = name
                write_generation.bump(graphs)  # caches (policy index, graph catalogue) follow the new state

    @property
    def raw(self) -> ox.Store:
        return self._native()

    def _native(self) -> ox.Store:
        self.refresh()
        return self._store

    def query(self, sparql, **kwargs):
        self.refresh()
        return super().query(sparql, **kwargs)

    def quads(self, graph=None):
        self.refresh()
        return super().quads(graph)

    def graphs(self):
        self.refresh()
        return super().graphs()

    def count(self, graph=None):
        self.refresh()
        return super().count(graph)

    def dump(self, fmt, graph=None, prefixes=None):
        self.refresh()
        return super().dump(fmt, graph, prefixes)

    def _read_only(self, *args, **kwargs):
        raise StoreError("this process reads a snapshot; writes go to the writer process")

    update = load_bytes = load_file = add_quads = clear_graph = commit = _read_only

    def close(self) -> None:
        self._store = None
