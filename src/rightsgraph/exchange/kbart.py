"""KBART (NISO RP-9-2014, Phase II) title lists: import into a package, export back.

Each data row becomes one `rg:Resource` that is `odrl:partOf` the package, with one coverage
node (`rg:coverage`) holding the row's holdings (dates, volumes, issues, embargo, depth,
notes, access type). The mapping table is in docs/exchange.md; `KBART_COLUMNS` is the exact
header an export writes. Rows are checked here (line and column named in every error)
before the RDF goes through the same SHACL gate and provenance as any load
(`loading.commit_staged`).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from .. import provenance
from ..identifiers import isbn_check_digit, isbn_digits, issn_check_digit  # noqa: F401 (re-exported)
from ..bilingual import in_lang
from ..translation import both, gettext
from ..namespaces import DC, DCAT, DCT, FOAF, GRAPH_BASE, ODRL, RDF, RDFS, RG, SKOS, XSD

KBART_COLUMNS = (
    "publication_title", "print_identifier", "online_identifier", "date_first_issue_online",
    "num_first_vol_online", "num_first_issue_online", "date_last_issue_online",
    "num_last_vol_online", "num_last_issue_online", "title_url", "first_author", "title_id",
    "embargo_info", "coverage_depth", "notes", "publisher_name", "publication_type",
    "date_monograph_published_print", "date_monograph_published_online", "monograph_volume",
    "monograph_edition", "first_editor", "parent_publication_title_id",
    "preceding_publication_title_id", "access_type",
)
BIBO = "http://purl.org/ontology/bibo/"
RELATORS = "http://id.loc.gov/vocabulary/relators/"
COAR = "http://purl.org/coar/access_right/"
ACCESS_TYPES = {"F": COAR + "c_abf2",   # open access
                "P": COAR + "c_16ec"}   # restricted access
ACCESS_CODES = {v: k for k, v in ACCESS_TYPES.items()}
PUBLICATION_TYPES = {"serial": RG.EJournal.value, "monograph": RG.EBook.value}
PUBLICATION_CODES = {v: k for k, v in PUBLICATION_TYPES.items()}
PLACEHOLDERS = {"n/a", "-"}          # read as an empty cell
DCT_TITLE = DCT.iri("title")
MINTED_PUBLISHERS = "https://w3id.org/rightsgraph/id/publisher/"

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EMBARGO_PART = re.compile(r"^[RP][1-9][0-9]*[DMY]$")
_ISSN = re.compile(r"^(\d{4})-?(\d{3}[\dXx])$")
_ISBN_SHAPE = re.compile(r"^(([0-9][- ]?){9}[0-9Xx]|97[89][- ]?([0-9][- ]?){9}[0-9])$")  # the shape's pattern


# ------------------------------------------------------------------------------ errors
def _(message: str) -> str:  # marks a msgid for extraction; translated when shown (RowError.message)
    return message


_MESSAGES = {
    "columns": _("expected {expected} cells (as many as header columns), found {found}"),
    "title": _("the title is empty"),
    "issn": _("not an ISSN (NNNN-NNNC)"),
    "issn_check": _("wrong ISSN check digit (expected {expected})"),
    "isbn": _("not an ISBN-10 or ISBN-13"),
    "isbn_check": _("wrong ISBN check digit (expected {expected})"),
    "identifier": _("neither an ISSN nor an ISBN"),
    "date": _("not a date YYYY, YYYY-MM or YYYY-MM-DD"),
    "date_order": _("the last issue date is before the first"),
    "issued_month": _("YYYY-MM is not accepted here (dct:issued takes YYYY or YYYY-MM-DD)"),
    "embargo": _("not a KBART embargo (R or P, a number, D, M or Y, e.g. R1Y, P6M, R10Y;P1Y)"),
    "access_type": _("must be F (free) or P (paid)"),
    "publication_type": _("must be serial or monograph"),
    "url": _("not an absolute http(s) URL"),
}


@dataclass
class RowError:
    """One problem in one cell (or a whole row when `column` is None)."""
    line: int
    column: str | None
    value: str
    code: str
    params: dict = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        return gettext(_MESSAGES[self.code], "zh" if lang.startswith("zh") else "en").format(**self.params)

    def format(self, source: str, lang: str = "en") -> str:
        where = f"{source}:{self.line}"
        if not self.column:
            return f"{where}: {self.message(lang)}"
        val = f" {self.value!r}" if self.value else ""
        return f"{where}: {self.column}{val}: {self.message(lang)}"


class KbartFileError(ValueError):
    """The file as a whole cannot be read as KBART (encoding, header). `texts`: the message
    in each language ({"en": ..., "zh": ...}); str() is the English one."""

    def __init__(self, texts: dict[str, str]):
        super().__init__(texts["en"])
        self.texts = texts

    def text(self, lang: str = "en") -> str:
        return in_lang(self.texts, lang)


class KbartRejected(Exception):
    """Some rows are invalid and --skip-invalid was not given: nothing was imported."""

    def __init__(self, source: str, errors: list[RowError]):
        self.source, self.errors = source, errors
        lines = len({e.line for e in errors})
        super().__init__(f"{source}: {lines} invalid row(s); nothing was imported")


@dataclass
class KbartRow:
    line: int                    # physical line in the file (the header is line 1)
    cells: dict[str, str]        # KBART columns, normalised (missing ones empty)
    extras: dict[str, str]       # non-KBART columns with a value


@dataclass
class KbartFile:
    columns: list[str]
    rows: list[KbartRow]
    errors: list[RowError]
    blank_lines: int
    missing_columns: list[str]


# ------------------------------------------------------------------------------ reading
def _cell(raw: str) -> str:
    v = raw.strip()
    if len(v) >= 2 and v[0] == '"' and v[-1] == '"':   # CSV-style quoting (spreadsheet exports)
        v = v[1:-1].replace('""', '"').strip()
    return "" if v.lower() in PLACEHOLDERS else v


def read_kbart(data: bytes, source: str = "<kbart>") -> KbartFile:
    """Parse and check a KBART file. Invalid rows come back in `errors` (and not in `rows`)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise KbartFileError(both("%(where)s: not UTF-8 (byte %(byte)s); KBART files are UTF-8",
                                  where=f"{source}:{line}", byte=exc.start)) from None
    # Only CR/LF end a row (str.splitlines would also split on U+2028 etc. inside a title).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or "publication_title" not in [c.strip().strip('"') for c in lines[0].split("\t")]:
        raise KbartFileError(both("%(where)s: no KBART header row (the first line must name the columns, "
                                  "starting with publication_title)", where=f"{source}:1"))
    columns = [c.strip().strip('"') for c in lines[0].split("\t")]
    while columns and columns[-1] == "" and len(columns) > 1:   # trailing tabs in the header
        columns.pop()
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes or "" in columns:
        raise KbartFileError(both("%(where)s: header has duplicate columns %(columns)s", where=f"{source}:1",
                                  columns=", ".join(dupes)) if dupes
                             else both("%(where)s: header has an empty column name", where=f"{source}:1"))
    known = [c for c in columns if c in KBART_COLUMNS]
    extra_cols = [c for c in columns if c not in KBART_COLUMNS]
    rows, errors, blank = [], [], 0
    for n, raw in enumerate(lines[1:], start=2):
        parts = raw.split("\t")
        if not raw.strip():
            blank += 1
            continue
        if len(parts) != len(columns):
            # cells beyond the header that are all empty are tolerated (trailing tabs)
            if len(parts) > len(columns) and not any(p.strip() for p in parts[len(columns):]):
                parts = parts[:len(columns)]
            else:
                errors.append(RowError(n, None, "", "columns", {"expected": len(columns), "found": len(parts)}))
                continue
        values = {c: _cell(p) for c, p in zip(columns, parts)}
        if not any(values.values()):
            blank += 1
            continue
        cells = {c: values.get(c, "") for c in KBART_COLUMNS}
        row_errors = check_row(n, cells)
        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(KbartRow(n, cells, {c: values[c] for c in extra_cols if values[c]}))
    del known
    return KbartFile(columns, rows, errors, blank, [c for c in KBART_COLUMNS if c not in columns])


