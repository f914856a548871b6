"""Term sheets: a licence as a librarian fills it in (YAML or CSV) <-> ODRL + licence metadata.

    sheet = read_sheet(path)             # -> canonical dict (validated; TermSheetError names the row/key)
    turtle = to_turtle(compile_sheet(sheet))
    sheet == licence_from_store(store, sheet["licence"])   # the round trip

The canonical form has full IRIs, ISO dates and every default resolved (a row's party,
dates and rule IRI), so a sheet read from a file and one rendered from the store compare
equal. See docs/licences.md for the format.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..bilingual import in_lang
from ..file_positions import in_language
from ..translation import both
from .vocabulary import (DELIVERY, LICENCE_STATUS_KEYS, LICENCE_STATUSES, ON_PREMISES, PERMITTED, PROHIBITED,
                         PURPOSE, STATUS_KEYS, STATUSES, TERMS, TERMS_NS, VLOC, term_iri, term_key)

RGNS = "https://w3id.org/rightsgraph/ns#"
ODRL = "http://www.w3.org/ns/odrl/2/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
DCT_TITLE = "http://purl.org/dc/terms/title"
RBASIS_LIC = "http://id.loc.gov/vocabulary/preservation/rightsBasis/lic"

STANDARD_PREFIXES = {
    "rg": RGNS, "odrl": ODRL, "tdm": "http://www.w3.org/ns/tdmrep#", "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": XSD,
    "rbasis": "http://id.loc.gov/vocabulary/preservation/rightsBasis/", "rgt": TERMS_NS,
}
ROLES = ("users", "walk_in", "library")
LICENCE_KEYS = ("licence", "prefixes", "rule_prefix", "title", "licensor", "licensee", "target", "status",
                "signed", "start", "end", "effective", "terminated", "cost", "currency", "note", "amends",
                "renews", "master", "parties", "terms")
ROW_KEYS = ("term", "status", "for", "limit", "users", "from", "until", "coverage", "attribution", "value",
            "clause", "text", "note", "id", "rule", "comment", "channel", "duty", "covers", "notice")
# the roles a sheet may name under `parties` and keeps (library is the licensee)
PARTY_ROLES = {"users": "authorisedUserParty", "walk_in": "walkInParty"}
# the rdfs:comment of an attribution duty, written into the graph in both languages
DUTY_COMMENT = both("Duty: credit the source (author, title, publisher) when exercising the permission.")


_ROW_FIRST = re.compile(r"^row \d+(?=[.:])")


class TermSheetError(ValueError):
    """A term sheet that cannot become a licence; the message names the row or key.
    ``texts``: the message in each language ({"en": ..., "zh": ...}, from `both`); str() is
    the English one, `text(lang)` the reader's."""

    def __init__(self, texts: dict[str, str]):
        super().__init__(texts["en"])
        # a CSV sheet's "row N" leads the message: in each language's words (file_positions.py)
        self.texts = {lang: _ROW_FIRST.sub(lambda m: in_language(m[0], lang), text) for lang, text in texts.items()}

    def text(self, lang: str = "en") -> str:
        return in_lang(self.texts, lang)


# ============================================================================ reading


