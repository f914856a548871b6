"""The reports as pages: /reports/<name> shows each of the report's tables, a CSV of each
table (`?format=csv&table=KEY`, the same rows) and, for the usage reports, the server-rendered
SVG chart of /api/v1/reports/<name>.svg (reports/charts.py).

The reports are the same functions as /api/v1/reports/* and `rightsgraph report`, behind the
same guard (web/reports.py): when the store holds confidential graphs only cataloguers may
see them. Cost columns are shown to cataloguers (and admins) only.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts import role_at_least
from ..usage.indicators import to_csv
from .auth import hidden_graphs
from .visible import PageError, install_error_page

bp = Blueprint("report_pages", __name__)
install_error_page(bp)

TITLES = {"assets": _l("Asset classes"), "risks": _l("Licence risks"), "usage": _l("Usage (COUNTER)"),
          "cost-per-use": _l("Cost per use"), "demand": _l("Demand: turnaways"), "preservation": _l("Preservation")}
COST = "cost"      # columns holding money: cataloguers only

COLUMN_LABELS = {
    "class": _l("asset class"), "resources": _l("resources"), "licences": _l("licences"), "cost": _l("cost"),
    "licence": _l("licence"), "title": _l("title"), "status": _l("status"), "currency": _l("currency"),
    "collection": _l("collection"), "reason": _l("reason"), "end": _l("ends"), "days_left": _l("days left"),
    "renewal": _l("renewal"), "term": _l("term"), "month": _l("month"), "year": _l("year"),
    "level": _l("level"), "iri": _l("IRI"), "cost_basis": _l("cost basis"), "uses": _l("uses"),
    "denominator": _l("counted as"), "cost_per_use": _l("cost per use"), "platform": _l("platform"),
    "issn": "ISSN", "isbn": "ISBN", "No_License": _l("turned away: no licence"),
    "Limit_Exceeded": _l("turned away: limit exceeded"), "turnaways": _l("turnaways"), "requests": _l("requests"),
    "held": _l("held"), "location": _l("storage location"), "copies": _l("copies"), "intact": _l("intact"),
    "damaged": _l("damaged"), "missing": _l("missing"), "files": _l("files"), "file": _l("file"),
    "object": _l("preserved object"), "checked": _l("last checked"), "resource": _l("resource"),
}


def _tables(name: str, store, cataloguer: bool) -> list[dict]:
    """The report's tables: [{key, heading, columns, rows}] (rows as the report gives them)."""
    if name == "assets":
        from ..reports.assets import asset_report
        rep = asset_report(store)
        return [{"key": "by_class", "heading": _l("By asset class"), "rows": rep["by_class"],
                 "columns": ["class", "resources", "licences", COST]},
                {"key": "by_licence", "heading": _l("By licence"), "rows": rep["by_licence"],
                 "columns": ["licence", "title", "status", "resources", COST, "currency"]}]
    if name == "risks":
        from .risk_reports import current_risk_report
        rep = current_risk_report(days=_whole("days", 90))
        return [{"key": "expiring", "heading": _l("Licences expiring within %(days)s days", days=rep["days"]),
                 "rows": rep["expiring"], "columns": ["licence", "end", "days_left", "renewal"]},
                {"key": "unlicensed", "heading": _l("Resources no licence in force covers"),
                 "rows": rep["unlicensed"], "columns": ["collection", "reason", "resources"]},
                {"key": "key_uses", "heading": _l("Key uses the licences are silent on or have not reviewed"),
                 "rows": rep["key_uses"], "columns": ["licence", "term", "status"]},
                {"key": "no_preservation", "heading": _l("Resources without a preservation right"),
                 "rows": rep["no_preservation"], "columns": ["collection", "resources"]}]
    if name == "usage":
        from ..usage.indicators import usage_report
        rep = usage_report(store, year=_year())
        return [{"key": "months", "heading": _l("By month"), "rows": rep["months"], "columns": ["month", *rep["metrics"]]},
                {"key": "years", "heading": _l("By year"), "rows": rep["years"], "columns": ["year", *rep["metrics"]]}]
    if name == "cost-per-use":
        from ..usage.indicators import CPU_COLUMNS, cost_per_use_report
        rep = cost_per_use_report(store, year=_year())
        return [{"key": key, "heading": heading, "rows": rep[key], "columns": CPU_COLUMNS}
                for key, heading in (("licences", _l("By licence")), ("packages", _l("By package")),
                                     ("titles", _l("By title")))]
    if name == "demand":
        from ..usage.indicators import DEMAND_COLUMNS, demand_report
        rep = demand_report(store, year=_year())
        return [{"key": "turnaways", "heading": _l("Titles users were turned away from"), "rows": rep["turnaways"],
                 "columns": DEMAND_COLUMNS},
                {"key": "not_held", "heading": _l("Titles asked for that the library does not hold"),
                 "rows": rep["not_held"], "columns": DEMAND_COLUMNS}]
    if name == "preservation":
        return _preservation_tables(store)
    raise PageError(404, _("No report called %(name)s.", name=name))


