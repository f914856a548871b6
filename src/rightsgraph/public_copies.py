"""Public copies of published snapshots: what an anonymous reader may see, and nothing else.

The public read tier (serving/public_tier.py) lets Oxigraph's own server answer anonymous
SPARQL queries. Oxigraph knows nothing of roles, so the graphs a reader must not see
(confidentiality.hidden_from_readers, the rule every door applies) are removed
from its copy instead of being filtered per query: whatever query form a client uses
(GRAPH ?g, FROM NAMED, DESCRIBE), the data is simply not there.
"""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pyoxigraph as ox

from .confidentiality import confidential_graphs, hidden_from_readers


def make_public_copy(snapshot: Path, target: Path) -> frozenset[str]:
    """Copy the published `snapshot` to `target` (an Oxigraph backup: hard links) and remove
    the hidden graphs from the copy; returns the graphs removed. The snapshot is untouched,
    and `target` is closed again when this returns, ready for `oxigraph serve-read-only`."""
    source = ox.Store.read_only(str(snapshot))
    try:
        source.backup(str(target))
    finally:
        del source
    try:
        copy = ox.Store(str(target))
        hidden = hidden_from_readers(confidential_graphs(copy))
        present = {g.value for g in copy.named_graphs()}
        for graph in sorted(hidden & present):
            copy.remove_graph(ox.NamedNode(graph))
        copy.flush()
        del copy
        gc.collect()  # RocksDB releases its lock when the Store object is dropped
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return hidden & present
