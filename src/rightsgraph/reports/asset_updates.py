"""The derived asset classes kept up to date after one graph is replaced, without running
the rules over the whole catalogue.

`assets.derive_asset_classes` runs every rule of ontology/rules/ over every resource: 33 s at
1M triples and 10k licences, on every licence import. A resource's class depends only on
triples about itself, its odrl:partOf* ancestors, the licences targeting those, the licences'
assignees and its rights statements: every rule pattern reads a node's own triples. So after
a write, only the resources one of those nodes leads to can change class:

- a changed node that is a resource, or an ancestor of resources (its partOf, its dct:license);
- a changed licence: the resources under each of its targets (the current ones, and the ones
  the write removed);
- a changed party: the resources under the targets of the licences it is assignee of;
- a changed rights statement: the resources that name it.

A triple counts as changed only if the union of the graphs gained or lost it (one present in
another graph as well changes nothing). Those resources are re-derived by the same rules,
each given the resources as `VALUES ?r`, and only their quads in the derived graph are
rewritten. Where a changed triple has a blank node as subject with a predicate the rules
read, the nodes it leads to cannot be named in a query, and every class is derived again.
"""

from __future__ import annotations

from typing import Iterable

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad

from .. import write_generation
from ..store.base import depth0_keyword_positions, has_blank_node
from ..store.changeset import ChangeSet
from .assets import DERIVED_GRAPH, derive_asset_classes, rule_files

_RG = "https://w3id.org/rightsgraph/ns#"
_ODRL = "http://www.w3.org/ns/odrl/2/"
_PREMIS = "http://www.loc.gov/premis/rdf/v3/"
ASSET_CLASS = NamedNode(_RG + "assetClass")
# the predicates the rules read (ontology/rules/*.rq)
RULE_PREDICATES = frozenset({
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", _ODRL + "partOf", _ODRL + "target", _ODRL + "assignee",
    "http://purl.org/dc/terms/license", "http://purl.org/dc/terms/rights", _RG + "licenceStatus",
    _RG + "termEnd", _RG + "resourceType", _PREMIS + "rightsStatus", _PREMIS + "basis"})
_BATCH = 500

# resources whose class may depend on the nodes ?x (changed nodes) or ?t (targets a write removed)
_AFFECTED = [
    "SELECT DISTINCT ?r WHERE {{ VALUES ?x {{ {nodes} }} ?r odrl:partOf* ?x . ?r a rg:Resource }}",
    "SELECT DISTINCT ?r WHERE {{ VALUES ?x {{ {nodes} }} ?x odrl:target ?t . ?r odrl:partOf* ?t . ?r a rg:Resource }}",
    "SELECT DISTINCT ?r WHERE {{ VALUES ?x {{ {nodes} }} ?l odrl:assignee ?x ; odrl:target ?t . "
    "?r odrl:partOf* ?t . ?r a rg:Resource }}",
    "SELECT DISTINCT ?r WHERE {{ VALUES ?x {{ {nodes} }} ?r premis:rightsStatus ?x . ?r a rg:Resource }}",
]
_PREFIXES = f"PREFIX rg: <{_RG}> PREFIX odrl: <{_ODRL}> PREFIX premis: <{_PREMIS}>\n"


