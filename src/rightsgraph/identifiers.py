"""Identifiers a library asks by: DOI, ISSN, ISBN, KBART title_id, URL.

One normal form for each, used both for what the store holds (holdings.py) and for what
a caller asks, so that `1545-4282`, `15454282` and `ISSN 1545-4282` find the same title and
`0-306-40615-2` finds the row that gives `978-0-306-40615-7`. A malformed identifier is an
error naming the parameter and the value (`IdentifierError`), never a silent "not held".
The ISSN / ISBN check-digit arithmetic lives here; the KBART reader uses it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from .translation import gettext

SCHEMES = ("doi", "issn", "isbn", "title_id", "url")

_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dXx])$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_ISSN_LABEL = re.compile(r"^issn[:\s]*", re.IGNORECASE)
_ISBN_LABEL = re.compile(r"^isbn(?:-1[03])?[:\s]*", re.IGNORECASE)
_ISBN_DIGITS = re.compile(r"\d{9}[\dX]|97[89]\d{10}")
_ISBN_WRITTEN = re.compile(r"[0-9Xx][0-9Xx -]*")
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|info:doi/)", re.IGNORECASE)


def _(message: str) -> str:  # marks a msgid for extraction; translated when shown (IdentifierError.text)
    return message


_MESSAGES = {
    "empty": _("is empty"),
    "issn": _("not an ISSN (NNNN-NNNC)"),
    "issn_check": _("wrong ISSN check digit (expected {expected})"),
    "isbn": _("not an ISBN-10 or ISBN-13"),
    "isbn_check": _("wrong ISBN check digit (expected {expected})"),
    "doi": _("not a DOI (10.NNNN/suffix, optionally with doi: or https://doi.org/)"),
    "url": _("not an absolute http(s) URL"),
    "scheme": _("unknown identifier kind (one of doi, issn, isbn, title_id, url)"),
    "several": _("give one identifier, not several ({names})"),
    "untagged": _("not an identifier: write scheme:value (doi:, issn:, isbn:, title_id:, url:), a DOI, "
                  "a URL, an ISSN or an ISBN"),
    "missing": _("missing: give one of doi, issn, isbn, title_id, url"),
    "date": _("not a date YYYY, YYYY-MM or YYYY-MM-DD"),
    "with_target": _("give either target or an identifier ({name}), not both"),
}


class IdentifierError(ValueError):
    """A malformed identifier: names the parameter and the value, in English and Chinese."""

    def __init__(self, param: str, value: str, code: str, **params):
        self.param, self.value, self.code, self.params = param, value, code, params
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        msg = gettext(_MESSAGES[self.code], "zh" if str(lang).startswith("zh") else "en").format(**self.params)
        return f"{self.param}: {self.value!r}: {msg}" if self.value else f"{self.param}: {msg}"


@dataclass(frozen=True)
class Identifier:
    scheme: str     # one of SCHEMES
    value: str      # normal form (see the normalise_* functions)

    def to_json(self) -> dict:
        return {"scheme": self.scheme, "value": self.value}

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


# ----------------------------------------------------------------------- check digits
def issn_check_digit(first7: str) -> str:
    """ISO 3297: weights 8..2, modulus 11, 10 written X."""
    total = sum(int(d) * w for d, w in zip(first7, range(8, 1, -1)))
    c = (11 - total % 11) % 11
    return "X" if c == 10 else str(c)


def isbn_digits(v: str) -> str:
    """An ISBN without hyphens and spaces, X upper-case."""
    return v.replace("-", "").replace(" ", "").upper()


def isbn_check_digit(body: str) -> str:
    """Expected last character of an ISBN whose other digits are `body` (9 or 12 digits)."""
    if len(body) == 9:
        c = (11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1))) % 11) % 11
        return "X" if c == 10 else str(c)
    c = (10 - sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body)) % 10) % 10
    return str(c)


# ----------------------------------------------------------------------- normal forms
def normalise_issn(text: str, param: str = "issn") -> str:
    """`NNNN-NNNC` (hyphen, upper-case X); an `ISSN ` label is dropped."""
    v = _ISSN_LABEL.sub("", text.strip())
    m = _ISSN.match(v)
    if not m:
        raise IdentifierError(param, text, "issn" if v else "empty")
    expected = issn_check_digit(m.group(1) + m.group(2)[:3])
    if m.group(2)[3].upper() != expected:
        raise IdentifierError(param, text, "issn_check", expected=expected)
    return f"{m.group(1)}-{m.group(2).upper()}"


def normalise_isbn(text: str, param: str = "isbn") -> str:
    """ISBN-13 digits: an ISBN-10 becomes 978 + its first nine digits + a new check digit."""
    v = _ISBN_LABEL.sub("", text.strip())
    digits = isbn_digits(v)
    if not _ISBN_DIGITS.fullmatch(digits) or not _ISBN_WRITTEN.fullmatch(v):
        raise IdentifierError(param, text, "isbn" if v else "empty")
    expected = isbn_check_digit(digits[:-1])
    if digits[-1] != expected:
        raise IdentifierError(param, text, "isbn_check", expected=expected)
    if len(digits) == 10:
        body = "978" + digits[:9]
        return body + isbn_check_digit(body)
    return digits


def normalise_doi(text: str, param: str = "doi") -> str:
    """`10.prefix/suffix`, lower-case (DOIs are case-insensitive, ISO 26324), without
    `doi:`, `info:doi/` or a doi.org resolver prefix."""
    v = _DOI_PREFIXES.sub("", text.strip())
    if not _DOI.match(v):
        raise IdentifierError(param, text, "doi" if v else "empty")
    return v.lower()


def normalise_url(text: str, param: str = "url") -> str:
    """A URL as a key: scheme-less (http and https are the same resource), host lower-case,
    default port, fragment and a trailing slash dropped; path and query kept as given."""
    v = text.strip()
    try:
        parts = urlsplit(v)
    except ValueError:
        raise IdentifierError(param, text, "url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", v):
        raise IdentifierError(param, text, "url" if v else "empty")
    host = parts.netloc.lower()
    if host.endswith((":80", ":443")):
        host = host.rsplit(":", 1)[0]
    path = parts.path.rstrip("/")
    return urlunsplit(("", host, path, parts.query, ""))[2:]   # drop the leading "//"


def normalise_title_id(text: str, param: str = "title_id") -> str:
    """A KBART title_id is the provider's own key: kept as given, only trimmed."""
    v = text.strip()
    if not v:
        raise IdentifierError(param, text, "empty")
    return v


