"""Harvest of an `oxigraph serve` peer holding a generated catalogue in ~100 graphs: a full
harvest into an empty store, then an incremental one after 1% of the graphs changed.
Each harvest runs in a fresh subprocess (peak memory = its ru_maxrss).

    python benchmarks/bench_harvest.py                 # 1,000,000 triples, 100 graphs
    python benchmarks/bench_harvest.py --quick         # 100,000 triples, 100 graphs
    python benchmarks/bench_harvest.py --triples 300000 --graphs 50 --changed 0.02

The peer is loaded with `oxigraph load` (timed, as a baseline for moving the same data
without validation) and served on 127.0.0.1 with --union-default-graph. It is a generic
SPARQL peer: change detection uses the peer-computed fingerprint (docs/exchange.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {src!r})
from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.system_graphs import ensure_system_graphs, default_gate
from rightsgraph.exchange.harvest import harvest
st = EmbeddedStore(sys.argv[2])
ensure_system_graphs(st)
default_gate()
t = time.perf_counter()
rep = harvest(st, sys.argv[1], timeout=1800)
out = {{"seconds": time.perf_counter() - t, "timings": rep.timings, "peer": rep.peer,
        "counts": {{s: rep.count(s) for s in ("new", "changed", "unchanged", "gone")}},
        "triples": sum(o.triples for o in rep.outcomes if o.status in ("new", "changed")),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}
st.flush()
print(json.dumps(out))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oxigraph_exe() -> str:
    return shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def make_dataset(path: Path, triples: int, graphs: int) -> tuple[int, list[str]]:
    """The generated catalogue as N-Quads, cut into `graphs` graphs at resource boundaries
    (so a licence and its blank nodes stay in one graph)."""
    import io
    from generate_catalogue import generate
    buf = io.StringIO()
    n = generate(buf, triples=triples)
    lines = buf.getvalue().splitlines()
    per = max(1, len(lines) // graphs)
    names, g, count = [], 0, 0
    res_start = "> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/rightsgraph/ns#Resource> ."
    with path.open("w", encoding="utf-8") as f:
        name = f"https://peer.example.org/graph/{g:03d}"
        names.append(name)
        for line in lines:
            if count >= per and line.endswith(res_start) and g < graphs - 1:
                g, count = g + 1, 0
                name = f"https://peer.example.org/graph/{g:03d}"
                names.append(name)
            f.write(f"{line[:-2]} <{name}> .\n")
            count += 1
    return n, names


def start_peer(location: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([oxigraph_exe(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                             "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("oxigraph serve exited early")
        try:
            requests.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
            return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("oxigraph serve did not start within 60 s")


def child(endpoint: str, store_dir: Path) -> dict:
    code = CHILD.format(src=str(ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code, endpoint, str(store_dir)], capture_output=True, text=True,
                         timeout=3600)
    if out.returncode:
        raise SystemExit(f"harvest failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--graphs", type=int, default=100)
    ap.add_argument("--changed", type=float, default=0.01, help="share of graphs changed before the incremental run")
    ap.add_argument("--quick", action="store_true", help="100,000 triples")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    triples = 100_000 if args.quick else args.triples
    results: dict = {}
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        n, names = make_dataset(d / "peer.nq", triples, args.graphs)
        t = time.perf_counter()
        subprocess.run([oxigraph_exe(), "load", "--location", str(d / "peer"), "--file", str(d / "peer.nq")],
                       check=True, capture_output=True, timeout=3600)
        results.update(triples=n, graphs=len(names), oxigraph_load_seconds=time.perf_counter() - t)
        proc, url = start_peer(d / "peer")
        try:
            endpoint = url + "/query"
            results["full"] = child(endpoint, d / "here")
            k = max(1, round(len(names) * args.changed))
            for i, g in enumerate(names[:k]):
                r = requests.post(url + "/update", timeout=60, headers={"Content-Type": "application/sparql-update"},
                                  data=f"INSERT DATA {{ GRAPH <{g}> {{ <https://peer.example.org/res/new-{i}> a "
                                       f"<https://w3id.org/rightsgraph/ns#Resource> ; <http://purl.org/dc/terms/title> "
                                       f'"A new title {i}" }} }}')
                r.raise_for_status()
            results["changed_graphs"] = k
            results["incremental"] = child(endpoint, d / "here")
            results["unchanged_rerun"] = child(endpoint, d / "here")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    f, i, u = results["full"], results["incremental"], results["unchanged_rerun"]
    print(f"peer: {results['triples']:,} triples in {results['graphs']} graphs "
          f"(oxigraph load {results['oxigraph_load_seconds']:.1f} s)")
    for name, r in (("full harvest", f), (f"incremental ({results['changed_graphs']} graph(s) changed)", i),
                    ("re-run, nothing changed", u)):
        tm = ", ".join(f"{k} {v:.2f} s" for k, v in r["timings"].items())
        print(f"  {name:<36}: {r['seconds']:7.2f} s  peak {r['peak_rss_mb']:6.0f} MB  {r['counts']}  ({tm})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
