"""Reports over HTTP: GET /api/v1/reports/risks and GET /api/v1/reports/assets
(the same functions as `rightsgraph report risks|assets`; docs/licences.md).

Reports read every licence and resource: when the store holds confidential graphs, only
cataloguers (and admins) may ask for them, so no confidential licence leaks into a total.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, jsonify, request

from .auth import catalog, require, role_at_least

bp = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


def _guard():
    from flask import g
    if catalog().confidential() and not role_at_least(g.get("role"), "cataloguer"):
        return require("cataloguer")
    return require("reader")


def _bad(message: str):
    resp = jsonify({"error": message})
    resp.status_code = 400
    return resp


@bp.route("/risks", methods=["GET"])
def risks():
    denied = _guard()
    if denied is not None:
        return denied
    from ..reports.risks import risk_report
    try:
        days = int(request.args.get("days", 90))
        at = date.fromisoformat(request.args["at"]) if request.args.get("at") else None
    except ValueError:
        return _bad("days must be a whole number and at a date (YYYY-MM-DD)")
    return jsonify(risk_report(current_app.extensions["rightsgraph.store"], at=at, days=days))


@bp.route("/assets", methods=["GET"])
def assets():
    denied = _guard()
    if denied is not None:
        return denied
    from ..reports.assets import asset_report
    try:
        sample = int(request.args.get("sample", 0))
        seed = int(request.args.get("seed", 0))
    except ValueError:
        return _bad("sample and seed must be whole numbers")
    return jsonify(asset_report(current_app.extensions["rightsgraph.store"], sample=sample, seed=seed))
