"""Decisions for the doors that serve many requests (HTTP API, SPARQL function, web page):
one PolicyIndex per store state, rebuilt when the store changes, and one way of reading a
request's parameters, so that every door gives the same answer as `rightsgraph check`.
"""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from pyoxigraph import BlankNode, NamedNode

from . import write_generation
from .namespaces import PREFIXES, PROVENANCE_GRAPH, absolute_iri
from .policy import PolicyIndex, decide
from .policy.known_terms import NOT_HELD, NOT_HELD_REASON, KnownTerms, UnknownTerm, not_held_answer
from .policy.operators import IRI
from .store.base import SPARQL_OPAQUE
from .translation import both
from .bilingual import echoed, in_lang

ODRL = PREFIXES["odrl"]
DATETIME = ODRL + "dateTime"   # the time of the request: always a known left operand
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([^/].*)?$")
# Parameters with their own name in every door (CLI options, query parameters, JSON keys).
NAMED_OPERANDS = {"purpose": "purpose", "recipient": "recipient", "delivery-channel": "deliveryChannel",
                  "deliveryChannel": "deliveryChannel", "spatial": "spatial"}


class DecisionParamError(ValueError):
    """A decision request parameter is missing, malformed or unknown; the message names it
    (and the value). ``texts``: the message in each language ({"en": ..., "zh": ...}, from
    `both`); str() is the English one."""

    def __init__(self, texts: dict[str, str]):
        super().__init__(texts["en"])
        self.texts = texts

    def text(self, lang: str) -> str:
        return in_lang(self.texts, lang)


# Schemes of IRIs written without `//` (urn:isbn:..., mailto:...), which are not prefixed
# names: any other `word:name` with a word that is not a known prefix is a mistyped prefix.
URI_SCHEMES = frozenset({"urn", "mailto", "tag", "info", "did", "data", "tel", "geo", "ni", "doi"})


def _check_prefix(param: str, value: str) -> None:
    """`foo:bar` with `foo` neither a known prefix (namespaces.PREFIXES) nor a URI scheme
    written without `//`: an error naming the prefix, not an IRI nobody meant."""
    m = _PREFIXED.match(value)
    if m and m.group(1) not in PREFIXES and m.group(1).lower() not in URI_SCHEMES and "://" not in value:
        known = ", ".join(sorted(PREFIXES))
        raise DecisionParamError(both(
            "%(param)s: unknown prefix %(prefix)s in %(value)s (known prefixes: %(known)s; or give the full IRI)",
            param=param, prefix=repr(m.group(1)), value=repr(value), known=known))


def expand(name: str, default_ns: str = ODRL) -> str:
    """`read` -> odrl:read; `rg:Email` -> full IRI; full IRIs pass through."""
    if "://" in name or name.startswith("urn:"):
        return name
    m = _PREFIXED.match(name)
    if m and m.group(1) in PREFIXES:
        return PREFIXES[m.group(1)] + (m.group(2) or "")
    if ":" not in name:
        return default_ns + name
    return name


def parse_value(text):
    """A context value given as text: integer, decimal, date, date-time, IRI or string.
    JSON numbers and booleans pass through."""
    if not isinstance(text, str):
        return text
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?\d*\.\d+", t):
        try:
            return Decimal(t)
        except InvalidOperation:
            pass
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return date.fromisoformat(t)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}T.*", t):
        return parse_datetime(t, "context value")
    m = _PREFIXED.match(t)
    if m and m.group(1) in PREFIXES:
        return IRI(expand(t))
    if "://" in t or t.startswith("urn:"):
        return IRI(t)
    return t


