"""Preservation writes go through the same gate as every write: the staged quads are
validated against the shapes (with what the store holds about the same nodes), then the
store applies one change set (store/changeset.py) with its provenance record.

Unlike a load, a preservation write also *removes* exact quads: the current values that
an audit or a repair replaces (a copy's status, the time it was last checked). Every
quad written has IRIs only, so applying the change twice (a replay after a crash)
leaves the same store.

What is added comes as pyoxigraph Quads (small writes) or as an N-Quads document
(nquads.NQuads: a registration of many files). A writer that minted fresh IRIs for
everything it describes names the few outside nodes it refers to (`context_nodes`: the
location, the resource, formats, agents), so the gate looks those up in the store
instead of scanning every IRI of the new data.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pyoxigraph as ox
from pyoxigraph import Quad, RdfFormat

from .. import write_generation, provenance
from ..loading import LoadRejected
from ..store.changeset import ChangeSet, FileLoad
from ..system_graphs import default_gate, ontology_store
from .nquads import NQuads


def commit(store, add: list[Quad] | NQuads, remove: list[Quad] = (), *, agent: str | None, via: str,
           started: datetime | None = None, name: str = "preservation", gate=None,
           context_nodes=None) -> None:
    """Validate `add` and apply `remove` + `add` as one change set. Raises LoadRejected
    (nothing stored) when the shapes reject it."""
    started = started or provenance.now()
    staging = ox.Store()
    if isinstance(add, NQuads):
        data = add.data()
        if data:
            staging.load(data, RdfFormat.N_QUADS)
        added = add.graph_counts()
    else:
        staging.extend(add)
        added = Counter(q.graph_name for q in add)
        data = None
    report = (gate or default_gate()).validate(staging, context=store, ontology=ontology_store(),
                                               context_nodes=context_nodes)
    if report.has_violations:
        raise LoadRejected(report, [name])
    graphs = set(added) | {q.graph_name for q in remove}
    loaded = {g: added.get(g, 0) for g in graphs if isinstance(g, ox.NamedNode)}
    record = provenance.LoadRecord.new(agent=agent, started=started, loaded=loaded, replaced=False, via=via)
    # the added quads travel as one N-Quads document (the journal writes and the store
    # bulk-loads it far faster than quad by quad); IRIs only, so loading it twice is harmless
    if data is None:
        data = staging.dump(format=RdfFormat.N_QUADS)
    store.commit(ChangeSet(remove=list(remove), files=[FileLoad(None, RdfFormat.N_QUADS, None, data=data)],
                           record=record))
    write_generation.bump()
