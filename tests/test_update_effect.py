"""An update's effect worked out by queries (update_effect.py) is the effect of running it:
the same quads added and removed as running the update on a copy of the store, for every
form of SPARQL 1.1 Update; where that cannot be worked out, it says so (NeedsCopy) rather
than guess. On a remote store an update then never downloads the dataset."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from rightsgraph.loading import LoadRejected
from rightsgraph.update_effect import NeedsCopy, effect_by_queries
from rightsgraph.updating import _difference, apply_update

from .conftest import load_demo_world

RES = "https://w3id.org/rightsgraph/graph/data/resources"
PARTIES = "https://w3id.org/rightsgraph/graph/data/parties"
NOTES = "https://w3id.org/rightsgraph/graph/data/notes"
L01 = "https://w3id.org/rightsgraph/graph/licence/L01"
PREFIXES = ("PREFIX dct: <http://purl.org/dc/terms/> PREFIX rg: <https://w3id.org/rightsgraph/ns#> "
            "PREFIX res: <https://demo.rightsgraph.org/resource/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
YEAR = '"2009"^^xsd:gYear'

UPDATES = {
    "insert data": f'INSERT DATA {{ GRAPH <{NOTES}> {{ res:0001 rdfs:comment "a note"@EN-gb, "01"^^xsd:integer ; '
                   f'rg:note [ rdfs:label "x" ] }} }}',
    "insert what is there, delete what is not": f'INSERT DATA {{ GRAPH <{RES}> {{ res:0001 dct:issued {YEAR} }} }} ; '
                                                f'DELETE DATA {{ GRAPH <{RES}> {{ res:0001 dct:issued "1999"^^xsd:gYear }} }}',
    "delete data": f'DELETE DATA {{ GRAPH <{RES}> {{ res:0001 dct:issued {YEAR} }} }}',
    "delete/insert where": f'DELETE {{ GRAPH ?g {{ ?r dct:title ?t }} }} INSERT {{ GRAPH ?g {{ ?r dct:title ?u }} }} '
                           f'WHERE {{ GRAPH ?g {{ ?r dct:title ?t FILTER(lang(?t) = "en" && STRSTARTS(?t, "Aldgate")) '
                           f'BIND(STRLANG(CONCAT(?t, " (rev.)"), "en") AS ?u) }} }}',
    "delete where": f"DELETE WHERE {{ GRAPH <{RES}> {{ res:0001 dct:issued ?y }} }}",
    "with": f'WITH <{RES}> INSERT {{ ?r rdfs:comment "issued in 2009" }} WHERE {{ ?r dct:issued {YEAR} }}',
    "using": f"INSERT {{ GRAPH <{NOTES}> {{ ?r a rg:Resource }} }} USING <{RES}> WHERE {{ ?r dct:issued {YEAR} }}",
    "using named": f"INSERT {{ GRAPH <{NOTES}> {{ ?r rdfs:seeAlso ?g }} }} USING NAMED <{RES}> "
                   f"WHERE {{ GRAPH ?g {{ ?r dct:issued {YEAR} }} }}",
    "template blank nodes": f'INSERT {{ GRAPH <{NOTES}> {{ ?r rg:note [ rdfs:label "n" ] }} }} '
                            f'WHERE {{ GRAPH <{RES}> {{ ?r dct:issued {YEAR} }} }}',
    "unbound variable": f"INSERT {{ GRAPH <{NOTES}> {{ ?r rdfs:comment ?missing ; a rg:Resource }} }} "
                        f"WHERE {{ GRAPH <{RES}> {{ ?r dct:issued {YEAR} OPTIONAL {{ ?r <urn:x:none> ?missing }} }} }}",
    "delete then insert the same": f"DELETE {{ GRAPH <{RES}> {{ ?r dct:issued ?y }} }} "
                                   f"INSERT {{ GRAPH <{RES}> {{ ?r dct:issued ?y }} }} "
                                   f"WHERE {{ GRAPH <{RES}> {{ ?r dct:issued ?y FILTER(?y = {YEAR}) }} }}",
    "exists": f"DELETE {{ GRAPH <{RES}> {{ ?r dct:issued ?y }} }} WHERE {{ GRAPH <{RES}> {{ ?r dct:issued ?y "
              f"FILTER EXISTS {{ ?r dct:title ?t FILTER(CONTAINS(?t, \"Aldgate\")) }} }} }}",
    "copy": f"COPY <{PARTIES}> TO <{NOTES}>",
    "add onto itself": f"ADD <{PARTIES}> TO <{PARTIES}>",
    "move": f"MOVE <{PARTIES}> TO <{NOTES}>",
    "drop a graph with blank nodes": f"DROP GRAPH <{L01}>",
    "clear": f"CLEAR SILENT GRAPH <{PARTIES}>",
    "insert, drop, insert": f'INSERT DATA {{ GRAPH <{NOTES}> {{ res:0001 rdfs:comment "one" }} }} ; DROP GRAPH <{NOTES}> ; '
                            f'INSERT DATA {{ GRAPH <{NOTES}> {{ res:0002 rdfs:comment "two" }} }}',
    "insert and delete in one request": f'INSERT DATA {{ GRAPH <{NOTES}> {{ res:0001 rdfs:comment "x" }} }} ; '
                                        f'DELETE DATA {{ GRAPH <{NOTES}> {{ res:0001 rdfs:comment "x" }} }}',
    "a data block without its last dot": f"INSERT DATA {{ GRAPH <{NOTES}> {{ res:0001 a rg:Resource }} }}",
    "numbers as the engine writes them": f'INSERT {{ GRAPH <{NOTES}> {{ ?r rg:weight 1e3, "007"^^xsd:integer, 1.50 ; '
                                         f'rdfs:label "x"@EN-GB }} }} WHERE {{ GRAPH <{RES}> {{ ?r dct:issued {YEAR} }} }}',
    "keywords spelt as names": 'PREFIX with: <https://w3id.org/rightsgraph/ns#> PREFIX delete: <http://purl.org/dc/terms/> '
                               f'INSERT {{ GRAPH <{NOTES}> {{ ?where with:note ?insert }} }} WHERE {{ GRAPH <{RES}> {{ '
                               f'?where delete:issued ?insert FILTER(?insert = {YEAR}) }} }}',
    "a WHERE, then data": f"DELETE WHERE {{ GRAPH <{RES}> {{ res:0001 dct:issued ?y }} }} ; "
                          f'INSERT DATA {{ GRAPH <{RES}> {{ res:0001 dct:issued "2010"^^xsd:gYear }} }}',
    "relative IRIs": f'INSERT DATA {{ GRAPH <notes> {{ <book1> rdfs:comment "relative" }} }}',
}

NEEDS_COPY = {
    "load": f"LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <{NOTES}>",
    "a WHERE on the default graph": f"INSERT {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
    "a WHERE after a change": f'INSERT DATA {{ GRAPH <{NOTES}> {{ res:0001 rdfs:comment "x" }} }} ; '
                              f"DELETE WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}",
    "the store's blank nodes in a template": f"DELETE {{ GRAPH <{L01}> {{ ?s ?p ?o }} }} "
                                             f"WHERE {{ GRAPH <{L01}> {{ ?s ?p ?o FILTER(isBlank(?s)) }} }}",
    "a WHERE in a later operation": f'INSERT {{ GRAPH <{NOTES}> {{ ?r a rg:Resource }} }} WHERE {{ GRAPH <{RES}> '
                                    f'{{ ?r dct:issued {YEAR} }} }} ; DELETE WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}',
    "the default graph": 'INSERT DATA { <urn:x:a> <urn:x:b> "c" }',
    # without SILENT these fail (Update 1.1, 3.2): the copy gives the engine's own error
    "drop a graph that does not exist": "DROP GRAPH <urn:x:none>",
    "copy from a graph that does not exist": f"COPY <urn:x:none> TO <{NOTES}>",
    "create a graph that exists": f"CREATE GRAPH <{RES}>",
}

BASE = "https://lib.example/sparql"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore
    return load_demo_world(EmbeddedStore(tmp_path_factory.mktemp("effect") / "store"))


def _canonical(quads) -> list[str]:
    """Quads as sorted text, every blank node written alike (fresh ones differ in label only)."""
    def term(t):
        return "_:b" if isinstance(t, ox.BlankNode) else str(t)
    return sorted(" ".join(term(t) for t in (q.subject, q.predicate, q.object, q.graph_name)) for q in quads)


def _run_on_a_copy(store, update, tmp_path):
    before, copy = store.trial_copies(tmp_path / "copy")
    copy.update(update, base_iri=BASE)
    return _difference(before, copy)


@pytest.mark.parametrize("name", UPDATES)
def test_the_effect_worked_out_by_queries_is_the_effect_of_running_the_update(world, name, tmp_path):
    update = PREFIXES + UPDATES[name]
    added, removed = _run_on_a_copy(world, update, tmp_path)
    assert added or removed or name in ("add onto itself", "insert what is there, delete what is not",
                                        "delete then insert the same", "insert and delete in one request")
    effect = effect_by_queries(world, update, BASE)
    assert _canonical(effect.added) == _canonical(added)
    assert _canonical(effect.removed) == _canonical(removed)


@pytest.mark.parametrize("name", NEEDS_COPY)
def test_what_queries_cannot_work_out_is_said_not_guessed(world, name):
    with pytest.raises(NeedsCopy):
        effect_by_queries(world, PREFIXES + NEEDS_COPY[name], BASE)


def _no_copies(monkeypatch):
    from rightsgraph.store.remote import RemoteStore

    def downloaded(self, folder):
        raise AssertionError("the update downloaded the whole dataset")
    monkeypatch.setattr(RemoteStore, "trial_copies", downloaded)


def test_an_update_on_a_remote_store_sends_and_reads_only_what_it_touches(remote_store, store, monkeypatch):
    """The same updates on `oxigraph serve` and on the embedded store leave the same data, and
    the remote one never copies the dataset (apply_update on main downloaded it every time)."""
    load_demo_world(remote_store)
    load_demo_world(store)
    _no_copies(monkeypatch)
    for name in ("delete/insert where", "with", "template blank nodes", "copy", "insert, drop, insert",
                 "drop a graph with blank nodes"):
        for target in (remote_store, store):
            apply_update(target, PREFIXES + UPDATES[name], base_iri=BASE)
    for g in (RES, PARTIES, NOTES, L01):
        graph = ox.NamedNode(g)
        assert _canonical(remote_store.quads(graph)) == _canonical(store.quads(graph)), g


def test_the_gate_refuses_a_remote_update_by_what_it_leaves(remote_store, monkeypatch):
    """Deleting what a licence needs is refused on the view of the touched nodes as the update
    leaves them, exactly as on a copy, and the store is left as it was."""
    load_demo_world(remote_store)
    _no_copies(monkeypatch)
    before = remote_store.count()
    party = "https://demo.rightsgraph.org/party/aldgate"
    with pytest.raises(LoadRejected) as refused:
        apply_update(remote_store, f"DELETE WHERE {{ GRAPH <{PARTIES}> {{ <{party}> a ?type }} }}")
    assert any(str(r.focus_node) == f"<{party}>" or party in str(r.value) for r in refused.value.report.results)
    assert remote_store.count() == before


@pytest.fixture(scope="module")
def catalogue_world(tmp_path_factory):
    """The demo world and a generated catalogue whose licences keep their rules and
    constraints as nested blank nodes: one copy for each way of checking an update."""
    import subprocess
    import sys

    from rightsgraph.loading import load_files
    from rightsgraph.store.embedded import EmbeddedStore

    from .conftest import REPO
    base = tmp_path_factory.mktemp("verdicts")
    nt = base / "catalogue.nt"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_catalogue.py"), "-o", str(nt),
                    "--triples", "20000"], check=True, capture_output=True)
    stores = []
    for name in ("by-queries", "on-a-copy"):
        st = load_demo_world(EmbeddedStore(base / name))
        load_files(st, [nt])
        stores.append(st)
    stores[0].copies_cheaply = False      # this one works out effects by queries
    return stores


@pytest.mark.parametrize("update", [
    f"COPY <{L01}> TO <{NOTES}>",
    f"DROP GRAPH <{L01}>",
    PREFIXES + UPDATES["delete/insert where"],
    PREFIXES + 'INSERT DATA { GRAPH <https://w3id.org/rightsgraph/graph/data/notes> { '
               '<https://library.example.org/id/licence/1> <http://www.w3.org/ns/odrl/2/assigner> res:0001 } }',
    f"DELETE WHERE {{ GRAPH <{PARTIES}> {{ <https://demo.rightsgraph.org/party/aldgate> a ?type }} }}",
], ids=["copy", "drop", "rename", "a wrong assigner", "untype a party"])
def test_the_gate_gives_the_same_verdict_on_the_view_as_on_a_copy(catalogue_world, update):
    """What the gate sees of the store (the touched nodes, what points at them, what they
    point to) is the same in the view as in a copy: the same update passes or fails alike,
    with the same results (a catalogue's nested constraints included)."""
    verdicts = []
    for st in catalogue_world:
        try:
            result = apply_update(st, update)
            verdicts.append(("applied", result.inserted, result.deleted))
        except LoadRejected as exc:
            verdicts.append(("refused", sorted(str(r.source_constraint_component) for r in exc.report.results)))
    assert verdicts[0] == verdicts[1]
