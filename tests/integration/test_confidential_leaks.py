"""Nothing confidential leaks, against a real server: the home page, every door of the
decision service, and SPARQL updates that would copy confidential data where readers can
read it (docs/service.md, "Confidential data and writes")."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import requests

from ..conftest import REPO

pytestmark = pytest.mark.server
DATA = REPO / "tests" / "data" / "loading"
GRAPHS = "https://w3id.org/rightsgraph/graph/"
SECRET = GRAPHS + "data/secret-terms"          # confidential: prices and confidential terms
SECRET_COPY = GRAPHS + "data/secret-archive"   # confidential, empty at first
LIBRARY = GRAPHS + "data/library"              # public
OPEN = GRAPHS + "data/open-terms"              # public licence
NOTES = GRAPHS + "data/notes"                  # public, written by the tests
PROV = GRAPHS + "provenance"
EX = "https://example.org/lib/"
PREFIX = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
          f"PREFIX ex: <{EX}> ")

HEAD = """@prefix rg: <https://w3id.org/rightsgraph/ns#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/lib/> .
"""
LICENCE = """ex:{name} a rg:Licence ; odrl:uid ex:{name} ; dct:title "{zh}"@zh, "{en}"@en ;
    odrl:assigner ex:press ; odrl:assignee ex:lib-a ; rg:licenceStatus rg:Active ;
    rg:signingDate "2024-12-01"^^xsd:date ; rg:termStart "2025-01-01"^^xsd:date ;
    rg:termEnd "2027-12-31"^^xsd:date ;
"""
SECRET_TERMS = HEAD + LICENCE.format(name="secret-licence", zh="保密印刷与传递协议",
                                     en="Secret print and supply agreement") + """
    rg:cost 98765.00 ; rg:currency "CNY" ;
    odrl:permission ex:secret-print, ex:secret-supply .
ex:secret-print a odrl:Permission ; odrl:target ex:pkg ; odrl:assignee ex:lib-a ; odrl:action odrl:print ;
    odrl:constraint [ odrl:leftOperand odrl:count ; odrl:operator odrl:lteq ; odrl:rightOperand "37"^^xsd:integer ] ;
    odrl:duty ex:secret-fee .
ex:secret-fee a odrl:Duty ; odrl:action odrl:compensate .
ex:secret-supply a odrl:Permission ; odrl:target ex:pkg ; odrl:assignee ex:lib-a ; odrl:action odrl:distribute ;
    odrl:constraint [ odrl:leftOperand odrl:deliveryChannel ; odrl:operator odrl:eq ; odrl:rightOperand rg:Email ] .
"""
OPEN_TERMS = HEAD + LICENCE.format(name="open-licence", zh="公开传递协议", en="Open supply agreement") + """
    odrl:permission ex:open-supply .
ex:open-supply a odrl:Permission ; odrl:target ex:pkg ; odrl:assignee ex:lib-a ; odrl:action odrl:distribute ;
    odrl:constraint [ odrl:leftOperand odrl:deliveryChannel ; odrl:operator odrl:eq ; odrl:rightOperand rg:Post ] ;
    odrl:duty ex:open-credit .
