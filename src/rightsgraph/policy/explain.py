"""Explanations a librarian can read: which licence, clause and verbatim text decided, in
Chinese and English, and for a denial what would have permitted.

    d = decide(index, ...)
    d.explanation()   # {"en": "...", "zh": "...", "because": [...], "would_permit": [...]}

``because`` lists the deciding rules with their source: a licence (its title, the clause
number and verbatim text the term sheet records, and for a rule a definition or survival
clause derived, that clause too), a shipped open licence or rights statement (its title and
the rule's comment), a PREMIS rights statement (its note and restriction) or a plain ODRL
policy. ``would_permit`` lists, for a denial, the permissions that match the asset, the
party and the action but did not hold, with the conditions they need (re-evaluated with a
recording evaluator, so each condition is the one that failed or could not be checked).
Texts come from the index on demand (``PolicyIndex.annotations``): nothing here reads a
store directly, and the work is done only when a door asks (``Decision.to_json``).
"""

from __future__ import annotations

from functools import lru_cache

from ..translation import both, gettext, pgettext
from .evaluate import DENY, PERMIT, Evaluator
from .model import ODRL
from .open_licences import POLICY_BASE
from .operators import IRI, lexical

RG = "https://w3id.org/rightsgraph/ns#"
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PREMIS = "http://www.loc.gov/premis/rdf/v3/"
TITLE_PREDICATES = (DCT + "title", SKOS + "prefLabel", RDFS + "label")
MAX_ALTERNATIVES = 3

# The words of an explanation are msgids of the gettext catalogues (translation.py); the
# typography of each language (list separators, full stops, 《》 around a title) is here.
_SEPARATOR = {"en": ", ", "zh": "、"}
_CLAUSES = {"en": "; ", "zh": "；"}


@lru_cache(maxsize=None)
def _left_names(lang: str) -> dict:
    """Left operands as a condition names them."""
    return {
        ODRL + "deliveryChannel": pgettext("left operand", "delivery channel", lang),
        ODRL + "purpose": pgettext("left operand", "purpose", lang),
        ODRL + "virtualLocation": pgettext("left operand", "location", lang),
        ODRL + "spatial": pgettext("left operand", "place", lang),
        ODRL + "count": pgettext("left operand", "number of uses", lang),
        ODRL + "dateTime": pgettext("left operand", "date", lang),
        ODRL + "recipient": pgettext("left operand", "recipient", lang),
        ODRL + "elapsedTime": pgettext("left operand", "time taken", lang),
        ODRL + "industry": pgettext("left operand", "industry", lang),
        ODRL + "language": pgettext("left operand", "language", lang),
        RG + "publicationYear": pgettext("left operand", "publication year", lang),
        RG + "concurrentUsers": pgettext("left operand", "concurrent users", lang),
    }


@lru_cache(maxsize=None)
def _operator_names(lang: str) -> dict:
    return {
        ODRL + "eq": pgettext("operator", "is", lang), ODRL + "neq": pgettext("operator", "is not", lang),
        ODRL + "lt": pgettext("operator", "is below", lang), ODRL + "lteq": pgettext("operator", "is at most", lang),
        ODRL + "gt": pgettext("operator", "is above", lang), ODRL + "gteq": pgettext("operator", "is at least", lang),
        ODRL + "isPartOf": pgettext("operator isPartOf", "is", lang), ODRL + "isA": pgettext("operator", "is a", lang),
        ODRL + "isAnyOf": pgettext("operator", "is one of", lang),
        ODRL + "isNoneOf": pgettext("operator", "is none of", lang),
        ODRL + "isAllOf": pgettext("operator", "includes all of", lang),
        ODRL + "hasPart": pgettext("operator", "includes", lang),
    }


def _reason_sentence(reason: str, lang: str) -> str | None:
    """The whole sentence of a reason that needs no citation."""
    if reason == "no-applicable-permission":
        return gettext("Not permitted: no licence, open licence or rights statement permits this use for this "
                       "party (silence is never permission).", lang)
    return None


# ----------------------------------------------------------------------------- labels

def _literals(index, node, predicates) -> dict:
    ann = index.annotations(node) if index is not None else {}
    out = {}
    for p in predicates:
        for t in ann.get(p, ()):
            lang = (getattr(t, "language", None) or "").lower()[:2]
            if lang in ("zh", "en") and lang not in out:
                out[lang] = t.value
            elif not lang and "" not in out:
                out[""] = t.value
    return out


