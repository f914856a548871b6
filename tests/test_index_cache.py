"""The compiled policies saved for the store's content (policy/index_cache.py), so that a
restarted service answers decisions in a second instead of compiling for 20 s (issue 11):
used only for the very content it was compiled from (store/content_stamp.py), answering
exactly as a compile would, and never after a write, a killed write, a replayed journal,
a restore or other code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from rightsgraph.decision_service import DecisionService
from rightsgraph.licences.registry import import_sheet
from rightsgraph.loading import load_files
from rightsgraph.policy import PolicyIndex, index_cache
from rightsgraph.store import content_stamp, journal
from rightsgraph.store.changeset import ChangeSet
from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.updating import apply_update

from .test_index_refresh import DATA, EX, WHEN, answers, same_as_rebuilt, shape

G = NamedNode("http://example.org/graph/extra")


def saved(folder: Path) -> tuple[EmbeddedStore, PolicyIndex]:
    """A store with the licence world whose service compiled, and saved, its policies."""
    store = EmbeddedStore(folder)
    load_files(store, [DATA / "world.ttl"])
    import_sheet(store, DATA / "journals.yaml")
    svc = DecisionService(store, save=True)
    index = svc.index()
    for thread in svc.saves:
        thread.join(60)
    assert store.content_token() is not None and (folder / index_cache.FILE).exists()
    return store, index


def reopened(store: EmbeddedStore) -> EmbeddedStore:
    folder = store.path
    store.close()
    return EmbeddedStore(folder)


def refuse_to_compile(monkeypatch) -> None:
    """Fail the test if the policies are compiled (a timing-free sign of the saved copy)."""
    def refuse(cls, store, **kw):
        pytest.fail("the policies were compiled, not loaded from the saved copy")
    monkeypatch.setattr(PolicyIndex, "from_store", classmethod(refuse))


def assert_compiled_behind_the_copy(store, compiled) -> None:
    """A service started from the copy, whose refresh parts cannot be used: once the first
    decision's needs are met, a full compile runs behind and replaces the copy."""
    svc = DecisionService(store)
    loaded = svc.index()
    svc.known_terms()
    deadline = time.monotonic() + 60
    while svc.index() is loaded and time.monotonic() < deadline:
        time.sleep(0.02)
    assert svc.index() is not loaded and shape(svc.index()) == shape(compiled)


def test_a_restart_on_an_unchanged_store_answers_from_the_saved_copy_as_a_compile_would(tmp_path, monkeypatch):
    store, compiled = saved(tmp_path / "store")
    expected_shape, expected = shape(compiled), answers(compiled, store)
    store = reopened(store)
    real = PolicyIndex.from_store.__func__
    refuse_to_compile(monkeypatch)
    svc = DecisionService(store)
    loaded = svc.index()
    assert shape(loaded) == expected_shape
    assert answers(loaded, store) == expected
    assert {a[5] for a in expected} >= {"permit", "deny"}
    # the same JSON answer through the service, redaction included
    target, action, who = next((a[0], a[1], a[2]) for a in expected if a[5] == "permit" and a[2])
    params = {"target": target, "action": action, "assignee": who, "at": "2025-07-01T00:00:00Z"}
    monkeypatch.setattr(PolicyIndex, "from_store", classmethod(real))
    monkeypatch.setattr(index_cache, "load", lambda st: None)
    assert svc.answer(params) == DecisionService(store).answer(params)     # a compiled one


@pytest.mark.parametrize("write", [
    lambda s: load_files(s, [DATA / "liblicense-world.ttl"]),
    lambda s: import_sheet(s, DATA / "amendment.yaml"),
    lambda s: apply_update(s, "INSERT DATA { GRAPH <http://example.org/graph/extra> { <http://example.org/a> "
                              "<http://example.org/b> 1 } }"),
    lambda s: s.update("INSERT DATA { GRAPH <http://example.org/graph/extra> { <http://example.org/a> "
                       "<http://example.org/b> 2 } }"),
    lambda s: s.add_quads([Quad(NamedNode("http://example.org/a"), NamedNode("http://example.org/b"), Literal("3"), G)]),
    lambda s: s.clear_graph(next(iter(s.graphs()))),
    lambda s: s.load_bytes(b"<http://example.org/a> <http://example.org/b> \"4\" .", RdfFormat.N_TRIPLES, G),
], ids=["load", "licence import", "sparql update", "store update", "quads", "clear graph", "bytes"])
def test_every_write_takes_the_token_away_before_it_changes_the_store(tmp_path, write):
    store, _ = saved(tmp_path / "store")
    write(store)
    assert store.content_token() is None
    assert content_stamp.read(store.path) is None          # on disk too: the next process compiles
    store = reopened(store)
    assert index_cache.load(store) is None
    svc = DecisionService(store)
    same_as_rebuilt(svc.index(), store)


