"""The demo world served by a real `rightsgraph serve` process, queried with SPARQLWrapper."""

from __future__ import annotations

import pytest
import requests
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper



@pytest.fixture(scope="module")
def demo_server(deployment):
    out = deployment.cli("demo", "--no-serve")
    assert out.returncode == 0, out.stderr
    srv = deployment.serve()
    yield srv
    srv.stop()


def _sparql(server, query, fmt=JSON):
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


@pytest.mark.server
def test_demo_resources_are_queryable_with_sparqlwrapper(demo_server):
    res = _sparql(demo_server, "PREFIX rg: <https://w3id.org/rightsgraph/ns#> "
                               "SELECT (COUNT(?r) AS ?n) WHERE { ?r a rg:Resource }")
    n = int(res["results"]["bindings"][0]["n"]["value"])
    assert 900 <= n <= 1100


@pytest.mark.server
def test_bilingual_titles_and_licences(demo_server):
    res = _sparql(demo_server, """PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX dct: <http://purl.org/dc/terms/>
        SELECT ?zh ?en WHERE { ?r a rg:Resource ; dct:title ?zh, ?en .
          FILTER(lang(?zh) = "zh" && lang(?en) = "en") } LIMIT 5""")
    assert len(res["results"]["bindings"]) == 5
    res = _sparql(demo_server, "PREFIX rg: <https://w3id.org/rightsgraph/ns#> ASK { ?l a rg:Licence }")
    assert res["boolean"] is True


@pytest.mark.server
def test_result_formats_over_http(demo_server):
    xml = _sparql(demo_server, "SELECT ?g WHERE { GRAPH ?g { } } LIMIT 1", XML)
    assert xml.getElementsByTagName("sparql")
    csv = _sparql(demo_server, "SELECT ?g WHERE { GRAPH ?g { } } LIMIT 1", CSV)
    assert csv.decode().splitlines()[0] == "g"
    g = _sparql(demo_server, "CONSTRUCT WHERE { ?s a <https://w3id.org/rightsgraph/ns#Licence> }", TURTLE)
    assert b"Licence" in g


@pytest.mark.server
def test_home_page_and_service_description(demo_server):
    home = requests.get(demo_server.url + "/", timeout=10)
    assert home.status_code == 200 and "rightsgraph" in home.text and "/sparql" in home.text
    sd = requests.get(demo_server.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert sd.status_code == 200 and "sparql-service-description" in sd.text


@pytest.mark.server
def test_malformed_query_gets_readable_400(demo_server):
    r = requests.get(demo_server.url + "/sparql", params={"query": "SELECT * WHERE {"}, timeout=10)
    assert r.status_code == 400 and "malformed query" in r.text
