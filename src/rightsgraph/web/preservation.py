"""GET /api/v1/reports/preservation: the preservation report over HTTP (the same function
as `rightsgraph report preservation`; docs/preservation.md). ?library=IRI names the
library whose preservation rights are checked."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from .auth import require

bp = Blueprint("preservation", __name__, url_prefix="/api/v1/reports")


@bp.route("/preservation", methods=["GET"])
def preservation():
    denied = require("reader")
    if denied is not None:
        return denied
    from ..decision_service import expand
    from ..preservation.report import preservation_report
    library = request.args.get("library") or None
    if library is not None:
        library = expand(library.strip(), "")
        if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", library):
            resp = jsonify({"error": f"library: not an absolute IRI: {request.args['library']!r}"})
            resp.status_code = 400
            return resp
    return jsonify(preservation_report(current_app.extensions["rightsgraph.store"], library=library))
