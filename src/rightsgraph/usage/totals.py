"""Year totals of the usage, kept in a derived graph per data set, so that the reports
that work by year (cost per use, demand) read one figure per item, metric and year
instead of summing every monthly observation (a title report of 10,000 titles has a
million): docs/usage.md, benchmarks/bench_usage.py.

    write_totals(store, cubes)          # the importer, right after the data sets' commit
    ensure_totals(store)                # before a report: derive what is missing or stale

A totals graph `graph/derived/usage-totals/<data set path>` holds the metrics those
reports read (cube.YEAR_METRICS: the cost-per-use denominators and the turnaways), Regular
access only (TDM is not reading), summed over the dimensions the reports do not split by
(YOP, access type, section type):

    <totals graph> rg:summarises <data set> ; rg:sourceModified <its dct:modified> ;
                   rg:reportType counter:TR ; rg:createdBy "Platform" .
    <totals graph>/t1 rg:usageItem <item> ; rg:metricType counter:Unique_Item_Requests ;
                      rg:dataType "Journal" ; rg:usageYear "2025"^^xsd:gYear ; rg:totalCount 1234 .

and the month totals the usage trend reads (every metric, summed over the items too):

    <totals graph>/m1 rg:metricType counter:Total_Item_Requests ; rg:dataType "Journal" ;
                      rg:usageMonth "2025-01"^^xsd:gYearMonth ; rg:totalCount 56789 .

(the trend of a million observations read 24 figures a metric, not the million: minutes
before, under a second now). `rg:totalsVersion` names the layout, so totals written by an
older release are summed again.

Like the usage links and the asset classes they are derived by the system, not loaded,
and never trusted blindly: a data set whose dct:modified (provenance graph) differs from
the stamp (re-imported, changed by SPARQL Update, loaded as RDF without the importer)
gets its totals summed again from its observations.
"""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat

from ..namespaces import DCT, DERIVED_GRAPH_BASE, PROVENANCE_GRAPH, RG
from ..store.changeset import ChangeSet
from .cube import C, QB, USAGE_GRAPH_BASE, XSD, YEAR_METRICS, lit

TOTALS_GRAPH_BASE = DERIVED_GRAPH_BASE + "usage-totals/"
RGNS = str(RG)


def totals_graph(dataset: str) -> str:
    return TOTALS_GRAPH_BASE + dataset[len(USAGE_GRAPH_BASE):] if dataset.startswith(USAGE_GRAPH_BASE) \
        else TOTALS_GRAPH_BASE + "other/" + dataset.replace("://", "/")


def _datasets(store, only=None) -> dict[str, dict]:
    """data set -> {modified, report, by}."""
    values = f"VALUES ?g {{ {' '.join(f'<{d}>' for d in only)} }}" if only is not None else ""
    out = {}
    for r in store.query(f"""SELECT ?g ?rt ?by ?m WHERE {{ {values}
            GRAPH ?g {{ ?g a <{RGNS}UsageDataSet> ; <{RGNS}reportType> ?rt . OPTIONAL {{ ?g <{RGNS}createdBy> ?by }} }}
            OPTIONAL {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g <{DCT.modified.value}> ?m }} }} }}"""):
        out[r["g"].value] = {"modified": r["m"].value if r["m"] else "", "report": r["rt"].value,
                             "by": r["by"].value if r["by"] else ""}
    return out


#: the layout of a totals graph; totals of another layout are summed again (ensure_totals)
VERSION = "2"