def update_asset_classes(store, graph: NamedNode, before: Iterable[Quad], after: Iterable[Quad]) -> int:
    """Bring the derived graph up to date after `graph` went from the quads `before` to the
    quads `after` (the write is committed). Returns the number of resources re-derived (-1:
    all of them, by `derive_asset_classes`)."""
    old = {q.triple for q in before}
    new = {q.triple for q in after}
    if next(iter(store.quads_matching(graphs=[DERIVED_GRAPH], limit=1)), None) is None:
        derive_asset_classes(store)      # never derived yet: every resource, once
        write_generation.bump([DERIVED_GRAPH])
        return -1
    changed = _union_changes(store, graph, old ^ new)
    if any(isinstance(t.subject, ox.BlankNode) and t.predicate.value in RULE_PREDICATES for t in changed):
        derive_asset_classes(store)
        write_generation.bump([DERIVED_GRAPH])
        return -1
    nodes = {t.subject for t in changed if isinstance(t.subject, NamedNode)}
    removed_targets = {t.object for t in old - new
                       if t.predicate.value == _ODRL + "target" and isinstance(t.object, NamedNode)}
    if not nodes and not removed_targets:
        return 0
    affected = _affected(store, nodes, removed_targets)
    affected |= _derived_for(store, nodes)       # a node that lost its rg:Resource type loses its class
    derived = _derive(store, affected)
    present = {q.triple for r in _batches(sorted(affected, key=str))
               for q in _derived_quads(store, r)}
    wanted = {ox.Triple(r, ASSET_CLASS, c) for r, c in derived.items()}
    change = ChangeSet(remove=[Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH) for t in present - wanted],
                       add=[Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH) for t in wanted - present])
    if not change.is_empty():
        store.commit(change)
        write_generation.bump([DERIVED_GRAPH])   # caches, and readers' snapshots, see the new classes
    return len(affected)


def _union_changes(store, graph: NamedNode, triples: set) -> set:
    """The triples whose presence in the union of the graphs changed: not also held by
    another graph (blank-node triples are kept: they cannot be looked up)."""
    named = [t for t in triples if not has_blank_node(t)]
    elsewhere = set()
    for batch in _batches(named):
        rows = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in batch)
        for row in store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} "
                               f"FILTER(?g != {graph} && ?g != {DERIVED_GRAPH}) }}"):
            elsewhere.add(ox.Triple(row["s"], row["p"], row["o"]))
    return {t for t in triples if t not in elsewhere}


def _affected(store, nodes: set, removed_targets: set) -> set:
    found = set()
    for batch in _batches(sorted(nodes, key=str)):
        values = " ".join(str(n) for n in batch)
        for query in _AFFECTED:
            found.update(row["r"] for row in store.query(_PREFIXES + query.format(nodes=values)))
    for batch in _batches(sorted(removed_targets, key=str)):
        values = " ".join(str(n) for n in batch)
        found.update(row["r"] for row in store.query(_PREFIXES + _AFFECTED[0].format(nodes=values)))
    return {r for r in found if isinstance(r, NamedNode)}


def _derived_for(store, nodes: set) -> set:
    return {q.subject for batch in _batches(sorted(nodes, key=str)) for q in _derived_quads(store, batch)}


def _derived_quads(store, resources: list) -> list[Quad]:
    if not resources:
        return []
    values = " ".join(str(r) for r in resources)
    return [Quad(row["r"], ASSET_CLASS, row["c"], DERIVED_GRAPH) for row in store.query(
        f"SELECT ?r ?c WHERE {{ VALUES ?r {{ {values} }} GRAPH {DERIVED_GRAPH} {{ ?r {ASSET_CLASS} ?c }} }}")]


def _derive(store, resources: set) -> dict:
    """resource -> class for `resources`, by the rules (the lowest-numbered rule wins), each
    rule's WHERE given the resources as VALUES ?r."""
    chosen: dict = {}
    for path in rule_files():
        rank, text = path.stem, path.read_text(encoding="utf-8")
        at = text.find("{", depth0_keyword_positions(text, "WHERE")[0]) + 1
        for batch in _batches(sorted(resources, key=str)):
            query = f"{text[:at]} VALUES ?r {{ {' '.join(str(r) for r in batch)} }} {text[at:]}"
            for t in store.query(query):
                if t.subject not in chosen or rank < chosen[t.subject][0]:
                    chosen[t.subject] = (rank, t.object)
    return {r: c for r, (_, c) in chosen.items()}


def _batches(items: list):
    items = list(items)
    for i in range(0, len(items), _BATCH):
        yield items[i:i + _BATCH]


__all__ = ["update_asset_classes"]
