"""Flask application factory."""

from __future__ import annotations

from flask import Flask

from ..store.base import Store


def create_app(store: Store, *, settings: dict | None = None) -> Flask:
    """An app serving `store`. Settings: see docs/service.md."""
    app = Flask(__name__)
    app.config.update({"RG_MAX_BODY": 16 * 1024 * 1024})
    app.config.update(settings or {})
    app.config["MAX_CONTENT_LENGTH"] = app.config["RG_MAX_BODY"]
    app.extensions["rightsgraph.store"] = store

    from . import pages, sparql
    app.register_blueprint(sparql.bp)
    app.register_blueprint(pages.bp)
    try:  # the decision API arrives with the policy engine
        from . import api
    except ImportError:
        api = None
    if api is not None:
        app.register_blueprint(api.bp)
    return app