def _check_identifier(line: int, column: str, cells: dict, kind: str | None) -> RowError | None:
    v = cells[column]
    if not v:
        return None
    m = _ISSN.match(v)
    looks_isbn = bool(re.fullmatch(r"[0-9][0-9 -]{8,15}[0-9Xx]", v)) and len(isbn_digits(v)) in (10, 13)
    if kind == "serial" or (kind is None and m and not looks_isbn):
        if not m:
            return RowError(line, column, v, "issn")
        expected = issn_check_digit(m.group(1) + m.group(2)[:3])
        if m.group(2)[3].upper() != expected:
            return RowError(line, column, v, "issn_check", {"expected": expected})
        cells[column] = f"{m.group(1)}-{m.group(2).upper()}"     # normalised: NNNN-NNNC, upper-case X
        return None
    if kind == "monograph" or looks_isbn:
        digits = isbn_digits(v)
        if not re.fullmatch(r"\d{9}[\dX]|97[89]\d{10}", digits):
            return RowError(line, column, v, "isbn")
        expected = isbn_check_digit(digits[:-1])
        if digits[-1] != expected:
            return RowError(line, column, v, "isbn_check", {"expected": expected})
        if not _ISBN_SHAPE.match(v):
            cells[column] = digits          # hyphenation the shapes do not accept: keep the digits
        return None
    return RowError(line, column, v, "identifier")


