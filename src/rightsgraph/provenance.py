"""PROV-O records of committed loads, one activity per load, in the provenance graph."""

from __future__ import annotations

import getpass
import os
import uuid
from urllib.parse import quote
from dataclasses import asdict, dataclass, field
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


@dataclass
class LoadRecord:
    """What the provenance record of one write says, fixed before the write is applied.

    Plain data (JSON in the commit journal, store/journal.py), so that a write replayed
    after a crash records the same activity. The graphs' sizes afterwards are counted,
    and the end time taken, when the record is written. `facts` are further current-value
    facts about a loaded graph (e.g. the digest of the shipped ontology files) that replace
    that graph's previous value of the same predicate."""
    agent: str
    started: str
    sources: list[SourceRecord]
    loaded: dict[str, int]                 # graph IRI -> triples this write put in it
    replaced: bool
    via: str
    activity: str = field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}")
    facts: dict[str, dict[str, str]] = field(default_factory=dict)   # graph -> predicate -> literal

    @classmethod
    def new(cls, *, agent: str | None, started: datetime, sources=(), loaded: dict, replaced: bool,
            via: str, facts=None) -> "LoadRecord":
        return cls(agent=agent or default_agent(), started=started.isoformat(), sources=list(sources),
                   loaded={g.value: n for g, n in loaded.items()}, replaced=replaced, via=via,
                   facts=facts or {})

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "LoadRecord":
        return cls(**dict(data, sources=[SourceRecord(**s) for s in data["sources"]]))

    def graphs(self) -> list[NamedNode]:
        return [NamedNode(g) for g in sorted(self.loaded)]

    def nodes(self) -> list[NamedNode]:
        """Every subject the record writes about, but the graphs: the activity and its parts."""
        act = self.activity
        return ([NamedNode(act)] + [NamedNode(f"{act}#{k}-{i}") for k in ("source", "fixity")
                                    for i in range(1, len(self.sources) + 1)]
                + [NamedNode(f"{act}#generation-{i}") for i in range(1, len(self.loaded) + 1)])

    def retract_update(self) -> str:
        """Removes what a previous (interrupted) writing of this record left, and the
        loaded graphs' current-value facts that the record replaces."""
        extra = {p for facts in self.facts.values() for p in facts}
        nodes = " ".join(f"<{n.value}>" for n in self.nodes())
        own = (f"DELETE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?s ?p ?o }} }} "
               f"WHERE {{ VALUES ?s {{ {nodes} }} GRAPH <{PROVENANCE_GRAPH.value}> {{ ?s ?p ?o }} }}")
        if not self.loaded:
            return own
        return own + " ;\n" + stale_graph_facts_update(self.graphs(), extra_predicates=extra)

    def quads(self, totals: dict[NamedNode, int] | None) -> list[Quad]:
        """The record's quads; without `totals` the graphs' sizes are left out (a remote
        store counts them itself in the same update request: store/remote.py)."""
        quads = load_record(agent=self.agent, started=datetime.fromisoformat(self.started), ended=now(),
                            sources=self.sources, loaded={NamedNode(g): n for g, n in self.loaded.items()},
                            totals=totals, replaced=self.replaced, via=self.via, activity=self.activity)
        for graph, facts in self.facts.items():
            quads += [Quad(NamedNode(graph), NamedNode(p), Literal(v), PROVENANCE_GRAPH) for p, v in facts.items()]
        return quads


def load_record(*, agent: str, started: datetime, ended: datetime, sources: list[SourceRecord],
                loaded: dict[NamedNode, int], totals: dict[NamedNode, int] | None, replaced: bool,
                via: str = "cli", activity: str | None = None) -> list[Quad]:
    """Quads describing one committed load: who, when, which files (with SHA-256), how many
    triples it put in each graph (`loaded`) and each graph's size afterwards (`totals`).

    The record's nodes are IRIs under the activity's (no blank nodes), so writing the same
    record twice (a commit replayed after a crash) leaves one record.
    Graph-level facts (void:triples, dct:modified) are current values: the caller removes
    the previous ones (see `stale_graph_facts_update`)."""
    g = PROVENANCE_GRAPH
    act = NamedNode(activity or f"urn:uuid:{uuid.uuid4()}")
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
    for i, src in enumerate(sources, 1):
        ent = NamedNode(f"{act.value}#source-{i}")
        fix = NamedNode(f"{act.value}#fixity-{i}")
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
    for i, (graph, count) in enumerate(sorted(loaded.items(), key=lambda kv: kv[0].value), 1):
        gen = NamedNode(f"{act.value}#generation-{i}")
        q += [
            Quad(act, PROV.generated, graph, g),
            Quad(act, PROV.qualifiedGeneration, gen, g),  # per-graph count of this load
            Quad(gen, RDF.type, PROV.Generation, g),
            Quad(gen, PROV.entity, graph, g),
            Quad(gen, VOID.triples, Literal(str(count), datatype=XSD.integer), g),
            Quad(graph, RDF.type, PROV.Entity, g),
            Quad(graph, PROV.wasGeneratedBy, act, g),
            Quad(graph, DCT.modified, _dt(ended), g),
        ]
        if totals is not None:
            q.append(Quad(graph, VOID.triples, Literal(str(totals[graph]), datatype=XSD.integer), g))
    return q


def is_record_part(node, obj) -> bool:
    """Whether `obj`, the object of a triple about `node`, is a part of the same record
    (a source, fixity or generation: `<activity>#part`, or a blank node in records written
    before parts had IRIs) rather than something the record points at."""
    if isinstance(obj, BlankNode):
        return True
    return (isinstance(obj, NamedNode) and isinstance(node, NamedNode)
            and obj.value.startswith(node.value.split("#")[0] + "#"))


def stale_graph_facts_update(graphs, extra_predicates=()) -> str:
    """SPARQL Update removing the current-value facts of `graphs` before new ones go in."""
    values = " ".join(f"<{gr.value}>" for gr in graphs)
    predicates = " ".join(f"<{p}>" for p in sorted({VOID.triples.value, DCT.modified.value, *extra_predicates}))
    return (f"DELETE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g ?p ?o }} }} "
            f"WHERE {{ VALUES ?g {{ {values} }} VALUES ?p {{ {predicates} }} "
            f"GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g ?p ?o }} }}")


def now() -> datetime:
    return datetime.now(timezone.utc)
