"""SPARQL Update on a remote store (a real `oxigraph serve` on 127.0.0.1): the effect worked
out by queries (update_effect.py, the product's path) next to the baseline, the same update
worked out on a downloaded copy of the dataset (what every update did before), side by side
in one run on the same server and data.

Each update is timed through `updating.apply_update` (effect, SHACL gate, commit), and comes
in pairs that undo each other, so the store is the same before every run:

    insert data / delete data      one triple into a notes graph, and out again
    rename a title (WHERE)         DELETE/INSERT WHERE on one resource's English title, there and back
    copy the licences / drop ...   COPY of the demo's licence graph (blank nodes) and DROP of the copy

    python benchmarks/bench_remote_update.py                          # the demo world (~285k quads)
    python benchmarks/bench_remote_update.py --extra-triples 1000000  # and a 1M-triple catalogue
    python benchmarks/bench_remote_update.py --runs 5 --baseline-runs 1

Figures are wall-clock seconds per update on this machine (median of the runs); the ratio is
baseline / by queries.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = os.environ.get("PYTHONPATH") or str(ROOT / "src")
sys.path[:0] = SRC.split(os.pathsep)
BIN = Path(sys.executable).parent

NOTES = "https://w3id.org/rightsgraph/graph/data/notes"
RES = "https://w3id.org/rightsgraph/graph/data/resources"
LICENCES = "https://w3id.org/rightsgraph/graph/demo/licences"
COPY = "https://w3id.org/rightsgraph/graph/data/licences-copy"
BOOK = "https://demo.rightsgraph.org/resource/0001"
TITLE = "http://purl.org/dc/terms/title"
PAIRS = {
    "insert data / delete data": (
        f'INSERT DATA {{ GRAPH <{NOTES}> {{ <{BOOK}> <http://www.w3.org/2000/01/rdf-schema#comment> "bench" }} }}',
        f'DELETE DATA {{ GRAPH <{NOTES}> {{ <{BOOK}> <http://www.w3.org/2000/01/rdf-schema#comment> "bench" }} }}'),
    "rename a title (WHERE)": tuple(
        f'DELETE {{ GRAPH ?g {{ <{BOOK}> <{TITLE}> ?t }} }} INSERT {{ GRAPH ?g {{ <{BOOK}> <{TITLE}> ?u }} }} '
        f'WHERE {{ GRAPH ?g {{ <{BOOK}> <{TITLE}> ?t FILTER(lang(?t) = "en") '
        f'BIND(STRLANG({expr}, "en") AS ?u) }} }}'
        for expr in ('CONCAT(?t, " (bench)")', 'REPLACE(STR(?t), " \\\\(bench\\\\)$", "")')),
    "copy the licences / drop the copy": (f"COPY <{LICENCES}> TO <{COPY}>", f"DROP GRAPH <{COPY}>"),
}


def cli(data_dir: Path, *args) -> None:
    env = dict(os.environ, PYTHONPATH=SRC, RIGHTSGRAPH_LANG="en")
    subprocess.run([sys.executable, "-m", "rightsgraph", "--data-dir", str(data_dir), *map(str, args)],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def start_oxigraph(location: Path, port: int, log: Path) -> subprocess.Popen:
    import requests
    proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(location), "--bind",
                             f"127.0.0.1:{port}"], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/query", params={"query": "ASK {}"}, timeout=1)
            return proc
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"oxigraph serve did not start: {log.read_text()[-500:]}")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--extra-triples", type=int, default=0, help="also load a generated catalogue of N triples")
    ap.add_argument("--runs", type=int, default=5, help="runs of each update by queries")
    ap.add_argument("--baseline-runs", type=int, default=2, help="runs of each update on a downloaded copy")
    args = ap.parse_args()

    from pyoxigraph import RdfFormat

    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.store.remote import RemoteStore
    from rightsgraph.updating import apply_update

    work = Path(tempfile.mkdtemp(prefix="bench-remote-update-"))
    proc = None
    try:
        cli(work / "rg", "demo", "--no-serve")
        if args.extra_triples:
            nt = work / "catalogue.nt"
            subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_catalogue.py"), "-o", str(nt),
                            "--triples", str(args.extra_triples)], check=True, stdout=subprocess.DEVNULL)
            cli(work / "rg", "load", nt)
        local = EmbeddedStore(work / "rg" / "store")
        nq = work / "all.nq"
        nq.write_bytes(local.dump(RdfFormat.N_QUADS))
        local.close()
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file", str(nq)],
                       check=True, capture_output=True)
        port = free_port()
        proc = start_oxigraph(work / "ox", port, work / "oxigraph.log")
        store = RemoteStore.for_oxigraph(f"http://127.0.0.1:{port}")
        print(f"oxigraph serve on 127.0.0.1:{port}: {store.count():,} quads in {len(store.graphs()):,} graphs")
        print(f"{'update':<34}{'by queries':>12}{'on a copy':>12}{'ratio':>8}")
        for name, pair in PAIRS.items():
            for i, update in enumerate(pair):
                by_queries = _times(store, update, pair[1 - i], args.runs, apply_update, copy=False, first=i == 0)
                on_copy = _times(store, update, pair[1 - i], args.baseline_runs, apply_update, copy=True,
                                 first=i == 0)
                q, c = statistics.median(by_queries), statistics.median(on_copy)
                label = name.split(" / ")[i] if " / " in name else f"{name} #{i + 1}"
                print(f"{label:<34}{q:>10.3f} s{c:>10.3f} s{c / q:>7.0f}x")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _times(store, update: str, undo: str, runs: int, apply_update, *, copy: bool, first: bool) -> list[float]:
    """Seconds of `update` each run; `undo` puts the store back between runs (untimed). The
    second update of a pair runs after its first has been applied, untimed."""
    out = []
    for _ in range(runs):
        if not first:
            apply_update(store, undo)
        store.copies_cheaply = copy       # True: the baseline, trial_copies downloads the dataset
        t = time.perf_counter()
        result = apply_update(store, update)
        out.append(time.perf_counter() - t)
        store.copies_cheaply = False
        assert result.inserted or result.deleted, update
        if first:
            apply_update(store, undo)
    return out


if __name__ == "__main__":
    sys.exit(main())