def parse_datetime(text: str, param: str = "at") -> datetime:
    t = text.strip().replace("Z", "+00:00")
    try:
        d = datetime.fromisoformat(t)
    except ValueError:
        raise DecisionParamError(both("%(param)s: not an ISO 8601 date-time: %(value)s",
                                      param=param, value=repr(text))) from None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _iri_param(params: dict, name: str, required: bool, default_ns: str = "") -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        if len(value) > 1:
            raise DecisionParamError(both("%(param)s: give one value, not %(n)s", param=name, n=len(value)))
        value = value[0] if value else None
    if value in (None, ""):
        if required:
            raise DecisionParamError(both("missing parameter: %(param)s (an IRI)", param=name))
        return None
    if not isinstance(value, str):
        raise DecisionParamError(both("%(param)s: expected an IRI string, got %(type)s",
                                      param=name, type=type(value).__name__))
    _check_prefix(name, value.strip())
    iri = expand(value.strip(), default_ns)
    if not absolute_iri(iri):
        raise DecisionParamError(both("%(param)s: not an absolute IRI: %(value)s", param=name, value=echoed(value)))
    return iri


def read_params(params: dict) -> dict:
    """Normalise one request given as a dict (query parameters as lists of strings, or a
    JSON object) into keyword arguments for `policy.decide`."""
    target = _iri_param(params, "target", True)
    action = _iri_param(params, "action", True, ODRL)
    assignee = _iri_param(params, "assignee", False)
    at = params.get("at")
    if isinstance(at, list):
        at = at[0] if at else None
    context: dict = {}
    for key, lo in NAMED_OPERANDS.items():
        values = params.get(key)
        for v in values if isinstance(values, list) else ([values] if values is not None else []):
            context.setdefault(ODRL + lo, []).append(parse_value(v))
    raw_context = params.get("context") or {}
    if isinstance(raw_context, (str, list)):  # query-string form: context=LEFTOPERAND=VALUE
        pairs = raw_context if isinstance(raw_context, list) else [raw_context]
        raw_context = {}
        for item in pairs:
            if "=" not in item:
                raise DecisionParamError(both("context: expected LEFTOPERAND=VALUE, got %(value)s", value=repr(item)))
            lo, value = item.split("=", 1)
            raw_context.setdefault(lo.strip(), []).append(value)
    if not isinstance(raw_context, dict):
        raise DecisionParamError(both("context: expected an object of left operand -> value(s)"))
    for lo, values in raw_context.items():
        if not isinstance(lo, str) or not lo.strip():
            raise DecisionParamError(both("context: a left operand must be a name or an IRI, got %(value)s",
                                          value=repr(lo)))
        _check_prefix("context", lo.strip())
        key = expand(lo.strip())
        for v in values if isinstance(values, list) else [values]:
            context.setdefault(key, []).append(parse_value(v))
    report = params.get("report")
    if isinstance(report, list):
        report = report[0] if report else None
    return {
        "target": target, "action": action, "assignee": assignee, "context": context,
        "at": parse_datetime(at) if isinstance(at, str) and at else None,
        "report": str(report).lower() in ("1", "true", "yes") if report is not None else False,
    }


def check_terms(known: KnownTerms, kwargs: dict) -> bool:
    """Refuse a request that names an unknown action, party or left operand (an error
    naming the parameter and the value, with the closest known term); then say whether
    the store holds the target (False: the answer is "not held", not a decision).
    Set lookups only (policy/known_terms.py), so it costs next to nothing per request."""
    try:
        known.check_action(kwargs["action"], "action")
        if kwargs.get("assignee") is not None:
            known.check_party(kwargs["assignee"], "assignee")
        for lo in kwargs.get("context") or ():
            if lo != DATETIME:
                known.check_left_operand(lo, "context")
    except UnknownTerm as exc:
        raise DecisionParamError(exc.texts) from None
    return known.held(kwargs["target"])


def identifier_of(params: dict):
    """The DOI / ISSN / ISBN / title_id / URL a request asks by instead of `target`, or None
    (identifiers.IdentifierError, a ValueError naming the parameter, if malformed)."""
    from .identifiers import from_params
    return from_params(params)


