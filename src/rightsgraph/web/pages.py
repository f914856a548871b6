"""The home page (what the store holds, for the caller's role), the decision form and the
reports index."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from pyoxigraph import NamedNode

from ..decision_service import CONFIDENTIAL, DecisionParamError
from ..identifiers import IdentifierError
from ..namespaces import sparql_prefixes
from .auth import hidden_graphs
from .i18n import lang
from .summary_cache import page_cache
from .wording import CHANNELS, CONFIDENTIAL_LABEL, LOCATIONS, PURPOSES, REASONS, VERDICTS, term_label
from .visible import labels, visible_store

bp = Blueprint("pages", __name__)

ACTIONS = [("read", _l("read")), ("print", _l("print")), ("reproduce", _l("reproduce (download, copy)")),
           ("distribute", _l("distribute (interlibrary loan)")), ("aggregate", _l("aggregate (course pack)")),
           ("archive", _l("archive")), ("http://www.w3.org/ns/tdmrep#mine", _l("text and data mining")),
           ("modify", _l("modify")), ("commercialize", _l("commercial use"))]
# The form's context fields and the left operands they become (decision_service.read_params).
CONTEXT_FIELDS = {"location": "virtualLocation", "count": "count", "publication-year": "rg:publicationYear"}
FORM_FIELDS = ("target", "id", "action", "assignee", "at", "purpose", "delivery-channel", "recipient", *CONTEXT_FIELDS)

MAX_LISTED = 2000   # resources offered in the form's list; any other can be pasted (or found by /search)
# Each typing in GRAPH ?g, the rows of graphs the caller may not see left out (visible.graph_rows):
# not a default graph naming every visible graph, which Oxigraph looks up graph by graph.
# No ORDER BY over the resources (10 s at 1M triples): the first MAX_LISTED seen, sorted.
_RESOURCES = sparql_prefixes() + "SELECT ?r ?g WHERE { GRAPH ?g { ?r a rg:Resource } }"
_PARTIES = sparql_prefixes() + """SELECT DISTINCT ?p ?g WHERE { GRAPH ?g { ?p a ?k .
  VALUES ?k { rg:Party rg:Library rg:Consortium rg:UserCategory rg:Publisher rg:Vendor rg:RightsHolder } } }"""


TOP_RISKS = 5       # open risks listed on the home page (the count covers all)
TOP_EXPIRING = 25   # expiring licences listed on the home page, soonest first (the risk report has all)


@bp.route("/")
def home():
    """What the store holds, and for callers who may see the risk report (web/reports.py's
    rule: cataloguers when the store holds confidential graphs) the licences expiring within
    RG_EXPIRING_DAYS (90) or ?days= days and the open risks."""
    from .report_pages import reason_licences, risk_reason
    # The risk report of a new store state is started first and computed while the summary
    # is counted; then the page waits what is left of RG_HOME_RISKS_WAIT for it (of
    # RG_HOME_RISKS_FIRST_WAIT for the first report since the service started).
    started = time.monotonic()
    risks = _home_risks(0.0, 0.0)
    summary = page_cache().summary(hidden_graphs())
    if risks and (risks["stale"] or risks["pending"]):
        spent = time.monotonic() - started
        risks = _home_risks(max(0.0, float(current_app.config["RG_HOME_RISKS_WAIT"]) - spent),
                            max(0.0, float(current_app.config["RG_HOME_RISKS_FIRST_WAIT"]) - spent))
    named = [e["licence"] for e in risks["expiring"][:TOP_EXPIRING]] + [r["what"] for r in risks["open"][:TOP_RISKS]] + [
        x for r in risks["open"][:TOP_RISKS] for x in reason_licences(r["detail"])] if risks else []
    named = [x for x in named if _is_iri(x)]   # not "(none)", the collection of resources in no package
    names = labels(visible_store(), named) if named else {}
    return render_template("home.html", summary=summary, risks=risks, labels=names,
                           top=TOP_RISKS, top_expiring=TOP_EXPIRING, term_label=term_label,
                           public_sparql=current_app.config.get("RG_ANONYMOUS_READ", True),
                           reason=lambda r: risk_reason(r, names))


def _is_iri(text: str) -> bool:
    try:
        NamedNode(text)
    except ValueError:
        return False
    return True


def _home_risks(wait: float, first_wait: float) -> dict | None:
    """The risk report's expiring licences and open risks, or None when the caller may not see
    it; `pending` while the first report since the service started is being made."""
    from flask import g

    from ..accounts import role_at_least
    from .auth import catalog
    from .risk_reports import home_risks
    if catalog().confidential() and not role_at_least(g.get("role"), "cataloguer"):
        return None
    days = request.args.get("days", "")
    days = int(days) if days.isdigit() else int(current_app.config["RG_EXPIRING_DAYS"])
    rep, fresh = home_risks(days, wait, first_wait)
    if rep is None:            # the first report since the service started is still being made
        return {"days": days, "expiring": [], "open": [], "stale": False, "pending": True}
    return {"days": days, "expiring": rep["expiring"], "open": rep["open"], "stale": not fresh, "pending": False}


def decision_params(form: dict, extra_context: list[str] = ()) -> dict:
    """The decision service's parameters for the form's fields (empty ones left out), and any
    further `context=LEFTOPERAND=VALUE` the URL carries (as /api/v1/decision takes them)."""
    params = {k: v for k, v in form.items() if k in FORM_FIELDS and k not in CONTEXT_FIELDS and v}
    context = [f"{CONTEXT_FIELDS[k]}={form[k]}" for k in CONTEXT_FIELDS if form.get(k)] + list(extra_context)
    if context:
        params["context"] = context
    return params


@bp.route("/decide")
def decide_page():
    """The decision form: the same parameters and answer as GET /api/v1/decision, with the
    resource, party and action picked from what the store holds."""
    from .api import service
    form = {k: request.args.get(k, "").strip() for k in FORM_FIELDS if request.args.get(k, "").strip()}
    extra = [c for c in request.args.getlist("context") if c.strip()]
    result, error = None, None
    params = decision_params(form, extra)
    if form.get("target") or form.get("id"):     # by IRI, or by identifier through the holdings
        try:
            result = service().answer(params, hidden_graphs())
        except (DecisionParamError, IdentifierError) as exc:
            error = exc.text(lang())
    resources, parties, names = page_cache().get("decide-lists", hidden_graphs(), _lists)
    return render_template("decide.html", form=form, result=result, error=error, extra=extra, reasons=REASONS,
                           verdicts=VERDICTS, channels=CHANNELS, purposes=PURPOSES, locations=LOCATIONS,
                           actions=ACTIONS, action_values=[a for a, _ in ACTIONS], resources=resources,
                           parties=parties, names=names,
                           query=urlencode([*form.items(), *(("context", c) for c in extra)]),
                           api_query=urlencode(params, doseq=True), confidential=CONFIDENTIAL,
                           confidential_label=CONFIDENTIAL_LABEL)


def _lists() -> tuple[list, list, dict]:
    """The resources and parties the form offers, with their names."""
    store = visible_store()
    resources: dict[str, None] = {}
    for row in store.graph_rows(_RESOURCES):
        resources[row["r"].value] = None
        if len(resources) == MAX_LISTED:
            break
    parties = sorted({row["p"].value for row in store.graph_rows(_PARTIES)})
    resources = sorted(resources)
    return resources, parties, labels(store, resources + parties)


REPORTS = [("/reports/assets", _l("Asset classes"), _l("page, CSV")),
           ("/reports/risks", _l("Licence risks: expiring licences, key uses not covered"), _l("page, CSV")),
           ("/reports/usage", _l("Usage (COUNTER)"), _l("page, CSV, chart")),
           ("/reports/cost-per-use", _l("Cost per use (cataloguers)"), _l("page, CSV, chart")),
           ("/reports/demand", _l("Demand: turnaways"), _l("page, CSV, chart")),
           ("/reports/preservation", _l("Preservation: copies, fixity, rights"), _l("page, CSV, chart"))]


@bp.route("/reports")
def reports_page():
    return render_template("reports.html", reports=REPORTS)


@bp.route("/healthz")
def health():
    return {"status": "ok"}
