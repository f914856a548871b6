"""Reports over HTTP: GET /api/v1/reports/risks and GET /api/v1/reports/assets
(the same functions as `rightsgraph report risks|assets`; docs/licences.md), and
/usage, /cost-per-use, /demand, /quantity, /timeliness (`rightsgraph report ...`; docs/usage.md).

Reports read every licence and resource: when the store holds confidential graphs, only
cataloguers (and admins) may ask for them, so no confidential licence leaks into a total.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request

from ..bilingual import echoed
from ..namespaces import absolute_iri
from ..translation import both
from .api_params import BadValue, bad_request
from .auth import catalog, hidden_graphs, require, role_at_least

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


def _guard():
    from flask import g
    if catalog().confidential() and not role_at_least(g.get("role"), "cataloguer"):
        return require("cataloguer")
    return require("reader")


def _bad(texts: dict[str, str]):
    return bad_request(texts)


@bp.route("/risks", methods=["GET"])
@bp.route("/risks.svg", methods=["GET"])
def risks():
    denied = _guard()
    if denied is not None:
        return denied
    from .risk_reports import current_risk_report
    try:
        days = int(request.args.get("days", 90))
        at = date.fromisoformat(request.args["at"]) if request.args.get("at") else None
    except ValueError:
        return _bad(both("days must be a whole number and at a date (YYYY-MM-DD)"))
    return _answer("risks", current_risk_report(at=at, days=days), 0)


@bp.route("/assets", methods=["GET"])
@bp.route("/assets.svg", methods=["GET"])
def assets():
    denied = _guard()
    if denied is not None:
        return denied
    from ..reports.assets import asset_report
    try:
        sample = int(request.args.get("sample", 0))
        seed = int(request.args.get("seed", 0))
    except ValueError:
        return _bad(both("sample and seed must be whole numbers"))
    return _answer("assets", asset_report(current_app.extensions["rightsgraph.store"], sample=sample, seed=seed), 0)


def _usage_filters():
    """year, platform, package, licence from the query string (year a whole number)."""
    year = request.args.get("year")
    if year is not None and not year.isdigit():
        raise BadValue(both("year must be a whole number (YYYY)"))
    return {"year": int(year) if year else None, "platform": request.args.get("platform") or None,
            "package": request.args.get("package") or None, "licence": request.args.get("licence") or None}


def _cataloguer_when_costs():
    """Costs are confidential like prices: cost-per-use needs a cataloguer whenever the
    store holds confidential graphs (payments are always confidential)."""
    from flask import g
    if catalog().confidential() and not role_at_least(g.get("role"), "cataloguer"):
        return require("cataloguer")
    return require("reader")


def _answer(name: str, rep: dict, top: int):
    """The report as JSON, or as an SVG chart for `<name>.svg` and `?format=svg`."""
    if not (request.path.endswith(".svg") or request.args.get("format") == "svg"):
        return jsonify(rep)
    from flask import Response

    from ..reports.charts import ChartError, chart
    from .errors import error_lang
    # ?lang= (the page embedding the chart says its language), else Accept-Language
    lang = error_lang()
    try:
        svg = chart(name, rep, top=top, lang=lang)
    except ChartError as exc:
        resp = jsonify({"error": exc.text(lang)})
        resp.status_code = 404
        return resp
    return Response(svg, content_type="image/svg+xml; charset=utf-8")


def _count_arg(name: str) -> int:
    value = request.args.get(name, "0")
    if not value.isdigit():
        raise BadValue(both("%(name)s must be a whole number", name=name))
    return int(value)


@bp.route("/usage", methods=["GET"])
@bp.route("/usage.svg", methods=["GET"])
def usage():
    denied = _guard()
    if denied is not None:
        return denied
    from ..usage.indicators import usage_report
    try:
        f = _usage_filters()
    except BadValue as exc:
        return _bad(exc.texts)
    return _answer("usage", usage_report(current_app.extensions["rightsgraph.store"], **f), 0)


@bp.route("/cost-per-use", methods=["GET"])
@bp.route("/cost-per-use.svg", methods=["GET"])
def cost_per_use():
    denied = _cataloguer_when_costs()
    if denied is not None:
        return denied
    from ..usage.indicators import cost_per_use_report
    try:
        f = _usage_filters()
        top = _count_arg("top")
    except BadValue as exc:
        return _bad(exc.texts)
    rep = cost_per_use_report(current_app.extensions["rightsgraph.store"], top=top, **f)
    return _answer("cost-per-use", rep, top or 10)


@bp.route("/demand", methods=["GET"])
@bp.route("/demand.svg", methods=["GET"])
def demand():
    denied = _guard()
    if denied is not None:
        return denied
    from ..usage.indicators import demand_report
    try:
        f = _usage_filters()
        limit = _count_arg("limit")
    except BadValue as exc:
        return _bad(exc.texts)
    rep = demand_report(current_app.extensions["rightsgraph.store"], year=f["year"], platform=f["platform"],
                        limit=limit)
    return _answer("demand", rep, limit or 15)


@bp.route("/quantity", methods=["GET"])
def quantity():
    denied = _guard()
    if denied is not None:
        return denied
    from ..usage.quantity import quantity_report
    return jsonify(quantity_report(current_app.extensions["rightsgraph.store"]))


@bp.route("/timeliness", methods=["GET"])
def timeliness():
    denied = _cataloguer_when_costs()
    if denied is not None:
        return denied
    from ..usage.timeliness import timeliness_report
    try:
        f = _usage_filters()
        at = date.fromisoformat(request.args["at"]) if request.args.get("at") else None
    except BadValue as exc:
        return _bad(exc.texts)
    except ValueError:
        return _bad(both("at must be a date (YYYY-MM-DD)"))
    return jsonify(timeliness_report(current_app.extensions["rightsgraph.store"], year=f["year"], at=at))


@bp.route("/preservation", methods=["GET"])
@bp.route("/preservation.svg", methods=["GET"])
def preservation():
    """The preservation report (the same function as `rightsgraph report preservation`;
    docs/preservation.md), for readers too; ?library=IRI names the library whose
    preservation rights are checked."""
    denied = require("reader")
    if denied is not None:
        return denied
    from ..decision_service import expand
    from ..preservation.report import preservation_report
    library = request.args.get("library") or None
    if library is not None:
        library = expand(library.strip(), "")
        if not absolute_iri(library):
            return _bad(both("library: not an absolute IRI: %(value)s", value=echoed(request.args["library"])))
    from .api import service
    return _answer("preservation", preservation_report(current_app.extensions["rightsgraph.store"], library=library,
                                                       hidden=hidden_graphs(), decisions=service()), 0)


#: who may see a report, by its name: the API's rule, which the report pages follow
def guard_for(name: str):
    if name == "cost-per-use":
        return _cataloguer_when_costs()
    if name == "preservation":
        return require("reader")
    return _guard()