class DecisionService:
    """Holds the compiled policies of a store and keeps them current.

    Writes made through this process bump `write_generation.generation()`; writes made elsewhere
    (another process on a remote store) are noticed within `ttl` seconds, by the latest
    provenance record.
    """

    def __init__(self, store, ttl: float = 5.0, *, save: bool = False, save_after: float = 60.0,
                 written: bool = True):
        self.store = store
        self.ttl = ttl
        # whether writes may reach this store in this process's life: a query worker's
        # snapshot never changes, so a copy loaded there needs nothing behind it to refresh it
        self.written = written
        # keep compiled indexes on disk for the next start (policy/index_cache.py): a service
        # does; a command that ends when it has answered does not wait seconds to write one
        self.save = save
        self.save_after = save_after              # seconds without writes before a refreshed index is saved
        self._quiet_save: threading.Timer | None = None
        self._lock = threading.Lock()
        self._index: PolicyIndex | None = None
        self._index_gen: int | None = None     # the write generation the index reflects (None: rebuild on change)
        self._built_for: tuple = ()
        self._checked = 0.0
        # started from the copy saved on disk (policy/index_cache.py): that copy and the write
        # generation it reflects; then, once the first decision's needs are met, behind it, what
        # lets writes refresh it (its saved refresh parts, or a compile), and its (index, generation)
        self._saved = None
        self._saved_for: tuple = ()              # the store state (generation, provenance) it was loaded for
        self._behind_due = False
        self._behind: threading.Thread | None = None
        self._behind_result: tuple | None = None
        self.saves: list[threading.Thread] = []  # copies being written (`_track`)

    def _fingerprint(self) -> tuple:
        rows = list(self.store.query(
            f"SELECT (MAX(?t) AS ?last) (COUNT(?a) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> "
            "{ ?a <http://www.w3.org/ns/prov#endedAtTime> ?t } }"))
        row = rows[0] if rows else None
        return (row["last"].value if row and row["last"] is not None else None,
                row["n"].value if row else None)

    @property
    def compiled(self) -> bool:
        """Whether the policies have been compiled once (later writes only bring them up to date)."""
        return self._index is not None

    def current(self) -> bool:
        """Whether `index()` would now answer from the compiled policies as they are, with no
        refresh, compile or check of the store to make first: a caller that must not wait
        (the server's I/O thread, serving/http_server.py) asks this first."""
        self.store.catch_up()
        # past the ttl, index() asks the store whether another process wrote (one small
        # query); a store whose every write this process sees answers that without waiting
        return self._as_is(check_ttl=not self.store.sees_every_write)

    def _as_is(self, *, check_ttl: bool) -> bool:
        """Whether the index compiled last answers for the store as it now is, with nothing to
        take over from the compile behind it (and, with `check_ttl`, checked within `ttl`)."""
        # _built_for is still () for a moment after the first compile sets _index (callers
        # read without the lock)
        return (self._index is not None and bool(self._built_for)
                and self._built_for[0] == write_generation.generation()
                and (not check_ttl or time.monotonic() - self._checked < self.ttl)
                and (self._behind is None or self._behind.is_alive()))

    def index(self, *, fresh: bool = False) -> PolicyIndex:
        """The compiled policies of the store as it is; `fresh`: checked against the latest
        provenance record now, not up to `ttl` seconds ago (a report cached per store state)."""
        self.store.catch_up()        # a reader's snapshot: the newest one, and its write counted
        if not fresh and self._as_is(check_ttl=True):
            return self._index
        with self._lock:
            fingerprint = (write_generation.generation(), self._fingerprint())
            self._checked = time.monotonic()
            if (self._behind is not None or self._behind_due) and (
                    fingerprint != self._built_for or (self._behind is not None and not self._behind.is_alive())):
                self._take_behind()
            if self._index is None or fingerprint != self._built_for:
                mark = self.store.write_mark()
                refreshed = self._brought_up_to_date(fingerprint[0])
                if refreshed is not None:
                    self._index = refreshed
                    self._save_when_quiet(refreshed, mark)
                else:
                    self._index = self._compiled(fingerprint)
                self._index_gen = fingerprint[0]
            self._built_for = fingerprint
        return self._index

    def _brought_up_to_date(self, gen: int) -> PolicyIndex | None:
        """The index refreshed from the graphs this process's writes changed since it was
        built (policy/index_refresh.py), or None: rebuild. A change of the provenance
        record with no write of ours (another process wrote) is always a rebuild."""
        if self._index is None or self._index_gen is None or gen == self._index_gen:
            return None
        graphs = write_generation.graphs_since(self._index_gen)
        if graphs is None:
            return None
        from .policy.index_refresh import refreshed
        return refreshed(self._index, self.store, graphs)

    def _compiled(self, fingerprint: tuple) -> PolicyIndex:
        """The policies compiled from the store; the first time in this process, the copy an
        earlier process saved for this very content, if there is one (policy/index_cache.py),
        with what lets writes refresh it to come behind it (`_compile_behind`)."""
        from .policy import index_cache
        if self._index is None:
            self._saved = index_cache.load(self.store)
            if self._saved is not None:
                self._saved_for = fingerprint
                self._behind_due = self.written  # started by known_terms(), or by the first write
                return self._saved.index
        mark = self.store.write_mark()
        index = PolicyIndex.from_store(self.store)
        if mark is not None and self.save:
            saving = threading.Thread(target=self._save, args=(index, mark), daemon=True, name="policy-index-save")
            self._track(saving)
            saving.start()
        return index

    def _compile_behind(self) -> None:
        """The saved copy's refresh parts, or else a full compile, as (index, store state)."""
        from .policy import index_cache
        saved = self._saved
        if saved is not None and index_cache.load_refresh_parts(self.store, saved):
            self._behind_result = (saved.index, self._saved_for)
            return
        state = (write_generation.generation(), self._fingerprint())
        try:
            self._behind_result = (PolicyIndex.from_store(self.store), state)
        except Exception:  # noqa: BLE001 - the next write compiles again, in the open
            logging.getLogger("rightsgraph.decisions").exception("compiling the policies behind the saved copy failed")

    def _start_behind(self) -> None:
        with self._lock:
            if self._behind_due:
                self._behind_due = False
                self._behind = threading.Thread(target=self._compile_behind, daemon=True, name="policy-compile")
                self._behind.start()

    def _take_behind(self) -> None:
        """Swap in the compile that ran behind the saved copy (waiting for it, or running it
        now, when a write needs it): from then on writes bring the index up to date instead of
        compiling it again."""
        if self._behind_due:
            self._behind_due = False
            self._compile_behind()
        else:
            self._behind.join()
        self._behind, result, self._behind_result = None, self._behind_result, None
        if result is not None:
            # the index and the store state it reflects: index() then brings it up to date
            # from there, or keeps it when nothing changed since
            self._index, self._built_for = result
            self._index_gen = self._built_for[0]
            self._saved = None
            gc.unfreeze()                 # collected as usual from now on (index_cache froze the copy)
        else:
            self._index_gen = None        # no index that can be brought up to date: compile

    def _save_when_quiet(self, index: PolicyIndex, mark) -> None:
        """Save a refreshed index once the store has had no write for `save_after` seconds, so
        that the next start finds the copy of the store as it is (one save per burst of writes:
        it costs seconds of this process's time at 10,000 licences)."""
        if mark is None or not self.save:
            return
        if self._quiet_save is not None:
            self._quiet_save.cancel()
        self._quiet_save = threading.Timer(self.save_after, self._save_if_current, (index, mark))
        self._quiet_save.daemon = True
        self._quiet_save.start()

    def _save_if_current(self, index: PolicyIndex, mark) -> None:
        if self._index is index:
            self._track(threading.current_thread())
            self._save(index, mark)

    def _track(self, saving: threading.Thread) -> None:
        """Keep the saves under way (tests wait for them), not every save a long run made."""
        self.saves = [t for t in self.saves if t.is_alive()] + [saving]

    def _save(self, index: PolicyIndex, mark) -> None:
        """Keep `index` on disk if the store is still as it was when its compile began."""
        from .policy import index_cache
        try:
            token = self.store.issue_content_token(mark)
            if token is not None:
                index_cache.save(index, self.store.cache_folder(), token)
        except Exception:  # noqa: BLE001 - the next start compiles; the service goes on
            logging.getLogger("rightsgraph.decisions").exception("saving the compiled policies failed")

    def known_terms(self, index: PolicyIndex | None = None) -> KnownTerms:
        """The actions, left operands and parties requests may name, built once per index."""
        index = index if index is not None else self.index()
        cached = getattr(self, "_known", None)
        if cached is None or cached[0] is not index:
            delta = index._refresh_delta
            if cached is not None and delta is not None and delta.base() is cached[0]:
                known = cached[1].refreshed(index, self.store)     # what the refresh touched, counted again
            else:
                saved = self._saved if self._saved is not None and self._saved.index is index else None
                known = KnownTerms.of(index, self.store, saved.known_terms if saved else None)
            cached = self._known = (index, known)
        if self._behind_due:
            self._start_behind()          # the first decision's needs are met: compile behind the copy
        return cached[1]

    def holdings(self):
        """The holdings index (identifier -> resources and coverage, holdings.py) of the
        same store, rebuilt on the same fingerprint as the policy index."""
        if getattr(self, "_holdings", None) is None:
            from .holdings import HoldingsService
            self._holdings = HoldingsService(self.store, self._fingerprint, self.ttl)
        return self._holdings.index()

    def confidential_terms(self, graphs: frozenset[str], index: PolicyIndex | None = None) -> "ConfidentialTerms":
        """What of the compiled policies (`index`, default the current one) is stated in
        `graphs`, cached per index build and set of graphs."""
        if not graphs:
            return NO_CONFIDENTIAL_TERMS  # cataloguers and admins: not cached, so no thrashing
        index = index if index is not None else self.index()
        cached = getattr(self, "_terms_cache", None)
        if cached is None or cached[0] is not index or cached[1] != graphs:
            cached = (index, graphs, confidential_terms(index, hidden_policies(self.store, set(graphs))))
            self._terms_cache = cached
        return cached[2]

    def answer(self, params: dict, hidden_graphs: frozenset[str] = frozenset()) -> dict:
        """The JSON answer of every HTTP door (API, batch, web page) for a caller who may
        not see `hidden_graphs`: the one place where answers are redacted. The FORCE report
        (`report=true`) is included unless it would name a confidential policy or rule.
        An unknown action, party or left operand is a DecisionParamError; a target the store
        does not hold is answered `"decision": "not-held"` (it names no policy: nothing to
        redact)."""
        ident = identifier_of(params)
        if ident is not None:   # asked by DOI / ISSN / ISBN / title_id / URL (identifier_decisions.py)
            from .identifier_decisions import answer_by_identifier
            return answer_by_identifier(self, ident, params, hidden_graphs)
        kwargs = read_params(params)
        index = self.index()  # one index for the decision and for what of it is confidential
        if not check_terms(self.known_terms(index), kwargs):
            return not_held_answer(kwargs["target"])
        terms = self.confidential_terms(frozenset(hidden_graphs), index)
        d = decide(index, **kwargs)
        result = d.to_json()
        if kwargs["report"] and not terms.involved_in(d):
            result["report"] = d.report_turtle()
        return terms.redact(result) if terms else result


