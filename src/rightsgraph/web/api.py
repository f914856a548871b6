"""JSON decision API: /api/v1/decision (GET or POST) and /api/v1/decisions (batch), by IRI
or by identifier (DOI, ISSN, ISBN, title_id, URL); holdings: /api/v1/entitlement (GET or
POST) and /api/v1/entitlements (batch).

Every answer comes from `policy.decide` through the DecisionService, exactly as
`rightsgraph check` and the SPARQL function compute it (docs/decisions.md, "Doors").
"""

from __future__ import annotations

import json
import threading
import time

import orjson
from flask import Blueprint, Response, current_app, jsonify, request

from ..decision_service import DecisionParamError, DecisionService
from ..holdings import collection_paused
from ..identifier_decisions import BatchTooLarge, entitlement_answer, entitlement_batch
from ..identifiers import IdentifierError
from ..input_limits import InputRefused, check_json_nesting
from . import api_params
from ..translation import LANGUAGES, both
from .auth import hidden_graphs
from .errors import error_lang

bp = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_BATCH = 100_000


@bp.before_app_request
def _known_query_parameters():
    """Every /api/v1 endpoint (this blueprint's, the reports') refuses a query parameter it
    does not read (web/api_params.py)."""
    if request.path.startswith("/api/v1/"):
        return api_params.check_query()
    return None


def service(app=None) -> DecisionService:
    """The app's DecisionService (`app`: default the current one)."""
    ext = (app or current_app).extensions
    if "rightsgraph.decisions" not in ext:
        with _SERVICE_LOCK:     # one per app, whichever thread (a request, the warm-up) asks first
            if "rightsgraph.decisions" not in ext:
                ext["rightsgraph.decisions"] = DecisionService(ext["rightsgraph.store"], save=True)
    return ext["rightsgraph.decisions"]


_SERVICE_LOCK = threading.Lock()


def _json_body():
    """The request's JSON, or None if it is not JSON. Its nesting is bounded first: Python's
    json parser recurses, and a deep enough document would end in RecursionError (500)."""
    if not request.is_json:
        return None
    data = request.get_data()
    check_json_nesting(data)
    try:
        return json.loads(data)
    except ValueError:
        return None


def _refused(exc) -> Response:
    """A refusal (InputRefused, DecisionParamError, IdentifierError: each says itself in
    either language) as every /api/v1 refusal is shaped: {"error", "en", "zh"}."""
    status = 413 if isinstance(exc, BatchTooLarge) else 400
    return api_params.bad_request({lang: exc.text(lang) for lang in LANGUAGES}, status)


def _lang() -> str:
    """The language of error messages: ?lang=en|zh, else the request's Accept-Language."""
    return error_lang()


def answer(svc: DecisionService, params: dict, hidden: frozenset[str]) -> dict:
    """The JSON answer to one request for a caller who may not see the `hidden` graphs
    (auth.hidden_graphs); DecisionService.answer redacts it."""
    return svc.answer(params, hidden)


def _one_question(compute, post_form: str) -> Response:
    """GET (query parameters) or POST (a JSON object) of one question, answered by
    `compute(params)`; a bad parameter is a 400 naming it, in the caller's language."""
    if request.method == "GET":
        params = {k: request.args.getlist(k) for k in request.args}
    else:
        try:
            params = _json_body()
        except InputRefused as exc:
            return _refused(exc)
        if not isinstance(params, dict):
            return api_params.bad_request(both("POST a JSON object: %(form)s", form=post_form))
        unknown = api_params.check_body(params)
        if unknown is not None:
            return unknown
    try:
        return jsonify(compute(params))
    except (IdentifierError, DecisionParamError) as exc:
        return _refused(exc)


@bp.route("/decision", methods=["GET", "POST"])
def decision():
    svc = service()
    return _one_question(lambda params: answer(svc, params, hidden_graphs()),
                        '{"target": IRI, "action": IRI, "assignee": IRI, "at": ISO 8601, '
                        '"context": {leftOperand: value}}')


@bp.route("/decisions", methods=["POST"])
def decisions():
    """Many decisions in one request: {"requests": [ {...}, ... ]} -> {"decisions": [...]}.
    A malformed item gets its own {"error": ...} in place; the others are answered."""
    svc = service()
    try:
        body = _json_body()
    except InputRefused as exc:
        return _refused(exc)
    items = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return api_params.bad_request(both("POST a JSON object: %(form)s",
                                           form='{"requests": [ {target, action, assignee, ...}, ... ]}'))
    unknown = api_params.check_body(body)
    if unknown is not None:
        return unknown
    if len(items) > MAX_BATCH:
        return api_params.bad_request(both("at most %(limit)s requests in one batch", limit=MAX_BATCH), 413)
    hidden = hidden_graphs()
    lang = _lang()
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            out.append({"error": f"requests[{i}]: expected an object"})
            continue
        strange = api_params.item_error(f"requests[{i}]", item, lang)
        if strange is not None:
            out.append({"error": strange})
            continue
        try:
            out.append(answer(svc, item, hidden))
        except (IdentifierError, DecisionParamError) as exc:
            out.append({"error": f"requests[{i}].{exc.text(lang)}"})
    return jsonify({"decisions": out})


@bp.route("/entitlement", methods=["GET", "POST"])
def entitlement():
    """Holdings coverage of one identifier: ?issn=...&date=2010-05-01[&volume=&issue=]."""
    svc = service()
    return _one_question(lambda params: entitlement_answer(svc, params, hidden_graphs()),
                        '{"issn": "1545-4282", "date": "2010-05-01", "volume": "12"}')


def _items_with_unknown_keys(body: dict, answers: list) -> None:
    """An object item of an entitlements batch with a key the endpoint does not read gets
    its error in its place, like any malformed item (found after the batch: the check costs a
    pass over the items, and the batch code stays the one that answers each item alone)."""
    lang = _lang()
    for i, item in enumerate(body["identifiers"]):
        if isinstance(item, dict):
            strange = api_params.item_error(f"identifiers[{i}]", item, lang)
            if strange is not None:
                answers[i] = {"error": strange}


@bp.route("/entitlements", methods=["POST"])
def entitlements():
    """Many identifiers in one request (a discovery system's result page):
    {"identifiers": [...], "date"?: ...} -> {"entitlements": [...]} in the same order."""
    started = time.perf_counter()
    svc = service()
    with collection_paused():
        try:
            body = _json_body()
        except InputRefused as exc:
            return _refused(exc)
        if isinstance(body, dict):
            unknown = api_params.check_body(body)
            if unknown is not None:
                return unknown
        try:
            answers = entitlement_batch(svc, body, hidden_graphs(), MAX_BATCH, _lang())
        except DecisionParamError as exc:
            return _refused(exc)
        _items_with_unknown_keys(body, answers)
        # a result page of 10,000 answers is megabytes: serialised once by orjson (in C, keys
        # in their own order, UTF-8 as is), ten times faster than json.dumps
        try:
            payload = orjson.dumps({"entitlements": answers})
        except orjson.JSONEncodeError:   # a lone surrogate escaped in the request (valid JSON, not UTF-8)
            payload = json.dumps({"entitlements": answers}, separators=(",", ":")).encode()
        del answers, body       # freed while the collector is off: it never counts them
        resp = Response(payload, mimetype="application/json")
    # W3C Server Timing: the server's share of a batch's time, for clients and the benchmark
    resp.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
    return resp
