"""Usage items -> catalogue resources, by identifier: an item's print, online or linking
ISSN against a resource's rg:issn, its ISBN against rg:isbn (hyphens and case ignored),
its DOI against rg:doi, its proprietary ID against dct:identifier. A database (DR items:
COUNTER gives databases no standard identifier) is matched by its name against the
titles of the catalogue's databases (rg:resourceType rg:Database; case, spacing and
punctuation ignored), as librarians match them by hand.
The links are derived, like the asset classes: kept in their own graph, checked before
each usage report and rewritten only when they changed, so a catalogue loaded after the
usage still links.

    links = derive_usage_links(store)     # {item IRI: {resource IRI, ...}}
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from pyoxigraph import NamedNode, Quad

from ..namespaces import DERIVED_GRAPH_BASE, RG
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


def derive_usage_links(store) -> dict[str, set[str]]:
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
    wanted = {(i, r) for i, rs in links.items() for r in rs}
    stored = {(q.subject.value, q.object.value) for q in store.quads(LINKS_GRAPH)}
    if wanted != stored:
        store.commit(ChangeSet(clear=[LINKS_GRAPH], add=[Quad(NamedNode(i), RG.usageOf, NamedNode(r), LINKS_GRAPH)
                                                         for i, r in sorted(wanted)]))
    return links
