"""Run pyshacl (the reference engine) and compare its results with the gate's.

Used by the equivalence tests and handy when a shape behaves unexpectedly:

    keys_ref = pyshacl_keys(gate, data_graph, ontology_graph)
    keys_gate = gate_keys(gate.validate(staging_from_rdflib(data_graph), ontology=...))

A result is compared as (focus node, path, value, source constraint component, source
shape, severity). Blank nodes keep their labels because the data reaches pyoxigraph from
the same rdflib graph (`store_from_graph`) and pyshacl keeps shape node ids in its report.
Literal values are compared in oxigraph's canonical form (oxigraph normalises "1.50" to
"1.5" on insert).
"""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF

from .engine import to_ox
from .shapes import SH, parse_path, path_repr

Key = tuple


def store_from_graph(g: rdflib.Graph, store: ox.Store | None = None, graph=None) -> ox.Store:
    """A pyoxigraph store holding `g`'s triples, blank node labels preserved."""
    st = store if store is not None else ox.Store()
    gname = graph if graph is not None else ox.DefaultGraph()
    st.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), gname) for s, p, o in g)
    return st


def _canon(t, scratch: ox.Store):
    if t is None:
        return None
    o = to_ox(t) if not isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal)) else t
    if isinstance(o, ox.Literal):
        scratch.clear()
        scratch.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), o))
        o = next(iter(scratch)).object
    return str(o)


def pyshacl_keys(shapes_graph: rdflib.Graph, data: rdflib.Graph, ontology: rdflib.Graph | None = None,
                 *, exclude_ontology_nodes: bool = True) -> set[Key]:
    """pyshacl results (inference none) on data(+ontology) as comparable keys.

    With `exclude_ontology_nodes`, results whose focus node occurs in the ontology (subject
    or object) and is not a subject in the data are dropped: the gate does not validate
    ontology nodes (ShapesGate.validate).
    """
    import pyshacl

    dg = rdflib.Graph()
    for t in data:
        dg.add(t)
    if ontology is not None:
        for t in ontology:
            dg.add(t)
    _conforms, rg, _text = pyshacl.validate(dg, shacl_graph=shapes_graph, inference="none",
                                            advanced=False, allow_warnings=True)
    data_subjects = set(data.subjects())
    onto_nodes = set()
    if ontology is not None:
        onto_nodes = set(ontology.subjects()) | {o for o in ontology.objects() if not isinstance(o, rdflib.Literal)}
    scratch = ox.Store()
    out = set()
    results = [r for rep in rg.subjects(RDF.type, SH.ValidationReport) for r in rg.objects(rep, SH.result)]
    for r in results:  # top-level results only: nested ones hang under sh:detail
        focus = rg.value(r, SH.focusNode)
        if exclude_ontology_nodes and focus in onto_nodes and focus not in data_subjects:
            continue
        p = rg.value(r, SH.resultPath)
        out.add((
            _canon(focus, scratch),
            path_repr(parse_path(rg, p)) if p is not None else None,
            _canon(rg.value(r, SH.value), scratch),
            str(rg.value(r, SH.sourceConstraintComponent)),
            str(to_ox(rg.value(r, SH.sourceShape))),
            str(rg.value(r, SH.resultSeverity)),
        ))
    return out


def gate_keys(report) -> set[Key]:
    scratch = ox.Store()
    return {(_canon(r.focus_node, scratch), r.result_path, _canon(r.value, scratch),
             r.source_constraint_component, str(r.source_shape), r.severity) for r in report.results}