def read_sheet(path: str | Path) -> dict:
    """Read a YAML (.yaml/.yml) or CSV (.csv) term sheet into its canonical form."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    if p.suffix.lower() == ".csv":
        return canonical(parse_csv(text), source=p.name)
    return canonical(parse_yaml(text, p.name), source=p.name)


def parse_yaml(text: str, name: str = "sheet") -> dict:
    import yaml
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TermSheetError(both("%(name)s: not valid YAML: %(exc)s", name=name, exc=exc)) from None
    if not isinstance(raw, dict):
        raise TermSheetError(both("%(name)s: a term sheet is a mapping of licence fields and a `terms` list",
                                  name=name))
    return raw


CSV_COLUMNS = ("field", "term", "status", "for", "limit", "users", "from", "until", "coverage", "attribution",
               "value", "clause", "text", "note", "rule", "comment_zh", "comment_en", "channel", "duty", "covers",
               "notice")


def parse_csv(text: str) -> dict:
    """CSV term sheet: one row per licence field (`field` = licence, title_zh, status ...,
    the value in `value`) and one row per term (`field` = term)."""
    reader = csv.DictReader(io.StringIO(text))
    unknown = [c for c in (reader.fieldnames or []) if c not in CSV_COLUMNS]
    if unknown:
        raise TermSheetError(both("CSV header: unknown column(s) %(unknown)s; columns are %(columns)s",
                                  unknown=', '.join(unknown), columns=', '.join(CSV_COLUMNS)))
    raw: dict = {"terms": []}
    for n, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        field = row.get("field", "")
        if field == "term":
            item = {k: row[k] for k in ROW_KEYS if row.get(k)}
            if row.get("comment_zh") or row.get("comment_en"):
                item["comment"] = {"zh": row.get("comment_zh", ""), "en": row.get("comment_en", "")}
            item["_row"] = f"row {n}"
            raw["terms"].append(item)
        elif field in ("title_zh", "title_en"):
            raw.setdefault("title", {})[field[-2:]] = row.get("value", "")
        elif field.startswith("prefix:"):
            raw.setdefault("prefixes", {})[field[7:]] = row.get("value", "")
        elif field.startswith("party:"):
            raw.setdefault("parties", {})[field[6:]] = row.get("value", "")
        elif field in LICENCE_KEYS:
            raw[field] = row.get("value", "")
        elif field:
            raise TermSheetError(both("row %(n)s: field: unknown field %(field)s", n=n, field=repr(field)))
    return raw


# ============================================================================ canonical form


def _iso(value, where: str, required=False) -> str | None:
    if value in (None, "", "none"):
        if required:
            raise TermSheetError(both("%(where)s: a date is required (YYYY-MM-DD)", where=where))
        return None
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise TermSheetError(both("%(where)s: not a date (YYYY-MM-DD): %(value)s",
                                  where=where, value=repr(value))) from None


def _int(value, where: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        raise TermSheetError(both("%(where)s: not a whole number: %(value)s", where=where, value=repr(value))) from None
    if n < 0:
        raise TermSheetError(both("%(where)s: must not be negative: %(value)s", where=where, value=repr(value)))
    return n


def _bool(value, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return False
    s = str(value).strip().lower()
    if s in ("yes", "true", "y", "1", "required"):
        return True
    if s in ("no", "false", "n", "0"):
        return False
    raise TermSheetError(both("%(where)s: expected yes or no: %(value)s", where=where, value=repr(value)))


class _Iris:
    def __init__(self, prefixes: dict):
        self.prefixes = {**STANDARD_PREFIXES, **(prefixes or {})}

    def __call__(self, value, where: str, required=False) -> str | None:
        if value in (None, ""):
            if required:
                raise TermSheetError(both("%(where)s: required (an IRI or prefix:name)", where=where))
            return None
        s = str(value).strip()
        if "://" in s or s.startswith("urn:"):
            return s
        if ":" in s:
            p, local = s.split(":", 1)
            if p in self.prefixes:
                return self.prefixes[p] + local
            raise TermSheetError(both("%(where)s: unknown prefix %(prefix)s in %(value)s (declare it under `prefixes`)",
                                      where=where, prefix=repr(p), value=repr(s)))
        raise TermSheetError(both("%(where)s: not an IRI: %(value)s", where=where, value=repr(s)))


def canonical(raw: dict, source: str = "sheet") -> dict:
    """Validate a raw sheet (from YAML or CSV) and resolve every default."""
    unknown = [k for k in raw if k not in LICENCE_KEYS]
    if unknown:
        raise TermSheetError(both("%(source)s: unknown key(s): %(keys)s",
                                  source=source, keys=', '.join(map(str, unknown))))
    iri = _Iris(raw.get("prefixes") or {})
    lic = iri(raw.get("licence"), "licence", required=True)
    title = raw.get("title")
    if isinstance(title, str):
        title = {"en": title}
    if not isinstance(title, dict) or not any(title.values()):
        raise TermSheetError(both("title: required (zh and/or en)"))
    bad = [k for k in title if k not in ("zh", "en")]
    if bad:
        raise TermSheetError(both("title: languages are zh and en, not %(bad)s", bad=', '.join(bad)))
    status = str(raw.get("status") or "").strip()
    if status not in LICENCE_STATUSES:
        raise TermSheetError(both("status: invalid licence status %(status)s; one of %(statuses)s",
                                  status=repr(status), statuses=', '.join(LICENCE_STATUSES)))
    start = _iso(raw.get("start"), "start", required=True)
    end = _iso(raw.get("end"), "end")
    if end and end < start:
        raise TermSheetError(both("end: %(end)s is before start %(start)s", end=end, start=start))
    signed = _iso(raw.get("signed"), "signed")
    effective = _iso(raw.get("effective"), "effective")
    terminated = _iso(raw.get("terminated"), "terminated")
    if terminated and terminated < start:
        raise TermSheetError(both("terminated: %(terminated)s is before start %(start)s",
                                  terminated=terminated, start=start))
    if status == "terminated" and not terminated:
        raise TermSheetError(both("terminated: a terminated licence needs its termination date"))
    cost = raw.get("cost")
    if cost not in (None, ""):
        try:
            d = Decimal(str(cost))
        except InvalidOperation:
            raise TermSheetError(both("cost: not a number: %(cost)s", cost=repr(cost))) from None
        if d < 0:
            raise TermSheetError(both("cost: must not be negative: %(cost)s", cost=repr(cost)))
        cost = f"{d:.2f}"
    else:
        cost = None
    currency = str(raw.get("currency") or "").strip() or None
    if currency and not re.fullmatch(r"[A-Z]{3}", currency):
        raise TermSheetError(both("currency: an ISO 4217 code such as CNY or USD, not %(currency)s",
                                  currency=repr(currency)))
    parties = raw.get("parties") or {}
    if not isinstance(parties, dict):
        raise TermSheetError(both("parties: a mapping of role (users, walk_in, library) -> party"))
    licensee = iri(raw.get("licensee"), "licensee", required=True)
    roles = {"library": licensee}
    for k, v in parties.items():
        roles[str(k)] = iri(v, f"parties.{k}")
    kept_parties = {k: roles[k] for k in PARTY_ROLES if roles.get(k)}
    rule_prefix = iri(raw.get("rule_prefix"), "rule_prefix") or (lic + "-")
    out = {
        "licence": lic,
        "title": {k: title[k] for k in ("zh", "en") if title.get(k)},
        "licensor": iri(raw.get("licensor"), "licensor", required=True),
        "licensee": licensee,
        "target": iri(raw.get("target"), "target", required=True),
        "status": status, "signed": signed, "start": start, "end": end,
        "effective": effective, "terminated": terminated, "cost": cost, "currency": currency,
        "note": (str(raw["note"]).strip() or None) if raw.get("note") else None,
        "amends": iri(raw.get("amends"), "amends"), "renews": iri(raw.get("renews"), "renews"),
        "master": iri(raw.get("master"), "master"),
        "parties": kept_parties,
        "terms": [],
    }
    rows = raw.get("terms") or []
    if not isinstance(rows, list):
        raise TermSheetError(both("terms: a list of term rows"))
    used_rules = set()
    for n, row in enumerate(rows):
        where = row.get("_row", f"terms[{n}]") if isinstance(row, dict) else f"terms[{n}]"
        if not isinstance(row, dict):
            raise TermSheetError(both("%(where)s: a term row is a mapping (term, status, ...)", where=where))
        out["terms"].append(_row(row, where, out, roles, iri, rule_prefix, used_rules))
    _check_provisions(out)
    return out


def _check_provisions(sheet: dict) -> None:
    """What a row says about other rows must make sense for the sheet as a whole."""
    for n, r in enumerate(sheet["terms"]):
        where = f"terms[{n}] ({r['term']})"
        if r.get("covers") and r["term"] == "walk_in" and not sheet["parties"].get("walk_in"):
            raise TermSheetError(both("%(where)s.covers: walk-in users cover uses only with a walk_in party under "
                                      "`parties`", where=where))
        if r.get("covers") and r["term"] == "walk_in" and not sheet["parties"].get("users"):
            raise TermSheetError(both("%(where)s.covers: walk-in users have the uses of `users`: give parties.users",
                                      where=where))


def _empty_row(kind: str) -> dict:
    """Every key a canonical row of this kind has, unset (file and store rows compare equal)."""
    r = {k: None for k in ("clause", "text", "note", "value")}
    if kind == "general":
        r["notice"] = None
    elif kind == "provision":
        r.update(coverage=None, covers=None)
    else:
        r.update({"for": None, "limit": None, "users": None, "from": None, "until": None, "coverage": None,
                  "attribution": False, "comment": None, "rule": None, "channel": None, "duty": None,
                  "covers": None})
    return r


def _duration(value, where: str) -> str | None:
    if value in (None, ""):
        return None
    from ..policy.operators import Duration
    try:
        return Duration(str(value).strip()).lexical.strip()
    except ValueError:
        raise TermSheetError(both("%(where)s: an ISO 8601 duration such as P30D or P3M: %(value)s",
                                  where=where, value=repr(value))) from None


def _coverage(cov, where: str) -> str | None:
    if cov in (None, ""):
        return None
    m = re.fullmatch(r"\s*(\d{4})?\s*-\s*(\d{4})?\s*|\s*(\d{4})\s*", str(cov))
    if not m:
        raise TermSheetError(both("%(where)s.coverage: publication years as 2018-2024, 2018- or 2024: %(cov)s",
                                  where=where, cov=repr(cov)))
    a, b = (m.group(1), m.group(2)) if m.group(3) is None else (m.group(3), m.group(3))
    if a and b and int(b) < int(a):
        raise TermSheetError(both("%(where)s.coverage: %(last)s is before %(first)s", where=where, last=b, first=a))
    return f"{a or ''}-{b or ''}"


def _listed(value) -> list:
    """A YAML list, or a CSV cell of space/comma-separated items."""
    if isinstance(value, (list, tuple)):
        return [str(x).strip() for x in value if str(x).strip()]
    return [x for x in re.split(r"[\s,]+", str(value).strip()) if x]


def _covers(value, where: str):
    """`covers`: `all` or a list of term keys."""
    if value in (None, ""):
        return None
    items = _listed(value)
    if items == ["all"]:
        return "all"
    bad = [x for x in items if x not in TERMS or TERMS[x].kind != "usage"]
    if bad:
        raise TermSheetError(both("%(where)s.covers: `all` or usage terms of the vocabulary, not %(bad)s",
                                  where=where, bad=', '.join(bad)))
    return sorted(set(items))


def _duty(value, where: str, iri) -> dict | None:
    """`duty: delete within P30D` (or a mapping {action, within}) -> {action IRI, within}."""
    if value in (None, ""):
        return None
    if isinstance(value, dict):
        action, within = value.get("action"), value.get("within")
    else:
        m = re.fullmatch(r"\s*(\S+)(?:\s+within\s+(\S+))?\s*", str(value))
        if not m:
            raise TermSheetError(both("%(where)s.duty: an action, optionally `within` a duration: delete within P30D",
                                      where=where))
        action, within = m.group(1), m.group(2)
    if not action:
        raise TermSheetError(both("%(where)s.duty: which action is due (e.g. delete)", where=where))
    action = str(action).strip()
    full = action if (":" in action) else ODRL + action
    return {"action": iri(full, f"{where}.duty"), "within": _duration(within, f"{where}.duty.within")}


def _row(row: dict, where: str, lic: dict, roles: dict, iri, rule_prefix: str, used_rules: set) -> dict:
    bad = [k for k in row if k not in ROW_KEYS and k != "_row"]
    if bad:
        raise TermSheetError(both("%(where)s: unknown key(s): %(bad)s", where=where, bad=', '.join(bad)))
    key = str(row.get("term") or "").strip()
    if key not in TERMS:
        raise TermSheetError(both("%(where)s.term: unknown term %(key)s (see ontology/licence-terms.ttl)",
                                  where=where, key=repr(key)))
    where = f"{where} ({key})"
    term = TERMS[key]
    status = str(row.get("status") or "").strip()
    if status not in STATUSES:
        raise TermSheetError(both("%(where)s.status: invalid term status %(status)s; one of %(statuses)s",
                                  where=where, status=repr(status), statuses=', '.join(STATUSES)))
    r = {"term": key, "status": status, **_empty_row(term.kind)}
    for k in ("clause", "text", "note", "value"):
        v = row.get(k)
        r[k] = str(v).strip() if v not in (None, "") else None
    if term.kind == "general":
        for k in ("for", "limit", "users", "from", "until", "coverage", "id", "rule", "comment", "channel", "duty",
                  "covers"):
            if row.get(k) not in (None, "", False):
                raise TermSheetError(both("%(where)s.%(field)s: a general term takes a value, not %(field)s",
                                          where=where, field=k))
        r["notice"] = _duration(row.get("notice"), f"{where}.notice")
        return r
    if term.kind == "provision":
        for k in ("for", "limit", "users", "from", "until", "id", "rule", "comment", "channel", "duty", "notice"):
            if row.get(k) not in (None, "", False):
                raise TermSheetError(both("%(where)s.%(field)s: %(key)s takes coverage and covers, not %(field)s",
                                          where=where, field=k, key=key))
        r["coverage"] = _coverage(row.get("coverage"), where)
        if status in PERMITTED:
            if not r["coverage"]:
                raise TermSheetError(both("%(where)s.coverage: the publication years (the paid years) the provisions "
                                          "survive for", where=where))
            r["covers"] = _covers(row.get("covers"), where) or "all"
        elif row.get("covers"):
            raise TermSheetError(both("%(where)s.covers: only a permitted survival covers terms", where=where))
        return r
    if row.get("notice") not in (None, ""):
        raise TermSheetError(both("%(where)s.notice: only a general term (cancellation, renewal) takes a notice period",
                                  where=where))
    who = str(row.get("for") or term.party)
    if who in ROLES and who not in roles:
        raise TermSheetError(both("%(where)s.for: no party for role %(who)s (give it under `parties`)",
                                  where=where, who=repr(who)))
    r["for"] = roles.get(who) or iri(who, f"{where}.for")
    r["limit"] = _int(row.get("limit"), f"{where}.limit")
    r["users"] = _int(row.get("users"), f"{where}.users")
    if key == "concurrent_users" and status in PERMITTED and r["users"] is None:
        raise TermSheetError(both("%(where)s.users: concurrent users needs the number of users", where=where))
    # A prohibited surviving term (no perpetual access, no archiving) is the absence of a
    # right that would outlive the term: the closed default already denies it, and a
    # prohibition would also block the same use during the term, so no rule is compiled.
    active = status in PERMITTED or (status in PROHIBITED and not term.survives)
    prohibited = status in PROHIBITED
    # dates: permissions default to the licence term (surviving terms have no end);
    # prohibitions hold whenever the licence binds, unless the row gives dates.
    if "from" in row:
        r["from"] = _iso(row.get("from"), f"{where}.from")
    else:
        r["from"] = None if prohibited or not active else lic["start"]
    if "until" in row:
        r["until"] = _iso(row.get("until"), f"{where}.until")
    else:
        r["until"] = None if prohibited or not active or term.survives else lic["end"]
    if r["from"] and r["until"] and r["until"] < r["from"]:
        raise TermSheetError(both("%(where)s.until: %(until)s is before from %(start)s",
                                  where=where, until=r["until"], start=r["from"]))
    r["coverage"] = _coverage(row.get("coverage"), where)
    r["attribution"] = _bool(row.get("attribution"), f"{where}.attribution")
    if r["attribution"] and not status in PERMITTED:
        raise TermSheetError(both("%(where)s.attribution: only a permitted term carries an attribution duty",
                                  where=where))
    if row.get("channel") not in (None, ""):
        if not (key == "interlibrary_loan" or any(lo == DELIVERY for lo, _, _ in term.fixed)):
            raise TermSheetError(both("%(where)s.channel: only interlibrary-loan and course-pack terms name delivery "
                                      "channels", where=where))
        r["channel"] = sorted({iri(c, f"{where}.channel") for c in _listed(row["channel"])})
    r["duty"] = _duty(row.get("duty"), where, iri)
    if r["duty"] and status not in PERMITTED:
        raise TermSheetError(both("%(where)s.duty: only a permitted term carries a duty", where=where))
    if row.get("covers") not in (None, ""):
        if key != "walk_in" or status not in PERMITTED:
            raise TermSheetError(both("%(where)s.covers: only a permitted walk_in row (or surviving_provisions) "
                                      "covers other terms", where=where))
        r["covers"] = _covers(row.get("covers"), where)
    comment = row.get("comment")
    if isinstance(comment, str):
        comment = {"en": comment}
    r["comment"] = {k: comment[k] for k in ("zh", "en") if comment and comment.get(k)} or None
    rid = row.get("rule") or row.get("id")
    if active:
        rule = iri(row["rule"], f"{where}.rule") if row.get("rule") else rule_prefix + str(row.get("id") or key)
        base, k = rule, 2
        while rule in used_rules:
            rule, k = f"{base}-{k}", k + 1
        used_rules.add(rule)
        r["rule"] = rule
    else:
        if rid:
            raise TermSheetError(both("%(where)s.rule: a %(status)s term compiles to no rule",
                                      where=where, status=status))
        r["rule"] = None
    return r


# ============================================================================ compiling


def _lit(value, dt=None, lang=None):
    return ("lit", str(value), lang, dt)


def _i(iri):
    return ("iri", iri)


def _dt(op: str, d: str):
    return ("bnode", [(ODRL + "leftOperand", [_i(ODRL + "dateTime")]), (ODRL + "operator", [_i(ODRL + op)]),
                      (ODRL + "rightOperand", [_lit(d, XSD + "date")])])


def _c(left: str, op: str, right):
    return ("bnode", [(ODRL + "leftOperand", [_i(left)]), (ODRL + "operator", [_i(op)]), (ODRL + "rightOperand", [right])])


def _list(items: list):
    return ("list", items)


@dataclass
class _RuleSpec:
    """One ODRL rule to write: what a row compiles to, or a copy a provision derives from it."""

    iri: str
    kind: str                      # permission | prohibition
    row: dict
    assignee: str
    start: str | None = None
    end: str | None = None
    coverage: str | None = None
    extra: list = field(default_factory=list)     # further constraints (bnode objects)
    duties: list = field(default_factory=list)    # duty IRIs
    derived_from: str | None = None
    derived_by: list = field(default_factory=list)   # term nodes


def _constraints(spec: _RuleSpec, term) -> list:
    r, cons = spec.row, []
    if spec.start:
        cons.append(_dt("gteq", spec.start))
    if spec.end:
        cons.append(_dt("lteq", spec.end))
    if r["limit"] is not None:
        cons.append(_c(ODRL + "count", ODRL + "lteq", _lit(r["limit"], XSD + "integer")))
    if r["users"] is not None:
        cons.append(_c(RGNS + "concurrentUsers", ODRL + "lteq", _lit(r["users"], XSD + "integer")))
    if spec.coverage:
        a, b = spec.coverage.split("-")
        if a:
            cons.append(_c(RGNS + "publicationYear", ODRL + "gteq", _lit(int(a), XSD + "integer")))
        if b:
            cons.append(_c(RGNS + "publicationYear", ODRL + "lteq", _lit(int(b), XSD + "integer")))
    for lo, op, ro in term.fixed:
        if lo == DELIVERY and r.get("channel"):
            continue   # the row names its own channels
        cons.append(_c(lo, op, _i(ro)))
    if r.get("channel"):
        chans = [_i(c) for c in r["channel"]]
        cons.append(_c(DELIVERY, ODRL + "isPartOf", chans[0] if len(chans) == 1 else _list(chans)))
    return cons + spec.extra


def _rule_record(spec: _RuleSpec, sheet: dict) -> tuple:
    t = TERMS[spec.row["term"]]
    rpos = []
    if spec.row.get("comment"):
        rpos.append((RDFS_COMMENT, [_lit(spec.row["comment"][k], lang=k) for k in ("zh", "en") if k in spec.row["comment"]]))
    rpos += [(ODRL + "target", [_i(sheet["target"])]), (ODRL + "action", [_i(t.action)]),
             (ODRL + "assigner", [_i(sheet["licensor"])]), (ODRL + "assignee", [_i(spec.assignee)])]
    cons = _constraints(spec, t)
    if cons:
        rpos.append((ODRL + "constraint", cons))
    if spec.duties:
        rpos.append((ODRL + "duty", [_i(d) for d in spec.duties]))
    if spec.derived_from:
        rpos.append((RGNS + "derivedFrom", [_i(spec.derived_from)]))
        rpos.append((RGNS + "derivedBy", [_i(n) for n in spec.derived_by]))
    return (spec.iri, [ODRL + ("Permission" if spec.kind == "permission" else "Prohibition")], rpos)


def _next_day(d: str) -> str:
    return (date.fromisoformat(d) + timedelta(days=1)).isoformat()


def _covered(provision: dict, key: str) -> bool:
    covers = provision.get("covers")
    return covers == "all" or (isinstance(covers, list) and key in covers)


def compile_sheet(sheet: dict) -> list:
    """The canonical sheet as records: (subject, [types], [(predicate, [objects])]).
    Objects: ("iri", s), ("lit", lexical, lang, datatype), ("bnode", [(p, [objects])]),
    ("list", [objects]).

    Each permitted or prohibited usage row compiles to one rule (its rule IRI). Rows for the
    walk-in party are conditioned on the premises (odrl:virtualLocation rg:OnPremises). Then
    the provisions: a walk_in row with `covers` gives walk-in users, on the premises, a copy
    of every covered rule of the authorised users (`<rule>-walk_in`), unless the sheet has a
    walk-in row of that term; a surviving_provisions row gives every covered permission that
    ends a surviving copy (`<rule>-survival`) from the day after, for content of the paid
    years. Copies name the rule they come from (rg:derivedFrom) and the term that made them
    (rg:derivedBy), so an explanation cites both clauses."""
    lic = sheet["licence"]
    parties = sheet.get("parties") or {}
    users, walk_in = parties.get("users"), parties.get("walk_in")
    rows = sheet["terms"]
    nodes = [f"{lic}-term-{n:02d}" for n in range(1, len(rows) + 1)]
    cost_recovery = any(r["term"] == "cost_recovery_fee" and r["status"] in PERMITTED for r in rows)
    perms, prohs, term_nodes, extra_records = [], [], [], []
    specs: list[_RuleSpec] = []
    for n, (r, node) in enumerate(zip(rows, nodes), start=1):
        t = TERMS[r["term"]]
        pos = [(RGNS + "termType", [_i(term_iri(r["term"]))]), (RGNS + "termStatus", [_i(STATUSES[r["status"]])]),
               (RGNS + "termOrder", [_lit(n, XSD + "integer")])]
        if t.kind == "usage":
            pos.append((RGNS + "appliesTo", [_i(r["for"])]))
            for k, p in (("limit", "usageLimit"), ("users", "userLimit")):
                if r[k] is not None:
                    pos.append((RGNS + p, [_lit(r[k], XSD + "integer")]))
            for k, p in (("from", "validFrom"), ("until", "validUntil")):
                if r[k]:
                    pos.append((RGNS + p, [_lit(r[k], XSD + "date")]))
            if r["attribution"]:
                pos.append((RGNS + "attributionRequired", [_lit("true", XSD + "boolean")]))
            for c in r.get("channel") or ():
                pos.append((RGNS + "channel", [_i(c)]))
            if r.get("duty"):
                pos.append((RGNS + "dutyAction", [_i(r["duty"]["action"])]))
                if r["duty"]["within"]:
                    pos.append((RGNS + "dutyWithin", [_lit(r["duty"]["within"], XSD + "duration")]))
        if r.get("coverage"):
            a, b = r["coverage"].split("-")
            if a:
                pos.append((RGNS + "coverageFrom", [_lit(int(a), XSD + "integer")]))
            if b:
                pos.append((RGNS + "coverageTo", [_lit(int(b), XSD + "integer")]))
        if r.get("covers") == "all":
            pos.append((RGNS + "coversAll", [_lit("true", XSD + "boolean")]))
        elif r.get("covers"):
            pos.append((RGNS + "coversTermType", [_i(term_iri(k)) for k in r["covers"]]))
        if r.get("notice"):
            pos.append((RGNS + "noticePeriod", [_lit(r["notice"], XSD + "duration")]))
        for k, p in (("value", "termValue"), ("clause", "clauseNumber"), ("text", "clauseText"), ("note", "termNote")):
            if r.get(k):
                pos.append((RGNS + p, [_lit(r[k])]))
        if not machine_enforced(r) and r["status"] in PERMITTED | PROHIBITED:
            pos.append((RGNS + "machineEnforced", [_lit("false", XSD + "boolean")]))
        if r.get("rule"):
            pos.append((RGNS + "implementedBy", [_i(r["rule"])]))
            kind = "permission" if r["status"] in PERMITTED else "prohibition"
            spec = _RuleSpec(r["rule"], kind, r, r["for"], r["from"], r["until"], r["coverage"])
            if kind == "permission" and walk_in and r["for"] == walk_in:
                spec.extra.append(_c(VLOC, ODRL + "eq", _i(ON_PREMISES)))
            if kind == "prohibition" and r["term"] == "commercial_use" and cost_recovery:
                spec.extra.append(_c(PURPOSE, ODRL + "neq", _i(RGNS + "CostRecovery")))
            if r["attribution"]:
                spec.duties.append(r["rule"] + "-attribution")
                extra_records.append((r["rule"] + "-attribution", [ODRL + "Duty"], [
                    (RDFS_COMMENT, [_lit(DUTY_COMMENT["zh"], lang="zh"), _lit(DUTY_COMMENT["en"], lang="en")]),
                    (ODRL + "action", [_i(ODRL + "attribute")])]))
            if r.get("duty"):
                spec.duties.append(r["rule"] + "-duty")
                dpos = [(ODRL + "action", [_i(r["duty"]["action"])])]
                if r["duty"]["within"]:
                    dpos.append((ODRL + "constraint", [_c(ODRL + "elapsedTime", ODRL + "lteq",
                                                          _lit(r["duty"]["within"], XSD + "duration"))]))
                extra_records.append((r["rule"] + "-duty", [ODRL + "Duty"], dpos))
            specs.append(spec)
        term_nodes.append((node, [RGNS + "LicenceTerm"], pos))

    # walk-in users are authorised users (on the premises) for the uses the walk_in row covers
    for prov, pnode in zip(rows, nodes):
        if prov["term"] != "walk_in" or not prov.get("covers") or not (users and walk_in):
            continue
        own = {r["term"] for r in rows if r.get("for") == walk_in}
        for spec in list(specs):
            key = spec.row["term"]
            if spec.assignee != users or key in own or key == "walk_in" or not _covered(prov, key):
                continue
            if any(lo == VLOC for lo, _, _ in TERMS[key].fixed):
                continue   # remote access is not a walk-in use: walk-ins are on the premises
            copy = _RuleSpec(spec.iri + "-walk_in", spec.kind, spec.row, walk_in, spec.start, spec.end,
                             spec.coverage, list(spec.extra), list(spec.duties), spec.iri, [pnode])
            if spec.kind == "permission":
                copy.extra.append(_c(VLOC, ODRL + "eq", _i(ON_PREMISES)))
            specs.append(copy)

    # provisions that survive the term, for the content of the paid years
    for prov, pnode in zip(rows, nodes):
        if prov["term"] != "surviving_provisions" or prov["status"] not in PERMITTED:
            continue
        for spec in list(specs):
            key = spec.row["term"]
            if (spec.kind != "permission" or not spec.end or spec.coverage or TERMS[key].survives
                    or not _covered(prov, key)):
                continue
            specs.append(_RuleSpec(spec.iri + "-survival", "permission", spec.row, spec.assignee,
                                   _next_day(spec.end), None, prov["coverage"], list(spec.extra),
                                   list(spec.duties), spec.derived_from or spec.iri,
                                   spec.derived_by + [pnode]))

    rules = [_rule_record(spec, sheet) for spec in specs]
    for spec in specs:
        (perms if spec.kind == "permission" else prohs).append(spec.iri)
    s = sheet
    lpos = [(ODRL + "uid", [_i(lic)]),
            (DCT_TITLE, [_lit(s["title"][k], lang=k) for k in ("zh", "en") if k in s["title"]]),
            (ODRL + "assigner", [_i(s["licensor"])]), (ODRL + "assignee", [_i(s["licensee"])]),
            (ODRL + "target", [_i(s["target"])]), (RGNS + "licenceStatus", [_i(LICENCE_STATUSES[s["status"]])]),
            # a licence's explicit prohibition narrows its broader permissions ("may copy, but
            # not systematically"): the prohibition wins instead of voiding both
            (ODRL + "conflict", [_i(ODRL + "prohibit")])]
    for k, p in (("signed", "signingDate"), ("start", "termStart"), ("end", "termEnd"),
                 ("effective", "effectiveDate"), ("terminated", "terminationDate")):
        if s[k]:
            lpos.append((RGNS + p, [_lit(s[k], XSD + "date")]))
    if s["cost"]:
        lpos.append((RGNS + "cost", [_lit(s["cost"], XSD + "decimal")]))
    if s["currency"]:
        lpos.append((RGNS + "currency", [_lit(s["currency"])]))
    lpos.append((RGNS + "rightsBasis", [_i(RBASIS_LIC)]))
    for k, p in (("amends", "amends"), ("renews", "renews"), ("master", "memberLicenceOf")):
        if s[k]:
            lpos.append((RGNS + p, [_i(s[k])]))
    for role, p in PARTY_ROLES.items():
        if parties.get(role):
            lpos.append((RGNS + p, [_i(parties[role])]))
    if s["note"]:
        lpos.append((RDFS_COMMENT, [_lit(s["note"], lang="en")]))
    if perms:
        lpos.append((ODRL + "permission", [_i(x) for x in perms]))
    if prohs:
        lpos.append((ODRL + "prohibition", [_i(x) for x in prohs]))
    if term_nodes:
        lpos.append((RGNS + "licenceTerm", [_i(t[0]) for t in term_nodes]))
    return [(lic, [RGNS + "Licence"], lpos)] + rules + extra_records + term_nodes


def machine_enforced(row: dict) -> bool:
    """Does the decision engine enforce this row? Usage rows that compile to a rule, and a
    permitted survival (its copies), do; general terms (law, notice periods, statistics ...)
    are recorded only. A usage row without a rule (silent, not reviewed, a prohibited
    surviving term) is left to the closed default, which enforces it as a denial."""
    kind = TERMS[row["term"]].kind
    if kind == "general":
        return False
    return True


def unenforced_terms(sheet: dict) -> list[dict]:
    """The rows a librarian must see to by hand: permitted or prohibited terms the engine does
    not enforce (reported by `licence show`, recorded as rg:machineEnforced false)."""
    return [r for r in sheet["terms"]
            if r["status"] in PERMITTED | PROHIBITED and not machine_enforced(r)]


# ============================================================================ Turtle


_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


def _name(iri: str, prefixes: dict) -> str:
    if iri == RDF_TYPE:
        return "a"
    best = None
    for p, ns in prefixes.items():
        if iri.startswith(ns) and _LOCAL.match(iri[len(ns):]) and (best is None or len(ns) > len(prefixes[best])):
            best = p
    return f"{best}:{iri[len(prefixes[best]):]}" if best else f"<{iri}>"


def _esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _obj(o, prefixes, indent) -> str:
    if o[0] == "iri":
        return _name(o[1], prefixes)
    if o[0] == "lit":
        _, lex, lang, dt = o
        if lang:
            return f'"{_esc(lex)}"@{lang}'
        if dt:
            return f'"{_esc(lex)}"^^{_name(dt, prefixes)}'
        return f'"{_esc(lex)}"'
    if o[0] == "list":
        return "( " + " ".join(_obj(x, prefixes, indent) for x in o[1]) + " )"
    inner = " ; ".join(f"{_name(p, prefixes)} {' , '.join(_obj(x, prefixes, indent) for x in objs)}"
                       for p, objs in o[1])
    return f"[ {inner} ]"


def to_turtle(records: list, prefixes: dict | None = None, header: str = "") -> str:
    pre = {**STANDARD_PREFIXES, **(prefixes or {})}
    lines = [header] if header else []
    lines += [f"@prefix {p}: <{ns}> ." for p, ns in pre.items()]
    lines.append("")
    lines.append(records_turtle(records, pre))
    return "\n".join(lines)


def records_turtle(records: list, prefixes: dict) -> str:
    out = []
    for subj, types, pos in records:
        parts = []
        if types:
            parts.append("a " + " , ".join(_name(t, prefixes) for t in types))
        for p, objs in pos:
            rendered = [_obj(o, prefixes, 8) for o in objs]
            sep = " ,\n        " if len(rendered) > 1 and (objs[0][0] == "bnode" or sum(map(len, rendered)) > 70) else " , "
            parts.append(f"{_name(p, prefixes)} " + sep.join(rendered))
        out.append(f"{_name(subj, prefixes)} " + " ;\n    ".join(parts) + " .\n")
    return "\n".join(out)


# ============================================================================ from the store


def _describe(store, iris) -> dict:
    """subject -> predicate -> [pyoxigraph terms], for the given IRIs (any graph)."""
    out: dict = {}
    iris = list(iris)
    if hasattr(store, "matching"):   # web.visible.VisibleStore: the caller's graphs, without naming each
        triples = ((s.value, p.value, o) for s, p, o in store.matching(iris))
    else:
        triples = ((row["s"].value, row["p"].value, row["o"]) for i in range(0, len(iris), 200)
                   for row in store.query("SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?s { "
                                          + " ".join(f"<{x}>" for x in iris[i:i + 200]) + " } ?s ?p ?o }"))
    for s, p, o in triples:
        lst = out.setdefault(s, {}).setdefault(p, [])
        if o not in lst:
            lst.append(o)
    return out


def _one(d: dict, p: str):
    v = d.get(p)
    return v[0] if v else None


def _val(term):
    return None if term is None else term.value


def _langs(d: dict, p: str) -> dict:
    return {t.language: t.value for t in d.get(p, []) if getattr(t, "language", None) in ("zh", "en")}


def licence_from_store(store, licence: str) -> dict:
    """Render a licence in the store as a canonical term sheet.

    Licences imported from term sheets carry their terms (rg:licenceTerm). A licence written
    directly in ODRL is rendered from its rules: each rule whose action and constraints match
    a term type becomes a row (interpreted status); rules that fit no term are reported in
    `unmapped`."""
    d = _describe(store, [licence]).get(licence)
    if not d or RGNS + "Licence" not in {t.value for t in d.get(RDF_TYPE, [])}:
        raise KeyError(f"no licence <{licence}> in the store")
    status_iri = _val(_one(d, RGNS + "licenceStatus"))
    comment = [t.value for t in d.get(RDFS_COMMENT, []) if getattr(t, "language", None) == "en"]
    sheet = {
        "licence": licence, "title": _langs(d, DCT_TITLE),
        "licensor": _val(_one(d, ODRL + "assigner")), "licensee": _val(_one(d, ODRL + "assignee")),
        "target": _val(_one(d, ODRL + "target")),
        "status": LICENCE_STATUS_KEYS.get(status_iri, status_iri),
        "signed": _val(_one(d, RGNS + "signingDate")), "start": _val(_one(d, RGNS + "termStart")),
        "end": _val(_one(d, RGNS + "termEnd")), "effective": _val(_one(d, RGNS + "effectiveDate")),
        "terminated": _val(_one(d, RGNS + "terminationDate")),
        "cost": None, "currency": _val(_one(d, RGNS + "currency")),
        "note": comment[0] if comment else None,
        "amends": _val(_one(d, RGNS + "amends")), "renews": _val(_one(d, RGNS + "renews")),
        "master": _val(_one(d, RGNS + "memberLicenceOf")),
        "parties": {role: _val(_one(d, RGNS + p)) for role, p in PARTY_ROLES.items() if _one(d, RGNS + p) is not None},
        "terms": [],
    }
    cost = _one(d, RGNS + "cost")
    if cost is not None:
        sheet["cost"] = f"{Decimal(cost.value):.2f}"
    term_iris = [t.value for t in d.get(RGNS + "licenceTerm", [])]
    if not term_iris:
        sheet["terms"], sheet["unmapped"] = _terms_from_rules(store, d)
        return sheet
    terms = _describe(store, term_iris)
    rule_iris = [_val(_one(terms[t], RGNS + "implementedBy")) for t in term_iris if t in terms]
    rules = _describe(store, [r for r in rule_iris if r])
    rows = []
    for t in term_iris:
        td = terms.get(t, {})
        key = term_key(_val(_one(td, RGNS + "termType")) or "")
        order = int(_val(_one(td, RGNS + "termOrder")) or 0)
        kind = TERMS[key].kind if key in TERMS else "general"
        r = {"term": key, "status": STATUS_KEYS.get(_val(_one(td, RGNS + "termStatus"))), **_empty_row(kind)}
        for k, p in (("clause", "clauseNumber"), ("text", "clauseText"), ("note", "termNote"), ("value", "termValue")):
            r[k] = _val(_one(td, RGNS + p))
        a, b = _val(_one(td, RGNS + "coverageFrom")), _val(_one(td, RGNS + "coverageTo"))
        coverage = f"{a or ''}-{b or ''}" if (a or b) else None
        covers = ("all" if _val(_one(td, RGNS + "coversAll")) == "true" else
                  sorted(term_key(t.value) for t in td.get(RGNS + "coversTermType", [])) or None)
        if kind == "general":
            r["notice"] = _val(_one(td, RGNS + "noticePeriod"))
        elif kind == "provision":
            r["coverage"], r["covers"] = coverage, covers
        if kind == "usage":
            r["channel"] = sorted(t.value for t in td.get(RGNS + "channel", [])) or None
            r["covers"] = covers
            duty = _val(_one(td, RGNS + "dutyAction"))
            r["duty"] = {"action": duty, "within": _val(_one(td, RGNS + "dutyWithin"))} if duty else None
            r["for"] = _val(_one(td, RGNS + "appliesTo"))
            lim, usr = _one(td, RGNS + "usageLimit"), _one(td, RGNS + "userLimit")
            r["limit"] = int(lim.value) if lim is not None else None
            r["users"] = int(usr.value) if usr is not None else None
            r["from"] = _val(_one(td, RGNS + "validFrom"))
            r["until"] = _val(_one(td, RGNS + "validUntil"))
            r["coverage"] = coverage
            r["attribution"] = _val(_one(td, RGNS + "attributionRequired")) == "true"
            rule = _val(_one(td, RGNS + "implementedBy"))
            r["comment"] = (_langs(rules.get(rule, {}), RDFS_COMMENT) or None) if rule else None
            if r["comment"]:
                r["comment"] = {k: r["comment"][k] for k in ("zh", "en") if k in r["comment"]}
            r["rule"] = rule
        rows.append((order, r))
    sheet["terms"] = [r for _, r in sorted(rows, key=lambda x: x[0])]
    return sheet


def _terms_from_rules(store, d: dict):
    """Best-effort rows for a licence without recorded terms: match each rule's action and
    fixed constraints against the vocabulary."""
    rule_iris = [t.value for p in (ODRL + "permission", ODRL + "prohibition") for t in d.get(p, [])
                 if hasattr(t, "value") and "://" in t.value]
    rows, unmapped = [], []
    for rule in rule_iris:
        q = store.query(f"""SELECT ?kind ?action ?assignee ?lo ?op ?ro WHERE {{
            VALUES ?r {{ <{rule}> }} ?lic ?kind ?r . VALUES ?kind {{ <{ODRL}permission> <{ODRL}prohibition> }}
            OPTIONAL {{ ?r <{ODRL}action> ?action }} OPTIONAL {{ ?r <{ODRL}assignee> ?assignee }}
            OPTIONAL {{ ?r <{ODRL}constraint> ?c . ?c <{ODRL}leftOperand> ?lo ; <{ODRL}operator> ?op ; <{ODRL}rightOperand> ?ro }} }}""")
        rows_q = list(q)
        if not rows_q:
            continue
        kind = rows_q[0]["kind"].value
        action = _val(rows_q[0]["action"])
        assignee = _val(rows_q[0]["assignee"])
        cons = {(r["lo"].value, r["op"].value, r["ro"].value) for r in rows_q if r["lo"] is not None}
        row = {"term": None, "status": "permitted_interpreted" if kind.endswith("permission") else "prohibited_interpreted",
               "clause": None, "text": None, "note": "derived from the ODRL rule", "value": None, "for": assignee,
               "limit": None, "users": None, "from": None, "until": None, "coverage": None, "attribution": False,
               "comment": None, "rule": rule}
        for lo, op, ro in cons:
            if lo == ODRL + "dateTime":
                row["from" if op.endswith("gteq") or op.endswith("gt") else "until"] = ro[:10]
            elif lo == ODRL + "count":
                row["limit"] = int(ro)
            elif lo == RGNS + "concurrentUsers":
                row["users"] = int(ro)
        fixed = {c for c in cons if c[0] in (ODRL + "deliveryChannel", ODRL + "purpose", ODRL + "virtualLocation")}
        # on the premises is the walk-in condition, not a term's own constraint
        on_site = (VLOC, ODRL + "eq", ON_PREMISES) in fixed
        fixed.discard((VLOC, ODRL + "eq", ON_PREMISES))
        best = _term_for_rule(store, action, fixed, row, assignee, on_site)
        if best is None:
            unmapped.append(rule)
            continue
        row["term"] = best
        rows.append(row)
    return rows, unmapped


def _term_for_rule(store, action, fixed, row, assignee, on_site=False):
    """The term type a plain ODRL rule most likely implements (None: no term fits)."""
    if action == ODRL + "read" and not fixed:
        if row["users"] is not None:
            return "concurrent_users"
        if row["from"] and not row["until"]:
            return "perpetual_access"
        if on_site or assignee and bool(store.query(
                f"ASK {{ <{assignee}> <{RGNS}userCategoryType> <{RGNS}WalkInUsers> }}")):
            return "walk_in"
        return "authorized_users"
    def loose(cs):   # eq and isPartOf name the same channel or purpose for a leaf concept
        return {(lo, "in" if op in (ODRL + "eq", ODRL + "isPartOf") else op, ro) for lo, op, ro in cs}
    for t in TERMS.values():
        if t.kind == "usage" and t.action == action and loose(t.fixed) == loose(fixed):
            return t.key
    return None


# ============================================================================ rendering


def _compact(iri, prefixes):
    if not isinstance(iri, str):
        return iri
    for p, ns in sorted(prefixes.items(), key=lambda x: -len(x[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{p}:{iri[len(ns):]}"
    return iri


def to_yaml(sheet: dict) -> str:
    """A canonical sheet as YAML (empty fields left out; reads back to the same sheet)."""
    import yaml
    out = {k: v for k, v in sheet.items() if k not in ("terms", "unmapped") and v is not None and v != {}}
    rows = []
    for r in sheet["terms"]:
        row = {}
        for k in ("term", "status", "for", "limit", "users", "from", "until", "coverage", "attribution",
                  "channel", "duty", "covers", "notice", "value", "clause", "text", "note", "rule", "comment"):
            v = r.get(k)
            if k in ("from", "until") and r.get("rule"):
                row[k] = v          # dates always shown for a rule: null means no date
            elif v is not None and v is not False and v != {}:
                row[k] = v
        rows.append(row)
    out["terms"] = rows
    text = yaml.safe_dump(out, allow_unicode=True, sort_keys=False, width=100)
    if sheet.get("unmapped"):
        text += "# rules that fit no standard term: " + ", ".join(sheet["unmapped"]) + "\n"
    recorded = unenforced_terms(sheet)
    if recorded:
        text += "# not machine-enforced (recorded only; see to them by hand): " + ", ".join(
            r["term"] + (f" (clause {r['clause']})" if r.get("clause") else "") for r in recorded) + "\n"
    return text


def to_csv(sheet: dict) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    for k in ("licence", "licensor", "licensee", "target", "status", "signed", "start", "end", "effective",
              "terminated", "cost", "currency", "note", "amends", "renews", "master"):
        if sheet.get(k):
            w.writerow({"field": k, "value": sheet[k]})
    for lang in ("zh", "en"):
        if sheet["title"].get(lang):
            w.writerow({"field": f"title_{lang}", "value": sheet["title"][lang]})
    for role, party in (sheet.get("parties") or {}).items():
        w.writerow({"field": f"party:{role}", "value": party})
    for r in sheet["terms"]:
        row = {"field": "term"}
        for k in ROW_KEYS:
            if k in ("comment", "id"):
                continue
            v = r.get(k)
            if v is None or v is False:
                continue
            if k == "duty":
                v = v["action"] + (f" within {v['within']}" if v["within"] else "")
            elif isinstance(v, list):
                v = " ".join(v)
            row[k] = "yes" if v is True else v
        if r.get("comment"):
            row["comment_zh"] = r["comment"].get("zh", "")
            row["comment_en"] = r["comment"].get("en", "")
        # an explicit empty date keeps "no end date" through the CSV
        if TERMS[r["term"]].kind == "usage" and r.get("rule"):
            row.setdefault("from", "none")
            row.setdefault("until", "none")
        w.writerow(row)
    return buf.getvalue()
