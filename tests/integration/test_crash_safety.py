"""A write killed at any point leaves the old or the new state, never a mix.

Two kinds of evidence:
- deterministic: a CLI load runs in a child process whose store dies (os._exit, as a
  kill -9 would) at the exact moment a half-done write used to be visible: after the
  graph was emptied and before the new data went in; after the data and before its
  provenance record;
- real: benchmarks/crash_replace.py kills `load --replace`, a Graph Store PUT to a
  running server and a plain load with SIGKILL at random moments (small sizes here; the
  benchmark runs the issue's 300,000 triples x 20 kills).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from rightsgraph.namespaces import PROVENANCE_GRAPH
from rightsgraph.store.embedded import EmbeddedStore

from ..conftest import REPO, run_cli

G = "https://example.org/crash/graph"

# Runs the real CLI in a child process whose pyoxigraph store dies on the first call in
# TRIGGER made after a call in ARM: the moment a crash used to leave a half-done write.
DYING_CLI = textwrap.dedent("""
    import os, sys
    from rightsgraph.store import embedded
    ARM, TRIGGER = set(sys.argv[1].split(",")), set(sys.argv[2].split(","))

    class Dying:
        armed = False
        def __init__(self, inner):
            self.inner = inner
        def __getattr__(self, name):
            attr = getattr(self.inner, name)
            if not callable(attr):
                return attr
            def call(*args, **kwargs):
                if name in TRIGGER and Dying.armed:
                    os._exit(137)
                result = attr(*args, **kwargs)
                if name in ARM:
                    Dying.armed = True
                return result
            return call

    original = embedded.EmbeddedStore.__init__
    def dying_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if self.path is not None:
            self._store = Dying(self._store)
    embedded.EmbeddedStore.__init__ = dying_init
    from rightsgraph.cli import main
    main(sys.argv[3:])
""")


def dying_cli(data_dir: Path, arm: str, trigger: str, *args) -> int:
    return subprocess.run([sys.executable, "-c", DYING_CLI, arm, trigger, "--data-dir", str(data_dir), *map(str, args)],
                          capture_output=True, timeout=300).returncode


def version(path: Path, name: str, n: int) -> Path:
    """`n` triples, every seventh object a blank node, and a marker naming the version."""
    objects = (f"_:b{i}" if i % 7 == 0 else f'"{name}{i}"' for i in range(n - 1))
    path.write_text(f'<https://example.org/marker> <https://example.org/version> "{name}" .\n' + "".join(
        f"<https://example.org/s{i}> <https://example.org/p> {o} .\n" for i, o in enumerate(objects)))
    return path


def state(data_dir: Path, graph: str = G) -> tuple[int, list[str], list[int]]:
    store = EmbeddedStore(data_dir / "store")     # opening finishes what a crash left
    try:
        count = store.count(NamedNode(graph))
        marks = [r["v"].value for r in store.query(
            f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ <https://example.org/marker> <https://example.org/version> ?v }} }}")]
        recorded = [int(r["n"].value) for r in store.query(
            f"SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{graph}> <http://rdfs.org/ns/void#triples> ?n }} }}")]
    finally:
        store.close()
    return count, marks, recorded


def test_a_replace_killed_after_emptying_the_graph_ends_with_the_new_graph(tmp_path):
    data = tmp_path / "data"
    run_cli("load", "--graph", G, version(tmp_path / "a.nt", "A", 300), data_dir=data, check=True)
    code = dying_cli(data, "remove_graph,clear_graph", "load,bulk_load,extend,bulk_extend",
                     "load", "--replace", "--graph", G, version(tmp_path / "b.nt", "B", 400))
    assert code == 137                       # it did die in the window
    assert state(data) == (400, ["B"], [400])


def test_a_load_killed_before_its_provenance_record_gets_the_record(tmp_path):
    data = tmp_path / "data"
    run_cli("load", "--graph", G + "-0", version(tmp_path / "a.nt", "A", 100), data_dir=data, check=True)
    code = dying_cli(data, "load,bulk_load", "update,extend",
                     "load", "--graph", G, version(tmp_path / "b.nt", "B", 200))
    assert code == 137
    assert state(data) == (200, ["B"], [200])


def test_random_kills_of_real_writes_leave_old_or_new(tmp_path):
    """The crash script at a small size: 3 kills per mode, seeded so that some land in the
    commit window (the journal entry is written) and some anywhere."""
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "crash_replace.py"), "--triples", "20000",
                          "--kills", "3", "--seed", "7", "--json"], capture_output=True, text=True, timeout=1200)
    assert out.returncode in (0, 1), out.stderr
    result = json.loads(out.stdout)
    for mode, tally in result["modes"].items():
        assert tally["other"] == 0, (mode, tally)
        assert tally["old"] + tally["new"] == 3
    assert sum(t["kills"].get("commit", 0) for t in result["modes"].values()) >= 2, result
