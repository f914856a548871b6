"""VoID / DCAT description of the dataset a rightsgraph store shares.

Used by `rightsgraph export --shareable` (inside the export) and by `/.well-known/void`.
A graph is described (and shared) unless it is a system graph (ontology, shapes,
provenance) or marked confidential in the provenance graph (`<graph> rg:confidential true`).
"""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from ..namespaces import DCAT, DCT, DERIVED_GRAPH_BASE, FOAF, GRAPH_BASE, PROVENANCE_GRAPH, RDF, SD, SYSTEM_GRAPHS, VOID, XSD

# Graph an export carries its own description and provenance in (exchange/shareable.py).
EXCHANGE_GRAPH = NamedNode(GRAPH_BASE + "exchange")
DEFAULT_LICENCE = "https://creativecommons.org/publicdomain/zero/1.0/"   # CC0 for metadata
DCT_TITLE = NamedNode(DCT.iri("title"))


def confidential_graphs(store) -> set[NamedNode]:
    """Graphs marked `rg:confidential true` in the provenance graph (confidentiality.py)."""
    from ..confidentiality import confidential_graphs as names
    return {NamedNode(g) for g in names(store)}


def shareable_graphs(store) -> list[NamedNode]:
    """Every graph except the system graphs, the derived ones and the confidential ones,
    sorted by IRI."""
    hidden = set(SYSTEM_GRAPHS) | confidential_graphs(store) | {EXCHANGE_GRAPH}
    return [g for g in store.graphs() if g not in hidden and not g.value.startswith(DERIVED_GRAPH_BASE)]


def graph_facts(store, graphs: list[NamedNode]) -> dict[NamedNode, dict]:
    """{graph: {"triples": int, "modified": Literal | None}}: counts from the store itself,
    last modification from the provenance graph."""
    modified: dict[NamedNode, Literal] = {}
    if graphs:
        values = " ".join(f"<{g.value}>" for g in graphs)
        for r in store.query(f"SELECT ?g ?m WHERE {{ VALUES ?g {{ {values} }} GRAPH <{PROVENANCE_GRAPH.value}> "
                             f"{{ ?g <{DCT.modified.value}> ?m }} }}"):
            if r["g"] not in modified or r["m"].value > modified[r["g"]].value:
                modified[r["g"]] = r["m"]
    counts = _counts(store, graphs)
    return {g: {"triples": counts.get(g, 0), "modified": modified.get(g)} for g in graphs}


def _counts(store, graphs) -> dict[NamedNode, int]:
    if not graphs:
        return {}
    values = " ".join(f"<{g.value}>" for g in graphs)
    rows = store.query(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g")
    return {r["g"]: int(r["n"].value) for r in rows}


def describe(store, *, dataset: NamedNode, graphs: list[NamedNode] | None = None, endpoint: str | None = None,
             publisher: str | None = None, licence: str | None = DEFAULT_LICENCE,
             title: str | None = None) -> list[Triple]:
    """Triples describing the dataset: a `void:Dataset` and `dcat:Dataset` with publisher,
    licence of the metadata, total triples, last modified, SPARQL endpoint, and one
    `void:subset` per graph (its `sd:name`, `void:triples`, `dct:modified`)."""
    if graphs is None:
        graphs, facts = cached_description_facts(store)
    else:
        facts = graph_facts(store, graphs)
    t = [Triple(dataset, RDF.type, VOID.Dataset), Triple(dataset, RDF.type, DCAT.Dataset),
         Triple(dataset, DCT_TITLE, Literal(title or "rightsgraph shared rights metadata", language="en")),
         Triple(dataset, VOID.triples, Literal(str(sum(f["triples"] for f in facts.values())), datatype=XSD.integer))]
    if licence:
        t.append(Triple(dataset, DCT.license, NamedNode(licence)))
    if publisher:
        if "://" in publisher or publisher.startswith(("urn:", "mailto:")):
            t.append(Triple(dataset, DCT.publisher, NamedNode(publisher)))
        else:
            agent = BlankNode()
            t += [Triple(dataset, DCT.publisher, agent), Triple(agent, RDF.type, FOAF.Agent),
                  Triple(agent, FOAF.name, Literal(publisher))]
    if endpoint:
        t.append(Triple(dataset, VOID.sparqlEndpoint, NamedNode(endpoint)))
    stamps = [f["modified"] for f in facts.values() if f["modified"] is not None]
    if stamps:
        t.append(Triple(dataset, DCT.modified, max(stamps, key=lambda lit: lit.value)))
    for g, f in facts.items():
        t += [Triple(dataset, VOID.subset, g), Triple(g, RDF.type, VOID.Dataset),
              Triple(g, RDF.type, SD.NamedGraph), Triple(g, SD.name, g),
              Triple(g, VOID.triples, Literal(str(f["triples"]), datatype=XSD.integer))]
        if f["modified"] is not None:
            t.append(Triple(g, DCT.modified, f["modified"]))
    return t


_CACHE: dict = {}
CACHE_SECONDS = 5.0


def cached_description_facts(store) -> tuple[list[NamedNode], dict[NamedNode, dict]]:
    """(shared graphs, their facts), recomputed after a write by this process
    (`write_generation.generation`) or after CACHE_SECONDS: the service description and
    /.well-known/void ask on every request, and counting a large store is not free."""
    import time
    from .. import write_generation
    key = id(store)
    now, gen = time.monotonic(), write_generation.generation()
    hit = _CACHE.get(key)
    if hit and hit[0] == gen and now - hit[1] < CACHE_SECONDS:
        return hit[2]
    graphs = shareable_graphs(store)
    value = (graphs, graph_facts(store, graphs))
    _CACHE[key] = (gen, now, value)
    return value


def shared_triples(store) -> int:
    """Triples in the shared graphs (what `/.well-known/void` counts)."""
    return sum(f["triples"] for f in cached_description_facts(store)[1].values())
