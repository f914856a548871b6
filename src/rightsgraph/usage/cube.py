"""A checked CounterReport as W3C RDF Data Cube, in the abbreviated form the Data Cube
spec allows (section 10): dimensions that are the same for a run of months sit on a
qb:Slice, one per item, attribute set and metric type (`rg:UsageSeries`); each
observation is a blank node with only its month and count.

    <graph>            a rg:UsageDataSet, qb:DataSet ; qb:structure counter:UsageStructure ;
                       rg:reportType counter:TR_J1 ; rg:counterRelease "5.1" ; rg:beginMonth ... ;
                       qb:slice <graph/s1> ...
    <graph/i1>         a rg:UsageItem ; dct:title "Title 3" ; rg:platformName ... ; rg:onlineIssn ...
    <graph/s1>         a rg:UsageSeries, qb:Slice ; qb:sliceStructure counter:SeriesKey ;
                       rg:usageItem <graph/i1> ; rg:metricType counter:Total_Item_Requests ;
                       rg:accessType counter:Controlled ; rg:yop "2020"^^xsd:gYear ; ...
                       qb:observation [ rg:usageMonth "2022-01"^^xsd:gYearMonth ; rg:usageCount 526 ] ...

A zero count is not stored (COUNTER's JSON leaves zero months out as well); an item whose
counts are all zero keeps its rg:UsageItem, so "in the report, never used" stays visible.
The text is N-Triples, written directly: for a report of a million counts this is several
times faster than building Quad objects.

What the SHACL gate needs to see (`Cube.staged`, a part of `Cube.ntriples`): the data set,
the items, the series, each series' first observation, and every other observation unless
this module has checked, on the values it writes, each constraint the usage shapes put on
it: month inside the reporting period (MonthInReportingPeriod; rg:usageMonth and its
datatype are written once per observation, so UsageObservation-month and
OneObservationPerMonth hold by construction), count a positive int (UsageObservation-count)
and no unique count above its total among sibling series (UniqueNotAboveTotal, the pairs of
counter_spec.NOT_ABOVE, computed as the shape does: both months present, lesser > greater;
a group of siblings that breaks it is staged whole). The gate then gives on the staged part
exactly the result it gives on the whole cube: the observations left out are ones that
satisfy every constraint that reads them, and the shape that counts them (a series has an
observation) is met by the first. docs/usage.md, "What the SHACL gate sees of an import".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..namespaces import GRAPH_BASE
from . import counter_spec as spec
from .reader import CounterReport, Item

RG = "https://w3id.org/rightsgraph/ns#"
QB = "http://purl.org/linked-data/cube#"
DCT = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
C = spec.COUNTER_NS
USAGE_GRAPH_BASE = GRAPH_BASE + "usage/"

ID_PROPERTIES = {"DOI": "doi", "Proprietary_ID": "proprietaryId", "ISBN": "itemIsbn", "Print_ISSN": "printIssn",
                 "Online_ISSN": "onlineIssn", "Linking_ISSN": "linkingIssn", "URI": "itemUri"}
# the metrics the reports that work by year read (cost-per-use denominators, demand)
YEAR_METRICS = frozenset(("Unique_Item_Requests", "Unique_Title_Requests", "Searches_Regular", "No_License",
                          "Limit_Exceeded"))
ATTRIBUTE_PROPERTIES = {"Data_Type": "dataType", "Section_Type": "sectionType", "YOP": "yop",
                        "Access_Type": "accessType", "Access_Method": "accessMethod"}


def identity(report: CounterReport) -> tuple:
    """What makes two files the same report: type, creator, institution (not the release,
    not the format; a 5.1 report replaces the 5 report of the same months)."""
    h = report.header
    return (h.report_id, h.created_by, h.institution_id or h.institution_name)


def graph_iri(report: CounterReport) -> str:
    h = report.header
    digest = hashlib.sha256("|".join(identity(report) + (h.begin, h.end)).encode("utf-8")).hexdigest()[:12]
    return f"{USAGE_GRAPH_BASE}{h.report_id}/{h.begin}_{h.end}/{digest}"


def lit(value: str, datatype: str | None = None) -> str:
    s = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))
    return f'"{s}"^^<{datatype}>' if datatype else f'"{s}"'


@dataclass
class Cube:
    graph: str
    ntriples: str                # the whole cube: what the store receives
    observations: int
    series: int
    items: int
    staged: str = ""             # the part the SHACL gate validates (module docstring)
    triples: int = 0             # distinct triples in `ntriples`
    where: dict = field(default_factory=dict)     # series/item IRI -> location in the file
    year_totals: dict = field(default_factory=dict)   # (item IRI, metric, data type, year) -> count,
                                                      # Regular access, YEAR_METRICS: usage/totals.py
    month_totals: dict = field(default_factory=dict)  # (metric, data type, month) -> count, over the
                                                      # items; Regular access, every metric: usage/totals.py


def to_cube(report: CounterReport) -> Cube:
    h = report.header
    g = graph_iri(report)
    out: list[str] = []
    w = out.append
    ds = f"<{g}>"
    w(f"{ds} {RDF_TYPE} <{RG}UsageDataSet> .")
    w(f"{ds} {RDF_TYPE} <{QB}DataSet> .")
    w(f"{ds} <{QB}structure> <{C}UsageStructure> .")
    w(f"{ds} <{RG}reportType> <{C}{h.report_id}> .")
    w(f"{ds} <{RG}counterRelease> {lit(h.release)} .")
    w(f"{ds} <{RG}beginMonth> {lit(h.begin, XSD + 'gYearMonth')} .")
    w(f"{ds} <{RG}endMonth> {lit(h.end, XSD + 'gYearMonth')} .")
    for prop, value in (("institutionName", h.institution_name), ("institutionId", h.institution_id),
                        ("customerId", h.customer_id), ("createdBy", h.created_by)):
        if value:
            w(f"{ds} <{RG}{prop}> {lit(value)} .")
    if h.report_name:
        w(f"{ds} <{DCT}title> {lit(h.report_name)} .")
    if h.created:
        w(f"{ds} <{DCT}created> {lit(h.created)} .")
    for code, message, data in h.exceptions:
        text = f"{code}: {message}" + (f" ({data})" if data else "")
        w(f"{ds} <{RG}reportException> {lit(text)} .")

    items: dict[Item, str] = {}
    where: dict[str, str] = {}

    def item_iri(item: Item, at: str) -> str:
        iri = items.get(item)
        if iri is None:
            parent = item_iri(item.parent, at) if item.parent else None
            iri = items[item] = f"<{g}/i{len(items) + 1}>"
            where[iri[1:-1]] = at
            w(f"{iri} {RDF_TYPE} <{RG}UsageItem> .")
            w(f"{iri} <{DCT}title> {lit(item.name)} .")
            for prop, value in (("platformName", item.platform), ("publisherName", item.publisher),
                                ("publisherId", item.publisher_id), ("authors", item.authors),
                                ("publicationDate", item.publication_date), ("articleVersion", item.article_version),
                                ("dataType", item.data_type)):
                if value:
                    w(f"{iri} <{RG}{prop}> {lit(value)} .")
            for col, value in item.ids:
                w(f"{iri} <{RG}{ID_PROPERTIES[col]}> {lit(_clean_id(col, value))} .")
            if parent:
                w(f"{iri} <{RG}parentItem> {parent} .")
        return iri

    n_series = n_obs = 0
    totals: dict = {}
    months: dict = {}
    month_lit = {m: f'"{m}"^^<{XSD}gYearMonth>' for m in report.months()}
    ordered = {m for pair in spec.NOT_ABOVE for m in pair}
    siblings: dict[tuple, dict[str, dict[str, int]]] = {}   # (item, attributes) -> metric -> month -> count
    unstaged: list[tuple[tuple, str]] = []                  # (siblings key, observations the gate need not see)
    for row in report.rows:
        item = item_iri(row.item, row.where)
        counts = [(m, n) for m, n in sorted(row.counts.items()) if n]
        if not counts:
            continue
        n_series += 1
        s = f"<{g}/s{n_series}>"
        where[s[1:-1]] = row.metric_at or row.where
        w(f"{ds} <{QB}slice> {s} .")
        w(f"{s} {RDF_TYPE} <{RG}UsageSeries> .")
        w(f"{s} {RDF_TYPE} <{QB}Slice> .")
        w(f"{s} <{QB}sliceStructure> <{C}SeriesKey> .")
        w(f"{s} <{RG}usageItem> {item} .")
        w(f"{s} <{RG}metricType> <{C}{row.metric}> .")
        for attr, value in row.attrs.items():
            prop = ATTRIBUTE_PROPERTIES[attr]
            if attr in ("Access_Type", "Access_Method"):
                w(f"{s} <{RG}{prop}> <{C}{value}> .")
            elif attr == "YOP":
                w(f"{s} <{RG}yop> {lit(value, XSD + 'gYear')} .")
            else:
                w(f"{s} <{RG}{prop}> {lit(value)} .")
        tkey = None if row.attrs.get("Access_Method") == "TDM" or row.metric not in YEAR_METRICS else (
            item[1:-1], row.metric, row.attrs.get("Data_Type", ""))
        mkey = None if row.attrs.get("Access_Method") == "TDM" else (row.metric, row.attrs.get("Data_Type", ""))
        key = (item, tuple(sorted(row.attrs.items())))
        if row.metric in ordered:
            seen = siblings.setdefault(key, {}).setdefault(row.metric, {})
            for month, n in counts:
                seen[month] = max(seen.get(month, n), n)
        checked = []
        for i, (month, n) in enumerate(counts):
            n_obs += 1
            o = f"_:o{n_obs}"
            ml = month_lit.get(month)
            text = (f"{s} <{QB}observation> {o} .\n{o} <{RG}usageMonth> {ml or lit(month, XSD + 'gYearMonth')} .\n"
                    f'{o} <{RG}usageCount> "{n}"^^<{XSD}integer> .')
            if i and ml is not None and type(n) is int and n > 0:   # the first is always staged
                checked.append(text)
            else:
                out.append(text)
            if tkey is not None:
                year_key = tkey + (month[:4],)
                totals[year_key] = totals.get(year_key, 0) + n
            if mkey is not None:
                month_key = mkey + (month,)
                months[month_key] = months.get(month_key, 0) + n
        if checked:
            unstaged.append((key, "\n".join(checked)))
    breached = {key for key, by_metric in siblings.items() for lesser, greater in spec.NOT_ABOVE
                if lesser in by_metric and greater in by_metric
                and any(n > by_metric[greater][m] for m, n in by_metric[lesser].items() if m in by_metric[greater])}
    # one triple per line outside the observations (whose three lines are one entry)
    distinct = len({line for line in out if "\n" not in line}) + 3 * n_obs
    out += [text for key, text in unstaged if key in breached]
    staged = "\n".join(out) + "\n"
    rest = "\n".join(text for key, text in unstaged if key not in breached)
    return Cube(graph=g, ntriples=staged + (rest + "\n" if rest else ""), observations=n_obs, series=n_series,
                items=len(items), where=where, year_totals=totals, month_totals=months, staged=staged,
                triples=distinct)


def _clean_id(col: str, value: str) -> str:
    v = value.strip()
    if col == "DOI":
        for prefix in ("https://doi.org/", "http://doi.org/", "http://dx.doi.org/", "doi:"):
            if v.lower().startswith(prefix):
                return v[len(prefix):]
    return v
