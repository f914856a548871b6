"""A plain Flask wrapper around pyoxigraph: the calibration baseline of bench_http.py.

GET /sparql?query=... answered by `Store.query(q, use_default_graph_as_union=True)` and
serialized as SPARQL JSON results, nothing else (no auth, no limits, no graph filtering).
The store is opened read-only from $RG_BENCH_STORE, a location no other process writes.

    RG_BENCH_STORE=/path/to/store gunicorn -w 2 --chdir benchmarks plain_flask_wrapper:app
"""

from __future__ import annotations

import os

import pyoxigraph
from flask import Flask, Response, request

app = Flask(__name__)
store = pyoxigraph.Store.read_only(os.environ["RG_BENCH_STORE"])


@app.get("/sparql")
def sparql() -> Response:
    q = request.args.get("query")
    if not q:
        return Response("missing query\n", status=400, mimetype="text/plain")
    try:
        results = store.query(q, use_default_graph_as_union=True)
    except SyntaxError as e:
        return Response(f"{e}\n", status=400, mimetype="text/plain")
    if isinstance(results, pyoxigraph.QueryTriples):
        return Response("only SELECT and ASK queries\n", status=400, mimetype="text/plain")
    body = results.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    return Response(body, mimetype="application/sparql-results+json")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok\n", mimetype="text/plain")
