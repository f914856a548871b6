"""Error answers shared by the HTTP doors."""

from __future__ import annotations

import json

from flask import Response, request


def _lang() -> str:
    best = request.accept_languages.best_match(["zh", "en"]) if request.accept_languages else None
    return best or "en"


def validation_failure(report) -> Response:
    """422 with the SHACL validation report: Turtle by default, JSON or text on request."""
    accept = request.headers.get("Accept", "")
    if "application/json" in accept:
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=2).encode()
        ctype = "application/json"
    elif "text/plain" in accept:
        body = report.format_text(lang=_lang()).encode()
        ctype = "text/plain; charset=utf-8"
    else:
        body = report.to_graph_turtle()
        ctype = "text/turtle; charset=utf-8"
    return Response(body, status=422, content_type=ctype)