def _parse_date(v: str) -> tuple[str, str] | None:
    """(lexical form, XSD datatype IRI) of a KBART date, or None if malformed."""
    m = _DATE.match(v)
    if not m:
        return None
    y, mo, d = m.groups()
    try:
        date(int(y), int(mo or 1), int(d or 1))
    except ValueError:
        return None
    dt = "date" if d else ("gYearMonth" if mo else "gYear")
    return v, XSD.iri(dt)


def check_row(line: int, cells: dict[str, str]) -> list[RowError]:
    """Check (and normalise in place) one row's KBART cells."""
    errs: list[RowError] = []
    if not cells["publication_title"]:
        errs.append(RowError(line, "publication_title", "", "title"))
    ptype = cells["publication_type"].lower()
    if ptype:
        if ptype not in PUBLICATION_TYPES:
            errs.append(RowError(line, "publication_type", cells["publication_type"], "publication_type"))
            ptype = None
        else:
            cells["publication_type"] = ptype
    for col in ("print_identifier", "online_identifier"):
        e = _check_identifier(line, col, cells, ptype or None)
        if e:
            errs.append(e)
    for col in ("date_first_issue_online", "date_last_issue_online", "date_monograph_published_print",
                "date_monograph_published_online"):
        if cells[col] and _parse_date(cells[col]) is None:
            errs.append(RowError(line, col, cells[col], "date"))
    first, last = cells["date_first_issue_online"], cells["date_last_issue_online"]
    if first and last and _parse_date(first) and _parse_date(last) and last < first[:len(last)]:
        errs.append(RowError(line, "date_last_issue_online", last, "date_order"))
    pp = cells["date_monograph_published_print"]
    if pp and _parse_date(pp) and _parse_date(pp)[1].endswith("gYearMonth"):
        errs.append(RowError(line, "date_monograph_published_print", pp, "issued_month"))
    emb = cells["embargo_info"]
    if emb:
        parts = emb.split(";")
        if len(parts) > 2 or not all(_EMBARGO_PART.match(p.strip()) for p in parts):
            errs.append(RowError(line, "embargo_info", emb, "embargo"))
        else:
            cells["embargo_info"] = ";".join(p.strip() for p in parts)
    at = cells["access_type"].upper()
    if at:
        if at not in ACCESS_TYPES:
            errs.append(RowError(line, "access_type", cells["access_type"], "access_type"))
        else:
            cells["access_type"] = at
    url = cells["title_url"]
    if url and (not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url)):
        errs.append(RowError(line, "title_url", url, "url"))
    return errs


# ------------------------------------------------------------------------------ RDF
def _lit(v: str, dt: str | None = None) -> str:
    s = v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{s}"^^<{dt}>' if dt else f'"{s}"'