ex:open-credit a odrl:Duty ; odrl:action odrl:attribute .
"""
# A public policy inheriting the confidential licence's rules: they stay confidential.
CHILD_TERMS = HEAD + "ex:child-set a odrl:Set ; odrl:uid ex:child-set ; odrl:inheritFrom ex:secret-licence .\n"
# What a reader must never meet in a decision answer: the confidential licence, its rules,
# its duty, its constraints' operands and values, its price.
SECRET_WORDS = ["secret-licence", "secret-print", "secret-supply", "secret-fee", "odrl/2/compensate",
                "odrl/2/count", '"37"', "ns#Email", "98765", "Secret print"]
DECISION = {"target": EX + "book1", "assignee": EX + "lib-a", "at": "2026-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def server(deployment, tmp_path_factory):
    files = tmp_path_factory.mktemp("confidential-data")
    (files / "secret-terms.ttl").write_text(SECRET_TERMS, encoding="utf-8")
    (files / "open-terms.ttl").write_text(OPEN_TERMS, encoding="utf-8")
    (files / "child-terms.ttl").write_text(CHILD_TERMS, encoding="utf-8")
    tokens = {role: deployment.cli("user", "add", f"{role}-1", "--role", role).stdout.strip()
              for role in ("reader", "cataloguer", "admin")}
    loaded = deployment.cli("load", DATA / "library.ttl", files / "open-terms.ttl", files / "secret-terms.ttl",
                            files / "child-terms.ttl")
    assert loaded.returncode == 0, loaded.stderr
    for graph in (SECRET, SECRET_COPY):
        assert deployment.cli("graph", "confidential", graph).returncode == 0
    srv = deployment.serve()
    srv.tokens, srv.embedded = tokens, deployment.embedded
    # a write over HTTP, so that the provenance graph names an account
    assert _update(srv, f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{EX}n1> <{EX}p> "first note" }} }}').status_code == 204
    yield srv
    srv.stop()


def _h(server, role):
    return {"Authorization": f"Bearer {server.tokens[role]}"} if role else {}


def _update(server, text, role="cataloguer", **params):
    return requests.post(server.url + "/sparql", data=text.encode(), params=params, timeout=60,
                         headers=dict(_h(server, role), **{"Content-Type": "application/sparql-update"}))


def _ask(server, query, role=None):
    r = requests.get(server.url + "/sparql", params={"query": PREFIX + query}, timeout=30,
                     headers=dict(_h(server, role), Accept="application/sparql-results+json"))
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def _count(server, graph, role="cataloguer"):
    r = requests.get(server.url + "/sparql", timeout=30,
                     params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                     headers=dict(_h(server, role), Accept="application/sparql-results+json"))
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


# -- hole 7: the home page ------------------------------------------------------------------

def _card(page: str, label: str) -> int:
    return int(re.search(r"<b>(\d+)</b>" + label, page).group(1))


@pytest.mark.parametrize("role", [None, "reader"])
def test_the_home_page_shows_readers_only_what_readers_may_see(server, role):
    page = requests.get(server.url + "/", headers=_h(server, role), timeout=30)
    assert page.status_code == 200
    text = page.text
    for hidden in (SECRET, SECRET_COPY, PROV, "secret-terms.ttl", "cataloguer-1"):
        assert hidden not in text, hidden
    assert LIBRARY in text and OPEN in text
    assert _card(text, "licences") == 1          # the open licence, not the confidential one
    assert _card(text, "ODRL policies") == 2     # the open licence and the public child set
    # the triple count is the reader's own view through SPARQL
    r = requests.get(server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
                     headers=dict(_h(server, role), Accept="application/sparql-results+json"), timeout=30)
    assert _card(text, "triples") == int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert "Recent loads" not in text          # loads name accounts and files: not for readers


@pytest.mark.parametrize("role", ["cataloguer", "admin"])
def test_the_home_page_shows_cataloguers_everything(server, role):
    text = requests.get(server.url + "/", headers=_h(server, role), timeout=30).text
    assert SECRET in text and PROV in text and "secret-terms.ttl" in text and "cataloguer-1" in text
    assert _card(text, "licences") == 2 and _card(text, "ODRL policies") == 3


# -- hole 8: decisions ----------------------------------------------------------------------

def _decide(server, role, how, **params):
    params = dict(DECISION, **params)
    if how == "get":
        r = requests.get(server.url + "/api/v1/decision", params=params, headers=_h(server, role), timeout=30)
        assert r.status_code == 200, r.text
        return r.json()
    if how == "post":
        body = {k: v for k, v in params.items() if k != "context"}
        if "context" in params:
            body["context"] = dict([params["context"].split("=")])
        r = requests.post(server.url + "/api/v1/decision", json=body, headers=_h(server, role), timeout=30)
        assert r.status_code == 200, r.text
        return r.json()
    body = {k: v for k, v in params.items() if k != "context"}
    if "context" in params:
        body["context"] = dict([params["context"].split("=")])
    r = requests.post(server.url + "/api/v1/decisions", json={"requests": [body, body]},
                      headers=_h(server, role), timeout=30)
    assert r.status_code == 200, r.text
    first, second = r.json()["decisions"]
    assert first == second
    return first


CASES = {  # request -> what the cataloguer's answer names (so the reader's must not)
    "unresolved count": dict(action="print"),
    "pending duty": dict(action="print", context="count=3"),
    "public and confidential constraints": dict(action="distribute"),
}


@pytest.mark.parametrize("how", ["get", "post", "batch"])
@pytest.mark.parametrize("case", CASES)
def test_readers_get_the_verdict_and_no_confidential_term(server, case, how):
    full = _decide(server, "cataloguer", how, **CASES[case])
    assert "secret-licence" in json.dumps(full)            # the confidential licence decides
    blank_ids = [u["constraint"] for u in full["unresolved"] if "Post" not in json.dumps(u)]
    for role in (None, "reader"):
        seen = _decide(server, role, how, **CASES[case])
        text = json.dumps(seen)
        assert (seen["decision"], seen["reason"]) == (full["decision"], full["reason"])
        for word in SECRET_WORDS + blank_ids:
            assert word not in text, (word, seen)
        assert "(confidential)" in seen["policies"]


def test_public_terms_stay_visible_to_readers(server):
    seen = _decide(server, None, "get", action="distribute")
    assert EX + "open-licence" in seen["policies"] and EX + "open-supply" in seen["rules"]
    assert [u["rightOperand"] for u in seen["unresolved"] if "rightOperand" in u] == \
        [["https://w3id.org/rightsgraph/ns#Post"]]
    assert {"constraint": "(confidential)"} in seen["unresolved"]


def test_rules_inherited_from_a_confidential_licence_stay_confidential(server):
    seen = _decide(server, None, "get", action="print")
    assert sorted(seen["policies"]) == ["(confidential)", EX + "child-set"] and seen["rules"] == ["(confidential)"]


def test_the_compliance_report_is_withheld_when_it_would_name_a_confidential_rule(server):
    full = _decide(server, "cataloguer", "get", action="print", report="true")
    assert "secret-print" in full["report"]
    seen = _decide(server, None, "get", action="print", report="true")
    assert "report" not in seen and "secret" not in json.dumps(seen)


@pytest.mark.parametrize("role", [None, "reader"])
def test_the_decide_page_shows_no_confidential_term(server, role):
    for params in CASES.values():
        page = requests.get(server.url + "/decide", params=dict(DECISION, **params), headers=_h(server, role),
                            timeout=30)
        assert page.status_code == 200
        answer = page.text[page.text.index('<div class="verdict'):page.text.index("<p>JSON:")]
        for word in SECRET_WORDS:
            assert word not in answer, (word, answer)
        assert "(confidential)" in answer
    page = requests.get(server.url + "/decide", params=dict(DECISION, action="distribute"),
                        headers=_h(server, role), timeout=30).text
    assert "open-supply" in page and "confidential terms, not shown to readers" in page


# -- the librarian's pages: licences, compare, resource, search ------------------------------

def _page(server, role, path, **params):
    return requests.get(server.url + path, params=params, headers=dict(_h(server, role), **{"Accept-Language": "en"}),
                        timeout=60)


def _no_secret(text: str, where: str) -> None:
    for word in SECRET_WORDS + [SECRET, "保密印刷与传递协议"]:
        assert word not in text, (where, word)


@pytest.mark.parametrize("role", [None, "reader"])
def test_the_licence_pages_never_show_a_reader_a_confidential_licence(server, role):
    listing = _page(server, role, "/licences")
    assert listing.status_code == 200 and "Open supply agreement" in listing.text
    _no_secret(listing.text, "/licences")
    detail = _page(server, role, "/licence", iri=EX + "secret-licence")
    assert detail.status_code == 404
    # the 404 page names (and its language and sign-in links carry, the latter encoded twice in
    # its return address) only what was asked
    asked = EX + "secret-licence"
    text = detail.text
    for form in (asked, quote(asked, safe=""), quote(quote(asked, safe=""), safe="")):
        text = text.replace(form, "")
    _no_secret(text, "/licence")
    both = _page(server, role, "/licences/compare", l=[EX + "open-licence", EX + "secret-licence"])
    assert both.status_code == 404
    opened = _page(server, role, "/licence", iri=EX + "open-licence")
    assert opened.status_code == 200 and "Open supply agreement" in opened.text
    _no_secret(opened.text, "/licence open")


@pytest.mark.parametrize("role", [None, "reader"])
def test_the_resource_page_and_search_never_show_a_reader_a_confidential_term(server, role):
    page = _page(server, role, "/resource", iri=EX + "book1")
    assert page.status_code == 200 and "Open supply agreement" in page.text    # the public licence applies
    _no_secret(page.text, "/resource")
    for q in ("secret", "保密", "book"):
        _no_secret(_page(server, role, "/search", q=q).text, f"/search?q={q}")


@pytest.mark.parametrize("role", ["cataloguer", "admin"])
def test_cataloguers_see_the_confidential_licence_on_the_pages(server, role):
    detail = _page(server, role, "/licence", iri=EX + "secret-licence")
    assert detail.status_code == 200 and "Secret print and supply agreement" in detail.text and "98765" in detail.text
    page = _page(server, role, "/resource", iri=EX + "book1")
    assert "Secret print and supply agreement" in page.text


def test_the_sparql_decision_function_gives_readers_the_verdict_only(server):
    if not server.embedded:
        pytest.skip("custom SPARQL functions run in the embedded store only")
    q = (PREFIX + "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?d WHERE { "
         f"BIND(rg:decision(ex:book1, odrl:print, ex:lib-a, odrl:dateTime, \"{DECISION['at']}\"^^xsd:dateTime) AS ?d) }}")
    r = requests.post(server.url + "/sparql", data=q, timeout=30,
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["d"]["value"] == "deny|constraint-unsatisfied"


# -- hole 9: updates that read confidential data --------------------------------------------

REFUSED = {
    "COPY": f"COPY <{SECRET}> TO <{NOTES}>",
    "ADD": f"ADD <{SECRET}> TO <{NOTES}>",
    "MOVE": f"MOVE <{SECRET}> TO <{LIBRARY}>",
    "ADD to the default graph": f"ADD <{SECRET}> TO DEFAULT",
    "INSERT WHERE GRAPH <conf>": f"INSERT {{ GRAPH <{NOTES}> {{ ?l rg:cost ?c }} }} "
                                 f"WHERE {{ GRAPH <{SECRET}> {{ ?l rg:cost ?c }} }}",
    "GRAPH ?g": f"INSERT {{ GRAPH <{NOTES}> {{ ?l rg:cost ?c }} }} WHERE {{ GRAPH ?g {{ ?l rg:cost ?c }} }}",
    "USING <conf>": f"INSERT {{ GRAPH <{NOTES}> {{ ?l rg:cost ?c }} }} USING <{SECRET}> WHERE {{ ?l rg:cost ?c }}",
    "WITH <conf>": f"WITH <{SECRET}> INSERT {{ GRAPH <{NOTES}> {{ ?l rg:cost ?c }} }} WHERE {{ ?l rg:cost ?c }}",
    "FILTER EXISTS": f"INSERT {{ GRAPH <{NOTES}> {{ ex:book1 ex:pricey true }} }} WHERE {{ "
                     f"FILTER EXISTS {{ GRAPH <{SECRET}> {{ ?l rg:cost ?c FILTER(?c > 1000) }} }} }}",
    "the provenance graph": f"INSERT {{ GRAPH <{NOTES}> {{ ?a ?p ?o }} }} WHERE {{ GRAPH <{PROV}> {{ ?a ?p ?o }} }}",
}


@pytest.mark.parametrize("case", REFUSED)
def test_an_update_may_not_copy_confidential_data_where_readers_read(server, case):
    before = {g: _count(server, g) for g in (NOTES, LIBRARY, SECRET)}
    r = _update(server, PREFIX + REFUSED[case])
    assert r.status_code == 403, r.text
    assert "confidential" in r.text and "保密" in r.text
    assert (SECRET in r.text or PROV in r.text or "GRAPH ?g" in r.text) and (NOTES in r.text or LIBRARY in r.text
                                                                            or "DEFAULT" in r.text)
    assert {g: _count(server, g) for g in before} == before       # nothing changed
    assert not _ask(server, "ASK { ?s rg:cost ?c }")                # no price readable anonymously


def test_the_protocol_using_parameter_counts_as_a_read(server):
    r = _update(server, PREFIX + f"INSERT {{ GRAPH <{NOTES}> {{ ?l rg:cost ?c }} }} WHERE {{ ?l rg:cost ?c }}",
                **{"using-graph-uri": SECRET})
    assert r.status_code == 403 and SECRET in r.text
    assert not _ask(server, "ASK { ?s rg:cost ?c }")


def test_confidential_data_may_be_written_into_a_confidential_graph(server):
    r = _update(server, PREFIX + f"INSERT {{ GRAPH <{SECRET_COPY}> {{ ?l rg:cost ?c }} }} "
                                 f"WHERE {{ GRAPH <{SECRET}> {{ ?l rg:cost ?c }} }}")
    assert r.status_code == 204, r.text
    assert _ask(server, f"ASK {{ GRAPH <{SECRET_COPY}> {{ ex:secret-licence rg:cost ?c }} }}", "cataloguer")
    assert not _ask(server, "ASK { ?s rg:cost ?c }")


def test_ordinary_writes_are_allowed(server):
    assert _update(server, f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{EX}n2> <{EX}p> "second note" }} }}').status_code == 204
    r = _update(server, PREFIX + f'INSERT {{ GRAPH <{NOTES}> {{ ?b ex:p "catalogued" }} }} '
                                 f'WHERE {{ GRAPH <{LIBRARY}> {{ ?b a rg:Resource }} }}')
    assert r.status_code == 204, r.text
    # GRAPH ?g over graphs named with USING NAMED reads only those
    r = _update(server, PREFIX + f'INSERT {{ GRAPH <{NOTES}> {{ ?b ex:p "seen" }} }} USING NAMED <{LIBRARY}> '
                                 'WHERE { GRAPH ?g { ?b a rg:Resource } }')
    assert r.status_code == 204, r.text
    assert _ask(server, f'ASK {{ GRAPH <{NOTES}> {{ ex:book1 ex:p "catalogued", "seen" }} }}')


@pytest.mark.parametrize("op", ["DROP ALL", "CLEAR ALL", "DROP NAMED", "CLEAR SILENT NAMED"])
def test_graph_wide_management_needs_an_admin(server, op):
    before = _count(server, SECRET)
    r = _update(server, op)
    assert r.status_code == 403, r.text
    assert "admin" in r.text and "管理员" in r.text and "cataloguer-1" in r.text
    assert _count(server, SECRET) == before > 0 and _count(server, LIBRARY) > 0


def test_a_cataloguer_may_drop_a_confidential_graph_by_name(server):
    assert _count(server, SECRET_COPY) > 0
    assert _update(server, f"DROP GRAPH <{SECRET_COPY}>").status_code == 204
    assert _count(server, SECRET_COPY) == 0


def test_an_admin_may_drop_all(server):
    """Runs last in this module: it empties the store."""
    assert _update(server, "DROP ALL", role="admin").status_code == 204
    for graph in (SECRET, LIBRARY, NOTES, OPEN):
        assert _count(server, graph, "admin") == 0

