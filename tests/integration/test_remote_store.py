"""The same load and query behaviour against a real `oxigraph serve` on 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import NamedNode, RdfFormat

from rightsgraph.loading import LoadRejected, load_files
from rightsgraph.namespaces import GRAPH_BASE, ONTOLOGY_GRAPH
from rightsgraph.parsing import RdfSyntaxError

from ..conftest import REPO, run_cli

DATA = REPO / "tests" / "data" / "loading"
pytestmark = pytest.mark.server


def snapshot(store) -> list[bytes]:
    return sorted(store.dump(RdfFormat.N_QUADS).splitlines())


def test_system_graphs_bootstrap_remotely(remote_store):
    assert remote_store.count(ONTOLOGY_GRAPH) > 100


def test_validated_load_and_cross_load_context(remote_store):
    load_files(remote_store, [DATA / "library.ttl"])
    assert remote_store.count(NamedNode(GRAPH_BASE + "data/library")) == 17
    load_files(remote_store, [DATA / "licence.ttl"])
    assert remote_store.count(NamedNode(GRAPH_BASE + "data/licence")) > 10


def test_rejected_loads_leave_remote_store_unchanged(remote_store):
    load_files(remote_store, [DATA / "library.ttl"])
    before = snapshot(remote_store)
    with pytest.raises(LoadRejected):
        load_files(remote_store, [DATA / "dates_out_of_order.ttl"])
    with pytest.raises(RdfSyntaxError):
        load_files(remote_store, [DATA / "broken_syntax.ttl"])
    assert snapshot(remote_store) == before


def test_cli_with_store_url(oxigraph_server, tmp_path):
    env = {"RIGHTSGRAPH_STORE": oxigraph_server.url}
    out = run_cli("load", DATA / "library.ttl", data_dir=tmp_path / "unused", env=env)
    assert out.returncode == 0, out.stderr
    res = run_cli("query", "--format", "json", "PREFIX rg: <https://w3id.org/rightsgraph/ns#> "
                  "SELECT (COUNT(?r) AS ?n) WHERE { ?r a rg:Resource }", data_dir=tmp_path / "unused", env=env)
    assert json.loads(res.stdout)["results"]["bindings"][0]["n"]["value"] == "1"
    assert not (tmp_path / "unused").exists()


def test_a_paged_graph_read_is_not_misled_by_a_write_between_pages(oxigraph_server):
    """A store without a Graph Store endpoint is read in ordered CONSTRUCT pages. A write
    landing between two pages used to shift the order under the reader: a triple read twice
    and the read failed ("read X of Y"), or one skipped. Now the graph is read again, and the
    answer is the graph as it stood for one whole read."""
    from rightsgraph.store.remote import RemoteStore
    store = RemoteStore(oxigraph_server.url + "/query", oxigraph_server.url + "/update", None)
    store.PAGE = 4
    g = NamedNode("https://example.org/graph/paged")
    store.load_bytes(b"".join(b"<https://example.org/b%02d> <https://example.org/p> %d .\n" % (i, i)
                              for i in range(10)), RdfFormat.TURTLE, g)
    real_query, pages = store.query, []

    def query_then_another_writer_writes(text, *args, **kwargs):
        answer = real_query(text, *args, **kwargs)
        if text.startswith("CONSTRUCT"):
            pages.append(text)
            if len(pages) == 1:        # sorts before every triple read so far: shifts the next pages
                store.update(f"INSERT DATA {{ GRAPH <{g.value}> {{ <https://example.org/a00> "
                             "<https://example.org/p> 99 } }")
        return answer

    store.query = query_then_another_writer_writes
    try:
        got = sorted(q.subject.value for q in store.quads(g))
    finally:
        store.query = real_query
    assert len(pages) > 3                                   # the first read was thrown away
    assert got == ["https://example.org/a00"] + [f"https://example.org/b{i:02d}" for i in range(10)]
