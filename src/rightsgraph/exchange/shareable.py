"""Shareable exports: the graphs a library shares, with their description and provenance.

An export is a dataset (TriG, N-Quads or JSON-LD) holding
- every shared graph (not a system graph, not marked `rg:confidential true` in the
  provenance graph), as is;
- the graph `https://w3id.org/rightsgraph/graph/exchange` (EXCHANGE_GRAPH) with the VoID /
  DCAT description of the dataset and the PROV-O records of the loads that produced each
  exported graph, copied from the provenance graph (restricted to the exported graphs).

`rightsgraph load` of an export on another instance validates the data graphs through the
gate as any load, and `exchange_provenance` (called from `loading.commit_staged`) merges
the exchange graph into the receiver's provenance graph instead of storing it as data.
"""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from ..namespaces import PREFIXES, PROV, PROVENANCE_GRAPH, RDF, RG, SYSTEM_GRAPHS, VOID
from ..provenance import is_record_part
from .void import DEFAULT_LICENCE, EXCHANGE_GRAPH, describe, shareable_graphs

FORMATS = {"trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS, "jsonld": RdfFormat.JSON_LD}
# State a store keeps about its own graphs: never carried over by an export.
_STATE = {RG.sourceDigest, RG.confidential, RG.sourceModified, RG.sourceFingerprint}
_GRAPH_FACTS_KEPT = {RDF.type, PROV.wasGeneratedBy, NamedNode("http://www.w3.org/ns/sparql-service-description#name")}


def provenance_records(store, graphs: list[NamedNode]) -> list[Quad]:
    """The PROV-O records of the loads that generated `graphs`, as quads in EXCHANGE_GRAPH:
    each activity with its agent, used entities (file name, size, SHA-256 fixity) and the
    qualified generations of the exported graphs only (a load that also wrote a graph that
    is not exported keeps that graph out of the copy)."""
    wanted = set(graphs)
    by_subject: dict = {}
    for q in store.quads(PROVENANCE_GRAPH):
        by_subject.setdefault(q.subject, []).append(q)
    activities = {q.subject for qs in by_subject.values() for q in qs
                  if q.predicate == PROV.generated and q.object in wanted}
    out: list[Quad] = []
    seen = set()

    def copy(node, depth=0):
        if node in seen or depth > 3:
            return
        seen.add(node)
        for q in by_subject.get(node, []):
            if q.predicate == PROV.generated and q.object not in wanted:
                continue
            if q.predicate == PROV.qualifiedGeneration:
                ents = [x.object for x in by_subject.get(q.object, []) if x.predicate == PROV.entity]
                if not any(e in wanted for e in ents):
                    continue
            out.append(Quad(q.subject, q.predicate, q.object, EXCHANGE_GRAPH))
            if is_record_part(node, q.object) or q.predicate == PROV.wasAssociatedWith:
                copy(q.object, depth + 1)

    for act in sorted(activities, key=str):
        copy(act)
    for g in graphs:
        for q in by_subject.get(g, []):
            if q.predicate in (RDF.type, PROV.wasGeneratedBy) and (q.predicate != PROV.wasGeneratedBy or q.object in activities):
                out.append(Quad(q.subject, q.predicate, q.object, EXCHANGE_GRAPH))
    return out


def shareable_dataset(store, *, endpoint: str | None = None, publisher: str | None = None,
                      licence: str | None = DEFAULT_LICENCE, dataset: str | None = None,
                      graphs: list[str] | None = None) -> tuple[ox.Store, list[NamedNode]]:
    """An in-memory store with the shared graphs and the exchange graph; and the graphs."""
    chosen = shareable_graphs(store)
    if graphs:
        asked = [NamedNode(g) for g in graphs]
        refused = [g.value for g in asked if g not in chosen]
        if refused:
            raise ValueError(f"not shareable (system, confidential or absent): {', '.join(refused)}")
        chosen = asked
    out = ox.Store()
    for g in chosen:
        out.extend(list(store.quads(g)))
    ds = NamedNode(dataset or f"urn:uuid:{uuid.uuid4()}")
    out.extend(Quad(t.subject, t.predicate, t.object, EXCHANGE_GRAPH)
               for t in describe(store, dataset=ds, graphs=chosen, endpoint=endpoint, publisher=publisher,
                                 licence=licence))
    out.extend(provenance_records(store, chosen))
    return out, chosen


def export_shareable(store, *, fmt: str = "trig", **kwargs) -> bytes:
    """Serialise `shareable_dataset` as TriG, N-Quads or JSON-LD (with the ODRL context)."""
    data, _ = shareable_dataset(store, **kwargs)
    if fmt == "jsonld":
        return to_jsonld(data)
    extra = {"prefixes": PREFIXES} if fmt == "trig" else {}
    return data.dump(format=FORMATS[fmt], **extra)


@lru_cache(maxsize=1)
def jsonld_context() -> dict:
    """The ODRL 2.2 JSON-LD context (shipped copy) plus the prefixes rightsgraph uses."""
    ctx = json.loads((Path(__file__).with_name("odrl-context.jsonld")).read_text(encoding="utf-8"))["@context"]
    merged = dict(ctx)
    for p, iri in PREFIXES.items():
        merged.setdefault(p, iri)
    merged.setdefault("sd", "http://www.w3.org/ns/sparql-service-description#")
    return merged


def to_jsonld(data: ox.Store) -> bytes:
    """JSON-LD compacted with the ODRL context (rdflib's compaction); named graphs kept."""
    import warnings

    import rdflib
    with warnings.catch_warnings():   # rdflib 7 warns about its own Dataset internals
        warnings.simplefilter("ignore", DeprecationWarning)
        ds = rdflib.Dataset()
        ds.parse(data=data.dump(format=RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
        text = ds.serialize(format="json-ld", context=jsonld_context(), auto_compact=False)
    return text.encode("utf-8") if isinstance(text, str) else text


# ------------------------------------------------------------------------------ import side
def take_exchange_graph(staging: ox.Store, graphs: set) -> list[Quad] | None:
    """Remove EXCHANGE_GRAPH from a staging store (and from `graphs`); its quads, or None."""
    if EXCHANGE_GRAPH not in graphs:
        return None
    quads = list(staging.quads_for_pattern(None, None, None, EXCHANGE_GRAPH))
    staging.remove_graph(EXCHANGE_GRAPH)
    graphs.discard(EXCHANGE_GRAPH)
    return quads


def exchange_provenance(store, quads: list[Quad], data_graphs) -> list[Quad]:
    """What of an export's description and provenance goes into the provenance graph
    (the load commits it with the data).

    Only what an export carries is accepted: load activities (`prov:Activity`) with their
    agents and blank-node or `<activity>#part` details, dataset descriptions (`void:Dataset`), and about each
    data graph of this load its `rdf:type`, `prov:wasGeneratedBy` and `sd:name`. Nothing
    about other graphs, and no state the receiver keeps for itself (`void:triples` and
    `dct:modified` of a graph, `rg:confidential`, `rg:sourceDigest`, harvest state).
    Activities already recorded (same IRI) are skipped, so loading the same export twice
    does not duplicate them."""
    by_subject: dict = {}
    for q in quads:
        by_subject.setdefault(q.subject, []).append(q)
    typed = lambda cls: {q.subject for q in quads if q.predicate == RDF.type and q.object == cls}  # noqa: E731
    activities = {a for a in typed(PROV.Activity) if isinstance(a, NamedNode)}
    datasets = {d for d in typed(VOID.Dataset) if d not in data_graphs and d not in SYSTEM_GRAPHS}
    known = set()
    if activities:
        values = " ".join(f"<{a.value}>" for a in activities)
        known = {r["a"] for r in store.query(
            f"SELECT ?a WHERE {{ VALUES ?a {{ {values} }} GRAPH <{PROVENANCE_GRAPH.value}> {{ ?a a <{PROV.Activity.value}> }} }}")}
    roots = (activities - known) | datasets
    roots |= {q.object for a in activities - known for q in by_subject.get(a, [])
              if q.predicate == PROV.wasAssociatedWith and isinstance(q.object, NamedNode)}
    allowed, todo = set(roots), list(roots)
    while todo:          # the parts of each record: blank nodes, or IRIs under the activity's
        node = todo.pop()
        for q in by_subject.get(node, []):
            if is_record_part(node, q.object) and q.object not in allowed:
                allowed.add(q.object)
                todo.append(q.object)
    system = set(SYSTEM_GRAPHS) | {EXCHANGE_GRAPH}
    out = []
    for q in quads:
        if q.predicate in _STATE or q.object in system:
            continue
        if q.subject in allowed or (q.subject in data_graphs and q.predicate in _GRAPH_FACTS_KEPT
                                    and (q.predicate != PROV.wasGeneratedBy or q.object in activities)):
            out.append(Quad(q.subject, q.predicate, q.object, PROVENANCE_GRAPH))
    return out
