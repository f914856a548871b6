"""Error answers shared by the HTTP doors."""

from __future__ import annotations

import json

from flask import Response, request

from ..input_limits import answer_language


def error_lang() -> str:
    """The language of an error answer, the same at every door (API, SPARQL, Graph Store,
    admin): ?lang=en|zh first, else the Accept-Language header read as the server's own
    refusals read it (input_limits.answer_language), else English."""
    asked = request.args.get("lang")
    if asked in ("en", "zh"):
        return asked
    return answer_language(request.headers.get("Accept-Language"))


def validation_failure(report) -> Response:
    """422 with the SHACL validation report: Turtle by default, JSON or text on request."""
    from ..query import best_media
    media = best_media(request.headers.get("Accept"), ["text/turtle", "application/json", "text/plain"])
    if media == "application/json":
        body = json.dumps(report.to_json(), ensure_ascii=False, indent=2).encode()
        ctype = "application/json"
    elif media == "text/plain":
        body = report.format_text(lang=error_lang()).encode()
        ctype = "text/plain; charset=utf-8"
    else:
        body = report.to_graph_turtle()
        ctype = "text/turtle; charset=utf-8"
    return Response(body, status=422, content_type=ctype)
