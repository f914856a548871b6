"""A write committed to the journal before a crash but impossible to finish (its files
damaged on disk) keeps the store closed with a clear message, never a traceback and never
a quiet skip; `rightsgraph recover --set-aside` opens the store as it is and keeps the
write for inspection."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat

from rightsgraph.store import journal
from rightsgraph.store.changeset import ChangeSet, FileLoad

from .conftest import REPO, run_cli

LIBRARY = REPO / "tests" / "data" / "loading" / "library.ttl"
GRAPH = "https://example.org/graph/pending"
TURTLE = b"<https://example.org/x> <http://purl.org/dc/terms/title> \"x\" .\n"


def _store_with_pending_write(tmp_path: Path, *, damaged: bool) -> tuple[Path, Path]:
    data_dir = tmp_path / "data"
    assert run_cli("load", LIBRARY, data_dir=data_dir).returncode == 0
    change = ChangeSet(clear=[NamedNode(GRAPH)],
                       files=[FileLoad(None, RdfFormat.TURTLE, NamedNode(GRAPH), None, TURTLE)])
    entry = journal.write(journal.journal_dir(data_dir / "store"), change)   # committed, as before a kill -9
    if damaged:
        (entry / "files" / "0.rdf").write_bytes(b"garbage <")                # the disk lost it
    return data_dir, entry


def _triples(data_dir: Path) -> str:
    info = run_cli("info", data_dir=data_dir)
    assert info.returncode == 0, info.stderr
    return info.stdout.split(";")[0]


def test_a_write_that_cannot_be_finished_keeps_the_store_closed_and_says_what_to_do(tmp_path):
    data_dir, entry = _store_with_pending_write(tmp_path, damaged=True)
    r = run_cli("info", data_dir=data_dir)
    assert r.returncode == 5, r.stderr
    assert "Traceback" not in r.stderr and "unexpected" not in r.stderr
    assert entry.name in r.stderr and "recover --set-aside" in r.stderr and "restore" in r.stderr
    zh = run_cli("--lang", "zh", "info", data_dir=data_dir)
    assert zh.returncode == 5 and "未打开" in zh.stderr and entry.name in zh.stderr
    assert entry.is_dir(), "the entry is kept until the administrator decides"
    plain = run_cli("recover", data_dir=data_dir)
    assert plain.returncode == 5 and entry.is_dir()


def test_set_aside_opens_the_store_as_it_is_and_keeps_the_write_whole(tmp_path):
    data_dir, entry = _store_with_pending_write(tmp_path, damaged=True)
    r = run_cli("recover", "--set-aside", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    kept = journal.set_aside_dir(data_dir / "store") / entry.name
    assert f"set aside {kept}" in r.stdout and f"<{GRAPH}>" in r.stdout
    assert (kept / "plan.json").is_file() and (kept / "files" / "0.rdf").read_bytes() == b"garbage <"
    assert not entry.exists()
    assert _triples(data_dir)                                                 # the store opens again
    ask = run_cli("query", f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", data_dir=data_dir)
    assert ask.returncode == 0 and "false" in ask.stdout.lower()


def test_recover_finishes_an_intact_write(tmp_path):
    data_dir, entry = _store_with_pending_write(tmp_path, damaged=False)
    r = run_cli("recover", data_dir=data_dir)
    assert r.returncode == 0, r.stderr
    assert "finished 1 write" in r.stdout and not entry.exists()
    ask = run_cli("query", f"ASK {{ GRAPH <{GRAPH}> {{ <https://example.org/x> ?p ?o }} }}", data_dir=data_dir)
    assert ask.returncode == 0 and "true" in ask.stdout.lower()