def hidden_policies(store, hidden_graphs: set[str]) -> set[str]:
    """Policies stated in graphs the caller may not see (ids as the policy index writes
    them: IRIs, or `_:label` for blank nodes)."""
    if not hidden_graphs:
        return set()
    # matched per predicate and graph (an index look-up); the same as a SPARQL query, which
    # Oxigraph answered by reading the whole provenance graph: 1.2 s at 10,000 loads
    quads = store.quads_matching(predicate=[NamedNode(ODRL + r) for r in ("permission", "prohibition", "obligation")],
                                 graphs=[NamedNode(g) for g in sorted(hidden_graphs)])
    return {("_:" + q.subject.value) if isinstance(q.subject, BlankNode) else q.subject.value for q in quads}


CONFIDENTIAL = "(confidential)"


@dataclass(frozen=True)
class ConfidentialTerms:
    """The policies, rules (duties included) and constraints a caller may not see: those
    of the policies stated in confidential graphs, with everything they inherit."""

    policies: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    constraints: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.policies)

    def involved_in(self, decision) -> bool:
        """Whether the decision's evaluations (its FORCE report) touch a confidential term."""
        if not self:
            return False
        for e in decision.evaluations or ():
            if str(e.policy.id) in self.policies or str(e.rule.id) in self.rules:
                return True
        return any(str(o.duty.id) in self.rules for o in decision.obligations or ())

    def redact(self, result: dict) -> dict:
        """A decision's JSON with no confidential term left: the verdict and the reason code
        stay; a confidential policy, rule, duty or unresolved constraint becomes one
        `(confidential)` entry in its list. Fields not known here are left out, so that a
        field added to the answer later is withheld until someone decides it is safe."""
        out = {}
        for key, value in result.items():
            redactor = _REDACTORS.get(key)
            if redactor is not None:
                out[key] = redactor(self, value)
        return out

    def _duties(self, duties: list) -> list:
        out = []
        for d in duties:
            if str(d.get("duty")) in self.rules or str(d.get("policy")) in self.policies:
                out.append({"duty": CONFIDENTIAL})
            elif d.get("consequences"):
                out.append(dict(d, consequences=self._duties(d["consequences"])))
            else:
                out.append(d)
        return _once(out, {"duty": CONFIDENTIAL})

    def _unresolved(self, constraints: list) -> list:
        out = [{"constraint": CONFIDENTIAL} if str(u.get("constraint")) in self.constraints else u
               for u in constraints]
        return _once(out, {"constraint": CONFIDENTIAL})


