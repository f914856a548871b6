"""/resource?iri=: a resource's metadata, identifiers, the licences that apply, their
coverage years, and "what may we do?": the main uses, each answered by the decision
service (the same answer as `rightsgraph check` and /api/v1/decision) with its reason,
explanation and deciding clause.

Uses by people (read, print, download, course packs, TDM) are asked for the users'
party; uses by the library (interlibrary loan, archive) for the library's. Both default
to what the first applicable licence names, and can be changed on the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pyoxigraph import NamedNode

from ..decision_service import DecisionParamError
from ..licences.termsheet import licence_from_store
from ..namespaces import RG, sparql_prefixes
from ..reports.charts import metric_name
from . import wording
from .auth import hidden_graphs
from .i18n import lang
from .summary_cache import page_cache
from .visible import PageError, install_error_page, iri_arg, labels, visible_store

bp = Blueprint("resource_page", __name__)
install_error_page(bp)
TDM_MINE = "http://www.w3.org/ns/tdmrep#mine"
ODRL = "http://www.w3.org/ns/odrl/2/"

# (label, who asks: users | library, decision parameters besides target and assignee)
USES = [
    (_l("Read"), "users", {"action": "read"}),
    (_l("Print a copy"), "users", {"action": "print", "context": {"count": 1}}),
    (_l("Download a copy"), "users", {"action": "reproduce", "context": {"count": 1}}),
    (_l("Course pack (print)"), "users", {"action": "aggregate", "delivery-channel": RG.iri("Print")}),
    (_l("Text and data mining"), "users", {"action": TDM_MINE}),
    *[(_l("Interlibrary loan: %(channel)s", channel=label), "library",
       {"action": "distribute", "delivery-channel": iri}) for iri, label in wording.CHANNELS],
    (_l("Archive (preservation copy)"), "library", {"action": "archive"}),
]

IDENTIFIERS = {RG.iri("issn"): "ISSN", RG.iri("onlineIssn"): "eISSN", RG.iri("printIssn"): "pISSN",
               RG.iri("isbn"): "ISBN", RG.iri("doi"): "DOI", "http://purl.org/dc/terms/identifier": _l("Identifier")}

# The resource and what it is part of (package, collection), then the licences naming any of
# them as target, on the licence or on one of its rules. Steps, not one query: the path inside
# the join runs for every licence (hundreds of ms on the demo). Every pattern sits in a GRAPH
# (VisibleStore.graph_rows): a reader's default graph of one graph per licence costs seconds.
PART_OF = ODRL + "partOf"
_LICENCES = sparql_prefixes() + """
SELECT DISTINCT ?l ?g ?g2 WHERE {{
  {{ VALUES ?t {{ {targets} }} GRAPH ?g {{ ?l odrl:target ?t }} }}
  UNION {{ VALUES ?t {{ {targets} }} GRAPH ?g2 {{ ?rule odrl:target ?t }}
           GRAPH ?g {{ ?l odrl:permission|odrl:prohibition ?rule }} }}
}}"""
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def containers(store, iri: str) -> set[str]:
    """The resource and everything it is part of, transitively (odrl:partOf*)."""
    found, frontier = {iri}, [iri]
    while frontier:
        frontier = [o.value for _, _, o in store.matching(frontier, [PART_OF])
                    if isinstance(o, NamedNode) and o.value not in found]
        found.update(frontier)
    return found


def licences_for(store, targets: set[str]) -> list[str]:
    """The licences (rg:Licence) naming one of `targets`, on the licence or on one of its rules."""
    values = " ".join(f"<{t}>" for t in sorted(targets))
    named = {row["l"].value for row in store.graph_rows(_LICENCES.format(targets=values), ("g", "g2"))
             if isinstance(row["l"], NamedNode)}
    return sorted(s.value for s, _, o in store.matching(named, [RDF_TYPE]) if o == RG.Licence)


_PARTIES = sparql_prefixes() + """
SELECT DISTINCT ?p ?kind WHERE { ?p a ?kind . VALUES ?kind { rg:UserCategory rg:Library rg:Consortium } } ORDER BY ?p"""


def parties(store) -> dict[str, list[str]]:
    """The parties a page lets one pick: {"users": [user categories], "library": [libraries, consortia]}."""
    out = {"users": [], "library": []}
    for row in store.query(_PARTIES):
        out["users" if row["kind"].value.endswith("UserCategory") else "library"].append(row["p"].value)
    return out


def _named_parties(store) -> tuple[dict, dict]:
    choices = parties(store)
    return choices, labels(store, choices["users"] + choices["library"])


def _properties(store, iri: str) -> list[tuple[str, object]]:
    return [(p.value, o) for _, p, o in store.matching([iri], ordered=True)]


def uses_table(svc, target: str, users: str | None, library: str | None, hidden) -> list[dict]:
    """Each main use with its answer; `link` is the decision form's URL for the same question."""
    out = []
    for label, who, params in USES:
        assignee = users if who == "users" else library
        ask = {"target": target, **params}
        if assignee:
            ask["assignee"] = assignee
        try:
            result = svc.answer(ask, hidden)
        except DecisionParamError as exc:    # not expected for the fixed questions above; said, not hidden
            from .i18n import lang
            result = {"decision": "deny", "reason": None, "error": exc.text(lang())}
        form = {k: v for k, v in ask.items() if k != "context"}
        for lo, value in params.get("context", {}).items():
            form[lo] = value
        out.append({"label": label, "who": who, "result": result, "link": "/decide?" + urlencode(form)})
    return out


