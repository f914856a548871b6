"""Preservation writes go through the same gate as every write: the staged quads are
validated against the shapes (with what the store holds about the same nodes), then the
store applies one change set (store/changeset.py) with its provenance record.

Unlike a load, a preservation write also *removes* exact quads: the current values that
an audit or a repair replaces (a copy's status, the time it was last checked). Every
quad written has IRIs only, so applying the change twice (a replay after a crash)
leaves the same store.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pyoxigraph as ox
from pyoxigraph import Quad, RdfFormat

from .. import changes, provenance
from ..loading import LoadRejected
from ..store.changeset import ChangeSet, FileLoad
from ..system_graphs import default_gate, ontology_store


def commit(store, add: list[Quad], remove: list[Quad] = (), *, agent: str | None, via: str,
           started: datetime | None = None, name: str = "preservation", gate=None) -> None:
    """Validate `add` and apply `remove` + `add` as one change set. Raises LoadRejected
    (nothing stored) when the shapes reject it."""
    started = started or provenance.now()
    staging = ox.Store()
    staging.extend(add)
    report = (gate or default_gate()).validate(staging, context=store, ontology=ontology_store())
    if report.has_violations:
        raise LoadRejected(report, [name])
    added = Counter(q.graph_name for q in add)
    loaded = {g: added.get(g, 0) for g in {q.graph_name for q in list(add) + list(remove)}
              if isinstance(g, ox.NamedNode)}
    record = provenance.LoadRecord.new(agent=agent, started=started, loaded=loaded, replaced=False, via=via)
    # the added quads travel as one N-Quads document (the journal writes and the store
    # bulk-loads it far faster than quad by quad); IRIs only, so loading it twice is harmless
    data = staging.dump(format=RdfFormat.N_QUADS)
    store.commit(ChangeSet(remove=list(remove), files=[FileLoad(None, RdfFormat.N_QUADS, None, data=data)],
                           record=record))
    changes.bump()
