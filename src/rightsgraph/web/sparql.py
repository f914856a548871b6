"""SPARQL 1.1 Protocol query endpoint at /sparql (https://www.w3.org/TR/sparql11-protocol/)."""

from __future__ import annotations

import threading
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, g, request

from .. import federation
from .. import query as q
from ..decision_service import mentions_decision_functions, sparql_functions
from ..input_limits import InputRefused, check_sparql
from ..serving.query_pool import QueryUnanswered
from .auth import PUBLIC_SPARQL, catalog, current_agent, hidden_graphs, require
from .errors import error_lang
from .service_description import service_description
from .sparql_editor import editor_page, wants_editor

bp = Blueprint("sparql", __name__)
RDFLIB_DEFAULT = "urn:x-rdflib:default"
_IN_PROCESS = threading.BoundedSemaphore(2)
_POOL_LOCK = threading.Lock()


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _text(status: int, message: str) -> Response:
    return Response(message.rstrip() + "\n", status=status, content_type="text/plain; charset=utf-8")


@bp.errorhandler(ProtocolError)
def _protocol_error(err: ProtocolError):
    return _text(err.status, str(err))


def _charset_ok(content_type: str) -> bool:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value.strip('"').lower() not in ("utf-8", "utf8"):
            return False
    return True


def _url_params() -> dict[str, list[str]]:
    return parse_qs(request.query_string.decode("utf-8", "replace"), keep_blank_values=True)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter: send exactly one")
    return values[0] if values else None


def read_sparql_request() -> tuple[str | None, str | None, dict[str, list[str]]]:
    """(query, update, dataset params) from GET, POST form or POST direct: the one place a
    request is told a query or an update (the readers of `serve --workers N` forward what
    this calls an update to the writer, web/write_forwarding.py)."""
    params = _url_params()
    if request.method == "GET":
        if "update" in params:
            raise ProtocolError(400, "SPARQL Update must be sent with POST, not GET")
        return _one(params, "query"), None, params
    ctype = request.headers.get("Content-Type")
    if not ctype:
        raise ProtocolError(400, "POST needs a Content-Type: application/x-www-form-urlencoded, "
                                 "application/sparql-query or application/sparql-update")
    media = ctype.split(";")[0].strip().lower()
    if not _charset_ok(ctype):
        raise ProtocolError(400, f"unsupported charset in Content-Type {ctype!r}: SPARQL requests are UTF-8")
    body = request.get_data()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, "the request body is not valid UTF-8") from None
    if media == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        for key, values in form.items():
            params.setdefault(key, []).extend(values) if key not in ("query", "update") else None
        query, update = _one(form, "query"), _one(form, "update")
        if query is not None and update is not None:
            raise ProtocolError(400, "send either 'query' or 'update', not both")
        return query, update, params
    if media == "application/sparql-query":
        return text, None, params
    if media == "application/sparql-update":
        return None, text, params
    raise ProtocolError(415, f"unsupported Content-Type {media!r}: use application/x-www-form-urlencoded, "
                             "application/sparql-query or application/sparql-update")


def _check_bounds(text: str | None) -> None:
    """Refuse, before any parser sees it, a query or update nested or chained deeply enough
    to overflow Oxigraph's stack (input_limits)."""
    try:
        check_sparql(text)
    except InputRefused as exc:
        raise ProtocolError(400, exc.text(error_lang())) from None


@bp.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
@bp.route("/sparql/", methods=["GET", "POST"])
def sparql_endpoint():
    query, update, params = read_sparql_request()
    _check_bounds(update if update is not None else query)
    if update is not None:
        return _update(update, params)
    if query is None:
        if request.method == "GET":
            if wants_editor():        # a browser asking for a page: the query editor
                return editor_page()
            described = service_description(request.base_url)
            described.headers["Vary"] = "Accept"      # a browser gets the editor at this URL
            return described
        raise ProtocolError(400, "missing 'query' parameter")
    return _query(query, params)


