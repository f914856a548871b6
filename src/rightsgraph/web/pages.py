"""The home page: what the service holds and where its endpoints are."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..info import store_summary

bp = Blueprint("pages", __name__)


@bp.route("/")
def home():
    store = current_app.extensions["rightsgraph.store"]
    return render_template("home.html", summary=store_summary(store))


@bp.route("/healthz")
def health():
    return {"status": "ok"}