def _row_key(cells: dict) -> str:
    parts = [cells[c] for c in ("title_id", "print_identifier", "online_identifier", "publication_title",
                                "date_first_issue_online", "num_first_vol_online", "num_first_issue_online",
                                "publication_type")]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def resource_base(package: str) -> str:
    """Prefix of the IRIs minted for a package's KBART rows."""
    return package + ("-kbart-" if "#" in package else "/kbart/")


def default_graph(package: str) -> NamedNode:
    return NamedNode(f"{GRAPH_BASE}kbart/{quote(package, safe='')}")


def rows_to_nquads(rows: list[KbartRow], *, package: str, graph: NamedNode,
                   publishers: dict[str, str]) -> tuple[bytes, int]:
    """N-Quads for the rows; `publishers` maps a publisher name to an existing rg:Publisher
    IRI. Returns (data, resources)."""
    g = f"<{graph.value}>"
    P = {name: f"<{iri}>" for name, iri in {
        "type": RDF.type.value, "partOf": ODRL.partOf.value, "title": DCT_TITLE,
        "row": RG.kbartRow.value, "print": RG.printIdentifier.value, "online": RG.onlineIdentifier.value,
        "issn": RG.issn.value, "isbn": RG.isbn.value, "url": RG.titleUrl.value, "creator": DCT.creator.value,
        "identifier": DCT.identifier.value, "publisher": DCT.publisher.value, "dcpublisher": DC.publisher.value,
        "rtype": RG.resourceType.value, "issued": DCT.issued.value, "available": DCT.available.value,
        "volume": BIBO + "volume", "edition": BIBO + "edition", "editor": RELATORS + "edt",
        "isPartOf": DCT.isPartOf.value, "replaces": DCT.replaces.value, "coverage": RG.coverage.value,
        "Coverage": RG.Coverage.value, "start": DCAT.startDate.value, "end": DCAT.endDate.value,
        "firstVolume": RG.firstVolume.value, "firstIssue": RG.firstIssue.value,
        "lastVolume": RG.lastVolume.value, "lastIssue": RG.lastIssue.value, "embargo": RG.embargo.value,
        "depth": RG.coverageDepth.value, "note": SKOS.note.value, "access": DCT.accessRights.value,
        "extra": RG.kbartExtra.value, "label": RDFS.label.value, "value": RDF.value.value,
        "Resource": RG.Resource.value, "Publisher": RG.Publisher.value, "name": FOAF.name.value,
        "PeriodOfTime": DCT.PeriodOfTime.value,
    }.items()}
    integer = XSD.iri("integer")
    base = resource_base(package)
    out: list[str] = []
    seen: dict[str, int] = {}
    minted: set[str] = set()
    for ordinal, row in enumerate(rows, start=1):
        c = row.cells
        key = _row_key(c)
        seen[key] = seen.get(key, 0) + 1
        r_iri = base + key + (f"-{seen[key]}" if seen[key] > 1 else "")
        r = f"<{r_iri}>"

        def t(s, p, o):
            out.append(f"{s} {P[p]} {o} {g} .\n")
        t(r, "type", P["Resource"])
        t(r, "partOf", f"<{package}>")
        t(r, "title", _lit(c["publication_title"]))
        t(r, "row", _lit(str(ordinal), integer))
        ptype = c["publication_type"]
        for col, prop in (("print_identifier", "print"), ("online_identifier", "online")):
            v = c[col]
            if v:
                t(r, prop, _lit(v))
                t(r, "issn" if _ISSN.match(v) and ptype != "monograph" and len(v) == 9 else "isbn", _lit(v))
        if c["title_url"]:
            t(r, "url", _lit(c["title_url"], XSD.iri("anyURI")))
        if c["first_author"]:
            t(r, "creator", _lit(c["first_author"]))
        if c["title_id"]:
            t(r, "identifier", _lit(c["title_id"]))
        name = c["publisher_name"]
        if name:
            pub = publishers.get(name)
            if pub is None:
                pub = MINTED_PUBLISHERS + quote(name, safe="")
            if pub.startswith(MINTED_PUBLISHERS) and pub not in minted:
                minted.add(pub)
                out.append(f"<{pub}> {P['type']} {P['Publisher']} {g} .\n")
                out.append(f"<{pub}> {P['name']} {_lit(name)} {g} .\n")
            t(r, "publisher", f"<{pub}>")
            t(r, "dcpublisher", _lit(name))
        if ptype:
            t(r, "rtype", f"<{PUBLICATION_TYPES[ptype]}>")
        for col, prop in (("date_monograph_published_print", "issued"),
                          ("date_monograph_published_online", "available")):
            if c[col]:
                lex, dt = _parse_date(c[col])
                t(r, prop, _lit(lex, dt))
        for col, prop in (("monograph_volume", "volume"), ("monograph_edition", "edition"),
                          ("first_editor", "editor")):
            if c[col]:
                t(r, prop, _lit(c[col]))
        for col, prop, suffix in (("parent_publication_title_id", "isPartOf", "/parent"),
                                  ("preceding_publication_title_id", "replaces", "/preceding")):
            if c[col]:
                node = f"<{r_iri}{suffix}>"
                t(r, prop, node)
                t(node, "identifier", _lit(c[col]))
        cov = f"<{r_iri}/coverage>"
        t(r, "coverage", cov)
        t(cov, "type", P["Coverage"])
        t(cov, "type", P["PeriodOfTime"])
        for col, prop in (("date_first_issue_online", "start"), ("date_last_issue_online", "end")):
            if c[col]:
                lex, dt = _parse_date(c[col])
                t(cov, prop, _lit(lex, dt))
        for col, prop in (("num_first_vol_online", "firstVolume"), ("num_first_issue_online", "firstIssue"),
                          ("num_last_vol_online", "lastVolume"), ("num_last_issue_online", "lastIssue"),
                          ("embargo_info", "embargo"), ("coverage_depth", "depth"), ("notes", "note")):
            if c[col]:
                t(cov, prop, _lit(c[col]))
        if c["access_type"]:
            t(cov, "access", f"<{ACCESS_TYPES[c['access_type']]}>")
        for col, v in row.extras.items():
            node = f"<{r_iri}/extra/{quote(col, safe='')}>"
            t(r, "extra", node)
            t(node, "label", _lit(col))
            t(node, "value", _lit(v))
    return "".join(out).encode("utf-8"), len(rows)


