"""PROV-O records of committed loads, one activity per load, in the provenance graph."""

from __future__ import annotations

import getpass
import os
import uuid
from urllib.parse import quote
from dataclasses import dataclass
from datetime import datetime, timezone

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from .namespaces import DCT, FOAF, PREMIS, PROV, PROVENANCE_GRAPH, RDF, RG, VOID, XSD

SHA256 = NamedNode("http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions/sha256")


@dataclass
class SourceRecord:
    name: str          # file name as given
    sha256: str
    size: int


def default_agent() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database entry (containers)
        return os.environ.get("USER", "unknown")


def agent_node(agent: str) -> NamedNode:
    """An IRI for the agent: used as is when it is one, else minted from the name."""
    if "://" in agent or agent.startswith(("urn:", "mailto:")):
        return NamedNode(agent)
    return NamedNode("urn:rightsgraph:agent:" + quote(agent, safe=""))


def _dt(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def load_record(*, agent: str, started: datetime, ended: datetime, sources: list[SourceRecord],
                loaded: dict[NamedNode, int], totals: dict[NamedNode, int], replaced: bool,
                via: str = "cli") -> list[Quad]:
    """Quads describing one committed load: who, when, which files (with SHA-256), how many
    triples it put in each graph (`loaded`) and each graph's size afterwards (`totals`).

    Graph-level facts (void:triples, dct:modified) are current values: the caller removes
    the previous ones (see `stale_graph_facts_update`)."""
    g = PROVENANCE_GRAPH
    act = NamedNode(f"urn:uuid:{uuid.uuid4()}")
    who = agent_node(agent)
    q = [
        Quad(act, RDF.type, PROV.Activity, g),
        Quad(act, RDF.type, RG.Load, g),
        Quad(act, PROV.startedAtTime, _dt(started), g),
        Quad(act, PROV.endedAtTime, _dt(ended), g),
        Quad(act, PROV.wasAssociatedWith, who, g),
        Quad(act, RG.loadMode, Literal("replace" if replaced else "add"), g),
        Quad(act, RG.loadChannel, Literal(via), g),
        Quad(who, RDF.type, PROV.Agent, g),
        Quad(who, FOAF.name, Literal(agent), g),
    ]
    for src in sources:
        ent = BlankNode()
        fix = BlankNode()
        q += [
            Quad(act, PROV.used, ent, g),
            Quad(ent, RDF.type, PROV.Entity, g),
            Quad(ent, PREMIS.originalName, Literal(src.name), g),
            Quad(ent, PREMIS.size, Literal(str(src.size), datatype=XSD.integer), g),
            Quad(ent, PREMIS.fixity, fix, g),
            Quad(fix, RDF.type, PREMIS.Fixity, g),
            Quad(fix, RDF.type, SHA256, g),
            Quad(fix, RDF.value, Literal(src.sha256), g),
        ]
    for graph, count in loaded.items():
        gen = BlankNode()
        q += [
            Quad(act, PROV.generated, graph, g),
            Quad(act, PROV.qualifiedGeneration, gen, g),  # per-graph count of this load
            Quad(gen, RDF.type, PROV.Generation, g),
            Quad(gen, PROV.entity, graph, g),
            Quad(gen, VOID.triples, Literal(str(count), datatype=XSD.integer), g),
            Quad(graph, RDF.type, PROV.Entity, g),
            Quad(graph, PROV.wasGeneratedBy, act, g),
            Quad(graph, VOID.triples, Literal(str(totals[graph]), datatype=XSD.integer), g),
            Quad(graph, DCT.modified, _dt(ended), g),
        ]
    return q


def stale_graph_facts_update(graphs) -> str:
    """SPARQL Update removing the current-value facts of `graphs` before new ones go in."""
    values = " ".join(f"<{gr.value}>" for gr in graphs)
    return (f"DELETE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g ?p ?o }} }} "
            f"WHERE {{ VALUES ?g {{ {values} }} VALUES ?p {{ <{VOID.triples.value}> <{DCT.modified.value}> }} "
            f"GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g ?p ?o }} }}")


def now() -> datetime:
    return datetime.now(timezone.utc)
