"""SPARQL 1.1 Update through the SHACL gate.

An update is first applied to a snapshot of the store (Oxigraph backups are hard links,
so a snapshot is instant); the difference between snapshot and store is the update's
effect. The nodes it touches, and the nodes that point at them, are validated against the
shapes on the updated snapshot. Only a valid update is then applied to the store itself,
under the write lock, so that the store ends up exactly as the validated snapshot.

Cost: the difference is computed by comparing the two datasets, linear in the size of the
store (about 2-3 s per million quads). docs/updating.md explains the trade-off.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from . import changes, provenance
from .loading import LoadRejected
from .namespaces import PROVENANCE_GRAPH, SYSTEM_GRAPHS
from .store.base import Store, scope_graph_management
from .store.embedded import EmbeddedStore
from .system_graphs import default_gate, ontology_store

# One writer at a time per process: validation and commit see the same state, and two
# concurrent writers never lose each other's update.
WRITE_LOCK = threading.RLock()


class UpdateRejected(ValueError):
    """The update is not allowed (e.g. it writes a system graph) or not supported here."""


@dataclass
class UpdateResult:
    inserted: int
    deleted: int
    graphs: dict[NamedNode, int]   # net triples added (negative: removed) per graph
    report: object
    seconds: float


def apply_update(store: Store, sparql: str, *, agent: str | None = None, gate=None,
                 base_iri: str | None = None,
                 guard: Callable[[list[ox.Quad], list[ox.Quad]], None] | None = None) -> UpdateResult:
    """Validate and apply a SPARQL 1.1 Update; raises SyntaxError, LoadRejected or
    UpdateRejected and then changes nothing. `guard(added, removed)` sees the update's
    effect before validation and refuses it by raising UpdateRejected."""
    embedded = isinstance(store, EmbeddedStore)
    started = provenance.now()
    t0 = time.perf_counter()
    with WRITE_LOCK:
        data_graphs = [g.value for g in store.graphs() if g not in SYSTEM_GRAPHS]
        sparql = scope_graph_management(sparql, data_graphs)
        with tempfile.TemporaryDirectory(prefix="rg-update-", dir=_scratch_dir(store)) as tmp:
            if embedded:
                before, snapshot = store.raw, _snapshot(store, Path(tmp) / "snap")
            else:  # a remote store: work on a local copy, then replay the difference
                before = ox.Store()
                before.load(store.dump(RdfFormat.N_QUADS), RdfFormat.N_QUADS)
                snapshot = ox.Store()
                snapshot.bulk_extend(before.quads_for_pattern(None, None, None, None))
            try:
                snapshot.update(sparql, base_iri=base_iri)
                added, removed = _difference(before, snapshot)
                if guard is not None:
                    guard(added, removed)
                touched = {q.graph_name for q in added + removed}
                system = sorted(g.value for g in touched if g in SYSTEM_GRAPHS)
                if system:
                    raise UpdateRejected(f"the update writes {', '.join(system)}: the ontology, shapes and "
                                         "provenance graphs are managed by rightsgraph")
                report = _validate_effect(snapshot, added, removed, gate)
                if report is not None and report.has_violations:
                    raise LoadRejected(report, ["SPARQL Update"])
                if not added and not removed:
                    return UpdateResult(0, 0, {}, report, time.perf_counter() - t0)
                if embedded:
                    store.update(sparql, base_iri=base_iri)
                else:
                    _replay(store, snapshot, added, removed)
            finally:
                before = snapshot = None  # close the snapshot before its folder goes
        net: dict[NamedNode, int] = {}
        for q in added:
            net[q.graph_name] = net.get(q.graph_name, 0) + 1
        for q in removed:
            net[q.graph_name] = net.get(q.graph_name, 0) - 1
        named = {g: n for g, n in net.items() if isinstance(g, NamedNode)}
        totals = {g: store.count(g) for g in named}
        if named:
            store.update(provenance.stale_graph_facts_update(named))
        store.add_quads(provenance.load_record(
            agent=agent or provenance.default_agent(), started=started, ended=provenance.now(),
            sources=[], loaded=named, totals=totals, replaced=False, via="sparql-update"))
        changes.bump()
    return UpdateResult(len(added), len(removed), named, report, time.perf_counter() - t0)


def _scratch_dir(store) -> str | None:
    # Hard-linked backups need the same file system as the store.
    return str(store.path.parent) if getattr(store, "path", None) is not None else None


def _replay(store: Store, after: ox.Store, added, removed) -> None:
    """Apply a validated difference to a remote store: DELETE DATA / INSERT DATA in one
    request where that is exact; a graph losing blank-node triples (which DELETE DATA
    cannot name) is replaced whole through the Graph Store Protocol; an emptied graph is
    dropped."""
    graphs = {q.graph_name for q in added + removed}
    ops, replace = [], []
    for g in graphs:
        gone = [q for q in removed if q.graph_name == g]
        new = [q for q in added if q.graph_name == g]
        named = isinstance(g, NamedNode)
        if named and not any(True for _ in after.quads_for_pattern(None, None, None, g)):
            ops.append(f"DROP SILENT GRAPH <{g.value}>")
        elif any(isinstance(t, ox.BlankNode) for q in gone for t in (q.subject, q.object)):
            replace.append(g)
        else:
            wrap = (lambda body: f"GRAPH <{g.value}> {{ {body} }}") if named else (lambda body: body)
            for verb, quads in (("DELETE DATA", gone), ("INSERT DATA", new)):
                if quads:
                    body = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                                        format=RdfFormat.N_TRIPLES).decode()
                    ops.append(f"{verb} {{ {wrap(body)} }}")
    if ops:
        store.update(" ;\n".join(ops))
    for g in replace:
        data = after.dump(format=RdfFormat.N_TRIPLES, from_graph=g)
        store.load_bytes(data, RdfFormat.N_TRIPLES, g if isinstance(g, NamedNode) else None, replace=True)


def _snapshot(store: EmbeddedStore, target: Path) -> ox.Store:
    if store.path is not None:
        store.raw.backup(str(target))
        return ox.Store(str(target))
    copy = ox.Store()
    copy.bulk_extend(store.raw.quads_for_pattern(None, None, None, None))
    return copy


def _difference(before: ox.Store, after: ox.Store) -> tuple[list[ox.Quad], list[ox.Quad]]:
    old = set(before.dump(format=RdfFormat.N_QUADS).splitlines())
    new = set(after.dump(format=RdfFormat.N_QUADS).splitlines())
    added = b"\n".join(new - old)
    removed = b"\n".join(old - new)
    parse = lambda data: list(ox.parse(data, RdfFormat.N_QUADS)) if data else []  # noqa: E731
    return parse(added), parse(removed)


def _validate_effect(snapshot: ox.Store, added, removed, gate):
    """Validate, on the updated snapshot, every node the update touched and every node
    that points at one of them (a deleted type can break a reference elsewhere)."""
    if not added and not removed:
        return None
    touched = set()
    for q in added + removed:
        touched.add(q.subject)
        if isinstance(q.object, (NamedNode, ox.BlankNode)):
            touched.add(q.object)
    named = [n for n in touched if isinstance(n, NamedNode)]
    referrers = set()
    for i in range(0, len(named), 500):
        values = " ".join(f"<{n.value}>" for n in named[i:i + 500])
        for row in snapshot.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"):
            referrers.add(row["s"])
    staging = ox.Store()
    nodes = touched | referrers
    for node in nodes:
        for q in snapshot.quads_for_pattern(node, None, None, None):
            if q.graph_name not in SYSTEM_GRAPHS and isinstance(q.graph_name, NamedNode):
                staging.add(q)
    if len(staging) == 0:
        return None  # everything the update touched is gone: nothing left to check
    gate = gate or default_gate()
    return gate.validate(staging, context=EmbeddedStore.wrap(snapshot), ontology=ontology_store())


__all__ = ["apply_update", "UpdateResult", "UpdateRejected", "WRITE_LOCK"]
