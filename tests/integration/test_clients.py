"""Real SPARQL clients against a running rightsgraph: rdflib's SPARQLStore and
SPARQLUpdateStore (through an rdflib Dataset), and Comunica (comunica-sparql, Node.js).
SPARQLWrapper is exercised in test_demo_server.py."""

from __future__ import annotations

import json
import subprocess

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

from ..conftest import REPO
from ..prerequisites import need

pytestmark = pytest.mark.server
DATA = REPO / "tests" / "data" / "loading"
COUNT = "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/rightsgraph/ns#Resource> }"


@pytest.fixture(scope="module")
def server(deployment):
    token = deployment.cli("user", "add", "rdflib", "--role", "cataloguer").stdout.strip()
    assert deployment.cli("load", DATA / "library.ttl").returncode == 0
    srv = deployment.serve()
    srv.token = token
    yield srv
    srv.stop()


def test_rdflib_sparqlstore_queries(server):
    g = Graph(store=SPARQLStore(server.url + "/sparql"))
    rows = list(g.query(COUNT))
    assert int(rows[0][0]) == 1
    titles = {str(t) for (t,) in g.query(
        "SELECT ?t WHERE { <https://example.org/lib/book1> <http://purl.org/dc/terms/title> ?t }")}
    assert "中国古代科技史" in titles


def test_rdflib_dataset_default_graph_means_the_union(server):
    """rdflib's Dataset sends default-graph-uri=urn:x-rdflib:default with its queries. We
    read it as "the endpoint's default graph" (the union), not as a graph of that name."""
    import requests
    ds = Dataset(store=SPARQLStore(server.url + "/sparql"), default_union=False)
    rows = list(ds.query(COUNT))
    assert int(rows[0][0]) == 1
    raw = requests.get(server.url + "/sparql", params={"query": COUNT, "default-graph-uri": "urn:x-rdflib:default"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30).json()
    assert raw["results"]["bindings"][0]["n"]["value"] == "1"


def test_rdflib_sparqlupdatestore_writes_through_the_gate(server):
    store = SPARQLUpdateStore(server.url + "/sparql", server.url + "/sparql",
                              auth=("rdflib", server.token))
    ds = Dataset(store=store)
    notes = ds.graph(URIRef("https://example.org/g/rdflib-notes"))
    notes.add((URIRef("https://example.org/lib/book1"), URIRef("http://purl.org/dc/terms/description"),
               Literal("added with rdflib", lang="en")))
    check = Graph(store=SPARQLStore(server.url + "/sparql"))
    assert bool(check.query('ASK { GRAPH <https://example.org/g/rdflib-notes> { ?s ?p "added with rdflib"@en } }'))
    # an invalid write is refused by the shapes, whatever the client
    bad = ds.graph(URIRef("https://example.org/g/rdflib-bad"))
    with pytest.raises(Exception):
        bad.add((URIRef("https://example.org/lib/x"), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                 URIRef("https://w3id.org/rightsgraph/ns#Resource")))
    assert not bool(check.query("ASK { GRAPH <https://example.org/g/rdflib-bad> { ?s ?p ?o } }"))


def test_comunica_queries_the_endpoint(server):
    exe = need("comunica-sparql", why="Comunica is the Node.js SPARQL client this test runs against the endpoint")
    out = subprocess.run([exe, f"sparql@{server.url}/sparql", "-t", "application/sparql-results+json", COUNT],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert int(result["results"]["bindings"][0]["n"]["value"]) == 1
