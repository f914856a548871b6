"""The SHACL gate: every load is validated against the shapes before it is committed.

    gate = ShapesGate.from_files(sorted(Path("shapes").glob("*.ttl")))
    report = gate.validate(staging, context=store, ontology=ontology_store)
    if report.has_violations: ...  # refuse the load; report.format_text("zh")

Shapes are parsed once (rdflib) and compiled to SPARQL that runs on pyoxigraph over the
staging store (see engine.py and docs/validation.md). Results are the same as pyshacl's
(inference='none') on the same data graph; tests/test_validation_equivalence.py checks it.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Iterable, Sequence

import pyoxigraph as ox
import rdflib

from ..namespaces import ONTOLOGY_GRAPH, SYSTEM_GRAPHS
from .engine import Engine
from .report import INFO, VIOLATION, WARNING, ValidationReport, ValidationResult
from .shapes import ShapesError, ShapesModel

__all__ = ["ShapesGate", "ValidationReport", "ValidationResult", "ShapesError",
           "VIOLATION", "WARNING", "INFO"]

_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_BATCH = 400


class ShapesGate:
    """Compiled SHACL shapes; `validate` checks a staging store against them."""

    def __init__(self, shapes_graph: rdflib.Graph, *, threads: int = 2):
        self.shapes_graph = shapes_graph
        self.model = ShapesModel(shapes_graph)
        self.threads = threads
        # compile-and-run every query once on an empty store: a shape the gate cannot
        # evaluate (bad sh:select, blank-node parameter ...) fails here, not mid-load
        Engine(self.model, ox.Store(), threads=1).run()

    @classmethod
    def from_files(cls, paths: list[Path]) -> "ShapesGate":
        g = rdflib.Graph()
        for p in paths:
            p = Path(p)
            fmt = rdflib.util.guess_format(str(p)) or "turtle"
            g.parse(p, format=fmt)
        return cls(g)

    @classmethod
    def from_turtle(cls, data: bytes | str) -> "ShapesGate":
        g = rdflib.Graph()
        g.parse(data=data if isinstance(data, str) else data.decode("utf-8"), format="turtle")
        return cls(g)

    def validate(self, staging: ox.Store, *, context=None, ontology: ox.Store | None = None,
                 context_exclude_graphs: Sequence[ox.NamedNode] = (),
                 context_nodes: Iterable[ox.NamedNode] | None = None) -> ValidationReport:
        """Validate the union of all graphs of `staging`.

        The data graph is: staging's graphs + `ontology` (if given; else, when `context` is
        given, the context's ontology graph and its rdfs:subClassOf triples) + what
        `context` (the main store, a rightsgraph.store.base.Store) already holds about the
        IRIs the new data mentions: every triple whose subject is such an IRI (so an
        existing party passes sh:class, and minCount/maxCount count existing values).

        Focus nodes are the nodes selected by the shapes' targets over that whole data graph
        EXCEPT nodes that occur in the ontology or context triples (as subject or object)
        without being the subject of a triple of the new data: the gate reports on what the
        new data describes, not on the ontology or on existing data. (pyshacl run over
        data+ontology would also validate ontology nodes; the equivalence tests drop those
        results from pyshacl's side by the same rule.)

        `context_exclude_graphs`: graphs of `context` to ignore (the graph a
        `replace=True` load is about to replace).

        `context_nodes`: the IRIs of the new data that `context` may already describe, when
        the caller knows them (a writer that mints fresh IRIs for everything else); by
        default every IRI of the new data is looked up, which costs a scan of staging.

        Private graphs are added to `staging` while validating and removed before
        returning; staging is otherwise left as it was. Only sh:Violation results make
        `report.has_violations` true; `report.conforms` is False on any result (SHACL).
        """
        tag = uuid.uuid4().hex
        ont_g = ox.NamedNode(f"urn:x-rightsgraph:validation:{tag}:ontology")
        ctx_g = ox.NamedNode(f"urn:x-rightsgraph:validation:{tag}:context")
        private = {ont_g, ctx_g}
        stats: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            if context is not None:
                _enrich_from_context(staging, context, ctx_g, list(context_exclude_graphs),
                                     fetch_ontology=ontology is None, ont_g=ont_g, nodes=context_nodes)
            if ontology is not None:
                staging.extend(ox.Quad(q.subject, q.predicate, q.object, ont_g)
                               for q in ontology.quads_for_pattern(None, None, None, None))
            stats["context_s"] = time.perf_counter() - t0
            excluded = _excluded_nodes(staging, private)
            t1 = time.perf_counter()
            engine = Engine(self.model, staging, threads=self.threads)
            raw = engine.run()
            stats["checks_s"] = time.perf_counter() - t1
        finally:
            for g in private:
                try:
                    staging.remove_graph(g)
                except Exception:  # noqa: BLE001 - graph never created
                    pass
        seen = set()
        results = []
        for r in raw:
            if r.focus_node in excluded:
                continue
            k = r.key()
            if k in seen:
                continue
            seen.add(k)
            results.append(r)
        results.sort(key=lambda r: (str(r.focus_node), r.result_path or "", str(r.value),
                                    r.source_constraint_component))
        stats["total_s"] = time.perf_counter() - t0
        return ValidationReport(results, stats=stats)


def _excluded_nodes(staging: ox.Store, private: set) -> set:
    """Nodes of the ontology/context triples that the new data does not describe.

    A node is excluded from the focus nodes when it occurs (as subject or object) in the
    private ontology/context graphs and is not the subject of a triple of the new data.
    """
    nodes = set()
    for g in private:
        for q in staging.quads_for_pattern(None, None, None, g):
            nodes.add(q.subject)
            if not isinstance(q.object, ox.Literal):
                nodes.add(q.object)
    out = set()
    for n in nodes:
        if isinstance(n, ox.Triple):
            continue
        if not any(q.graph_name not in private for q in staging.quads_for_pattern(n, None, None, None)):
            out.add(n)
    return out


def _batches(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _enrich_from_context(staging: ox.Store, context, ctx_g, exclude: list, *, fetch_ontology: bool, ont_g,
                         nodes=None) -> None:
    graphs = list(context.graphs())
    kwargs = {}
    if exclude:
        kwargs["default_graph"] = [g for g in graphs if g not in exclude]
    data_graphs = [g for g in graphs if g not in SYSTEM_GRAPHS and g not in exclude]
    if next(iter(context.quads_matching(graphs=[ox.DefaultGraph()], limit=1)), None):
        data_graphs.append(ox.DefaultGraph())  # data in the store's default graph counts too
    iris = []
    if nodes is not None:
        iris = list(nodes)
    elif data_graphs:  # else nothing but ontology/shapes/provenance: no existing data to consult
        iris = [r["n"] for r in staging.query(
            "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } FILTER(isIRI(?n)) }",
            use_default_graph_as_union=True)]
    if fetch_ontology:
        q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?s ?p ?o }} }}"
        staging.extend(ox.Quad(t.subject, t.predicate, t.object, ont_g) for t in context.query(q))
        q = f"CONSTRUCT {{ ?s <{_RDFS_SUBCLASS}> ?o }} WHERE {{ ?s <{_RDFS_SUBCLASS}> ?o }}"
        staging.extend(ox.Quad(t.subject, t.predicate, t.object, ctx_g) for t in context.query(q, **kwargs))
    known = set(iris)
    second: set = set()
    if context.keeps_blank_nodes:  # an embedded store: its own indexes, blank nodes by identity
        _enrich_by_pattern(staging, context, iris, known, set(exclude), ctx_g)
        return
    for batch in _batches(iris, _BATCH):
        vals = " ".join(str(n) for n in batch)
        # the subjects' own triples, and one level of blank nodes under them (the rules of
        # an existing licence): a blank node's label only means something inside one answer
        q = (f"CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{ {{ VALUES ?s {{ {vals} }} ?s ?p ?o }} UNION "
             f"{{ VALUES ?s {{ {vals} }} ?s ?p ?o . FILTER(isBlank(?o)) ?o ?p2 ?o2 }} }}")
        new = _new_quads(staging, context.query(q, **kwargs), ctx_g)
        staging.extend(new)
        second.update(q.object for q in new if isinstance(q.object, ox.NamedNode) and q.object not in known)
    # one more hop, types only: the nodes that existing triples point to (the parties of an
    # existing licence the new data extends) must still pass sh:class
    for batch in _batches(sorted(second, key=str), _BATCH):
        vals = " ".join(str(n) for n in batch)
        q = f"CONSTRUCT {{ ?s a ?t }} WHERE {{ VALUES ?s {{ {vals} }} ?s a ?t }}"
        staging.extend(_new_quads(staging, context.query(q, **kwargs), ctx_g))


def _enrich_by_pattern(staging: ox.Store, context, iris, known: set, exclude: set, ctx_g) -> None:
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    found = []
    second = set()
    for n in iris:
        for q in context.quads_matching(n):
            if q.graph_name in exclude:
                continue
            found.append(q.triple)
            o = q.object
            if isinstance(o, ox.BlankNode):
                found.extend(q2.triple for q2 in context.quads_matching(o)
                             if q2.graph_name not in exclude)
            elif isinstance(o, ox.NamedNode) and o not in known:
                second.add(o)
    for n in second:
        found.extend(q.triple for q in context.quads_matching(n, rdf_type) if q.graph_name not in exclude)
    staging.extend(_new_quads(staging, found, ctx_g))


def _new_quads(staging: ox.Store, triples, graph) -> list[ox.Quad]:
    """Quads for the triples that staging does not already hold (in any graph)."""
    out = []
    for t in triples:
        if next(iter(staging.quads_for_pattern(t.subject, t.predicate, t.object, None)), None) is None:
            out.append(ox.Quad(t.subject, t.predicate, t.object, graph))
    return out
