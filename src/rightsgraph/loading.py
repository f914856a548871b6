"""Validated, all-or-nothing loading: parse -> stage -> SHACL gate -> commit -> provenance.

Every write path (CLI load, and later SPARQL Update, Graph Store, harvest, term sheets)
goes through `commit_staged` so that nothing reaches the store without passing the shapes.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from . import write_generation, provenance
from .namespaces import GRAPH_BASE, SYSTEM_GRAPHS
from .parsing import RdfSyntaxError, SourceFile, parse_into, read_source, unchanged_on_disk
from .rdf_formats import format_for_path, is_quad_format
from .store.base import Store
from .store.changeset import ChangeSet, FileLoad
from .system_graphs import default_gate, ontology_store

PROGRESS_THRESHOLD = 4 * 1024 * 1024  # files above this size get a progress bar


class LoadRejected(Exception):
    """The data failed validation; `report` is the ValidationReport. Nothing was stored."""

    def __init__(self, report, sources: list[str]):
        self.report = report
        self.sources = sources
        n = sum(1 for r in report.results if r.severity.endswith("Violation"))
        super().__init__(f"{', '.join(sources)}: {n} SHACL violation(s); nothing was loaded")


class ProtectedGraph(ValueError):
    """A load tried to write into a graph the product owns (ontology, shapes, provenance)."""


@dataclass
class LoadResult:
    graphs: dict[NamedNode, int]           # triples this load put into each graph
    sources: list[provenance.SourceRecord]
    report: object                         # the ValidationReport (may hold warnings)
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def graph_for_file(path: Path) -> NamedNode:
    """Default graph of a file: `<GRAPH_BASE>data/<file name without extensions>`."""
    stem = path.name.split(".")[0]
    return NamedNode(f"{GRAPH_BASE}data/{stem}")


def load_files(store: Store, paths: Iterable[str | Path], *, graph: str | NamedNode | None = None,
               replace: bool = False, fmt: str | None = None, agent: str | None = None,
               gate=None, progress: bool = False, base_iri: str | None = None,
               graph_for: Callable[[Path], NamedNode] = None) -> LoadResult:
    """Load RDF files as one all-or-nothing unit.

    Raises RdfSyntaxError (file, line, column) or LoadRejected (validation report); in both
    cases the store is unchanged.
    """
    started = provenance.now()
    t0 = time.perf_counter()
    staging = ox.Store()
    sources: list[provenance.SourceRecord] = []
    names: list[str] = []
    target = NamedNode(graph) if isinstance(graph, str) else graph
    reparse = []
    for p in map(Path, paths):
        source = read_source(p, format_for_path(p, fmt))
        g = target or (graph_for or graph_for_file)(p)
        _parse_with_progress(staging, source, g, base_iri, progress)
        sources.append(provenance.SourceRecord(p.name, source.sha256, len(source.data)))
        names.append(str(p))
        reparse.append((source, g, base_iri or p.resolve().as_uri()))
    t_parse = time.perf_counter()
    # JSON-LD is parsed with its remote contexts resolved offline (parsing.parse_into), so
    # the commit must take the parsed quads, never re-read the raw file
    triple_syntaxes = all(not is_quad_format(src.fmt) and src.fmt != RdfFormat.JSON_LD for src, _, _ in reparse)
    result = commit_staged(store, staging, sources=sources, names=names, replace=replace,
                           agent=agent, gate=gate, started=started, via="cli",
                           reparse=reparse if triple_syntaxes else None)
    result.timings["parse"] = t_parse - t0
    result.seconds = time.perf_counter() - t0
    return result


def load_data(store: Store, data: bytes, fmt: RdfFormat, *, name: str, graph,
              replace: bool | set = False, agent: str | None = None, gate=None, via: str = "http",
              base_iri: str | None = None) -> LoadResult:
    """The same gate for RDF that arrives over HTTP (Graph Store Protocol, harvest)."""
    import hashlib
    started = provenance.now()
    staging = ox.Store()
    source = SourceFile(Path("."), data, hashlib.sha256(data).hexdigest(), fmt, display=name)
    parse_into(staging, source, graph, base_iri or getattr(graph, "value", None))
    return commit_staged(store, staging, sources=[provenance.SourceRecord(name, source.sha256, len(data))],
                         names=[name], replace=replace, agent=agent, gate=gate, started=started, via=via)


def commit_staged(store: Store, staging: ox.Store, *, sources, names, replace, agent, gate,
                  started, via, reparse: list | None = None, loaded: dict | None = None,
                  bookkeeping: ChangeSet | None = None) -> LoadResult:
    """Validate `staging` against the shapes and what the store holds, then commit it with
    its provenance record as one change set (crash-safe: store/changeset.py).

    `bookkeeping`: exact quads the caller's own records remove and add (e.g. a harvest's
    state in the provenance graph), committed in the same change set as the data.

    `reparse`: (SourceFile, graph, base IRI) for each file of a triple syntax that makes up
    all of `staging`. The commit then bulk-loads those files into the store, which is much
    faster for large files than copying the staged quads; the parse is deterministic, so
    the store receives exactly what was validated. `loaded` (with `reparse` only): the
    triples per graph of those files when `staging` holds the part of them the gate must
    see and the caller has shown the rest conforms (usage/cube.py)."""
    t0 = time.perf_counter()
    graphs = {g for g in staging.named_graphs() if isinstance(g, NamedNode)}
    exchange = _take_exchange_graph(staging, graphs)
    protected = sorted(g.value for g in graphs if g in SYSTEM_GRAPHS)
    if protected:
        raise ProtectedGraph(f"{', '.join(names)}: cannot load into {', '.join(protected)}: "
                             "the ontology, shapes and provenance graphs are managed by rightsgraph (a full export is "
                             "not a backup: use `rightsgraph restore` for backups, `export --user-graphs` to move data)")
    replaced = graphs if replace is True else set(replace or ())
    gate = gate or default_gate()
    # The graphs being replaced do not count as context: their old content goes away.
    report = gate.validate(staging, context=store, ontology=ontology_store(),
                           context_exclude_graphs=[g for g in replaced if isinstance(g, NamedNode)])
    if report.has_violations:
        raise LoadRejected(report, names)
    t_validate = time.perf_counter()
    partial = loaded is not None       # staging holds a part: only the files may be committed
    if loaded is None:
        loaded = {g: _count(staging, g) for g in graphs}
    # A graph new to the store is emptied first too (a no-op the first time): replaying the
    # change after a crash then cannot add its blank nodes twice.
    existing = set(store.graphs())
    clear = sorted(replaced | {g for g in graphs if g not in existing}, key=lambda g: getattr(g, "value", ""))
    record = provenance.LoadRecord.new(agent=agent, started=started, sources=sources, loaded=loaded,
                                       replaced=bool(replace), via=via)
    change = ChangeSet(clear=clear, record=record)
    appended = [g for g in graphs if g not in clear]
    if partial and (not reparse or exchange or appended):
        raise ValueError("commit_staged: `loaded` is for files bulk-loaded (`reparse`) into replaced graphs")
    if any(_has_blank_nodes(staging, g) for g in appended):
        change.add = list(staging.quads_for_pattern(None, None, None, None))   # exact blank nodes
    elif reparse and not exchange:
        for source, graph, base in reparse:
            on_disk = len(source.data) > 1_000_000 and unchanged_on_disk(source)
            change.files.append(FileLoad(source.path if on_disk else None, source.fmt, graph, base,
                                         None if on_disk else source.data))
    else:
        change.files.append(FileLoad(None, RdfFormat.N_QUADS, None, data=staging.dump(format=RdfFormat.N_QUADS)))
    if exchange:
        from .exchange.shareable import exchange_provenance
        change.add += exchange_provenance(store, exchange, graphs)
    if bookkeeping is not None:
        change.remove += bookkeeping.remove
        change.add += bookkeeping.add
    store.commit(change)
    t_commit = time.perf_counter()
    touched = set(graphs) | set(clear) | {q.graph_name for q in change.add + change.remove}
    # last: listeners (snapshots for readers) see the load with its provenance
    write_generation.bump(g for g in touched if isinstance(g, NamedNode))
    return LoadResult(graphs=loaded, sources=sources, report=report, seconds=0.0,
                      timings={"validate": t_validate - t0, "commit": t_commit - t_validate})


def _has_blank_nodes(staging: ox.Store, graph: NamedNode) -> bool:
    return bool(staging.query(f"ASK {{ GRAPH <{graph.value}> {{ ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }} }}"))


def _take_exchange_graph(staging: ox.Store, graphs: set):
    """Hook for shareable exports (exchange/shareable.py): their exchange graph (dataset
    description + PROV-O records of the source loads) is not data. It is taken out of
    `staging` before the gate and merged into the provenance graph after the commit."""
    from .exchange.shareable import take_exchange_graph
    return take_exchange_graph(staging, graphs)


def _count(staging: ox.Store, graph: NamedNode) -> int:
    rows = staging.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
    return int(next(iter(rows))["n"].value)


def _parse_with_progress(staging: ox.Store, source: SourceFile, graph: NamedNode,
                         base_iri: str | None, progress: bool) -> None:
    if not progress or len(source.data) < PROGRESS_THRESHOLD:
        parse_into(staging, source, graph, base_iri)
        return
    from tqdm import tqdm
    with tqdm(total=len(source.data), unit="B", unit_scale=True, desc=f"parse {source.path.name}",
              leave=False) as bar:
        reader = _ProgressReader(source.data, bar)
        base = base_iri or source.path.resolve().as_uri()
        try:
            if source.fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
                parse_into(staging, source, graph, base_iri)
                bar.update(len(source.data))
            else:
                staging.load(reader, source.fmt, base_iri=base, to_graph=graph)
        except SyntaxError as exc:
            from .parsing import _syntax_error
            raise _syntax_error(source, exc) from None


class _ProgressReader(io.RawIOBase):
    """A byte stream that advances a progress bar as the parser reads it."""

    def __init__(self, data: bytes, bar):
        self._buf = io.BytesIO(data)
        self._bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        n = self._buf.readinto(b)
        self._bar.update(n)
        return n


__all__ = ["load_files", "load_data", "commit_staged", "LoadResult", "LoadRejected",
           "ProtectedGraph", "RdfSyntaxError", "graph_for_file"]
