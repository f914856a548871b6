"""The IRIs preservation data is written with: PREMIS 3, the Library of Congress
preservation vocabularies (event types, outcomes, hash functions), and our graphs."""

from __future__ import annotations

from datetime import datetime
from hashlib import sha256
from urllib.parse import quote

from pyoxigraph import NamedNode

from ..namespaces import GRAPH_BASE, Namespace, absolute_iri

EVENT_TYPE = Namespace("http://id.loc.gov/vocabulary/preservation/eventType/")
OUTCOME = Namespace("http://id.loc.gov/vocabulary/preservation/eventOutcome/")
HASH = Namespace("http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions/")
PRONOM = "http://www.nationalarchives.gov.uk/pronom/"

# LoC eventType codes used here
INGESTION, FIXITY_CHECK, FORMAT_IDENTIFICATION = EVENT_TYPE.ing, EVENT_TYPE.fix, EVENT_TYPE["for"]
VALIDATION, REPLICATION, RECOVERY = EVENT_TYPE.val, EVENT_TYPE.rep, EVENT_TYPE.rec
MIGRATION, TRANSFER = EVENT_TYPE.mig, EVENT_TYPE.tra
SUCCESS, FAILURE, WARNING = OUTCOME.suc, OUTCOME.fai, OUTCOME.war

# digest algorithm names (hashlib / BagIt / OCFL spelling) -> LoC hash function
ALGORITHMS = {"sha256": HASH.sha256, "sha512": HASH.sha512, "md5": HASH.md5, "sha1": HASH.sha1}

OBJECTS_GRAPH = NamedNode(GRAPH_BASE + "preservation/objects")
EVENTS_GRAPH_PREFIX = GRAPH_BASE + "preservation/events/"
SOFTWARE_AGENT = NamedNode("urn:rightsgraph:agent:rightsgraph-preservation")

ID_BASE = "urn:rightsgraph:preservation:"


def require_iri(value: str, param: str) -> str:
    """`value` if it is an absolute IRI (it then goes into queries as <value>), else a
    PreservationError naming the parameter."""
    if not absolute_iri(value):
        from .messages import PreservationError
        raise PreservationError("bad_iri", param=param, value=value)
    return value


def events_graph(when: datetime) -> NamedNode:
    """Events go to one graph per month: each commit recounts only a month's graph."""
    return NamedNode(f"{EVENTS_GRAPH_PREFIX}{when:%Y-%m}")


def location_iri(name: str) -> NamedNode:
    return NamedNode(ID_BASE + "location:" + quote(name, safe=""))


def file_iri(representation: str, path: str) -> NamedNode:
    """A file's IRI is its representation's and a digest of its path inside it: the same
    path gets the same IRI, so a file is registered once."""
    return NamedNode(f"{representation}:file:{sha256(path.encode()).hexdigest()[:24]}")


def copy_iri(file: NamedNode, location: str) -> NamedNode:
    return NamedNode(f"{file.value}:at:{quote(location, safe='')}")


def pronom_iri(puid: str) -> NamedNode:
    return NamedNode(PRONOM + puid)
