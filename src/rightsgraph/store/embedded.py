"""Embedded Oxigraph (pyoxigraph) on disk: the default store."""

from __future__ import annotations

import itertools
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from . import content_stamp, journal
from .base import Store, StoreError, as_predicate_list
from .changeset import ChangeSet
from .. import sparql_parsing   # the module: it imports store.base, which imports this package

DEFAULT_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "rightsgraph"


def default_data_dir() -> Path:
    return Path(os.environ.get("RIGHTSGRAPH_DATA") or DEFAULT_DATA_DIR)


class JournalEntryFailed(StoreError):
    """A committed write in the journal cannot be applied; the store stays closed."""

    def __init__(self, entry: Path, reason: str):
        self.entry, self.reason = entry, reason
        super().__init__(f"the journal entry {entry} cannot be applied: {reason}")


class EmbeddedStore(Store):
    """pyoxigraph.Store at `path`; `path=None` keeps everything in memory (tests, staging)."""

    def __init__(self, path: str | os.PathLike | None = None, *, set_aside_journal: bool = False):
        self.path = Path(path) if path is not None else None
        try:
            if self.path is None:
                self._store = ox.Store()
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot open the store at {self.path}: {exc}") from exc
        self._start_stamping(self.path)
        try:
            self.recover(set_aside=set_aside_journal)     # a replayed write removes the token
        except BaseException:
            del self._store     # let RocksDB's lock go: the caller gets the error, not a locked store
            raise

    def recover(self, *, set_aside: bool = False) -> int:
        """Finish the writes a killed process left in the journal; returns how many. An
        entry that cannot be applied raises JournalEntryFailed, or with `set_aside` is
        moved out of the journal (listed in `self.set_aside_entries`)."""
        self.set_aside_entries: list[tuple[Path, str]] = []
        if self.path is None:
            return 0
        entries = journal.pending(journal.journal_dir(self.path))
        done = 0
        for entry in entries:
            try:
                self._apply(journal.read(entry))
            except Exception as exc:  # noqa: BLE001 - a damaged entry fails in many ways
                reason = f"{type(exc).__name__}: {exc}"
                if not set_aside:
                    raise JournalEntryFailed(entry, reason) from exc
                self.set_aside_entries.append((journal.set_aside(entry, self.path), reason))
                continue
            journal.discard(entry)
            done += 1
        return done

    @classmethod
    def wrap(cls, raw: ox.Store, path: Path | None = None) -> "EmbeddedStore":
        """The port over an already open pyoxigraph store (snapshots, scratch stores)."""
        self = cls.__new__(cls)
        self.path = path
        self._store = raw
        self._start_stamping(None)
        return self

    @property
    def raw(self) -> ox.Store:
        """The pyoxigraph store underneath, for tests and benchmarks that fill a store at
        native speed. Product code goes through the port (tests/test_store_port.py checks).
        Whoever holds it may write unseen: the store no longer vouches for its content."""
        with self._writing():
            self._stamping = False
        return self._native()

    # -- content tokens (store/content_stamp.py) -------------------------------------------
    def _start_stamping(self, folder: Path | None) -> None:
        self._stamp_lock = threading.Lock()
        self._stamping = folder is not None
        self._token = content_stamp.read(folder) if folder is not None else None
        self._writes = 0        # writes begun (a mark is only taken with none under way)
        self._active = 0        # writes under way

    @contextmanager
    def _writing(self):
        """Around every write: the token goes (durably) before the store changes."""
        with self._stamp_lock:
            self._active += 1
            self._writes += 1
            if self._token is not None:
                self._token = None
                content_stamp.remove(self.path)
        try:
            yield
        finally:
            with self._stamp_lock:
                self._active -= 1

    def write_mark(self):
        with self._stamp_lock:
            return self._writes if self._stamping and not self._active else None

    def issue_content_token(self, mark) -> str | None:
        with self._stamp_lock:
            if not self._stamping or self._active or mark is None or mark != self._writes:
                return None
            if self._token is None:
                self._token = content_stamp.write(self.path)
            return self._token

    def content_token(self) -> str | None:
        return self._token if self._stamping else None

    def cache_folder(self):
        return self.path if self._stamping else None

    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None,
              custom_functions=None, base_iri=None):
        kwargs = {}
        if default_graph is not None:
            kwargs["default_graph"] = list(default_graph)
        elif sparql_parsing.dataset_clauses(sparql) is None:
            # Oxigraph ignores FROM when asked for the union, so only ask when there is none.
            kwargs["use_default_graph_as_union"] = True
        if named_graphs is not None:
            kwargs["named_graphs"] = list(named_graphs)
        if substitutions:
            kwargs["substitutions"] = substitutions
        if custom_functions:
            kwargs["custom_functions"] = custom_functions
        return self._store.query(sparql, base_iri=base_iri, **kwargs)

    def update(self, sparql, *, base_iri=None):
        with self._writing():
            self._store.update(sparql, base_iri=base_iri)

    def quads(self, graph=None) -> Iterator[Quad]:
        return iter(self._store.quads_for_pattern(None, None, None, graph))

    def quads_matching(self, subject=None, predicate=None, obj=None, graphs=None, *, limit=None):
        native = self._native()
        preds = as_predicate_list(predicate) or [None]
        where = [None] if graphs is None else list(graphs)
        found = itertools.chain.from_iterable(native.quads_for_pattern(subject, p, obj, g)
                                              for p in preds for g in where)
        return itertools.islice(found, limit) if limit is not None else found

    def quads_with_predicates(self, keep, graphs) -> Iterator[Quad]:
        native, graphs = self._native(), list(graphs)
        named = " ".join(str(g) for g in graphs if isinstance(g, NamedNode))
        patterns = [f"{{ VALUES ?g {{ {named} }} GRAPH ?g {{ ?s ?p ?o }} }}"]
        if any(isinstance(g, ox.DefaultGraph) for g in graphs):
            patterns.append("{ ?s ?p ?o }")
        if any(isinstance(g, ox.BlankNode) for g in graphs):     # blank nodes cannot go in VALUES
            patterns.append("{ GRAPH ?g { ?s ?p ?o } FILTER(isBlank(?g)) }")
        wanted = [r["p"] for r in native.query(f"SELECT DISTINCT ?p WHERE {{ {' UNION '.join(patterns)} }}")
                  if keep(r["p"])]
        return itertools.chain.from_iterable(native.quads_for_pattern(None, p, None, g)
                                             for p in wanted for g in graphs)

    def backup(self, target) -> None:
        self._native().backup(str(target))

    def trial_copies(self, folder) -> tuple[ox.Store, ox.Store]:
        if self.path is None:
            return self._native(), super().trial_copies(folder)[1]
        self.backup(folder)        # hard-linked: seconds, not minutes, at 1M triples
        return self._native(), ox.Store(str(folder))

    keeps_blank_nodes = True
    copies_cheaply = True
    sees_every_write = True
    runs_custom_functions = True

    def _native(self) -> ox.Store:
        return self._store

    def graphs(self) -> list[NamedNode]:
        return sorted((g for g in self._store.named_graphs() if isinstance(g, NamedNode)),
                      key=lambda g: g.value)

    def has_graph(self, graph: NamedNode) -> bool:
        return self._store.contains_named_graph(graph)

    def count(self, graph=None) -> int:
        if graph is None:
            return len(self._store)
        rows = self._store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
        return int(next(iter(rows))["n"].value)

    def load_bytes(self, data, fmt, graph=None, *, replace=False, base_iri=None):
        with self._writing():
            self._load_bytes(data, fmt, graph, replace, base_iri)

    def _load_bytes(self, data, fmt, graph, replace, base_iri):
        if replace and graph is not None:
            # Callers pass data that was already parsed and validated, so the load that
            # follows cannot fail on syntax and leave the graph half-replaced.
            self.clear_graph(graph)
        kwargs = {"to_graph": graph} if graph is not None and not _is_quad_format(fmt) else {}
        if len(data) > 1_000_000:
            self._store.bulk_load(data, fmt, base_iri=base_iri, **kwargs)
        else:
            self._store.load(data, fmt, base_iri=base_iri, **kwargs)

    def load_file(self, path, fmt, graph=None, *, base_iri=None):
        # From a path Oxigraph parses N-Triples/N-Quads on several threads: about twice as
        # fast as from bytes for large files.
        kwargs = {"to_graph": graph} if graph is not None and not _is_quad_format(fmt) else {}
        with self._writing():
            self._store.bulk_load(path=str(path), format=fmt, base_iri=base_iri, **kwargs)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        quads = list(quads)
        with self._writing():
            self._store.extend(quads)

    def commit(self, change: ChangeSet) -> None:
        if self.path is None:    # in memory: nothing survives a crash anyway
            self._apply(change)
            return
        entry = journal.write(journal.journal_dir(self.path), change)
        durable = journal.read(entry) if change.files else change   # bulk-load the journal's copies
        self._apply(ChangeSet(change.clear, change.remove, change.add, durable.files, change.record))
        journal.discard(entry)

    def _apply(self, change: ChangeSet) -> None:
        """Apply each step; every one is idempotent, so a replay after a crash is safe."""
        with self._writing():
            self._apply_steps(change)

    def _apply_steps(self, change: ChangeSet) -> None:
        for graph in change.clear:
            self.clear_graph(graph)
        for quad in change.remove:
            self._store.remove(quad)
        for f in change.files:
            kwargs = {"to_graph": f.graph} if f.graph is not None and not _is_quad_format(f.fmt) else {}
            kwargs.update({"input": f.data} if f.data is not None else {"path": str(f.path)})
            size = len(f.data) if f.data is not None else f.path.stat().st_size
            # From a path Oxigraph parses N-Triples/N-Quads on several threads.
            load = self._store.bulk_load if size > 1_000_000 else self._store.load
            load(format=f.fmt, base_iri=f.base_iri, **kwargs)
        if len(change.add) > 100_000:
            self._store.bulk_extend(change.add)
        elif change.add:
            self._store.extend(change.add)
        if change.record is not None:
            self._store.update(change.record.retract_update())
            totals = {g: self.count(g) for g in change.record.graphs()}
            self._store.extend(change.record.quads(totals))

    def clear_graph(self, graph):
        with self._writing():
            if isinstance(graph, ox.DefaultGraph):
                self._store.clear_graph(graph)
            elif self._store.contains_named_graph(graph):
                self._store.remove_graph(graph)

    def dump(self, fmt, graph=None, prefixes=None) -> bytes:
        kwargs = {"prefixes": prefixes} if prefixes and fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else {}
        if graph is not None:
            return self._store.dump(format=fmt, from_graph=graph, **kwargs)
        return self._store.dump(format=fmt, **kwargs)

    def close(self) -> None:
        """Flush and release the store (and its directory lock) once nothing else refers to it."""
        if self._store is not None and self.path is not None:
            self._store.flush()
        self._store = None



def _is_quad_format(fmt: RdfFormat) -> bool:
    return fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG)


def open_store(data_dir: str | os.PathLike | None = None, *, set_aside_journal: bool = False) -> EmbeddedStore:
    """Open the store in `<data_dir>/store` (data_dir: the argument, RIGHTSGRAPH_DATA or the
    default). The data directory also holds the accounts file (accounts.py)."""
    return EmbeddedStore(Path(data_dir or default_data_dir()) / "store", set_aside_journal=set_aside_journal)
