"""The demo library's usage (data/demo/usage/, made by data/demo/build_usage.py): `rightsgraph
demo` loads it, and every indicator comes out of it with figures that agree with the files
(read here with the csv module and rdflib, apart from rightsgraph): cost per use, demand,
the usage trend, quantity and timeliness; the charts draw it, over the CLI and HTTP."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import rdflib

from .conftest import REPO, run_cli

DEMO = REPO / "data" / "demo"
USAGE = DEMO / "usage"
L = "https://demo.rightsgraph.org/licence/"
RG = rdflib.Namespace("https://w3id.org/rightsgraph/ns#")
ODRL = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
AT = date(2026, 12, 1)


# ------------------------------------------------------------------ reading the files alone

def tsv_rows(name: str) -> list[dict]:
    lines = (USAGE / name).read_text(encoding="utf-8").splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith(("Title\t", "Database\t")))
    return list(csv.DictReader(lines[head:], delimiter="\t"))


def months_sum(row: dict) -> int:
    return sum(int(v) for k, v in row.items() if k[:3] in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                                            "Sep", "Oct", "Nov", "Dec") and "-" in k)


@pytest.fixture(scope="module")
def catalogue() -> rdflib.Graph:
    g = rdflib.Graph()
    for f in ("resources.ttl", "collections.ttl", "licences.ttl"):
        g.parse(DEMO / f)
    return g


def payments(year: int) -> dict[str, tuple[Decimal, str]]:
    with open(USAGE / f"payments-{year}.csv", encoding="utf-8") as f:
        return {r["paid_for"]: (Decimal(r["amount"]), r["currency"]) for r in csv.DictReader(f)}


# ------------------------------------------------------------------ the demo, loaded

@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    """`rightsgraph demo --no-serve`: what `make demo` loads."""
    data = tmp_path_factory.mktemp("demo-usage") / "data"
    out = run_cli("demo", "--no-serve", data_dir=data)
    assert out.returncode == 0, out.stderr
    return data


@pytest.fixture(scope="module")
def store(demo_dir, tmp_path_factory):
    """The same store, copied, opened in this process."""
    from rightsgraph.store.embedded import EmbeddedStore
    copy = tmp_path_factory.mktemp("demo-usage-copy") / "store"
    shutil.copytree(demo_dir / "store", copy)
    return EmbeddedStore(copy)


def test_usage_files_are_what_build_generates(tmp_path):
    out = subprocess.run([sys.executable, str(DEMO / "build.py"), str(tmp_path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    made = sorted(p.name for p in (tmp_path / "usage").iterdir())
    assert made == sorted(p.name for p in USAGE.iterdir() if p.is_file())
    for name in made:
        assert (tmp_path / "usage" / name).read_bytes() == (USAGE / name).read_bytes(), name


def test_demo_loads_every_report_and_the_payments(store):
    from rightsgraph.confidentiality import confidential_graphs
    from rightsgraph.usage.importing import list_reports
    got = sorted((r["report"], r["created_by"], r["begin"]) for r in list_reports(store))
    files = sorted(USAGE.glob("*.tsv"))
    assert len(got) == len(files) == 14
    for f in files:
        platform, kind, year = f.stem.split("-")
        assert any(rep == kind.upper() and begin == f"{year}-01" for rep, _, begin in got), f.name
    assert {"https://w3id.org/rightsgraph/graph/payments/payments-2025",
            "https://w3id.org/rightsgraph/graph/payments/payments-2026"} <= confidential_graphs(store)


def test_demo_cost_per_use_matches_the_files(store, catalogue):
    """L01 (Aldgate STM journals and their citation database), 2025: the payment over the
    Unique_Item_Requests of its journals and the Searches_Regular of its database."""
    from rightsgraph.usage.indicators import cost_per_use_report
    issns = {str(o) for r in catalogue.subjects(ODRL.partOf, rdflib.URIRef("https://demo.rightsgraph.org/package/"
                                                                           "aldgate-stm-journals"))
             for o in catalogue.objects(r, RG.issn)}
    uses = sum(months_sum(r) for r in tsv_rows("aldgate-tr-2025.tsv") if r["Online_ISSN"] in issns
               and r["Metric_Type"] == "Unique_Item_Requests" and r["Access_Method"] == "Regular")
    uses += sum(months_sum(r) for r in tsv_rows("aldgate-dr-2025.tsv")
                if r["Database"] == "Aldgate Science Citation Navigator" and r["Metric_Type"] == "Searches_Regular")
    amount, currency = payments(2025)[L + "L01"]
    rep = cost_per_use_report(store, year=2025)
    (l01,) = [r for r in rep["licences"] if r["iri"] == L + "L01"]
    assert (l01["uses"], l01["cost"], l01["cost_basis"]) == (uses, {currency: f"{amount:.2f}"}, "paid")
    assert l01["cost_per_use"] == {currency: str((amount / uses).quantize(Decimal("0.01"), ROUND_HALF_UP))}
    # every licence paid for in a year has uses that year and a cost per use that makes sense
    for year in (2025, 2026):
        rep = cost_per_use_report(store, year=year)
        by_iri = {r["iri"]: r for r in rep["licences"]}
        for lic, (amount, currency) in payments(year).items():
            row = by_iri[lic]
            assert row["cost_basis"] == "paid" and row["uses"] > 0, (year, lic)
            assert Decimal("0.5") < Decimal(row["cost_per_use"][currency]) < Decimal("1000"), (year, lic, row)
    (l09,) = [r for r in cost_per_use_report(store, year=2026)["licences"] if r["iri"] == L + "L09"]
    assert l09["denominator"] == "Searches_Regular"        # the reference databases


def test_demo_demand_follows_the_licences(store, catalogue):
    """Turned away where no licence gives access: the Northstar journals before L04 (2025),
    the Aldgate e-books after L05 (2026), the medicine bundle before L07 (2027); and the
    titles on the platforms that the catalogue does not hold."""
    from rightsgraph.usage.indicators import demand_report
    package_of = {}
    for r, p in catalogue.subject_objects(ODRL.partOf):
        for ident in list(catalogue.objects(r, RG.issn)) + list(catalogue.objects(r, RG.isbn)):
            package_of[str(ident)] = str(p).rsplit("/", 1)[1]
    refused = defaultdict(int)
    for name in USAGE.glob("*-tr-*.tsv"):
        year = name.stem[-4:]
        for r in tsv_rows(name.name):
            if r["Metric_Type"] == "No_License":
                refused[(package_of.get(r["Online_ISSN"] or r["ISBN"], "not held"), year)] += months_sum(r)
    assert refused[("northstar-caj", "2025")] > 0 and refused[("northstar-caj", "2026")] == 0
    assert refused[("aldgate-ebooks-2022", "2025")] == 0 and refused[("aldgate-ebooks-2022", "2026")] > 0
    assert refused[("aldgate-medicine", "2025")] > 0 and refused[("aldgate-medicine", "2026")] > 0
    rep = demand_report(store, year=2026)
    assert rep["summary"]["No_License"] == sum(n for (_, y), n in refused.items() if y == "2026") + sum(
        months_sum(r) for f in USAGE.glob("*-dr-2026.tsv") for r in tsv_rows(f.name) if r["Metric_Type"] == "No_License")
    held_ids = set(package_of)
    not_held = set()
    for name in USAGE.glob("*-tr-*.tsv"):
        for r in tsv_rows(name.name):
            if (r["Online_ISSN"] or r["ISBN"]) not in held_ids:
                not_held.add(r["Title"])
    assert {r["title"] for r in demand_report(store)["not_held"]} == not_held
    assert "Journal of Things Not Held" in not_held


def test_demo_usage_trend_has_two_years(store):
    from rightsgraph.usage.indicators import usage_report
    rep = usage_report(store)
    assert [m["month"] for m in rep["months"]][:2] == ["2025-01", "2025-02"] and len(rep["months"]) == 24
    y2025, y2026 = rep["years"]
    expected = sum(months_sum(r) for f in USAGE.glob("*-tr-2025.tsv") for r in tsv_rows(f.name)
                   if r["Metric_Type"] == "Unique_Title_Requests" and r["Access_Method"] == "Regular")
    assert y2025["Unique_Title_Requests"] == expected
    assert y2026["Unique_Item_Requests_change"] is not None


def test_the_trend_from_month_totals_equals_the_sum_of_every_observation(store):
    """The usage trend reads the month totals kept beside each data set (usage/totals.py),
    not every observation: the same figures as summing the observations per item, for every
    metric the demo has; totals of an older layout (no month totals) are summed again."""
    from collections import Counter

    from rightsgraph.usage.indicators import usage_counts, usage_month_counts, usage_report
    from rightsgraph.usage.totals import TOTALS_GRAPH_BASE
    metrics = ("Unique_Item_Requests", "Unique_Title_Requests", "Total_Item_Requests", "Total_Item_Investigations",
               "No_License", "Limit_Exceeded", "Searches_Regular", "Searches_Platform")

    def _summed(rows):
        out = Counter()
        for x in rows:
            out[(x["month"], x["metric"])] += x["count"]
        return out

    every = _summed(usage_counts(store, metrics))
    assert every and _summed(usage_month_counts(store, metrics)) == every
    before = usage_report(store)
    # a store whose totals were written by the previous release: no month totals, no version
    store.update(f"""DELETE {{ GRAPH ?tg {{ ?t ?p ?o }} }} WHERE {{ GRAPH ?tg {{ ?t <https://w3id.org/rightsgraph/ns#usageMonth> ?m ; ?p ?o }}
                    FILTER(STRSTARTS(STR(?tg), "{TOTALS_GRAPH_BASE}")) }};
                    DELETE WHERE {{ GRAPH ?tg {{ ?tg <https://w3id.org/rightsgraph/ns#totalsVersion> ?v }} }}""")
    from rightsgraph.usage import report_cache
    report_cache.forget()
    assert usage_report(store) == before


# ------------------------------------------------------------------ quantity and timeliness

def test_quantity_by_asset_class_and_rights_basis(store, catalogue):
    from urllib.parse import urlsplit

    from rightsgraph.usage.quantity import quantity_report
    rep = quantity_report(store)
    kinds = defaultdict(int)
    for r in catalogue.subjects(rdflib.RDF.type, RG.Resource):
        kinds[str(catalogue.value(r, RG.resourceType)).rsplit("#", 1)[1]] += 1
    hosts = {urlsplit(str(u)).hostname for u in catalogue.objects(None, RG.titleUrl)}
    assert rep["total"] == {"resources": 1000, "titles": kinds["EJournal"] + kinds["EBook"],
                            "journals": kinds["EJournal"], "books": kinds["EBook"], "databases": kinds["Database"],
                            "items": kinds["DigitisedItem"], "platforms": len(hosts)}
    by_class = {r["asset_class"].rsplit("#", 1)[1]: r for r in rep["by_asset_class"]}
    assert by_class["OwnedPerpetual"]["books"] == 260 and by_class["OwnedPerpetual"]["label"]["zh"]
    assert sum(r["resources"] for r in rep["by_asset_class"]) == 1000
    by_basis = {(r["rights_basis"] or "none").rsplit("/", 1)[-1]: r for r in rep["by_rights_basis"]}
    assert by_basis["none"]["books"] == 25                   # the open-access monographs: no licence, no statement
    assert by_basis["lic"]["databases"] == 7


def test_timeliness_order_to_activation_and_publication_to_availability(store, catalogue):
    from rightsgraph.usage.timeliness import timeliness_report
    rep = timeliness_report(store, at=AT)
    rows = {r["licence"][len(L):]: r for r in rep["licences"]}
    # L06 is in negotiation, L07 starts in 2027: neither has been activated
    assert sorted(rows) == ["L01", "L02", "L03", "L04", "L05", "L08", "L09", "L10"]
    assert rows["L01"]["order_to_activation_days"] == (date(2025, 1, 1) - date(2024, 10, 8)).days
    assert rows["L10"]["order_to_activation_days"] == (date(2026, 3, 4) - date(2026, 1, 15)).days
    assert rows["L10"]["basis"] == "payment"
    # L02's e-books (2020-2024) became available when L02 was activated (2025-01-06)
    years = sorted(max(0, 2025 - int(str(catalogue.value(r, DCT.issued))))
                   for r in catalogue.subjects(ODRL.partOf, rdflib.URIRef("https://demo.rightsgraph.org/package/"
                                                                          "jhup-academic-ebooks")))
    lag = rows["L02"]["publication_to_availability"]["years"]
    assert lag["count"] == len(years) == 260 and lag["min"] == years[0] and lag["max"] == years[-1]
    only_2026 = timeliness_report(store, year=2026, at=AT)
    assert sorted(r["licence"][len(L):] for r in only_2026["licences"]) == ["L04", "L09", "L10"]


# ------------------------------------------------------------------ charts, CLI and HTTP

def _svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def _texts(root: ET.Element) -> str:
    return " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))


def test_charts_of_the_demo(store):
    from rightsgraph.reports.charts import ChartError, chart
    from rightsgraph.usage.indicators import cost_per_use_report, demand_report, usage_report
    texts = _texts(_svg(chart("usage", usage_report(store))))
    assert "使用趋势 Usage trend" in texts and "2026-12" in texts
    cpu = cost_per_use_report(store, year=2026)
    texts = _texts(_svg(chart("cost-per-use", cpu, top=5)))
    highest = max((r for r in cpu["titles"] if r["cost_per_use"].get("CNY")),
                  key=lambda r: Decimal(r["cost_per_use"]["CNY"]))
    assert "单次使用成本 Cost per use" in texts and highest["title"][:20] in texts
    # a Chinese chart names the titles by their Chinese titles where the catalogue has them
    assert highest["title_zh"] and any("\u4e00" <= ch <= "\u9fff" for ch in highest["title_zh"])
    zh_texts = _texts(_svg(chart("cost-per-use", cpu, top=5, lang="zh")))
    assert highest["title_zh"][:12] in zh_texts and highest["title"][:20] not in zh_texts
    texts = _texts(_svg(chart("demand", demand_report(store, year=2026), top=10)))
    assert "拒访 Turnaways" in texts and "Aldgate Clinical Medicine Reference" in texts
    with pytest.raises(ChartError) as exc:
        chart("demand", demand_report(store, year=1999))
    assert exc.value.text("zh") == "所选条件下没有拒访记录"


def test_cli_quantity_timeliness_and_charts(demo_dir, tmp_path):
    q = run_cli("report", "quantity", "--json", data_dir=demo_dir)
    assert q.returncode == 0, q.stderr
    assert json.loads(q.stdout)["total"]["resources"] == 1000
    t = run_cli("--lang", "zh", "report", "timeliness", "--at", "2026-12-01", data_dir=demo_dir)
    assert t.returncode == 0 and "订购到开通（天）：8 个许可" in t.stdout
    svg = tmp_path / "trend.svg"
    u = run_cli("report", "usage", "--format", "csv", "--chart", svg, data_dir=demo_dir)
    assert u.returncode == 0, u.stderr
    assert u.stdout.splitlines()[0] == "month,Unique_Item_Requests,Unique_Title_Requests,Total_Item_Requests"
    assert "Usage trend" in _texts(_svg(svg.read_text(encoding="utf-8")))
    bad = run_cli("report", "timeliness", "--at", "2026-13-01", data_dir=demo_dir)
    assert bad.returncode == 2 and "'2026-13-01' is not a date" in bad.stderr
    none = run_cli("report", "demand", "--year", "1999", "--chart", tmp_path / "d.svg", data_dir=demo_dir)
    assert none.returncode == 3 and "no chart: no turnaways for these filters" in none.stderr


def test_http_reports_and_charts(store, tmp_path):
    from rightsgraph.accounts import Accounts
    from rightsgraph.web.app import create_app
    accounts = tmp_path / "accounts.json"
    token = Accounts(accounts).add("cat", "cataloguer")
    client = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts)}).test_client()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports/timeliness?at=2026-12-01").status_code == 401    # payments: confidential
    got = client.get("/api/v1/reports/timeliness?at=2026-12-01", headers=auth)
    assert got.status_code == 200 and got.get_json()["summary"]["order_to_activation_days"]["count"] == 8
    assert client.get("/api/v1/reports/quantity", headers=auth).get_json()["total"]["books"] == 644
    svg = client.get("/api/v1/reports/usage.svg?year=2026", headers=auth)
    assert svg.status_code == 200 and svg.content_type.startswith("image/svg+xml")
    assert "Usage trend" in _texts(_svg(svg.get_data(as_text=True)))
    same = client.get("/api/v1/reports/cost-per-use?year=2026&format=svg&top=3", headers=auth)
    assert same.status_code == 200 and "Cost per use" in _texts(_svg(same.get_data(as_text=True)))
    assert client.get("/api/v1/reports/cost-per-use.svg?year=2026").status_code == 401
    empty = client.get("/api/v1/reports/demand.svg?year=1999", headers={**auth, "Accept-Language": "zh"})
    assert empty.status_code == 404 and empty.get_json()["error"] == "所选条件下没有拒访记录"
    assert client.get("/api/v1/reports/demand?limit=x", headers=auth).status_code == 400