NO_CONFIDENTIAL_TERMS = ConfidentialTerms()


def _once(items: list, placeholder) -> list:
    """`items` with the placeholder kept only where it first appears."""
    out, seen = [], False
    for x in items:
        if x == placeholder:
            if seen:
                continue
            seen = True
        out.append(x)
    return out


_REDACTORS = {
    "decision": lambda t, v: v,
    "reason": lambda t, v: v,
    "policies": lambda t, v: _once([CONFIDENTIAL if p in t.policies else p for p in v], CONFIDENTIAL),
    "rules": lambda t, v: _once([CONFIDENTIAL if r in t.rules else r for r in v], CONFIDENTIAL),
    "duties": ConfidentialTerms._duties,
    "unresolved": ConfidentialTerms._unresolved,
    # clause texts and titles of confidential licences are left out, also where a denial
    # cites one as what would have permitted (policy/explain.py)
    "explanation": lambda t, v: _explanation_redacted(v, t),
}


def _explanation_redacted(explanation, terms):
    from .policy.explain import redacted
    return redacted(explanation, set(terms.policies), set(terms.rules))


def confidential_terms(index: PolicyIndex, policy_ids: set[str]) -> ConfidentialTerms:
    """Every rule, duty and constraint reachable from the given policies (their own rules
    and the ones they inherit; a public policy inheriting from a confidential one then
    shows the inherited rules as confidential too)."""
    policies = {pid for pid in index.policies if str(pid) in policy_ids}
    rules: set[str] = set()
    constraints: set[str] = set()
    stack = [r for pid in policies for r in index.policies[pid].effective_rules
             + index.policies[pid].effective_obligations]
    while stack:
        rule = stack.pop()
        if str(rule.id) in rules:
            continue
        rules.add(str(rule.id))
        stack.extend(rule.duties + rule.consequences + rule.remedies)
        pending = list(rule.constraints) + list(rule.target_refinements) + list(rule.assignee_refinements)
        pending += [c for a in rule.actions for c in a.refinements]
        while pending:
            c = pending.pop()
            constraints.add(str(c.id))
            pending.extend(c.children)
    return ConfidentialTerms(frozenset(str(p) for p in policies), frozenset(rules), frozenset(constraints))


