"""COUNTER import: bad reports are refused with the row and column named and nothing
stored; re-importing replaces, never double counts; the shapes hold RDF that arrives
without the importer (rightsgraph load) to the same rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

SUITE = Path(__file__).resolve().parent / "conformance" / "suites" / "counter"
TRJ1 = SUITE / "r51" / "TRJ1_sample_r51.tsv"        # rows 16-17: Title 3, Total / Unique_Item_Requests
RG = "https://w3id.org/rightsgraph/ns#"


def _edit(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_text(encoding="utf-8-sig")
    assert old in text
    out = tmp_path / (name or source.name)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


def _observations(store) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?o <{RG}usageCount> ?c }}"
    return int(next(iter(store.query(q)))["n"].value)


def _import(store, *paths):
    from rightsgraph.usage.importing import import_reports
    return import_reports(store, list(paths))


def _refused(store, *paths) -> list[str]:
    from rightsgraph.usage.importing import UsageImportError
    before = store.count()
    with pytest.raises(UsageImportError) as exc:
        _import(store, *paths)
    assert store.count() == before     # nothing stored
    return exc.value.lines("en")


# ------------------------------------------------------------------------ bad reports

def test_metric_not_allowed_in_the_report_type(store, tmp_path):
    bad = _edit(tmp_path, TRJ1, "Unique_Item_Requests\t3792", "No_License\t3792")
    lines = _refused(store, bad)
    assert any("row 17, column J (Metric_Type)" in line and "'No_License' is not allowed in TR_J1" in line
               for line in lines), lines


def test_unique_above_total(store, tmp_path):
    bad = _edit(tmp_path, TRJ1, "Unique_Item_Requests\t3792\t226", "Unique_Item_Requests\t4492\t926")
    lines = _refused(store, bad)
    assert lines == ["TRJ1_sample_r51.tsv: row 17, column L (Jan-2022): Unique_Item_Requests 926 is above "
                     "Total_Item_Requests 526 for 2022-01"]


def test_a_chinese_reader_is_told_the_place_in_chinese(store, tmp_path):
    """The row and column of a bad cell in the reader's language (they stayed English inside
    the Chinese message); a JSON path names the file's own keys and stays as it is."""
    from rightsgraph.usage.importing import UsageImportError
    bad = _edit(tmp_path, TRJ1, "Unique_Item_Requests\t3792\t226", "Unique_Item_Requests\t4492\t926")
    with pytest.raises(UsageImportError) as exc:
        _import(store, bad)
    (line,) = exc.value.lines("zh")
    assert line.startswith("TRJ1_sample_r51.tsv: 第 17 行，L 列（Jan-2022）: ") and "row" not in line, line
    from rightsgraph.file_positions import in_language
    assert in_language("line 1, column 3", "zh") == "第 1 行，第 3 列"
    assert in_language("byte 12", "zh") == "第 12 个字节"
    assert in_language("Report_Items[0].Performance", "zh") == "Report_Items[0].Performance"
    assert in_language("row 17, column L (Jan-2022)", "en") == "row 17, column L (Jan-2022)"


def test_unique_above_total_in_json(store, tmp_path):
    doc = json.loads((SUITE / "r51" / "TRJ1_sample_r51.json").read_text(encoding="utf-8"))
    doc["Report_Items"][0]["Attribute_Performance"][0]["Performance"]["Unique_Item_Requests"]["2022-03"] = 900
    bad = tmp_path / "TRJ1.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    lines = _refused(store, bad)
    assert any("Report_Items[0].Attribute_Performance[0].Performance.Unique_Item_Requests.2022-03" in line
               for line in lines), lines


