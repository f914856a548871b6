"""Risk report (national guide art. 8.3) over the demo world and small test licences:
CLI, Python and the HTTP door (GET /api/v1/reports/risks|assets)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rightsgraph.licences.registry import import_sheet
from rightsgraph.loading import load_files
from rightsgraph.reports.risks import risk_report

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
DATA = REPO / "tests" / "data" / "licences"
D = "https://demo.rightsgraph.org/"
EX = "http://example.org/lic/"



def test_resources_without_a_licence_in_force(demo_store):
    rep = risk_report(demo_store, at=date(2026, 11, 26))
    got = {g["collection"]: g["resources"] for g in rep["unlicensed"]}
    # L05 expired (no post-cancellation access), L07 starts in 2027
    assert got == {D + "package/aldgate-ebooks-2022": 140, D + "package/aldgate-medicine": 60}
    # in 2027 the medicine bundle is licensed, and L03's walk-in term ended but its
    # perpetual access survives, so the PASAS journals are still covered
    rep = risk_report(demo_store, at=date(2027, 3, 1))
    got = {g["collection"] for g in rep["unlicensed"]}
    assert D + "package/aldgate-medicine" not in got
    assert D + "package/pasas-journals" not in got
    assert D + "package/northstar-caj" in got      # L04 ended 2026-12-31, no survival


def test_expiring_licences(demo_store):
    rep = risk_report(demo_store, at=date(2026, 11, 26), days=60)
    assert [(e["licence"], e["days_left"]) for e in rep["expiring"]] == [
        (D + "licence/L03", 35), (D + "licence/L04", 35)]
    assert risk_report(demo_store, at=date(2026, 11, 26), days=30)["expiring"] == []


def test_expiring_with_a_renewal(demo_store, tmp_path):
    import yaml
    from rightsgraph.licences.termsheet import canonical
    raw = yaml.safe_load((DEMO / "termsheets" / "L04.yaml").read_text())
    raw.update(licence="lic:L04-2027", start="2027-01-01", end="2027-12-31", status="not_yet_active",
               renews="lic:L04", rule_prefix="rule:L04-2027-")
    import_sheet(demo_store, tmp_path / "L04-2027.yaml", sheet=canonical(raw))
    rep = risk_report(demo_store, at=date(2026, 11, 26), days=60)
    l04 = next(e for e in rep["expiring"] if e["licence"] == D + "licence/L04")
    assert l04["renewal"] == [D + "licence/L04-2027"]


def test_key_uses_silent_or_unreviewed(demo_store):
    rep = risk_report(demo_store, at=date(2026, 11, 26))
    got = {(k["licence"].rsplit("/", 1)[1], k["term"], k["status"]) for k in rep["key_uses"]}
    assert ("L01", "ill_print_fax", "silent") in got
    assert ("L01", "post_cancellation_access", "not_reviewed") in got
    assert ("L03", "ill_electronic", "silent") in got
    assert ("L04", "archiving_rights", "silent") in got
    assert ("L02", "tdm", "not recorded") in got
    assert not any(lic in ("L05", "L06") for lic, _, _ in got)   # expired for good / not binding
    assert not any(t == "ill_secure_electronic" and lic == "L01" for lic, t, _ in got)


def test_assets_without_preservation_right(demo_store):
    rep = risk_report(demo_store, at=date(2026, 11, 26))
    got = {g["collection"]: g["resources"] for g in rep["no_preservation"]}
    assert got[D + "package/northstar-caj"] == 120
    assert D + "package/aldgate-stm-journals" not in got         # L01 archiving right
    assert D + "collection/lib-e-local-history" not in got       # rights statements list premis:act
    assert got[D + "collection/pasas-oa-monographs"] == 25


def test_contradicting_terms(world_store):
    rep = risk_report(world_store, at=date(2025, 6, 1))
    assert rep["conflicts"], rep["conflicts"]
    kinds = {c["kind"] for c in rep["conflicts"]}
    assert kinds == {"permission-prohibition"}


@pytest.fixture
def world_store(store, tmp_path):
    """A licence whose own terms contradict: print permitted and prohibited for the same users."""
    import yaml
    from rightsgraph.licences.termsheet import canonical
    load_files(store, [DATA / "world.ttl"])
    raw = yaml.safe_load((DATA / "journals.yaml").read_text())
    raw["terms"].append({"term": "print_copy", "status": "prohibited_interpreted", "id": "no-print"})
    import_sheet(store, tmp_path / "j.yaml", sheet=canonical(raw))
    return store


def test_demo_has_no_contradictions_and_member_narrowing_is_not_one(demo_store, store=None):
    rep = risk_report(demo_store, at=date(2026, 11, 26))
    assert rep["conflicts"] == []


def test_member_narrowing_is_not_reported_as_a_conflict(store):
    load_files(store, [DATA / "world.ttl"])
    import_sheet(store, DATA / "master.yaml")
    import_sheet(store, DATA / "local-b.yaml")
    assert risk_report(store, at=date(2025, 6, 1))["conflicts"] == []


def test_risks_cli(demo_store):
    from tests.conftest import run_cli
    data_dir = Path(demo_store.path).parent
    demo_store.close()
    out = run_cli("report", "risks", "--at", "2026-11-26", "--days", "60", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert "resources in service with no licence in force: 200" in out.stdout
    assert "licence/L03 ends 2026-12-31 (35 days); no renewal" in out.stdout
    rep = json.loads(run_cli("report", "risks", "--at", "2026-11-26", "--json", data_dir=data_dir).stdout)
    assert rep["summary"]["unlicensed_resources"] == 200


def test_http_reports(demo_store):
    from rightsgraph.web.app import create_app
    client = create_app(demo_store).test_client()
    r = client.get("/api/v1/reports/risks?at=2026-11-26&days=60")
    assert r.status_code == 200
    assert r.get_json()["summary"]["expiring_licences"] == 2
    r = client.get("/api/v1/reports/assets?sample=3&seed=9")
    assert r.status_code == 200
    body = r.get_json()
    assert body["resources"] == 1000 and body["sample"]["size"] == 3
    assert client.get("/api/v1/reports/risks?days=soon").status_code == 400


def test_http_reports_need_a_cataloguer_when_graphs_are_confidential(demo_store):
    from rightsgraph.confidentiality import set_confidential
    from rightsgraph.web.app import create_app
    set_confidential(demo_store, "https://w3id.org/rightsgraph/graph/licence/L01")
    client = create_app(demo_store).test_client()
    assert client.get("/api/v1/reports/risks").status_code in (401, 403)


def test_the_report_from_the_services_compiled_policies_is_the_same(demo_store):
    from rightsgraph.decision_service import DecisionService
    at = date(2026, 6, 1)
    assert risk_report(demo_store, at=at, index=DecisionService(demo_store).index()) == risk_report(demo_store, at=at)


def test_the_service_compiles_the_policies_once_for_its_decisions_and_risk_reports(demo_store, tmp_path, monkeypatch):
    """The risk report behind the cataloguer's home, the report page and the API uses the
    decision service's compiled policies (at 10,000 licences compiling them is half the
    report's time), so one store state is compiled once, not once per door."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.policy import PolicyIndex
    from rightsgraph.web.app import create_app
    builds = []
    from_store = PolicyIndex.from_store.__func__

    def counted(cls, *args, **kwargs):
        builds.append(1)
        return from_store(cls, *args, **kwargs)
    monkeypatch.setattr(PolicyIndex, "from_store", classmethod(counted))
    accounts = tmp_path / "accounts.json"
    auth = {"Authorization": "Bearer " + Accounts(accounts).add("cat", "cataloguer")}
    client = create_app(demo_store, settings={"RG_ACCOUNTS_FILE": str(accounts)}).test_client()
    for url in ("/", "/reports/risks", "/api/v1/reports/risks",
                "/api/v1/decision?target=https://demo.rightsgraph.org/resource/0001&action=read"
                "&assignee=https://demo.rightsgraph.org/party/dalc-authorised-users"):
        assert client.get(url, headers=auth).status_code == 200, url
    assert len(builds) == 1
