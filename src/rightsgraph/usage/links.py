"""Usage items -> catalogue resources, by identifier: an item's print, online or linking
ISSN against a resource's rg:issn, its ISBN against rg:isbn (hyphens and case ignored),
its DOI against rg:doi, its proprietary ID against dct:identifier. A database (DR items:
COUNTER gives databases no standard identifier) is matched by its name against the
titles of the catalogue's databases (rg:resourceType rg:Database; case, spacing and
punctuation ignored), as librarians match them by hand.
The links are derived, like the asset classes: kept in their own graph with a fingerprint
of the data graphs they were derived from (names and dct:modified, provenance graph);
before each report they are derived again only when that fingerprint changed, so a
catalogue loaded after the usage still links.

    links = derive_usage_links(store)     # {item IRI: {resource IRI, ...}}
    ensure_usage_links(store)             # only keep the links graph current (for SPARQL joins)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import DERIVED_GRAPH_BASE, PROVENANCE_GRAPH, RG
from ..store.changeset import ChangeSet

LINKS_GRAPH = NamedNode(DERIVED_GRAPH_BASE + "usage-links")
RGNS = str(RG)
DCT = "http://purl.org/dc/terms/"
_ITEM_KEYS = {"printIssn": "issn", "onlineIssn": "issn", "linkingIssn": "issn", "itemIsbn": "isbn",
              "doi": "doi", "proprietaryId": "id"}


def normal_id(kind: str, value: str) -> str:
    """'issn:1234-567X' / 'isbn:9780300944266' / 'doi:10.1/x' / 'id:abc': the form both
    sides are matched on."""
    if kind in ("issn", "isbn"):
        return f"{kind}:{re.sub(r'[^0-9Xx]', '', value).upper()}"
    return f"{kind}:{value.strip().casefold()}"


def normal_name(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).casefold()
    return "name:" + "".join(ch for ch in text if ch.isalnum())


def source_fingerprint(store) -> str:
    """A fingerprint of what the links depend on: every data graph and when it last
    changed (provenance graph), the derived graphs left out."""
    rows = store.query(f"""SELECT ?g ?m WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g <{DCT}modified> ?m }}
            FILTER(!STRSTARTS(STR(?g), "{DERIVED_GRAPH_BASE}")) }}""")
    text = "\n".join(sorted(f"{r['g'].value} {r['m'].value}" for r in rows))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive_usage_links(store) -> dict[str, set[str]]:
    links = ensure_usage_links(store)
    if links is None:       # nothing changed since they were derived: read them
        links = defaultdict(set)
        for r in store.query(f"SELECT ?i ?r WHERE {{ GRAPH <{LINKS_GRAPH.value}> {{ ?i <{RGNS}usageOf> ?r }} }}"):
            links[r["i"].value].add(r["r"].value)
    return links


def ensure_usage_links(store) -> dict[str, set[str]] | None:
    """Derive the links graph again if what it depends on changed (and return the links);
    None when the stored links are current (queries can join LINKS_GRAPH directly)."""
    stamp = source_fingerprint(store)
    stored_stamp = next((r["s"].value for r in store.query(
        f"SELECT ?s WHERE {{ GRAPH <{LINKS_GRAPH.value}> {{ <{LINKS_GRAPH.value}> <{RGNS}sourceFingerprint> ?s }} }}")),
        None)
    if stored_stamp == stamp:
        return None
    by_key: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"""SELECT ?r ?p ?v WHERE {{ ?r a <{RGNS}Resource> ; ?p ?v .
            FILTER(?p IN (<{RGNS}issn>, <{RGNS}isbn>, <{RGNS}doi>, <{DCT}identifier>)) }}"""):
        p = row["p"].value
        kind = "issn" if p.endswith("issn") else "isbn" if p.endswith("isbn") else "doi" if p.endswith("doi") else "id"
        by_key[normal_id(kind, row["v"].value)].add(row["r"].value)
    for row in store.query(f"""SELECT ?r ?t WHERE {{ ?r a <{RGNS}Resource> ; <{RGNS}resourceType> <{RGNS}Database> ;
            <{DCT}title> ?t }}"""):
        by_key[normal_name(row["t"].value)].add(row["r"].value)
    links: dict[str, set[str]] = defaultdict(set)
    props = ", ".join(f"<{RGNS}{p}>" for p in _ITEM_KEYS)
    for row in store.query(f"""SELECT ?i ?p ?v WHERE {{ ?i a <{RGNS}UsageItem> ; ?p ?v . FILTER(?p IN ({props})) }}"""):
        kind = _ITEM_KEYS[row["p"].value[len(RGNS):]]
        for r in by_key.get(normal_id(kind, row["v"].value), ()):
            links[row["i"].value].add(r)
    # databases: DR items, by name, when no identifier linked them
    for row in store.query(f"""SELECT DISTINCT ?i ?t WHERE {{ ?d <{RGNS}reportType> ?rt ; <{"http://purl.org/linked-data/cube#"}slice> ?s .
            FILTER(STRSTARTS(STR(?rt), "https://w3id.org/rightsgraph/counter#DR"))
            ?s <{RGNS}usageItem> ?i . ?i <{DCT}title> ?t }}"""):
        if row["i"].value not in links:
            for r in by_key.get(normal_name(row["t"].value), ()):
                links[row["i"].value].add(r)
    store.commit(ChangeSet(clear=[LINKS_GRAPH], add=[Quad(NamedNode(i), RG.usageOf, NamedNode(r), LINKS_GRAPH)
                                                     for i, rs in sorted(links.items()) for r in sorted(rs)] +
                           [Quad(LINKS_GRAPH, RG.sourceFingerprint, Literal(stamp), LINKS_GRAPH)]))
    return links
