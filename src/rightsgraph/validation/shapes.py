"""Read SHACL shapes (rdflib, once) into a small Python model that the compiler walks.

Only what the gate needs: targets, paths, severity, messages, deactivation, and the
constraint parameters of the SHACL Core components plus SHACL-SPARQL SELECT constraints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SH_NS = str(SH)


class ShapesError(ValueError):
    """The shapes graph uses something the gate cannot evaluate, or is malformed."""


# --------------------------------------------------------------------------- paths
# A path is a tuple AST: ("iri", str) | ("inv", P) | ("seq", [P..]) | ("alt", [P..])
# | ("zeroOrMore", P) | ("oneOrMore", P) | ("zeroOrOne", P)

def parse_path(g: rdflib.Graph, node) -> tuple:
    if isinstance(node, URIRef):
        return ("iri", str(node))
    if isinstance(node, Literal) or node is None:
        raise ShapesError(f"invalid sh:path {node!r}")
    if (node, RDF.first, None) in g:
        items = [parse_path(g, x) for x in Collection(g, node)]
        if len(items) == 1:
            return items[0]
        return ("seq", items)
    for pred, kind in ((SH.inversePath, "inv"), (SH.zeroOrMorePath, "zeroOrMore"),
                       (SH.oneOrMorePath, "oneOrMore"), (SH.zeroOrOnePath, "zeroOrOne")):
        v = g.value(node, pred)
        if v is not None:
            return (kind, parse_path(g, v))
    v = g.value(node, SH.alternativePath)
    if v is not None:
        return ("alt", [parse_path(g, x) for x in Collection(g, v)])
    raise ShapesError(f"cannot read the SHACL path at {node!r}")


def path_sparql(p: tuple) -> str:
    """SPARQL 1.1 property path syntax for a path AST (full IRIs)."""
    kind = p[0]
    if kind == "iri":
        return f"<{p[1]}>"
    if kind == "inv":
        return f"^({path_sparql(p[1])})" if p[1][0] != "iri" else f"^{path_sparql(p[1])}"
    if kind == "seq":
        return "(" + "/".join(path_sparql(x) for x in p[1]) + ")"
    if kind == "alt":
        return "(" + "|".join(path_sparql(x) for x in p[1]) + ")"
    suffix = {"zeroOrMore": "*", "oneOrMore": "+", "zeroOrOne": "?"}[kind]
    return f"({path_sparql(p[1])}){suffix}"


def path_repr(p: tuple | None) -> str | None:
    """The IRI of a simple path, the SPARQL path syntax of a complex one (result_path)."""
    if p is None:
        return None
    if p[0] == "iri":
        return p[1]
    return path_sparql(p)


def path_triples(p: tuple):
    """(node, triples) describing the path in SHACL's RDF syntax, with pyoxigraph terms."""
    import pyoxigraph as ox

    shn = lambda n: ox.NamedNode(SH_NS + n)  # noqa: E731
    kind = p[0]
    if kind == "iri":
        return ox.NamedNode(p[1]), []
    b = ox.BlankNode()
    triples = []
    if kind == "seq" or kind == "alt":
        nodes = []
        for x in p[1]:
            n, t = path_triples(x)
            nodes.append(n)
            triples += t
        head, lt = _rdf_list(nodes)
        triples += lt
        if kind == "seq":
            return head, triples
        triples.append(ox.Triple(b, shn("alternativePath"), head))
        return b, triples
    n, t = path_triples(p[1])
    triples += t
    pred = {"inv": "inversePath", "zeroOrMore": "zeroOrMorePath", "oneOrMore": "oneOrMorePath",
            "zeroOrOne": "zeroOrOnePath"}[kind]
    triples.append(ox.Triple(b, shn(pred), n))
    return b, triples


def _rdf_list(nodes):
    import pyoxigraph as ox

    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    if not nodes:
        return ox.NamedNode(rdf + "nil"), []
    triples = []
    head = ox.BlankNode()
    cur = head
    for i, n in enumerate(nodes):
        triples.append(ox.Triple(cur, ox.NamedNode(rdf + "first"), n))
        nxt = ox.BlankNode() if i < len(nodes) - 1 else ox.NamedNode(rdf + "nil")
        triples.append(ox.Triple(cur, ox.NamedNode(rdf + "rest"), nxt))
        cur = nxt
    return head, triples


# --------------------------------------------------------------------------- model

@dataclass(eq=False)
class SparqlSpec:
    node: Any                 # the sh:sparql constraint node (rdflib)
    select: str               # the SELECT text, prefixes not yet applied
    prefixes: dict[str, str]
    messages: list[tuple[str, str]]   # (text, lang)
    deactivated: bool


@dataclass(eq=False)
class Constraint:
    kind: str      # "class", "datatype", ..., "sparql"
    param: Any

    @property
    def component(self) -> str:
        if self.kind == "sparql":
            return SH_NS + "SPARQLConstraintComponent"
        return SH_NS + self.kind[0].upper() + self.kind[1:] + "ConstraintComponent"


@dataclass(eq=False)
class Shape:
    node: Any                          # rdflib URIRef or BNode
    path: tuple | None = None
    targets: list[tuple[str, Any]] = field(default_factory=list)
    severity: str = SH_NS + "Violation"
    messages: list[tuple[str, str]] = field(default_factory=list)
    deactivated: bool = False
    constraints: list[Constraint] = field(default_factory=list)
    properties: list["Shape"] = field(default_factory=list)

    @property
    def is_property(self) -> bool:
        return self.path is not None

    def label(self) -> str:
        return str(self.node) if isinstance(self.node, URIRef) else f"_:{self.node}"


