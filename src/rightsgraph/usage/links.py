"""Usage items -> catalogue resources, by identifier: an item's print, online or linking
ISSN against a resource's rg:issn, its ISBN against rg:isbn (hyphens and case ignored).
The links are derived, like the asset classes: rewritten into their own graph by the
system before each usage report, so a catalogue loaded after the usage still links.

    links = derive_usage_links(store)     # {item IRI: {resource IRI, ...}}
"""

from __future__ import annotations

import re
from collections import defaultdict

from pyoxigraph import NamedNode, Quad

from ..namespaces import DERIVED_GRAPH_BASE, RG

LINKS_GRAPH = NamedNode(DERIVED_GRAPH_BASE + "usage-links")
RGNS = str(RG)


def normal_id(kind: str, value: str) -> str:
    """'issn:1234-567X' / 'isbn:9780300944266': the form both sides are matched on."""
    v = re.sub(r"[^0-9Xx]", "", value).upper()
    return f"{kind}:{v}"


def derive_usage_links(store) -> dict[str, set[str]]:
    by_key: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"""SELECT ?r ?p ?v WHERE {{ ?r a <{RGNS}Resource> ; ?p ?v .
            FILTER(?p IN (<{RGNS}issn>, <{RGNS}isbn>)) }}"""):
        kind = "issn" if row["p"].value.endswith("issn") else "isbn"
        by_key[normal_id(kind, row["v"].value)].add(row["r"].value)
    links: dict[str, set[str]] = defaultdict(set)
    for row in store.query(f"""SELECT ?i ?p ?v WHERE {{ ?i a <{RGNS}UsageItem> ; ?p ?v .
            FILTER(?p IN (<{RGNS}printIssn>, <{RGNS}onlineIssn>, <{RGNS}linkingIssn>, <{RGNS}itemIsbn>)) }}"""):
        kind = "isbn" if row["p"].value.endswith("Isbn") else "issn"
        for r in by_key.get(normal_id(kind, row["v"].value), ()):
            links[row["i"].value].add(r)
    store.clear_graph(LINKS_GRAPH)
    if links:
        store.add_quads([Quad(NamedNode(i), RG.usageOf, NamedNode(r), LINKS_GRAPH)
                         for i, rs in sorted(links.items()) for r in sorted(rs)])
    return links
