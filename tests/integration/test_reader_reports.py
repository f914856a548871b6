"""Reports on `serve --workers 2` (one writer, two reader processes on read-only snapshots).

The asset, usage, cost-per-use and demand reports first bring derived data up to date in the
store (asset classes, usage links, per-title sums), which a reader process cannot write: they
answered 502 ("this process reads a snapshot") from every reader. Such reports are answered
by the writer process now (web/write_forwarding.py); the others stay in the readers."""

from __future__ import annotations

import pytest
import requests

from ..conftest import ServerProcess, run_cli

pytestmark = pytest.mark.server

REPORTS = ["assets", "risks", "usage", "cost-per-use", "demand", "preservation"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("reader-reports") / "data"
    assert run_cli("demo", "--no-serve", data_dir=data).returncode == 0
    token = run_cli("user", "add", "reports-librarian", "--role", "cataloguer", data_dir=data,
                    check=True).stdout.strip().splitlines()[0]
    srv = ServerProcess(data, "serve", "--workers", "2")
    srv.headers = {"Authorization": f"Bearer {token}"}
    yield srv
    srv.stop()


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_answers_through_any_process(server, name):
    for _ in range(4):     # connections land on either reader
        resp = requests.get(f"{server.url}/api/v1/reports/{name}", headers=server.headers, timeout=300)
        assert resp.status_code == 200, resp.text[:300]
        assert resp.headers["Content-Type"].startswith("application/json")
    page = requests.get(f"{server.url}/reports/{name}?lang=zh", headers=server.headers, timeout=300)
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.text
    key = page.text.split('<table data-table="', 1)[1].split('"', 1)[0] if "<table data-table=" in page.text else None
    if key:
        csv = requests.get(f"{server.url}/reports/{name}?format=csv&table={key}", headers=server.headers, timeout=300)
        assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in csv.headers["Content-Disposition"]


def test_a_usage_report_filtered_by_package_and_the_charts_answer_too(server):
    rep = requests.get(f"{server.url}/api/v1/reports/cost-per-use", headers=server.headers, timeout=300).json()
    package = next(p["iri"] for p in rep["packages"])
    resp = requests.get(f"{server.url}/api/v1/reports/usage", params={"package": package},
                        headers=server.headers, timeout=300)
    assert resp.status_code == 200, resp.text[:300]
    for name in ("assets", "cost-per-use", "demand"):
        svg = requests.get(f"{server.url}/api/v1/reports/{name}.svg", headers=server.headers, timeout=300)
        assert svg.status_code == 200 and svg.headers["Content-Type"].startswith("image/svg+xml"), name