@pytest.mark.parametrize("old,new,where,what", [
    ("526\t866", "526\tlots", "row 16, column M (Feb-2022)", "count 'lots' is not a whole number"),
    ("526\t866", "526\t-866", "row 16, column M (Feb-2022)", "negative count -866"),
    ("Report_ID\tTR_J1", "Report_ID\tTR_J9", "row 2, column B (Report_ID)", "Report_ID 'TR_J9' is not a COUNTER"),
    ("Release\t5.1", "Release\t4", "row 3, column B (Release)", "Release '4' is not 5 or 5.1"),
    ("End_Date=2022-12-31", "End_Date=2022-06-30", "row 16, column R (Jul-2022)", "2022-07 is outside the reporting period"),
    ("Total_Item_Requests\t8844", "Total_Item_Requests\t8845", "row 16, column K (Reporting_Period_Total)",
     "Reporting_Period_Total 8845 is not the sum of the months (8844)"),
    ("Metric_Type\tReporting", "Metric_Typ\tReporting", "row 15, column J", "unknown column 'Metric_Typ'"),
])
def test_bad_cells_are_named(store, tmp_path, old, new, where, what):
    lines = _refused(store, _edit(tmp_path, TRJ1, old, new))
    assert any(where in line and what in line for line in lines), lines


def test_malformed_files(store, tmp_path):
    garbage = tmp_path / "garbage.tsv"
    garbage.write_bytes(b"\xff\xfe\x00not a report")
    broken = tmp_path / "broken.json"
    broken.write_text('{"Report_Header": {"Report_ID": "TR"', encoding="utf-8")
    not_xlsx = tmp_path / "zip.xlsx"
    not_xlsx.write_bytes(b"PK\x03\x04broken")
    lines = _refused(store, garbage, broken, not_xlsx)
    assert any(line.startswith("garbage.tsv: byte 0: not UTF-8") for line in lines), lines
    assert any(line.startswith("broken.json: line 1, column 37: malformed JSON") for line in lines), lines
    assert any(line.startswith("zip.xlsx: not a readable Excel workbook") for line in lines), lines


def test_one_bad_file_stores_nothing(store, tmp_path):
    bad = _edit(tmp_path, TRJ1, "526\t866", "526\t-1")
    _refused(store, SUITE / "r51" / "TR_sample_r51.tsv", bad)
    assert _observations(store) == 0


# ------------------------------------------------------------------------ replace, never double

def test_reimport_replaces(store):
    first = _import(store, TRJ1)
    assert _observations(store) == first.observations == 24
    again = _import(store, SUITE / "r51" / "TRJ1_sample_r51.json")   # the same report as JSON
    assert again.graphs.keys() == first.graphs.keys()
    assert _observations(store) == 24


def _json_months(tmp_path: Path, name: str, begin: str, end: str) -> Path:
    """The TR_J1 sample as JSON, cut to the months begin..end (YYYY-MM)."""
    doc = json.loads((SUITE / "r51" / "TRJ1_sample_r51.json").read_text(encoding="utf-8"))
    doc["Report_Header"]["Report_Filters"].update(Begin_Date=f"{begin}-01", End_Date=f"{end}-28")
    for item in doc["Report_Items"]:
        for ap in item["Attribute_Performance"]:
            for metric, months in ap["Performance"].items():
                ap["Performance"][metric] = {m: n for m, n in months.items() if begin <= m <= end}
    out = tmp_path / name
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


def test_a_covering_report_replaces_and_a_partial_overlap_is_refused(store, tmp_path):
    (g_half,) = _import(store, _json_months(tmp_path, "half.json", "2022-01", "2022-06")).graphs
    assert _observations(store) == 12
    # the whole year covers the first half: it replaces it (24 observations, not 36)
    whole = _import(store, TRJ1)
    assert whole.replaced == [g_half] and _observations(store) == 24
    # 2022-06..2023-01 of the same platform would count 2022-06..12 twice
    lines = _refused(store, _json_months(tmp_path, "overlap.json", "2022-06", "2023-01"))
    assert any("overlaps the imported TR_J1 for 2022-01..2022-12" in line for line in lines), lines
    assert _observations(store) == 24


# ------------------------------------------------------------------------ the shapes

