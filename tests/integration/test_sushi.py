"""`rightsgraph usage harvest` against a COUNTER_SUSHI server on 127.0.0.1 (tests/sushi_server.py)
that serves the official COUNTER sample reports and each SUSHI exception.

The harvested figures are compared with the sample files cell by cell (the helpers of
test_usage_samples, which read the samples with the json module alone); every exception
gives its message and its exit code, and leaves nothing in the store; the credentials are
never printed nor stored in the graph."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from ..conftest import REPO, free_port, run_cli
from ..test_usage_samples import SUITE, expected_json, shown_dims, stored

pytestmark = pytest.mark.server
SERVER = REPO / "tests" / "sushi_server.py"
sys.path.insert(0, str(SERVER.parent))
from sushi_server import API_KEY, CUSTOMER, REPORT_IDS, REQUESTOR  # noqa: E402

SECRETS = (API_KEY, REQUESTOR)


class SushiServer:
    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = open(log, "wb")
        self.proc = subprocess.Popen([sys.executable, str(SERVER), "--port", str(self.port)],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the SUSHI test server exited:\n{log.read_text()}")
            try:
                if requests.get(self.url + "/r51/status", timeout=2).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        raise RuntimeError("the SUSHI test server did not start")

    def requests(self, customer: str | None = None) -> list[dict]:
        seen = requests.get(self.url + "/_requests", timeout=10).json()
        return [r for r in seen if customer is None or r["customer_id"] == customer]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


@pytest.fixture(scope="module")
def sushi(tmp_path_factory):
    srv = SushiServer(tmp_path_factory.mktemp("sushi") / "server.log")
    yield srv
    srv.stop()


def provider(data_dir: Path, name: str, url: str, customer: str = CUSTOMER, release: str = "5.1", **kw):
    """Store a provider the way `usage sushi add` does (its CLI is tested below)."""
    from rightsgraph.usage.sushi_credentials import CREDENTIALS_FILE, SushiCredentials, SushiProvider
    SushiCredentials(data_dir / CREDENTIALS_FILE).add(SushiProvider(
        name, url, customer, kw.get("requestor_id", REQUESTOR), kw.get("api_key", API_KEY), kw.get("platform", ""),
        release))


def harvest(data_dir: Path, name: str, *reports, begin="2022-01", end="2022-12", extra=()):
    args = ["usage", "harvest", name, *sum((["--report", r] for r in reports), []), "--begin", begin, "--end", end,
            "--retries", "2", "--wait", "0.05", *extra]
    out = run_cli(*args, data_dir=data_dir)
    for secret in SECRETS:
        assert secret not in out.stdout + out.stderr, "a secret was printed"
    return out


def read_store(data_dir: Path):
    """The store as it is on disk, opened read-only (the CLI has exited)."""
    from rightsgraph.store.embedded import EmbeddedStore
    return EmbeddedStore.wrap(ox.Store.read_only(str(data_dir / "store")))


def usage_graphs(data_dir: Path) -> dict[str, dict]:
    from rightsgraph.usage.importing import list_reports
    if not (data_dir / "store" / "CURRENT").exists():
        return {}
    return {r["report"]: r for r in list_reports(read_store(data_dir))}


def assert_no_secret_in_store(data_dir: Path):
    st = read_store(data_dir)
    for secret in SECRETS:
        q = f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{secret}") || CONTAINS(STR(?s), "{secret}")) }} }}'
        assert not st.query(q), f"{secret} is in the store"


# ------------------------------------------------------------------ the samples, cell by cell

def _sample(release: str, rid: str) -> Path:
    return SUITE / release / (f"Sample-{rid}.json" if release == "r5" else f"{rid.replace('_', '')}_sample_r51.json")


@pytest.mark.parametrize("release,base,begin,end", [("r51", "", "2022-01", "2022-12"),
                                                    ("r5", "/r5", "2016-01", "2016-03")])
def test_harvest_every_sample_report_cell_by_cell(sushi, tmp_path, release, base, begin, end):
    data = tmp_path / "store"
    provider(data, "samples", sushi.url + base, release="5.1" if release == "r51" else "5")
    saved = tmp_path / "saved"
    out = harvest(data, "samples", *REPORT_IDS, begin=begin, end=end, extra=["--save", str(saved)])
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("imported ") == len(REPORT_IDS)
    graphs = usage_graphs(data)
    assert sorted(graphs) == sorted(REPORT_IDS)
    st = read_store(data)
    for rid in REPORT_IDS:
        sample = _sample(release, rid)
        expected = expected_json(sample)
        got = stored(st, graphs[rid]["graph"], shown_dims(expected))
        assert got == expected, (rid, sorted(expected - got)[:3], sorted(got - expected)[:3])
        kept = json.loads((saved / f"samples_{rid}_{begin}_{end}.json").read_text(encoding="utf-8"))
        assert kept == json.loads(sample.read_text(encoding="utf-8-sig"))
    # what was asked: whole months as days, the master reports with the attributes the indicators need
    asked = {r["path"].rsplit("/", 1)[1]: r for r in sushi.requests(CUSTOMER) if r["path"].startswith(base + "/r")}
    first_day, last_day = f"{begin}-01", ("2022-12-31" if release == "r51" else "2016-03-31")
    assert {(r["begin_date"], r["end_date"]) for r in asked.values()} == {(first_day, last_day)}
    tr = asked["tr"]["attributes_to_show"]
    assert tr == ("Access_Type|Access_Method" if release == "r51" else "Data_Type|Section_Type|Access_Type|Access_Method")
    assert asked["tr_j1"]["attributes_to_show"] is None      # a Standard View has its attributes fixed
    assert_no_secret_in_store(data)


def test_harvesting_again_replaces_never_double_counts(sushi, tmp_path):
    data = tmp_path / "store"
    provider(data, "p", sushi.url)
    assert harvest(data, "p", "TR_J1").returncode == 0
    first = usage_graphs(data)["TR_J1"]
    again = harvest(data, "p", "TR_J1")
    assert again.returncode == 0, again.stderr
    assert usage_graphs(data) == {"TR_J1": first}


def test_3031_months_that_are_ready_then_the_whole_year(sushi, tmp_path):
    """3031 with data: the months given are imported with a warning; the whole year,
    harvested later, replaces them."""
    data = tmp_path / "store"
    provider(data, "early", sushi.url, customer="half-ready")
    out = harvest(data, "early", "TR_J1")
    assert out.returncode == 0, out.stderr
    assert "TR_J1: warning: SUSHI 3031 Usage Not Ready for Requested Dates: 2022-07 to 2022-12 not yet processed; " \
           "the usage of these months is not ready yet: harvest them again later" in out.stderr
    half = usage_graphs(data)["TR_J1"]
    assert (half["begin"], half["end"]) == ("2022-01", "2022-06")
    provider(data, "later", sushi.url)
    out = harvest(data, "later", "TR_J1")
    assert out.returncode == 0, out.stderr
    assert f"replaced <{half['graph']}>" in out.stdout
    whole = usage_graphs(data)["TR_J1"]
    assert (whole["begin"], whole["end"]) == ("2022-01", "2022-12")
    expected = expected_json(_sample("r51", "TR_J1"))
    assert stored(read_store(data), whole["graph"], shown_dims(expected)) == expected


# ------------------------------------------------------------------ each exception

CASES = [
    # id, customer, release path, provider settings, extra args, exit code, message
    ("3030", "no-usage", "", {}, {}, 6,
     "TR_J1: SUSHI 3030 No Usage Available for Requested Dates: no usage for 2022-01 to 2022-12; no usage for these "
     "months: nothing to import"),
    ("3030-r5-list", "no-usage", "/r5", {"release": "5"}, {"begin": "2016-01", "end": "2016-03"}, 6,
     "TR_J1: SUSHI 3030 No Usage Available for Requested Dates: no usage for 2016-01 to 2016-03"),
    ("3031", "not-ready", "", {}, {}, 7,
     "TR_J1: SUSHI 3031 Usage Not Ready for Requested Dates: 2022-01 to 2022-12 not yet processed; the usage of "
     "these months is not ready yet: harvest them again later"),
    ("3032", "gone", "", {}, {}, 6,
     "TR_J1: SUSHI 3032 Usage No Longer Available for Requested Dates: kept 24 months; the server no longer has"),
    ("1011", "queued", "", {}, {}, 7,
     "TR_J1: SUSHI 1011 Report Queued for Processing: still queued after 3 attempts; the server is still "
     "preparing the report: harvest it again later"),
    ("1000", "down", "", {}, {}, 4,
     "SUSHI 1000 Service Not Available: database maintenance (after 3 attempts; harvest again later)"),
    ("2000", CUSTOMER, "", {"requestor_id": "someone-else"}, {}, 5,
     "SUSHI 2000 Requestor Not Authorized to Access Service: requestor_id not recognised; the server does not "
     "know or accept the requestor_id"),
    ("2010", "cust-9999", "", {}, {}, 5,
     "SUSHI 2010 Requestor is Not Authorized to Access Usage for Institution: customer_id cust-9999; the "
     "requestor is not authorised for this customer_id"),
    ("2020", CUSTOMER, "", {"api_key": "wrong-key"}, {}, 5,
     "SUSHI 2020 APIKey Invalid; the server does not accept the api_key: check it with the platform"),
    ("2020-echoes-the-key", "echo-key", "", {}, {}, 5,
     "SUSHI 2020 APIKey Invalid: api_key *** is not valid for this customer"),
    ("2020-r5-object", CUSTOMER, "/r5", {"release": "5", "api_key": "wrong-key"}, {"begin": "2016-01", "end": "2016-03"},
     5, "SUSHI 2020 APIKey Invalid"),
    ("1030", "needs-platform", "", {}, {}, 5,
     "SUSHI 1030 Insufficient Information to Process Request: platform is required: this server serves several "
     "platforms; the server needs more in the request"),
    ("3020", CUSTOMER, "", {}, {"begin": "2099-01", "end": "2099-03"}, 5,
     "SUSHI 3020 Invalid Date Arguments: begin_date 2099-01-01 is the current month or later; the server refused "
     "the dates"),
    ("not-json", "not-json", "", {}, {}, 4, "HTTP 200 (text/html) is not a COUNTER report"),
    ("wrong-report", "wrong-report", "", {}, {}, 4, "asked for TR_J1, the server sent DR"),
    ("bad-report", "bad-report", "", {}, {}, 1,
     "sushi:p/TR_J1/2022-01..2022-12: Report_Items[0].Attribute_Performance[0].Performance.Unique_Item_Requests."
     "2022-01: Unique_Item_Requests 527 is above Total_Item_Requests 526 for 2022-01"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_exception_message_and_exit_code(sushi, tmp_path, case):
    _, customer, base, settings, dates, code, message = case
    data = tmp_path / "store"
    provider(data, "p", sushi.url + base, customer=customer, **settings)
    out = harvest(data, "p", "TR_J1", **dates)
    assert out.returncode == code, out.stderr
    assert message in out.stderr, out.stderr
    assert "nothing was imported" in out.stderr
    assert "Traceback" not in out.stderr
    assert usage_graphs(data) == {}


def test_exception_message_in_chinese(sushi, tmp_path):
    data = tmp_path / "store"
    provider(data, "p", sushi.url, customer="no-usage")
    out = run_cli("--lang", "zh", "usage", "harvest", "p", "--report", "TR_J1", "--begin", "2022-01", "--end",
                  "2022-12", data_dir=data)
    assert out.returncode == 6
    assert "SUSHI 3030 所请求期间无使用数据" in out.stderr and "这些月份没有使用数据：无可导入的内容" in out.stderr


def test_server_that_does_not_answer(tmp_path):
    data = tmp_path / "store"
    provider(data, "p", f"http://127.0.0.1:{free_port()}")
    out = harvest(data, "p", "TR_J1")
    assert out.returncode == 4
    assert "TR_J1 from p (http://127.0.0.1:" in out.stderr and "no answer (ConnectionError" in out.stderr
    assert "(after 3 attempts; harvest again later)" in out.stderr
    assert usage_graphs(data) == {}


@pytest.mark.parametrize("customer,requests_made", [("busy-once", 2), ("too-many", 2), ("queued-twice", 3)])
def test_retried_until_the_report_comes(sushi, tmp_path, customer, requests_made):
    """1010 (busy), 1020 (too many requests, Retry-After: 1) and 1011 (queued) are asked again."""
    data = tmp_path / "store"
    provider(data, "p", sushi.url, customer=customer)
    before = len(sushi.requests(customer))
    out = harvest(data, "p", "TR_J1")
    assert out.returncode == 0, out.stderr
    assert "asking again in" in out.stderr
    assert len(sushi.requests(customer)) - before == requests_made
    assert list(usage_graphs(data)) == ["TR_J1"]


def test_r5_busy_answer_in_http_200_is_retried(sushi, tmp_path):
    data = tmp_path / "store"
    provider(data, "p", sushi.url + "/r5", customer="busy-once", release="5")
    out = harvest(data, "p", "TR_J1", begin="2016-01", end="2016-03")
    assert out.returncode == 0, out.stderr
    assert "TR_J1: SUSHI 1010 Service Busy: try again in a minute; asking again in" in out.stderr


def test_warning_exception_still_imports(sushi, tmp_path):
    data = tmp_path / "store"
    provider(data, "p", sushi.url, customer="warn")
    out = harvest(data, "p", "TR_J1", "DR")
    assert out.returncode == 0, out.stderr
    assert "TR_J1: warning: SUSHI 3040 Partial Data Returned: logging failed on one day" in out.stderr
    assert sorted(usage_graphs(data)) == ["DR", "TR_J1"]
    # the exception is recorded on the data set, as in any imported report
    st = read_store(data)
    assert st.query('ASK { ?d <https://w3id.org/rightsgraph/ns#reportException> '
                    '"3040: Partial Data Returned (logging failed on one day)" }')


def test_one_refused_report_and_nothing_of_the_run_is_imported(sushi, tmp_path):
    """A run of several reports is all or nothing: DR is fine, the TR_J1 answer is refused."""
    data = tmp_path / "store"
    provider(data, "p", sushi.url, customer="bad-report")
    out = harvest(data, "p", "DR", "TR_J1")
    assert out.returncode == 1
    assert usage_graphs(data) == {}


# ------------------------------------------------------------------ credentials

def test_sushi_add_list_remove_keep_the_secrets(tmp_path, sushi):
    data = tmp_path / "store"
    out = run_cli("usage", "sushi", "add", "aldgate", "--url", sushi.url, "--customer-id", CUSTOMER,
                  "--requestor-id", "-", "--api-key", "-", data_dir=data, input=f"{REQUESTOR}\n{API_KEY}\n")
    assert out.returncode == 0, out.stderr
    assert "stored SUSHI provider aldgate" in out.stdout and "api_key set" in out.stdout
    creds = data / "sushi-credentials.json"
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    assert API_KEY in creds.read_text(encoding="utf-8")
    listed = run_cli("usage", "sushi", "list", "--json", data_dir=data)
    assert json.loads(listed.stdout) == [{"name": "aldgate", "url": sushi.url, "release": "5.1",
                                          "customer_id": CUSTOMER, "platform": None, "requestor_id": "set",
                                          "api_key": "set"}]
    for secret in SECRETS:
        assert secret not in listed.stdout + out.stdout + out.stderr
    bad = run_cli("usage", "sushi", "add", "x y", "--url", "ftp://nowhere", "--customer-id", "c", data_dir=data)
    assert bad.returncode == 3 and "provider name 'x y'" in bad.stderr
    assert run_cli("usage", "sushi", "remove", "aldgate", data_dir=data).returncode == 0
    unknown = run_cli("usage", "harvest", "aldgate", "--report", "TR", "--begin", "2022-01", "--end", "2022-12",
                      data_dir=data)
    assert unknown.returncode == 3 and "no SUSHI provider named 'aldgate'" in unknown.stderr


def test_bad_arguments_name_the_parameter(tmp_path):
    data = tmp_path / "store"
    out = run_cli("usage", "harvest", "p", "--report", "TR_X9", "--begin", "2022-01", "--end", "2022-12", data_dir=data)
    assert out.returncode == 2 and "'TR_X9' is not a COUNTER report" in out.stderr
    out = run_cli("usage", "harvest", "p", "--report", "TR", "--begin", "2022-13", "--end", "2022-12", data_dir=data)
    assert out.returncode == 2 and "'2022-13' is not a month (YYYY-MM)" in out.stderr
    out = run_cli("usage", "harvest", "p", "--report", "TR", "--begin", "2022-12", "--end", "2022-01", data_dir=data)
    assert out.returncode == 2 and "--begin 2022-12 is after --end 2022-01" in out.stderr
