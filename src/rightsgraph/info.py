"""What the store holds: graphs, counts and the latest loads (for `info` and the home page)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from .namespaces import ODRL, PROVENANCE_GRAPH, RG, SYSTEM_GRAPHS, sparql_prefixes

# What the summary counts: the distinct things typed with one of these classes (rg:Licence is
# both a licence and a policy). graph_counts.py keeps the same counts per graph.
COUNTED_CLASSES: dict[str, tuple[str, ...]] = {
    "resources": (RG.iri("Resource"),),
    "licences": (RG.iri("Licence"),),
    "parties": tuple(RG.iri(c) for c in ("Party", "Publisher", "Vendor", "RightsHolder", "Library", "Consortium")),
    "policies": (*(ODRL.iri(c) for c in ("Policy", "Set", "Offer", "Agreement")), RG.iri("Licence")),
}
COUNTED = tuple(COUNTED_CLASSES)   # the keys of the summary's "counts", in order


def _typed(var: str, classes) -> str:
    """`var` typed with one of `classes`, as a graph pattern."""
    if len(classes) == 1:
        return f"{var} a <{classes[0]}>"
    return f"{var} a {var}_class . VALUES {var}_class {{ {' '.join(f'<{c}>' for c in classes)} }}"


# Counted in the named graphs the caller may see: GRAPH ?g with the few graphs left out named
# (a default graph listing every visible graph costs Oxigraph an index look-up per graph and
# pattern: 4 s at 10,000 licence graphs, against 0.14 s so)
_COUNTS = sparql_prefixes() + f"""
SELECT
  (COUNT(DISTINCT ?r) AS ?resources) (COUNT(DISTINCT ?l) AS ?licences)
  (COUNT(DISTINCT ?p) AS ?parties) (COUNT(DISTINCT ?pol) AS ?policies)
WHERE {{ GRAPH ?g {{
  {{ {_typed("?r", COUNTED_CLASSES["resources"])} }} UNION {{ {_typed("?l", COUNTED_CLASSES["licences"])} }} UNION
  {{ {_typed("?p", COUNTED_CLASSES["parties"])} }} UNION {{ {_typed("?pol", COUNTED_CLASSES["policies"])} }} }}
  %s
}}"""

_GRAPHS = sparql_prefixes() + f"""
SELECT ?g (SAMPLE(?count) AS ?n) (SAMPLE(?m) AS ?modified) WHERE {{
  {{ SELECT ?g (COUNT(*) AS ?count) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g }}
  OPTIONAL {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g dct:modified ?m }} }}
}} GROUP BY ?g ORDER BY ?g"""   # counted first, then one look-up per graph (not per triple)

# The ten latest loads, then what each read and wrote. A load's record never changes, so a
# caller that keeps the second part (the home page's cache) asks only for the loads it has
# not seen: after a write, one, instead of summing the 10,000 graphs a bulk licence load
# wrote every time (50 ms at that size).
_LATEST_LOADS = sparql_prefixes() + f"""
SELECT ?act ?ended ?agent WHERE {{
  GRAPH <{PROVENANCE_GRAPH.value}> {{ ?act a rg:Load ; prov:endedAtTime ?ended ; prov:wasAssociatedWith/foaf:name ?agent }}
}} ORDER BY DESC(?ended) LIMIT 10"""
_LOAD_DETAILS = sparql_prefixes() + """
SELECT ?act ?files ?triples WHERE {{
  {{ SELECT ?act (GROUP_CONCAT(DISTINCT ?file; separator=", ") AS ?files) WHERE {{ VALUES ?act {{ {acts} }}
      GRAPH <{graph}> {{ ?act a rg:Load OPTIONAL {{ ?act prov:used/premis:originalName ?file }} }}
  }} GROUP BY ?act }}
  {{ SELECT ?act (SUM(?n) AS ?triples) WHERE {{ VALUES ?act {{ {acts} }}
      GRAPH <{graph}> {{ ?act a rg:Load OPTIONAL {{ ?act prov:qualifiedGeneration/void:triples ?n }} }}
  }} GROUP BY ?act }}
}}"""


def store_summary(store, hidden: frozenset[str] = frozenset()) -> dict:
    """What the store holds. With `hidden` graphs (a reader's view: confidential graphs and
    the provenance graph), counts and lists cover the other graphs only, and the loads
    (account names, file names, from the provenance graph) are left out."""
    known = {g.value for g in store.graphs()}     # without a remote store's own graphs (Virtuoso's)
    every = [{"graph": s["g"].value, "triples": int(s["n"].value),
              "modified": s["modified"].value if s["modified"] is not None else None} for s in store.query(_GRAPHS)]
    graphs = [g for g in every if g["graph"] not in hidden and g["graph"] in known]
    # The library's own resources, licences and policies: not the ontology's (which ships the
    # open-licence policies) nor those of graphs the caller may not see.
    data = {g["graph"] for g in graphs if NamedNode(g["graph"]) not in SYSTEM_GRAPHS}
    left_out = sorted({g["graph"] for g in every} - data)
    if data:
        where = f"FILTER(?g NOT IN ({', '.join(f'<{g}>' for g in left_out)}))" if left_out else ""
        row = next(iter(store.query(_COUNTS % where)))
        counts = {k: int(row[k].value) for k in COUNTED}
    else:
        counts = dict.fromkeys(COUNTED, 0)
    return {
        "total_triples": sum(g["triples"] for g in graphs),
        "counts": {k: counts[k] for k in COUNTED},
        "graphs": graphs,
        "loads": None if hidden else latest_loads(store),   # None: not shown to this caller
    }


def latest_loads(store, known: dict | None = None) -> list[dict]:
    """The ten latest writes' provenance records: when, who, which files, how many triples.
    `known`: activity IRI -> (files, triples), kept by the caller from earlier calls and
    filled in here."""
    known = {} if known is None else known
    latest = [(s["act"], s["ended"].value, s["agent"].value) for s in store.query(_LATEST_LOADS)]
    new = {act.value: act for act, _, _ in latest if act.value not in known}
    if new:
        acts = " ".join(str(a) for a in new.values())
        for s in store.query(_LOAD_DETAILS.format(acts=acts, graph=PROVENANCE_GRAPH.value)):
            known[s["act"].value] = (s["files"].value if s["files"] is not None else "",
                                     int(s["triples"].value) if s["triples"] is not None else 0)
    return [{"activity": act.value, "ended": ended, "agent": agent,
             "files": known[act.value][0], "triples": known[act.value][1]}
            for act, ended, agent in latest if act.value in known]