# ------------------------------------------------------------------------------ import
@dataclass
class KbartImport:
    graph: NamedNode
    package: str
    imported: int
    skipped: list[RowError]
    blank_lines: int
    missing_columns: list[str]
    load: object                # loading.LoadResult
    seconds: float


def existing_publishers(store) -> dict[str, str]:
    """foaf:name -> rg:Publisher IRI (the first IRI in order when a name is shared)."""
    rows = store.query(f"SELECT ?p ?n WHERE {{ ?p a <{RG.Publisher.value}> ; <{FOAF.name.value}> ?n }}")
    found: dict[str, str] = {}
    for r in rows:
        if isinstance(r["p"], NamedNode):
            name, iri = r["n"].value, r["p"].value
            if name not in found or (iri < found[name] and not iri.startswith(MINTED_PUBLISHERS)):
                found[name] = iri
    return found


def _package_quads(store, package: str, graph: NamedNode, title: str | None, fallback: str) -> str:
    """The rg:Package declaration to add to the import graph, unless the package is
    already described in another graph (then nothing)."""
    rows = list(store.query(f"SELECT ?g ?t WHERE {{ GRAPH ?g {{ <{package}> a ?t }} }}"))
    elsewhere = [r for r in rows if r["g"] != graph]
    if elsewhere and title is None:
        return ""
    old = [r["t"].value for r in store.query(
        f"SELECT ?t WHERE {{ GRAPH <{graph.value}> {{ <{package}> <{DCT_TITLE}> ?t }} }}")]
    g = f"<{graph.value}>"
    lines = []
    if not elsewhere:
        lines.append(f"<{package}> <{RDF.type.value}> <{RG.Package.value}> {g} .\n")
    if title is not None or not elsewhere:
        lines.append(f"<{package}> <{DCT_TITLE}> {_lit(title or (old[0] if old else fallback))} {g} .\n")
    return "".join(lines)


