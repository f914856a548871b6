"""Shareable exports (`export --shareable`) and `/.well-known/void`: an export from one
store loaded into another restores the same graphs and their provenance; confidential
and system graphs never leave."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from rightsgraph.confidentiality import set_confidential
from rightsgraph.exchange.kbart import import_kbart
from rightsgraph.exchange.shareable import export_shareable
from rightsgraph.exchange.void import EXCHANGE_GRAPH
from rightsgraph.loading import load_files
from rightsgraph.namespaces import PROVENANCE_GRAPH, SYSTEM_GRAPHS

from .conftest import REPO, run_cli

LOADING = REPO / "tests" / "data" / "loading"
KBART = REPO / "tests" / "data" / "kbart" / "monographs_extra.tsv"
LIBRARY = "https://w3id.org/rightsgraph/graph/data/library"
LICENCE = "https://w3id.org/rightsgraph/graph/data/licence"
PKG = "https://example.org/package/mixed"


def fresh(tmp_path, name):
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    st = EmbeddedStore(tmp_path / name)
    ensure_system_graphs(st)
    return st


@pytest.fixture
def source(tmp_path):
    st = fresh(tmp_path, "source")
    load_files(st, [LOADING / "library.ttl"], agent="cataloguer-li")
    load_files(st, [LOADING / "licence.ttl"])
    import_kbart(st, KBART, package=PKG)
    set_confidential(st, LICENCE)
    return st


def graph_of(store, g) -> rdflib.Graph:
    out = rdflib.Graph()
    out.parse(data=store.dump(ox.RdfFormat.N_TRIPLES, graph=ox.NamedNode(g)).decode(), format="nt")
    return out


def activities(store) -> dict[str, set[str]]:
    """load activity IRI -> SHA-256 digests of the files it used."""
    rows = store.query(f"SELECT ?a ?d WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?a a <http://www.w3.org/ns/prov#Activity> . "
                       f"OPTIONAL {{ ?a <http://www.w3.org/ns/prov#used>/<http://www.loc.gov/premis/rdf/v3/fixity>/"
                       f"<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?d }} }} }}")
    out: dict[str, set[str]] = {}
    for r in rows:
        out.setdefault(r["a"].value, set()).add(r["d"].value if r["d"] else None)
    return out


def generated(store, activity) -> set[str]:
    return {r["g"].value for r in store.query(
        f"SELECT ?g WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{activity}> <http://www.w3.org/ns/prov#generated> ?g }} }}")}


@pytest.mark.parametrize("fmt,ext", [("trig", "trig"), ("nquads", "nq"), ("jsonld", "jsonld")])
def test_export_then_load_restores_graphs_and_provenance(source, tmp_path, fmt, ext):
    data = export_shareable(source, fmt=fmt, endpoint="https://library-a.example.org/sparql", publisher="Library A")
    path = tmp_path / f"share.{ext}"
    path.write_bytes(data)
    target = fresh(tmp_path, "target")
    result = load_files(target, [path])
    shared = sorted(g.value for g in source.graphs() if g not in SYSTEM_GRAPHS and g.value != LICENCE)
    assert sorted(g.value for g in result.graphs) == shared
    assert sorted(g.value for g in target.graphs() if g not in SYSTEM_GRAPHS) == shared
    for g in shared:
        assert isomorphic(graph_of(source, g), graph_of(target, g)), g
    # the loads that produced the shared graphs came along (same activity IRIs and digests)
    src_acts, tgt_acts = activities(source), activities(target)
    wanted = {a: d for a, d in src_acts.items() if generated(source, a) & set(shared)}
    assert len(wanted) == 2
    for a, digests in wanted.items():
        assert tgt_acts.get(a) == digests
        assert generated(target, a) == generated(source, a) & set(shared)
    # ... plus the receiving load itself
    assert len(set(tgt_acts) - set(src_acts)) >= 1
    # the exchange graph is merged, not stored as data; the dataset description is kept
    assert ox.NamedNode(EXCHANGE_GRAPH.value) not in target.graphs()
    assert target.query(f"ASK {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?d a <http://rdfs.org/ns/void#Dataset> ; "
                        "<http://rdfs.org/ns/void#sparqlEndpoint> <https://library-a.example.org/sparql> } }")
    # loading the same export again adds no second copy of the source's activities
    before = len(list(target.quads(PROVENANCE_GRAPH)))
    load_files(target, [path], replace=True)
    after_acts = activities(target)
    assert all(after_acts[a] == d for a, d in wanted.items())
    assert len(list(target.quads(PROVENANCE_GRAPH))) - before < 60   # one load record, nothing duplicated


def test_confidential_and_system_graphs_never_leave(source):
    data = export_shareable(source, fmt="nquads")
    text = data.decode()
    assert LICENCE not in text                     # not even in the provenance copy
    for g in SYSTEM_GRAPHS:
        assert f"> <{g.value}> ." not in text
    assert "rightsgraph/shapes#" not in text


def test_derived_graphs_stay_home(source):
    """Asset classes and other derived graphs are computed by each library, not shared."""
    from rightsgraph.reports.assets import DERIVED_GRAPH
    source.add_quads([ox.Quad(ox.NamedNode("https://example.org/x"), ox.NamedNode("https://example.org/p"),
                              ox.Literal("derived"), DERIVED_GRAPH)])
    assert DERIVED_GRAPH.value not in export_shareable(source, fmt="nquads").decode()


def test_description(source):
    data = export_shareable(source, fmt="trig", endpoint="https://library-a.example.org/sparql",
                            publisher="https://library-a.example.org/", dataset="https://library-a.example.org/dataset")
    st = ox.Store()
    st.load(data, ox.RdfFormat.TRIG)
    rows = list(st.query(f"""SELECT ?g ?n ?m WHERE {{ GRAPH <{EXCHANGE_GRAPH.value}> {{
        <https://library-a.example.org/dataset> a <http://www.w3.org/ns/dcat#Dataset> ;
            <http://purl.org/dc/terms/publisher> <https://library-a.example.org/> ;
            <http://purl.org/dc/terms/license> <https://creativecommons.org/publicdomain/zero/1.0/> ;
            <http://rdfs.org/ns/void#subset> ?g . ?g <http://rdfs.org/ns/void#triples> ?n ; <http://purl.org/dc/terms/modified> ?m }} }}"""))
    counts = {r["g"].value: int(r["n"].value) for r in rows}
    assert counts == {g.value: source.count(g) for g in source.graphs()
                      if g not in SYSTEM_GRAPHS and g.value != LICENCE}


def test_cli_export_shareable(tmp_path):
    source_dir, data_dir = tmp_path / "cli-source", tmp_path / "cli-target"
    for args in (("load", LOADING / "library.ttl"), ("load", LOADING / "licence.ttl"),
                 ("graph", "confidential", LICENCE)):
        out = run_cli(*args, data_dir=source_dir)
        assert out.returncode == 0, out.stderr
    out = run_cli("export", "--shareable", "--format", "jsonld", "-o", tmp_path / "s.jsonld", data_dir=source_dir)
    assert out.returncode == 0, out.stderr
    doc = json.loads((tmp_path / "s.jsonld").read_text())
    assert "@context" in doc and doc["@context"]["permission"]["@id"] == "odrl:permission"
    assert LICENCE not in (tmp_path / "s.jsonld").read_text()
    assert run_cli("export", "--format", "jsonld", data_dir=source_dir).returncode == 2   # needs --shareable
    plain = run_cli("export", "--format", "nquads", data_dir=source_dir)
    assert LICENCE in plain.stdout                 # the plain export is unchanged: everything
    out = run_cli("load", tmp_path / "s.jsonld", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert f"<{LIBRARY}>" in out.stdout and LICENCE not in out.stdout


# ------------------------------------------------------------------------------ /.well-known/void
@pytest.fixture
def client(source):
    from rightsgraph.web.app import create_app
    return create_app(source).test_client()


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES)])
def test_well_known_void(client, source, accept, fmt):
    r = client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200 and r.content_type.startswith(accept)
    st = ox.Store()
    st.load(r.data, fmt, base_iri="http://localhost/")
    ds = "http://localhost/.well-known/void#dataset"
    assert st.query(f"ASK {{ <{ds}> a <http://rdfs.org/ns/void#Dataset> ; "
                    "<http://rdfs.org/ns/void#sparqlEndpoint> <http://localhost/sparql> }")
    subsets = {r["g"].value: int(r["n"].value) for r in st.query(
        f"SELECT ?g ?n WHERE {{ <{ds}> <http://rdfs.org/ns/void#subset> ?g . ?g <http://rdfs.org/ns/void#triples> ?n }}")}
    assert LICENCE not in subsets and LIBRARY in subsets
    assert subsets[LIBRARY] == source.count(ox.NamedNode(LIBRARY))
    [total] = st.query(f"SELECT ?n WHERE {{ <{ds}> <http://rdfs.org/ns/void#triples> ?n }}")
    assert int(total["n"].value) == sum(subsets.values())


def test_void_not_acceptable(client):
    assert client.get("/.well-known/void", headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_service_description_links_void(client):
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    st = ox.Store()
    st.load(r.data, ox.RdfFormat.TURTLE)
    assert st.query("ASK { ?svc <http://www.w3.org/ns/sparql-service-description#defaultDataset> ?d . "
                    "?d <http://rdfs.org/ns/void#triples> ?n ; <http://rdfs.org/ns/void#sparqlEndpoint> ?e ; "
                    "<http://www.w3.org/2000/01/rdf-schema#seeAlso> <http://localhost/.well-known/void> }")
