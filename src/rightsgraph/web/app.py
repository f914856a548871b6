"""Flask application factory."""

from __future__ import annotations

from flask import Flask

from ..accounts import Accounts
from ..store.base import Store

# Each is a setting (`rightsgraph serve` options / environment); docs/service.md.
DEFAULT_SETTINGS = {
    "RG_MAX_BODY": 16 * 1024 * 1024,     # request body limit (bytes): 413 above it
    "RG_ANONYMOUS_READ": True,           # anonymous requests may read non-confidential graphs
    "RG_ACCOUNTS_FILE": None,            # JSON file of API tokens (see accounts.py)
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

    from . import auth, gsp, pages, sparql
    app.register_blueprint(auth.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(gsp.bp)
    app.register_blueprint(pages.bp)
    try:  # the decision API arrives with the policy engine
        from . import api
    except ImportError:
        api = None
    if api is not None:
        app.register_blueprint(api.bp)
    return app
