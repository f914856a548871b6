"""A change set: one write, described completely before it touches the store.

Every write path (loads, SPARQL Update, Graph Store, term sheets, harvest, the shipped
ontology and shapes) validates first, then hands the store exactly what was validated as
a change set, and the store applies it as one unit with its provenance record
(`Store.commit`). The text of an update is never run a second time: what is applied is
the difference computed when it was validated.

The embedded store makes a change set crash-safe with a redo journal (store/journal.py):
after a `kill -9` at any point the store holds either the state before or the state
after, never a mix. That needs every step to be idempotent, which is why the parts are
what they are:
- `clear`: graphs emptied first (a replace, or a graph that did not exist before);
- `remove` / `add`: exact quads, blank nodes with the identifiers they have in the store
  (re-adding or re-removing them is a no-op);
- `files`: RDF files bulk-loaded as they are (fast, multi-threaded for N-Triples and
  N-Quads). A parser mints new blank nodes on every read, so a file may only go to graphs
  in `clear`, or hold no blank node at all (the caller checks: it has parsed the file);
- `record`: the provenance record, keyed by its activity IRI and written last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, Quad, RdfFormat

from ..provenance import LoadRecord


@dataclass
class FileLoad:
    """RDF to bulk-load: a file on disk, or bytes (`data`) the journal writes to one."""
    path: Path | None
    fmt: RdfFormat
    graph: NamedNode | None        # where a triple syntax's triples go (None: default graph)
    base_iri: str | None = None
    data: bytes | None = None


@dataclass
class ChangeSet:
    clear: list = field(default_factory=list)            # NamedNode or DefaultGraph
    remove: list[Quad] = field(default_factory=list)
    add: list[Quad] = field(default_factory=list)
    files: list[FileLoad] = field(default_factory=list)
    record: LoadRecord | None = None

    def is_empty(self) -> bool:
        return not (self.clear or self.remove or self.add or self.files or self.record)

    def touched_graphs(self) -> set:
        graphs = set(self.clear) | {q.graph_name for q in self.remove} | {q.graph_name for q in self.add}
        return graphs | {f.graph if f.graph is not None else ox.DefaultGraph() for f in self.files}


__all__ = ["ChangeSet", "FileLoad"]