@lru_cache(maxsize=1)
def _shipped_labels() -> dict:
    """skos:prefLabel / rdfs:label of the shipped ontology (channels, purposes, locations,
    term types) for explanations of policies read from files."""
    import pyoxigraph as ox
    from ..package_data import ontology_files
    out: dict = {}
    for path in ontology_files():
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value in (SKOS + "prefLabel", RDFS + "label") and isinstance(t.object, ox.Literal):
                lang = (t.object.language or "").lower()[:2]
                if lang in ("zh", "en"):
                    out.setdefault(t.subject.value, {}).setdefault(lang, t.object.value)
    return out


def _local(iri: str) -> str:
    return str(iri).rstrip("/").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@lru_cache(maxsize=None)
def _action_names(lang: str) -> dict:
    """Actions a duty or explanation names, for a language the ODRL vocabulary has no label in
    (it labels them in English only)."""
    return {ODRL + "attribute": pgettext("action", "attribute", lang),
            ODRL + "compensate": pgettext("action", "compensate", lang),
            ODRL + "delete": pgettext("action", "delete", lang), ODRL + "inform": pgettext("action", "inform", lang),
            ODRL + "obtainConsent": pgettext("action", "obtain consent", lang),
            ODRL + "read": pgettext("action", "read", lang), ODRL + "print": pgettext("action", "print", lang),
            ODRL + "reproduce": pgettext("action", "reproduce", lang),
            ODRL + "distribute": pgettext("action", "distribute", lang),
            ODRL + "archive": pgettext("action", "archive", lang), ODRL + "modify": pgettext("action", "modify", lang),
            "http://creativecommons.org/ns#Notice": pgettext("action", "keep the licence notice", lang),
            "http://creativecommons.org/ns#ShareAlike": pgettext("action", "share alike", lang)}


def label(index, value, lang: str) -> str:
    """A readable name for a value: its label in the store or the shipped ontology, else
    the IRI's local name; literals as written."""
    if not isinstance(value, IRI):
        return lexical(value)
    own = _literals(index, value, TITLE_PREDICATES)
    shipped = _shipped_labels().get(str(value), {})
    if lang != "en" and not (own.get(lang) or shipped.get(lang)) and str(value) in _action_names(lang):
        return _action_names(lang)[str(value)]
    text = own.get(lang) or shipped.get(lang) or own.get("en") or shipped.get("en") or own.get("") or _local(value)
    if lang == "en" and len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]    # mid-sentence: "secure electronic transmission"
    return text


# ----------------------------------------------------------------------------- sources

def source(index, policy, rule) -> dict:
    """Where a rule comes from, as the explanation cites it (cached per index)."""
    cache = index.__dict__.setdefault("_sources", {}) if index is not None else {}
    key = (str(policy.id), str(rule.id))
    found = cache.get(key)
    if found is not None:
        return found
    titles = _literals(index, policy.id, TITLE_PREDICATES)
    kind = _kind_of_source(index, policy)
    unnamed = (both("rights statement %(name)s", name=_local(policy.id))
               if kind == "rights-statement" else {"en": _local(policy.id), "zh": _local(policy.id)})
    out = {"rule": str(rule.id), "policy": str(policy.id), "kind": rule.kind,
           "title": {"en": titles.get("en") or titles.get("") or titles.get("zh") or unnamed["en"],
                     "zh": titles.get("zh") or titles.get("en") or titles.get("") or unnamed["zh"]},
           "source": kind, "clause": None, "text": None, "also": []}
    terms = getattr(index, "rule_terms", {}).get(rule.id, []) if index is not None else []
    for n, term in enumerate(terms):
        number = _literals(index, term, (RG + "clauseNumber",))
        text = _literals(index, term, (RG + "clauseText",))
        entry = {"clause": number.get("") or number.get("en"), "text": text.get("") or text.get("en") or text.get("zh")}
        if n == 0:
            out.update(entry)
        elif entry["clause"] or entry["text"]:
            out["also"].append(entry)
    comment = _literals(index, rule.id, (RDFS + "comment",))
    if comment:
        out["comment"] = {"en": comment.get("en") or comment.get(""), "zh": comment.get("zh") or comment.get("en")}
    restriction = _literals(index, rule.id, (PREMIS + "restriction",))
    if restriction:
        out["restriction"] = {"en": restriction.get("en") or restriction.get(""),
                              "zh": restriction.get("zh") or restriction.get("en") or restriction.get("")}
    note = _literals(index, policy.id, (RG + "rightsNote",))
    if note and out["source"] == "rights-statement":
        out["note"] = {"en": note.get("en") or note.get(""), "zh": note.get("zh") or note.get("en")}
    cache[key] = out
    return out


