"""IRIs the code speaks: standard vocabularies first, our own `rg:` terms only where none fits.

Every `rg:` term used in code is defined (bilingual labels, definition, link to the nearest
standard term) in `ontology/rightsgraph.ttl`; a test checks that the two agree.
"""

from __future__ import annotations

import re

from pyoxigraph import NamedNode

# an absolute IRI (a scheme, then no space and none of the characters RFC 3987 excludes):
# nothing in it can close the <...> it is written into in a query
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def absolute_iri(value: str) -> bool:
    """Whether `value` is an absolute IRI that may be written into a query as `<value>`."""
    return bool(_ABSOLUTE_IRI.match(value or ""))


class Namespace(str):
    """A namespace IRI; `NS.term` and `NS["term"]` give pyoxigraph NamedNodes."""

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self + name)

    def __getitem__(self, name) -> NamedNode:  # type: ignore[override]
        if isinstance(name, str):
            return NamedNode(self + name)
        return str.__getitem__(self, name)

    def iri(self, name: str) -> str:
        return self + name


RG = Namespace("https://w3id.org/rightsgraph/ns#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
PREMIS = Namespace("http://www.loc.gov/premis/rdf/v3/")
DCT = Namespace("http://purl.org/dc/terms/")
DC = Namespace("http://purl.org/dc/elements/1.1/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
REPORT = Namespace("https://w3id.org/force/compliance-report#")
TDM = Namespace("http://www.w3.org/ns/tdmrep#")

# Well-known named graphs. Data graphs are chosen by the loader (see loading.py).
GRAPH_BASE = "https://w3id.org/rightsgraph/graph/"
ONTOLOGY_GRAPH = NamedNode(GRAPH_BASE + "ontology")
SHAPES_GRAPH = NamedNode(GRAPH_BASE + "shapes")
PROVENANCE_GRAPH = NamedNode(GRAPH_BASE + "provenance")
SYSTEM_GRAPHS = (ONTOLOGY_GRAPH, SHAPES_GRAPH, PROVENANCE_GRAPH)
# Graphs the system computes from the others (e.g. asset classes): each library derives its
# own, so they are neither shared nor harvested.
DERIVED_GRAPH_BASE = GRAPH_BASE + "derived/"

PREFIXES = {
    "rg": str(RG),
    "odrl": str(ODRL),
    "premis": str(PREMIS),
    "dct": str(DCT),
    "prov": str(PROV),
    "skos": str(SKOS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
    "foaf": str(FOAF),
    "void": str(VOID),
    "dcat": str(DCAT),
    "report": str(REPORT),
    "tdm": str(TDM),   # W3C TDMRep: tdm:mine, the text-and-data-mining action of licences
}


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, to prepend to queries we write."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
