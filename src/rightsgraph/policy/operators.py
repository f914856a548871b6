"""ODRL 2.2 operators and the datatype semantics behind them.

Values are compiled once from RDF terms into plain Python values so that a decision never
touches pyoxigraph objects:

- IRIs become :class:`IRI` (a ``str`` subclass, so they hash and compare fast but are never
  equal to a plain string literal);
- ``xsd:dateTime`` becomes an aware ``datetime`` (no timezone in the lexical form: UTC),
  ``xsd:date`` a ``date``;
- integers and decimals become ``Decimal`` (exact: ``"5.00"`` equals ``5``), doubles ``float``;
- ``xsd:duration`` becomes :class:`Duration`;
- language-tagged strings become :class:`LangStr`, other literals ``str``.

Comparison with an xsd:date against an xsd:dateTime uses calendar days (see
docs/decisions.md, "dateTime against a date"): ``dateTime lteq "2025-12-31"^^xsd:date`` holds
for the whole of 31 December, which is how licence end dates are meant.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from pyoxigraph import BlankNode, Literal, NamedNode

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
ODRL = "http://www.w3.org/ns/odrl/2/"

_INTEGER_TYPES = {XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_DECIMAL_TYPES = _INTEGER_TYPES | {XSD + "decimal"}
_FLOAT_TYPES = {XSD + "double", XSD + "float"}


class IRI(str):
    """An IRI value (kept distinct from string literals)."""

    __slots__ = ()

    def __repr__(self):
        return f"<{str(self)}>"


class BNode(str):
    """A blank node label, for values that are nodes without an IRI."""

    __slots__ = ()


class LangStr(str):
    """A language-tagged string."""

    __slots__ = ("lang",)

    def __new__(cls, value, lang):
        obj = str.__new__(cls, value)
        obj.lang = lang.lower()
        return obj

    def __getnewargs__(self):       # pickled with a compiled index (policy/index_cache.py)
        return str(self), self.lang


class Duration:
    """xsd:duration as (months, seconds); comparable when one component is zero in both."""

    __slots__ = ("months", "seconds", "lexical")
    _RE = re.compile(r"^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?"
                     r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")

    def __init__(self, lexical: str):
        m = self._RE.match(lexical.strip())
        if not m or lexical.strip() in ("P", "-P") or lexical.strip().endswith("T"):
            raise ValueError(f"not an xsd:duration: {lexical!r}")
        sign = -1 if m.group(1) else 1
        y, mo, d, h, mi = (int(g or 0) for g in m.groups()[1:6])
        s = Decimal(m.group(7) or 0)
        self.months = sign * (12 * y + mo)
        self.seconds = sign * (((d * 24 + h) * 60 + mi) * 60 + s)
        self.lexical = lexical

    @classmethod
    def from_timedelta(cls, td: timedelta) -> "Duration":
        d = cls("PT0S")
        d.seconds = Decimal(str(td.total_seconds()))
        d.lexical = f"PT{d.seconds}S"
        return d

    def key(self):
        # Months and days are not comparable in general (a month has 28-31 days); we
        # compare only when no months are involved on either side, or only months.
        return (self.months, self.seconds)

    def __eq__(self, other):
        return isinstance(other, Duration) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def __repr__(self):
        return f"Duration({self.lexical!r})"


def _parse_datetime(lexical: str) -> datetime:
    s = lexical.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:  # no timezone in the data: we read it as UTC (documented)
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


def _parse_date(lexical: str) -> date:
    s = lexical.strip()
    # xsd:date may carry a timezone ("2024-01-01Z", "2024-01-01+01:00"): the calendar day
    # is what matters for licence terms, so the timezone is dropped.
    return date.fromisoformat(s[:10])


def literal_value(datatype: str, lexical: str, lang: str | None = None):
    """Python value of a literal; falls back to the lexical string when malformed."""
    try:
        if lang:
            return LangStr(lexical, lang)
        if datatype == XSD + "dateTime" or datatype == XSD + "dateTimeStamp":
            return _parse_datetime(lexical)
        if datatype == XSD + "date":
            return _parse_date(lexical)
        if datatype in _DECIMAL_TYPES:
            return Decimal(lexical.strip())
        if datatype in _FLOAT_TYPES:
            return float(lexical)
        if datatype == XSD + "boolean":
            return lexical.strip() in ("true", "1")
        if datatype in (XSD + "duration", XSD + "dayTimeDuration", XSD + "yearMonthDuration"):
            return Duration(lexical)
        if datatype == XSD + "anyURI":
            return IRI(lexical)
    except (ValueError, InvalidOperation):
        pass
    return lexical


def term_value(term):
    """Python value of a pyoxigraph term."""
    if isinstance(term, NamedNode):
        return IRI(term.value)
    if isinstance(term, Literal):
        return literal_value(term.datatype.value, term.value, term.language)
    if isinstance(term, BlankNode):
        return BNode("_:" + term.value)
    return term


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


def python_value(v):
    """Normalise a caller-supplied context value (term, str, number, datetime...)."""
    t = type(v)
    if t is datetime:  # the common case (request time) first
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if t is IRI:
        return v
    if isinstance(v, (NamedNode, Literal, BlankNode)):
        return term_value(v)
    if isinstance(v, (IRI, LangStr, Duration, BNode)):
        return v
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return v
    if isinstance(v, Decimal):
        return v
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)
    if isinstance(v, date):
        return v
    if isinstance(v, timedelta):
        return Duration.from_timedelta(v)
    if isinstance(v, str):
        # A plain string that looks like an IRI is an IRI: CLI and JSON callers cannot
        # say otherwise, and no ODRL right operand compares a URL-looking string literal.
        return IRI(v) if _SCHEME.match(v) else v
    return v


# ---------------------------------------------------------------- comparison

def _num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, float):
        return Decimal(repr(v))
    return None


def compare(a, b):
    """-1/0/1 when a and b are comparable, None otherwise."""
    na, nb = _num(a), _num(b)
    if na is not None and nb is not None:
        return (na > nb) - (na < nb)
    if isinstance(a, datetime):
        if isinstance(b, datetime):
            return (a > b) - (a < b)
        if isinstance(b, date):  # calendar day of the dateTime, in its own timezone
            da = a.date()
            return (da > b) - (da < b)
        return None
    if isinstance(a, date):
        if isinstance(b, datetime):
            c = compare(b, a)
            return None if c is None else -c
        if isinstance(b, date):
            return (a > b) - (a < b)
        return None
    if isinstance(a, Duration) and isinstance(b, Duration):
        if (a.months == 0 and b.months == 0) or (a.seconds == 0 and b.seconds == 0):
            ka, kb = a.key(), b.key()
            return (ka > kb) - (ka < kb)
        return None
    if isinstance(a, IRI) or isinstance(b, IRI):
        if isinstance(a, IRI) and isinstance(b, IRI):
            return 0 if str(a) == str(b) else None
        return None
    if isinstance(a, LangStr) and isinstance(b, LangStr):
        # language tags compare case-insensitively; text compares exactly
        if str(a) == str(b) and a.lang == b.lang:
            return 0
        return None
    if isinstance(a, str) and isinstance(b, str):
        sa, sb = str(a), str(b)
        return (sa > sb) - (sa < sb)
    if type(a) is type(b):
        try:
            return (a > b) - (a < b)
        except TypeError:
            return 0 if a == b else None
    return None


def equal(a, b) -> bool:
    return compare(a, b) == 0


ORDER_OPS = {
    ODRL + "eq": lambda c: c == 0,
    ODRL + "lt": lambda c: c < 0,
    ODRL + "lteq": lambda c: c <= 0,
    ODRL + "gt": lambda c: c > 0,
    ODRL + "gteq": lambda c: c >= 0,
}
SET_OPS = {ODRL + n for n in ("isAllOf", "isAnyOf", "isNoneOf")}
ALL_OPERATORS = set(ORDER_OPS) | SET_OPS | {ODRL + n for n in ("neq", "isA", "hasPart", "isPartOf")}


def language_match(left, right) -> bool:
    """BCP 47 basic filtering: right "en" matches left "en-GB" (RFC 4647 3.3.1)."""
    l, r = str(left).lower(), str(right).lower()
    return l == r or l.startswith(r + "-") or r == "*"


def apply(op: str, lefts: list, rights: list, *, part_of=None, types=None, language=False) -> bool:
    """Evaluate ``lefts op rights``.

    ``lefts`` are the values the context supplies (one or more), ``rights`` the constraint's
    right operand values (one, or several for set operators / rdf:List right operands).
    ``part_of(x)`` gives the transitive odrl:partOf ancestors of x (for isPartOf/hasPart);
    ``types(x)`` the classes of x with their superclasses (for isA).

    Scalar operators with several left values must hold for every left value (the stricter
    reading: a request for purposes {research, commercial} does not satisfy
    ``purpose eq research``).
    """
    if op in ORDER_OPS:
        test = ORDER_OPS[op]
        right = rights[0]
        for lv in lefts:
            if op == ODRL + "eq" and language:
                if not any(language_match(lv, r) for r in rights):
                    return False
                continue
            if op == ODRL + "eq" and len(rights) > 1:
                if not any(equal(lv, r) for r in rights):
                    return False
                continue
            c = compare(lv, right)
            if c is None or not test(c):
                return False
        return True
    if op == ODRL + "neq":
        for lv in lefts:
            for r in rights:
                if (language and language_match(lv, r)) or equal(lv, r):
                    return False
        return True
    if op == ODRL + "isAnyOf":
        return all(any(_same(lv, r, language) for r in rights) for lv in lefts)
    if op == ODRL + "isNoneOf":
        return not any(_same(lv, r, language) for lv in lefts for r in rights)
    if op == ODRL + "isAllOf":
        # The left value (a set) is all of the right operand: every right member is present.
        return all(any(_same(lv, r, language) for lv in lefts) for r in rights)
    if op == ODRL + "isA":
        if types is None:
            return False
        for lv in lefts:
            classes = types(lv)
            if not any(isinstance(r, IRI) and r in classes for r in rights):
                return False
        return True
    if op == ODRL + "isPartOf":
        for lv in lefts:
            anc = part_of(lv) if part_of else ()
            if not any(equal(lv, r) or r in anc for r in rights):
                return False
        return True
    if op == ODRL + "hasPart":
        for lv in lefts:
            if not all(equal(lv, r) or (part_of and lv in part_of(r)) for r in rights):
                return False
        return True
    raise ValueError(f"unknown ODRL operator {op}")


def _same(a, b, language=False) -> bool:
    return language_match(a, b) if language else equal(a, b)


def lexical(v) -> str:
    """A short human form of a value (for JSON output)."""
    if isinstance(v, datetime):
        if v.microsecond % 1000 == 0:
            text = v.isoformat(timespec="milliseconds" if v.microsecond else "seconds")
        else:
            text = v.isoformat()
        return text.replace("+00:00", "Z")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Duration):
        return v.lexical
    return str(v)


def to_term(v):
    """pyoxigraph term for a Python value (reports)."""
    if isinstance(v, IRI):
        return NamedNode(str(v))
    if isinstance(v, BNode):
        return BlankNode(str(v)[2:])
    if isinstance(v, LangStr):
        return Literal(str(v), language=v.lang)
    if isinstance(v, bool):
        return Literal("true" if v else "false", datatype=NamedNode(XSD + "boolean"))
    if isinstance(v, datetime):
        return Literal(lexical(v), datatype=NamedNode(XSD + "dateTime"))
    if isinstance(v, date):
        return Literal(v.isoformat(), datatype=NamedNode(XSD + "date"))
    if isinstance(v, Decimal):
        if v == v.to_integral_value() and "." not in str(v) and "E" not in str(v):
            return Literal(str(v), datatype=NamedNode(XSD + "integer"))
        return Literal(str(v), datatype=NamedNode(XSD + "decimal"))
    if isinstance(v, float):
        return Literal(repr(v), datatype=NamedNode(XSD + "double"))
    if isinstance(v, Duration):
        return Literal(v.lexical, datatype=NamedNode(XSD + "duration"))
    return Literal(str(v))
