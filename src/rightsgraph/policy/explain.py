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

LEFT = {
    ODRL + "deliveryChannel": ("delivery channel", "传递渠道"), ODRL + "purpose": ("purpose", "用途"),
    ODRL + "virtualLocation": ("location", "访问位置"), ODRL + "spatial": ("place", "地点"),
    ODRL + "count": ("number of uses", "使用次数"), ODRL + "dateTime": ("date", "日期"),
    ODRL + "recipient": ("recipient", "接收方"), ODRL + "elapsedTime": ("time taken", "用时"),
    ODRL + "industry": ("industry", "行业"), ODRL + "language": ("language", "语言"),
    RG + "publicationYear": ("publication year", "出版年"), RG + "concurrentUsers": ("concurrent users", "并发用户数"),
}
OPS = {
    ODRL + "eq": ("is", "为"), ODRL + "neq": ("is not", "不为"), ODRL + "lt": ("is below", "小于"),
    ODRL + "lteq": ("is at most", "不超过"), ODRL + "gt": ("is above", "大于"), ODRL + "gteq": ("is at least", "不少于"),
    ODRL + "isPartOf": ("is", "属于"), ODRL + "isA": ("is a", "属于"), ODRL + "isAnyOf": ("is one of", "为以下之一："),
    ODRL + "isNoneOf": ("is none of", "不为以下任一："), ODRL + "isAllOf": ("includes all of", "包含全部："),
    ODRL + "hasPart": ("includes", "包含"),
}
REASONS = {
    "no-applicable-permission": (
        "Not permitted: no licence, open licence or rights statement permits this use for this party "
        "(silence is never permission).",
        "不允许：没有任何许可协议、开放许可或权利声明允许该使用者进行此项使用（未提及绝不视为允许）。"),
}


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


# actions a duty or explanation names, in Chinese (the ODRL vocabulary labels them in English)
ACTION_ZH = {ODRL + "attribute": "注明出处", ODRL + "compensate": "付费", ODRL + "delete": "删除",
             ODRL + "inform": "告知", ODRL + "obtainConsent": "征得同意", ODRL + "read": "阅读",
             ODRL + "print": "打印", ODRL + "reproduce": "复制", ODRL + "distribute": "传播",
             ODRL + "archive": "存档", ODRL + "modify": "修改", "http://creativecommons.org/ns#Notice": "保留许可声明",
             "http://creativecommons.org/ns#ShareAlike": "以相同方式共享"}


