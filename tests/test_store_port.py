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
