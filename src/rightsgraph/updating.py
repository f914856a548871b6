"""SPARQL 1.1 Update through the SHACL gate.

An update is first applied to a snapshot of the store (Oxigraph backups are hard links,
so a snapshot is instant); the difference between snapshot and store is the update's
effect. The nodes it touches, and the nodes that point at them, are validated against the
shapes on the updated snapshot. Only a valid difference is then committed to the store
itself, under the write lock, as a change set with its provenance record: the store ends
up exactly as the validated snapshot, and the update text is never run twice.

Cost: the difference is computed by comparing the two datasets, linear in the size of the
store (about 2-3 s per million quads). docs/updating.md explains the trade-off.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from . import write_generation, provenance
from .input_limits import check_sparql
from .loading import LoadRejected
from .namespaces import SYSTEM_GRAPHS
from .store.base import Store, has_blank_node, scope_graph_management
from .store.changeset import ChangeSet
from .store.embedded import EmbeddedStore
from .store.snapshots import shared_snapshots
from .system_graphs import default_gate, ontology_store
from .update_effect import NeedsCopy, effect_by_queries
from .update_view import view_after

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
    """Validate and apply a SPARQL 1.1 Update; raises SyntaxError, LoadRejected,
    UpdateRejected or input_limits.InputRefused (nested too deep for the engine's parser,
    which would overflow its stack) and then changes nothing.

    The update runs once, on a snapshot. What the store receives is the difference it made
    there, exactly as validated (store/changeset.py): an update with RAND(), UUID(), NOW(),
    BNODE() or LOAD is never run a second time with another outcome. `guard(added, removed)`
    sees the effect before validation and refuses it by raising UpdateRejected."""
    check_sparql(sparql)     # the doors check first; a direct caller is bounded here
    started = provenance.now()
    t0 = time.perf_counter()
    with WRITE_LOCK:
        sparql = scope_graph_management(
            sparql, lambda: [g.value for g in store.graphs() if g not in SYSTEM_GRAPHS])
        tried = None
        if not store.copies_cheaply:
            try:
                tried = _try_by_queries(store, sparql, base_iri, guard, gate)
            except NeedsCopy:
                tried = None      # docs/remote-store.md: the cases that need the copy
        if tried is None:
            tried = _try_on_a_copy(store, sparql, base_iri, guard, gate)
        added, removed, report, change = tried
        if change is None:
            return UpdateResult(0, 0, {}, report, time.perf_counter() - t0)
        net: dict[NamedNode, int] = {}
        for q in added:
            net[q.graph_name] = net.get(q.graph_name, 0) + 1
        for q in removed:
            net[q.graph_name] = net.get(q.graph_name, 0) - 1
        named = {g: n for g, n in net.items() if isinstance(g, NamedNode)}
        change.record = provenance.LoadRecord.new(agent=agent, started=started, loaded=named, replaced=False,
                                                  via="sparql-update")
        store.commit(change)
        write_generation.bump({q.graph_name for q in (*added, *removed) if isinstance(q.graph_name, NamedNode)})
    return UpdateResult(len(added), len(removed), named, report, time.perf_counter() - t0)


def _try_on_a_copy(store: Store, sparql: str, base_iri, guard, gate):
    """(added, removed, report, change set or None): the update run once on a private copy,
    its effect the difference between copy and store."""
    with _scratch(store) as folder:
        before, snapshot = store.trial_copies(folder)
        try:
            snapshot.update(sparql, base_iri=base_iri)
            added, removed = _difference(before, snapshot)
            report = _check_effect(snapshot, added, removed, guard, gate)
            if not added and not removed:
                return added, removed, report, None
            touched = {q.graph_name for q in added + removed if isinstance(q.graph_name, NamedNode)}
            dropped = {g for g in touched if before.contains_named_graph(g) and not snapshot.contains_named_graph(g)}
            return added, removed, report, _change_set(
                store, dropped, added, removed, lambda g: snapshot.quads_for_pattern(None, None, None, g))
        finally:
            before = snapshot = None  # close the snapshot before its folder goes


def _try_by_queries(store: Store, sparql: str, base_iri, guard, gate):
    """The same, for a store that would have to be downloaded to be copied: the effect worked
    out by queries (update_effect.py), validated on a local view of just the nodes it touches
    as the update leaves them (update_view.py). Raises NeedsCopy where that cannot be done."""
    effect = effect_by_queries(store, sparql, base_iri)
    added, removed = effect.added, effect.removed
    view = view_after(store, effect) if added or removed else ox.Store()
    report = _check_effect(view, added, removed, guard, gate)
    if not added and not removed:
        return added, removed, report, None
    # named graphs emptied whole are replaced; the default graph loses its quads one by one
    # (some engines have no default graph of their own to drop: Virtuoso)
    emptied = {g for g in effect.cleared if isinstance(g, NamedNode)}
    return added, removed, report, _change_set(store, emptied, added, removed,
                                               lambda g: effect.cleared.get(g, []))


def _check_effect(after: ox.Store, added, removed, guard, gate):
    """The guard's and the gate's word on an effect; raises UpdateRejected or LoadRejected."""
    if guard is not None:
        guard(added, removed)
    touched = {q.graph_name for q in added + removed}
    system = sorted(g.value for g in touched if g in SYSTEM_GRAPHS)
    if system:
        raise UpdateRejected(f"the update writes {', '.join(system)}: the ontology, shapes and "
                             "provenance graphs are managed by rightsgraph")
    report = _validate_effect(after, added, removed, gate)
    if report is not None and report.has_violations:
        raise LoadRejected(report, ["SPARQL Update"])
    return report


def _scratch(store):
    """Where the trial copy goes: beside the store (a hard-linked backup needs its file
    system), removed after; a store with no folder here is copied into memory instead."""
    if store.path is None:
        return contextlib.nullcontext(None)
    return shared_snapshots(Path(store.path).parent, "update").scratch()


def _change_set(store: Store, clear: set, added, removed, content_after) -> ChangeSet:
    """The validated difference as a change set. The graphs in `clear` (dropped, or emptied
    whole) are replaced by their content after the update (`content_after(graph)`; nothing,
    when dropped), not left as empty names. A remote store cannot name blank nodes in DELETE
    DATA, so there a graph losing blank-node triples is replaced whole too."""
    if not store.keeps_blank_nodes:
        clear = clear | {q.graph_name for q in removed if has_blank_node(q)}
    add = [q for q in added if q.graph_name not in clear]
    for g in clear:
        add += content_after(g)
    return ChangeSet(clear=sorted(clear, key=lambda g: getattr(g, "value", "")),
                     remove=[q for q in removed if q.graph_name not in clear], add=add)


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