def label(index, value, lang: str) -> str:
    """A readable name for a value: its label in the store or the shipped ontology, else
    the IRI's local name; literals as written."""
    if not isinstance(value, IRI):
        return lexical(value)
    own = _literals(index, value, TITLE_PREDICATES)
    shipped = _shipped_labels().get(str(value), {})
    if lang == "zh" and not (own.get("zh") or shipped.get("zh")) and str(value) in ACTION_ZH:
        return ACTION_ZH[str(value)]
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
    unnamed = ({"en": f"rights statement {_local(policy.id)}", "zh": f"权利声明 {_local(policy.id)}"}
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


def _cite(src: dict, lang: str) -> str:
    title = src["title"][lang]
    if lang == "zh":
        text = f"《{title}》"
        if src["clause"]:
            text += f"第 {src['clause']} 条"
        if src["text"]:
            text += f"：“{src['text']}”"
        elif src.get("comment"):
            text += f"（{src['comment']['zh']}）"
        for a in src["also"]:
            text += "；并依第 " + (a["clause"] or "?") + " 条" + (f"：“{a['text']}”" if a["text"] else "")
        if src.get("note"):
            text += f"（{src['note']['zh']}）"
        return text
    text = title
    if src["clause"]:
        text += f", clause {src['clause']}"
    if src["text"]:
        text += f": “{src['text']}”"
    elif src.get("comment"):
        text += f" ({src['comment']['en']})"
    for a in src["also"]:
        text += f"; with clause {a['clause'] or '?'}" + (f": “{a['text']}”" if a["text"] else "")
    if src.get("note"):
        text += f" ({src['note']['en']})"
    return text


# ----------------------------------------------------------------------------- conditions

def _condition(index, c, lang: str) -> str:
    i = 0 if lang == "en" else 1
    left = LEFT.get(str(c.left), (label(index, c.left, "en"), label(index, c.left, "zh")) if c.left else ("?", "?"))[i]
    rights = [label(index, r, lang) for r in c.rights]
    right = ", ".join(rights) if lang == "en" else "、".join(rights)
    if str(c.left) == ODRL + "dateTime" and str(c.operator) in (ODRL + "gteq", ODRL + "gt"):
        return f"the date is on or after {right}" if lang == "en" else f"日期不早于 {right}"
    if str(c.left) == ODRL + "dateTime" and str(c.operator) in (ODRL + "lteq", ODRL + "lt"):
        return f"the date is on or before {right}" if lang == "en" else f"日期不晚于 {right}"
    op = OPS.get(str(c.operator), (_local(c.operator or "?"),) * 2)[i]
    return f"{left} {op} {right}" if lang == "en" else f"{left}{op}{right}"


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
            names = [label(index, a.iri, "en") for a in d.duty.actions]
            zh = [label(index, a.iri, "zh") for a in d.duty.actions]
            out.append({"duty": str(d.duty.id), "en": "the duty to " + ", ".join(names) + " is fulfilled",
                        "zh": "履行义务：" + "、".join(zh)})
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
    return "; ".join(items) if lang == "en" else "；".join(items)


def _stop(text: str, lang: str) -> str:
    """End a sentence once, whatever the quoted clause ends with."""
    if lang == "en":
        return text if text.endswith((".", ".”", "!”", "?”")) else text + "."
    return text if text.endswith(("。", "。”")) else text + "。"


def _sentence(decision, because, alternatives, lang: str) -> str:
    en = lang == "en"
    cites = _join([_cite(b, lang) for b in because], lang)
    reason = decision.reason
    index = decision.index
    if decision.decision == PERMIT:
        text = _stop(f"Permitted by {cites}" if en else f"允许：依据{cites}", lang)
        duties = [label(index, IRI(a), lang) for d in decision.duties for a in d.get("action", [])]
        if duties:
            text += (" Still to do: " + ", ".join(duties) + "." if en else "尚须履行：" + "、".join(duties) + "。")
        return text
    if reason in REASONS:
        text = REASONS[reason][0 if en else 1]
    elif reason == "prohibited":
        text = _stop(f"Prohibited by {cites}" if en else f"禁止：{cites}", lang)
    elif reason == "policy-void-by-conflict":
        text = (f"Not permitted: these rules conflict and their policies' conflict rule voids them: {cites}."
                if en else f"不允许：以下规则相互冲突，按其冲突处理规则均无效：{cites}。")
    elif reason == "duty-unfulfilled":
        duties = [label(index, IRI(a), lang) for d in decision.duties for a in d.get("action", [])]
        text = (f"Not permitted until the duty ({', '.join(duties)}) is fulfilled: {cites}." if en
                else f"在履行义务（{'、'.join(duties)}）之前不允许：{cites}。")
    elif reason == "constraint-unsatisfied":
        parts = []
        for b in because:
            needs = [n[lang] for n in b.get("needs", [])]
            cond = (" and " if en else "且").join(needs)
            if b["kind"] == "prohibition":
                parts.append(f"{_cite(b, lang)} prohibits it unless the request shows otherwise" if en
                             else f"{_cite(b, lang)}可能禁止此项使用，请求须说明相关情形")
            elif cond:
                parts.append(f"{_cite(b, lang)} permits it only when {cond}" if en
                             else f"{_cite(b, lang)}仅在{cond}时允许")
            else:
                parts.append(_cite(b, lang))
        text = ("Not permitted: " + _join(parts, lang) + ".") if en else ("不允许：" + _join(parts, lang) + "。")
    else:
        text = f"Not permitted ({reason}): {cites}." if en else f"不允许（{reason}）：{cites}。"
    for alt in alternatives:
        text += _alternative(alt, lang)
    return text


def _alternative(alt: dict, lang: str) -> str:
    """The sentence a denial adds for one permission that would have permitted."""
    cond = (" and " if lang == "en" else "且").join(n[lang] for n in alt["needs"])
    if lang == "en":
        return " " + _stop(f"It would be permitted when {cond}, by {_cite(alt, lang)}", lang)
    return f"若{cond}，则依据{_cite(alt, lang)}允许。"


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
                "en": "Decided by a confidential licence; its terms are not shown to you.",
                "zh": "由保密的许可协议决定，其条款不向您显示。"}
    out = {"because": because, "would_permit": kept}
    for lang in ("en", "zh"):
        text = explanation[lang]
        for alt in reversed(alternatives):
            text = text.removesuffix(_alternative(alt, lang))
        out[lang] = text + "".join(_alternative(a, lang) for a in kept)
    return out