@bp.route("/resource")
def resource():
    from .api import service
    iri = iri_arg("iri")
    store = visible_store()
    props = _properties(store, iri)
    if not props:
        raise PageError(404, _("Nothing is known about %(iri)s here.", iri=iri))
    licences = licences_for(store, containers(store, iri))
    sheets = []
    for lic in licences:
        try:
            sheets.append(licence_from_store(store, lic))
        except KeyError:
            continue
    choices, party_names = page_cache().get("parties", hidden_graphs(), lambda: _named_parties(store))
    first = sheets[0] if sheets else {}
    users = (iri_arg("users") if request.args.get("users") else
             first.get("parties", {}).get("users") or next(iter(choices["users"]), None))
    library = (iri_arg("library") if request.args.get("library") else
               first.get("licensee") or next(iter(choices["library"]), None))
    table = uses_table(service(), iri, users, library, hidden_graphs())
    names = {**party_names, **labels(store, [iri] + [p for p, _ in props] + licences
                                     + [o.value for _, o in props if isinstance(o, NamedNode)])}
    identifiers = [(IDENTIFIERS[p], o.value) for p, o in props if p in IDENTIFIERS]
    coverage = [(s, t) for s in sheets for t in s["terms"] if t.get("coverage")]
    preserved, usage = _preservation_and_usage(iri)
    return render_template("resource.html", iri=iri, props=props, names=names, identifiers=identifiers,
                           sheets=sheets, coverage=coverage, table=table, choices=choices, users=users,
                           library=library, w=wording, preserved=preserved, usage=usage,
                           metric_name=lambda m: metric_name(m, lang()))


def _preservation_and_usage(iri: str) -> tuple[dict | None, list | None | str]:
    """The resource's preservation (copies by location and state) and its uses per year, for
    whoever may see the preservation and the usage reports (the API's rules); None where
    there is nothing, or the caller may not see it; usage "not-summed" while the store's
    sums are not current (a page neither sums nor writes: a reader process cannot)."""
    from ..preservation.report import resource_preservation
    from ..preservation.vocab import OBJECTS_GRAPH
    from ..usage.indicators import resource_usage, usage_stamp
    from .reports import guard_for
    store = current_app.extensions["rightsgraph.store"]
    preserved = usage = None
    if guard_for("preservation") is None and OBJECTS_GRAPH.value not in hidden_graphs():
        preserved = resource_preservation(store, iri)
    if guard_for("usage") is None:
        found = resource_usage(store, iri, page_cache().get("usage-stamp", frozenset(), lambda: usage_stamp(store)))
        usage = "not-summed" if found is None else (found or None)
    return preserved, usage
