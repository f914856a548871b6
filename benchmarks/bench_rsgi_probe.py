"""Issue 11's 6,000 decisions/s: the server in front of the decision, measured three ways on
one store with the same requests, and the slow-body check that decides between them.

  serve     `rightsgraph serve` as shipped: waitress, one process (the default)
  wsgi      the same Flask app under granian's WSGI interface, one worker
  rsgi      the design proposed: granian's RSGI interface with the bridge of
            rsgi_probe_app.py (decisions on the event loop, bodies read there in full)

For each: decisions/s with wrk (4 connections) on GET /api/v1/decision; then 16 clients each
send a POST header and 3 of 100 body bytes and stall, and the time one GET decision takes
meanwhile is printed (waitress reads bodies before a thread takes the request; granian's
WSGI interface hands the request to a thread that then waits for the body).

Needs granian (`pip install -e '.[bench]'`) and wrk. The store: `--data-dir` of a store made
by bench_http's generator (`--make N` makes one of N triples there first).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_decisions import EPOCH, EX, ODRL, REQUEST_ACTIONS, generate  # noqa: E402
from bench_http import BIN, free_port, start, stop, wait, wait_until_quiet, wrk  # noqa: E402


def questions(n_triples: int, n_policies: int, seed: int = 7) -> list[str]:
    """The decision requests bench_http.py asks of a store its generator made (same seed)."""
    rnd = random.Random(seed)
    _, _, n_articles, n_libraries = generate(n_triples, n_policies, rnd)
    paths = []
    for _ in range(1000):
        asset, party = f"{EX}article/{rnd.randrange(n_articles)}", f"{EX}library/{rnd.randrange(n_libraries)}"
        action, now = ODRL + rnd.choice(REQUEST_ACTIONS), EPOCH + timedelta(days=rnd.randrange(0, 4 * 365))
        paths.append("/api/v1/decision?" + urlencode({"target": asset, "action": action, "assignee": party,
                                                      "at": now.strftime("%Y-%m-%dT%H:%M:%SZ")}))
    return paths


def slow_senders_then_one_decision(base: str, path: str, senders: int = 16) -> float:
    host, port = base.rsplit("//", 1)[1].split(":")
    socks = []
    for _ in range(senders):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 100\r\n\r\nASK")
        socks.append(s)
    time.sleep(0.5)
    t0 = time.perf_counter()
    try:
        requests.get(base + path, timeout=10).raise_for_status()
        took = time.perf_counter() - t0
    except requests.RequestException:
        took = float("inf")
    for s in socks:
        s.close()
    return took


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, type=Path)
    ap.add_argument("--make", type=int, default=0, help="first make a store of this many triples there")
    ap.add_argument("--policies", type=int, default=None, help="policies of that store (default triples/100)")
    ap.add_argument("--triples", type=int, default=100_000, help="the store's size, to draw the same questions")
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1, help="server processes of each (serve --workers N: a "
                    "writer and N readers; granian --workers N)")
    args = ap.parse_args(argv)
    n = args.make or args.triples
    policies = args.policies or max(1000, n // 100)
    if args.make:
        data, *_ = generate(n, policies, random.Random(7))
        nt = args.data_dir.with_suffix(".nt")
        nt.write_bytes(data)
        subprocess.run([str(BIN / "rightsgraph"), "--data-dir", str(args.data_dir), "load", str(nt),
                        "--graph", "https://example.org/bench/graph"], check=True)
        nt.unlink()
    paths = questions(n, policies)
    env = dict(os.environ, RG_PROBE_DATA_DIR=str(args.data_dir), PYTHONPATH=f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    if args.workers > 1:
        # N granian processes cannot all open the store read-write: they read a published
        # snapshot of it, as serve's readers do
        subprocess.run([sys.executable, "-c", "import sys; from rightsgraph.store.embedded import open_store; "
                        "from rightsgraph.store.snapshots import publish; s = open_store(sys.argv[1]); publish(s); "
                        "s.close()", str(args.data_dir)], check=True, env=env)
        env["RG_PROBE_SNAPSHOT"] = "1"
    results = {}
    for name in ("serve", "wsgi", "rsgi"):
        port = free_port()
        if name == "serve":
            cmd = [str(BIN / "rightsgraph"), "--data-dir", str(args.data_dir), "serve", "--port", str(port),
                   "--workers", str(args.workers)]
        else:
            cmd = [sys.executable, "-m", "granian", "--interface", name, "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(args.workers), "--blocking-threads", "8" if name == "wsgi" else "1",
                   "--log-level", "warning", f"rsgi_probe_app:{name}_app"]
        proc = start(cmd, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            wait(base + "/healthz", 300, proc)
            for _ in range(8):
                requests.get(base + paths[0], timeout=300)
            wait_until_quiet()      # the warm-up's compile and risk report are not the answers measured
            res = wrk(base, paths, args.seconds, 4, args.data_dir.parent)
            stalled = slow_senders_then_one_decision(base, paths[1])
            results[name] = (res["rps"], res["p50_ms"], res["errors"] + res["non2xx"], stalled)
        finally:
            stop(proc)
    print(f"{n:,} triples, {policies:,} policies; {args.workers} server process(es) each; wrk 4 connections, "
          f"{args.seconds} s; then one decision while 16 clients stall mid-body")
    print(f"  {'server':<42}{'decisions/s':>12}{'p50 ms':>8}{'errors':>8}{'vs serve':>9}{'decision meanwhile':>20}")
    labels = {"serve": "rightsgraph serve (waitress)", "wsgi": "granian WSGI, 8 threads",
              "rsgi": "granian RSGI + bridge (proposed)"}
    for name, (rps, p50, errors, stalled) in results.items():
        meanwhile = "no answer in 10 s" if stalled == float("inf") else f"{stalled * 1000:.0f} ms"
        print(f"  {labels[name]:<42}{rps:>12,.0f}{p50:>8.2f}{errors:>8}{rps / results['serve'][0]:>8.2f}x{meanwhile:>20}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
