"""In a reader process of `serve --workers N`: write requests go to the writer process, and
so do the reports that write derived data before they answer (DERIVING_REPORTS).

Which requests write is decided here once, by the same reading of the request the views
use (web/sparql.py's protocol parser for SPARQL); serving/writer.py runs the writer.
"""

from __future__ import annotations

import requests
from flask import Response, request

# Cookie, Origin and Referer: a page's write (a term sheet stored by a signed-in librarian)
# is authenticated by the session cookie and checked to come from this site's own page; the
# sessions file is shared by every process.
HOP_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language", "Cookie", "Origin", "Referer")


#: Reports that first bring derived data up to date in the store (asset classes, usage
#: totals and links, per-title sums), which a reader process cannot write: the writer answers
#: them, JSON, chart, page and CSV alike (a reader answered 502).
DERIVING_REPORTS = frozenset({"assets", "usage", "cost-per-use", "demand"})


def derives() -> bool:
    """Whether the request is for one of DERIVING_REPORTS."""
    path = request.path.rstrip("/")
    for prefix in ("/api/v1/reports/", "/reports/"):
        if path.startswith(prefix):
            return path[len(prefix):].removesuffix(".svg") in DERIVING_REPORTS
    return False


def is_write() -> bool:
    path = request.path.rstrip("/")
    if path == "/store" or path.startswith("/store/"):
        return request.method in ("PUT", "POST", "DELETE")
    if path == "/licences/upload" and request.method == "POST":
        request.get_data(cache=True)       # kept for forwarding: the form is read from the copy
        return request.form.get("confirm") == "1"    # storing it; checking it only reads
    if path == "/sparql" and request.method == "POST":
        from .sparql import ProtocolError, read_sparql_request
        try:
            return read_sparql_request()[1] is not None
        except ProtocolError:
            return False    # malformed: answered here, with the protocol's error
    return False


def install_forwarding(app, writer_url: str) -> None:
    """In a reader process: send write requests to the writer, answer the rest here."""
    session = requests.Session()

    @app.before_request
    def forward_writes():
        if not (is_write() or derives()):
            return None
        headers = {h: request.headers[h] for h in HOP_HEADERS if h in request.headers}
        headers.update({"X-Forwarded-Host": request.host, "X-Forwarded-Proto": request.scheme,
                        "X-Forwarded-For": request.remote_addr or ""})
        upstream = session.request(request.method, writer_url + request.full_path.rstrip("?"),
                                   data=request.get_data(cache=True), headers=headers, timeout=600)
        keep = {k: v for k, v in upstream.headers.items()
                if k.lower() in ("content-type", "location", "x-triples-inserted", "x-triples-deleted",
                                 "www-authenticate", "retry-after", "set-cookie", "cache-control",
                                 "content-disposition", "vary", "content-language")}
        return Response(upstream.content, status=upstream.status_code, headers=keep)
