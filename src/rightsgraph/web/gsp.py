"""SPARQL 1.1 Graph Store HTTP Protocol at /store (https://www.w3.org/TR/sparql11-http-rdf-update/).

Graphs are named indirectly (`/store?graph=IRI`, `/store?default`) or directly (the
request URL under /store/ is the graph IRI). Every write goes through the SHACL gate and
leaves a provenance record; an invalid body gets 422 with the validation report.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from pyoxigraph import NamedNode, RdfFormat

from .. import query as q
from ..loading import LoadRejected, ProtectedGraph, load_data
from ..namespaces import SYSTEM_GRAPHS
from ..parsing import RdfSyntaxError, SourceFile, _syntax_error, check_source
from ..updating import WRITE_LOCK, UpdateRejected, apply_update
from .auth import current_agent, hidden_graphs, require
from .errors import error_lang, validation_failure

bp = Blueprint("gsp", __name__)
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def _text(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _target(direct_path: str | None):
    """The graph a request is about: NamedNode, DefaultGraph, or None (the service itself)."""
    args = request.args
    if direct_path is not None:
        return NamedNode(request.base_url)
    if "graph" in args and "default" in args:
        raise ValueError("give either ?graph=IRI or ?default, not both")
    if "default" in args:
        return ox.DefaultGraph()
    if "graph" in args:
        try:
            return NamedNode(args["graph"])
        except ValueError:
            raise ValueError(f"?graph is not an absolute IRI: {args['graph']!r}") from None
    return None


def _exists(store, graph) -> bool:
    if isinstance(graph, ox.DefaultGraph):
        return True
    return graph in store.graphs()


@bp.route("/store", methods=METHODS)
@bp.route("/store/<path:direct>", methods=METHODS)
def graph_store(direct: str | None = None):
    store = current_app.extensions["rightsgraph.store"]
    try:
        graph = _target(direct)
    except ValueError as exc:
        return _text(400, str(exc))
    if request.method in ("GET", "HEAD"):
        return _read(store, graph)
    denied = require("cataloguer")
    if denied is not None:
        return denied
    if isinstance(graph, NamedNode) and graph in SYSTEM_GRAPHS:
        return _text(403, f"<{graph.value}> is managed by rightsgraph and cannot be written")
    if request.method == "DELETE":
        return _delete(store, graph)
    return _write(store, graph)


def _read(store, graph):
    if graph is None:
        return _text(400, "name a graph: ?graph=IRI or ?default")
    if isinstance(graph, NamedNode) and graph.value in hidden_graphs(store) or not _exists(store, graph):
        return _text(404, f"no graph {_name(graph)}")
    media = q.negotiate(request.headers.get("Accept"), "graph")
    if media is None or media in ("application/trig", "application/n-quads"):
        return _text(406, "graphs are served as text/turtle, application/n-triples, application/rdf+xml "
                          "or application/ld+json")
    data = store.dump(q.GRAPH_TYPES[media], graph)
    headers = {"Content-Length": str(len(data))}
    return Response(b"" if request.method == "HEAD" else data, content_type=q.content_type(media),
                    headers=headers)


def _write(store, graph):
    created_new = graph is None
    if created_new:  # POST to the service: a new graph whose IRI we mint (Location header)
        graph = NamedNode(request.url_root.rstrip("/") + "/store/" + str(uuid.uuid4()))
    base = graph.value if isinstance(graph, NamedNode) else request.base_url
    name = f"HTTP {request.method} {_name(graph)}"
    ctype = (request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    try:
        if ctype == "multipart/form-data" and request.method == "POST":
            body, fmt = _multipart_as_ntriples(base), RdfFormat.N_TRIPLES
        else:
            body, fmt = request.get_data(), _media_format(ctype)
            if fmt is None:
                return _text(415, f"unsupported Content-Type {ctype or '(none)'}: send RDF (text/turtle, "
                                  "application/n-triples, application/rdf+xml, application/ld+json, ...)")
            if fmt.supports_datasets and fmt != RdfFormat.JSON_LD:
                return _text(415, "a Graph Store request carries one graph: use a triple syntax or JSON-LD, "
                                  "not a dataset syntax")
            if fmt == RdfFormat.JSON_LD:
                _triples(body, fmt, base, name)   # a JSON-LD document may hold named graphs
    except RdfSyntaxError as exc:
        return _text(400, exc.text(error_lang()))
    except NamedGraphsInBody as exc:
        return _text(400, str(exc))
    except UnsupportedPart as exc:
        return _text(415, str(exc))
    with WRITE_LOCK:
        existed = _exists(store, graph) and not created_new
        replace = {graph} if request.method == "PUT" else False
        try:
            load_data(store, body, fmt, name=name, graph=graph, replace=replace, agent=current_agent(),
                      via="graph-store", base_iri=base)
        except RdfSyntaxError as exc:
            return _text(400, exc.text(error_lang()))
        except ProtectedGraph as exc:
            return _text(403, str(exc))
        except LoadRejected as exc:
            return validation_failure(exc.report)
    if existed:
        return Response(status=204)
    return Response(status=201, headers={"Location": graph.value} if isinstance(graph, NamedNode) else {})


class NamedGraphsInBody(ValueError):
    """An RDF document sent to one graph holds named graphs."""


class UnsupportedPart(ValueError):
    """A multipart part whose Content-Type is not an RDF syntax."""


def _media_format(ctype: str):
    try:
        return RdfFormat.from_media_type(ctype) if ctype else None
    except ValueError:
        return None


def _triples(data: bytes, fmt: RdfFormat, base: str, name: str) -> list[ox.Triple]:
    """The triples of one RDF document meant for one graph, blank nodes renamed apart from
    any other document's. Raises RdfSyntaxError (also for input beyond input_limits) or
    NamedGraphsInBody: a JSON-LD `@graph` with an `@id`, or a TriG graph, is a dataset,
    which the Graph Store Protocol does not take (docs/service.md)."""
    source = SourceFile(Path("."), data, "", fmt, display=name)
    check_source(source)   # before the parser: nesting, entity expansion
    try:
        quads = list(ox.parse(data, fmt, base_iri=base, rename_blank_nodes=True))
    except SyntaxError as exc:
        raise _syntax_error(source, exc) from None
    named = sorted({q.graph_name.value for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)})
    if named:
        raise NamedGraphsInBody(f"{name}: the document holds named graphs ({', '.join(f'<{g}>' for g in named[:3])}"
                                f"{', ...' if len(named) > 3 else ''}); a Graph Store request carries one graph: "
                                "send its triples without @graph/@id, or load a dataset with SPARQL Update or "
                                "`rightsgraph load`")
    return [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _multipart_as_ntriples(base: str) -> bytes:
    """POST of several RDF documents as multipart/form-data (GSP section 5.5): merged into
    one N-Triples body, so that they are validated and committed as one unit."""
    out = []
    for part in request.files.values():
        fmt = _media_format((part.mimetype or "").lower())
        if fmt is None:
            raise UnsupportedPart(f"part {part.filename!r}: unsupported Content-Type {part.mimetype!r}")
        triples = _triples(part.read(), fmt, base, part.filename or part.name)
        out.append(ox.serialize(triples, format=RdfFormat.N_TRIPLES))
    return b"".join(out)


def _delete(store, graph):
    if graph is None:
        return _text(400, "name a graph: ?graph=IRI or ?default")
    if not _exists(store, graph):
        return _text(404, f"no graph {_name(graph)}")
    op = "CLEAR DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP GRAPH <{graph.value}>"
    try:  # through the update gate: dropping a graph may break references elsewhere
        apply_update(store, op, agent=current_agent())
    except LoadRejected as exc:
        return validation_failure(exc.report)
    except UpdateRejected as exc:
        return _text(403, str(exc))
    return Response(status=204)


def _name(graph) -> str:
    return "(default graph)" if isinstance(graph, ox.DefaultGraph) else f"<{graph.value}>"