def test_a_write_killed_half_way_leaves_no_token(tmp_path):
    """kill -9 while a large load is under way: the token went before the first byte was written."""
    store, _ = saved(tmp_path / "store")
    folder = store.path
    store.close()
    del store
    big = tmp_path / "big.nt"
    with open(big, "w") as f:
        for i in range(1_500_000):
            f.write(f"<http://example.org/s{i}> <http://example.org/p> \"{i}\" .\n")
    code = ("import sys; from pathlib import Path; from pyoxigraph import RdfFormat, NamedNode\n"
            "from rightsgraph.store.embedded import EmbeddedStore\n"
            f"s = EmbeddedStore(Path({str(folder)!r})); print('open', flush=True)\n"
            f"s.load_file(Path({str(big)!r}), RdfFormat.N_TRIPLES, NamedNode('http://example.org/graph/big'))\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout.readline().strip() == "open"
    deadline = time.monotonic() + 60
    while content_stamp.read(folder) is not None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    store = EmbeddedStore(folder)
    assert store.content_token() is None and index_cache.load(store) is None
    same_as_rebuilt(DecisionService(store).index(), store)


def test_a_journal_replayed_at_open_takes_the_token(tmp_path):
    store, _ = saved(tmp_path / "store")
    folder = store.path
    store.close()
    del store
    # a change set written to the journal by a process killed before it applied it
    journal.write(journal.journal_dir(folder), ChangeSet(add=[Quad(NamedNode("http://example.org/a"),
                                                                   NamedNode("http://example.org/b"), Literal("5"), G)]))
    store = EmbeddedStore(folder)
    assert store.count(G) == 1
    assert store.content_token() is None and index_cache.load(store) is None


def test_a_copy_made_by_other_code_or_damaged_is_compiled_again(tmp_path, monkeypatch):
    store, compiled = saved(tmp_path / "store")
    store = reopened(store)
    monkeypatch.setattr(index_cache, "code_digest", lambda: "another version of rightsgraph")
    assert index_cache.load(store) is None and not index_cache.usable(store)
    monkeypatch.undo()
    assert index_cache.usable(store)
    path = store.path / index_cache.FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])     # cut short (a full disk)
    assert index_cache.load(store) is None
    assert shape(DecisionService(store).index()) == shape(compiled)


def test_backups_snapshots_and_raw_access_vouch_for_nothing(tmp_path):
    store, _ = saved(tmp_path / "store")
    store.backup(tmp_path / "backup")
    copy = EmbeddedStore(tmp_path / "backup")
    assert copy.content_token() is None and index_cache.load(copy) is None
    copy.close()
    store.raw                                            # whoever holds it may write unseen
    assert store.content_token() is None and content_stamp.read(store.path) is None
    assert store.issue_content_token(store.write_mark()) is None


def test_a_write_just_after_a_start_from_the_copy_reaches_decisions(tmp_path, monkeypatch):
    store, _ = saved(tmp_path / "store")
    store = reopened(store)
    refuse_to_compile(monkeypatch)
    svc = DecisionService(store)
    svc.index()                                          # the copy (from_store refuses)
    monkeypatch.undo()
    import_sheet(store, DATA / "amendment.yaml")
    # the write waits for, or runs, the compile behind the copy, then refreshes it
    same_as_rebuilt(svc.index(), store)
    svc.known_terms()
    import_sheet(store, DATA / "master.yaml")
    same_as_rebuilt(svc.index(), store)


