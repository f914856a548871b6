"""The effectiveness indicators of art. 10 from COUNTER usage, payments and licences
(definitions and their COUNTER basis: docs/usage.md).

    usage_report(store, year=2025)            # month by month, year over year
    cost_per_use_report(store, year=2025)     # per licence, package, title
    demand_report(store, year=2025)           # turnaways per title; titles not held

Which counts: Access_Method Regular only (TDM is not reading). Where a platform delivers
both a master report (TR, DR) and its Standard Views for the same months, the master is
used and the views are not added to it (they are subsets of it); otherwise the first view
present in VIEW_PRECEDENCE. Denominators of cost per use follow COUNTER's guidance:
Unique_Item_Requests for journals, Unique_Title_Requests for books (so a book is counted
once per session however many chapters were read), Searches_Regular for databases.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from ..namespaces import RG
from . import counter_spec as spec
from .links import derive_usage_links
from .report_cache import cached
from .resource_uses import kept_resource_uses, resource_uses, uses_stamp

RGNS = str(RG)
QB = "http://purl.org/linked-data/cube#"
ODRL = "http://www.w3.org/ns/odrl/2/"
C = spec.COUNTER_NS
VIEW_PRECEDENCE = ("TR", "TR_J3", "TR_B3", "TR_J1", "TR_B1", "TR_J4", "TR_J2", "TR_B2", "DR", "DR_D1", "DR_D2")
DENOMINATOR = {"journal": "Unique_Item_Requests", "book": "Unique_Title_Requests", "database": "Searches_Regular"}
TURNAWAYS = ("No_License", "Limit_Exceeded")
RESOURCE_KIND = {RGNS + "EJournal": "journal", RGNS + "EBook": "book", RGNS + "Database": "database"}


def _kind(data_type: str | None, report_id: str) -> str:
    if data_type in ("Journal", "Newspaper_or_Newsletter"):
        return "journal"
    if data_type in ("Book", "Reference_Work", "Book_Segment"):
        return "book"
    if report_id.startswith("DR") or (data_type or "").startswith("Database"):
        return "database"
    if report_id.startswith("TR_J"):
        return "journal"
    if report_id.startswith("TR_B"):
        return "book"
    return "other"


def _one_report_each(rows: list[dict], period: str) -> list[dict]:
    """The rows of the report VIEW_PRECEDENCE prefers for each platform, `period` (month or
    year), metric and kind of content: a master report and its standard views count once."""
    best: dict[tuple, int] = {}
    for x in rows:
        key = (x["created_by"], x[period], x["metric"], x["kind"])
        rank = VIEW_PRECEDENCE.index(x["report"])
        best[key] = min(best.get(key, rank), rank)
    return [x for x in rows
            if VIEW_PRECEDENCE.index(x["report"]) == best[(x["created_by"], x[period], x["metric"], x["kind"])]]


def usage_counts(store, metrics, *, year: int | None = None, platform: str | None = None) -> list[dict]:
    """Counts per item, month and metric (Regular access, one report per platform, month
    and kind of content: VIEW_PRECEDENCE)."""
    values = " ".join(f"<{C}{m}>" for m in metrics)
    reports = " ".join(f"<{C}{r}>" for r in VIEW_PRECEDENCE)
    flt = f'FILTER(STRSTARTS(STR(?month), "{int(year)}"))' if year else ""
    rows = store.query(f"""SELECT ?rt ?by ?item ?dt ?month ?metric (SUM(?n) AS ?count) WHERE {{
        VALUES ?metric {{ {values} }} VALUES ?rt {{ {reports} }}
        ?g <{RGNS}reportType> ?rt ; <{QB}slice> ?s .
        OPTIONAL {{ ?g <{RGNS}createdBy> ?by }}
        ?s <{RGNS}metricType> ?metric ; <{RGNS}usageItem> ?item ; <{QB}observation> ?o .
        OPTIONAL {{ ?s <{RGNS}dataType> ?dt }}
        FILTER NOT EXISTS {{ ?s <{RGNS}accessMethod> <{C}TDM> }}
        ?o <{RGNS}usageMonth> ?month ; <{RGNS}usageCount> ?n . {flt}
    }} GROUP BY ?rt ?by ?item ?dt ?month ?metric""")
    raw = []
    for r in rows:
        rid = r["rt"].value[len(C):]
        raw.append({"report": rid, "created_by": r["by"].value if r["by"] else "", "item": r["item"].value,
                    "kind": _kind(r["dt"].value if r["dt"] else None, rid), "month": r["month"].value,
                    "metric": r["metric"].value[len(C):], "count": int(r["count"].value)})
    out = _one_report_each(raw, "month")
    if platform:
        names = _item_info(store, {x["item"] for x in out})
        out = [x for x in out if names.get(x["item"], {}).get("platform") == platform]
    return out


def usage_month_counts(store, metrics) -> list[dict]:
    """Counts per month and metric summed over the items, from the month totals
    (usage/totals.py), one report per platform, month, metric and kind of content
    (VIEW_PRECEDENCE), as usage_counts decides it: its key has no item either."""
    from .totals import month_totals
    raw = [{**x, "kind": _kind(x["data_type"], x["report"])} for x in month_totals(store, metrics)
           if x["report"] in VIEW_PRECEDENCE]
    return _one_report_each(raw, "month")


def usage_year_counts(store, metrics, *, year: int | None = None, platform: str | None = None) -> list[dict]:
    """Counts per item, year and metric, from the year totals (usage/totals.py): Regular
    access only, one report per platform, year, metric and kind of content
    (VIEW_PRECEDENCE, decided per year here where usage_counts decides per month)."""
    from .totals import year_totals
    raw = []
    for x in year_totals(store, metrics, year=year):
        if x["report"] not in VIEW_PRECEDENCE:
            continue
        raw.append({**x, "kind": _kind(x["data_type"], x["report"])})
    out = _one_report_each(raw, "year")
    if platform:
        names = _item_info(store, {x["item"] for x in out})
        out = [x for x in out if names.get(x["item"], {}).get("platform") == platform]
    return out


def usage_stamp(store) -> str:
    """What the kept per-resource sums must be current for (the data they depend on, and the
    rules): it changes only with a write, so a page may keep it per store state (60 ms at
    10,000 graphs)."""
    return uses_stamp(store, DENOMINATOR, VIEW_PRECEDENCE, _kind)


def resource_usage(store, resource: str, stamp: str | None = None) -> list[dict] | None:
    """One catalogue resource's uses per year on the denominator COUNTER recommends for its
    kind of content, as the cost-per-use report counts them: [{year, metric, uses}], from
    the sums the store keeps; None while they are not current (the usage and cost-per-use
    reports bring them up to date): nothing is summed or written here. `stamp`: usage_stamp
    of the store as it is, where the caller keeps it."""
    by_year = kept_resource_uses(store, resource, stamp if stamp is not None else usage_stamp(store))
    if by_year is None:
        return None
    return [{"year": y, "metric": m, "uses": n} for y, metrics in sorted(by_year.items()) for m, n in sorted(metrics.items())]


def _item_info(store, items) -> dict[str, dict]:
    if not items:
        return {}
    out = {}
    for r in store.query(f"""SELECT ?i ?t ?p ?issn ?isbn WHERE {{ ?i a <{RGNS}UsageItem> ; <http://purl.org/dc/terms/title> ?t .
            OPTIONAL {{ ?i <{RGNS}platformName> ?p }} OPTIONAL {{ ?i <{RGNS}onlineIssn>|<{RGNS}printIssn> ?issn }}
            OPTIONAL {{ ?i <{RGNS}itemIsbn> ?isbn }} }}"""):
        if r["i"].value in items:
            out.setdefault(r["i"].value, {"title": r["t"].value, "platform": r["p"].value if r["p"] else "",
                                          "issn": r["issn"].value if r["issn"] else "",
                                          "isbn": r["isbn"].value if r["isbn"] else ""})
    return out


def _holdings(store) -> dict:
    """resource -> {kind, title, packages, licences}; licence -> info. One pass over the
    resources (with their direct parents); the odrl:partOf closure is followed here, over
    the few collection-to-collection links, rather than per resource in SPARQL."""
    # one pattern per query: oxigraph answers these with index scans, where the OPTIONALs
    # of a single query cost a lookup each per resource (3x slower on 10,000 resources)
    res: dict[str, dict] = {r["r"].value: {"kind": "other", "title": None, "packages": set(), "licences": set()}
                            for r in store.query(f"SELECT ?r WHERE {{ ?r a <{RGNS}Resource> }}")}
    # several types or titles: the first kind by name, the first title in text order (the same each run)
    for r in store.query(f"SELECT ?r ?type WHERE {{ ?r <{RGNS}resourceType> ?type }}"):
        rec = res.get(r["r"].value)
        kind = RESOURCE_KIND.get(r["type"].value)
        if rec is not None and kind and (rec["kind"] == "other" or kind < rec["kind"]):
            rec["kind"] = kind
    # the English (or untagged) title, and the Chinese one for pages and charts in Chinese: one
    # single-pattern query over dct:title, the language picked here (joining rg:Resource with a
    # language FILTER took three times as long beside the usage items' own titles)
    titles: dict[str, dict] = defaultdict(dict)      # anything titled -> {"title", "title_zh"}
    for r in store.query("SELECT ?r ?t WHERE { ?r <http://purl.org/dc/terms/title> ?t }"):
        t = r["t"]
        lang = (getattr(t, "language", None) or "").lower()
        key = "title" if lang in ("", "en") else "title_zh" if lang == "zh" or lang.startswith("zh-") else None
        mine = titles[r["r"].value]
        if key and (mine.get(key) is None or t.value < mine[key]):
            mine[key] = t.value
    for iri, rec in res.items():
        rec.update(titles.get(iri, {}))
    parents: dict[str, set] = {iri: set() for iri in res}
    for r in store.query(f"SELECT ?a ?b WHERE {{ ?a <{ODRL}partOf> ?b }}"):
        parents.setdefault(r["a"].value, set()).add(r["b"].value)
    packages = {r["p"].value for r in store.query(f"SELECT ?p WHERE {{ ?p a <{RGNS}Package> }}")}
    above: dict[str, frozenset] = {}

    def ancestors(node: str, seen=()) -> frozenset:
        if node not in above:
            out = set()
            for up in parents.get(node, ()):
                if up not in seen:
                    out |= {up} | ancestors(up, seen + (node,))
            above[node] = frozenset(out)
        return above[node]
    lic: dict[str, dict] = {}
    for r in store.query(f"""SELECT ?l ?t ?cost ?cur ?start ?end ?title WHERE {{ ?l a <{RGNS}Licence> ; <{ODRL}target> ?t .
            OPTIONAL {{ ?l <{RGNS}cost> ?cost }} OPTIONAL {{ ?l <{RGNS}currency> ?cur }}
            OPTIONAL {{ ?l <{RGNS}termStart> ?start }} OPTIONAL {{ ?l <{RGNS}termEnd> ?end }}
            OPTIONAL {{ ?l <http://purl.org/dc/terms/title> ?title FILTER(LANG(?title) = "en" || LANG(?title) = "") }} }}"""):
        info = lic.setdefault(r["l"].value, {"targets": set(), "title": r["title"].value if r["title"] else None,
                                             "cost": r["cost"].value if r["cost"] else None,
                                             "currency": r["cur"].value if r["cur"] else None,
                                             "start": r["start"].value if r["start"] else None,
                                             "end": r["end"].value if r["end"] else None})
        info["targets"].add(r["t"].value)
    for l_iri, info in lic.items():
        info["title_zh"] = titles.get(l_iri, {}).get("title_zh")
    by_target: dict[str, set] = {}
    for l_iri, info in lic.items():
        for t in info["targets"]:
            by_target.setdefault(t, set()).add(l_iri)
    for iri, rec in res.items():
        up = ancestors(iri)
        rec["packages"] = {p for p in up if p in packages}
        for node in up | {iri}:
            rec["licences"] |= by_target.get(node, set())
    return {"resources": res, "licences": lic}


def _payments(store) -> list[dict]:
    out = []
    for r in store.query(f"""SELECT ?p ?target ?amount ?cur ?fund ?paid ?start WHERE {{ ?p a <{RGNS}Payment> ;
            <{RGNS}paidFor> ?target ; <{RGNS}paidAmount> ?amount ; <{RGNS}paidCurrency> ?cur .
            OPTIONAL {{ ?p <{RGNS}fundCode> ?fund }} OPTIONAL {{ ?p <{RGNS}paymentDate> ?paid }}
            OPTIONAL {{ ?p <{RGNS}coversFrom> ?start }} }}"""):
        when = r["start"] if r["start"] is not None else r["paid"]  # "?from" would read as a FROM clause
        out.append({"payment": r["p"].value, "for": r["target"].value, "amount": Decimal(r["amount"].value),
                    "currency": r["cur"].value, "fund": r["fund"].value if r["fund"] else None,
                    "year": int(when.value[:4]) if when else None})
    return out


def _money(d: Decimal) -> str:
    return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------------------------------
# usage

def usage_report(store, *, year: int | None = None, platform: str | None = None, package: str | None = None,
                 licence: str | None = None, metrics=("Unique_Item_Requests", "Unique_Title_Requests",
                                                       "Total_Item_Requests")) -> dict:
    """Month by month and year by year, per metric; filtered by platform, package or licence
    (through the catalogue resources the usage items link to)."""
    if platform or package or licence:      # per item: the filters select items
        rows = usage_counts(store, metrics, platform=platform)
        rows = _restrict(store, rows, package=package, licence=licence)
    else:                                   # the month totals (usage/totals.py): the same sums
        rows = usage_month_counts(store, metrics)
    by_month: dict = defaultdict(lambda: defaultdict(int))
    by_year: dict = defaultdict(lambda: defaultdict(int))
    for x in rows:
        by_year[x["month"][:4]][x["metric"]] += x["count"]
        if year is None or x["month"].startswith(str(year)):
            by_month[x["month"]][x["metric"]] += x["count"]
    years = sorted(by_year)
    yoy = []
    for y in years:
        prev = by_year.get(str(int(y) - 1))
        row = {"year": y, **{m: by_year[y].get(m, 0) for m in metrics}}
        for m in metrics:
            row[f"{m}_change"] = (None if not prev or not prev.get(m) else
                                  round((by_year[y].get(m, 0) - prev[m]) / prev[m] * 100, 1))
        yoy.append(row)
    return {"year": year, "filters": {"platform": platform, "package": package, "licence": licence},
            "metrics": list(metrics),
            "months": [{"month": m, **{k: v.get(k, 0) for k in metrics}} for m, v in sorted(by_month.items())],
            "years": yoy}


def _restrict(store, rows, *, package=None, licence=None):
    if not package and not licence:
        return rows
    links = derive_usage_links(store)
    hold = _holdings(store)["resources"]
    keep = set()
    for item, resources in links.items():
        for r in resources:
            info = hold.get(r)
            if info and (not package or package in info["packages"]) and (not licence or licence in info["licences"]):
                keep.add(item)
    return [x for x in rows if x["item"] in keep]


# ---------------------------------------------------------------------------------------
# cost per use

def cost_per_use_report(store, *, year: int | None = None, package: str | None = None,
                        licence: str | None = None, platform: str | None = None, top: int = 0) -> dict:
    """Cost per use per licence, package and title for each year with usage: cost (the
    payments for it that year; else the licence's rg:cost spread evenly over its term years,
    marked estimated; a title without a payment of its own gets an equal share of its
    package's cost, marked allocated) / the named denominator. Kept per store state
    (report_cache)."""
    rep = cached(store, "cost-per-use", (year, package, licence, platform),
                 lambda: _cost_per_use(store, year=year, package=package, licence=licence, platform=platform))
    if top and len(rep["titles"]) > top:
        rep["titles"] = rep["titles"][:top] + rep["titles"][-top:]
    return rep


def _cost_per_use(store, *, year, package, licence, platform) -> dict:
    hold = _holdings(store)
    res, lics = hold["resources"], hold["licences"]
    # uses per resource and year, on the resource's own denominator: summed in the store
    uses: dict = defaultdict(dict)
    for r, by_year in resource_uses(store, DENOMINATOR, VIEW_PRECEDENCE, _kind, year=year, platform=platform).items():
        info = res.get(r)
        metric = DENOMINATOR.get(info["kind"]) if info else None
        for y, by_metric in by_year.items():
            if by_metric.get(metric):
                uses[r][y] = by_metric[metric]
    pays = _payments(store)
    paid: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(Decimal)))   # target -> year -> currency
    for p in pays:
        if p["year"] is not None:
            paid[p["for"]][p["year"]][p["currency"]] += p["amount"]
    years = sorted({y for r in uses.values() for y in r} | ({year} if year else set()))
    if year:
        years = [year]

    def licence_cost(lic: str, y: int):
        if paid.get(lic, {}).get(y):
            return dict(paid[lic][y]), "paid"
        info = lics.get(lic, {})
        if info.get("cost") and info.get("currency") and info.get("start"):
            start = int(info["start"][:4])
            end = int(info["end"][:4]) if info.get("end") else start
            if start <= y <= end:
                return {info["currency"]: Decimal(info["cost"]) / (end - start + 1)}, "estimated"
        return {}, None

    def row(kind, iri, title, y, cost, basis, resources, title_zh=None):
        by_den: dict = defaultdict(int)
        for r in resources:
            n = uses.get(r, {}).get(y, 0)
            if n:
                by_den[DENOMINATOR[res[r]["kind"]]] += n
        total = sum(by_den.values())
        return {"level": kind, "iri": iri, "title": title, "title_zh": title_zh, "year": y,
                "cost": {c: _money(v) for c, v in sorted(cost.items())}, "cost_basis": basis,
                "uses": total, "denominator": " + ".join(sorted(by_den)) or None,
                "cost_per_use": {c: (_money(v / total) if total else None) for c, v in sorted(cost.items())},
                "resources": len(resources)}

    out_lic, out_pkg, out_title = [], [], []
    lic_resources: dict = defaultdict(set)
    pkg_resources: dict = defaultdict(set)
    for r, info in res.items():
        for lic in info["licences"]:
            lic_resources[lic].add(r)
        for p in info["packages"]:
            pkg_resources[p].add(r)
    for y in years:
        for lic in sorted(lics):
            if licence and lic != licence:
                continue
            cost, basis = licence_cost(lic, y)
            rs = lic_resources.get(lic, set())
            if package and package not in lics[lic]["targets"]:
                continue
            if cost or any(uses.get(r, {}).get(y) for r in rs):
                out_lic.append(row("licence", lic, lics[lic]["title"], y, cost, basis, rs, lics[lic].get("title_zh")))
        for pkg in sorted(pkg_resources):
            if package and pkg != package:
                continue
            cost, basis = defaultdict(Decimal), None
            for c, v in paid.get(pkg, {}).get(y, {}).items():
                cost[c] += v
                basis = "paid"
            if not cost:
                for lic, info in lics.items():
                    if info["targets"] == {pkg}:
                        lc, b = licence_cost(lic, y)
                        for c, v in lc.items():
                            cost[c] += v
                        basis = basis or b
            rs = pkg_resources[pkg]
            if licence and not any(licence in res[r]["licences"] for r in rs):
                continue
            if cost or any(uses.get(r, {}).get(y) for r in rs):
                out_pkg.append(row("package", pkg, None, y, dict(cost), basis, rs))
        pkg_cost = {p["iri"]: p for p in out_pkg if p["year"] == y}
        for r in sorted(res):
            info = res[r]
            if package and package not in info["packages"] or licence and licence not in info["licences"]:
                continue
            if not uses.get(r, {}).get(y) and not paid.get(r, {}).get(y):
                continue
            if paid.get(r, {}).get(y):
                cost, basis = dict(paid[r][y]), "paid"
            else:
                cost, basis = {}, None
                for p in sorted(info["packages"]):
                    if p in pkg_cost and pkg_cost[p]["cost"]:
                        share = len(pkg_resources[p])
                        cost = {c: Decimal(v) / share for c, v in pkg_cost[p]["cost"].items()}
                        basis = "allocated"
                        break
            out_title.append(row("title", r, info["title"], y, cost, basis, {r}, info.get("title_zh")))
    out_title.sort(key=lambda t: (t["year"], _sort_cpu(t)))
    return {"year": year, "filters": {"package": package, "licence": licence, "platform": platform},
            "denominators": DENOMINATOR, "licences": out_lic, "packages": out_pkg, "titles": out_title}


def _sort_cpu(t: dict):
    vals = [Decimal(v) for v in t["cost_per_use"].values() if v is not None]
    return -(max(vals) if vals else Decimal(-1))


# ---------------------------------------------------------------------------------------
# demand

def demand_report(store, *, year: int | None = None, platform: str | None = None, limit: int = 0) -> dict:
    """Turnaways (No_License, Limit_Exceeded) per title, and the titles users asked for
    that the catalogue does not hold (no resource matches the item's identifiers)."""
    links = derive_usage_links(store)
    res = _holdings(store)["resources"]
    counts = usage_year_counts(store, TURNAWAYS + ("Unique_Item_Requests", "Unique_Title_Requests"),
                               year=year, platform=platform)
    per: dict = defaultdict(lambda: defaultdict(int))
    for x in counts:
        per[x["item"]][x["metric"]] += x["count"]
    info = _item_info(store, set(per))
    rows = []
    for item, m in per.items():
        held = sorted(links.get(item, ()))
        rows.append({"item": item, "title": info.get(item, {}).get("title"), "platform": info.get(item, {}).get("platform"),
                     "issn": info.get(item, {}).get("issn") or None, "isbn": info.get(item, {}).get("isbn") or None,
                     "No_License": m.get("No_License", 0), "Limit_Exceeded": m.get("Limit_Exceeded", 0),
                     "turnaways": m.get("No_License", 0) + m.get("Limit_Exceeded", 0),
                     "requests": m.get("Unique_Item_Requests", 0) + m.get("Unique_Title_Requests", 0),
                     "held": bool(held), "resources": held,
                     "licences": sorted({lic for r in held for lic in res.get(r, {}).get("licences", ())})})
    turnaways = sorted((r for r in rows if r["turnaways"]), key=lambda r: (-r["turnaways"], r["title"] or ""))
    not_held = sorted((r for r in rows if not r["held"] and (r["turnaways"] or r["requests"])),
                      key=lambda r: (-r["turnaways"], -r["requests"], r["title"] or ""))
    if limit:
        turnaways, not_held = turnaways[:limit], not_held[:limit]
    return {"year": year, "filters": {"platform": platform},
            "summary": {"No_License": sum(r["No_License"] for r in rows),
                        "Limit_Exceeded": sum(r["Limit_Exceeded"] for r in rows),
                        "titles_turned_away": sum(1 for r in rows if r["turnaways"]),
                        "titles_not_held": sum(1 for r in rows if not r["held"] and (r["turnaways"] or r["requests"]))},
            "turnaways": turnaways, "not_held": not_held}


# ---------------------------------------------------------------------------------------
# text and CSV

def to_csv(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["; ".join(f"{v} {k}" for k, v in r[c].items() if v is not None) if isinstance(r.get(c), dict)
                    else "; ".join(r[c]) if isinstance(r.get(c), list) else ("" if r.get(c) is None else r[c])
                    for c in columns])
    return buf.getvalue()


CPU_COLUMNS = ["level", "year", "iri", "title", "cost", "cost_basis", "uses", "denominator", "cost_per_use"]
DEMAND_COLUMNS = ["title", "platform", "issn", "isbn", "No_License", "Limit_Exceeded", "turnaways", "requests",
                  "held", "licences"]


def format_usage(rep: dict) -> str:
    """The usage trend as text, in the command line's language (COUNTER metric names as COUNTER
    spells them, the words around them from the gettext catalogue)."""
    from ..text_columns import ljust
    from ..translation import _
    ms = rep["metrics"]
    head = "".join(f"{m:>24}" for m in ms)
    lines = [ljust(_("month"), 7) + head]
    lines += [f"{r['month']}" + "".join(f"{r[m]:>24}" for m in ms) for r in rep["months"]]
    lines += ["", ljust(_("year"), 7) + head]
    for r in rep["years"]:
        cells = []
        for m in ms:
            change = r[f"{m}_change"]
            cells.append(f"{r[m]}" + ("" if change is None else f" ({change:+.1f}%)"))
        lines.append(f"{r['year']}   " + "".join(f"{c:>24}" for c in cells))
    return "\n".join(lines)


def format_cost_per_use(rep: dict) -> str:
    from ..translation import _
    headings = {"licences": _("cost per use by licence:"), "packages": _("cost per use by package:"),
                "titles": _("cost per use by title:")}
    lines = []
    for level in ("licences", "packages", "titles"):
        lines += ["", headings[level]]
        for r in rep[level]:
            cpu = ", ".join(f"{v} {c}" for c, v in r["cost_per_use"].items() if v is not None) or "-"
            cost = ", ".join(f"{v} {c}" for c, v in r["cost"].items()) or _("no cost recorded")
            basis = f" ({r['cost_basis']})" if r["cost_basis"] not in (None, "paid") else ""
            lines.append(f"  {r['year']}  {r['title'] or r['iri']}: {cost}{basis} / {r['uses']} "
                         f"{r['denominator'] or _('uses')} = {cpu}")
    return "\n".join(lines).lstrip("\n")


def format_demand(rep: dict) -> str:
    from ..translation import _
    s = rep["summary"]
    lines = [_("turnaways: No_License %(no_license)s, Limit_Exceeded %(limit)s (%(n)s titles)",
               no_license=s["No_License"], limit=s["Limit_Exceeded"], n=s["titles_turned_away"]), ""]
    for r in rep["turnaways"]:
        lines.append(f"  {r['turnaways']:>7}  {r['title']} ({r['platform']})  No_License {r['No_License']}, "
                     f"Limit_Exceeded {r['Limit_Exceeded']}" + ("" if r["held"] else "  " + _("NOT HELD")))
    lines += ["", _("asked for but not held: %(n)s titles", n=s["titles_not_held"])]
    for r in rep["not_held"]:
        lines.append(f"  {r['title']} ({r['platform']}) {r['issn'] or r['isbn'] or ''}: " +
                     _("%(turnaways)s turnaways, %(requests)s requests", turnaways=r["turnaways"],
                       requests=r["requests"]))
    return "\n".join(lines)

