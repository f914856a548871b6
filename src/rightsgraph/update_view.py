"""A local view of the part of a store an update touches, as the update leaves it.

The SHACL gate checks an update's effect on the nodes it touched and the nodes pointing at
them (updating._validate_effect), with what the store already says about the nodes those
point to (an existing party must still be a party). For a store that is not copied
(update_effect.py), that part is read into a small in-memory store and the effect applied
to it:

1. the touched IRIs and every IRI pointing at one of them: all their triples, with one level
   of blank nodes beneath (a licence's rules); every blank node pointing at one of them:
   its triples (a constraint naming an operand the update wrote);
2. the IRIs those triples point to: the same (the gate validates every IRI its data names,
   with that IRI's existing triples as context);
3. the IRIs the second level points to: their types only (enough for sh:class).

That is what the gate reads of the store on a load too (validation/__init__.py), so a
check on the view gives the answer a check on a full copy gives. A graph the update empties
whole (CLEAR, DROP, COPY's target) is taken as the update leaves it, not read.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad

from .store.base import Store
from .update_effect import Effect

_BATCH = 200
_RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def view_after(store: Store, effect: Effect) -> ox.Store:
    view = ox.Store()
    cleared = set(effect.cleared)
    changed = effect.added + effect.removed
    touched = {t for q in changed for t in (q.subject, q.object) if isinstance(t, NamedNode)}
    referrers, blank_referrers = _pointing_at(store, touched, cleared)
    first = touched | referrers
    view.extend(_described(store, first, cleared))
    view.extend(blank_referrers)
    for content in effect.cleared.values():
        view.extend(content)
    for q in effect.removed:
        if q.graph_name not in cleared:
            view.remove(q)
    for q in effect.added:
        if q.graph_name not in cleared:
            view.add(q)
    second = _objects(view) - first
    view.extend(_described(store, second, cleared))
    third = _objects(view) - first - second
    view.extend(_described(store, third, cleared, types_only=True))
    return view


def _objects(view: ox.Store) -> set:
    return {q.object for q in view if isinstance(q.object, NamedNode)}


def _pointing_at(store: Store, iris: set, cleared: set) -> tuple[set, list[Quad]]:
    """The IRIs whose triples point at one of `iris`, and the triples of the blank nodes that
    do (a rule's constraint pointing at an operand), read in the same answer as the blank
    node, whose label holds within it."""
    named, blank = set(), {}
    for batch in _batches(sorted(iris, key=str)):
        values = " ".join(str(n) for n in batch)
        for row in store.query(f"SELECT DISTINCT ?s ?g ?p2 ?o2 WHERE {{ VALUES ?o {{ {values} }} GRAPH ?g {{ ?s ?p ?o "
                               f"OPTIONAL {{ ?s ?p2 ?o2 FILTER(isBlank(?s)) }} }} }}"):
            g = row["g"]
            if g in cleared or not isinstance(g, NamedNode) or store.engine_graph(g.value):
                continue
            if isinstance(row["s"], NamedNode):
                named.add(row["s"])
            elif row["p2"] is not None:
                blank[Quad(row["s"], row["p2"], row["o2"], g)] = None
    return named, list(blank)


def _described(store: Store, iris: Iterable, cleared: set, *, types_only: bool = False) -> list[Quad]:
    """The IRIs' quads (and one level of blank nodes beneath them, whose labels hold within
    one answer), left out: graphs the update empties, the engine's own graphs."""
    out: dict[Quad, None] = {}
    for batch in _batches(sorted(iris, key=str)):
        values = " ".join(str(n) for n in batch)
        if types_only:
            query = (f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {_RDF_TYPE} }} "
                     f"GRAPH ?g {{ ?s ?p ?o }} }}")
        else:
            query = (f"SELECT ?s ?p ?o ?g ?p2 ?o2 WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o "
                     f"OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o)) }} }} }}")
        for row in store.query(query):
            g = row["g"]
            if g in cleared or not isinstance(g, NamedNode) or store.engine_graph(g.value):
                continue
            out[Quad(row["s"], row["p"], row["o"], g)] = None
            if not types_only and row["p2"] is not None:
                out[Quad(row["o"], row["p2"], row["o2"], g)] = None
    return list(out)


def _batches(items: list) -> Iterator[list]:
    for i in range(0, len(items), _BATCH):
        yield items[i:i + _BATCH]


__all__ = ["view_after"]
