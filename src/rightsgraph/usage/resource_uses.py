"""Uses per catalogue resource and year, on the denominator COUNTER recommends for its
kind of content, summed in the store: one SPARQL aggregate joins the year totals
(usage/totals.py) to the usage links (usage/links.py), so the cost-per-use report reads
one row per resource, report and year instead of every item's totals and every link.

    uses = resource_uses(store, DENOMINATOR, VIEW_PRECEDENCE, kind, year=2025)
    # {resource IRI: {2025: {"Unique_Item_Requests": 1234}}}

The master-or-view choice (indicators.VIEW_PRECEDENCE) is decided on every item of the
year totals, linked or not, per platform (creator), year, metric and kind of content,
exactly as indicators.usage_year_counts decides it; a second, small aggregate gives the
(report, creator, metric, data type, year) combinations it needs.

Like the links and the year totals, the result is kept in derived graphs, one per year
(`graph/derived/usage-resource-uses/2025`: `<resource> <counter:Unique_Item_Requests> 1234`,
one triple per resource and metric, so reading it is one index scan), stamped with the
fingerprint of the data graphs the links are stamped with and of the rules used; a report
sums again only when that changed. A report filtered by platform sums live.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import DERIVED_GRAPH_BASE
from ..store.changeset import ChangeSet
from .cube import XSD, C
from .links import LINKS_GRAPH, ensure_usage_links, source_fingerprint
from .totals import TOTALS_GRAPH_BASE, ensure_totals

RGNS = "https://w3id.org/rightsgraph/ns#"
USES_GRAPH = DERIVED_GRAPH_BASE + "usage-resource-uses"    # the head: fingerprint and years
RESOURCE_TYPES = {"journal": RGNS + "EJournal", "book": RGNS + "EBook", "database": RGNS + "Database"}


def _totals_pattern(metrics: str, reports: str, year: int | None) -> str:
    flt = f'FILTER(STR(?y) = "{int(year)}")' if year else ""
    return f"""VALUES ?m {{ {metrics} }} VALUES ?rt {{ {reports} }}
        GRAPH ?tg {{ ?tg <{RGNS}summarises> ?d ; <{RGNS}reportType> ?rt . OPTIONAL {{ ?tg <{RGNS}createdBy> ?by }}
            ?t <{RGNS}metricType> ?m ; <{RGNS}usageItem> ?i ; <{RGNS}usageYear> ?y ; <{RGNS}totalCount> ?n .
            OPTIONAL {{ ?t <{RGNS}dataType> ?dt }} }}
        FILTER(STRSTARTS(STR(?tg), "{TOTALS_GRAPH_BASE}")) {flt}"""


def resource_uses(store, denominators: dict[str, str], precedence: tuple[str, ...],
                  kind: Callable[[str | None, str], str], *, year: int | None = None,
                  platform: str | None = None) -> dict[str, dict[int, dict[str, int]]]:
    """{resource: {year: {metric: uses}}}: the year totals of the items linked to each
    resource, for the denominators of its rg:resourceType (`denominators`: kind -> metric),
    from the report `precedence` prefers (`kind(data type, report id)`: the item's kind of
    content). `platform`: only items whose rg:platformName is it."""
    ensure_totals(store)
    ensure_usage_links(store)
    if platform:
        return _sum(store, denominators, precedence, kind, year=year, platform=platform)
    stamp = uses_stamp(store, denominators, precedence, kind)
    if _summed_for(store) == stamp:
        return _read(store, year)
    uses = _sum(store, denominators, precedence, kind)
    _write(store, uses, stamp)
    return {r: {y: m for y, m in by_year.items() if not year or y == year} for r, by_year in uses.items()
            if not year or year in by_year}


def kept_resource_uses(store, resource: str, stamp: str) -> dict[int, dict[str, int]] | None:
    """{year: {metric: uses}} of one resource from the sums kept in the store, if they were
    summed for `stamp` (uses_stamp: what they must be current for; else None), without
    writing anything: for a page, which a reader process (a read-only snapshot) may answer."""
    if _summed_for(store) != stamp:
        return None
    return _read(store, None, resource).get(resource, {})


def uses_stamp(store, denominators, precedence, kind) -> str:
    """What the kept sums must have been summed for: the data (the links' fingerprint) and
    the rules too, so that a release that changes them does not read figures summed by the old."""
    code = getattr(kind, "__code__", None)
    rules = repr((sorted(denominators.items()), precedence, code.co_code if code else repr(kind),
                  code.co_consts if code else ()))
    return hashlib.sha256(f"{source_fingerprint(store)}\n{rules}".encode()).hexdigest()


def _summed_for(store) -> str | None:
    head = {r["p"].value: r["o"] for r in store.query(
        f"SELECT ?p ?o WHERE {{ GRAPH <{USES_GRAPH}> {{ <{USES_GRAPH}> ?p ?o }} }}")}
    found = head.get(RGNS + "sourceFingerprint")
    return found.value if found is not None else None


def _year_graph(year: int) -> str:
    return f"{USES_GRAPH}/{year:04d}"


def _read(store, year: int | None, only: str | None = None) -> dict:
    if year:
        years = [year]
    else:
        years = [int(r["y"].value) for r in store.query(
            f"SELECT ?y WHERE {{ GRAPH <{USES_GRAPH}> {{ <{USES_GRAPH}> <{RGNS}usageYear> ?y }} }}")]
    uses: dict = defaultdict(dict)
    for y in years:
        g = _year_graph(y)
        if only is not None:     # NamedNode: a ValueError for anything but an IRI
            for r in store.query(f"SELECT ?m ?n WHERE {{ GRAPH <{g}> {{ {NamedNode(only)} ?m ?n }} }}"):
                uses[only].setdefault(y, {})[r["m"].value[len(C):]] = int(r["n"].value)
            continue
        metrics = [r["m"].value for r in store.query(f"SELECT DISTINCT ?m WHERE {{ GRAPH <{g}> {{ ?r ?m ?n }} }}")]
        for m in metrics:     # a query per metric: no metric IRI to decode on every row
            name = m[len(C):]
            for r in store.query(f"SELECT ?r ?n WHERE {{ GRAPH <{g}> {{ ?r <{m}> ?n }} }}"):
                uses[r["r"].value].setdefault(y, {})[name] = int(r["n"].value)
    return uses


def _write(store, uses: dict, stamp: str) -> None:
    """Derived, so not journalled: a crash half-way leaves the old stamp, and the next
    report sums again."""
    old = [NamedNode(_year_graph(int(r["y"].value))) for r in store.query(
        f"SELECT ?y WHERE {{ GRAPH <{USES_GRAPH}> {{ <{USES_GRAPH}> <{RGNS}usageYear> ?y }} }}")]
    head = NamedNode(USES_GRAPH)
    years = sorted({y for by_year in uses.values() for y in by_year})
    add = [Quad(NamedNode(r), NamedNode(C + m), Literal(str(n), datatype=NamedNode(XSD + "integer")),
                NamedNode(_year_graph(y)))
           for r, by_year in sorted(uses.items()) for y, by_metric in sorted(by_year.items())
           for m, n in sorted(by_metric.items())]
    add += [Quad(head, NamedNode(RGNS + "usageYear"), Literal(f"{y:04d}", datatype=NamedNode(XSD + "gYear")), head)
            for y in years]
    add.append(Quad(head, NamedNode(RGNS + "sourceFingerprint"), Literal(stamp), head))
    store.commit(ChangeSet(clear=[head] + old, add=add))


def _sum(store, denominators: dict[str, str], precedence: tuple[str, ...], kind: Callable[[str | None, str], str],
         *, year: int | None = None, platform: str | None = None) -> dict:
    """The aggregate itself (module docstring)."""
    metrics = " ".join(f"<{C}{m}>" for m in sorted(set(denominators.values())))
    reports = " ".join(f"<{C}{r}>" for r in precedence)
    pattern = _totals_pattern(metrics, reports, year)
    rank = {r: k for k, r in enumerate(precedence)}
    best: dict[tuple, int] = {}
    for r in store.query(f"SELECT DISTINCT ?rt ?by ?m ?dt ?y WHERE {{ {pattern} }}"):
        rid = r["rt"].value[len(C):]
        key = (r["by"].value if r["by"] else "", int(r["y"].value[:4]), r["m"].value[len(C):],
               kind(r["dt"].value if r["dt"] else None, rid))
        best[key] = min(best.get(key, rank[rid]), rank[rid])
    types = " ".join(f"(<{RESOURCE_TYPES[k]}> <{C}{m}>)" for k, m in sorted(denominators.items())
                     if k in RESOURCE_TYPES)
    on_platform = (f'GRAPH ?d {{ ?i <{RGNS}platformName> ?platform }} FILTER(STR(?platform) = "{_escape(platform)}")'
                   if platform else "")
    uses: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for r in store.query(f"""SELECT ?r ?rt ?by ?m ?dt ?y (SUM(?n) AS ?uses) WHERE {{ {pattern}
            GRAPH <{LINKS_GRAPH.value}> {{ ?i <{RGNS}usageOf> ?r }} {on_platform}
            {{ SELECT ?r ?m WHERE {{ VALUES (?type ?m) {{ {types} }} ?r a <{RGNS}Resource> ; <{RGNS}resourceType> ?type }}
               GROUP BY ?r ?m }}
        }} GROUP BY ?r ?rt ?by ?m ?dt ?y"""):
        rid = r["rt"].value[len(C):]
        y = int(r["y"].value[:4])
        key = (r["by"].value if r["by"] else "", y, r["m"].value[len(C):], kind(r["dt"].value if r["dt"] else None, rid))
        if best.get(key) == rank[rid]:
            uses[r["r"].value][y][key[2]] += int(r["uses"].value)
    return uses


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
