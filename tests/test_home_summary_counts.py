"""The home page's summary kept per graph (graph_counts.py, issue 15): after every kind of
write it equals a fresh info.store_summary of the same store, for a cataloguer and for a
reader (confidential graphs hidden), and a write recounts the graphs it changed, not all."""

from __future__ import annotations

import pytest

from rightsgraph import write_generation
from rightsgraph.namespaces import PROVENANCE_GRAPH

from .conftest import REPO

EX = "https://example.org/lib/"
G = "https://example.org/graph/"
PARTIES = f"""@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix ex: <{EX}> .
ex:press a rg:Publisher ; foaf:name "Northern University Press"@en .
ex:lib-a a rg:Library ; foaf:name "Library A"@en .
ex:pkg a rg:Package ; dct:title "Humanities e-book package"@en .
"""


def books(*names: str, extra: str = "") -> str:
    """Turtle describing rg:Resources (the same description wherever a name recurs)."""
    head = ("@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
            f"@prefix odrl: <http://www.w3.org/ns/odrl/2/> . @prefix ex: <{EX}> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .\n")
    return head + extra + "".join(
        f'ex:{n} a rg:Resource ; dct:title "Book {n}"@en ; dct:publisher ex:press ; odrl:partOf ex:pkg ; '
        f"rg:resourceType rg:EBook .\n" for n in names)


