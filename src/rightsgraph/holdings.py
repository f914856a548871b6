"""Holdings: which resources an identifier names, and whether the library's holdings cover a
given publication date, volume and issue (the question a link resolver asks).

The index is built from the store by one SPARQL query (`HoldingsIndex.from_store`) and
rebuilt when a write changes a graph it reads (`HoldingsService`: the DecisionService's
fingerprint says the store changed, the provenance records say which graphs).
Coverage comes from the KBART rows (exchange/kbart.py): `rg:coverage` nodes with
`dcat:startDate` / `dcat:endDate`, first/last volume and issue, `rg:embargo` and
`rg:coverageDepth`. A resource with an identifier and no coverage node (catalogued by hand,
the demo's resources) is held with no stated limits.

Embargoes follow NISO RP-9-2014 (KBART Phase II), 6.6.14 `embargo_info` (docs/decisions.md,
"Asking by identifier"): `P` gives the period during which content is NOT available (the
moving wall: `P1Y` = everything except the current calendar year), `R` the range during
which content IS available (`R2Y` = the previous and the current calendar year only);
`Y` and `M` count calendar years and months including the current one, `D` exact days.
"""

from __future__ import annotations

import gc
import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date, datetime, timedelta, timezone
from datetime import date as _Date   # `date` is also the name of entitlement()'s parameter

import orjson

from . import write_generation
from .identifiers import Identifier, IdentifierError, doi_in, stored_forms
from .namespaces import DCAT, DCT, ODRL, PROVENANCE_GRAPH, RDF, RG
from .policy.lifecycle import binds
from .policy.operators import IRI
from .translation import both, gettext, pgettext

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_EMBARGO = re.compile(r"^([RP])([1-9][0-9]*)([DMY])$")

COVERED, NOT_COVERED, NOT_HELD = "covered", "not-covered", "not-held"


# ----------------------------------------------------------------------- dates
def parse_date(text: str, param: str = "date") -> tuple:
    """(year,), (year, month) or (year, month, day) of a KBART / ISO 8601 date."""
    v = str(text).strip()
    parts = _stored_date(v)
    if parts is None:
        raise IdentifierError(param, v, "date" if v else "empty")
    return parts


@lru_cache(maxsize=65536)
def _stored_date(text: str) -> tuple | None:
    """A date as parse_date reads it, or None if malformed (cached: the same few thousand
    dates are compared, and asked about, on every question)."""
    v = text.strip()
    m = _DATE.match(v[:10] if _DATETIME.match(v) else v)
    if not m:
        return None
    parts = tuple(int(x) for x in m.groups() if x is not None)
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return None
    return parts


@lru_cache(maxsize=4096)
def _fmt(parts: tuple) -> str:
    return "-".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])])


def _cmp(a: tuple, b: tuple) -> int:
    """Compare two dates at the precision both give (2010 against 2010-05 is equal): a
    request dated only by year is in a coverage that starts during that year."""
    k = min(len(a), len(b))
    return (a[:k] > b[:k]) - (a[:k] < b[:k])


