"""Usage, cost-per-use and demand reports on the demo library with a small title report
and payments whose figures are worked out by hand below."""

from __future__ import annotations

import json

import pytest

from .conftest import run_cli

L01 = "https://demo.rightsgraph.org/licence/L01"
L02 = "https://demo.rightsgraph.org/licence/L02"
STM = "https://demo.rightsgraph.org/package/aldgate-stm-journals"
RES = "https://demo.rightsgraph.org/resource/"

HEAD = """Report_Name\tTitle Report
Report_ID\tTR
Release\t5.1
Institution_Name\tJinghai University Library
Institution_ID\tISIL:CN-JHDX
Metric_Types\t
Report_Filters\t
Report_Attributes\tAttributes_To_Show=Access_Type|Access_Method
Exceptions\t
Reporting_Period\tBegin_Date=2025-01-01; End_Date=2025-02-28
Created\t2025-03-05T10:00:00Z
Created_By\tAldgate Navigator
Registry_Record\t

Title\tPublisher\tPublisher_ID\tPlatform\tDOI\tProprietary_ID\tISBN\tPrint_ISSN\tOnline_ISSN\tURI\tData_Type\tAccess_Type\tAccess_Method\tMetric_Type\tReporting_Period_Total\tJan-2025\tFeb-2025
"""
ROWS = [
    # title, isbn, issn, data type, access method, metric, jan, feb
    ("Asian Journal of Electronic Engineering", "", "1457-3644", "Journal", "Regular", "Total_Item_Requests", 40, 60),
    ("Asian Journal of Electronic Engineering", "", "1457-3644", "Journal", "Regular", "Unique_Item_Requests", 30, 50),
    ("Asian Journal of Electronic Engineering", "", "1457-3644", "Journal", "TDM", "Total_Item_Requests", 500, 500),
    ("Asian Journal of Electronic Engineering", "", "1457-3644", "Journal", "TDM", "Unique_Item_Requests", 400, 400),
    ("Progress in Atmospheric Sciences", "", "1157-3570", "Journal", "Regular", "Total_Item_Requests", 15, 5),
    ("Progress in Atmospheric Sciences", "", "1157-3570", "Journal", "Regular", "Unique_Item_Requests", 12, 5),
    ("Handbook of Geology", "978-7-5304-4471-9", "", "Book", "Regular", "Total_Item_Requests", 9, 0),
    ("Handbook of Geology", "978-7-5304-4471-9", "", "Book", "Regular", "Unique_Title_Requests", 4, 0),
    ("Journal of Things Not Held", "", "2049-3630", "Journal", "Regular", "No_License", 7, 11),
    ("Journal of Things Not Held", "", "2049-3630", "Journal", "Regular", "Limit_Exceeded", 0, 2),
]
PAYMENTS = """invoice,paid_for,amount,currency,fund,paid,covers_from,covers_until
ALD-2025-001,https://demo.rightsgraph.org/licence/L01,120000.00,USD,ERES-2025,2025-01-20,2025-01-01,2025-12-31
"""


def _report(tmp_path):
    lines = []
    for title, isbn, issn, dt, am, metric, jan, feb in ROWS:
        lines.append("\t".join([title, "Aldgate", "", "Aldgate Navigator", "", "", isbn, "", issn, "", dt,
                                "Controlled", am, metric, str(jan + feb), str(jan), str(feb)]))
    p = tmp_path / "aldgate-tr-2025.tsv"
    p.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def usage_demo(demo_store, tmp_path):
    from rightsgraph.usage.importing import import_reports
    from rightsgraph.usage.payments import import_payments
    import_reports(demo_store, [_report(tmp_path)])
    pay = tmp_path / "payments-2025.csv"
    pay.write_text(PAYMENTS, encoding="utf-8")
    import_payments(demo_store, pay)
    return demo_store


def test_usage_month_by_month_regular_access_only(usage_demo):
    from rightsgraph.usage.indicators import usage_report
    rep = usage_report(usage_demo, year=2025)
    jan, feb = rep["months"]
    # TDM (400 + 400 unique) is not counted
    assert jan["Unique_Item_Requests"] == 30 + 12 and feb["Unique_Item_Requests"] == 50 + 5
    assert jan["Unique_Title_Requests"] == 4 and feb["Unique_Title_Requests"] == 0
    assert rep["years"] == [{"year": "2025", "Unique_Item_Requests": 97, "Unique_Title_Requests": 4,
                             "Total_Item_Requests": 129, "Unique_Item_Requests_change": None,
                             "Unique_Title_Requests_change": None, "Total_Item_Requests_change": None}]
    only = usage_report(usage_demo, year=2025, licence=L02)      # the Jinghai UP e-books
    assert [m["Unique_Title_Requests"] for m in only["months"]] == [4] and only["months"][0]["Unique_Item_Requests"] == 0


def test_cost_per_use_names_its_denominator(usage_demo):
    from rightsgraph.usage.indicators import cost_per_use_report
    rep = cost_per_use_report(usage_demo, year=2025)
    (l01,) = [r for r in rep["licences"] if r["iri"] == L01]
    # 120,000.00 USD paid for 2025 / (30+50 + 12+5) unique item requests
    assert l01["cost"] == {"USD": "120000.00"} and l01["cost_basis"] == "paid"
    assert l01["uses"] == 97 and l01["denominator"] == "Unique_Item_Requests"
    assert l01["cost_per_use"] == {"USD": "1237.11"}
    (l02,) = [r for r in rep["licences"] if r["iri"] == L02]
    # no payment: 860,000.00 CNY bought outright 2025, no end: the whole cost in 2025, estimated
    assert l02["cost_basis"] == "estimated" and l02["denominator"] == "Unique_Title_Requests"
    assert l02["uses"] == 4 and l02["cost_per_use"] == {"CNY": "215000.00"}
    (title,) = [r for r in rep["titles"] if r["iri"] == RES + "0002"]
    # its package's share: 120,000 / 161 resources of the STM package
    assert title["cost_basis"] == "allocated" and title["cost"] == {"USD": "745.34"}
    assert title["uses"] == 80 and title["cost_per_use"] == {"USD": "9.32"}