def _kind_of_source(index, policy) -> str:
    if str(policy.id).startswith(POLICY_BASE):
        return "open-licence"
    if policy.id in getattr(index, "statement_policies", ()):
        return "rights-statement"
    if policy.lifecycle is not None:
        return "licence"
    return "policy"


# how each language quotes a title, a clause's text and an aside
_TITLE = {"en": "{}", "zh": "《{}》"}
_QUOTED = {"en": ": “{}”", "zh": "：“{}”"}
_ASIDE = {"en": " ({})", "zh": "（{}）"}


def _cite(src: dict, lang: str) -> str:
    text = _TITLE[lang].format(src["title"][lang])
    if src["clause"]:
        text += gettext(", clause %(clause)s", lang, clause=src["clause"])
    if src["text"]:
        text += _QUOTED[lang].format(src["text"])
    elif src.get("comment"):
        text += _ASIDE[lang].format(src["comment"][lang])
    for a in src["also"]:
        text += gettext("; with clause %(clause)s", lang, clause=a["clause"] or "?") + (
            _QUOTED[lang].format(a["text"]) if a["text"] else "")
    if src.get("note"):
        text += _ASIDE[lang].format(src["note"][lang])
    return text


# ----------------------------------------------------------------------------- conditions

def _condition(index, c, lang: str) -> str:
    left = _left_names(lang).get(str(c.left)) or (label(index, c.left, lang) if c.left else "?")
    right = _SEPARATOR[lang].join(label(index, r, lang) for r in c.rights)
    if str(c.left) == ODRL + "dateTime" and str(c.operator) in (ODRL + "gteq", ODRL + "gt"):
        return gettext("the date is on or after %(date)s", lang, date=right)
    if str(c.left) == ODRL + "dateTime" and str(c.operator) in (ODRL + "lteq", ODRL + "lt"):
        return gettext("the date is on or before %(date)s", lang, date=right)
    op = _operator_names(lang).get(str(c.operator)) or _local(c.operator or "?")
    return f"{left} {op} {right}" if lang == "en" else f"{left}{op}{right}"   # Chinese: no spaces


def _needs(index, decision, policy, rule) -> list:
    """The conditions of a permission that failed or could not be checked for this request."""
    ev = Evaluator(index, decision.request, decision.state, record=True)
    e = ev.rule(policy, rule)
    if e is None:
        return []
    out, seen = [], set()
    stack = [cr for lst in e.refinements.values() for cr in lst] + list(e.constraints)
    while stack:
        cr = stack.pop(0)
        if cr.state is True:
            continue
        if cr.constraint.logical:
            stack.extend(cr.children)
            continue
        c = cr.constraint
        if id(c) in seen:
            continue
        seen.add(id(c))
        out.append({"leftOperand": str(c.left) if c.left else None, "operator": c.operator,
                    "rightOperand": [lexical(v) for v in c.rights],
                    "given": None if cr.lefts is None else [lexical(v) for v in cr.lefts],
                    "en": _condition(index, c, "en"), "zh": _condition(index, c, "zh")})
    for d in e.duties:
        if d.blocking:
            out.append({"duty": str(d.duty.id), **{lang: gettext(
                "the duty to %(actions)s is fulfilled", lang,
                actions=_SEPARATOR[lang].join(label(index, a.iri, lang) for a in d.duty.actions))
                for lang in ("en", "zh")}})
    return out


# ----------------------------------------------------------------------------- the explanation

def _rank(needs: list) -> tuple:
    """Closest first: conditions the requester can meet (a channel, a purpose, a place)
    before conditions of time, which no request can change; then the fewest conditions."""
    return (any(n.get("leftOperand") == ODRL + "dateTime" for n in needs), len(needs))


def explain(decision) -> dict:
    index = decision.index
    because = [source(index, p, r) for p, r in decision.deciding]
    alternatives = []
    if decision.decision == DENY and decision.request is not None:
        deciding = {id(r) for _, r in decision.deciding}
        if decision.reason == "constraint-unsatisfied":
            # the permissions that failed: cite the closest ones (each with what it needs)
            ranked = []
            for (p, r), item in zip(decision.deciding, because):
                if r.kind == "permission":
                    ranked.append({**item, "needs": _needs(index, decision, p, r)})
            prohibitions = [b for b in because if b["kind"] == "prohibition"]
            if ranked:
                best = min(_rank(x["needs"]) for x in ranked)
                ranked = [x for x in ranked if _rank(x["needs"]) == best][:MAX_ALTERNATIVES]
            because = prohibitions + ranked
        for p, r in decision.alternatives:
            if id(r) in deciding:
                continue   # said already, as the reason
            needs = _needs(index, decision, p, r)
            if needs and not _rank(needs)[0]:
                alternatives.append({**source(index, p, r), "needs": needs})
        alternatives.sort(key=lambda x: _rank(x["needs"]))
        alternatives = alternatives[:MAX_ALTERNATIVES]
    out = {"because": because, "would_permit": alternatives}
    for lang in ("en", "zh"):
        out[lang] = _sentence(decision, because, alternatives, lang)
    return out


