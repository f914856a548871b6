"""Decisions asked by identifier (DOI, ISSN, ISBN, KBART title_id, URL) instead of by IRI.

The identifier is looked up in the holdings index; each resource it names is decided on as
if asked by its IRI (DecisionService.answer, so redaction and every rule of the engine are
the same), and the holdings say whether the requested publication date / volume / issue is
covered. The answer (docs/decisions.md, "Asking by identifier"):

- `not-held` (reason `identifier-not-held`) when no resource has the identifier: distinct from a deny;
- otherwise `permit` when some resource permits and its coverage holds the content (the
  answer is that resource's, with `resource` naming it); `deny` with reason `not-covered`
  when a resource permits but no permitting one covers the date; else the first resource's
  deny. `results` has one decision per resource, `entitlement` the holdings answer.

A publication `date` also gives the request's `rg:publicationYear` when it names none, so
that post-cancellation (perpetual) access is decided on the content's year.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import orjson

from .decision_service import DecisionParamError, expand, parse_datetime
from .holdings import ANSWER_FIELDS, NOT_HELD, BatchEncoder
from .identifiers import PARAMS, Identifier, IdentifierError, from_params
from .bilingual import compose
from .translation import both

PUBLICATION_YEAR = "https://w3id.org/rightsgraph/ns#publicationYear"
HOLDINGS_PARAMS = ("date", "volume", "issue")


class BatchTooLarge(DecisionParamError):
    """More items in one batch than the service answers at once (a 413)."""


def _one(params: dict, name: str):
    value = params.get(name)
    if isinstance(value, list):
        if len(value) > 1:
            raise DecisionParamError(both("%(param)s: give one value, not %(n)s", param=name, n=len(value)))
        value = value[0] if value else None
    if value is not None and not isinstance(value, (str, int)):
        raise DecisionParamError(both("%(param)s: expected a string, got %(type)s",
                                      param=name, type=type(value).__name__))
    return None if value in (None, "") else str(value)


def holdings_request(params: dict) -> dict:
    """date, volume, issue and the time of the question (`at`) of a request."""
    at = _one(params, "at")
    return {"date": _one(params, "date"), "volume": _one(params, "volume"), "issue": _one(params, "issue"),
            "at": parse_datetime(at) if at else None}


def _with_year(params: dict, year: int) -> dict:
    """`params` with rg:publicationYear = year in its context, unless it gives one."""
    ctx = params.get("context")
    if isinstance(ctx, dict):
        if any(expand(k) == PUBLICATION_YEAR for k in ctx):
            return params
        return dict(params, context=dict(ctx, **{"rg:publicationYear": year}))
    pairs = [ctx] if isinstance(ctx, str) else list(ctx or [])
    if any(isinstance(p, str) and "=" in p and expand(p.split("=", 1)[0].strip()) == PUBLICATION_YEAR
           for p in pairs):
        return params
    return dict(params, context=pairs + [f"rg:publicationYear={year}"])


def answer_by_identifier(svc, ident: Identifier, params: dict, hidden: frozenset = frozenset()) -> dict:
    req = holdings_request(params)
    index = svc.index()
    holdings = svc.holdings()
    ent = holdings.entitlement(ident, req["date"], req["volume"], req["issue"], at=req["at"],
                               licences=holdings.licences(index, req["at"]))
    ent_json = ent.to_json(svc.confidential_terms(frozenset(hidden), index).policies)
    base = {k: v for k, v in params.items() if k not in PARAMS and k not in HOLDINGS_PARAMS}
    if req["date"]:
        base = _with_year(base, int(req["date"][:4]))
    if ent.status == NOT_HELD:
        return {"decision": "not-held", "reason": "identifier-not-held", "identifier": ident.to_json(),
                "resource": None, "rules": [], "policies": [], "duties": [], "unresolved": [],
                "results": [], "entitlement": ent_json,
                "explanation": {"en": ent_json["en"], "zh": ent_json["zh"], "because": [], "would_permit": []}}
    covered: dict[str, bool] = {}
    for a in ent.holdings:
        covered[a.holding.resource] = covered.get(a.holding.resource, False) or a.reason is None
    results = []
    for resource in covered:      # covered resources first (Entitlement orders them)
        r = svc.answer(dict(base, target=resource), hidden)
        results.append(dict(r, resource=resource, covered=covered[resource]))
    chosen = next((r for r in results if r["decision"] == "permit" and r["covered"]), None)
    if chosen is not None:
        out = dict(chosen)
    elif any(r["decision"] == "permit" for r in results):
        first = next(r for r in results if r["decision"] == "permit")
        out = dict(first, decision="deny", reason="not-covered",
                   explanation=dict(first.get("explanation") or {}, en=ent_json["en"], zh=ent_json["zh"]))
    else:
        out = dict(results[0])
    out.pop("covered", None)
    out.update(identifier=ident.to_json(), results=results, entitlement=ent_json)
    return out


def entitlement_answer(svc, params: dict, hidden: frozenset = frozenset()) -> dict:
    """The holdings answer to one question: {identifier, status, date, volume, issue,
    resource, packages, licences, coverage, reason, holdings, en, zh}. `params` names the
    identifier by its kind (`issn`: ...) or as `id` (`issn:1545-4282`, a bare DOI, URL...);
    `target` is refused here (a holdings question is about an identifier)."""
    ident = from_params(params)
    if ident is None:
        raise IdentifierError("identifier", "", "missing")
    req = holdings_request(params)
    index = svc.index()
    holdings = svc.holdings()
    ent = holdings.entitlement(ident, req["date"], req["volume"], req["issue"], at=req["at"],
                               licences=holdings.licences(index, req["at"]))
    return ent.to_json(svc.confidential_terms(frozenset(hidden), index).policies)


def entitlement_batch(svc, body, hidden: frozenset = frozenset(), limit: int = 100_000,
                      lang: str = "en") -> list:
    """{"identifiers": [...], "date"?, "volume"?, "issue"?, "at"?} -> one answer per item, in
    order. An item is a string (`issn:1545-4282`, a bare DOI ...) or an object with its own
    identifier and date; shared fields apply to every item that does not give its own. A
    malformed item gets {"error": "identifiers[i]...."} in its place. `fields` (a list of
    answer keys, e.g. ["status", "resource", "licences"]) keeps only those in each answer.
    Without `fields` each answer comes already encoded, as an orjson.Fragment (BatchEncoder:
    what answers share is encoded once); with them, as a dict.

    Each answer is the one entitlement_answer gives for the item alone; what does not depend
    on the item (the policy and holdings indexes, the confidential licences, the licences of
    a day, the shared date) is looked up once for the batch, not once per item."""
    items = body.get("identifiers") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise DecisionParamError(both('POST a JSON object {"identifiers": ["issn:1545-4282", '
                                      '{"doi": "10.1146/...", "date": "2010"}, ...]}'))
    if len(items) > limit:
        raise BatchTooLarge(both("at most %(limit)s identifiers in one batch", limit=limit))
    shared = {k: body[k] for k in ("date", "volume", "issue", "at") if k in body}
    fields = answer_fields(body.get("fields"))
    index = svc.index()
    holdings = svc.holdings()
    hidden_policies = svc.confidential_terms(frozenset(hidden), index).policies
    encoder = BatchEncoder(hidden_policies) if fields is None else None
    requests: dict = {}       # (date, volume, issue, at) as given -> holdings_request of them
    days: dict = {}           # at -> (licences of the day, the day)
    out = []
    for i, item in enumerate(items):
        try:
            if isinstance(item, str):
                params = dict(shared, id=item)
            elif isinstance(item, dict):
                params = dict(shared, **item)
            else:
                raise DecisionParamError(both("expected a string or an object"))
            ident = from_params(params)
            if ident is None:
                raise IdentifierError("identifier", "", "missing")
            req = _request_of(params, requests)
            at = req["at"]
            day = days.get(at)
            if day is None:     # the day of `at` (default today) and the licences binding on it
                day = days[at] = (holdings.licences(index, at),
                                  (at or datetime.now(timezone.utc)).astimezone(timezone.utc).date())
            ent = holdings.entitlement(ident, req["date"], req["volume"], req["issue"], at=day[1], licences=day[0])
            out.append(encoder.encode(ent) if encoder else ent.to_json(hidden_policies, fields))
        except IdentifierError as exc:
            out.append(_error(f"identifiers[{i}].{exc.text(lang)}", encoder))
        except DecisionParamError as exc:
            out.append(_error(f"identifiers[{i}]: {exc.text(lang)}", encoder))
    return out


def _error(message: str, encoder) -> dict | orjson.Fragment:
    """An item's error in its place: encoded like the other answers of a full batch."""
    if encoder is None:
        return {"error": message}
    try:
        return orjson.Fragment(orjson.dumps({"error": message}))
    except orjson.JSONEncodeError:     # a lone surrogate from the request, quoted in the message
        return orjson.Fragment(json.dumps({"error": message}, separators=(",", ":")).encode())


