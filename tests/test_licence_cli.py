"""`rightsgraph licence import|show|compare|list` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "licences"
EX = "http://example.org/lic/"


def _count(d, graph=None):
    q = (f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}" if graph
         else "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    out = run_cli("query", "--format", "json", q, data_dir=d)
    return int(json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"])


def test_import_show_round_trip_and_compare(tmp_path):
    d = tmp_path / "data"
    assert run_cli("load", DATA / "world.ttl", data_dir=d).returncode == 0
    out = run_cli("licence", "import", DATA / "journals.yaml", data_dir=d)
    assert out.returncode == 0, out.stderr
    assert "imported <http://example.org/lic/journals-2024>: 14 terms, 10 ODRL rules" in out.stdout
    shown = run_cli("licence", "show", EX + "journals-2024", data_dir=d)
    assert shown.returncode == 0
    (tmp_path / "again.yaml").write_text(shown.stdout, encoding="utf-8")
    csv = run_cli("licence", "show", EX + "journals-2024", "--format", "csv", data_dir=d)
    (tmp_path / "again.csv").write_text(csv.stdout, encoding="utf-8")
    from rightsgraph.licences.termsheet import read_sheet
    assert read_sheet(tmp_path / "again.yaml") == read_sheet(DATA / "journals.yaml") == read_sheet(tmp_path / "again.csv")
    g = "https://w3id.org/rightsgraph/graph/licence/journals-2024"
    before = _count(d, g)
    assert run_cli("licence", "import", tmp_path / "again.csv", data_dir=d).returncode == 0
    assert _count(d, g) == before == 285          # the same licence, replaced in place
    assert run_cli("licence", "import", DATA / "amendment.yaml", data_dir=d).returncode == 0
    assert run_cli("licence", "list", data_dir=d).stdout.split() == [EX + "journals-2024", EX + "journals-2024-amendment-1"]
    cmp = run_cli("licence", "compare", EX + "journals-2024", EX + "journals-2024-amendment-1", "--json", data_dir=d)
    res = json.loads(cmp.stdout)
    rows = {r["term"]: r for r in res["rows"]}
    assert rows["tdm"]["values"][0].startswith("not_reviewed") and rows["tdm"]["values"][1].startswith("permitted_explicit")
    assert rows["governing_law"]["values"][1] == "(not recorded)" and rows["governing_law"]["differs"]
    table = run_cli("licence", "compare", EX + "journals-2024", EX + "journals-2024-amendment-1", data_dir=d).stdout
    assert "* tdm (Text and data mining)" in table


def test_bad_sheets_exit_1_and_store_nothing(tmp_path):
    d = tmp_path / "data"
    run_cli("load", DATA / "world.ttl", data_dir=d)
    before = _count(d)
    for name, msg in (("bad-unknown-term.yaml", "unknown term 'telepathic_access'"),
                      ("bad-status.yaml", "invalid term status 'maybe'"),
                      ("bad-dates.yaml", "end: 2023-06-30 is before start 2024-01-01")):
        out = run_cli("licence", "import", DATA / name, data_dir=d)
        assert out.returncode == 1 and msg in out.stderr and "nothing was stored" in out.stderr
    # the SHACL gate: the licensor is not in the store
    out = run_cli("licence", "import", DATA / "master.yaml", data_dir=tmp_path / "empty")
    assert out.returncode == 1 and "rejected; nothing was stored" in out.stderr
    assert _count(d) == before
    assert run_cli("licence", "import", tmp_path / "missing.yaml", data_dir=d).returncode == 3
    assert run_cli("licence", "show", EX + "nope", data_dir=d).returncode == 3


def test_show_and_compare_accept_prefixed_and_local_names(tmp_path):
    """`licence show lic:L01` and `licence compare L01 L03`: a prefix the product does not
    know, or none, is matched against the licences in the store by local name."""
    d = tmp_path / "data"
    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    assert run_cli("load", demo / "parties.ttl", demo / "collections.ttl", data_dir=d).returncode == 0
    for name in ("L01", "L03"):
        assert run_cli("licence", "import", demo / "termsheets" / f"{name}.yaml", data_dir=d).returncode == 0
    full = run_cli("licence", "show", "https://demo.rightsgraph.org/licence/L01", data_dir=d)
    assert full.returncode == 0
    for name in ("lic:L01", "L01"):
        short = run_cli("licence", "show", name, data_dir=d)
        assert (short.returncode, short.stdout) == (0, full.stdout), short.stderr
    cmp = run_cli("licence", "compare", "lic:L01", "L03", "--json", data_dir=d)
    assert cmp.returncode == 0, cmp.stderr
    assert json.loads(cmp.stdout)["licences"] == ["https://demo.rightsgraph.org/licence/L01",
                                                  "https://demo.rightsgraph.org/licence/L03"]
    missing = run_cli("licence", "show", "lic:L99", data_dir=d)
    assert missing.returncode == 3 and "no licence named 'lic:L99'" in missing.stderr
