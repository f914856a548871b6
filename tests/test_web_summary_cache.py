"""The home page's summary cache (web/summary_cache.py): kept while the store is unchanged,
rebuilt after a write by this process or, within its ttl, by another."""

from __future__ import annotations

from rightsgraph.namespaces import PROVENANCE_GRAPH
from rightsgraph.web.summary_cache import StoreStateCache as SummaryCache

from .conftest import REPO

READER_VIEW = frozenset({PROVENANCE_GRAPH.value})


def test_the_summary_is_kept_per_view_until_the_store_changes(store):
    from rightsgraph.loading import load_files
    cache = SummaryCache(store, ttl=60)
    first = cache.summary(frozenset())
    assert cache.summary(frozenset()) is first                 # unchanged store: no recount
    reader = cache.summary(READER_VIEW)
    assert reader is not first and reader["loads"] is None       # each view its own summary
    load_files(store, [REPO / "tests" / "data" / "loading" / "library.ttl"])
    after = cache.summary(frozenset())
    assert after is not first and after["counts"]["resources"] == first["counts"]["resources"] + 1


def test_a_write_by_another_process_is_seen_after_the_ttl(store):
    cache = SummaryCache(store, ttl=0)                          # check the provenance record every time
    before = cache.summary(frozenset())
    # what another process's load leaves: data and its provenance record, no generation bump here
    store.update(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
        INSERT DATA {{ GRAPH <https://example.org/g> {{ <https://example.org/r> a <https://w3id.org/rightsgraph/ns#Resource> }}
                       GRAPH <{PROVENANCE_GRAPH.value}> {{ <https://example.org/load> prov:endedAtTime "2099-01-01T00:00:00Z"^^xsd:dateTime }} }}""")
    after = cache.summary(frozenset())
    assert after["counts"]["resources"] == before["counts"]["resources"] + 1


def test_the_licence_list_page_shows_a_licence_imported_after_it_was_cached(store):
    from rightsgraph.licences.registry import import_sheet
    from rightsgraph.loading import load_files
    from rightsgraph.web.app import create_app
    load_files(store, [REPO / "tests" / "data" / "licences" / "liblicense-world.ttl"])   # its parties
    client = create_app(store).test_client()
    title = "State University Library - Learned Society journals (LIBLICENSE model) 2025-2027"
    assert title not in client.get("/licences").get_data(as_text=True)
    import_sheet(store, REPO / "tests" / "data" / "licences" / "liblicense.yaml")
    assert title in client.get("/licences").get_data(as_text=True)
