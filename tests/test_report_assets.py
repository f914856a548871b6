"""Asset classes derived by the rules in ontology/rules/ (national guide art. 9), the
inventory and the reproducible spot-check sample; over the demo world."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsgraph.licences.registry import import_sheet
from rightsgraph.reports.assets import DERIVED_GRAPH, asset_report, derive_asset_classes, rule_files

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
D = "https://demo.rightsgraph.org/"
RG = "https://w3id.org/rightsgraph/ns#"



def test_rules_are_numbered_construct_files():
    files = rule_files()
    assert len(files) == 8
    for f in files:
        assert f.stem[:2].isdigit() and "CONSTRUCT" in f.read_text()


def test_derived_classes_match_the_catalogue(demo_store):
    """The demo catalogue records each resource's class by hand; the rules derive the same
    class from the rights held, for all 1,000 resources and all eight classes."""
    rep = asset_report(demo_store)
    assert rep["resources"] == 1000
    assert rep["mismatches"] == [] and rep["unclassified"] == []
    by = {r["class"]: r["resources"] for r in rep["by_class"]}
    assert by == {"rg:SubscribedAccess": 497, "rg:OwnedPerpetual": 260, "rg:ConsortiumLicensed": 164,
                  "rg:OpenAccess": 25, "rg:LegalDeposit": 20, "rg:SelfDigitised": 18, "rg:PublicDomain": 12,
                  "rg:DonatedExchanged": 4}
    owned = next(r for r in rep["by_class"] if r["class"] == "rg:OwnedPerpetual")
    assert owned["cost"] == {"CNY": "860000.00"}
    lic = {r["licence"]: r for r in rep["by_licence"]}
    assert lic[D + "licence/L01"]["resources"] == 161


def test_derived_graph_is_written_by_the_system(demo_store):
    n = sum(1 for _ in demo_store.quads(DERIVED_GRAPH))
    assert n == 1000
    rows = list(demo_store.query(f"SELECT ?c WHERE {{ GRAPH <{DERIVED_GRAPH.value}> {{ <{D}resource/0322> <{RG}assetClass> ?c }} }}"))
    assert rows[0]["c"].value == RG + "OwnedPerpetual"


def test_recomputed_when_licences_change(demo_store, tmp_path):
    """PASAS journals: Library A's subscription (L03). If the consortium's L06 is signed
    (status active), the package becomes consortium-licensed."""
    import yaml
    from rightsgraph.licences.termsheet import canonical
    before = derive_asset_classes(demo_store)
    assert before[D + "resource/0163"] == RG + "SubscribedAccess"
    raw = yaml.safe_load((DEMO / "termsheets" / "L06.yaml").read_text())
    raw["status"] = "active"
    raw["signed"] = "2026-11-20"
    import_sheet(demo_store, tmp_path / "L06.yaml", sheet=canonical(raw))
    rows = list(demo_store.query(f"SELECT ?c WHERE {{ GRAPH <{DERIVED_GRAPH.value}> {{ <{D}resource/0163> <{RG}assetClass> ?c }} }}"))
    assert [r["c"].value for r in rows] == [RG + "ConsortiumLicensed"]


def test_spot_check_sample_is_reproducible(demo_store):
    a = asset_report(demo_store, sample=10, seed=42)["sample"]
    b = asset_report(demo_store, sample=10, seed=42)["sample"]
    c = asset_report(demo_store, sample=10, seed=43)["sample"]
    assert a == b and a != c
    assert a["size"] == 10 and all(it["class"].startswith("rg:") for it in a["items"])


def test_report_assets_cli(demo_store, tmp_path):
    from tests.conftest import run_cli
    data_dir = Path(demo_store.path).parent      # the CLI opens <data dir>/store
    demo_store.close()
    out = run_cli("report", "assets", "--json", "--sample", "5", "--seed", "1", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    rep = json.loads(out.stdout)
    assert rep["resources"] == 1000 and rep["sample"]["size"] == 5
    out2 = run_cli("report", "assets", "--sample", "5", "--seed", "1", data_dir=data_dir)
    assert "spot-check sample (seed 1, 5 items)" in out2.stdout
    assert "rg:OwnedPerpetual" in out2.stdout
