"""Crash test: kill -9 at random points of writes, then check what the store holds.

    python benchmarks/crash_replace.py                       # 300,000 triples, 20 kills per mode
    python benchmarks/crash_replace.py --triples 50000 --kills 4 --modes replace,gsp,add

Modes (each round is a real process killed with SIGKILL):
  replace  `rightsgraph load --replace --graph G` of the other version of G (A <-> B)
  gsp      Graph Store PUT of the other version to a running `rightsgraph serve`
  add      `rightsgraph load --graph G_i` of a new graph (data and its provenance record)
Half of the kills land at a uniform random time over the whole write (start-up, parse,
validation, commit); the other half wait for the commit's journal entry to appear and
strike a random moment after it, inside the window where a half-done write could be left.
After each kill the store is opened as the next process would open it, and classified:
  old       the graph as before the write, its provenance record saying so
  new       the graph as written, with the write's provenance record
  other     anything else (an empty or partial graph, data without its record): must be 0
Prints a table and exits 1 if any round ended in `other`.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

EX = "https://example.org/crash/"
G = EX + "graph"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"


def write_version(path: Path, version: str, triples: int) -> None:
    """`triples` triples, some with blank nodes, and a marker naming the version."""
    with open(path, "w") as f:
        f.write(f'<{EX}marker> <{EX}version> "{version}" .\n')
        for i in range(triples - 1):
            if i % 10 == 0:
                f.write(f'<{EX}s{i}> <{EX}p> _:b{i} .\n')
            else:
                f.write(f'<{EX}s{i}> <{EX}p> "{version}{i}" .\n')


ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))   # child processes run this checkout


def cli(data_dir: Path, *args) -> list[str]:
    return [sys.executable, "-m", "rightsgraph", "--data-dir", str(data_dir), *map(str, args)]


def classify(data_dir: Path, graph: str, versions: dict[str, int], before: str | None) -> str:
    """Open the store (recovery runs) and say what graph `graph` holds."""
    from pyoxigraph import NamedNode

    from rightsgraph.namespaces import PROVENANCE_GRAPH
    from rightsgraph.store.embedded import EmbeddedStore
    store = EmbeddedStore(data_dir / "store")
    try:
        count = store.count(NamedNode(graph))
        marks = [r["v"].value for r in store.query(
            f"SELECT ?v WHERE {{ GRAPH <{graph}> {{ <{EX}marker> <{EX}version> ?v }} }}")]
        recorded = [int(r["n"].value) for r in store.query(
            f"SELECT ?n WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ <{graph}> <{VOID_TRIPLES}> ?n }} }}")]
    finally:
        store.close()
        del store
        gc.collect()
    if count == 0 and not marks:
        state = None if not recorded else "?"
    elif len(marks) == 1 and versions.get(marks[0]) == count and recorded == [count]:
        state = marks[0]
    else:
        state = "?"
    if state == "?" or (state is None and before is not None):
        return "other"
    return "old" if state == before else "new"


def journal_entry_appears(data_dir: Path, proc, seconds: float) -> bool:
    root = data_dir / "store.journal"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if root.is_dir() and any(not p.name.endswith(".tmp") for p in root.iterdir()):
            return True
        time.sleep(0.002)
    return False


def kill_at_random(proc, data_dir: Path, full: float, rng: random.Random) -> str:
    if rng.random() < 0.5:
        time.sleep(rng.uniform(0, full))
        how = "uniform"
    else:
        if not journal_entry_appears(data_dir, proc, full * 3):
            how = "commit-missed"
        else:
            time.sleep(rng.uniform(0, max(full * 0.3, 0.05)))
            how = "commit"
    if proc.poll() is None:
        kill_group(proc, signal.SIGKILL)
        return how
    return "finished"


def kill_group(proc, sig) -> None:
    """Signal the process and its children (a server's workers), and wait until all are gone."""
    os.killpg(proc.pid, sig)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)


def run_replace(work: Path, files: dict[str, Path], versions: dict[str, int], kills: int, rng) -> list[tuple]:
    data = work / "replace"
    subprocess.run(cli(data, "load", "--graph", G, files["A"]), check=True, capture_output=True, env=ENV)
    current = "A"
    t = time.perf_counter()
    other = "B"
    subprocess.run(cli(data, "load", "--replace", "--graph", G, files[other]), check=True, capture_output=True, env=ENV)
    full = time.perf_counter() - t
    current = other
    rounds = []
    for _ in range(kills):
        other = "B" if current == "A" else "A"
        proc = subprocess.Popen(cli(data, "load", "--replace", "--graph", G, files[other]),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=ENV)
        how = kill_at_random(proc, data, full, rng)
        outcome = classify(data, G, versions, current)
        rounds.append((how, outcome))
        if outcome == "new":
            current = other
    return rounds