CUBE = """@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix qb: <http://purl.org/linked-data/cube#> .
@prefix counter: <https://w3id.org/rightsgraph/counter#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix ex: <https://library.example.org/usage/> .
ex:ds a rg:UsageDataSet ; qb:structure counter:UsageStructure ; rg:reportType counter:TR_J1 ;
    rg:counterRelease "5.1" ; rg:beginMonth "2025-01"^^xsd:gYearMonth ; rg:endMonth "2025-02"^^xsd:gYearMonth ;
    qb:slice ex:total , ex:unique .
ex:item a rg:UsageItem ; dct:title "Journal A" ; rg:onlineIssn "1234-5679" .
ex:total a rg:UsageSeries ; rg:usageItem ex:item ; rg:metricType counter:Total_Item_Requests ;
    qb:observation [ rg:usageMonth "2025-01"^^xsd:gYearMonth ; rg:usageCount 10 ] .
ex:unique a rg:UsageSeries ; rg:usageItem ex:item ; rg:metricType counter:Unique_Item_Requests ;
    qb:observation [ rg:usageMonth "2025-01"^^xsd:gYearMonth ; rg:usageCount 7 ] .
"""


@pytest.mark.parametrize("old,new,shape", [
    (None, None, None),
    ("rg:usageCount 7", "rg:usageCount 12", "UniqueNotAboveTotal"),
    ("counter:Unique_Item_Requests", "counter:No_License", "MetricAllowedInReport"),
    ("rg:usageCount 10", "rg:usageCount -1", "UsageObservation-count"),
    ('rg:usageMonth "2025-01"^^xsd:gYearMonth ; rg:usageCount 10', 'rg:usageMonth "2025-03"^^xsd:gYearMonth ; '
     'rg:usageCount 10', "MonthInReportingPeriod"),
    ('rg:usageCount 10 ]', 'rg:usageCount 10 ] , [ rg:usageMonth "2025-01"^^xsd:gYearMonth ; rg:usageCount 3 ]',
     "OneObservationPerMonth"),
    ('rg:usageCount 10 ]', 'rg:usageMonth "2025-02"^^xsd:gYearMonth ; rg:usageCount 10 ]', "UsageObservation-month"),
], ids=["valid", "unique-above-total", "metric-not-allowed", "negative", "outside-period", "month-twice",
        "two-months"])
def test_shapes_gate_rdf_loaded_directly(store, tmp_path, old, new, shape):
    from rightsgraph.loading import LoadRejected, load_files
    path = tmp_path / "cube.ttl"
    path.write_text(CUBE if old is None else CUBE.replace(old, new, 1), encoding="utf-8")
    if shape is None:
        load_files(store, [path])
        return
    with pytest.raises(LoadRejected) as exc:
        load_files(store, [path])
    name = lambda node: getattr(node, "value", str(node)).rsplit("#", 1)[-1]  # noqa: E731
    shapes = {name(r.source_shape) for r in exc.value.report.results} | \
        {name(r.source_constraint) for r in exc.value.report.results if r.source_constraint is not None}
    assert shape in shapes, exc.value.report.format_text(lang="en")


# ------------------------------------------------------------------------ the CLI

def test_cli_import_list_remove(tmp_path):
    d = tmp_path / "store"
    out = run_cli("usage", "import", TRJ1, SUITE / "r51" / "DRD2_sample_r51.json", data_dir=d)
    assert out.returncode == 0, out.stderr
    assert "imported TR_J1: 24 observations" in out.stdout and "imported DR_D2: 72 observations" in out.stdout
    listed = json.loads(run_cli("usage", "list", "--json", data_dir=d).stdout)
    assert sorted(r["report"] for r in listed) == ["DR_D2", "TR_J1"]
    gone = run_cli("usage", "remove", listed[0]["graph"], data_dir=d)
    assert gone.returncode == 0 and len(json.loads(run_cli("usage", "list", "--json", data_dir=d).stdout)) == 1


def test_cli_refusal_in_chinese(tmp_path):
    bad = _edit(tmp_path, TRJ1, "Unique_Item_Requests\t3792\t226", "Unique_Item_Requests\t4492\t926")
    out = run_cli("--lang", "zh", "usage", "import", bad, data_dir=tmp_path / "store")
    assert out.returncode == 1
    assert "第 17 行，L 列（Jan-2022）: 2022-01 的 Unique_Item_Requests（926）大于 Total_Item_Requests（526）" in out.stderr
    assert "未导入任何数据" in out.stderr and "Traceback" not in out.stderr