def _months_back(today: date, n: int) -> tuple:
    idx = today.year * 12 + today.month - 1 - n
    return (idx // 12, idx % 12 + 1)


def embargo_window(embargo: str, today: date) -> tuple[tuple | None, tuple | None]:
    """(first available, last available) publication dates an embargo leaves, either None
    when unbounded. Several parts (`R10Y;P1Y`) narrow each other."""
    first = last = None
    for part in embargo.split(";"):
        m = _EMBARGO.match(part.strip())
        if not m:
            continue       # the importer refuses malformed embargoes; data from elsewhere: ignored
        kind, n, unit = m.group(1), int(m.group(2)), m.group(3)
        if kind == "P":    # the most recent n units are not available
            bound = ((today.year - n,) if unit == "Y" else _months_back(today, n) if unit == "M"
                     else _day(today - timedelta(days=n)))
            last = bound if last is None or _cmp(bound, last) < 0 else last
        else:              # only the most recent n units are available
            bound = ((today.year - n + 1,) if unit == "Y" else _months_back(today, n - 1) if unit == "M"
                     else _day(today - timedelta(days=n)))
            first = bound if first is None or _cmp(bound, first) > 0 else first
    return first, last


# a batch checks the same few embargoes on the same day thousands of times
_embargo_window = lru_cache(maxsize=1024)(embargo_window)


def _day(d: date) -> tuple:
    return (d.year, d.month, d.day)


def _number(text) -> int | None:
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------- holdings
_CLAUSE_SEPARATOR = {"en": ", ", "zh": "，"}   # typography: the clauses of a coverage text


@dataclass(frozen=True)
class Coverage:
    """One coverage range of a KBART row (None: not stated)."""
    start: str | None = None
    end: str | None = None
    first_volume: str | None = None
    first_issue: str | None = None
    last_volume: str | None = None
    last_issue: str | None = None
    embargo: str | None = None
    depth: str | None = None

    def to_json(self) -> dict:
        return dict(self._json)

    @cached_property
    def fragment(self) -> orjson.Fragment:
        """to_json() encoded once, for the answers of a batch."""
        return orjson.Fragment(orjson.dumps(self._json))

    @cached_property
    def _json(self) -> dict:
        # a batch answers thousands of questions on the same few coverage rows
        return {"start": self.start, "end": self.end, "firstVolume": self.first_volume,
                "firstIssue": self.first_issue, "lastVolume": self.last_volume, "lastIssue": self.last_issue,
                "embargo": self.embargo, "depth": self.depth}

    def text(self, lang: str = "en") -> str:
        return self._texts[1 if lang.startswith("zh") else 0]

    @cached_property
    def _texts(self) -> tuple[str, str]:
        return self._text("en"), self._text("zh")

    def _text(self, lang: str) -> str:
        parts = []
        if not (self.start or self.end or self.first_volume or self.last_volume):
            parts.append(gettext("no date limits", lang))
        else:
            start = (self.start or gettext("the first issue", lang)) + (
                f" (vol. {self.first_volume}" + (f" no. {self.first_issue}" if self.first_issue else "") + ")"
                if self.first_volume else "")
            end = (self.end or pgettext("coverage end", "present", lang)) + (
                f" (vol. {self.last_volume}" + (f" no. {self.last_issue}" if self.last_issue else "") + ")"
                if self.last_volume else "")
            parts.append(gettext("%(start)s to %(end)s", lang, start=start, end=end))
        if self.embargo:
            parts.append(gettext("embargo %(embargo)s", lang, embargo=self.embargo))
        if self.depth:
            parts.append(self.depth)
        return _CLAUSE_SEPARATOR[lang].join(parts)

    @cached_property
    def _volumes(self) -> tuple:
        """First volume, first issue, last volume, last issue as integers (None: not stated
        or not a number)."""
        return tuple(_number(x) for x in (self.first_volume, self.first_issue, self.last_volume, self.last_issue))

    @cached_property
    def _limits(self) -> tuple:
        """(abstracts only?, start, end as parsed dates or None), read once per row."""
        return (bool(self.depth and self.depth.strip().lower() == "abstracts"),
                _stored_date(self.start) if self.start else None, _stored_date(self.end) if self.end else None)

    def check(self, when: tuple | None, volume, issue, today: date) -> str | None:
        """None when the coverage holds the content, else why not: before-coverage,
        after-coverage, embargo, abstracts-only."""
        abstracts, start, end = self._limits
        if abstracts:
            return "abstracts-only"
        if when is not None:
            if start is not None and _cmp(when, start) < 0:
                return "before-coverage"
            if end is not None and _cmp(when, end) > 0:
                return "after-coverage"
            if self.embargo:
                first, last = _embargo_window(self.embargo, today)
                if (first is not None and _cmp(when, first) < 0) or (last is not None and _cmp(when, last) > 0):
                    return "embargo"
        vol = _number(volume) if volume is not None else None
        if vol is not None:
            iss = _number(issue)
            fv, fi, lv, li = self._volumes
            if fv is not None and (vol < fv or (vol == fv and iss is not None and fi is not None and iss < fi)):
                return "before-coverage"
            if lv is not None and (vol > lv or (vol == lv and iss is not None and li is not None and iss > li)):
                return "after-coverage"
        return None


@dataclass
class Holding:
    """A resource an identifier names: its packages (direct odrl:partOf) and coverage."""
    resource: str
    title: str | None = None
    packages: list = field(default_factory=list)
    coverages: list = field(default_factory=list)    # [Coverage]; empty: no stated limits


_PREDICATES = {
    RG.issn.value: "issn", RG.isbn.value: "isbn", RG.doi.value: "doi", DCT.identifier.value: "title_id",
    RG.titleUrl.value: "url",
}
_COVERAGE = {
    DCAT.startDate.value: "start", DCAT.endDate.value: "end", RG.firstVolume.value: "first_volume",
    RG.firstIssue.value: "first_issue", RG.lastVolume.value: "last_volume", RG.lastIssue.value: "last_issue",
    RG.embargo.value: "embargo", RG.coverageDepth.value: "depth",
}
_TITLE = DCT.iri("title")


def _branches() -> list[str]:
    """The patterns the index is built from, one per predicate: every triple the index
    reads matches one of them, and nothing else can change it."""
    branches = [f"{{ ?r <{p}> ?v . BIND(<{p}> AS ?p) }}"
                for p in (*_PREDICATES, _TITLE, ODRL.partOf.value, RG.coverage.value)]
    branches.append(f"{{ ?r <{RDF.type.value}> <{RG.Resource.value}> . BIND(<{RDF.type.value}> AS ?p) }}")
    return branches + [f"{{ ?c <{p}> ?v . BIND(<{p}> AS ?p) }}" for p in _COVERAGE]


def _query() -> str:
    """One query, a UNION of single-pattern branches joined in Python: joining them on
    `?r a rg:Resource` made Oxigraph 0.5 evaluate the union once per resource (minutes at
    10,000 titles), and the coverage join in SPARQL cost a third more than in Python."""
    return "SELECT ?r ?p ?v ?c WHERE {\n  " + "\n  UNION ".join(_branches()) + "\n}"


def holds_holdings(store, graph: str) -> bool:
    """Whether the named graph has a triple the index reads: an rg:Resource typing, an
    identifier, title, package or coverage link of an rg:Resource, or a value of a
    coverage node of one. (Typed and linked in whatever graph: a typing or a link is read
    itself, so a change to it is a change to a graph that holds one.) Titles, dct:identifier
    and odrl:partOf of other things (licences have them) are not read; a graph with none
    of these adds nothing to the index. Each branch starts from the graph's own triples of
    one predicate (an index range), so the cost is that of the graph's matching triples."""
    resource = f"?r <{RDF.type.value}> <{RG.Resource.value}>"
    branches = [f"{{ GRAPH <{graph}> {{ {resource} }} }}"]
    branches += [f"{{ GRAPH <{graph}> {{ ?r <{p}> ?v }} FILTER EXISTS {{ {resource} }} }}"
                 for p in (*_PREDICATES, _TITLE, ODRL.partOf.value, RG.coverage.value)]
    branches += [f"{{ GRAPH <{graph}> {{ ?c <{p}> ?v }} FILTER EXISTS {{ ?r <{RG.coverage.value}> ?c . {resource} }} }}"
                 for p in _COVERAGE]
    return bool(store.query("ASK { " + " UNION ".join(branches) + " }"))


def graph_states(store, graphs=None) -> dict[str, str]:
    """Named graph -> when it last changed: the `dct:modified` that the provenance record
    of every write gives each graph it wrote (a graph removed by a harvest loses it).
    `graphs`: only those (IRIs)."""
    values = "" if graphs is None else "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } "
    rows = store.query(f"SELECT ?g ?m WHERE {{ {values}GRAPH <{PROVENANCE_GRAPH.value}> "
                       f"{{ ?g <{DCT.modified.value}> ?m }} }}")
    return {r["g"].value: r["m"].value for r in rows}


class HoldingsIndex:
    """Normal-form identifier -> the holdings it names."""

    def __init__(self):
        self.by_id: dict[tuple, list[Holding]] = {}
        self.resources: dict[str, Holding] = {}
        self._licences: tuple | None = None

    @classmethod
    def from_store(cls, store) -> "HoldingsIndex":
        from .exchange.kbart import _q   # solutions as strings through TSV: fast on 100,000s of rows
        return cls.from_solutions(_q(store, _query()))

    @classmethod
    def from_solutions(cls, rows) -> "HoldingsIndex":
        idx = cls()
        ids: dict[str, set] = {}
        titles: dict[str, list] = {}
        coverage: dict[str, dict[str, dict]] = {}
        typed: set = set()
        coverage_of: dict[str, str] = {}               # coverage node -> resource
        coverage_values: dict[str, dict] = {}          # coverage node -> {field: value}
        # namespace lookups are slow per row
        rdf_type, part_of, has_coverage = RDF.type.value, ODRL.partOf.value, RG.coverage.value
        for row in rows:
            r, p, v, c = row["r"], row["p"], row["v"], row.get("c")
            if c is not None:
                coverage_values.setdefault(c, {})[_COVERAGE[p]] = v
                continue
            if p == rdf_type:
                typed.add(r)
                continue
            if p == has_coverage:
                coverage_of[v] = r
                continue
            if v is None or v.startswith("_:"):
                continue
            h = idx.resources.get(r)
            if h is None:
                h = idx.resources[r] = Holding(r)
            if p == part_of:
                h.packages.append(v)
            elif p == _TITLE:
                titles.setdefault(r, []).append(v)
            else:
                scheme = _PREDICATES[p]
                found = ids.setdefault(r, set())
                ident = stored_forms(scheme, v)
                if ident is not None:
                    found.add(ident)
                doi = doi_in(v) if scheme in ("url", "title_id") else None
                if doi:
                    found.add(Identifier("doi", doi))
        ids = {r: found for r, found in ids.items() if r in typed and found}   # rg:Resource only
        for c, r in coverage_of.items():
            if r in ids:
                coverage.setdefault(r, {})[c] = coverage_values.get(c, {})
        shared: dict = {}     # equal coverage rows as one object: its JSON and sentences made once
        for r, found in ids.items():
            h = idx.resources[r]
            h.packages.sort()
            h.title = min(titles[r]) if r in titles else None
            h.coverages = sorted((shared.setdefault(c, c) for c in (Coverage(**cov) for cov in coverage.get(r, {}).values())),
                                 key=lambda c: (c.start or "", c.end or "9999"))
            for ident in found:
                idx.by_id.setdefault((ident.scheme, ident.value), []).append(h)
        for hs in idx.by_id.values():
            hs.sort(key=lambda h: h.resource)
        # resources without any identifier are not asked about by identifier
        idx.resources = {r: idx.resources[r] for r in ids}
        return idx

    def licences(self, policy_index, at: datetime | None = None):
        """licences_from(policy_index, at), kept while the policy index and the day are the
        same (a batch of 10,000 questions asks for it 10,000 times)."""
        day = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
        last = self._licences          # read once: threads replace the tuple as a whole
        if last is not None and last[0] is policy_index and last[1] == day:
            return last[2]
        fn = licences_from(policy_index, at)
        self._licences = (policy_index, day, fn)
        return fn

    def lookup(self, ident: Identifier) -> list[Holding]:
        return self.by_id.get((ident.scheme, ident.value), [])

    def entitlement(self, ident: Identifier, date: tuple | str | None = None, volume=None, issue=None,
                    at: datetime | date | None = None, licences=None) -> "Entitlement":
        """Whether the holdings cover `ident` for a publication `date` (and volume/issue).
        `licences(resource) -> [policy IRI]` names the licences (DecisionService gives one
        from the policy index)."""
        when = parse_date(date) if isinstance(date, str) else date
        today = (at.astimezone(timezone.utc).date() if isinstance(at, datetime)
                 else at if isinstance(at, _Date) else datetime.now(timezone.utc).date())
        out = []
        covered = False
        for h in self.lookup(ident):
            lic = list(licences(h.resource)) if licences else []
            if not h.coverages:          # no stated limits
                out.append(HoldingAnswer(h, None, lic, None))
                covered = True
            for cov in h.coverages:
                why = cov.check(when, volume, issue, today)
                covered = covered or why is None
                out.append(HoldingAnswer(h, cov, lic, why))
        status = NOT_HELD if not out else COVERED if covered else NOT_COVERED
        return Entitlement(ident, status, out, _fmt(when) if when else None,
                           None if volume is None else str(volume), None if issue is None else str(issue))


@dataclass
class HoldingAnswer:
    holding: Holding
    coverage: Coverage | None
    licences: list
    reason: str | None           # None: covered

    def to_json(self, hidden: frozenset = frozenset()) -> dict:
        return {"resource": self.holding.resource, "title": self.holding.title,
                "packages": self.holding.packages, "licences": masked(self.licences, hidden),
                "coverage": self.coverage.to_json() if self.coverage else None,
                "status": COVERED if self.reason is None else NOT_COVERED, "reason": self.reason}


_LABELS = {"doi": "DOI", "issn": "ISSN", "isbn": "ISBN", "title_id": "TITLE ID", "url": "URL"}


def _n(message: str) -> str:  # marks a msgid for extraction; translated where shown (texts)
    return message


_REASONS = {
    "before-coverage": _n("is before the coverage"),
    "after-coverage": _n("is after the coverage"),
    "embargo": _n("is within the embargo"),
    "abstracts-only": _n("is covered by abstracts only"),
}


@dataclass
class Entitlement:
    identifier: Identifier
    status: str                   # covered | not-covered | not-held
    holdings: list                # [HoldingAnswer], covered ones first
    date: str | None = None
    volume: str | None = None
    issue: str | None = None

    def __post_init__(self):
        if len(self.holdings) > 1:
            self.holdings.sort(key=lambda a: a.reason is not None)

    @property
    def deciding(self) -> HoldingAnswer | None:
        return self.holdings[0] if self.holdings else None

    def text(self, lang: str = "en", hidden: frozenset = frozenset()) -> str:
        return self.texts(hidden)[1 if lang.startswith("zh") else 0]

    def texts(self, hidden: frozenset = frozenset(), lic: str | None = None) -> tuple[str, str]:
        """The answer in words, in English and in Chinese (built together: they say the same).
        `lic`: the deciding holding's licences as named (masked, joined), when known."""
        ident = f"{_LABELS.get(self.identifier.scheme) or self.identifier.scheme.upper()} {self.identifier.value}"
        d = self.deciding
        if d is None:
            texts = both("Not held: no resource in the store has %(ident)s.", ident=ident)
            return texts["en"], texts["zh"]
        what = ((self.date or "") + (f" vol. {self.volume}" if self.volume else "") + (
            f" no. {self.issue}" if self.issue else "")).strip()
        title, where = d.holding.title or d.holding.resource, ", ".join(d.holding.packages) or "-"
        coverage = d.coverage._texts if d.coverage else (gettext("not stated", "en"), gettext("not stated", "zh"))
        if lic is None:
            lic = ", ".join(masked(d.licences, hidden))
        if d.reason is None:
            en, zh = (gettext("Covered: %(title)s (%(ident)s) %(what)s in %(where)s, coverage %(coverage)s, "
                              "licence %(licence)s.", lang, title=title, ident=ident, what=what, where=where,
                              coverage=coverage[i], licence=lic or pgettext("licence", "none", lang))
                      for i, lang in enumerate(("en", "zh")))
            return en.replace("  ", " ").replace(" ,", ","), zh.replace("  ", " ").replace(" ,", ",")
        return tuple(gettext("Not covered: %(title)s (%(ident)s) is held in %(where)s, but %(what)s %(reason)s "
                             "(coverage %(coverage)s).", lang, title=title, ident=ident, where=where,
                             what=what or pgettext("the content asked about", "it", lang),
                             reason=gettext(_REASONS[d.reason], lang),
                             coverage=coverage[i])
                     for i, lang in enumerate(("en", "zh")))

    def to_json(self, hidden: frozenset = frozenset(), fields: frozenset | None = None) -> dict:
        """The answer; licences in `hidden` (confidential to the caller) are named
        `(confidential)`. Holdings and coverage are not confidential: KBART lists are
        shared with every knowledge base. `fields` (a subset of ANSWER_FIELDS): only those
        keys, the others not computed (a batch's compact form)."""
        d = self.deciding
        if fields is None:
            en, zh = self.texts(hidden)
            return {"identifier": self.identifier.to_json(), "status": self.status, "date": self.date,
                    "volume": self.volume, "issue": self.issue,
                    "resource": d.holding.resource if d else None,
                    "packages": d.holding.packages if d else [], "licences": masked(d.licences, hidden) if d else [],
                    "coverage": d.coverage.to_json() if d and d.coverage else None,
                    "reason": d.reason if d else None,
                    "holdings": [a.to_json(hidden) for a in self.holdings],
                    "en": en, "zh": zh}
        values = {
            "identifier": lambda: self.identifier.to_json(), "status": lambda: self.status,
            "date": lambda: self.date, "volume": lambda: self.volume, "issue": lambda: self.issue,
            "resource": lambda: d.holding.resource if d else None,
            "packages": lambda: d.holding.packages if d else [],
            "licences": lambda: masked(d.licences, hidden) if d else [],
            "coverage": lambda: d.coverage.to_json() if d and d.coverage else None,
            "reason": lambda: d.reason if d else None,
            "holdings": lambda: [a.to_json(hidden) for a in self.holdings],
            "en": lambda: self.texts(hidden)[0], "zh": lambda: self.texts(hidden)[1]}
        return {k: values[k]() for k in ANSWER_FIELDS if k in fields}


class BatchEncoder:
    """The full answers of one batch (one index, one day, one caller), each encoded as it is
    made. What answers share is encoded once and put in as an orjson fragment: a coverage
    row (equal rows are one object in the index) and a list of licences as the caller may
    see them, with its text for the sentences. The bytes are those of
    `orjson.dumps(Entitlement.to_json(hidden))`, the same keys in the same order."""

    def __init__(self, hidden: frozenset = frozenset()):
        self.hidden = hidden
        self._licences: dict = {}     # licence IRIs -> (them masked as a fragment, as text)

    def _named(self, licences: list) -> tuple:
        key = tuple(licences)
        found = self._licences.get(key)
        if found is None:
            shown = masked(licences, self.hidden)
            found = self._licences[key] = (orjson.Fragment(orjson.dumps(shown)), ", ".join(shown))
        return found

    def encode(self, ent: "Entitlement") -> orjson.Fragment:
        d = ent.deciding
        try:
            if d is None:
                return orjson.Fragment(orjson.dumps(ent.to_json(self.hidden)))
            holdings = [{"resource": a.holding.resource, "title": a.holding.title, "packages": a.holding.packages,
                         "licences": self._named(a.licences)[0],
                         "coverage": a.coverage.fragment if a.coverage else None,
                         "status": COVERED if a.reason is None else NOT_COVERED, "reason": a.reason}
                        for a in ent.holdings]
            licences, lic = self._named(d.licences)
            en, zh = ent.texts(self.hidden, lic)
            return orjson.Fragment(orjson.dumps({
                "identifier": ent.identifier.to_json(), "status": ent.status, "date": ent.date,
                "volume": ent.volume, "issue": ent.issue, "resource": d.holding.resource,
                "packages": d.holding.packages, "licences": licences,
                "coverage": d.coverage.fragment if d.coverage else None, "reason": d.reason,
                "holdings": holdings, "en": en, "zh": zh}))
        except orjson.JSONEncodeError:    # a lone surrogate escaped in the request (valid JSON, not UTF-8)
            return orjson.Fragment(json.dumps(ent.to_json(self.hidden), separators=(",", ":")).encode())


# The keys of an entitlement answer, in their order.
ANSWER_FIELDS = ("identifier", "status", "date", "volume", "issue", "resource", "packages", "licences",
                 "coverage", "reason", "holdings", "en", "zh")


CONFIDENTIAL = "(confidential)"   # as decision_service.CONFIDENTIAL


def masked(licences: list, hidden: frozenset) -> list:
    """The licences with those in `hidden` shown as one `(confidential)` entry."""
    if not hidden:
        return licences
    out = [x for x in licences if x not in hidden]
    return out + [CONFIDENTIAL] if len(out) < len(licences) else out


def licences_from(index, at: datetime | None = None):
    """resource -> IRIs of the policies with a permission on it or on a collection it is
    part of (the licences that cover it), from a PolicyIndex: those that bind on the day of
    `at` (default today; not an Offer, not in negotiation or rejected, not terminated)."""
    today = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).date()
    cache: dict = {}

    def licences(resource: str) -> list:
        found = cache.get(resource)
        if found is None:
            found = set()
            for t in index.self_and_ancestors(IRI(resource)):
                for policy, rule in index.by_target.get(t, ()):
                    if rule.kind == "permission" and policy.binding and binds(policy, today):
                        found.add(str(policy.id))
            found = cache[resource] = sorted(found)
        return found
    return licences


