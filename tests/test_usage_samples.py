"""Every COUNTER sample (R5 and R5.1, TSV, CSV, xlsx, JSON) imports, and the store holds
exactly its cells: each non-zero month cell of each row is one observation with that
count, for that item, metric type and attributes; zero cells are none.

The expected cells are read here with the csv module / openpyxl / json, independently of
rightsgraph.usage.reader, and compared with what SPARQL finds in the report's graph.
"""

from __future__ import annotations

import csv
import filecmp
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent / "conformance" / "suites" / "counter"
SAMPLES = sorted(p for p in SUITE.rglob("*") if p.suffix in (".tsv", ".csv", ".json", ".xlsx"))
RG = "https://w3id.org/rightsgraph/ns#"
QB = "http://purl.org/linked-data/cube#"
DIMS = {"Data_Type": "dataType", "Section_Type": "sectionType", "YOP": "yop", "Access_Type": "accessType",
        "Access_Method": "accessMethod"}
MON = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}


def _month(col: str) -> str | None:
    m = re.fullmatch(r"([A-Z][a-z]{2})-(\d{4})", col.strip())
    if m:
        return f"{m.group(2)}-{MON[m.group(1)]:02d}"
    m = re.fullmatch(r"(\d{4})-(\d{2})-01 00:00:00", col.strip())   # Excel date cells
    return f"{m.group(1)}-{m.group(2)}" if m else None


