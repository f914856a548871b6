"""The store port's query helpers."""

from __future__ import annotations

from rightsgraph.store.base import has_dataset_clause
from rightsgraph.updating import apply_update

G = "https://example.org/graph/g"


def test_a_variable_named_from_is_not_a_dataset_clause(store):
    """`?from` once made a query lose the union default graph and answer nothing."""
    assert has_dataset_clause("SELECT * FROM <https://example.org/g> WHERE { ?s ?p ?o }")
    assert not has_dataset_clause("SELECT ?from WHERE { ?s <https://example.org/p> ?from }")
    apply_update(store, f"INSERT DATA {{ GRAPH <{G}> {{ <https://example.org/a> <https://example.org/p> 1 }} }}")
    assert len(list(store.query("SELECT ?from WHERE { ?s <https://example.org/p> ?from }"))) == 1


def test_dataset_clauses_are_stripped_when_the_protocol_gives_the_dataset():
    from rightsgraph.store.base import strip_dataset_clauses
    q = 'PREFIX ex: <http://ex/> SELECT * FROM NAMED <http://c> FROM ex:g WHERE { GRAPH ?g { ?s ?p <http://from/x> } FILTER(?s != "FROM <x>") }'
    out = strip_dataset_clauses(q)
    assert "http://c" not in out and "ex:g" not in out and '"FROM <x>"' in out and "<http://from/x>" in out
    assert strip_dataset_clauses("SELECT ?from WHERE { ?s ?p ?from }") == "SELECT ?from WHERE { ?s ?p ?from }"
    assert "http://x" not in strip_dataset_clauses("select * from<http://x>where{?s ?p ?o}")
