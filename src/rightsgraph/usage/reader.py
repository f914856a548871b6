"""Read COUNTER R5 / R5.1 reports: tabular (TSV, CSV, Excel .xlsx) and JSON (the
COUNTER_SUSHI format) into one shape, `CounterReport`: the header, and one `UsageRow`
per item, attribute set and metric type, with the monthly counts and where in the file
each came from (row and column, or JSON path), so every later error can name its cell.

    report = read_report(Path("TR_2025.tsv"))

Formats are told apart by content (a JSON object, an xlsx zip, else text split on tabs or
commas). No COUNTER library is used here: celus-pycounter and celus-nibbler pin old
versions of click and requests (and nibbler 13 needs Python 3.12); see docs/usage.md.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from . import counter_spec as spec
from ..bilingual import in_lang
from ..translation import both, gettext


class CounterError(ValueError):
    """A report that cannot be imported: `problems` are (where, {"en": ..., "zh": ...})."""

    def __init__(self, source: str, problems: list[tuple[str, dict[str, str]]]):
        self.source = source
        self.problems = problems
        first = problems[0] if problems else ("", both("unreadable report"))
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{source}: {first[0]}: {first[1]['en']}{more}")

    def lines(self, lang: str = "en", limit: int = 50) -> list[str]:
        from ..file_positions import in_language
        out = [f"{self.source}: {in_language(where, lang)}: {in_lang(texts, lang)}" if where
               else f"{self.source}: {in_lang(texts, lang)}" for where, texts in self.problems[:limit]]
        if len(self.problems) > limit:
            out.append(gettext("... %(n)s more", "zh" if lang == "zh" else "en", n=len(self.problems) - limit))
        return out


@dataclass(frozen=True)
class Item:
    """What a row is about: a title, database, platform or item (with its parent)."""
    name: str
    platform: str = ""
    publisher: str = ""
    publisher_id: str = ""
    ids: tuple = ()                     # ((type, value), ...) sorted; types as spec.ITEM_ID_COLUMNS
    data_type: str = ""                 # a parent's data type (IR)
    authors: str = ""
    publication_date: str = ""
    article_version: str = ""
    parent: "Item | None" = None


@dataclass
class UsageRow:
    item: Item
    attrs: dict                 # Data_Type, Section_Type, YOP, Access_Type, Access_Method (those given)
    metric: str
    counts: dict                # "YYYY-MM" -> int
    where: str                  # "row 17" / "Report_Items[3].Attribute_Performance[0]"
    metric_at: str = ""         # the metric's cell
    cells: dict = field(default_factory=dict)   # month -> its cell
    total: int | None = None
    total_at: str = ""
    attr_at: dict = field(default_factory=dict)  # attribute -> its cell


@dataclass
class Header:
    report_id: str = ""
    release: str = ""
    report_name: str = ""
    institution_name: str = ""
    institution_id: str = ""
    customer_id: str = ""
    created: str = ""
    created_by: str = ""
    registry_record: str = ""
    begin: str = ""              # YYYY-MM
    end: str = ""                # YYYY-MM
    metric_types: tuple = ()
    filters: dict = field(default_factory=dict)      # name -> [values]
    attributes: dict = field(default_factory=dict)   # name -> value
    exceptions: list = field(default_factory=list)   # [(code, message, data)]
    at: dict = field(default_factory=dict)           # field -> its cell


@dataclass
class CounterReport:
    source: str
    format: str                  # tsv | csv | xlsx | json
    header: Header
    rows: list

    def months(self) -> list[str]:
        return month_range(self.header.begin, self.header.end)


# ---------------------------------------------------------------------------------------

def read_report(path: Path, data: bytes | None = None, *, name: str | None = None) -> CounterReport:
    path = Path(path)
    source = name or path.name
    if data is None:
        data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        return _read_tabular(source, "xlsx", _xlsx_rows(source, data))
    text = _decode(source, data)
    if text.lstrip().startswith(("{", "[")):
        return read_json(source, _json(source, text))
    fmt = "tsv" if "\t" in text.split("\n", 1)[0] else "csv"
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if fmt == "tsv" else ","))
    return _read_tabular(source, fmt, rows)


def _decode(source: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CounterError(source, [(f"byte {exc.start}",
                                     both("not UTF-8 text (COUNTER reports are UTF-8)"))]) from None


def _json(source: str, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CounterError(source, [(f"line {exc.lineno}, column {exc.colno}", both("malformed JSON: %(msg)s",
                                                                                    msg=exc.msg))]) from None


def _xlsx_rows(source: str, data: bytes) -> list[list[str]]:
    import openpyxl
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken zip
        raise CounterError(source, [("", both("not a readable Excel workbook: %(exc)s", exc=exc))]) from None
    ws = wb.worksheets[0]
    rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d") if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


# ---------------------------------------------------------------------------------------
# months

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


def month_of_column(name: str) -> str | None:
    """'Jan-2016' (the CoP form), '2016-01' or '2016-01-01' (Excel dates) -> '2016-01'."""
    s = name.strip()
    m = re.fullmatch(r"([A-Za-z]{3})[- ](\d{4})", s)
    if m and m.group(1).lower() in _MONTHS:
        return f"{m.group(2)}-{_MONTHS[m.group(1).lower()]:02d}"
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-01)?(?:T00:00:00)?", s)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{m.group(2)}"
    return None


def month_range(begin: str, end: str) -> list[str]:
    if not begin or not end:
        return []
    y, m = map(int, begin.split("-"))
    ey, em = map(int, end.split("-"))
    out = []
    while (y, m) <= (ey, em):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _month_of_date(value: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", value.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return f"{m.group(1)}-{m.group(2)}"


def column_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------------------------------
# tabular (TSV, CSV, xlsx)

_HEADER_FIELDS = ("Report_Name", "Report_ID", "Release", "Institution_Name", "Institution_ID", "Metric_Types",
                  "Report_Filters", "Report_Attributes", "Exceptions", "Reporting_Period", "Created",
                  "Created_By", "Registry_Record")
_ITEM_COLUMNS = {"Title", "Database", "Platform", "Item"}
_KNOWN_COLUMNS = (set(_ITEM_COLUMNS) | {"Publisher", "Publisher_ID", "Platform", "Metric_Type",
                  "Reporting_Period_Total", "Authors", "Publication_Date", "Article_Version",
                  "Parent_Title", "Parent_Authors", "Parent_Publication_Date", "Parent_Article_Version",
                  "Parent_Data_Type"} | set(spec.ITEM_ID_COLUMNS) | set(spec.ATTRIBUTE_COLUMNS)
                  | {f"Parent_{c}" for c in spec.ITEM_ID_COLUMNS})


def _read_tabular(source: str, fmt: str, rows: list[list[str]]) -> CounterReport:
    header = Header()
    problems: list[tuple[str, str, str]] = []
    i = 0
    while i < len(rows):
        cells = [c.strip() for c in rows[i]]
        key = cells[0].lstrip("\ufeff") if cells else ""
        if key in _ITEM_COLUMNS and len([c for c in cells if c]) > 2:
            break
        if key:
            value = cells[1] if len(cells) > 1 else ""
            if key not in _HEADER_FIELDS:
                problems.append((f"row {i + 1}, column A", both("unknown header field %(key)s", key=repr(key))))
            else:
                header.at[key] = f"row {i + 1}, column B ({key})"
                _tabular_header_field(header, key, value, problems)
        i += 1
    else:
        raise CounterError(source, problems + [("", both("no column heading row (Title, Database, Platform or Item "
                                                         "followed by the other columns) after the report header"))])
    if problems:
        raise CounterError(source, problems)
    _check_header(source, header)
    head_row = i
    columns = [re.sub(r"\s+", "", c.lstrip("\ufeff")) for c in rows[head_row]]
    while columns and not columns[-1]:
        columns.pop()
    months: dict[int, str] = {}
    named: dict[str, int] = {}
    for j, col in enumerate(columns):
        where = f"row {head_row + 1}, column {column_letter(j)}"
        month = month_of_column(col)
        if month:
            months[j] = month
        elif col in _KNOWN_COLUMNS:
            if col in named:
                problems.append((where, both("column %(col)s appears twice", col=col)))
            named[col] = j
        else:
            problems.append((where, both("unknown column %(col)s", col=repr(col))))
    fam = spec.family(header.report_id)
    item_col = spec.REPORT_FAMILY[fam]
    for required in (item_col, "Metric_Type"):
        if required not in named:
            problems.append((f"row {head_row + 1}", both("missing column %(required)s", required=required)))
    if problems:
        raise CounterError(source, problems)
    fixed = _fixed_attributes(header)
    month_columns = {m: j for j, m in months.items()}
    out: list[UsageRow] = []
    for r in range(head_row + 1, len(rows)):
        cells = [c.strip() for c in rows[r]]
        if not any(cells):
            continue

        def cell(col, cells=cells):
            j = named.get(col)
            return cells[j] if j is not None and j < len(cells) else ""

        def at(col, r=r):
            return f"row {r + 1}, column {column_letter(named[col])} ({col})"

        item = Item(name=cell(item_col), platform=cell("Platform") or (cell(item_col) if fam == "PR" else ""),
                    publisher=cell("Publisher"), publisher_id=cell("Publisher_ID"),
                    ids=tuple(sorted((c, cell(c)) for c in spec.ITEM_ID_COLUMNS if cell(c))),
                    authors=cell("Authors"), publication_date=cell("Publication_Date"),
                    article_version=cell("Article_Version"),
                    parent=_tabular_parent(cell) if fam == "IR" else None)
        attrs, attr_at = dict(fixed), {}
        for a in spec.ATTRIBUTE_COLUMNS:
            if a in named and cell(a):
                attrs[a] = cell(a)
                attr_at[a] = at(a)
        row = UsageRow(item=item, attrs=attrs, metric=cell("Metric_Type"), counts={}, where=f"row {r + 1}",
                       metric_at=at("Metric_Type"), attr_at=attr_at)
        if not item.name:
            problems.append((at(item_col), both("empty %(item_col)s", item_col=item_col)))
        row.cells = _TabularCells(r, month_columns, columns)
        ncells = len(cells)
        for j, month in months.items():
            text = cells[j] if j < ncells else ""
            try:                                  # the common case, fast: a plain whole number
                row.counts[month] = int(text) if text else 0
                continue
            except ValueError:
                pass
            n = _count(text, row.cells[month], problems)
            if n is not None:
                row.counts[month] = n
        if "Reporting_Period_Total" in named:
            row.total_at = at("Reporting_Period_Total")
            row.total = _count(cell("Reporting_Period_Total"), row.total_at, problems)
        out.append(row)
    if problems:
        raise CounterError(source, problems)
    return CounterReport(source, fmt, header, out)


class _TabularCells:
    """month -> 'row 17, column L (Jan-2022)', the text made only when asked for (an error
    message): a large report has a million cells."""

    __slots__ = ("row", "month_columns", "columns")

    def __init__(self, row: int, month_columns: dict, columns: list):
        self.row, self.month_columns, self.columns = row, month_columns, columns

    def __getitem__(self, month: str) -> str:
        j = self.month_columns[month]
        return f"row {self.row + 1}, column {column_letter(j)} ({self.columns[j]})"

    def __contains__(self, month) -> bool:
        return month in self.month_columns

    def get(self, month: str, default=None):
        return self[month] if month in self.month_columns else default


def _tabular_parent(cell) -> Item | None:
    if not (cell("Parent_Title") or any(cell(f"Parent_{c}") for c in spec.ITEM_ID_COLUMNS)):
        return None
    return Item(name=cell("Parent_Title"), data_type=cell("Parent_Data_Type"), authors=cell("Parent_Authors"),
                publication_date=cell("Parent_Publication_Date"), article_version=cell("Parent_Article_Version"),
                ids=tuple(sorted((c, cell(f"Parent_{c}")) for c in spec.ITEM_ID_COLUMNS if cell(f"Parent_{c}"))))


def _count(text: str, where: str, problems: list) -> int | None:
    """A usage count cell: blank is 0 (some platforms leave zero months empty)."""
    s = text.strip().replace(",", "") if text else ""
    if not s:
        return 0
    if re.fullmatch(r"-?\d+(\.0+)?", s):
        return int(float(s)) if "." in s else int(s)
    problems.append((where, both("count %(text)s is not a whole number", text=repr(text))))
    return None


def _split_pairs(value: str) -> dict[str, list[str]]:
    """'Data_Type=Journal; Access_Type=Controlled|OA_Gold' -> {name: [values]}."""
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = [x.strip() for x in v.split("|") if x.strip()]
    return out


def _tabular_header_field(h: Header, key: str, value: str, problems: list) -> None:
    if key == "Report_Name":
        h.report_name = value
    elif key == "Report_ID":
        h.report_id = value
    elif key == "Release":
        h.release = value
    elif key == "Institution_Name":
        h.institution_name = value
    elif key == "Institution_ID":
        h.institution_id = _normal_org_id(value)
    elif key == "Metric_Types":
        h.metric_types = tuple(x.strip() for x in re.split(r"[;|]", value) if x.strip())
    elif key == "Report_Filters":
        h.filters = _split_pairs(value)
    elif key == "Report_Attributes":
        h.attributes = {k: "|".join(v) for k, v in _split_pairs(value).items()}
    elif key == "Exceptions":
        h.exceptions = _tabular_exceptions(value)
    elif key == "Reporting_Period":
        pairs = _split_pairs(value)
        if "Begin_Date" in pairs and "End_Date" in pairs:
            b, e = pairs["Begin_Date"][0], pairs["End_Date"][0]
        else:  # "2017-01-01 to 2017-06-30" (older generators)
            m = re.fullmatch(r"(\S+)\s+to\s+(\S+)", value)
            b, e = (m.group(1), m.group(2)) if m else ("", "")
        h.begin, h.end = _month_of_date(b) or "", _month_of_date(e) or ""
        if not h.begin or not h.end:
            problems.append((h.at[key], both("Reporting_Period %(value)s is not 'Begin_Date=YYYY-MM-DD; "
                                             "End_Date=YYYY-MM-DD'",
                                             value=repr(value))))
    elif key == "Created":
        h.created = value
    elif key == "Created_By":
        h.created_by = value
    elif key == "Registry_Record":
        h.registry_record = value


def _tabular_exceptions(value: str) -> list:
    out = []
    for part in value.split(";"):
        m = re.match(r"\s*(\d+)\s*:\s*([^(]*)(?:\((.*)\))?", part)
        if m:
            out.append((int(m.group(1)), m.group(2).strip(), (m.group(3) or "").strip()))
    return out


_ORG_ID_TYPES = {"ISNI", "ISIL", "OCLC", "ROR"}


def _normal_org_id(value) -> str:
    """Institution_ID / Publisher_ID in their three spellings -> the tabular form
    ('ISNI:1234123412341234'; a proprietary ID stays 'namespace:value'), sorted and '; '
    joined: tabular 'ISNI:1234...' or 'isni=1234...', R5 JSON [{Type, Value}], R5.1 JSON
    {type: [values]}."""
    pairs = []
    if isinstance(value, str):
        for p in re.split(r"[;|]", value):
            p = p.strip()
            m = re.fullmatch(r"([A-Za-z]+)\s*[:=]\s*(.+)", p)
            if m and m.group(1).upper() in _ORG_ID_TYPES:
                pairs.append((m.group(1).upper(), m.group(2).strip()))
            elif p:
                pairs.append(("Proprietary", p))
    elif isinstance(value, list):
        pairs = [(str(v.get("Type", "")), str(v.get("Value", ""))) for v in value if isinstance(v, dict)]
    elif isinstance(value, dict):
        pairs = [(k, str(v)) for k, vs in value.items() for v in (vs if isinstance(vs, list) else [vs])]
    return "; ".join(sorted(v if t.upper() not in _ORG_ID_TYPES else f"{t.upper()}:{v}" for t, v in pairs))


def _check_header(source: str, h: Header) -> None:
    problems = []
    where = h.at.get("Report_ID", "Report_ID")
    if h.report_id not in spec.ALLOWED_METRICS:
        problems.append((where, both("Report_ID %(report_id)s is not a COUNTER report or Standard View "
                                     "(%(known)s)",
                                     report_id=repr(h.report_id), known=', '.join(spec.REPORT_IDS))))
    if h.release not in spec.RELEASES:
        problems.append((h.at.get("Release", "Release"), both("Release %(release)s is not 5 or 5.1",
                                                              release=repr(h.release))))
    if not h.begin or not h.end:
        problems.append((h.at.get("Reporting_Period", "Reporting_Period"),
                         both("no reporting period (begin and end date)")))
    elif h.begin > h.end:
        problems.append((h.at.get("Reporting_Period", "Reporting_Period"),
                         both("the reporting period ends (%(end)s) before it begins (%(begin)s)",
                              end=h.end, begin=h.begin)))
    if problems:
        raise CounterError(source, problems)


def _fixed_attributes(h: Header) -> dict:
    """Attribute values every row has without a column: a Standard View's fixed filters,
    or a single-valued Report_Filters entry."""
    fam = spec.family(h.report_id)
    applies = {"PR": ("Data_Type", "Access_Method"), "DR": ("Data_Type", "Access_Method"),
               "TR": spec.ATTRIBUTE_COLUMNS, "IR": ("Data_Type", "YOP", "Access_Type", "Access_Method")}[fam]
    out = dict(spec.view_filters(h.report_id, h.release))
    for k, vs in h.filters.items():
        if k in applies and len(vs) == 1 and k not in out:
            out[k] = vs[0]
    return out


# ---------------------------------------------------------------------------------------
# JSON (SUSHI), R5 and R5.1

def read_json(source: str, doc) -> CounterReport:
    if not isinstance(doc, dict) or "Report_Header" not in doc:
        raise CounterError(source, [("", both("not a COUNTER JSON report (no Report_Header)"))])
    h = _json_header(doc["Report_Header"])
    _check_header(source, h)
    items = doc.get("Report_Items") or []
    if not isinstance(items, list):
        raise CounterError(source, [("Report_Items", both("Report_Items is not a list"))])
    problems: list = []
    rows: list[UsageRow] = []
    fam = spec.family(h.report_id)
    fixed = _fixed_attributes(h)
    for i, it in enumerate(items):
        path = f"Report_Items[{i}]"
        if not isinstance(it, dict):
            problems.append((path, both("not an object")))
            continue
        if fam == "IR" and "Items" in it:       # R5.1: parents with their items
            # an empty parent object groups the items that have no parent
            parent = _json_item(it, "Title", None, is_parent=True) if it.get("Title") or it.get("Item_ID") else None
            for k, child in enumerate(it.get("Items") or []):
                _json_rows(child, f"{path}.Items[{k}]", fam, h, fixed, parent, rows, problems)
        else:
            _json_rows(it, path, fam, h, fixed, None, rows, problems)
    if problems:
        raise CounterError(source, problems)
    return CounterReport(source, "json", h, rows)


def _json_header(d: dict) -> Header:
    h = Header(report_id=str(d.get("Report_ID", "")), release=str(d.get("Release", "")),
               report_name=str(d.get("Report_Name", "")), institution_name=str(d.get("Institution_Name", "")),
               institution_id=_normal_org_id(d.get("Institution_ID", "")), customer_id=str(d.get("Customer_ID", "")),
               created=str(d.get("Created", "")), created_by=str(d.get("Created_By", "")),
               registry_record=str(d.get("Registry_Record", "")))
    for k in ("Report_ID", "Release", "Report_Filters"):
        h.at[k] = f"Report_Header.{k}"
    h.at["Reporting_Period"] = "Report_Header.Report_Filters"
    filters = d.get("Report_Filters") or {}
    if isinstance(filters, list):   # R5: [{Name, Value}], values '|'-separated
        filters = {f.get("Name"): f.get("Value") for f in filters if isinstance(f, dict)}
    for k, v in filters.items():
        if k in ("Begin_Date", "End_Date"):
            continue
        vals = v if isinstance(v, list) else str(v).split("|")
        h.filters[k] = [str(x) for x in vals if str(x)]
    h.begin = _month_of_date(str(filters.get("Begin_Date", ""))) or ""
    h.end = _month_of_date(str(filters.get("End_Date", ""))) or ""
    h.metric_types = tuple(h.filters.pop("Metric_Type", ()))
    attrs = d.get("Report_Attributes") or {}
    if isinstance(attrs, list):
        attrs = {a.get("Name"): a.get("Value") for a in attrs if isinstance(a, dict)}
    h.attributes = {k: "|".join(v) if isinstance(v, list) else str(v) for k, v in attrs.items()}
    for e in d.get("Exceptions") or []:
        if isinstance(e, dict):
            h.exceptions.append((int(e.get("Code", 0)), str(e.get("Message", "")), str(e.get("Data", ""))))
    return h


def _json_ids(value) -> tuple:
    out = []
    if isinstance(value, list):      # R5
        pairs = [(v.get("Type"), v.get("Value")) for v in value if isinstance(v, dict)]
    elif isinstance(value, dict):    # R5.1
        pairs = list(value.items())
    else:
        pairs = []
    for t, v in pairs:
        col = spec.JSON_ID_TYPES.get(str(t))
        if col and v not in (None, ""):
            out.append((col, str(v)))
    return tuple(sorted(out))


def _json_item(it: dict, name_key: str, parent: Item | None, *, is_parent: bool = False) -> Item:
    authors = it.get("Authors") or [c for c in it.get("Item_Contributors") or [] if isinstance(c, dict)]
    # R5 tabular writes an author's identifier after the name: "F Estelle (ORCID:0000-0001-...)"
    authors = "; ".join(str(a.get("Name", "")) + (f" ({a['Identifier']})" if a.get("Identifier") else "")
                        for a in authors if isinstance(a, dict)) if isinstance(authors, list) else str(authors)
    pub_date = it.get("Publication_Date") or next(
        (x.get("Value") for x in it.get("Item_Dates") or [] if isinstance(x, dict)
         and x.get("Type") == "Publication_Date"), "")
    version = it.get("Article_Version") or next(
        (x.get("Value") for x in it.get("Item_Attributes") or [] if isinstance(x, dict)
         and x.get("Type") == "Article_Version"), "")
    pid = it.get("Publisher_ID")
    return Item(name=str(it.get(name_key) or it.get("Item_Name") or ""), platform=str(it.get("Platform") or ""),
                publisher=str(it.get("Publisher") or ""), publisher_id=_normal_org_id(pid) if pid else "",
                ids=_json_ids(it.get("Item_ID")), data_type=str(it.get("Data_Type") or "") if is_parent else "",
                authors=authors, publication_date=str(pub_date or ""), article_version=str(version or ""),
                parent=parent)


def _json_rows(it: dict, path: str, fam: str, h: Header, fixed: dict, parent: Item | None,
               rows: list, problems: list) -> None:
    name_key = spec.REPORT_FAMILY[fam]
    if fam == "IR" and parent is None and isinstance(it.get("Item_Parent"), dict):   # R5
        parent = _json_item(it["Item_Parent"], "Item_Name", None, is_parent=True)
    item = _json_item(it, name_key, parent)
    if fam == "PR" and not item.platform:
        item = Item(name=item.name, platform=item.name)
    if not item.name:
        problems.append((f"{path}.{name_key}", both("no %(name_key)s", name_key=name_key)))
    if "Attribute_Performance" in it:        # R5.1
        for a, ap in enumerate(it.get("Attribute_Performance") or []):
            where = f"{path}.Attribute_Performance[{a}]"
            attrs = dict(fixed)
            attr_at = {}
            for k in spec.ATTRIBUTE_COLUMNS:
                if ap.get(k) not in (None, ""):
                    attrs[k], attr_at[k] = str(ap[k]), f"{where}.{k}"
            perf = ap.get("Performance") or {}
            if not isinstance(perf, dict):
                problems.append((f"{where}.Performance", both("Performance is not an object")))
                continue
            for metric, by_month in perf.items():
                row = UsageRow(item=item, attrs=attrs, metric=str(metric), counts={}, where=where,
                               metric_at=f"{where}.Performance.{metric}", attr_at=attr_at)
                for month, n in (by_month or {}).items():
                    cell = f"{where}.Performance.{metric}.{month}"
                    m = _month_of_date(str(month))
                    if m is None or len(str(month)) != 7:
                        problems.append((cell, both("%(month)s is not a month (YYYY-MM)", month=repr(month))))
                        continue
                    row.cells[m] = cell
                    row.counts[m] = _json_count(n, cell, problems)
                rows.append(row)
        return
    attrs = dict(fixed)
    attr_at = {}
    for k in spec.ATTRIBUTE_COLUMNS:
        if it.get(k) not in (None, ""):
            attrs[k], attr_at[k] = str(it[k]), f"{path}.{k}"
    by_metric: dict[str, UsageRow] = {}
    for p, perf in enumerate(it.get("Performance") or []):
        where = f"{path}.Performance[{p}]"
        period = perf.get("Period") or {}
        b, e = str(period.get("Begin_Date", "")), str(period.get("End_Date", ""))
        month = _month_of_date(b)
        if month is None or _month_of_date(e) != month or not b.endswith("-01") and len(b) == 10 \
                or len(e) == 10 and e != _last_day(month):
            problems.append((f"{where}.Period", both("the period %(b)s..%(e)s is not one calendar month (COUNTER "
                                                     "counts by month)",
                                                     b=b, e=e)))
            continue
        for k, inst in enumerate(perf.get("Instance") or []):
            metric = str(inst.get("Metric_Type", ""))
            cell = f"{where}.Instance[{k}]"
            row = by_metric.get(metric)
            if row is None:
                row = by_metric[metric] = UsageRow(item=item, attrs=attrs, metric=metric, counts={}, where=path,
                                                   metric_at=f"{cell}.Metric_Type", attr_at=attr_at)
                rows.append(row)
            if month in row.counts:
                problems.append((cell, both("%(metric)s is given twice for %(month)s", metric=metric, month=month)))
            row.cells[month] = cell
            row.counts[month] = _json_count(inst.get("Count"), f"{cell}.Count", problems)


def _last_day(month: str) -> str:
    import calendar
    y, m = map(int, month.split("-"))
    return f"{month}-{calendar.monthrange(y, m)[1]:02d}"


def _json_count(n, where: str, problems: list) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        if isinstance(n, float) and n.is_integer():
            return int(n)
        problems.append((where, both("count %(n)s is not a whole number", n=repr(n))))
        return 0
    return n