def test_cost_per_use_follows_each_write_and_hands_out_copies(usage_demo, tmp_path):
    """What cost per use keeps (the uses per resource in derived graphs, the report per store
    state: usage/resource_uses.py, usage/report_cache.py) follows every write made in the
    process at once, and a caller that changes its copy changes nothing kept."""
    from rightsgraph.usage.importing import import_reports
    from rightsgraph.usage.indicators import cost_per_use_report
    from rightsgraph.usage.payments import import_payments

    def l01(**filters):
        (row,) = [r for r in cost_per_use_report(usage_demo, year=2025, **filters)["licences"] if r["iri"] == L01]
        return row
    first = cost_per_use_report(usage_demo, year=2025)
    first["licences"].clear()
    assert l01()["uses"] == 97
    # the same report again with February's unique requests of the first journal 50 -> 55: it replaces
    p = _report(tmp_path)
    p.write_text(p.read_text(encoding="utf-8").replace("Unique_Item_Requests\t80\t30\t50",
                                                       "Unique_Item_Requests\t85\t30\t55"), encoding="utf-8")
    import_reports(usage_demo, [p])
    assert l01()["uses"] == 102 and l01()["cost_per_use"] == {"USD": "1176.47"}
    # a second payment for L01 in 2025
    pay = tmp_path / "payments-2025-extra.csv"
    pay.write_text(PAYMENTS.replace("ALD-2025-001", "ALD-2025-002").replace("120000.00", "6000.00"), encoding="utf-8")
    import_payments(usage_demo, pay)
    now = l01()
    assert now["cost"] == {"USD": "126000.00"} and now["cost_per_use"] == {"USD": "1235.29"}
    # filtered by platform the uses are summed live: the same figures
    assert l01(platform="Aldgate Navigator") == now
    assert l01(platform="Another Platform")["uses"] == 0


def test_demand_lists_turnaways_and_titles_not_held(usage_demo):
    from rightsgraph.usage.indicators import demand_report
    rep = demand_report(usage_demo, year=2025)
    assert rep["summary"] == {"No_License": 18, "Limit_Exceeded": 2, "titles_turned_away": 1, "titles_not_held": 1}
    (t,) = rep["turnaways"]
    assert (t["title"], t["turnaways"], t["held"], t["issn"]) == ("Journal of Things Not Held", 20, False, "2049-3630")
    assert [r["title"] for r in rep["not_held"]] == ["Journal of Things Not Held"]


def test_payments_graph_is_confidential(usage_demo):
    from rightsgraph.confidentiality import confidential_graphs
    assert "https://w3id.org/rightsgraph/graph/payments/payments-2025" in confidential_graphs(usage_demo)


def test_bad_payment_is_refused_with_line_and_column(store, tmp_path):
    from rightsgraph.usage.payments import import_payments
    from rightsgraph.usage.reader import CounterError
    bad = tmp_path / "p.csv"
    bad.write_text(PAYMENTS.replace("120000.00,USD", "-5,US$"), encoding="utf-8")
    before = store.count()
    with pytest.raises(CounterError) as exc:
        import_payments(store, bad)
    assert store.count() == before
    lines = exc.value.lines("en")
    assert any("line 2, column 3 (amount)" in x for x in lines) and any("line 2, column 4 (currency)" in x for x in lines)


def test_cli_reports_json_csv_table(tmp_path):
    d = tmp_path / "store"
    out = run_cli("usage", "import", _report(tmp_path), data_dir=d)
    assert out.returncode == 0, out.stderr
    rep = json.loads(run_cli("report", "demand", "--json", data_dir=d).stdout)
    assert rep["summary"]["No_License"] == 18
    csv_out = run_cli("report", "usage", "--year", "2025", "--format", "csv", data_dir=d).stdout
    assert csv_out.splitlines()[0] == "month,Unique_Item_Requests,Unique_Title_Requests,Total_Item_Requests"
    table = run_cli("report", "cost-per-use", "--year", "2025", data_dir=d)
    assert table.returncode == 0 and "cost per use by licence" in table.stdout


def test_http_reports_and_the_cataloguer_rule(usage_demo):
    """Payments are confidential: a reader gets 401 on cost per use, a cataloguer the report."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.web.app import create_app
    import tempfile
    from pathlib import Path
    accounts_file = Path(tempfile.mkdtemp()) / "accounts.json"
    token = Accounts(accounts_file).add("cat", "cataloguer")
    client = create_app(usage_demo, settings={"RG_ACCOUNTS_FILE": str(accounts_file)}).test_client()
    assert client.get("/api/v1/reports/cost-per-use?year=2025").status_code == 401
    got = client.get("/api/v1/reports/cost-per-use?year=2025", headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == 200
    assert [r["cost_per_use"] for r in got.get_json()["licences"] if r["iri"] == L01] == [{"USD": "1237.11"}]
    assert client.get("/api/v1/reports/usage?year=20x5", headers={"Authorization": f"Bearer {token}"}).status_code == 400
    dem = client.get("/api/v1/reports/demand?year=2025", headers={"Authorization": f"Bearer {token}"})
    assert dem.get_json()["summary"]["No_License"] == 18

