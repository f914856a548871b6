"""The graphs the product itself owns: the ontology (with the ODRL vocabulary) and the
shapes. Loaded on first start and refreshed whenever the shipped files change."""

from __future__ import annotations

import hashlib
from functools import lru_cache

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from . import provenance, package_data
from .namespaces import ONTOLOGY_GRAPH, PROVENANCE_GRAPH, RG, SHAPES_GRAPH
from .store.base import Store
from .store.changeset import ChangeSet, FileLoad


def _digest(paths) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _recorded_digest(store: Store, graph: NamedNode) -> str | None:
    rows = list(store.query(
        f"SELECT ?d WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{graph.value}> <{RG.sourceDigest.value}> ?d }} }}"))
    return rows[0]["d"].value if rows else None


def open_licence_files() -> list:
    """The shipped open-licence policies (Creative Commons, rightsstatements.org): product
    data that every store holds, in the ontology graph (policy/open_licences.py)."""
    return sorted((package_data.home() / "data" / "open-licences").glob("*.ttl"))


def ensure_system_graphs(store: Store) -> list[NamedNode]:
    """(Re)load the ontology and shapes graphs if missing or out of date; returns the graphs
    that were (re)loaded. The ontology graph also holds the shipped open-licence policies."""
    refreshed = []
    for graph, files in ((ONTOLOGY_GRAPH, package_data.ontology_files() + open_licence_files()),
                         (SHAPES_GRAPH, package_data.shapes_files())):
        digest = _digest(files)
        if _recorded_digest(store, graph) == digest:
            continue
        started = provenance.now()
        staging = ox.Store()
        for path in files:
            staging.load(path=str(path), format=RdfFormat.TURTLE, to_graph=graph)
        sources = [provenance.SourceRecord(p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
                   for p in files]
        record = provenance.LoadRecord.new(agent="rightsgraph", started=started, sources=sources,
                                           loaded={graph: len(staging)}, replaced=True, via="bootstrap",
                                           facts={graph.value: {RG.sourceDigest.value: digest}})
        store.commit(ChangeSet(clear=[graph], record=record, files=[
            FileLoad(None, RdfFormat.N_QUADS, None, data=staging.dump(format=RdfFormat.N_QUADS))]))
        refreshed.append(graph)
    return refreshed


@lru_cache(maxsize=1)
def ontology_store() -> ox.Store:
    """The shipped ontology + ODRL vocabulary in memory: the class and action hierarchy
    that validation and decisions read beside the data."""
    st = ox.Store()
    for path in package_data.ontology_files():
        st.load(path=str(path), format=RdfFormat.TURTLE)
    return st


@lru_cache(maxsize=1)
def default_gate():
    from .validation import ShapesGate  # imported late: compiling shapes costs time
    return ShapesGate.from_files(package_data.shapes_files())