_paused = 0
_paused_lock = threading.Lock()
_was_enabled = False


@contextmanager
def collection_paused():
    """Python's cyclic garbage collector off while a batch is answered or the index is built
    (threads doing either at the same time keep it off until the last one ends). Both make
    hundreds of thousands of objects and no cycles. A batch's are short-lived: counted by
    the collector, they made it scan every object of the holdings and policy indexes (2.3
    million at 100,000 KBART titles) every few batches, 1-2.5 s each time; freed by
    reference counting before it runs again, they never count. The index build spent a
    fifth of its CPU time in collections that found nothing to free."""
    global _paused, _was_enabled
    with _paused_lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _paused_lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()


class HoldingsService:
    """One HoldingsIndex per state of the graphs it is built from. The store's state is
    checked as the policy index's is (`fingerprint()` at most every `ttl` seconds, at once
    after a write of this process: write_generation.generation()); when it changed, the
    index is rebuilt only if a graph that changed held, or now holds, a triple the index
    reads (`holds_holdings`). Which graphs changed, the provenance record of every write
    says (`graph_states`): a licence import, or any write to graphs without such triples,
    leaves the index as it is; a KBART import rebuilds it. A change that names no graph (a write
    without a provenance record) rebuilds it, as any change did before.

    `builds` counts the builds (for tests and the benchmark: a timing-free signal)."""

    def __init__(self, store, fingerprint, ttl: float = 5.0):
        self.store, self.fingerprint, self.ttl = store, fingerprint, ttl
        self._lock = threading.Lock()
        self._index: HoldingsIndex | None = None
        self._built_for: tuple = ()
        self._checked = 0.0
        self._states: dict[str, str] = {}      # graph -> dct:modified when the index was last current
        self._sources: set[str] = set()        # the named graphs holding what the index reads
        self.builds = 0

    def index(self) -> HoldingsIndex:
        now = time.monotonic()
        if (self._index is not None and self._built_for[0] == write_generation.generation()
                and now - self._checked < self.ttl):
            return self._index
        with self._lock:
            fp = (write_generation.generation(), self.fingerprint())
            self._checked = time.monotonic()
            if self._index is None or fp != self._built_for:
                states = graph_states(self.store)
                if self._index is None or self._touches_holdings(states):
                    self._build()
                self._states = states
            self._built_for = fp
        return self._index

    def _touches_holdings(self, states: dict[str, str]) -> bool:
        changed = {g for g in states.keys() | self._states.keys() if states.get(g) != self._states.get(g)}
        if not changed:
            return True           # the store changed, the records do not say where: rebuild
        return any(g in self._sources or holds_holdings(self.store, g) for g in changed)

    def _build(self) -> None:
        # the graphs first: a write landing during the build is then seen by the next check
        sources = {g.value for g in self.store.graphs() if holds_holdings(self.store, g.value)}
        with collection_paused():
            self._index = HoldingsIndex.from_store(self.store)
        self._sources = sources
        self.builds += 1


__all__ = ["HoldingsIndex", "HoldingsService", "collection_paused", "ANSWER_FIELDS", "BatchEncoder", "Holding", "Coverage", "Entitlement", "parse_date",
           "embargo_window", "licences_from", "COVERED", "NOT_COVERED", "NOT_HELD"]
