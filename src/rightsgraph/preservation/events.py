"""PREMIS 3 events: what was done to which object, when, by whom, with what outcome.

An event is a premis:Event (a prov:Activity) typed with its Library of Congress event
type (fixity check, replication, recovery ...), linked to the objects it concerns with
prov:used, to its agents with prov:wasAssociatedWith (the person or service that ran
the command and the rightsgraph software agent), with premis:outcome (LoC eventOutcome:
success, failure, warning), an optional premis:outcomeNote, and prov:startedAtTime as
the PREMIS eventDateTime. Events go to one graph per month (vocab.events_graph).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import DCT, FOAF, PREMIS, PROV, RDF, XSD
from ..provenance import agent_node
from .vocab import SOFTWARE_AGENT, events_graph


def event_quads(event_type: NamedNode, objects, outcome: NamedNode, *, agent: str, at: datetime,
                note: str | None = None, part_of: NamedNode | None = None, iri: str | None = None,
                describe_agents: bool = True, generated=()) -> list[Quad]:
    """The quads of one event. `describe_agents=False` leaves out the agents' own
    description (type, name) when another event of the same commit already has it."""
    g = events_graph(at)
    ev = NamedNode(iri or f"urn:uuid:{uuid.uuid4()}")
    who = agent_node(agent)
    q = [
        Quad(ev, RDF.type, PREMIS.Event, g),
        Quad(ev, RDF.type, event_type, g),
        Quad(ev, PROV.startedAtTime, Literal(at.isoformat(), datatype=XSD.dateTime), g),
        Quad(ev, PREMIS.outcome, outcome, g),
        Quad(ev, PROV.wasAssociatedWith, who, g),
        Quad(ev, PROV.wasAssociatedWith, SOFTWARE_AGENT, g),
    ]
    if describe_agents:
        q += [Quad(who, RDF.type, PROV.Agent, g), Quad(who, FOAF.name, Literal(agent), g),
              Quad(SOFTWARE_AGENT, RDF.type, PREMIS.SoftwareAgent, g),
              Quad(SOFTWARE_AGENT, FOAF.name, Literal("rightsgraph preservation"), g)]
    for obj in objects:
        q.append(Quad(ev, PROV.used, obj if isinstance(obj, NamedNode) else NamedNode(obj), g))
    for obj in generated:      # what the event produced (a new copy): PREMIS linking object role "outcome"
        q.append(Quad(ev, PROV.generated, obj, g))
    if note:
        q.append(Quad(ev, PREMIS.outcomeNote, Literal(note), g))
    if part_of is not None:
        q.append(Quad(ev, DCT.isPartOf, part_of, g))
    return q