def _join(items, lang):
    return _CLAUSES[lang].join(items)


def _stop(text: str, lang: str) -> str:
    """End a sentence once, whatever the quoted clause ends with."""
    if lang == "en":
        return text if text.endswith((".", ".”", "!”", "?”")) else text + "."
    return text if text.endswith(("。", "。”")) else text + "。"


def _all_of(conditions: list[str], lang: str) -> str:
    return pgettext("conditions", " and ", lang).join(conditions)


def _sentence(decision, because, alternatives, lang: str) -> str:
    cites = _join([_cite(b, lang) for b in because], lang)
    reason = decision.reason
    index = decision.index
    if decision.decision == PERMIT:
        text = _stop(gettext("Permitted by %(cites)s", lang, cites=cites), lang)
        duties = [label(index, IRI(a), lang) for d in decision.duties for a in d.get("action", [])]
        if duties:
            text += gettext(" Still to do: %(duties)s.", lang, duties=_SEPARATOR[lang].join(duties))
        return text
    if _reason_sentence(reason, lang):
        text = _reason_sentence(reason, lang)
    elif reason == "prohibited":
        text = _stop(gettext("Prohibited by %(cites)s", lang, cites=cites), lang)
    elif reason == "policy-void-by-conflict":
        text = gettext("Not permitted: these rules conflict and their policies' conflict rule voids them: "
                       "%(cites)s.", lang, cites=cites)
    elif reason == "duty-unfulfilled":
        duties = [label(index, IRI(a), lang) for d in decision.duties for a in d.get("action", [])]
        text = gettext("Not permitted until the duty (%(duties)s) is fulfilled: %(cites)s.", lang,
                       duties=_SEPARATOR[lang].join(duties), cites=cites)
    elif reason == "constraint-unsatisfied":
        parts = []
        for b in because:
            cond = _all_of([n[lang] for n in b.get("needs", [])], lang)
            if b["kind"] == "prohibition":
                parts.append(gettext("%(cite)s prohibits it unless the request shows otherwise", lang,
                                     cite=_cite(b, lang)))
            elif cond:
                parts.append(gettext("%(cite)s permits it only when %(conditions)s", lang, cite=_cite(b, lang),
                                     conditions=cond))
            else:
                parts.append(_cite(b, lang))
        text = gettext("Not permitted: %(reasons)s.", lang, reasons=_join(parts, lang))
    else:
        text = gettext("Not permitted (%(reason)s): %(cites)s.", lang, reason=reason, cites=cites)
    for alt in alternatives:
        text += _alternative(alt, lang)
    return text


_SENTENCE_GAP = {"en": " ", "zh": ""}


def _alternative(alt: dict, lang: str) -> str:
    """The sentence a denial adds for one permission that would have permitted."""
    return _SENTENCE_GAP[lang] + _stop(gettext("It would be permitted when %(conditions)s, by %(cite)s", lang,
                                               conditions=_all_of([n[lang] for n in alt["needs"]], lang),
                                               cite=_cite(alt, lang)), lang)


def redacted(explanation: dict, hidden_policies: set, hidden_rules: set = frozenset()) -> dict:
    """The explanation for a caller who may not see some policies (confidential graphs):
    their titles, clauses and texts are left out, and the sentence says so. A rule a public
    policy inherits from a confidential one (`hidden_rules`) is as hidden as its source."""
    if not explanation or not (hidden_policies or hidden_rules):
        return explanation
    hidden, rules = set(hidden_policies), set(hidden_rules)
    secret = lambda x: x["policy"] in hidden or x.get("rule") in rules  # noqa: E731
    because, alternatives = explanation.get("because", []), explanation.get("would_permit", [])
    if not any(secret(x) for x in because + alternatives):
        return explanation
    kept = [a for a in alternatives if not secret(a)]
    if any(secret(b) for b in because):
        return {"because": [b for b in because if not secret(b)], "would_permit": kept,
                **both("Decided by a confidential licence; its terms are not shown to you.")}
    out = {"because": because, "would_permit": kept}
    for lang in ("en", "zh"):
        text = explanation[lang]
        for alt in reversed(alternatives):
            text = text.removesuffix(_alternative(alt, lang))
        out[lang] = text + "".join(_alternative(a, lang) for a in kept)
    return out