def import_kbart(store, path: str | Path, *, package: str, graph: str | None = None,
                 package_title: str | None = None, skip_invalid: bool = False, replace: bool = True,
                 agent: str | None = None, gate=None) -> KbartImport:
    """Import a KBART file into `package`. Raises KbartFileError, KbartRejected (invalid rows
    without `skip_invalid`) or loading.LoadRejected (the SHACL gate); the store is then
    unchanged."""
    from ..loading import commit_staged
    from ..system_graphs import default_gate
    t0 = time.perf_counter()
    started = provenance.now()
    path = Path(path)
    NamedNode(package)  # raises ValueError on a malformed IRI
    data = path.read_bytes()
    parsed = read_kbart(data, str(path))
    if parsed.errors and not skip_invalid:
        raise KbartRejected(str(path), parsed.errors)
    target = NamedNode(graph) if graph else default_graph(package)
    stem = path.name.split(".")[0]
    body, n = rows_to_nquads(parsed.rows, package=package, graph=target, publishers=existing_publishers(store))
    body = _package_quads(store, package, target, package_title, stem).encode() + body
    staging = ox.Store()
    staging.bulk_load(body, RdfFormat.N_QUADS)
    gate = gate or default_gate()   # commit_staged leaves the replaced graph out of the context
    digest = hashlib.sha256(data).hexdigest()
    from ..parsing import SourceFile
    # the commit loads `body` itself (what was validated) instead of copying the staging store
    # (a path that does not exist: the commit must load these bytes, never re-read the .tsv)
    reparse = [(SourceFile(Path(f"{path}#rdf"), body, digest, RdfFormat.N_QUADS), target, None)]
    result = commit_staged(store, staging, sources=[provenance.SourceRecord(path.name, digest, len(data))],
                           names=[str(path)], replace=replace, agent=agent, gate=gate, started=started,
                           via="kbart", reparse=reparse)
    return KbartImport(target, package, n, parsed.errors, parsed.blank_lines, parsed.missing_columns,
                       result, time.perf_counter() - t0)


# ------------------------------------------------------------------------------ export
_ESCAPES = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_SIMPLE = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _value(term: str) -> str:
    """The IRI or lexical value of a term written in SPARQL TSV (N-Triples syntax)."""
    if term.startswith("<"):
        return term[1:-1]
    if term.startswith('"'):
        body = term[1:term.rindex('"')]
        if "\\" not in body:
            return body
        return _ESCAPES.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)) if (m.group(1) or m.group(2))
                            else _SIMPLE.get(m.group(3), m.group(3)), body)
    return term      # a bare number or a blank node label


class _Row(dict):
    """A solution: variable -> value string (IRIs without brackets, literal lexical forms)."""


def _q(store, sparql: str) -> list[_Row]:
    """Solutions as strings, through the store's TSV serialisation: an order of magnitude
    faster than building pyoxigraph terms for 100,000s of solutions."""
    data = store.query(sparql).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    lines = data.split("\n")
    names = [v[1:] for v in lines[0].split("\t")]
    return [_Row(zip(names, (_value(t) if t else None for t in line.split("\t")))) for line in lines[1:] if line]