_NORMALISERS = {"doi": normalise_doi, "issn": normalise_issn, "isbn": normalise_isbn,
                "title_id": normalise_title_id, "url": normalise_url}


def parse(scheme: str, text: str, param: str | None = None) -> Identifier:
    """The identifier in its normal form; IdentifierError naming `param` if malformed."""
    if scheme not in _NORMALISERS:
        raise IdentifierError(param or "scheme", scheme, "scheme")
    return Identifier(scheme, _NORMALISERS[scheme](str(text), param or scheme))


def stored_forms(scheme: str, text: str) -> Identifier | None:
    """The normal form of a value read from the store, or None when it is malformed (data
    loaded before these checks, or another use of the property: it simply matches nothing)."""
    try:
        return parse(scheme, text)
    except IdentifierError:
        return None


def doi_in(text: str) -> str | None:
    """The DOI in a doi.org URL, `doi:` or `info:doi/` form, or None."""
    if not _DOI_PREFIXES.match(text.strip()):
        return None
    try:
        return normalise_doi(text)
    except IdentifierError:
        return None


def parse_tagged(text: str, param: str = "identifier") -> Identifier:
    """One identifier written on its own (a line of a file, an item of a JSON list):
    `scheme:value` (doi:, issn:, isbn:, title_id:, url:), or recognised by its form: a
    doi.org URL or `10.` prefix is a DOI, another http(s) URL a URL, then ISSN, then ISBN."""
    v = str(text).strip()
    head, sep, rest = v.partition(":")
    if sep and head.lower().replace("-", "_") in _NORMALISERS and not rest.startswith("//"):
        scheme = head.lower().replace("-", "_")
        return Identifier(scheme, _NORMALISERS[scheme](rest if scheme != "doi" else v, param))
    if doi_in(v) or v.startswith("10."):
        return Identifier("doi", normalise_doi(v, param))
    if re.match(r"^https?://", v, re.IGNORECASE):
        return Identifier("url", normalise_url(v, param))
    for scheme in ("issn", "isbn"):
        try:
            return Identifier(scheme, _NORMALISERS[scheme](v, param))
        except IdentifierError as exc:
            if exc.code.endswith("_check"):
                raise       # the right shape with a wrong check digit: say so
    raise IdentifierError(param, v, "untagged" if v else "empty")


# Request parameter names (CLI options, query parameters, JSON keys) for each kind.
PARAMS = {"doi": "doi", "issn": "issn", "isbn": "isbn", "title_id": "title_id", "title-id": "title_id",
          "titleId": "title_id", "url": "url", "id": None}     # id: `issn:1545-4282`, a bare DOI ...
_PARAM_ORDER = {name: i for i, name in enumerate(PARAMS)}


def from_params(params: dict) -> Identifier | None:
    """The one identifier a request gives (`doi`, `issn`, `isbn`, `title_id`/`title-id`,
    `url`, or `id` written as parse_tagged reads it), or None. Query parameters come as lists of strings, JSON as values."""
    given = []
    # the request's own names, in PARAMS' order (a batch item has two or three, PARAMS eight)
    names = [n for n in params if n in PARAMS]
    if len(names) > 1:
        names.sort(key=_PARAM_ORDER.__getitem__)
    for name in names:
        scheme = PARAMS[name]
        value = params[name]
        if isinstance(value, list):
            if len(value) > 1:
                raise IdentifierError(name, "", "several", names=", ".join(map(str, value)))
            value = value[0] if value else None
        if value is None:
            continue
        if not isinstance(value, str):
            raise IdentifierError(name, str(value), {"issn": "issn", "isbn": "isbn", "doi": "doi",
                                                     "url": "url"}.get(scheme, "untagged"))
        given.append((name, scheme, value))
    if not given:
        return None
    if len(given) > 1:
        raise IdentifierError(given[0][0], "", "several", names=", ".join(n for n, _, _ in given))
    name, scheme, value = given[0]
    target = params.get("target")
    if target not in (None, "", []):
        raise IdentifierError(name, "", "with_target", name=name)
    return parse_tagged(value, name) if scheme is None else parse(scheme, value, name)


__all__ = ["Identifier", "IdentifierError", "SCHEMES", "parse", "from_params", "normalise_doi",
           "parse_tagged", "normalise_issn", "normalise_isbn", "normalise_url", "normalise_title_id", "issn_check_digit",
           "isbn_check_digit", "isbn_digits", "stored_forms", "doi_in"]