def _ntriples(dataset: str, info: dict, totals: dict, months: dict) -> bytes:
    tg = totals_graph(dataset)
    stamp = lit(info["modified"], XSD + "dateTime") if info["modified"] else lit("")
    lines = [f"<{tg}> <{RGNS}summarises> <{dataset}> .", f"<{tg}> <{RGNS}sourceModified> {stamp} .",
             f"<{tg}> <{RGNS}reportType> <{info['report']}> .", f"<{tg}> <{RGNS}totalsVersion> {lit(VERSION)} ."]
    if info["by"]:
        lines.append(f"<{tg}> <{RGNS}createdBy> {lit(info['by'])} .")
    for k, ((item, metric, data_type, year), n) in enumerate(sorted(totals.items()), 1):
        t = f"<{tg}/t{k}>"
        lines.append(f"{t} <{RGNS}usageItem> <{item}> .\n{t} <{RGNS}metricType> <{C}{metric}> .\n"
                     f"{t} <{RGNS}usageYear> {lit(year, XSD + 'gYear')} .\n"
                     f'{t} <{RGNS}totalCount> "{n}"^^<{XSD}integer> .')
        if data_type:
            lines.append(f"{t} <{RGNS}dataType> {lit(data_type)} .")
    for k, ((metric, data_type, month), n) in enumerate(sorted(months.items()), 1):
        t = f"<{tg}/m{k}>"
        lines.append(f"{t} <{RGNS}metricType> <{C}{metric}> .\n"
                     f"{t} <{RGNS}usageMonth> {lit(month, XSD + 'gYearMonth')} .\n"
                     f'{t} <{RGNS}totalCount> "{n}"^^<{XSD}integer> .')
        if data_type:
            lines.append(f"{t} <{RGNS}dataType> {lit(data_type)} .")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _write(store, dataset: str, info: dict, totals: dict, months: dict) -> None:
    # Derived, so not journalled: a crash half-way leaves the stamp missing or stale, and
    # ensure_totals sums the data set again.
    store.load_bytes(_ntriples(dataset, info, totals, months), RdfFormat.N_TRIPLES,
                     NamedNode(totals_graph(dataset)), replace=True)


def write_totals(store, cubes, replaced=()) -> None:
    """After an import: the totals of the new data sets (from the cubes, no query), and
    none for the data sets the import replaced."""
    infos = _datasets(store, [c.graph for c in cubes])
    for c in cubes:
        if c.graph in infos:
            _write(store, c.graph, infos[c.graph], c.year_totals, c.month_totals)
    for g in replaced:
        drop_totals(store, g)


def drop_totals(store, dataset: str) -> None:
    store.commit(ChangeSet(clear=[NamedNode(totals_graph(dataset))]))


def ensure_totals(store) -> int:
    """Derive the totals of every data set that has none or stale ones, drop those of data
    sets that are gone; returns how many data sets were summed."""
    datasets = _datasets(store)
    have = {r["d"].value: (r["tg"].value, r["s"].value, r["v"].value if r["v"] else "") for r in store.query(
        f"""SELECT ?tg ?d ?s ?v WHERE {{ GRAPH ?tg {{ ?tg <{RGNS}summarises> ?d ; <{RGNS}sourceModified> ?s
            OPTIONAL {{ ?tg <{RGNS}totalsVersion> ?v }} }}
            FILTER(STRSTARTS(STR(?tg), "{TOTALS_GRAPH_BASE}")) }}""")}
    summed = 0
    metrics = " ".join(f"<{C}{m}>" for m in sorted(YEAR_METRICS))
    for d, info in datasets.items():
        if d in have and have[d] == (totals_graph(d), info["modified"], VERSION):
            continue
        rows = store.query(f"""SELECT ?i ?m ?dt ?y (SUM(?n) AS ?c) WHERE {{ VALUES ?m {{ {metrics} }}
                GRAPH <{d}> {{ <{d}> <{QB}slice> ?s . ?s <{RGNS}usageItem> ?i ; <{RGNS}metricType> ?m . OPTIONAL {{ ?s <{RGNS}dataType> ?dt }}
                FILTER NOT EXISTS {{ ?s <{RGNS}accessMethod> <{C}TDM> }}
                ?s <{QB}observation> ?o . ?o <{RGNS}usageMonth> ?month ; <{RGNS}usageCount> ?n }}
                BIND(SUBSTR(STR(?month), 1, 4) AS ?y) }} GROUP BY ?i ?m ?dt ?y""")
        totals = {(r["i"].value, r["m"].value[len(C):], r["dt"].value if r["dt"] else "", r["y"].value):
                  int(r["c"].value) for r in rows}
        rows = store.query(f"""SELECT ?m ?dt ?month (SUM(?n) AS ?c) WHERE {{
                GRAPH <{d}> {{ <{d}> <{QB}slice> ?s . ?s <{RGNS}metricType> ?m . OPTIONAL {{ ?s <{RGNS}dataType> ?dt }}
                FILTER NOT EXISTS {{ ?s <{RGNS}accessMethod> <{C}TDM> }}
                ?s <{QB}observation> ?o . ?o <{RGNS}usageMonth> ?month ; <{RGNS}usageCount> ?n }} }}
                GROUP BY ?m ?dt ?month""")
        months = {(r["m"].value[len(C):], r["dt"].value if r["dt"] else "", r["month"].value): int(r["c"].value)
                  for r in rows}
        _write(store, d, info, totals, months)
        summed += 1
    for d, (tg, _, _) in have.items():
        if d not in datasets:
            store.commit(ChangeSet(clear=[NamedNode(tg)]))
    return summed


