"""Flask application factory."""

from __future__ import annotations

from flask import Flask, Response

from ..accounts import Accounts
from ..store.base import Store, StoreError
from ..translation import LANGUAGES, both

# Each is a setting (`rightsgraph serve` options / environment); docs/service.md.
DEFAULT_SETTINGS = {
    "RG_MAX_BODY": 16 * 1024 * 1024,     # request body limit (bytes): 413 above it
    "RG_ANONYMOUS_READ": True,           # anonymous requests may read non-confidential graphs
    "RG_ACCOUNTS_FILE": None,            # JSON file of API tokens (see accounts.py)
    "RG_QUERY_TIMEOUT": 30.0,            # seconds a SPARQL query may run (503 after); 0: no limit
    "RG_QUERY_WORKERS": 2,               # query worker processes (embedded store)
    "RG_REPORT_TIMEOUT": 600.0,          # seconds the report worker may take on one report (0: no limit)
    "RG_MAX_ROWS": 100_000,              # rows (or triples) in one query result (413 above)
    "RG_CORS_ORIGINS": "",               # "*" or space-separated origins allowed by CORS; "": off
    "RG_ALLOW_SERVICE": (),              # endpoints SERVICE / LOAD may reach (federation.py); none
    "RG_EXPIRING_DAYS": 90,              # the home page lists licences ending within this many days
    # after a write the home page waits this long for the new risk report, then shows the
    # previous one while it is computed (minutes at 10k licences; web/summary_cache.latest)
    "RG_HOME_RISKS_WAIT": 0.15,
    # with no risk report yet (the first since the service started), the home page waits this
    # long for it, then says it is being made
    "RG_HOME_RISKS_FIRST_WAIT": 3.0,
    "RG_DECISION_FAST_PATH": True,       # GET /api/v1/decision answered before Flask (web/decision_fast_path.py)
    "RG_WARM_UP": False,                 # compile the policies at start (web/warm_up.py; `serve` sets it)
    # Browser sessions (web/session.py, docs/web.md "Signing in"):
    "RG_SESSION_HOURS": 8.0,             # a session ends this long after sign-in, whatever happens
    "RG_SESSION_IDLE_MINUTES": 60.0,     # ... or after this long without a page request
    "RG_SESSION_KEY_FILE": None,         # the cookies' signing key; default: session.key beside the accounts
    "RG_SIGNIN_ATTEMPTS": 10,            # failed sign-ins allowed per client address ...
    "RG_SIGNIN_WINDOW": 600,             # ... within this many seconds (429 after)
}


def create_app(store: Store, *, settings: dict | None = None) -> Flask:
    """An app serving `store`. Settings: see docs/service.md."""
    app = Flask(__name__)
    app.config.update(DEFAULT_SETTINGS)
    app.config.update(settings or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["RG_MAX_BODY"]
    app.extensions["rightsgraph.store"] = store
    if app.config["RG_ACCOUNTS_FILE"]:
        app.extensions["rightsgraph.accounts"] = Accounts(app.config["RG_ACCOUNTS_FILE"])

    if app.config.get("RG_BEHIND_PROXY"):  # behind the public tier's nginx (serving/public_tier.py)
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
    if app.config.get("RG_WRITER_URL"):  # a reader process of `serve --workers N`
        from .write_forwarding import install_forwarding
        install_forwarding(app, app.config["RG_WRITER_URL"])
    if app.config["RG_CORS_ORIGINS"]:
        _enable_cors(app, app.config["RG_CORS_ORIGINS"].split())

    from . import i18n, signin
    i18n.install(app)
    signin.install(app)
    from . import (admin, api, auth, gsp, licence_pages, pages, report_pages, reports, resource_page,
                   search, sparql, termsheet_upload, void)
    for module in (auth, admin, sparql, gsp, pages, search, resource_page, licence_pages, void, reports,
                   report_pages, termsheet_upload, api, signin):
        app.register_blueprint(module.bp)

    @app.errorhandler(StoreError)
    def store_failed(exc: StoreError):
        # the backing store refused or failed (a remote store down, a write it cannot take)
        said = both("the store could not do this: %(reason)s", reason=exc)   # said in both: no page language here
        return Response("".join(said[lang] + "\n" for lang in LANGUAGES), status=502,
                        content_type="text/plain; charset=utf-8")

    from ..serving.query_pool import QueryUnanswered

    @app.errorhandler(QueryUnanswered)
    def unanswered(exc: QueryUnanswered):
        # a report worker past its deadline or killed (a query's own 503 is sparql.py's)
        said = both("this could not be answered now (%(reason)s); try again shortly", reason=exc)
        return Response("".join(said[lang] + "\n" for lang in LANGUAGES), status=503,
                        content_type="text/plain; charset=utf-8", headers={"Retry-After": "10"})

    if app.config["RG_DECISION_FAST_PATH"]:
        from .decision_fast_path import DecisionFastPath
        app.wsgi_app = DecisionFastPath(app)
    # Every request body is read and bounded here, whatever its framing and whatever WSGI
    # server runs the app (docs/service.md, "Request bodies").
    from ..input_limits import BodyLimit
    app.wsgi_app = BodyLimit(app.wsgi_app, app.config["RG_MAX_BODY"])
    if app.config["RG_WARM_UP"]:
        from .warm_up import warm_up
        warm_up(app)
    return app


def _enable_cors(app: Flask, origins: list[str]) -> None:
    """CORS for browser clients (off by default): the listed origins, or any with "*"."""
    from flask import request

    @app.after_request
    def cors(resp):
        origin = request.headers.get("Origin")
        if origin and ("*" in origins or origin in origins):
            resp.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            resp.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept"
            resp.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE, HEAD, OPTIONS"
            resp.headers["Vary"] = "Origin"
        return resp