# -- the SPARQL door ----------------------------------------------------------------------
PERMITTED_FN = PREFIXES["rg"] + "permitted"
DECISION_FN = PREFIXES["rg"] + "decision"


def sparql_functions(svc: DecisionService) -> dict:
    """Custom SPARQL functions (embedded store only):

    rg:permitted(?target, ?action, ?assignee [, ?leftOperand, ?value]...) -> xsd:boolean
    rg:decision(?target, ?action, ?assignee [, ?leftOperand, ?value]...) -> "permit|reason"
    An `odrl:dateTime` pair sets the time of the request (default: now).
    They answer the verdict and the reason code only, which every caller may see (the two
    fields ConfidentialTerms.redact keeps as they are), so they need no redaction.
    The target may be a literal identifier instead of an IRI ("issn:1545-4282", a DOI, an
    ISBN, "title_id:…"): it is looked up in the holdings, as the other doors do.
    An unknown action, party or left operand is an expression error (the variable stays
    unbound, a FILTER on it is false), never a deny; a target the store does not hold
    gives rg:decision "not-held|target-not-held" and leaves rg:permitted unbound.
    """
    import pyoxigraph as ox

    def _call(args):
        if len(args) < 2 or len(args) % 2 == 0 and len(args) < 3:
            return None
        target, action = args[0], args[1]
        assignee = args[2] if len(args) > 2 else None
        if not isinstance(target, (ox.NamedNode, ox.Literal)) or not isinstance(action, ox.NamedNode):
            return None
        context, at = {}, None
        rest = args[3:]
        for lo, value in zip(rest[0::2], rest[1::2]):
            if not isinstance(lo, ox.NamedNode):
                return None
            if lo.value == ODRL + "dateTime":
                at = value
            else:
                context.setdefault(lo.value, []).append(value)
        if isinstance(target, ox.Literal):     # an identifier: "issn:1545-4282", a DOI, an ISBN ...
            return _by_identifier(target.value, action, assignee, context, at)
        index = svc.index()
        kwargs = {"target": target.value, "action": action.value, "context": context,
                  "assignee": assignee.value if isinstance(assignee, ox.NamedNode) else None}
        try:
            if not check_terms(svc.known_terms(index), kwargs):
                return NOT_HELD
        except DecisionParamError:
            return None
        return decide(index, kwargs["target"], kwargs["action"], kwargs["assignee"], context, at)

    def _by_identifier(ident, action, assignee, context, at):
        params = {"id": ident, "action": action.value,
                  "context": {lo: [v.value for v in vs] for lo, vs in context.items()}}
        if isinstance(assignee, ox.NamedNode):
            params["assignee"] = assignee.value
        if at is not None:
            params["at"] = at.value
        try:
            a = svc.answer(params)    # identifier_decisions: holdings, then each resource held
        except (DecisionParamError, ValueError):
            return None
        if a["decision"] == NOT_HELD:
            return NOT_HELD
        return SimpleNamespace(decision=a["decision"], reason=a["reason"])

    def permitted(*args):
        d = _call(args)
        if d is None or d is NOT_HELD:
            return None
        return ox.Literal("true" if d.decision == "permit" else "false",
                          datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))

    def decision(*args):
        d = _call(args)
        if d is NOT_HELD:
            return ox.Literal(f"{NOT_HELD}|{NOT_HELD_REASON}")
        return None if d is None else ox.Literal(f"{d.decision}|{d.reason}")

    return {ox.NamedNode(PERMITTED_FN): permitted, ox.NamedNode(DECISION_FN): decision}


# Strings and comments blanked out (IRIs kept: the functions may be called by full IRI), so
# that the word in a literal or a `# decision` comment does not take a query out of the
# killable query pool (web/sparql.py): only a query that can call the functions needs them.
_STRINGS_AND_COMMENTS = re.compile(SPARQL_OPAQUE, re.S)
_CALL = re.compile(r"(?:permitted|decision)>?\s*\(")


def mentions_decision_functions(query: str) -> bool:
    """Whether the query may call rg:permitted / rg:decision (a name followed by `(`)."""
    if "permitted" not in query and "decision" not in query:
        return False
    kept = _STRINGS_AND_COMMENTS.sub(lambda m: m.group(0) if m.group(0).startswith("<") else " ", query)
    return bool(_CALL.search(kept))