def answer_fields(value) -> frozenset | None:
    """The `fields` of a batch: None (every field) or a set of ANSWER_FIELDS; anything else
    is a DecisionParamError naming the field."""
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise DecisionParamError(compose(both("fields: expected a list of answer fields (%(fields)s)"),
                                         fields=_listed(ANSWER_FIELDS)))
    unknown = [v for v in value if v not in ANSWER_FIELDS]
    if unknown:
        raise DecisionParamError(compose(both("fields: unknown field %(field)s (one of %(fields)s)"),
                                         field=repr(unknown[0]), fields=_listed(ANSWER_FIELDS)))
    return frozenset(value)


def _listed(names) -> dict[str, str]:
    """Names listed in each language's way (", " / "、": typography, not words)."""
    return {"en": ", ".join(names), "zh": "、".join(names)}


def _request_of(params: dict, seen: dict) -> dict:
    """holdings_request(params), computed once per distinct (date, volume, issue, at) of a
    batch (most items share the batch's). A refused value is refused for each item."""
    key = (params.get("date"), params.get("volume"), params.get("issue"), params.get("at"))
    try:
        found = seen.get(key)
    except TypeError:           # a list or an object given as a value: holdings_request says what is wrong
        return holdings_request(params)
    if found is None:
        found = seen[key] = holdings_request(params)
    return found