@bp.route(PUBLIC_SPARQL, methods=["GET", "POST"], strict_slashes=False)
def public_sparql_endpoint():
    """The public endpoint: queries answered for an anonymous reader, whatever credentials
    come with them (web/auth.py), never an update. Its own address lets a proxy send it to a
    public copy of the store without reading requests to tell who asks (docs/service.md)."""
    query, update, params = read_sparql_request()
    _check_bounds(update if update is not None else query)
    if update is not None:
        raise ProtocolError(403, "the public endpoint only answers queries: send updates to /sparql with a "
                                 "cataloguer's token")
    if query is None:
        if request.method == "GET":
            if wants_editor():        # a browser: the query editor, asking this endpoint
                return editor_page()
            described = service_description(request.base_url)
            described.headers["Vary"] = "Accept"
            return described
        raise ProtocolError(400, "missing 'query' parameter")
    return _query(query, params)


def _query(query: str, params: dict[str, list[str]]) -> Response:
    _no_federation(federation.query_endpoints(query, request.base_url))
    store = current_app.extensions["rightsgraph.store"]
    default_graphs, named_graphs = params.get("default-graph-uri"), params.get("named-graph-uri")
    if default_graphs and RDFLIB_DEFAULT in default_graphs:
        # rdflib's Dataset names "the store's default graph" with this IRI on every query:
        # it means our default graph (the union), not a graph of that name.
        default_graphs = [x for x in default_graphs if x != RDFLIB_DEFAULT] or None
    hidden = hidden_graphs(store)
    if hidden:
        default_graphs, named_graphs = restricted_dataset(store, query, default_graphs, named_graphs, hidden)
    calls_functions = store.runs_custom_functions and mentions_decision_functions(query)
    pool = query_pool()
    if pool is not None:
        try:
            answer = pool.run(query, accept=request.headers.get("Accept"), default_graphs=default_graphs,
                              named_graphs=named_graphs, base_iri=request.base_url,
                              functions=calls_functions)
        except QueryUnanswered as exc:
            return Response(f"{exc}\n", status=503, content_type="text/plain; charset=utf-8",
                            headers={"Retry-After": "10"})
        headers = {"Vary": "Accept"} if answer.status == 200 else {}
        content_type = q.content_type(answer.content_type) if answer.status == 200 else answer.content_type
        return Response(answer.body, status=answer.status, content_type=content_type, headers=headers)
    # Without a query pool (no time limit set, an in-memory store) queries run in this
    # process, where nothing can stop them: those calling the decision functions, the
    # costliest, at most two at a time, so they cannot take every thread.
    functions = None
    if calls_functions:
        from .api import service
        functions = sparql_functions(service())
    slot = _IN_PROCESS if functions is not None else None
    if slot is not None and not slot.acquire(blocking=False):
        return Response("two queries calling rg:permitted / rg:decision are already running: retry later, or "
                        "use the decision API (/api/v1/decisions)\n", status=503,
                        content_type="text/plain; charset=utf-8", headers={"Retry-After": "10"})
    try:
        result = q.run(store, query, default_graphs=default_graphs, named_graphs=named_graphs,
                       base_iri=request.base_url, custom_functions=functions)
        media = q.negotiate(request.headers.get("Accept"), result.kind)
        if media is None:
            raise ProtocolError(406, f"cannot answer a {result.kind} result as {request.headers.get('Accept')}")
        body = q.serialize_limited(result, media, current_app.config["RG_MAX_ROWS"])
    except q.QuerySyntaxError as exc:
        raise ProtocolError(400, f"malformed query: {exc}") from None
    except q.TooManyRows as exc:
        raise ProtocolError(413, str(exc)) from None
    finally:
        if slot is not None:
            slot.release()
    return Response(body, content_type=q.content_type(media), headers={"Vary": "Accept"})