def _tabular_rows(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [["" if v is None else str(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return rows
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter="\t" if path.suffix == ".tsv" else ","))


def expected_tabular(path: Path) -> Counter:
    """(item, metric, month, count, dims shown as columns) for every non-zero month cell."""
    rows = _tabular_rows(path)
    head = next(i for i, r in enumerate(rows) if r and r[0].strip().lstrip("\ufeff") in
                ("Title", "Database", "Platform", "Item") and sum(1 for c in r if c.strip()) > 2)
    cols = [c.replace(" ", "").strip() for c in rows[head]]
    out = Counter()
    for r in rows[head + 1:]:
        if not any(c.strip() for c in r):
            continue
        get = dict(zip(cols, (c.strip() for c in r)))
        dims = tuple(sorted((d, get[d]) for d in DIMS if get.get(d)))
        for col, value in get.items():
            month = _month(col)
            if month and value and int(float(value)):
                out[(get[cols[0]], get["Metric_Type"], month, int(float(value)), dims)] += 1
    return out


def expected_json(path: Path) -> Counter:
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    out = Counter()
    name_of = {"PR": "Platform", "DR": "Database", "TR": "Title", "IR": "Item"}
    name_key = name_of[doc["Report_Header"]["Report_ID"][:2]]
    items = []
    for it in doc.get("Report_Items", []):
        items += it["Items"] if "Items" in it else [it]
    for it in items:
        if "Attribute_Performance" in it:        # R5.1
            for ap in it["Attribute_Performance"]:
                dims = tuple(sorted((d, str(ap[d])) for d in DIMS if ap.get(d)))
                for metric, months in ap["Performance"].items():
                    for month, n in months.items():
                        if n:
                            out[(it[name_key], metric, month, n, dims)] += 1
        else:                                     # R5
            dims = tuple(sorted((d, str(it[d])) for d in DIMS if it.get(d)))
            for perf in it.get("Performance", []):
                month = perf["Period"]["Begin_Date"][:7]
                for inst in perf["Instance"]:
                    if inst["Count"]:
                        out[(it[name_key], inst["Metric_Type"], month, inst["Count"], dims)] += 1
    return out


def stored(store, graph: str, shown: set[str]) -> Counter:
    rows = store.query(f"""SELECT ?name ?metric ?month ?n ?dim ?v ?s ?o WHERE {{ GRAPH <{graph}> {{
        ?s <{RG}usageItem> ?i ; <{RG}metricType> ?metric ; <{QB}observation> ?o .
        ?i <http://purl.org/dc/terms/title> ?name . ?o <{RG}usageMonth> ?month ; <{RG}usageCount> ?n .
        OPTIONAL {{ ?s ?dim ?v FILTER(?dim IN ({", ".join(f"<{RG}{p}>" for p in DIMS.values())})) }} }} }}""")
    by_obs: dict = {}
    back = {RG + p: d for d, p in DIMS.items()}
    for r in rows:
        key = (r["s"].value, str(r["o"]))
        rec = by_obs.setdefault(key, [r["name"].value, r["metric"].value.rsplit("#", 1)[1], r["month"].value,
                                      int(r["n"].value), {}])
        if r["dim"] is not None and back[r["dim"].value] in shown:
            v = r["v"].value
            rec[4][back[r["dim"].value]] = v.rsplit("#", 1)[1] if v.startswith("https://w3id.org/") else v
    return Counter((a, b, c, d, tuple(sorted(e.items()))) for a, b, c, d, e in by_obs.values())


def shown_dims(expected: Counter) -> set[str]:
    return {d for key in expected for d, _ in key[4]}


@pytest.fixture(scope="module")
def usage_store(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    st = EmbeddedStore(tmp_path_factory.mktemp("usage") / "store")
    ensure_system_graphs(st)
    return st


def test_the_suite_is_complete():
    names = {p.name for p in SAMPLES}
    for rid in ("PR", "PR_P1", "DR", "DR_D1", "DR_D2", "TR", "TR_B1", "TR_B2", "TR_B3", "TR_J1", "TR_J2",
                "TR_J3", "TR_J4", "IR", "IR_A1", "IR_M1"):
        for ext in ("json", "tsv", "xlsx"):
            assert f"Sample-{rid}.{ext}" in names
            assert f"{rid.replace('_', '')}_sample_r51.{ext}" in names
    assert "50-Sample-TR.csv" in names


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sample_imports_cell_by_cell(usage_store, path):
    from rightsgraph.usage.importing import import_reports
    expected = expected_json(path) if path.suffix == ".json" else expected_tabular(path)
    result = import_reports(usage_store, [path])
    (graph, (_, n)), = result.graphs.items()
    assert n == sum(expected.values())
    got = stored(usage_store, graph, shown_dims(expected))
    assert got == expected, (sorted(expected - got)[:5], sorted(got - expected)[:5])


def _observations(path: Path) -> Counter:
    from rightsgraph.usage.reader import read_report
    rep = read_report(path)
    return Counter((r.item, r.metric, m, n, tuple(sorted(r.attrs.items())))
                   for r in rep.rows for m, n in r.counts.items() if n)


@pytest.mark.parametrize("stem", sorted(p.stem for p in SAMPLES if p.suffix == ".json" and p.parent.name != "other"))
def test_formats_of_one_report_agree(stem):
    """TSV, xlsx and JSON of one sample: the same observations of the same items
    (identifiers, publisher, parent included) with the same dimensions."""
    seen = {p.suffix: _observations(p) for p in SUITE.rglob(stem + ".*") if p.parent.name in ("r5", "r51")}
    assert set(seen) == {".tsv", ".xlsx", ".json"}
    assert seen[".tsv"] == seen[".xlsx"]
    assert seen[".tsv"] == seen[".json"], (sorted(seen[".tsv"] - seen[".json"], key=str)[:3],
                                           sorted(seen[".json"] - seen[".tsv"], key=str)[:3])


def test_csv_sample_is_the_tsv_sample():
    assert _observations(SUITE / "r5" / "50-Sample-TR.csv") == _observations(SUITE / "r5" / "Sample-TR.tsv")


def test_vendored_copies_are_unchanged():
    """Every vendored sample is the file recorded in SHA256SUMS when it was copied from
    ../shared/conformance (unchanged, as the CC BY-SA attribution in the README says)."""
    sums = dict(reversed(line.split("  ", 1)) for line in (SUITE / "SHA256SUMS").read_text().splitlines())
    assert sorted(sums) == sorted(p.relative_to(SUITE).as_posix() for p in SAMPLES)
    for p in SAMPLES:
        assert hashlib.sha256(p.read_bytes()).hexdigest() == sums[p.relative_to(SUITE).as_posix()], p


def test_vendored_copies_match_shared_when_it_is_beside_the_clone():
    shared_dir = Path(__file__).resolve().parents[2] / "shared" / "conformance"
    if not shared_dir.is_dir():
        pytest.skip("no ../shared/conformance beside this clone: SHA256SUMS is the check")
    shared = {p.name: p for p in (shared_dir / "counter" / "samples").rglob("*") if p.is_file()}
    shared.update({p.name: p for p in (shared_dir / "samples").glob("*") if "KBART" not in p.name})
    for p in SAMPLES:
        assert p.name in shared, p
        assert filecmp.cmp(p, shared[p.name], shallow=False), p
