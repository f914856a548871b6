"""The decision API's commonest request answered without Flask's per-request machinery.

Discovery, interlibrary-loan and reading platforms ask `GET /api/v1/decision?target=..&
action=..&assignee=..` thousands of times a second. The decision takes microseconds; Flask's
request context, routing, before/after hooks and response object took about 0.3 ms of the
0.36 ms a request cost inside the app (benchmarks/bench_http.py, docs/service.md). This layer
answers that one request shape itself, through the same `DecisionService.answer`, when
nothing about the request needs more than the decision:

- GET of exactly /api/v1/decision, with no body and no `Origin` (CORS answers need Flask);
- every query parameter one the endpoint reads (api_params.TAKES), none of them `lang`;
- no Authorization header and anonymous read on (a reader), or a Bearer/Basic token of a
  live account (the same check as web/auth.py, `account_for`).

Every other request, and every one of these the service does not answer plainly (a bad
parameter, an unknown term, a store error), goes on to the Flask app untouched, so each
refusal, its wording and every other door keep one implementation.
tests/test_decision_fast_path.py asks both ways and compares status, headers and bytes.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from .api import service
from .api_params import EVERYWHERE, TAKES
from .auth import account_for, hidden_graphs_for

PATH = "/api/v1/decision"
_READS = frozenset(TAKES["api.decision"].query) - frozenset(EVERYWHERE)


def answers_at_once(flask_app) -> bool:
    """Whether a decision question to `flask_app` can be answered now without waiting (its
    compiled policies are current): the server answers it on its I/O thread only then, and
    leaves a question that must first refresh or compile them to its pool of threads."""
    try:
        return service(flask_app).current()
    except Exception:  # noqa: BLE001 - the pool thread's answer then says what is wrong
        return False


class DecisionFastPath:
    """WSGI layer in front of the Flask app `flask_app` (its wsgi_app is what it wraps)."""

    def __init__(self, flask_app):
        self.flask_app = flask_app
        self.app = flask_app.wsgi_app
        self.json = flask_app.json

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "GET":
            return self.app(environ, start_response)
        body = self._answer(environ)
        if body is None:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _answer(self, environ) -> bytes | None:
        """The JSON answer's bytes, or None for the Flask app to answer."""
        # written as flask's jsonify writes it (json/provider.py, DefaultJSONProvider.response):
        # compact unless debugging, which the view then answers
        if (self.json.compact is None and self.flask_app.debug) or self.json.compact is False:
            return None
        if environ.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in environ \
                or "HTTP_ORIGIN" in environ:
            return None
        query = environ.get("QUERY_STRING", "")
        if not query.isascii():
            return None
        params: dict[str, list[str]] = {}
        # as werkzeug reads request.args (3.x): blank values kept, bad bytes left percent-encoded
        for name, value in parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
            if name not in _READS:
                return None
            params.setdefault(name, []).append(value)
        hidden = self._hidden_graphs(environ)
        if hidden is None:
            return None
        try:
            result = service(self.flask_app).answer(params, hidden)
        except Exception:   # noqa: BLE001 - whatever is not a plain answer, the view answers (and words)
            return None
        return (self.json.dumps(result, separators=(",", ":")) + "\n").encode("utf-8")

    def _hidden_graphs(self, environ) -> frozenset[str] | None:
        """The graphs the caller may not see (web/auth.py's rule), or None when the caller is
        to be refused or asked for a token (the Flask app says how)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header:
            account = account_for(header, self.flask_app.extensions.get("rightsgraph.accounts"))
            if account is None:
                return None
            role = account.role
        elif self.flask_app.config.get("RG_ANONYMOUS_READ", True):
            role = "reader"
        else:
            return None
        return hidden_graphs_for(role, self.flask_app)
