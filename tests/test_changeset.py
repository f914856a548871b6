"""Every write is one validated change set: the update text never runs twice, a replace
leaves the old or the new graph, and data commits with its provenance record."""

from __future__ import annotations

import http.server
import threading

import pyoxigraph as ox
import pytest
from pyoxigraph import NamedNode, Quad, RdfFormat

from rightsgraph import provenance
from rightsgraph.loading import load_files
from rightsgraph.namespaces import PROVENANCE_GRAPH, RG
from rightsgraph.store import journal
from rightsgraph.store.changeset import ChangeSet, FileLoad
from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.updating import apply_update

G = "https://example.org/graph/vendors"
RANDOM_TYPE = f"""
PREFIX rg: <{RG.Vendor.value.rsplit('#', 1)[0]}#>
INSERT {{ GRAPH <{G}> {{ ?x a ?t ; rg:isil "DE-1" }} }}
WHERE {{ BIND(IRI(CONCAT("https://example.org/rand/", STRUUID())) AS ?x)
         BIND(IF(RAND() < 0.5, rg:Vendor, <https://example.org/Thing>) AS ?t) }}"""


def test_a_random_update_cannot_slip_an_invalid_node_past_the_gate(store):
    # rg:Vendor needs a name; the update makes one with probability 1/2. Validated once and
    # run again, 30 tries let a nameless vendor through with probability 1 - 0.75**30.
    from rightsgraph.loading import LoadRejected
    accepted = 0
    for _ in range(30):
        try:
            apply_update(store, RANDOM_TYPE)
            accepted += 1
        except LoadRejected:
            pass
    nameless = list(store.query(f"SELECT ?v WHERE {{ GRAPH <{G}> {{ ?v a <{RG.Vendor.value}> }} }}"))
    assert nameless == []
    things = list(store.query(f"SELECT ?v WHERE {{ GRAPH <{G}> {{ ?v a <https://example.org/Thing> }} }}"))
    assert len(things) == accepted > 0


def test_the_store_receives_the_validated_uuid_not_a_second_one(store):
    apply_update(store, f"INSERT {{ GRAPH <{G}> {{ ?x <https://example.org/p> ?u }} }} "
                        "WHERE { BIND(UUID() AS ?x) BIND(STRUUID() AS ?u) BIND(NOW() AS ?n) }")
    rows = list(store.query(f"SELECT ?x ?u WHERE {{ GRAPH <{G}> {{ ?x ?p ?u }} }}"))
    assert len(rows) == 1
    assert rows[0]["x"].value.startswith("urn:uuid:")


def test_load_fetches_its_url_once(store):
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b'<https://example.org/a> <https://example.org/b> "c" .\n'
            self.send_response(200)
            self.send_header("Content-Type", "application/n-triples")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        apply_update(store, f"LOAD <http://127.0.0.1:{server.server_port}/data.nt> INTO GRAPH <{G}>")
    finally:
        server.shutdown()
    assert hits == ["/data.nt"]
    assert store.count(NamedNode(G)) == 1


def test_blank_nodes_removed_by_an_update_are_the_stored_ones(store):
    apply_update(store, f"INSERT DATA {{ GRAPH <{G}> {{ <https://example.org/a> <https://example.org/p> "
                        "[ <https://example.org/q> 1 ] , [ <https://example.org/q> 2 ] } }")
    assert store.count(NamedNode(G)) == 4
    apply_update(store, f"DELETE {{ GRAPH <{G}> {{ ?a ?p ?b . ?b ?q 1 }} }} "
                        f"WHERE {{ GRAPH <{G}> {{ ?a ?p ?b . ?b ?q 1 }} }}")
    assert store.count(NamedNode(G)) == 2
    assert store.query(f"ASK {{ GRAPH <{G}> {{ ?a ?p ?b . ?b ?q 2 }} }}")


def test_drop_graph_leaves_no_empty_graph_name(store):
    apply_update(store, f"INSERT DATA {{ GRAPH <{G}> {{ <https://example.org/a> <https://example.org/p> 1 }} }}")
    apply_update(store, f"DROP GRAPH <{G}>")
    assert NamedNode(G) not in store.graphs()


def test_a_journal_entry_left_by_a_crash_is_finished_when_the_store_opens(tmp_path):
    path = tmp_path / "store"
    st = EmbeddedStore(path)
    g = NamedNode(G)
    st.add_quads([Quad(NamedNode("https://example.org/old"), NamedNode("https://example.org/p"), ox.Literal("1"), g)])
    new = tmp_path / "new.nt"
    new.write_text("".join(f"<https://example.org/n{i}> <https://example.org/p> _:b{i} .\n" for i in range(50)))
    record = provenance.LoadRecord.new(agent="test", started=provenance.now(), loaded={g: 50}, replaced=True,
                                       via="cli")
    change = ChangeSet(clear=[g], files=[FileLoad(new, RdfFormat.N_TRIPLES, g)], record=record)
    # The process writes the journal entry, starts applying (clears the graph), then dies.
    journal.write(journal.journal_dir(path), change)
    st.clear_graph(g)
    del st
    again = EmbeddedStore(path)             # recovery runs on open
    assert again.count(g) == 50
    assert journal.pending(journal.journal_dir(path)) == []
    totals = list(again.query(f"SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{G}> "
                              "<http://rdfs.org/ns/void#triples> ?n } }"))
    assert [int(r["n"].value) for r in totals] == [50]
    # Replaying once more (a crash during recovery) changes nothing: every step is idempotent.
    again._apply(change)
    assert again.count(g) == 50
    assert len(list(again.query(f"SELECT ?a WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?a a "
                                "<http://www.w3.org/ns/prov#Activity> } }"))) == 1


def test_an_unfinished_journal_entry_is_discarded(tmp_path):
    path = tmp_path / "store"
    st = EmbeddedStore(path)
    root = journal.journal_dir(path)
    (root / "123-abc.tmp" / "files").mkdir(parents=True)
    del st
    EmbeddedStore(path)
    assert list(root.iterdir()) == []


def test_adding_blank_node_data_to_an_existing_graph_commits_exact_quads(store, tmp_path):
    """A file with blank nodes into a graph that already holds data cannot be bulk-loaded
    (a replay would add the blank nodes twice): the staged quads are committed instead."""
    a, b = tmp_path / "a.ttl", tmp_path / "b.ttl"
    a.write_text("<https://example.org/x> <https://example.org/p> [ <https://example.org/q> 1 ] .\n")
    b.write_text("<https://example.org/y> <https://example.org/p> [ <https://example.org/q> 2 ] .\n")
    load_files(store, [a], graph=G)
    load_files(store, [b], graph=G)
    assert store.count(NamedNode(G)) == 4


@pytest.mark.parametrize("replace", [False, True])
def test_every_load_has_its_record_with_the_graph_size(store, tmp_path, replace):
    f = tmp_path / "d.ttl"
    f.write_text("<https://example.org/x> <https://example.org/p> 1 , 2 , 3 .\n")
    load_files(store, [f], graph=G, replace=replace)
    rows = list(store.query(f"SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{G}> "
                            "<http://rdfs.org/ns/void#triples> ?n } }"))
    assert [int(r["n"].value) for r in rows] == [3]