@pytest.fixture
def site(store, tmp_path):
    """Parties in one graph, book1 described in graphs a and b, a confidential graph c (book4
    only there, book3 also in b, a vendor only there); the app, a cataloguer's token."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.confidentiality import set_confidential
    from rightsgraph.web.app import create_app
    load(store, tmp_path, "parties", PARTIES)
    load(store, tmp_path, "a", books("book1", "book2"))
    load(store, tmp_path, "b", books("book1", "book3"))
    load(store, tmp_path, "c", books("book3", "book4", extra='ex:vendor a rg:Vendor ; foaf:name "V"@en .\n'))
    set_confidential(store, G + "c")
    accounts = tmp_path / "accounts.json"
    token = Accounts(accounts).add("cat", "cataloguer")
    app = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts)})
    return store, app, {"Authorization": f"Bearer {token}"}, tmp_path


def load(store, folder, name: str, turtle: str, replace: bool = False):
    from rightsgraph.loading import load_files
    path = folder / f"{name}.ttl"
    path.write_text(turtle, encoding="utf-8")
    return load_files(store, [path], graph=G + name, replace=replace)


def views(store) -> dict[str, frozenset]:
    from rightsgraph.confidentiality import confidential_graphs, hidden_from_readers
    return {"cataloguer": frozenset(), "reader": hidden_from_readers(confidential_graphs(store))}


def home_summaries(app, headers) -> dict[str, dict]:
    """The home page rendered for a reader and a cataloguer, then the summaries it showed."""
    from rightsgraph.web.summary_cache import page_cache
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/", headers=headers).status_code == 200
    with app.app_context():
        cache = page_cache()
        out = {name: cache.summary(hidden) for name, hidden in views(app.extensions["rightsgraph.store"]).items()}
    return {name: {k: v for k, v in s.items() if k != "graph_rows"} for name, s in out.items()}


def assert_fresh(app, headers) -> dict[str, dict]:
    from rightsgraph.confidentiality import confidential_graphs
    from rightsgraph.info import store_summary
    from rightsgraph.web.auth import catalog
    store = app.extensions["rightsgraph.store"]
    shown = home_summaries(app, headers)
    for name, hidden in views(store).items():
        assert shown[name] == store_summary(store, hidden), name
    with app.app_context():      # the graph list every door's access rule reads, followed write by write
        assert catalog().graphs() == [g.value for g in store.graphs()]
        assert catalog().confidential() == confidential_graphs(store)
    return shown


def counts(app):
    from rightsgraph.web.summary_cache import page_cache
    with app.app_context():
        return page_cache().counts


def test_the_home_summary_equals_a_fresh_count_after_every_kind_of_write(site):
    store, app, cataloguer, folder = site
    shown = assert_fresh(app, cataloguer)
    # book1 is described in a and b: once; book3 in b and the confidential c: once, and the
    # reader still sees it (in b); book4 and the vendor only in c: the reader does not
    assert shown["cataloguer"]["counts"]["resources"] == 4 and shown["reader"]["counts"]["resources"] == 3
    assert shown["cataloguer"]["counts"]["parties"] - shown["reader"]["counts"]["parties"] == 1
    assert G + "c" not in {g["graph"] for g in shown["reader"]["graphs"]}

    load(store, folder, "d", books("book5"))                                  # a new graph
    assert assert_fresh(app, cataloguer)["reader"]["counts"]["resources"] == 4

    load(store, folder, "b", books("book3"), replace=True)                    # book1 still in a
    assert assert_fresh(app, cataloguer)["cataloguer"]["counts"]["resources"] == 5
    load(store, folder, "a", books("book2"), replace=True)                    # book1 gone
    assert assert_fresh(app, cataloguer)["cataloguer"]["counts"]["resources"] == 4

    # the Graph Store Protocol: a PUT replacing c (still confidential), a DELETE of d
    client = app.test_client()
    body = books("book6", "book3", extra='ex:vendor a rg:Vendor ; foaf:name "V"@en .\n')
    assert client.put(f"/store?graph={G}c", data=body, content_type="text/turtle", headers=cataloguer).status_code == 204
    shown = assert_fresh(app, cataloguer)
    assert shown["cataloguer"]["counts"]["resources"] == 4 and shown["reader"]["counts"]["resources"] == 3
    assert client.delete(f"/store?graph={G}d", headers=cataloguer).status_code == 204
    shown = assert_fresh(app, cataloguer)
    assert G + "d" not in {g["graph"] for g in shown["cataloguer"]["graphs"]}      # a deleted graph disappears
    assert shown["cataloguer"]["counts"]["resources"] == 3 and shown["reader"]["counts"]["resources"] == 2

    # a SPARQL update touching two graphs: book1 back in a, book3 out of b (still in c)
    update = (f"PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX dct: <http://purl.org/dc/terms/> "
              f"PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
              f"INSERT DATA {{ GRAPH <{G}a> {{ <{EX}book1> a rg:Resource ; dct:title \"Book book1\"@en ; "
              f"dct:publisher <{EX}press> ; odrl:partOf <{EX}pkg> ; rg:resourceType rg:EBook }} }} ; "
              f"DELETE WHERE {{ GRAPH <{G}b> {{ <{EX}book3> ?p ?o }} }}")
    resp = client.post("/sparql", data={"update": update}, headers=cataloguer)
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)
    shown = assert_fresh(app, cataloguer)
    assert shown["cataloguer"]["counts"]["resources"] == 4 and shown["reader"]["counts"]["resources"] == 2
    assert G + "b" not in {g["graph"] for g in shown["cataloguer"]["graphs"]}      # emptied
    # ... and one dropping a graph
    resp = client.post("/sparql", data={"update": f"DROP GRAPH <{G}a>"}, headers=cataloguer)
    assert resp.status_code in (200, 204), resp.get_data(as_text=True)
    shown = assert_fresh(app, cataloguer)
    assert G + "a" not in {g["graph"] for g in shown["cataloguer"]["graphs"]}
    assert shown["cataloguer"]["counts"]["resources"] == 2 and shown["reader"]["counts"]["resources"] == 0

    from rightsgraph.licences.registry import import_sheet                  # a licence import
    load(store, folder, "world", (REPO / "tests" / "data" / "licences" / "liblicense-world.ttl").read_text())
    import_sheet(store, REPO / "tests" / "data" / "licences" / "liblicense.yaml")
    shown = assert_fresh(app, cataloguer)
    assert shown["reader"]["counts"]["licences"] == 1


def test_a_licence_import_recounts_its_graph_not_the_store(site):
    from rightsgraph.licences.registry import graph_for_licence, import_sheet, read_sheet
    store, app, cataloguer, folder = site
    load(store, folder, "world", (REPO / "tests" / "data" / "licences" / "liblicense-world.ttl").read_text())
    assert_fresh(app, cataloguer)
    graph_counts = counts(app)
    full, data = graph_counts.full_recounts, {G + n for n in ("parties", "a", "b", "c", "world")}
    sheet = REPO / "tests" / "data" / "licences" / "liblicense.yaml"
    import_sheet(store, sheet)
    assert_fresh(app, cataloguer)
    licence_graph = graph_for_licence(read_sheet(sheet)["licence"]).value
    assert graph_counts.full_recounts == full
    assert licence_graph in graph_counts.recounted and not graph_counts.recounted & data
    # what else it counted: graphs no record says when they change (the provenance graph,
    # the derived asset classes)
    assert PROVENANCE_GRAPH.value in graph_counts.recounted

    # a graph store write: only that graph, and (the write said which graph it changed)
    # neither every graph's provenance record nor the list of graphs is read
    import rightsgraph.graph_counts as gc
    whole_reads = []
    real_states, real_graphs = gc.graph_states, store.graphs
    gc.graph_states = lambda st, graphs=None: (whole_reads.append("states") if graphs is None else None) \
        or real_states(st, graphs)
    store.graphs = lambda: whole_reads.append("graphs") or real_graphs()
    try:
        client = app.test_client()
        assert client.put(f"/store?graph={G}a", data=books("book1"), content_type="text/turtle",
                          headers=cataloguer).status_code == 204
        assert client.get("/", headers=cataloguer).status_code == 200
    finally:
        gc.graph_states, store.graphs = real_states, real_graphs
    assert "states" not in whole_reads
    assert_fresh(app, cataloguer)
    assert graph_counts.full_recounts == full and graph_counts.recounted & (data | {licence_graph}) == {G + "a"}


def test_a_write_that_names_no_graph_is_recounted_whole(site):
    """A write without a provenance record (here straight to the store): the records cannot
    say which graphs changed, so everything is counted again, and the summary is right."""
    store, app, cataloguer, _ = site
    assert_fresh(app, cataloguer)
    graph_counts = counts(app)
    full = graph_counts.full_recounts
    store.update(f"INSERT DATA {{ GRAPH <{G}a> {{ <{EX}book9> a <https://w3id.org/rightsgraph/ns#Resource> }} }}")
    write_generation.bump()
    shown = assert_fresh(app, cataloguer)
    assert graph_counts.full_recounts == full + 1 and shown["reader"]["counts"]["resources"] == 4


def test_another_processs_load_is_recounted_by_its_graph(site):
    """A load by another process on a shared store: noticed by the provenance fingerprint
    (no generation bump here), recounted by the graph its record names."""
    from rightsgraph.web.summary_cache import StoreStateCache
    store, _, _, _ = site
    cache = StoreStateCache(store, ttl=0)
    reader = views(store)["reader"]
    before = cache.summary(reader)
    full = cache.counts.full_recounts
    store.update(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <{G}e> {{ <{EX}book1> a <https://w3id.org/rightsgraph/ns#Resource> .
                                      <{EX}book8> a <https://w3id.org/rightsgraph/ns#Resource> }}
                       GRAPH <{PROVENANCE_GRAPH.value}> {{
                         <urn:x:load> prov:endedAtTime "2099-01-01T00:00:00Z"^^xsd:dateTime ; prov:generated <{G}e> .
                         <{G}e> <http://purl.org/dc/terms/modified> "2099-01-01T00:00:00Z"^^xsd:dateTime }} }}""")
    after = cache.summary(reader)
    from rightsgraph.info import store_summary
    assert {k: v for k, v in after.items() if k != "graph_rows"} == store_summary(store, reader)
    assert after["counts"]["resources"] == before["counts"]["resources"] + 1      # book1 was there already
    assert cache.counts.full_recounts == full and G + "e" in cache.counts.recounted
    assert not cache.counts.recounted & {G + n for n in ("parties", "a", "b", "c")}