def test_behind_the_copy_its_refresh_parts_are_loaded_not_compiled(tmp_path, monkeypatch):
    """After the first decision's needs, what lets writes refresh the index is read from the
    second file saved with the copy (a second), not compiled (20 s at 10,000 licences)."""
    store, compiled = saved(tmp_path / "store")
    store = reopened(store)
    refuse_to_compile(monkeypatch)
    svc = DecisionService(store)
    loaded = svc.index()
    assert getattr(loaded, "_g", None) is None                   # the copy alone cannot be refreshed
    svc.known_terms()                                            # the first decision's needs: behind it now
    deadline = time.monotonic() + 60
    while getattr(svc.index(), "_g", None) is None and time.monotonic() < deadline:
        time.sleep(0.02)
    current = svc.index()
    assert current._g is not None and shape(current) == shape(compiled)
    import_sheet(store, DATA / "amendment.yaml")
    after = svc.index()                       # refreshed: from_store would fail the test
    monkeypatch.undo()
    same_as_rebuilt(after, store)
    # without that second file the copy is compiled behind, as a first start would
    store.close()
    store, _ = saved(tmp_path / "again")
    store = reopened(store)
    (store.path / index_cache.REFRESH_FILE).unlink()
    assert_compiled_behind_the_copy(store, compiled)


def test_after_writes_the_refreshed_index_is_saved_once_the_store_is_quiet(tmp_path, monkeypatch):
    store, _ = saved(tmp_path / "store")
    svc = DecisionService(store, save=True, save_after=0.2)
    svc.index()
    import_sheet(store, DATA / "amendment.yaml")
    assert store.content_token() is None
    refreshed_index = svc.index()
    deadline = time.monotonic() + 60
    while store.content_token() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    for thread in svc.saves:
        thread.join(60)
    assert index_cache.usable(store)
    store = reopened(store)
    refuse_to_compile(monkeypatch)
    assert shape(DecisionService(store).index()) == shape(refreshed_index)
    monkeypatch.undo()
    same_as_rebuilt(DecisionService(store).index(), store)
    # a write within the quiet time: nothing is saved for a state that is already gone
    svc = DecisionService(store, save=True, save_after=0.3)
    svc.index()
    import_sheet(store, DATA / "master.yaml")
    svc.index()
    import_sheet(store, DATA / "local-b.yaml")
    time.sleep(0.6)
    assert store.content_token() is None and not index_cache.usable(store)


def test_reader_processes_share_the_copy_saved_for_the_published_content(tmp_path, monkeypatch):
    """`serve --workers N`: the writer publishes snapshots with its content token (when no
    write came between); each reader loads the copy saved for it, or compiles and saves it
    for the others, instead of each compiling for 20 s."""
    from rightsgraph.store.snapshot_store import SnapshotStore
    from rightsgraph.store.snapshots import publish
    store, compiled = saved(tmp_path / "data" / "store")
    publish(store)
    reader = SnapshotStore(store.path)
    assert reader.content_token() == store.content_token() is not None
    refuse_to_compile(monkeypatch)
    assert shape(DecisionService(reader).index()) == shape(compiled)
    monkeypatch.undo()
    # a write, then its snapshot: a new token; the first reader compiles and saves for it
    import_sheet(store, DATA / "amendment.yaml")
    publish(store)
    first = SnapshotStore(store.path)
    assert first.content_token() == store.content_token() is not None and not index_cache.usable(first)
    svc = DecisionService(first, save=True)
    new = svc.index()
    for thread in svc.saves:
        thread.join(60)
    assert index_cache.usable(first) and store.content_token() == first.content_token()
    refuse_to_compile(monkeypatch)
    assert shape(DecisionService(SnapshotStore(store.path)).index()) == shape(new)
    monkeypatch.undo()
    same_as_rebuilt(new, store)
    # published while a write was under way: no token, nothing shared
    with store._writing():
        publish(store)
    assert SnapshotStore(store.path).content_token() is None


def test_the_demo_worlds_index_survives_the_round_trip_whole(tmp_path):
    """Real licences carry language-tagged terms (LangStr) and every other kind of value the
    compiler makes: both files must load, and give the index that was saved."""
    from rightsgraph.demo import load_demo
    store = EmbeddedStore(tmp_path / "store")
    load_demo(store)
    svc = DecisionService(store, save=True)
    compiled = svc.index()
    for thread in svc.saves:
        thread.join(120)
    store = reopened(store)
    copy = index_cache.load(store)
    assert copy is not None and shape(copy.index) == shape(compiled)
    assert index_cache.load_refresh_parts(store, copy)
    for part in index_cache.REFRESH_PARTS:
        mine, theirs = getattr(copy.index, part), getattr(compiled, part)
        if part == "_g":
            mine, theirs = mine.spo, theirs.spo
        assert mine == theirs, part