SIMPLE_PARAMS = {
    "class": SH["class"], "datatype": SH.datatype, "nodeKind": SH.nodeKind,
    "minCount": SH.minCount, "maxCount": SH.maxCount,
    "minInclusive": SH.minInclusive, "maxInclusive": SH.maxInclusive,
    "minExclusive": SH.minExclusive, "maxExclusive": SH.maxExclusive,
    "minLength": SH.minLength, "maxLength": SH.maxLength,
    "hasValue": SH.hasValue, "lessThan": SH.lessThan, "lessThanOrEquals": SH.lessThanOrEquals,
    "equals": SH.equals, "disjoint": SH.disjoint, "uniqueLang": SH.uniqueLang,
}
UNSUPPORTED = {SH.qualifiedValueShape: "sh:qualifiedValueShape", SH.closed: "sh:closed",
               SH.js: "sh:js"}


class ShapesModel:
    """All shapes of a shapes graph; `.roots` are the shapes that have targets."""

    def __init__(self, g: rdflib.Graph):
        self.graph = g
        self._memo: dict[Any, Shape] = {}
        roots = []
        target_preds = {SH.targetClass: "class", SH.targetNode: "node",
                        SH.targetSubjectsOf: "subjectsOf", SH.targetObjectsOf: "objectsOf"}
        candidates = set()
        for pred in target_preds:
            candidates.update(g.subjects(pred, None))
        for t in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, t):
                if (s, RDF.type, RDFS.Class) in g or (s, RDF.type, OWL.Class) in g:
                    candidates.add(s)
        for node in sorted(candidates, key=str):
            shape = self.shape(node)
            for pred, kind in target_preds.items():
                for o in g.objects(node, pred):
                    shape.targets.append((kind, o))
            if isinstance(node, URIRef) and ((node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g) \
                    and ((node, RDF.type, SH.NodeShape) in g or (node, RDF.type, SH.PropertyShape) in g):
                shape.targets.append(("class", node))
            roots.append(shape)
        self.roots = roots

    def _prefixes_for(self, node) -> dict[str, str]:
        g = self.graph
        out: dict[str, str] = {}
        for pv in g.objects(node, SH.prefixes):
            for dec in g.objects(pv, SH.declare):
                prefix = g.value(dec, SH.prefix)
                ns = g.value(dec, SH.namespace)
                if prefix is not None and ns is not None:
                    out[str(prefix)] = str(ns)
        return out

    def shape(self, node) -> Shape:
        if node in self._memo:
            return self._memo[node]
        g = self.graph
        s = Shape(node)
        self._memo[node] = s
        p = g.value(node, SH.path)
        if p is not None:
            s.path = parse_path(g, p)
        sev = g.value(node, SH.severity)
        if sev is not None:
            s.severity = str(sev)
        s.messages = [(str(m), m.language or "") for m in g.objects(node, SH.message) if isinstance(m, Literal)]
        d = g.value(node, SH.deactivated)
        s.deactivated = bool(d is not None and isinstance(d, Literal) and d.toPython() is True)
        for pred, label in UNSUPPORTED.items():
            if (node, pred, None) in g:
                raise ShapesError(f"{label} (shape {s.label()}) is not supported by the SHACL gate")
        for kind, pred in SIMPLE_PARAMS.items():
            for o in sorted(g.objects(node, pred), key=str):
                s.constraints.append(Constraint(kind, o))
        for o in g.objects(node, SH.pattern):
            flags = g.value(node, SH.flags)
            s.constraints.append(Constraint("pattern", (str(o), str(flags) if flags is not None else "")))
        for o in g.objects(node, SH["in"]):
            s.constraints.append(Constraint("in", list(Collection(g, o))))
        for o in g.objects(node, SH.languageIn):
            s.constraints.append(Constraint("languageIn", [str(x) for x in Collection(g, o)]))
        for o in sorted(g.objects(node, SH.node), key=str):
            s.constraints.append(Constraint("node", self.shape(o)))
        for o in sorted(g.objects(node, SH["not"]), key=str):
            s.constraints.append(Constraint("not", self.shape(o)))
        for kind in ("and", "or", "xone"):
            for o in g.objects(node, SH[kind]):
                s.constraints.append(Constraint(kind, [self.shape(x) for x in Collection(g, o)]))
        for o in g.objects(node, SH.sparql):
            sel = g.value(o, SH.select)
            if sel is None:
                if (o, SH.ask, None) in g:
                    raise ShapesError(f"sh:ask is not supported in sh:sparql (shape {s.label()})")
                raise ShapesError(f"sh:sparql without sh:select (shape {s.label()})")
            deact = g.value(o, SH.deactivated)
            s.constraints.append(Constraint("sparql", SparqlSpec(
                node=o, select=str(sel), prefixes=self._prefixes_for(o),
                messages=[(str(m), m.language or "") for m in g.objects(o, SH.message) if isinstance(m, Literal)],
                deactivated=bool(deact is not None and deact.toPython() is True))))
        for o in sorted(g.objects(node, SH.property), key=str):
            s.properties.append(self.shape(o))
        return s
