"""What any proxy in front of Oxigraph costs here: the floor under the public read tier.

The public tier (serving/public_tier.py) puts nginx in front of `oxigraph serve-read-only`,
and issue 11 asks for at least 0.8x `oxigraph serve` on the point, describe and journal
SELECTs of bench_http.py. This benchmark separates the tier's own rules from the hop itself:
on the same optimized store it measures, one after the other,

  oxigraph     `oxigraph serve-read-only --union-default-graph` asked directly (the baseline)
  bare nginx   the smallest nginx reverse proxy in front of that same process: one location,
               upstream keepalive, no maps, no cache, no limits (nothing the tier adds)

with wrk at 4 connections (the issue's setting; both cores busy) and at 1 connection (the
machine not saturated: what the hop adds to latency alone), and the CPU time each process
spends per request (psutil), so the ratio can be read as arithmetic: with the machine
saturated, requests/s is about cores / (CPU per request), and a proxy reaches 0.8x only if
its own CPU per request is at most a quarter of everything a direct request costs.

It also probes why the public port cannot simply be Oxigraph itself: how deeply nested a
query `oxigraph serve` survives before its stack overflows and the whole process aborts
(every client's queries with it), and how large that query is.

Usage: python benchmarks/bench_public_hop.py [--triples 1000000] [--seconds 5]
Needs wrk and nginx (Debian packages wrk, nginx-light). Every server runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decisions import generate  # noqa: E402
from bench_http import (ACCEPT_JSON, free_port, select_shapes, start, stop, wait,  # noqa: E402
                        wait_until_quiet, wrk)

BIN = Path(sys.executable).parent
GRAPH = "https://bench.example/graph/catalogue"

BARE_NGINX = """\
worker_processes auto;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp;
  proxy_temp_path {dir}/tmp;
  upstream oxigraph {{ server 127.0.0.1:{ox_port}; keepalive 32; }}
  proxy_http_version 1.1;
  server {{
    listen 127.0.0.1:{port};
    location = /public/sparql {{
      proxy_pass http://oxigraph/query$is_args$args;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def measure(base: str, paths: list[str], seconds: int, connections: int, work: Path,
            groups: dict[str, list[psutil.Process]]) -> dict:
    """bench_http's wrk run, with the CPU microseconds per request of each process group and
    of the whole machine."""
    before = {name: cpu_seconds(ps) for name, ps in groups.items()}
    m0 = psutil.cpu_times()
    res = wrk(base, paths, seconds, connections, work, accept=ACCEPT_JSON)
    m1 = psutil.cpu_times()
    if res["errors"] or res["non2xx"] or not res["requests"]:
        raise RuntimeError(f"wrk against {base}: {res}")
    n = res["requests"]
    busy = (m1.user + m1.system) - (m0.user + m0.system)
    idle = m1.idle - m0.idle
    return {**res, "machine_busy": busy / max(busy + idle, 1e-9), "cpu_us": 1e6 * busy / n,
            **{f"{name}_us": 1e6 * (cpu_seconds(ps) - before[name]) / n for name, ps in groups.items()}}


def crash_depth(ox_exe: str, location: Path, work: Path) -> tuple[int | None, int]:
    """The smallest nesting depth (of 125, 250, ... 4,000) whose query aborts `oxigraph serve`,
    and that query's size in bytes; (None, 0) if none does."""
    for depth in (125, 250, 500, 1000, 2000, 4000):
        port = free_port()
        proc = start([ox_exe, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                      "--union-default-graph"], work / "crash.log")     # as the public tier runs it
        try:
            wait(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", 60, proc)
            query = "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth + " LIMIT 1"
            try:
                requests.post(f"http://127.0.0.1:{port}/query", data={"query": query}, timeout=30)
            except requests.RequestException:
                pass
            time.sleep(0.5)
            if proc.poll() is not None:
                return depth, len(query.encode())
        finally:
            stop(proc)
    return None, 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7, help="as bench_http.py's")
    args = ap.parse_args(argv)
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            print(f"{tool} not found (apt-get install {'wrk' if tool == 'wrk' else 'nginx-light'})", file=sys.stderr)
            return 2
    work = Path(tempfile.mkdtemp(prefix="rg-bench-hop-"))
    procs: list[subprocess.Popen] = []
    try:
        rnd = random.Random(args.seed)       # drawn from as bench_http.py draws: the same data and queries
        data, n, n_articles, _ = generate(args.triples, max(1000, args.triples // 100), rnd)
        (work / "catalogue.nt").write_bytes(data)
        location = work / "ox"
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file",
                        str(work / "catalogue.nt"), "--graph", GRAPH], check=True, capture_output=True)
        subprocess.run([str(BIN / "oxigraph"), "optimize", "--location", str(location)], check=True,
                       capture_output=True)
        ox_port, ng_port = free_port(), free_port()
        ox = start([str(BIN / "oxigraph"), "serve-read-only", "--location", str(location), "--bind",
                    f"127.0.0.1:{ox_port}", "--union-default-graph"])
        procs.append(ox)
        (work / "nginx" / "tmp").mkdir(parents=True)
        conf = work / "nginx" / "nginx.conf"
        conf.write_text(BARE_NGINX.format(dir=work / "nginx", ox_port=ox_port, port=ng_port))
        ng = start(["nginx", "-p", str(work / "nginx"), "-c", str(conf), "-e", str(work / "nginx" / "error.log")])
        procs.append(ng)
        wait(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D", 60, ox)
        wait(f"http://127.0.0.1:{ng_port}/public/sparql?query=ASK%7B%7D", 60, ng)
        wait_until_quiet()
        groups = {"oxigraph": [psutil.Process(ox.pid)],
                  "nginx": [c for c in psutil.Process(ng.pid).children() if "worker" in " ".join(c.cmdline())]}
        print(f"data: {n:,} triples, optimized; nginx {len(groups['nginx'])} workers; wrk {args.seconds} s per run; "
              f"{psutil.cpu_count()} cores")
        print(f"{'shape':9} {'conns':>5} {'oxigraph/s':>11} {'bare nginx/s':>13} {'ratio':>6} "
              f"{'CPU us/req direct':>18} {'via nginx (nginx, oxigraph)':>30}  {'proxy budget for 0.8x':>22}")
        shapes = select_shapes(data, n_articles, rnd, random.Random(args.seed + 1))
        for shape, (_rows, queries) in shapes.items():
            direct = ["/query?" + urlencode({"query": q}) for q in queries]
            proxied = ["/public/sparql?" + urlencode({"query": q}) for q in queries]
            for conns in (4, 1):
                a = measure(f"http://127.0.0.1:{ox_port}", direct, args.seconds, conns, work, groups)
                b = measure(f"http://127.0.0.1:{ng_port}", proxied, args.seconds, conns, work, groups)
                budget = a["cpu_us"] * (1 / 0.8 - 1)
                print(f"{shape:9} {conns:>5} {a['rps']:>11,.0f} {b['rps']:>13,.0f} {b['rps'] / a['rps']:>5.2f}x "
                      f"{a['cpu_us']:>12.1f} ({a['machine_busy']:.0%}) "
                      f"{b['cpu_us']:>12.1f} ({b['nginx_us']:.1f}, {b['oxigraph_us']:.1f}) ({b['machine_busy']:.0%})"
                      f"  {'nginx must spend <= ' + format(budget, '.1f') + ' us' if conns == 4 else '':>22}")
        stop(ng)
        stop(ox)
        depth, size = crash_depth(str(BIN / "oxigraph"), location, work)
        if depth is None:
            print("oxigraph serve survived every nesting depth tried (up to 4,000)")
        else:
            print(f"oxigraph serve aborts (stack overflow, the whole process) on a query nested {depth} deep: "
                  f"{size:,} bytes; a public port must bound queries before Oxigraph parses them")
        return 0
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
