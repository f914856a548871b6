"""Validated, all-or-nothing loading through the real CLI and the Python API."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from pyoxigraph import NamedNode, RdfFormat

from rightsgraph.loading import LoadRejected, load_files
from rightsgraph.namespaces import GRAPH_BASE, PROVENANCE_GRAPH
from rightsgraph.parsing import RdfSyntaxError

from .conftest import REPO, run_cli

DATA = REPO / "tests" / "data" / "loading"
LIB_GRAPH = NamedNode(GRAPH_BASE + "data/library")


def snapshot(store) -> bytes:
    """The whole dataset, canonically sorted: equal snapshots mean an unchanged store."""
    return b"\n".join(sorted(store.dump(RdfFormat.N_QUADS).splitlines()))


def test_load_puts_file_in_its_own_graph_with_provenance(store):
    result = load_files(store, [DATA / "library.ttl"], agent="cataloguer-li")
    assert result.graphs == {LIB_GRAPH: 17}
    assert store.count(LIB_GRAPH) == 17
    rows = list(store.query(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX premis: <http://www.loc.gov/premis/rdf/v3/>
        PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX void: <http://rdfs.org/ns/void#>
        SELECT ?who ?name ?digest ?n ?total WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{
          ?act prov:generated <{LIB_GRAPH.value}> ; prov:wasAssociatedWith/foaf:name ?who ;
               prov:startedAtTime ?start ; prov:endedAtTime ?end ;
               prov:used [ premis:originalName ?name ; premis:fixity/<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?digest ] ;
               prov:qualifiedGeneration [ prov:entity <{LIB_GRAPH.value}> ; void:triples ?n ] .
          <{LIB_GRAPH.value}> void:triples ?total }} }}"""))
    import hashlib
    assert len(rows) == 1
    r = rows[0]
    assert r["who"].value == "cataloguer-li"
    assert r["name"].value == "library.ttl"
    assert r["digest"].value == hashlib.sha256((DATA / "library.ttl").read_bytes()).hexdigest()
    assert int(r["n"].value) == 17 and int(r["total"].value) == 17


def test_validation_sees_what_the_store_already_holds(store):
    """licence.ttl points at a publisher, a library and a package loaded earlier."""
    load_files(store, [DATA / "library.ttl"])
    result = load_files(store, [DATA / "licence.ttl"])
    assert result.triples > 10


def test_licence_alone_is_rejected_for_unknown_parties(store):
    before = snapshot(store)
    with pytest.raises(LoadRejected) as err:
        load_files(store, [DATA / "licence.ttl"])
    components = {r.source_constraint_component.rsplit("#", 1)[-1] for r in err.value.report.results}
    assert "ClassConstraintComponent" in components
    assert snapshot(store) == before


def test_syntax_error_names_file_line_and_column_and_changes_nothing(store):
    load_files(store, [DATA / "library.ttl"])
    before = snapshot(store)
    with pytest.raises(RdfSyntaxError) as err:
        load_files(store, [DATA / "missing_title.ttl", DATA / "broken_syntax.ttl"])
    assert err.value.path.endswith("broken_syntax.ttl")
    assert err.value.line == 5
    assert err.value.column is not None
    assert "broken_syntax.ttl:5:" in str(err.value)
    assert snapshot(store) == before


@pytest.mark.parametrize("name, fmt, line", [
    ("bad.nt", "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n", 2),
    ("bad.jsonld", '{\n  "@id": "http://a",\n  "http://b": [ }\n', 3),
    ("bad.rdf", '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
                '<rdf:Description rdf:about="http://a">\n</rdf:RDF>\n', 4),
])
def test_syntax_errors_in_other_syntaxes_name_the_line(store, tmp_path, name, fmt, line):
    path = tmp_path / name
    path.write_text(fmt)
    with pytest.raises(RdfSyntaxError) as err:
        load_files(store, [path])
    assert err.value.line == line, str(err.value)


def test_shacl_failure_changes_nothing(store):
    load_files(store, [DATA / "library.ttl"])
    before = snapshot(store)
    with pytest.raises(LoadRejected) as err:
        load_files(store, [DATA / "licence.ttl", DATA / "missing_title.ttl"])
    focus = {r.focus_node.value for r in err.value.report.results}
    assert "https://example.org/lib/untitled" in focus
    assert snapshot(store) == before


@pytest.mark.parametrize("fmt", [RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.N_QUADS, RdfFormat.TRIG,
                                 RdfFormat.JSON_LD, RdfFormat.RDF_XML])
def test_every_syntax_loads_the_same_triples(store, tmp_path, fmt):
    src = ox.Store()
    src.load(path=str(DATA / "library.ttl"), format=RdfFormat.TURTLE)
    path = tmp_path / f"library.{fmt.file_extension}"
    kwargs = {} if fmt.supports_datasets else {"from_graph": ox.DefaultGraph()}
    src.dump(str(path), format=fmt, **kwargs)
    result = load_files(store, [path])
    assert result.graphs == {LIB_GRAPH: 17}


def test_replace_swaps_a_graph_content(store, tmp_path):
    g = GRAPH_BASE + "data/catalogue"
    load_files(store, [DATA / "library.ttl"], graph=g)
    smaller = tmp_path / "smaller.ttl"
    smaller.write_text('@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix dct: <http://purl.org/dc/terms/> .\n'
                       '<https://example.org/lib/only> a rg:Resource ; dct:title "Only one"@en .\n')
    load_files(store, [smaller], graph=g, replace=True)
    assert store.count(NamedNode(g)) == 2


def test_cli_rejects_invalid_file_prints_violations_and_writes_report(tmp_path):
    data_dir = tmp_path / "store"
    ok = run_cli("load", DATA / "library.ttl", data_dir=data_dir)
    assert ok.returncode == 0, ok.stderr
    before = run_cli("export", "--format", "nquads", data_dir=data_dir).stdout
    report = tmp_path / "report.ttl"
    out = run_cli("load", DATA / "dates_out_of_order.ttl", "--report", report, data_dir=data_dir)
    assert out.returncode == 1
    assert "https://example.org/lib/licence-bad" in out.stderr
    assert "termStart" in out.stderr or "termEnd" in out.stderr
    assert "nothing was loaded" in out.stderr
    g = ox.Store()
    g.load(path=str(report), format=RdfFormat.TURTLE)
    assert not bool(g.query("ASK { ?r <http://www.w3.org/ns/shacl#conforms> true }"))
    assert bool(g.query("ASK { ?r <http://www.w3.org/ns/shacl#result> ?x }"))
    after = run_cli("export", "--format", "nquads", data_dir=data_dir).stdout
    assert sorted(after.splitlines()) == sorted(before.splitlines())


def test_cli_messages_in_chinese(tmp_path):
    out = run_cli("--lang", "zh", "load", DATA / "missing_title.ttl", data_dir=tmp_path / "store")
    assert out.returncode == 1
    assert "未加载任何数据" in out.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for line in out.stderr.splitlines()[:-1] for ch in line)


def test_cli_syntax_error_exit_code_and_message(tmp_path):
    out = run_cli("load", DATA / "broken_syntax.ttl", data_dir=tmp_path / "store")
    assert out.returncode == 3
    assert "broken_syntax.ttl:5:" in out.stderr


def test_cannot_load_into_system_graphs(store):
    from rightsgraph.loading import ProtectedGraph
    with pytest.raises(ProtectedGraph):
        load_files(store, [DATA / "library.ttl"], graph=PROVENANCE_GRAPH.value)
