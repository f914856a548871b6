"""The query editor a browser gets at GET /sparql (web/sparql_editor.py), and that every
protocol client still gets the SPARQL 1.1 Protocol answer there. In Chromium:
tests/browser/test_sparql_editor.py."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
import tomllib
from datetime import date

import pytest

from rightsgraph.web.sparql_editor import EXAMPLES

from .conftest import REPO

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
VENDOR = REPO / "src" / "rightsgraph" / "web" / "static" / "vendor" / "yasgui"
VENDORED = ("yasgui.min.js", "yasgui.min.css", "LICENSE")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    """The demo world, loaded once for the module (these tests only read it)."""
    from rightsgraph.store.embedded import EmbeddedStore

    from .conftest import load_demo_world
    return load_demo_world(EmbeddedStore(tmp_path_factory.mktemp("sparql-editor") / "store"))


@pytest.fixture(scope="module")
def client(demo_store):
    from rightsgraph.web.app import create_app
    return create_app(demo_store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()


def _examples(page: str) -> list[dict]:
    block = re.search(r'<script type="application/json" id="sparql-examples">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


@pytest.mark.parametrize("lang, heading", [("en", "SPARQL query editor"), ("zh", "SPARQL 查询编辑器")])
def test_a_browser_gets_the_editor_pointed_at_this_endpoint(client, lang, heading):
    resp = client.get("/sparql", headers={"Accept": BROWSER, "Accept-Language": lang})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.content_type.startswith("text/html")
    assert resp.headers["Vary"] == "Accept"
    assert f"<h1>{heading}</h1>" in page
    assert 'id="yasgui" data-endpoint="http://localhost/sparql"' in page
    for asset in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css",
                  "/static/sparql-editor.js"):
        assert asset in page
    assert [e["key"] for e in _examples(page)] == ["resources-by-licence", "what-may-we-do", "expiring-licences"]
    assert f'"{lang}"' in _examples(page)[0]["query"]        # titles in the page's language


def test_the_public_endpoint_has_the_editor_too_and_the_home_page_links_it(client, demo_store):
    resp = client.get("/public/sparql", headers={"Accept": BROWSER})
    assert resp.status_code == 200 and 'data-endpoint="http://localhost/public/sparql"' in resp.get_data(as_text=True)
    described = client.get("/public/sparql", headers={"Accept": "text/turtle"})
    assert described.content_type.startswith("text/turtle") and described.headers["Vary"] == "Accept"
    for lang, words in (("en", "read-only for anyone"), ("zh", "任何人无需登录即可只读查询")):
        home = client.get("/", headers={"Accept-Language": lang}).get_data(as_text=True)
        assert 'id="public-sparql" href="/public/sparql"' in home and words in home
    # with anonymous read off there is no public endpoint to link to
    from rightsgraph.accounts import Accounts
    from rightsgraph.web.app import create_app
    accounts = demo_store.path.parent / "editor-accounts.json"
    token = Accounts(accounts).add("reader", "reader")
    closed = create_app(demo_store, settings={"RG_QUERY_TIMEOUT": 0, "RG_ANONYMOUS_READ": False,
                                              "RG_ACCOUNTS_FILE": str(accounts)}).test_client()
    home = closed.get("/", headers={"Authorization": f"Bearer {token}"})
    assert home.status_code == 200 and "/public/sparql" not in home.get_data(as_text=True)


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle", "application/sparql-results+json",
                                    "application/rdf+xml", "text/html;q=0.5, text/turtle",
                                    "application/xml;q=0.9, */*;q=0.8"])
def test_protocol_clients_still_get_the_service_description(client, accept):
    resp = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert resp.status_code == 200 and not resp.content_type.startswith("text/html")
    assert b"http://www.w3.org/ns/sparql-service-description#" in resp.data
    assert resp.headers["Vary"] == "Accept"


def test_a_query_from_a_browser_gets_the_protocol_answer_not_the_page(client):
    resp = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": BROWSER})
    assert not resp.content_type.startswith("text/html") and b"true" in resp.data
    resp = client.post("/sparql", data={"query": "ASK {}"}, headers={"Accept": BROWSER})
    assert not resp.content_type.startswith("text/html") and b"true" in resp.data
    resp = client.get("/sparql?update=CLEAR%20ALL", headers={"Accept": BROWSER})
    assert resp.status_code == 400 and b"POST" in resp.data


def _select(client, query: str) -> list[dict]:
    resp = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return [{k: v["value"] for k, v in b.items()} for b in resp.get_json()["results"]["bindings"]]


def test_the_resources_by_licence_example_lists_each_licences_titles(client):
    rows = _select(client, EXAMPLES[0][3].format(lang="zh"))
    atmos = [r for r in rows if r["resource"] == "https://demo.rightsgraph.org/resource/0003"]
    assert {r["title"] for r in atmos} == {"大气科学进展"}
    assert "https://demo.rightsgraph.org/licence/L01" in {r["licence"] for r in rows}


def test_the_what_may_we_do_example_answers_with_the_decision_service(client, demo_store):
    from rightsgraph.decision_service import DecisionService
    rows = _select(client, EXAMPLES[1][3].format(lang="en"))
    assert rows
    svc = DecisionService(demo_store)
    first = rows[0]
    users = next(iter(demo_store.query(
        "SELECT ?u WHERE { ?l <https://w3id.org/rightsgraph/ns#authorisedUserParty> ?u ; "
        "<http://www.w3.org/ns/odrl/2/target> ?p . <%s> <http://www.w3.org/ns/odrl/2/partOf>* ?p } LIMIT 1"
        % first["resource"])))["u"].value
    answer = svc.answer({"target": first["resource"], "action": first["action"].rsplit("/", 1)[-1],
                         "assignee": users})
    assert first["decision"].split("|")[0] == answer["decision"]


def test_the_expiring_example_finds_what_the_risk_report_finds(client, demo_store):
    from rightsgraph.reports.risks import risk_report
    found = {r["licence"] for r in _select(client, EXAMPLES[2][3].format(lang="en"))}
    expected = {e["licence"] for e in risk_report(demo_store, at=date.today(), days=90)["expiring"]}
    assert expected <= found


def test_the_vendored_editor_is_served_and_matches_its_readme(client):
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    assert re.search(r"@zazuko/yasgui\D+4\.\d+\.\d+", readme)
    for name in VENDORED:
        body = (VENDOR / name).read_bytes()
        assert hashlib.sha256(body).hexdigest() in readme, f"{name}: checksum not in README.md"
        if name != "LICENSE":
            resp = client.get(f"/static/vendor/yasgui/{name}")
            assert resp.status_code == 200 and resp.data == body


def test_the_wheel_carries_the_vendored_editor():
    """package-data in pyproject.toml must name the vendored files (a wheel built from the
    checkout takes only what it names)."""
    globs = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["rightsgraph"]
    for path in [*(f"web/static/vendor/yasgui/{n}" for n in VENDORED), "web/static/sparql-editor.js",
                 "web/templates/sparql.html"]:
        assert any(fnmatch.fnmatch(path, g) and path.count("/") == g.count("/") for g in globs), path
