"""The query, export and info commands, run as a user would run them."""

from __future__ import annotations

import json

import pyoxigraph as ox

from .conftest import REPO, run_cli

DATA = REPO / "tests" / "data" / "loading"


def _loaded(tmp_path):
    data_dir = tmp_path / "store"
    out = run_cli("load", DATA / "library.ttl", "--agent", "tester", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    return data_dir


def test_query_table_and_formats(tmp_path):
    d = _loaded(tmp_path)
    q = "PREFIX dct: <http://purl.org/dc/terms/> SELECT ?t WHERE { <https://example.org/lib/book1> dct:title ?t } ORDER BY ?t"
    table = run_cli("query", q, data_dir=d)
    assert table.returncode == 0
    assert "中国古代科技史@zh" in table.stdout and "(2 rows)" in table.stdout
    as_json = json.loads(run_cli("query", "--format", "json", q, data_dir=d).stdout)
    assert len(as_json["results"]["bindings"]) == 2
    csv = run_cli("query", "--format", "csv", q, data_dir=d).stdout
    assert csv.splitlines()[0] == "t"
    turtle = run_cli("query", "--format", "turtle", "CONSTRUCT WHERE { ?s a ?o }", data_dir=d).stdout
    assert len(list(ox.parse(turtle.encode(), ox.RdfFormat.TURTLE))) >= 4


def test_query_reads_stdin_and_reports_bad_syntax(tmp_path):
    d = _loaded(tmp_path)
    ok = run_cli("query", data_dir=d, input="ASK { ?s ?p ?o }")
    assert ok.stdout.strip() == "true"
    bad = run_cli("query", "SELECT ?x WHERE {", data_dir=d)
    assert bad.returncode == 3 and "malformed query" in bad.stderr


def test_export_round_trips_through_load(tmp_path):
    d = _loaded(tmp_path)
    trig = tmp_path / "dump.trig"
    assert run_cli("export", "--graph", "https://w3id.org/rightsgraph/graph/data/library", "-o", trig,
                   data_dir=d).returncode == 0
    d2 = tmp_path / "other"
    assert run_cli("load", trig, data_dir=d2).returncode == 0
    a = run_cli("export", "--graph", "https://w3id.org/rightsgraph/graph/data/library", "--format", "nquads",
                data_dir=d).stdout
    b = run_cli("export", "--graph", "https://w3id.org/rightsgraph/graph/data/library", "--format", "nquads",
                data_dir=d2).stdout
    assert sorted(a.splitlines()) == sorted(b.splitlines()) and a


def test_info_lists_graphs_and_loads(tmp_path):
    d = _loaded(tmp_path)
    summary = json.loads(run_cli("info", "--json", data_dir=d).stdout)
    graphs = {g["graph"]: g["triples"] for g in summary["graphs"]}
    assert graphs["https://w3id.org/rightsgraph/graph/data/library"] == 17
    assert "https://w3id.org/rightsgraph/graph/ontology" in graphs
    assert "https://w3id.org/rightsgraph/graph/shapes" in graphs
    assert summary["counts"]["resources"] == 1
    assert any(ld["agent"] == "tester" and ld["files"] == "library.ttl" and ld["triples"] == 17
               for ld in summary["loads"])
    text = run_cli("info", data_dir=d).stdout
    assert "library.ttl" in text
