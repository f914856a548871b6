"""Confidential graphs (licence prices, confidential clauses): a graph is confidential when
the provenance graph says `<graph> rg:confidential true`. Readers never see them."""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode, Quad

from . import changes
from .namespaces import PROVENANCE_GRAPH, RG, XSD

_TRUE = Literal("true", datatype=XSD.boolean)


def confidential_graphs(store) -> set[str]:
    rows = store.query(f"SELECT ?g WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g <{RG.confidential.value}> true }} }}")
    return {r["g"].value for r in rows}


def set_confidential(store, graph: str, confidential: bool = True) -> None:
    g = NamedNode(graph)
    store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{graph}> <{RG.confidential.value}> ?v }} }}")
    if confidential:
        store.add_quads([Quad(g, RG.confidential, _TRUE, PROVENANCE_GRAPH)])
    changes.bump()


def visible_graphs(store, hidden: set[str]) -> list[NamedNode]:
    """Every named graph a reader may see (provenance included: it says who loaded what,
    not what confidential graphs contain — their own records are filtered by the caller)."""
    return [g for g in store.graphs() if g.value not in hidden]
