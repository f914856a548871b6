"""The preservation report at scale: its event counts start from the rare side (failures,
repairs, replications) and stay right; copies are counted per location by name; and the
decision engine's policy index does not read the preservation graphs (millions of
events would otherwise dominate every decision's index build)."""

from __future__ import annotations

import pytest

from rightsgraph.preservation.commit import commit
from rightsgraph.preservation.events import event_quads
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.registry import register
from rightsgraph.preservation.report import preservation_report
from rightsgraph.preservation.vocab import (FAILURE, FIXITY_CHECK, RECOVERY, REPLICATION, SUCCESS, WARNING)
from rightsgraph.provenance import now

from .test_preservation_support import RES, make_folder, small_world


@pytest.fixture
def world(store, tmp_path):
    small_world(store)
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(store, "primary", primary, "primary")
    reg = register(store, make_folder(primary, "obj", {"a.txt": b"a", "b.txt": b"b"}), resource=RES, identify="none")
    return store, reg


def test_event_counts_by_type_and_outcome(world):
    store, reg = world
    copy = next(iter(store.query("SELECT ?c WHERE { ?c a <https://w3id.org/rightsgraph/ns#Copy> } LIMIT 1")))["c"]
    quads = []
    for event_type, outcome, n in ((FIXITY_CHECK, SUCCESS, 5), (FIXITY_CHECK, FAILURE, 2), (FIXITY_CHECK, WARNING, 1),
                                   (RECOVERY, SUCCESS, 1), (RECOVERY, FAILURE, 3), (REPLICATION, SUCCESS, 4),
                                   (REPLICATION, FAILURE, 1)):
        for _ in range(n):
            quads += event_quads(event_type, [copy], outcome, agent="tester", at=now())
    commit(store, quads, agent="tester", via="test")
    rep = preservation_report(store)
    assert rep["events"] == {"fixity_checks_failed": 2, "repairs": 1, "repairs_failed": 3, "replications": 4}
    assert rep["copies_by_location"] == {"primary": {"intact": 2}}
    assert (rep["files"], rep["bytes"], rep["objects_by_kind"]) == (2, 2, {"folder": 1})


def test_the_policy_index_leaves_out_the_preservation_graphs(world):
    from rightsgraph.policy.index import PolicyIndex
    store, reg = world
    index = PolicyIndex.from_store(store)
    keys = {str(k) for k in index.types}
    assert any(RES in k for k in keys)                      # a resource's class is read
    assert not any(reg.representation in k for k in keys)   # the preserved objects and copies are not
    events = [r["e"].value for r in store.query("SELECT ?e WHERE { ?e a <http://www.loc.gov/premis/rdf/v3/Event> }")]
    assert events and not any(e in k for e in events for k in keys)                          # nor events
