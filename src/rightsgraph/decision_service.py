"""Decisions for the doors that serve many requests (HTTP API, SPARQL function, web page):
one PolicyIndex per store state, rebuilt when the store changes, and one way of reading a
request's parameters, so that every door gives the same answer as `rightsgraph check`.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation

from . import changes
from .namespaces import PREFIXES, PROVENANCE_GRAPH
from .policy import PolicyIndex, decide
from .policy.operators import IRI

ODRL = PREFIXES["odrl"]
_PREFIXED = re.compile(r"^([A-Za-z][\w-]*):([^/].*)?$")
# Parameters with their own name in every door (CLI options, query parameters, JSON keys).
NAMED_OPERANDS = {"purpose": "purpose", "recipient": "recipient", "delivery-channel": "deliveryChannel",
                  "deliveryChannel": "deliveryChannel", "spatial": "spatial"}


class DecisionParamError(ValueError):
    """A decision request parameter is missing or malformed; the message names it."""


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
        raise DecisionParamError(f"{param}: not an ISO 8601 date-time: {text!r}") from None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _iri_param(params: dict, name: str, required: bool, default_ns: str = "") -> str | None:
    value = params.get(name)
    if isinstance(value, list):
        if len(value) > 1:
            raise DecisionParamError(f"{name}: give one value, not {len(value)}")
        value = value[0] if value else None
    if value in (None, ""):
        if required:
            raise DecisionParamError(f"missing parameter: {name} (an IRI)")
        return None
    if not isinstance(value, str):
        raise DecisionParamError(f"{name}: expected an IRI string, got {type(value).__name__}")
    iri = expand(value.strip(), default_ns)
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", iri) or any(c in iri for c in '<>" {}|\\^`'):
        raise DecisionParamError(f"{name}: not an absolute IRI: {value!r}")
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
                raise DecisionParamError(f"context: expected LEFTOPERAND=VALUE, got {item!r}")
            lo, value = item.split("=", 1)
            raw_context.setdefault(lo.strip(), []).append(value)
    if not isinstance(raw_context, dict):
        raise DecisionParamError("context: expected an object of left operand -> value(s)")
    for lo, values in raw_context.items():
        for v in values if isinstance(values, list) else [values]:
            context.setdefault(expand(lo), []).append(parse_value(v))
    report = params.get("report")
    if isinstance(report, list):
        report = report[0] if report else None
    return {
        "target": target, "action": action, "assignee": assignee, "context": context,
        "at": parse_datetime(at) if isinstance(at, str) and at else None,
        "report": str(report).lower() in ("1", "true", "yes") if report is not None else False,
    }


class DecisionService:
    """Holds the compiled policies of a store and keeps them current.

    Writes made through this process bump `changes.generation()`; writes made elsewhere
    (another process on a remote store) are noticed within `ttl` seconds, by the latest
    provenance record.
    """

    def __init__(self, store, ttl: float = 5.0):
        self.store = store
        self.ttl = ttl
        self._lock = threading.Lock()
        self._index: PolicyIndex | None = None
        self._built_for: tuple = ()
        self._checked = 0.0

    def _fingerprint(self) -> tuple:
        rows = list(self.store.query(
            f"SELECT (MAX(?t) AS ?last) (COUNT(?a) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> "
            "{ ?a <http://www.w3.org/ns/prov#endedAtTime> ?t } }"))
        row = rows[0] if rows else None
        return (row["last"].value if row and row["last"] is not None else None,
                row["n"].value if row else None)

    def index(self) -> PolicyIndex:
        now = time.monotonic()
        gen = changes.generation()
        if self._index is not None and self._built_for[0] == gen and now - self._checked < self.ttl:
            return self._index
        with self._lock:
            fingerprint = (changes.generation(), self._fingerprint())
            self._checked = time.monotonic()
            if self._index is None or fingerprint != self._built_for:
                self._index = PolicyIndex.from_store(self.store)
                self._built_for = fingerprint
            else:
                self._built_for = fingerprint
        return self._index

    def hidden_policies(self, graphs: frozenset[str]) -> frozenset[str]:
        """Policies stated in `graphs`, cached per index build and set of graphs."""
        self.index()
        key = (self._built_for, graphs)
        cached = getattr(self, "_hidden_cache", None)
        if cached is None or cached[0] != key:
            cached = (key, frozenset(hidden_policies(self.store, set(graphs))))
            self._hidden_cache = cached
        return cached[1]



def hidden_policies(store, hidden_graphs: set[str]) -> set[str]:
    """Policies stated in graphs the caller may not see."""
    if not hidden_graphs:
        return set()
    values = " ".join(f"<{g}>" for g in hidden_graphs)
    rows = store.query("SELECT DISTINCT ?p WHERE { VALUES ?g { " + values + " } GRAPH ?g { ?p ?rel ?r } "
                       f"VALUES ?rel {{ <{ODRL}permission> <{ODRL}prohibition> <{ODRL}obligation> }} }}")
    return {r["p"].value for r in rows}


def redact(result: dict, hidden: set[str], index: PolicyIndex) -> dict:
    """A decision's JSON for a caller who may not see some policies (confidential graphs):
    the answer and the duties' actions stay; the confidential policies and their rules are
    not named."""
    if result.get("explanation") and hidden:
        # clause texts and titles of confidential licences stay hidden, also where a denial
        # cites one as what would have permitted
        from .policy.explain import redacted
        explanation = redacted(result["explanation"], hidden)
        if explanation is not result["explanation"]:
            result = dict(result, explanation=explanation)
    named = set(result.get("policies", [])) & hidden
    if not named:
        return result
    rule_ids = set()
    for pid in named:
        policy = index.policies.get(IRI(pid))
        for rule in (policy.effective_rules + policy.effective_obligations) if policy else []:
            stack = [rule]
            while stack:
                x = stack.pop()
                rule_ids.add(str(x.id))
                stack.extend(x.duties + x.consequences + x.remedies)
    out = dict(result)
    out["policies"] = ["(confidential)" if p in named else p for p in result.get("policies", [])]
    out["rules"] = ["(confidential)" if r in rule_ids else r for r in result.get("rules", [])]
    out["duties"] = [dict(d, duty="(confidential)") if str(d.get("duty")) in rule_ids else d
                     for d in result.get("duties", [])]
    return out


# -- the SPARQL door ----------------------------------------------------------------------
PERMITTED_FN = PREFIXES["rg"] + "permitted"
DECISION_FN = PREFIXES["rg"] + "decision"


def sparql_functions(svc: DecisionService) -> dict:
    """Custom SPARQL functions (embedded store only):

    rg:permitted(?target, ?action, ?assignee [, ?leftOperand, ?value]...) -> xsd:boolean
    rg:decision(?target, ?action, ?assignee [, ?leftOperand, ?value]...) -> "permit|reason"
    An `odrl:dateTime` pair sets the time of the request (default: now).
    """
    import pyoxigraph as ox

    def _call(args):
        if len(args) < 2 or len(args) % 2 == 0 and len(args) < 3:
            return None
        target, action = args[0], args[1]
        assignee = args[2] if len(args) > 2 else None
        if not isinstance(target, ox.NamedNode) or not isinstance(action, ox.NamedNode):
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
        return decide(svc.index(), target.value, action.value,
                      assignee.value if isinstance(assignee, ox.NamedNode) else None, context, at)

    def permitted(*args):
        d = _call(args)
        return None if d is None else ox.Literal("true" if d.decision == "permit" else "false",
                                                 datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean"))

    def decision(*args):
        d = _call(args)
        return None if d is None else ox.Literal(f"{d.decision}|{d.reason}")

    return {ox.NamedNode(PERMITTED_FN): permitted, ox.NamedNode(DECISION_FN): decision}


def mentions_decision_functions(query: str) -> bool:
    return "permitted" in query or "decision" in query