def run_add(work: Path, files: dict[str, Path], versions: dict[str, int], kills: int, rng) -> list[tuple]:
    data = work / "add"
    subprocess.run(cli(data, "load", "--graph", G + "-0", files["A"]), check=True, capture_output=True, env=ENV)
    t = time.perf_counter()
    subprocess.run(cli(data, "load", "--graph", G + "-1", files["A"]), check=True, capture_output=True, env=ENV)
    full = time.perf_counter() - t
    rounds = []
    for i in range(kills):
        graph = f"{G}-k{i}"
        proc = subprocess.Popen(cli(data, "load", "--graph", graph, files["B"]),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=ENV)
        how = kill_at_random(proc, data, full, rng)
        rounds.append((how, classify(data, graph, versions, None)))
    return rounds


def run_gsp(work: Path, files: dict[str, Path], versions: dict[str, int], kills: int, rng) -> list[tuple]:
    import requests
    data = work / "gsp"
    subprocess.run(cli(data, "load", "--graph", G, files["A"]), check=True, capture_output=True, env=ENV)
    token = subprocess.run(cli(data, "user", "add", "crash", "--role", "cataloguer"), check=True,
                           capture_output=True, text=True, env=ENV).stdout.strip()
    bodies = {v: p.read_bytes() for v, p in files.items()}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/n-triples"}

    def start():
        from rightsgraph.serving.ports import free_port
        port = free_port()
        proc = subprocess.Popen(cli(data, "serve", "--port", port, "--max-body", "1000000000"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=ENV)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(url + "/healthz", timeout=1).ok:
                    return proc, url
            except requests.ConnectionError:
                time.sleep(0.1)
        proc.kill()
        raise RuntimeError("rightsgraph serve did not start")

    def put(url, version):
        try:
            requests.put(f"{url}/store", params={"graph": G}, data=bodies[version], headers=headers, timeout=600)
        except requests.RequestException:
            pass    # the server was killed under it

    proc, url = start()
    t = time.perf_counter()
    put(url, "B")
    full = time.perf_counter() - t
    current = "B"
    kill_group(proc, signal.SIGTERM)
    rounds = []
    for _ in range(kills):
        proc, url = start()
        other = "B" if current == "A" else "A"
        client = threading.Thread(target=put, args=(url, other))
        client.start()
        how = kill_at_random(proc, data, full, rng)
        client.join()
        outcome = classify(data, G, versions, current)
        rounds.append((how, outcome))
        if outcome == "new":
            current = other
    return rounds


MODES = {"replace": run_replace, "gsp": run_gsp, "add": run_add}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=300_000)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--modes", default="replace,gsp,add")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--json", action="store_true", help="print the tallies as JSON")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    tallies = {}
    with tempfile.TemporaryDirectory(prefix="rg-crash-") as tmp:
        work = Path(tmp)
        files = {"A": work / "A.nt", "B": work / "B.nt"}
        versions = {"A": args.triples, "B": args.triples + 1000}
        for v, p in files.items():
            write_version(p, v, versions[v])
        for mode in args.modes.split(","):
            rounds = MODES[mode](work, files, versions, args.kills, rng)
            tally = {"old": 0, "new": 0, "other": 0}
            hows = {}
            for how, outcome in rounds:
                tally[outcome] += 1
                hows[how] = hows.get(how, 0) + 1
            tallies[mode] = {**tally, "kills": hows}
    if args.json:
        print(json.dumps({"seed": seed, "triples": args.triples, "modes": tallies}))
    else:
        print(f"crash test: {args.triples:,} triples, {args.kills} kills per mode, seed {seed}")
        print(f"{'mode':<8} {'old':>5} {'new':>5} {'other':>6}   where the kills landed")
        for mode, t in tallies.items():
            print(f"{mode:<8} {t['old']:>5} {t['new']:>5} {t['other']:>6}   {t['kills']}")
    return 1 if any(t["other"] for t in tallies.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