def export_kbart(store, package: str) -> bytes:
    """The package's KBART rows as a KBART file: UTF-8, tab-separated, the 25 columns in
    order, then the extra columns that were imported (alphabetically). Rows come in their
    original order (`rg:kbartRow`), graph by graph."""
    pkg = f"<{package}>"
    member = f"?r <{ODRL.partOf.value}> {pkg} ; <{RG.kbartRow.value}> ?row ."
    order: dict[str, tuple] = {}
    for b in _q(store, f"SELECT ?g ?r ?row WHERE {{ GRAPH ?g {{ {member} }} }}"):
        order[b["r"]] = (b["g"], int(b["row"]), b["r"])
    if not order:
        return ("\t".join(KBART_COLUMNS) + "\n").encode("utf-8")
    # Read the graphs holding the rows once (much faster than one join per column).
    # Terms stay in their TSV (N-Triples) form until a cell needs one: `_value` decodes.
    triples: dict[str, list] = {}
    for g in sorted({o[0] for o in order.values()}):
        data = store.query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}").serialize(
            format=ox.QueryResultsFormat.TSV).decode("utf-8")
        for line in data.split("\n")[1:]:
            if line:
                s_, p_, o_ = line.split("\t", 2)
                triples.setdefault(_value(s_), []).append((p_[1:-1], o_))
    res_props = {
        DCT_TITLE: "publication_title", RG.printIdentifier.value: "print_identifier",
        RG.onlineIdentifier.value: "online_identifier", RG.titleUrl.value: "title_url",
        DCT.creator.value: "first_author", DCT.identifier.value: "title_id",
        DC.publisher.value: "publisher_name", DCT.issued.value: "date_monograph_published_print",
        DCT.available.value: "date_monograph_published_online", BIBO + "volume": "monograph_volume",
        BIBO + "edition": "monograph_edition", RELATORS + "edt": "first_editor",
    }
    cov_props = {
        DCAT.startDate.value: "date_first_issue_online", DCAT.endDate.value: "date_last_issue_online",
        RG.firstVolume.value: "num_first_vol_online", RG.firstIssue.value: "num_first_issue_online",
        RG.lastVolume.value: "num_last_vol_online", RG.lastIssue.value: "num_last_issue_online",
        RG.embargo.value: "embargo_info", RG.coverageDepth.value: "coverage_depth", SKOS.note.value: "notes",
    }
    links = {DCT.isPartOf.value: "parent_publication_title_id", DCT.replaces.value: "preceding_publication_title_id"}
    rtype, coverage, access, extra = (RG.resourceType.value, RG.coverage.value, DCT.accessRights.value,
                                      RG.kbartExtra.value)
    ident, label, value = DCT.identifier.value, RDFS.label.value, RDF.value.value

    def node(term: str) -> list:
        return triples.get(_value(term), [])

    rows: dict[str, dict] = {}
    extras: dict[str, dict[str, str]] = {}
    for r in order:
        cells = dict.fromkeys(KBART_COLUMNS, "")
        for p, o in triples.get(r, []):
            if p in res_props and not o.startswith(("<", "_:")):
                col, v = res_props[p], _value(o)
                if not cells[col] or v < cells[col]:     # deterministic if a value repeats
                    cells[col] = v
            elif p == rtype:
                cells["publication_type"] = PUBLICATION_CODES.get(_value(o), cells["publication_type"])
            elif p == coverage:
                for cp, co in node(o):
                    if cp in cov_props:
                        cells[cov_props[cp]] = _value(co)
                    elif cp == access:
                        cells["access_type"] = ACCESS_CODES.get(_value(co), "")
            elif p in links:
                for lp, lo in node(o):
                    if lp == ident:
                        cells[links[p]] = _value(lo)
            elif p == extra:
                kv = dict((xp, _value(xo)) for xp, xo in node(o) if xp in (label, value))
                if label in kv and value in kv:
                    extras.setdefault(r, {})[kv[label]] = kv[value]
        rows[r] = cells
    extra_cols = sorted({k for e in extras.values() for k in e})
    out = ["\t".join((*KBART_COLUMNS, *extra_cols))]
    for r in sorted(rows, key=lambda r: order[r]):
        cells = [rows[r][c] for c in KBART_COLUMNS] + [extras.get(r, {}).get(k, "") for k in extra_cols]
        out.append("\t".join(_clean(v) for v in cells))
    return ("\n".join(out) + "\n").encode("utf-8")


def _clean(v: str) -> str:
    """A cell as KBART allows it: no tabs or line breaks."""
    return v.replace("\t", " ").replace("\r", " ").replace("\n", " ")


__all__ = ["KBART_COLUMNS", "read_kbart", "check_row", "import_kbart", "export_kbart", "KbartFileError",
           "KbartRejected", "RowError", "KbartImport", "default_graph", "issn_check_digit",
           "isbn_check_digit"]
