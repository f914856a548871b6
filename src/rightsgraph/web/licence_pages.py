"""Licence pages: /licences (list), /licence?iri= (every term: status, clause number, clause
text, the ODRL rule it compiled to) and /licences/compare?l=IRI&l=IRI... (side by side).

Everything is read through visible.VisibleStore: a licence stated in a confidential graph
does not exist for a reader (404), and no confidential term reaches a reader's page.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from pyoxigraph import NamedNode

from ..licences.termsheet import licence_from_store
from ..licences.registry import term_keys
from ..licences.vocabulary import LICENCE_STATUS_KEYS
from ..namespaces import RG, sparql_prefixes
from . import wording
from .auth import hidden_graphs
from .summary_cache import page_cache
from .i18n import lang, pick
from .visible import PageError, install_error_page, iri_arg, labels, visible_store

bp = Blueprint("licence_pages", __name__)
install_error_page(bp)
MAX_COMPARE = 6     # columns a page can show side by side
DCT_TITLE = "http://purl.org/dc/terms/title"
ODRL_ASSIGNER = "http://www.w3.org/ns/odrl/2/assigner"

# The licences, then their fields (VisibleStore.matching, 200 licences at a time): one query
# joining both, or OPTIONALs grouped per licence, runs 10 to 100 times slower on Oxigraph 0.5;
# a GRAPH pattern, not the reader's default graph of every visible graph (one per licence).
_LICENCES = sparql_prefixes() + "SELECT ?l ?g WHERE { GRAPH ?g { ?l a rg:Licence } }"
_LISTED = (DCT_TITLE, ODRL_ASSIGNER, RG.iri("licenceStatus"), RG.iri("termStart"), RG.iri("termEnd"))
_FIELDS = {ODRL_ASSIGNER: "licensor", RG.iri("licenceStatus"): "status",
           RG.iri("termStart"): "start", RG.iri("termEnd"): "end"}


def _v(term):
    return term.value if term is not None else None


def licence_rows(store) -> list[dict]:
    """Every licence the caller may see: title {zh, en}, licensor, status key, start, end."""
    rows: dict[str, dict] = {}
    iris = {r["l"].value for r in store.graph_rows(_LICENCES) if isinstance(r["l"], NamedNode)}
    for s, p, o in store.matching(iris, _LISTED):
        row = rows.setdefault(s.value, {"iri": s.value, "title": {}, "licensor": None, "status": None,
                                        "start": None, "end": None})
        p = p.value
        if p in _FIELDS:
            row[_FIELDS[p]] = o.value
        else:
            language = "zh" if (getattr(o, "language", None) or "").startswith("zh") else "en"
            row["title"].setdefault(language, o.value)
    out = [rows[k] for k in sorted(rows)]
    names = labels(store, [r["licensor"] for r in out])
    for r in out:
        r["status"] = LICENCE_STATUS_KEYS.get(r["status"], r["status"])
        r["licensor_name"] = names.get(r["licensor"], {})
    return out


def cached_licence_rows() -> list[dict]:
    """licence_rows for the caller's view, once per store state (summary_cache.py)."""
    return page_cache().get("licences", hidden_graphs(), lambda: licence_rows(visible_store()))


def _sheet(store, iri: str) -> dict:
    try:
        return licence_from_store(store, iri)
    except KeyError:
        raise PageError(404, _("No licence %(iri)s in the store.", iri=iri)) from None


def _names(store, sheets) -> dict:
    iris = set()
    for s in sheets:
        iris.update(x for x in (s.get("licensor"), s.get("licensee"), s.get("target"), s.get("master"),
                                s.get("amends"), s.get("renews")) if x)
        iris.update(s.get("parties", {}).values())
        iris.update(t["for"] for t in s["terms"] if t.get("for"))
    return labels(store, iris)


# A page of the list: 10,000 licences on one page were 3 MB of HTML and half a second to render.
PER_PAGE = 100


@bp.route("/licences")
def licence_list():
    rows = cached_licence_rows()
    status = request.args.get("status", "").strip()
    if status:
        if status not in wording.LICENCE_STATUSES:
            raise PageError(400, _("Unknown licence status %(value)s; known: %(known)s",
                                   value=status, known=", ".join(wording.LICENCE_STATUSES)))
        rows = [r for r in rows if r["status"] == status]
    pages = max(1, -(-len(rows) // PER_PAGE))
    page = _page(pages)
    start = (page - 1) * PER_PAGE
    return render_template("licences.html", licences=rows[start:start + PER_PAGE], statuses=wording.LICENCE_STATUSES,
                           status=status, page=page, pages=pages, total=len(rows),
                           first=start + 1 if rows else 0, last=min(start + PER_PAGE, len(rows)))


def _page(pages: int) -> int:
    """The `page` parameter: a whole number from 1 to `pages` (default 1); PageError naming it."""
    value = request.args.get("page", "1").strip()
    if not value.isdigit() or not 1 <= int(value) <= pages:
        raise PageError(400, _("Parameter page must be a whole number from 1 to %(pages)s: %(value)s",
                               pages=pages, value=value))
    return int(value)


@bp.route("/licence")
def licence_detail():
    iri = iri_arg("iri")
    store = visible_store()
    sheet = _sheet(store, iri)
    return render_template("licence.html", sheet=sheet, names=_names(store, [sheet]), w=wording)


def compare_rows(sheets: list[dict]) -> list[dict]:
    """Term by term: [{term, cells: [[rows of licence 1], [rows of licence 2], ...], differs}],
    in the vocabulary's order (licences.registry.compare gives the same rows as text)."""
    out = []
    for k in term_keys(sheets):
        cells = [[r for r in s["terms"] if r["term"] == k] for s in sheets]
        # what a licence allows, not whom it names: each licence names its own parties
        signature = [sorted((r["status"] or "", str(r.get("limit")), str(r.get("users")), str(r.get("value")),
                             str(r.get("coverage"))) for r in c) for c in cells]
        out.append({"term": k, "cells": cells, "differs": any(sig != signature[0] for sig in signature)})
    return out


def _options_html(rows: list[dict]) -> str:
    from markupsafe import escape
    return "".join(f'<option value="{escape(r["iri"])}">{escape(pick(r["title"], r["iri"]))}</option>'
                   for r in rows)


def _options() -> str:
    """The licences as <option>s of the page's one <datalist>, built once per store state, view
    and language: thousands of licences in Jinja loops cost a second per page, building the
    list tens of milliseconds, and a copy in each of six <select>s megabytes per page."""
    from markupsafe import Markup
    return Markup(page_cache().get(f"licence-options-{lang()}", hidden_graphs(),
                                   lambda: _options_html(cached_licence_rows())))


@bp.route("/licences/compare")
def licence_compare():
    store = visible_store()
    chosen = [iri_arg("l", x) for x in request.args.getlist("l") if x.strip()][:MAX_COMPARE]
    sheets = [_sheet(store, iri) for iri in chosen] if len(chosen) >= 2 else []
    return render_template("compare.html", options=_options(), chosen=chosen, sheets=sheets,
                           rows=compare_rows(sheets), names=_names(store, sheets), w=wording,
                           max_compare=MAX_COMPARE)
