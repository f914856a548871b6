"""HTTP throughput of rightsgraph next to `oxigraph serve`, same data, same client (wrk).

Scenarios (each prints requests/s for both servers and the ratio):
  select     a simple SELECT on /sparql (rightsgraph) vs /query (oxigraph serve)
  decision   GET /api/v1/decision (rightsgraph, full ODRL semantics) vs the equivalent
             best single SPARQL query (bench_decisions.SPARQL) on oxigraph serve; and that
             SPARQL query on rightsgraph's /sparql (a SELECT of about a millisecond)
  remote     the decision API with rightsgraph on the remote store (--store: the same
             oxigraph serve) next to the embedded store: latency and throughput
  batch      10,000 decisions in one POST /api/v1/decisions (seconds)

Usage: python benchmarks/bench_http.py [--triples 1000000] [--policies 10000] [--quick]
Needs `wrk` (Debian package wrk). Every server runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decisions import EPOCH, EX, ODRL, REQUEST_ACTIONS, SPARQL, generate  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def wrk(base: str, paths: list[str], seconds: int, connections: int, workdir: Path) -> dict:
    """Run wrk over `paths` in turn; requests/s, latency and errors."""
    script = workdir / "paths.lua"
    script.write_text("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                      "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format('GET', paths[i])\nend\n"
                      "done = function(summary, latency, requests)\n"
                      "  io.write(string.format('JSON {\"rps\": %f, \"p50_ms\": %f, \"p99_ms\": %f, "
                      "\"errors\": %d, \"non2xx\": %d}\\n', summary.requests / (summary.duration / 1e6), "
                      "latency:percentile(50) / 1000, latency:percentile(99) / 1000, "
                      "summary.errors.connect + summary.errors.read + summary.errors.write + "
                      "summary.errors.timeout, summary.errors.status))\nend\n")
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), base],
                         capture_output=True, text=True, timeout=seconds + 60)
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("JSON "))
    return json.loads(line[5:])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="rightsgraph serve --workers (reader processes)")
    ap.add_argument("--quick", action="store_true", help="100k triples, 1,000 policies, 5 s runs")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    if args.quick:
        args.triples, args.policies, args.seconds = 100_000, 1_000, 5
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="rg-bench-http-"))
    procs = []
    try:
        data, n, n_articles, n_libraries = generate(args.triples, args.policies, rnd)
        nt = work / "catalogue.nt"
        nt.write_bytes(data)
        print(f"data: {n:,} triples ({args.policies:,} policies); rightsgraph serve --workers {args.workers}")

        t0 = time.perf_counter()
        out = subprocess.run([str(BIN / "rightsgraph"), "--data-dir", str(work / "rg"), "load", str(nt),
                              "--graph", "https://bench.example/graph/catalogue"], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        print(f"rightsgraph validated load: {time.perf_counter() - t0:.1f} s")
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / "ox"), "--file", str(nt),
                        "--graph", "https://bench.example/graph/catalogue"], check=True, capture_output=True)

        rg_port, ox_port = free_port(), free_port()
        procs.append(subprocess.Popen([str(BIN / "rightsgraph"), "--data-dir", str(work / "rg"), "serve",
                                       "--port", str(rg_port), "--workers", str(args.workers)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(work / "ox"), "--bind",
                                       f"127.0.0.1:{ox_port}", "--union-default-graph"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rg, ox = f"http://127.0.0.1:{rg_port}", f"http://127.0.0.1:{ox_port}"
        wait(rg + "/healthz")
        wait(ox + "/query?query=ASK%7B%7D")

        # -- simple SELECT ------------------------------------------------------------------
        selects = [f"SELECT ?t WHERE {{ <{EX}article/{rnd.randrange(n_articles)}> "
                   f"<http://purl.org/dc/terms/title> ?t }}" for _ in range(500)]
        rg_paths = ["/sparql?" + urlencode({"query": q}) for q in selects]
        ox_paths = ["/query?" + urlencode({"query": q}) for q in selects]
        for base, paths in ((rg, rg_paths), (ox, ox_paths)):
            requests.get(base + paths[0], headers={"Accept": "application/sparql-results+json"}, timeout=30)
        r_rg = wrk(rg, rg_paths, args.seconds, args.connections, work)
        r_ox = wrk(ox, ox_paths, args.seconds, args.connections, work)
        print(f"\nsimple SELECT, wrk {args.connections} connections, {args.seconds} s:")
        print(f"  oxigraph serve  {r_ox['rps']:9.0f} req/s  p50 {r_ox['p50_ms']:.2f} ms  errors {r_ox['errors'] + r_ox['non2xx']}")
        print(f"  rightsgraph     {r_rg['rps']:9.0f} req/s  p50 {r_rg['p50_ms']:.2f} ms  errors {r_rg['errors'] + r_rg['non2xx']}")
        print(f"  ratio rightsgraph / oxigraph serve: {r_rg['rps'] / r_ox['rps']:.2f}x (target >= 0.8x)")

        # -- decisions ----------------------------------------------------------------------
        reqs = []
        for _ in range(1000):
            asset = f"{EX}article/{rnd.randrange(n_articles)}"
            party = f"{EX}library/{rnd.randrange(n_libraries)}"
            action = ODRL + rnd.choice(REQUEST_ACTIONS)
            now = EPOCH + timedelta(days=rnd.randrange(0, 4 * 365))
            reqs.append((asset, party, action, now))
        rg_paths = ["/api/v1/decision?" + urlencode({"target": a, "action": act, "assignee": p,
                                                     "at": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
                    for a, p, act, now in reqs]
        ox_paths = ["/query?query=" + quote(SPARQL % {"asset": a, "party": p, "action": act,
                                                       "now": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
                    for a, p, act, now in reqs]
        t0 = time.perf_counter()
        for _ in range(4 * args.workers):  # every reader process builds its policy index
            requests.get(rg + rg_paths[0], timeout=300)
        print(f"\npolicy indexes built on first decisions: {time.perf_counter() - t0:.2f} s")
        d_rg = wrk(rg, rg_paths, args.seconds, args.connections, work)
        d_ox = wrk(ox, ox_paths, args.seconds, args.connections, work)
        # the same SPARQL decision query through rightsgraph's /sparql: a SELECT that costs
        # Oxigraph about a millisecond, next to the trivial point lookup above
        rg_sparql = ["/sparql?" + p[len("/query?"):] for p in ox_paths]
        q_rg = wrk(rg, rg_sparql, args.seconds, args.connections, work)
        print(f"decisions, wrk {args.connections} connections, {args.seconds} s:")
        print(f"  oxigraph serve (SPARQL)  {d_ox['rps']:9.0f} req/s  p50 {d_ox['p50_ms']:.2f} ms")
        print(f"  rightsgraph API          {d_rg['rps']:9.0f} req/s  p50 {d_rg['p50_ms']:.2f} ms  "
              f"errors {d_rg['errors'] + d_rg['non2xx']}")
        print(f"  ratio: {d_rg['rps'] / d_ox['rps']:.2f}x (target >= 2x)")
        print(f"the same SPARQL decision query on rightsgraph /sparql: {q_rg['rps']:.0f} req/s "
              f"(p50 {q_rg['p50_ms']:.2f} ms, errors {q_rg['errors'] + q_rg['non2xx']}), "
              f"{q_rg['rps'] / d_ox['rps']:.2f}x oxigraph serve (target >= 0.8x)")

        # -- the same decisions with rightsgraph on the remote store (oxigraph serve) ----------
        rm_port = free_port()
        procs.append(subprocess.Popen([str(BIN / "rightsgraph"), "--data-dir", str(work / "rm"), "--store", ox, "serve",
                                       "--port", str(rm_port), "--workers", str(args.workers)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rm = f"http://127.0.0.1:{rm_port}"
        wait(rm + "/healthz")
        t0 = time.perf_counter()
        for _ in range(4 * args.workers):
            requests.get(rm + rg_paths[0], timeout=600)
        print(f"\nremote-store mode: policy indexes built from oxigraph serve in {time.perf_counter() - t0:.2f} s")
        lat = {}
        for name, base in (("embedded", rg), ("remote", rm)):
            s = requests.Session()
            times = []
            for path in rg_paths[:300]:
                t1 = time.perf_counter()
                s.get(base + path, timeout=60)
                times.append((time.perf_counter() - t1) * 1000)
            times.sort()
            lat[name] = (times[len(times) // 2], times[int(len(times) * 0.99) - 1])
        d_rm = wrk(rm, rg_paths, args.seconds, args.connections, work)
        print(f"decision latency, one client, 300 requests: embedded p50 {lat['embedded'][0]:.2f} ms "
              f"p99 {lat['embedded'][1]:.2f} ms; remote store p50 {lat['remote'][0]:.2f} ms "
              f"p99 {lat['remote'][1]:.2f} ms")
        print(f"decisions/s with wrk: embedded {d_rg['rps']:.0f}, remote store {d_rm['rps']:.0f}")

        # -- batch --------------------------------------------------------------------------
        batch = [{"target": a, "action": act, "assignee": p, "at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}
                 for a, p, act, now in (reqs * 10)[:10_000]]
        t0 = time.perf_counter()
        resp = requests.post(rg + "/api/v1/decisions", json={"requests": batch}, timeout=300)
        took = time.perf_counter() - t0
        assert resp.status_code == 200 and len(resp.json()["decisions"]) == 10_000
        print(f"\nbatch: 10,000 decisions in one request: {took:.2f} s (target < 1 s)")
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