def query_pool():
    """The app's query worker pool (embedded on-disk store with a query timeout), or None."""
    app = current_app
    if "rightsgraph.query_pool" in app.extensions:
        return app.extensions["rightsgraph.query_pool"]
    with _POOL_LOCK:  # one pool per app, however many threads ask first
        if "rightsgraph.query_pool" in app.extensions:
            return app.extensions["rightsgraph.query_pool"]
        store = app.extensions["rightsgraph.store"]
        timeout = app.config["RG_QUERY_TIMEOUT"]
        pool = None
        if timeout and store.runs_custom_functions and store.path is not None:   # snapshots to query
            from ..serving.query_pool import QueryPool
            pool = QueryPool(store, workers=app.config["RG_QUERY_WORKERS"], timeout=timeout,
                             max_rows=app.config["RG_MAX_ROWS"], report_timeout=app.config["RG_REPORT_TIMEOUT"] or None)
        app.extensions["rightsgraph.query_pool"] = pool
        return pool


def _no_federation(endpoints: list[str]) -> None:
    try:
        federation.check(endpoints, current_app.config.get("RG_ALLOW_SERVICE", ()))
    except federation.FederationRefused as exc:
        raise ProtocolError(403, str(exc)) from None


def restricted_dataset(store, query: str, default_graphs, named_graphs, hidden: set[str]):
    """The dataset a reader's query may use: what it asked for (protocol parameters, else
    FROM / FROM NAMED, else everything) minus the hidden graphs. Always explicit, so that
    neither GRAPH ?g, FROM, DESCRIBE nor the union default graph can reach a hidden graph."""
    from ..sparql_parsing import dataset_clauses
    if default_graphs is None and named_graphs is None:
        own = dataset_clauses(query)
        if own is not None:
            default_graphs, named_graphs = own
        else:
            visible = [gr for gr in catalog().graphs() if gr not in hidden]
            default_graphs, named_graphs = visible, visible
    defaults = [x for x in default_graphs or [] if x not in hidden]
    nameds = [x for x in named_graphs or [] if x not in hidden]
    # An empty list would mean "no restriction" further down: use a graph that cannot exist.
    return defaults or ["urn:rightsgraph:no-graph"], nameds or ["urn:rightsgraph:no-graph"]


def _update(update: str, params: dict[str, list[str]]) -> Response:
    denied = require("cataloguer")
    if denied is not None:
        return denied
    from ..loading import LoadRejected
    from ..store.base import DatasetConflict, StoreError, apply_using
    from ..update_guard import guard_for
    from ..updating import UpdateRejected, apply_update
    from .errors import validation_failure
    store = current_app.extensions["rightsgraph.store"]
    try:
        text = apply_using(update, params.get("using-graph-uri", []), params.get("using-named-graph-uri", []))
        _no_federation(federation.update_endpoints(text, request.base_url))
        # confidential data stays in confidential graphs; ALL / NAMED are the admin's
        guard = guard_for(text, role=g.get("role"), account=current_agent(), store=store,
                          base_iri=request.base_url, trusted=current_app.config.get("RG_ALLOW_SERVICE", ()))
        result = apply_update(store, text, agent=current_agent(), base_iri=request.base_url, guard=guard)
    except DatasetConflict as exc:
        raise ProtocolError(400, str(exc)) from None
    except SyntaxError as exc:
        raise ProtocolError(400, f"malformed update: {exc}") from None
    except UpdateRejected as exc:
        raise ProtocolError(403, str(exc)) from None
    except LoadRejected as exc:
        return validation_failure(exc.report)
    except StoreError as exc:
        raise ProtocolError(502, str(exc)) from None
    except OSError as exc:     # an allowed LOAD whose source cannot be read
        raise ProtocolError(502, f"the update could not read its source: {exc}") from None
    return Response(status=204, headers={"X-Triples-Inserted": str(result.inserted),
                                         "X-Triples-Deleted": str(result.deleted)})


@bp.route("/sparql", methods=["PUT", "DELETE", "PATCH"])
@bp.route("/sparql/", methods=["PUT", "DELETE", "PATCH"])
def wrong_method():
    return _text(405, f"{request.method} is not a SPARQL Protocol method: use GET or POST")