def _preservation_tables(store) -> list[dict]:
    """The preservation report (preservation/report.py; docs/preservation.md) as tables: the
    copies where they are stored and in what state, how many copies each file has, the copies
    that failed their latest fixity check, the preserved resources no right covers."""
    from ..preservation.report import preservation_report
    from .api import service
    rep = preservation_report(store, hidden=hidden_graphs(), decisions=service())
    statuses = ("intact", "damaged", "missing")
    by_location = [{"location": where, "copies": sum(counts.values()), **{s: counts.get(s, 0) for s in statuses}}
                   for where, counts in sorted(rep["copies_by_location"].items())]
    by_copies = [{"copies": int(k), "files": n} for k, n in rep["files_by_number_of_copies"].items()]
    return [{"key": "locations", "heading": _l("Copies by storage location"), "rows": by_location,
             "columns": ["location", "copies", *statuses]},
            {"key": "copies", "heading": _l("Files by number of copies"), "rows": by_copies,
             "columns": ["copies", "files"]},
            {"key": "failures", "heading": _l("Copies that failed their latest fixity check"), "rows": rep["failures"],
             "columns": ["file", "object", "location", "status", "checked"]},
            {"key": "without_right", "heading": _l("Preserved resources without a preservation right"),
             "rows": rep["rights"]["without_right_examples"], "columns": ["resource", "reason"]}]


def _whole(param: str, default: int) -> int:
    value = request.args.get(param, str(default)).strip()
    if not value.isdigit():
        raise PageError(400, _("Parameter %(name)s must be a whole number: %(value)s", name=param, value=value))
    return int(value)


def _year() -> int | None:
    return _whole("year", 0) or None if request.args.get("year") else None


LINKED = {"licence": "/licence?iri="}          # columns whose IRIs have a page of their own
NAMED = ("licence", "collection", "iri", "class", "licences", "resource")   # IRIs (or lists of them) shown by their titles
RG_PREFIX = "rg:"                             # reports/assets.short() writes rg: IRIs so
NOT_IN_FORCE = "licences not in force: "      # risks.py's reason, with the licences after it


class Display:
    """What a cell shows on the page (the CSV keeps the report's own values): titles for
    IRIs, the page's words for term types, statuses and the risk report's reasons."""

    def __init__(self, tables: list[dict]):
        from .visible import labels, visible_store
        iris = {_iri(v) for t in tables for r in t["rows"] for c in NAMED
                for v in (r.get(c) if isinstance(r.get(c), list) else [r.get(c)]) if isinstance(v, str)}
        iris |= {x for t in tables for r in t["rows"] for x in reason_licences(r.get("reason"))}
        self.names = labels(visible_store(), iris)

    def text(self, column: str, value, row: dict | None = None) -> str:
        from .i18n import pick
        from .visible import short
        from .wording import COPY_STATUSES, LICENCE_STATUSES, REASONS, TERM_STATUSES, term_label
        if column == "title" and row:            # the title in the page's language, where the store has it
            named = self.names.get(_iri(row.get("licence") or row.get("iri") or ""))
            if named:
                return pick(named, _cell(value))
        if column == "licence" and isinstance(value, str) and row and row.get("title"):
            return short(value)                   # the title has a column of its own
        if column in NAMED and isinstance(value, str):
            return pick(self.names.get(_iri(value)), value)
        if column in NAMED and isinstance(value, list):
            return "; ".join(pick(self.names.get(_iri(v)), short(v)) for v in value)
        if column == "held" and isinstance(value, bool):
            return _("yes") if value else _("no")
        if column == "term":
            return term_label(value)
        if column == "status" and value in TERM_STATUSES:
            return str(TERM_STATUSES[value])
        if column == "status" and value == "not recorded":
            return _("not recorded")
        if column == "status" and isinstance(value, str):
            key = re.sub(r"(?<!^)(?=[A-Z])", "_", value.removeprefix(RG_PREFIX)).lower()   # rg:InNegotiation -> in_negotiation
            if key in LICENCE_STATUSES:
                return str(LICENCE_STATUSES[key])
        if column == "status" and value in COPY_STATUSES:
            return str(COPY_STATUSES[value])
        if column == "reason" and value in REASONS:            # a decision's reason (preservation rights)
            return str(REASONS[value])
        if column == "reason" and isinstance(value, str):
            return risk_reason(value, self.names)
        return _cell(value)

    def link(self, column: str, value) -> str | None:
        from urllib.parse import quote
        return LINKED[column] + quote(value, safe="") if column in LINKED and isinstance(value, str) else None


