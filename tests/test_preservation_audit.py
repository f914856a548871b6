"""Fixity audit: a changed byte, a missing file and an unexpected file are each found by
the next audit, recorded as PREMIS fixity-check events, and reflected in the copy's
status; sampled runs cover every copy in the cycle; an interrupted run resumes."""

from __future__ import annotations

import threading

import pytest

from rightsgraph.preservation.audit import audit
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.registry import register

from .test_preservation_support import RES, flip_byte, make_folder, small_world

RG = "https://w3id.org/rightsgraph/ns#"
PREMIS = "http://www.loc.gov/premis/rdf/v3/"
FIX = "http://id.loc.gov/vocabulary/preservation/eventType/fix"
OUT = "http://id.loc.gov/vocabulary/preservation/eventOutcome/"


@pytest.fixture
def registered(store, tmp_path):
    small_world(store)
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(store, "primary", primary, "primary")
    folder = make_folder(primary, "b1", {f"f{i}.txt": f"content {i}\n".encode() * 100 for i in range(10)})
    register(store, folder, resource=RES, identify="none")
    return store, folder


def status_of(store, name: str) -> str:
    row = next(iter(store.query(f"""SELECT ?s WHERE {{ ?c <{RG}copyOf> ?f ; <{RG}copyStatus> ?s .
        ?f <{PREMIS}originalName> "{name}" }}""")))
    return row["s"].value[len(RG):]


def events_for(store, name: str) -> list[tuple[str, str]]:
    rows = store.query(f"""SELECT DISTINCT ?e ?t ?out ?note WHERE {{ ?e a <{FIX}> ; <{PREMIS}outcome> ?out ;
        <http://www.w3.org/ns/prov#used> ?c ; <http://www.w3.org/ns/prov#startedAtTime> ?t ;
        <http://www.w3.org/ns/prov#wasAssociatedWith> ?agent .
        OPTIONAL {{ ?e <{PREMIS}outcomeNote> ?note }}
        ?c <{RG}copyOf> ?f . ?f <{PREMIS}originalName> "{name}" }} ORDER BY ?t""")
    return [(r["out"].value[len(OUT):], r["note"].value if r["note"] else "") for r in rows]


def test_intact_content_passes_with_one_event_per_copy(registered):
    store, _ = registered
    res = audit(store, workers=2)
    assert (res.checked, res.intact, res.findings, res.complete) == (10, 10, [], True)
    assert events_for(store, "f3.txt") == [("suc", "")]


def test_a_corrupted_byte_is_detected_and_recorded(registered):
    store, folder = registered
    flip_byte(folder / "f4.txt", 17)
    res = audit(store)
    assert [(f.kind, f.path.endswith("f4.txt")) for f in res.findings] == [("changed", True)]
    assert status_of(store, "f4.txt") == "Damaged" and status_of(store, "f5.txt") == "Intact"
    (outcome, note), = events_for(store, "f4.txt")
    assert outcome == "fai" and "changed" in note and "registered" in note


def test_missing_and_unexpected_files_are_found(registered):
    store, folder = registered
    (folder / "f1.txt").unlink()
    (folder / "intruder.exe").write_bytes(b"MZ")
    res = audit(store)
    kinds = sorted((f.kind, f.path.rsplit("/", 1)[-1]) for f in res.findings)
    assert kinds == [("missing", "f1.txt"), ("unexpected", "intruder.exe")]
    assert status_of(store, "f1.txt") == "Missing"
    assert store.query(f"""ASK {{ ?e a <{FIX}> ; <{PREMIS}outcome> <{OUT}war> ;
        <{PREMIS}outcomeNote> ?n FILTER(CONTAINS(?n, "intruder.exe")) }}""")


def test_sampled_runs_cover_every_copy_in_the_cycle(registered):
    store, _ = registered
    seen = []
    for _day in range(5):
        before = {r["c"].value: r["t"].value for r in store.query(
            f"SELECT ?c ?t WHERE {{ ?c <{RG}lastChecked> ?t }}")}
        res = audit(store, cycle_days=5)
        assert res.quota == 2 and res.checked == 2
        after = {r["c"].value: r["t"].value for r in store.query(f"SELECT ?c ?t WHERE {{ ?c <{RG}lastChecked> ?t }}")}
        seen += [c for c in after if after[c] != before[c]]
    assert len(seen) == 10 and len(set(seen)) == 10     # each copy once in five runs


def test_an_interrupted_run_resumes_where_it_stopped(registered):
    store, _ = registered
    stop = threading.Event()

    class StopAfterFirstBatch:   # the commit of the first batch is durable, then we "crash"
        calls = 0

    import rightsgraph.preservation.audit as mod
    original = mod._commit_batch

    def commit_then_stop(*args, **kwargs):
        state = original(*args, **kwargs)
        StopAfterFirstBatch.calls += 1
        stop.set()
        return state

    mod._commit_batch = commit_then_stop
    try:
        first = audit(store, batch_copies=3, stop=stop)
    finally:
        mod._commit_batch = original
    assert first.interrupted and not first.complete and first.run_checked == 3
    second = audit(store, batch_copies=3)
    assert second.resumed and second.run == first.run and second.complete
    assert second.checked == 7 and second.run_checked == 10
    n = next(iter(store.query(f"SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a <{FIX}> ; <http://purl.org/dc/terms/isPartOf> <{first.run}> }}")))["n"]
    assert int(n.value) == 10                       # no copy checked twice in the run
    third = audit(store)
    assert not third.resumed and third.run != first.run