def _heads(store) -> dict[str, tuple[str, str]]:
    """totals graph -> (report id, platform that created the report)."""
    return {r["tg"].value: (r["rt"].value[len(C):], r["by"].value if r["by"] else "") for r in store.query(
        f"""SELECT ?tg ?rt ?by WHERE {{ GRAPH ?tg {{ ?tg <{RGNS}summarises> ?d ; <{RGNS}reportType> ?rt .
            OPTIONAL {{ ?tg <{RGNS}createdBy> ?by }} }} FILTER(STRSTARTS(STR(?tg), "{TOTALS_GRAPH_BASE}")) }}""")}


def year_totals(store, metrics, *, year: int | None = None) -> list[dict]:
    """[{report, created_by, item, metric, data_type, year, count}] for the metrics (of
    YEAR_METRICS), from the totals graphs (derived first where missing or stale)."""
    unknown = set(metrics) - YEAR_METRICS
    if unknown:
        raise ValueError(f"no year totals are kept for {', '.join(sorted(unknown))}")
    ensure_totals(store)
    heads = _heads(store)
    values = " ".join(f"<{C}{m}>" for m in metrics)
    flt = f'FILTER(STR(?y) = "{int(year)}")' if year else ""
    out = []
    for tg, (report, by) in heads.items():
        for r in store.query(f"""SELECT ?i ?m ?dt ?y ?n WHERE {{ VALUES ?m {{ {values} }} GRAPH <{tg}> {{
                ?t <{RGNS}metricType> ?m ; <{RGNS}usageItem> ?i ; <{RGNS}usageYear> ?y ; <{RGNS}totalCount> ?n .
                OPTIONAL {{ ?t <{RGNS}dataType> ?dt }} }} {flt} }}"""):
            out.append({"report": report, "created_by": by, "item": r["i"].value, "metric": r["m"].value[len(C):],
                        "data_type": r["dt"].value if r["dt"] else None, "year": int(r["y"].value[:4]),
                        "count": int(r["n"].value)})
    return out


def month_totals(store, metrics, *, year: int | None = None) -> list[dict]:
    """[{report, created_by, metric, data_type, month, count}]: the month totals of the data
    sets (derived first where missing or stale), summed over the items."""
    ensure_totals(store)
    heads = _heads(store)
    values = " ".join(f"<{C}{m}>" for m in metrics)
    flt = f'FILTER(STRSTARTS(STR(?month), "{int(year)}"))' if year else ""
    out = []
    for tg, (report, by) in heads.items():
        for r in store.query(f"""SELECT ?m ?dt ?month ?n WHERE {{ VALUES ?m {{ {values} }} GRAPH <{tg}> {{
                ?t <{RGNS}metricType> ?m ; <{RGNS}usageMonth> ?month ; <{RGNS}totalCount> ?n .
                OPTIONAL {{ ?t <{RGNS}dataType> ?dt }} }} {flt} }}"""):
            out.append({"report": report, "created_by": by, "metric": r["m"].value[len(C):],
                        "data_type": r["dt"].value if r["dt"] else None, "month": r["month"].value,
                        "count": int(r["n"].value)})
    return out