def test_a_command_uses_the_copy_but_never_waits_to_write_one(tmp_path, monkeypatch):
    """`rightsgraph check` and the preservation commands end once they answered: they load a
    copy a service saved, and compile without saving one (seconds of writing at exit)."""
    store = EmbeddedStore(tmp_path / "store")
    load_files(store, [DATA / "world.ttl"])
    DecisionService(store).index()
    assert not (store.path / index_cache.FILE).exists() and store.content_token() is None
    store.close()
    store, compiled = saved(tmp_path / "served")
    store = reopened(store)
    refuse_to_compile(monkeypatch)
    assert shape(DecisionService(store).index()) == shape(compiled)


def test_refresh_parts_of_another_save_are_never_joined_to_the_copy(tmp_path, monkeypatch):
    """Two readers saving the same snapshot at once: each file is whole, but the refresh parts
    of one save are refused for the index of the other (a compile runs behind instead)."""
    store, compiled = saved(tmp_path / "store")
    other = tmp_path / "other"
    other.mkdir()
    index_cache.save(compiled, other, store.content_token())       # the same content, another save
    (other / index_cache.REFRESH_FILE).replace(store.path / index_cache.REFRESH_FILE)
    assert not index_cache.saved_for(store.path, store.content_token())
    store = reopened(store)
    copy = index_cache.load(store)
    assert copy is not None and not index_cache.load_refresh_parts(store, copy)
    assert_compiled_behind_the_copy(store, compiled)


def test_query_workers_answer_rg_permitted_from_the_copy_saved_for_their_snapshot(tmp_path):
    """A query worker (SPARQL `rg:permitted` on /sparql) compiled the policies of its snapshot
    on its first such query: at 2.35M quads that outlasted the 30 s query deadline, the
    worker was killed and the next one started over, so every such query got a 503
    (measured). Now the snapshot is taken with the store's content token and the worker loads
    the copy saved for it. Shown without timing: the copy in the folder is made to say what
    the store does not (the same token over the index of the store without its licence), and
    the worker answers as the copy says; after a write, the worker compiles what is there."""
    import json as _json

    from rightsgraph.policy import decide
    from rightsgraph.serving.query_pool import QueryPool
    store, compiled = saved(tmp_path / "store")
    when = "2025-07-01T00:00:00Z"
    permits = [(t, a, w) for t, a, w, ctx, at, verdict, *_ in answers(compiled, store)
               if verdict == "permit" and ctx == "{}" and w and at.startswith("2025-07-01")]
    bare = EmbeddedStore(tmp_path / "bare")
    load_files(bare, [DATA / "world.ttl"])
    without_licence = PolicyIndex.from_store(bare)
    target, action, who = next(q for q in permits
                               if decide(without_licence, *q, {}, at=WHEN[1]).decision != "permit")
    for name in (index_cache.FILE, index_cache.REFRESH_FILE):
        (store.path / name).unlink()
    index_cache.save(without_licence, store.path, store.content_token())

    query = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
             f"SELECT ?ok WHERE {{ BIND(rg:permitted(<{target}>, <{action}>, <{who}>, odrl:dateTime, "
             f"\"{when}\"^^<http://www.w3.org/2001/XMLSchema#dateTime>) AS ?ok) }}")

    def asked() -> str:
        pool = QueryPool(store, workers=1, timeout=120)
        try:
            answer = pool.run(query, accept="application/sparql-results+json", functions=True)
        finally:
            pool.close()
        assert answer.status == 200, answer.body
        return _json.loads(answer.body)["results"]["bindings"][0]["ok"]["value"]

    assert asked() == "false"       # the copy's answer: it was loaded, not compiled
    store.add_quads([Quad(NamedNode(EX + "x"), NamedNode(EX + "note"), Literal("a write"), G)])
    assert asked() == "true"        # the store's own answer, compiled from the new snapshot


def test_a_store_never_written_loads_the_copy_without_its_refresh_parts(tmp_path, monkeypatch):
    """A query worker's snapshot never changes: the copy it loads needs nothing behind it (the
    refresh parts are as large as the index: 93 MB and a second at 2.35M quads, per worker)."""
    store, compiled = saved(tmp_path / "store")
    store = reopened(store)
    monkeypatch.setattr(index_cache, "load_refresh_parts",
                        lambda *a, **k: pytest.fail("a never-written store loaded the refresh parts"))
    refuse_to_compile(monkeypatch)
    svc = DecisionService(store, written=False)
    assert shape(svc.index()) == shape(compiled)
    svc.known_terms()
    assert svc._behind is None