def test_on_a_remote_store_the_counts_follow_its_writes(remote_store, tmp_path):
    """The same bookkeeping over the SPARQL protocol (`oxigraph serve`): results through TSV,
    counts per graph, a dropped graph gone."""
    from rightsgraph.graph_counts import GraphCounts
    from rightsgraph.info import store_summary
    from rightsgraph.updating import apply_update
    load(remote_store, tmp_path, "parties", PARTIES)
    load(remote_store, tmp_path, "a", books("book1", "book2"))
    counts = GraphCounts(remote_store)

    def fresh():
        counts.refresh()
        for hidden in (frozenset(), frozenset({PROVENANCE_GRAPH.value, G + "a"})):
            assert {**counts.summary(hidden), "loads": None} == {**store_summary(remote_store, hidden), "loads": None}
        return counts.summary(frozenset())
    assert fresh()["counts"]["resources"] == 2
    load(remote_store, tmp_path, "b", books("book1", "book3"))
    assert fresh()["counts"]["resources"] == 3 and counts.full_recounts == 1 and G + "b" in counts.recounted
    apply_update(remote_store, f"DROP GRAPH <{G}a>")
    shown = fresh()
    assert shown["counts"]["resources"] == 2 and G + "a" not in {g["graph"] for g in shown["graphs"]}
    assert counts.full_recounts == 1


def test_the_decision_form_offers_readers_only_what_they_may_see(site):
    """The decision form's lists come from GRAPH ?g rows with the hidden graphs' rows left out
    (web/pages.py): book4 and the vendor, typed only in the confidential graph, are offered to
    the cataloguer and not to a reader; book3, also in a visible graph, to both."""
    store, app, cataloguer, _ = site
    reader = app.test_client().get("/decide?lang=en").get_data(as_text=True)
    full = app.test_client().get("/decide?lang=en", headers=cataloguer).get_data(as_text=True)
    for iri in (EX + "book1", EX + "book2", EX + "book3"):
        assert f'value="{iri}"' in reader and f'value="{iri}"' in full
    for iri in (EX + "book4", EX + "vendor"):
        assert f'value="{iri}"' not in reader, iri
        assert f'value="{iri}"' in full, iri
