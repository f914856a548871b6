"""Asking by identifier through the doors people use: `rightsgraph check --issn ...`,
`rightsgraph entitlement`, and the JSON API on a real server (docs/decisions.md, "Asking by
identifier"). The store holds the demo world, the Annual Reviews KBART list (FOLIO test
data) in two packages, and a policy that lets Library X read only one of them."""

from __future__ import annotations

import json

import pytest
import requests

from .conftest import REPO, ServerProcess, run_cli

KBART = REPO / "tests" / "data" / "kbart" / "folio_mod-agreements_Testdata_KBART_AnnualReviews.tsv"
PKG_A, PKG_B = "https://example.org/package/ar-a", "https://example.org/package/ar-b"
LIB_X = "https://example.org/party/library-x"
LI_MING = "https://demo.rightsgraph.org/party/user-li-ming"      # Library A, authorised user
POLICY = f"""@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<https://example.org/policy/ar-a> a odrl:Set ; odrl:uid <https://example.org/policy/ar-a> ;
    odrl:permission [ odrl:target <{PKG_A}> ; odrl:action odrl:read ; odrl:assignee <{LIB_X}> ] .
"""


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    base = tmp_path_factory.mktemp("ident")
    _build(base).close()
    return base


def _build(base):
    """The store this module asks (its own `base`/store), open."""
    from rightsgraph.exchange.kbart import import_kbart
    from rightsgraph.loading import load_files
    from rightsgraph.store.embedded import EmbeddedStore

    from .conftest import load_demo_world
    st = load_demo_world(EmbeddedStore(base / "store"))
    import_kbart(st, KBART, package=PKG_A)
    import_kbart(st, KBART, package=PKG_B)
    (base / "policy.ttl").write_text(POLICY, encoding="utf-8")
    load_files(st, [base / "policy.ttl"])
    return st


def cli(data, *args):
    return run_cli(*args, data_dir=data)


