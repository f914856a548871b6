"""The store port of a reader process: the newest published snapshot, read-only.

The embedded Oxigraph store has one writer process. To serve reads from several processes,
the writer publishes a consistent snapshot after each commit (store/snapshots.py) and
names the newest one in `published/CURRENT`; readers open the named snapshot read-only
and move to a newer one when CURRENT changes. A reader sees a committed state, never a
half-written one, and is never blocked by the writer.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox

from .. import write_generation
from .base import StoreError
from .embedded import EmbeddedStore
from .snapshots import changed_between, content_token_of, published_dir


class SnapshotStore(EmbeddedStore):
    """The newest published snapshot, opened read-only; writes are refused."""

    def __init__(self, store_path: str | os.PathLike):
        self._root = published_dir(Path(store_path))
        self._lock = threading.Lock()
        self._current_name: str | None = None
        self.path = None
        self._store = None
        self._start_stamping(None)     # read-only: never written (its content tokens: below)
        self._live = Path(store_path)
        self._tokens: dict = {}
        self._held, self._held_inode = None, None     # the CURRENT file last read, kept open
        self.refresh(force=True)

    def catch_up(self) -> None:
        self.refresh()

    # Content tokens: a published snapshot never changes, and holds the content named by the
    # token the writer had when it published it (store/snapshots.publish), if any: the reader
    # may use, and save, the compiled policies for that token in the live store's folder.
    def write_mark(self):
        return self._current_name

    def issue_content_token(self, mark) -> str | None:
        return self.content_token() if mark is not None and mark == self._current_name else None

    def content_token(self) -> str | None:
        return self._token_of(self._current_name)

    def _token_of(self, name: str | None) -> str | None:
        cached = self._tokens.get(name, False)
        if cached is False:
            cached = self._tokens[name] = content_token_of(self._root, name)
        return cached

    def cache_folder(self):
        return self._live

    def refresh(self, force: bool = False) -> None:
        # Look at CURRENT on every access: the writer publishes before it answers a write, so a
        # client reads its own writes through any reader process. The writer replaces the file
        # (a rename), never rewrites it, and the one last read is kept open, so its inode cannot
        # be reused: CURRENT is unchanged while it is still that inode, one stat() (3 µs, where
        # reading the file took 12, on every access of every decision).
        current = self._root / "CURRENT"
        try:
            if not force and os.stat(current).st_ino == self._held_inode:
                return
            held = open(current, "rb")
        except OSError as exc:
            raise StoreError(f"no published snapshot in {self._root}: {exc}") from None
        name = held.read().decode("utf-8").strip()
        self._held, previous = held, self._held
        self._held_inode = os.fstat(held.fileno()).st_ino
        if previous is not None:
            previous.close()
        if name == self._current_name:
            return
        with self._lock:
            if name != self._current_name:
                graphs = changed_between(self._root, self._current_name, name)
                self._store = ox.Store.read_only(str(self._root / name))
                self.path = self._root / name
                self._current_name = name
                write_generation.bump(graphs)  # caches (policy index, graph catalogue) follow the new state

    def published_snapshot(self):
        self.refresh()
        path = self.path        # one read: refresh() may move on meanwhile
        return path, self._token_of(path.name)

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
        if self._held is not None:
            self._held.close()
            self._held, self._held_inode = None, None


class VouchedSnapshot(EmbeddedStore):
    """A snapshot opened read-only whose content the store it was taken from vouched for with
    a content token (a query worker's: serving/query_pool.py). Decisions in it load the
    policies compiled for that token from the live store's folder instead of compiling them
    again (policy/index_cache.py); it never writes a copy."""

    @classmethod
    def open(cls, path: str | os.PathLike, token: str, live_folder: str | os.PathLike) -> "VouchedSnapshot":
        self = cls.wrap(ox.Store.read_only(str(path)), Path(path))
        self._vouched, self._live = token, Path(live_folder)
        return self

    # never written: the mark never moves, and the token stays the one it was opened with
    def write_mark(self):
        return 0

    def issue_content_token(self, mark) -> str | None:
        return self._vouched if mark == 0 else None

    def content_token(self) -> str | None:
        return self._vouched

    def cache_folder(self):
        return self._live