def _iri(value: str) -> str:
    from ..namespaces import RG
    return RG.iri(value[len(RG_PREFIX):]) if value.startswith(RG_PREFIX) else value


def reason_licences(reason) -> list[str]:
    """The licences a risk report reason names."""
    return reason[len(NOT_IN_FORCE):].split(", ") if isinstance(reason, str) and reason.startswith(NOT_IN_FORCE) else []


def risk_reason(reason: str, names: dict) -> str:
    """The risk report's reason for an unlicensed collection, in the page's language."""
    from .i18n import pick
    if reason.startswith(NOT_IN_FORCE):
        return _("licences not in force: %(licences)s",
                 licences=", ".join(pick(names.get(x), x) for x in reason_licences(reason)))
    if reason == "no licence and no rights statement":
        return _("no licence and no rights statement")
    return reason


def heading(column: str) -> str:
    """A column's heading: COUNTER metrics keep their names, with the Chinese one on a Chinese page."""
    from ..reports.charts import METRICS, metric_name
    from .i18n import lang
    if column in METRICS:
        return metric_name(column, lang())
    return str(COLUMN_LABELS.get(column, column))


def _cell(value) -> str:
    """A report value as text (the CSV's convention: dicts as "value key", lists joined)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{v} {k}" for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


@bp.route("/reports/<name>")
def report_page(name: str):
    if name not in TITLES:
        raise PageError(404, _("No report called %(name)s.", name=name))
    from .reports import guard_for     # the API's own rule for who may see it
    denied = guard_for(name)
    if denied is not None:
        raise PageError(denied.status_code, _("This report needs the cataloguer role: the store holds "
                                              "confidential licence terms."))
    cataloguer = role_at_least(g.get("role"), "cataloguer")
    tables = _tables(name, current_app.extensions["rightsgraph.store"], cataloguer)
    for t in tables:
        t["columns"] = [c for c in t["columns"] if cataloguer or c not in (COST, "cost_per_use", "cost_basis")]
    if request.args.get("format") == "csv":
        table = next((t for t in tables if t["key"] == request.args.get("table")), None)
        if table is None:
            raise PageError(400, _("Parameter table must be one of: %(keys)s",
                                   keys=", ".join(t["key"] for t in tables)))
        return Response(to_csv(table["rows"], table["columns"]), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}-{table["key"]}.csv"'})
    chart = any(t["rows"] for t in tables)
    return render_template("report.html", name=name, title=TITLES[name], tables=tables, heading=heading,
                           show=Display(tables), chart=chart, args=request.args, csv_url=_csv_url,
                           chart_url=_chart_url(name))


def _chart_url(name: str) -> str:
    """The chart of this page's rows: the same filters (year, days), in the page's language
    (an <img> request carries the browser's Accept-Language, not the page's ?lang=)."""
    from urllib.parse import urlencode

    from .api_params import TAKES
    from .i18n import lang
    takes = TAKES["reports." + name.replace("-", "_")].query      # the chart refuses any other (400)
    kept = [(k, request.args[k]) for k in ("year", "days") if k in takes and request.args.get(k)]
    return f"/api/v1/reports/{name}.svg?" + urlencode([*kept, ("lang", lang())])


def _csv_url(table: str) -> str:
    """This page's CSV of one table: the same filters (year, days), so the same rows."""
    from urllib.parse import urlencode
    kept = [(k, request.args[k]) for k in ("year", "days") if request.args.get(k)]
    return request.path + "?" + urlencode([*kept, ("format", "csv"), ("table", table)])