def test_demo_question_5_asked_by_issn_takes_the_year_from_the_date(data):
    # res:0163 Electronic Engineering Letters (PASAS), ISSN 2880-2551: perpetual access to 2024-2026
    ask = ("check", "--issn", "28802551", "--action", "read", "--assignee", LI_MING, "--at", "2028-06-01T10:00:00Z")
    out = cli(data, *ask, "--date", "2025-03", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert (got["decision"], got["reason"]) == ("permit", "permitted")
    assert got["resource"] == "https://demo.rightsgraph.org/resource/0163"
    assert got["policies"] == ["https://demo.rightsgraph.org/licence/L03"]
    assert got["identifier"] == {"scheme": "issn", "value": "2880-2551"}
    assert got["entitlement"]["licences"] == ["https://demo.rightsgraph.org/licence/L03"]
    old = json.loads(cli(data, *ask, "--date", "2019", "--json").stdout)
    assert (old["decision"], old["reason"]) == ("deny", "constraint-unsatisfied")
    text = cli(data, *ask, "--date", "2025")
    assert text.stdout.startswith("permit (permitted)\n  resource: https://demo.rightsgraph.org/resource/0163")


def test_not_held_is_its_own_answer_and_exit_code(data):
    args = ("check", "--doi", "https://doi.org/10.1146/annurev-astro-081913-040012", "--action", "read")
    out = cli(data, *args, "--json")
    got = json.loads(out.stdout)
    assert out.returncode == 0 and (got["decision"], got["reason"]) == ("not-held", "identifier-not-held")
    assert got["identifier"] == {"scheme": "doi", "value": "10.1146/annurev-astro-081913-040012"}
    assert cli(data, *args, "--exit-code").returncode == 6
    denied = cli(data, "check", "--issn", "1545-4282", "--action", "read", "--exit-code")   # held, no permission
    assert denied.returncode == 1 and denied.stdout.startswith("deny (no-applicable-permission)")


def test_a_journal_in_two_packages_is_decided_on_each(data):
    out = cli(data, "check", "--title-id", "astro", "--action", "read", "--assignee", LIB_X, "--date", "2010", "--json")
    got = json.loads(out.stdout)
    assert got["decision"] == "permit" and got["policies"] == ["https://example.org/policy/ar-a"]
    assert got["resource"].startswith(PKG_A + "/kbart/")
    assert sorted((r["resource"].split("/kbart/")[0], r["decision"]) for r in got["results"]) == [
        (PKG_A, "permit"), (PKG_B, "deny")]
    # before the coverage (1963-): the permitting package does not hold the content
    early = json.loads(cli(data, "check", "--title-id", "astro", "--action", "read", "--assignee", LIB_X,
                           "--date", "1950", "--json").stdout)
    assert (early["decision"], early["reason"]) == ("deny", "not-covered")
    assert "before the coverage" in early["explanation"]["en"]


@pytest.mark.parametrize("args, words", [
    (("--issn", "1545-4283"), ["issn: '1545-4283'", "expected 2"]),
    (("--isbn", "978-0-306-40615-0"), ["isbn", "expected 7"]),
    (("--doi", "annurev"), ["doi: 'annurev'", "not a DOI"]),
    (("--issn", "1545-4282", "--target", "http://example.org/x"), ["--target", "--issn"]),
    (("--issn", "1545-4282", "--doi", "10.1146/x"), ["--issn", "--doi"]),
    (("--target", "http://example.org/x", "--date", "2010"), ["--date"]),
    ((), ["--target", "--issn"]),
])
def test_bad_identifiers_exit_2_naming_them(data, args, words):
    out = cli(data, "check", "--action", "read", *args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    for w in words:
        assert w in out.stderr


def test_identifier_errors_in_chinese(data):
    zh = run_cli("--lang", "zh", "check", "--action", "read", "--issn", "1545-4283", data_dir=data)
    assert zh.returncode == 2 and zh.stderr.startswith("错误：issn: '1545-4283': ISSN 校验位错误（应为 2）")


def test_a_file_of_identifiers_is_answered_in_order(data, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# a result page\nissn:1545-4282\n\n10.1146/not-held\nhttps://www.annualreviews.org/journal/anchem\n"
                   "title_id:biophys\n", encoding="utf-8")
    out = cli(data, "check", "--file", ids, "--action", "read", "--assignee", LIB_X, "--date", "2010", "--json")
    got = json.loads(out.stdout)["decisions"]
    assert [(d["input"], d["decision"]) for d in got] == [
        ("issn:1545-4282", "permit"), ("10.1146/not-held", "not-held"),
        ("https://www.annualreviews.org/journal/anchem", "permit"), ("title_id:biophys", "permit")]
    text = cli(data, "check", "--file", ids, "--action", "read", "--assignee", LIB_X, "--exit-code")
    assert text.returncode == 6 and text.stdout.splitlines()[1].startswith("10.1146/not-held\tnot-held")
    ids.write_text("issn:1545-4282\n1545-4283\nhello\n", encoding="utf-8")
    bad = cli(data, "check", "--file", ids, "--action", "read")
    assert bad.returncode == 2 and f"{ids}:2: '1545-4283'" in bad.stderr and "1 more" in bad.stderr
    assert bad.stdout == ""


def test_entitlement_names_package_licence_and_coverage(data):
    out = cli(data, "entitlement", "--issn", "1545-4282", "--date", "2010-05-01", "--json")
    got = json.loads(out.stdout)
    assert out.returncode == 0 and got["status"] == "covered"
    assert got["packages"] == [PKG_A] and got["licences"] == ["https://example.org/policy/ar-a"]
    assert got["coverage"]["start"] == "1963" and got["coverage"]["depth"] == "fulltext"
    assert [h["packages"] for h in got["holdings"]] == [[PKG_A], [PKG_B]]
    text = cli(data, "entitlement", "--issn", "0066-4146", "--date", "1950", "--exit-code")
    assert text.returncode == 1 and text.stdout.startswith("not-covered: Not covered: Annual Review of Astronomy")
    assert cli(data, "entitlement", "--isbn", "9780306406157", "--exit-code").returncode == 6
    demo = json.loads(cli(data, "entitlement", "--isbn", "9787530444719", "--json").stdout)
    assert demo["status"] == "covered" and demo["coverage"] is None       # catalogued, no KBART coverage


@pytest.fixture(scope="module")
def server(data):
    srv = ServerProcess(data, "serve")
    yield srv
    srv.stop()


def test_http_doors(server):
    url = server.url + "/api/v1"
    got = requests.get(url + "/decision", params={"issn": "2880-2551", "action": "read", "assignee": LI_MING,
                                                   "at": "2028-06-01T10:00:00Z", "date": "2025"}, timeout=60).json()
    assert (got["decision"], got["resource"]) == ("permit", "https://demo.rightsgraph.org/resource/0163")
    posted = requests.post(url + "/decision", json={"issn": "2880-2551", "action": "read", "assignee": LI_MING,
                                                    "at": "2028-06-01T10:00:00Z", "date": "2025"}, timeout=60).json()
    assert posted == got
    none = requests.get(url + "/decision", params={"doi": "10.1146/x.1", "action": "read"}, timeout=60).json()
    assert none["decision"] == "not-held"
    bad = requests.get(url + "/decision", params={"issn": "1545-4283", "action": "read"}, timeout=60)
    assert bad.status_code == 400 and bad.json()["error"].startswith("issn: '1545-4283'")
    bad_zh = requests.get(url + "/entitlement", params={"issn": "1545-4283"}, headers={"Accept-Language": "zh"},
                          timeout=60)
    assert bad_zh.status_code == 400 and "校验位" in bad_zh.json()["error"]
    ent = requests.get(url + "/entitlement", params={"title_id": "biophys", "date": "1990"}, timeout=60).json()
    assert ent["status"] == "covered" and ent["coverage"]["start"] == "1985"
    batch = requests.post(url + "/entitlements", json={"date": "2010", "identifiers": [
        "issn:1545-4282", {"issn": "0066-4146", "date": "1950"}, "1545-4283", "10.1146/x.1", 7]}, timeout=60).json()
    out = batch["entitlements"]
    assert [e.get("status") for e in out] == ["covered", "not-covered", None, "not-held", None]
    assert out[2]["error"].startswith("identifiers[2].id: '1545-4283'") and "identifiers[4]" in out[4]["error"]
    decisions = requests.post(url + "/decisions", json={"requests": [
        {"issn": "1545-4282", "action": "read", "assignee": LIB_X, "date": "2010"},
        {"isbn": "0-306-40615-3", "action": "read"},
        {"target": "https://demo.rightsgraph.org/resource/0163", "action": "read"}]}, timeout=60).json()["decisions"]
    assert decisions[0]["decision"] == "permit" and "requests[1].isbn" in decisions[1]["error"]
    assert decisions[2]["decision"] in ("permit", "deny")


def test_the_sparql_functions_take_an_identifier_as_target(tmp_path):
    """rg:decision("issn:…", …) in a query (the embedded store's SPARQL door) answers as
    `check --issn` does: from the holdings, then the resource they name."""
    from rightsgraph.decision_service import DecisionService, sparql_functions
    st = _build(tmp_path)     # its own store: the module's is held by the servers of other tests
    try:
        fns = sparql_functions(DecisionService(st))

        def ask(target: str, year: int) -> str | None:
            q = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
                 "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?x WHERE { BIND(rg:decision("
                 f'"{target}", odrl:read, <{LI_MING}>, odrl:dateTime, "2028-06-01T10:00:00Z"^^xsd:dateTime, '
                 f"rg:publicationYear, {year}) AS ?x) }}")
            rows = list(st.query(q, custom_functions=fns))
            return rows[0]["x"].value if rows and rows[0]["x"] is not None else None

        assert ask("issn:2880-2551", 2025) == "permit|permitted"
        assert ask("28802551", 2019) == "deny|constraint-unsatisfied"
        assert ask("issn:0378-5955", 2025) == "not-held|target-not-held"     # a valid ISSN nobody holds
        assert ask("issn:2880-2552", 2025) is None                            # a bad check digit: an error
    finally:
        st.close()
