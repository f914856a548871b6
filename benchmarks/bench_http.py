"""HTTP throughput of rightsgraph next to `oxigraph serve`, same data, same client (wrk).

Scenarios (each prints requests/s per server and the ratios):
  select     simple SELECTs in three shapes, 500 random instances each, with
             `Accept: application/sparql-results+json` on every request:
               point     SELECT ?t WHERE { <article/N> dct:title ?t }             (1 row)
               describe  SELECT ?p ?o WHERE { <article/N> ?p ?o }                 (about 12 rows)
               journal   SELECT ?a ?t ?d WHERE { ?a odrl:partOf <journal/N> ;
                                                 dct:title ?t ; dct:issued ?d }   (tens of rows)
             each shape on four servers one after the other: oxigraph serve (/query, the
             baseline), a plain Flask wrapper around pyoxigraph under gunicorn -w 2
             (plain_flask_wrapper.py, the calibration baseline), rightsgraph /sparql (the
             full, authenticated path) and rightsgraph --public-sparql oxigraph (nginx in
             front: anonymous queries to `oxigraph serve-read-only` on the public snapshot;
             needs the nginx binary, skipped with a message without it or when the server
             does not start). Headline: public tier / oxigraph serve (target >= 0.8x).
  decision   GET /api/v1/decision (rightsgraph, full ODRL semantics) vs the equivalent
             best single SPARQL query (bench_decisions.SPARQL) on oxigraph serve; and that
             SPARQL query on rightsgraph's /sparql (a SELECT of about a millisecond)
  remote     the decision API with rightsgraph on the remote store (--store: the same
             oxigraph serve) next to the embedded store: latency and throughput
  batch      10,000 decisions in one POST /api/v1/decisions (seconds)

Usage: python benchmarks/bench_http.py [--triples 1000000] [--policies 10000] [--seconds 10] [--quick]
Needs `wrk` (Debian package wrk); the public tier needs `nginx` (Debian package nginx-light).
Every server runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
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
from bench_decisions import DCT, EPOCH, EX, ODRL, REQUEST_ACTIONS, SPARQL, generate  # noqa: E402

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
GRAPH = "https://bench.example/graph/catalogue"
ACCEPT_JSON = "application/sparql-results+json"
START_TIMEOUT = 60  # seconds a server of the select scenario gets to start before it is skipped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, seconds: float = 120, proc: subprocess.Popen | None = None) -> None:
    """Until `url` answers at all; RuntimeError if it does not in time or `proc` exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def start(cmd: list[str], log: Path | None = None, env: dict | None = None) -> subprocess.Popen:
    """A server in its own session (so that stop() also reaches whatever it starts)."""
    out = log.open("wb") if log else subprocess.DEVNULL
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
                            env=env, start_new_session=True)


def stop(p: subprocess.Popen) -> None:
    """Terminate `p`, then anything of its process group it left behind; safe to call twice."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        for _ in range(50):
            time.sleep(0.1)
            try:
                os.killpg(p.pid, 0)
            except (ProcessLookupError, PermissionError):
                return


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine so far (Linux /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]        # idle + iowait
    return sum(fields) - idle, sum(fields)


def wait_until_quiet(busy_below: float = 0.15, window: float = 2.0, seconds: float = 300) -> float:
    """Wait until the machine is nearly idle for `window` s (at most `seconds`): what the
    servers do after starting (compiling and saving policies, the risk report, the public
    copy compacted) must not be measured as their answers. Returns the seconds waited."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        b0, n0 = _cpu_ticks()
        time.sleep(window)
        b1, n1 = _cpu_ticks()
        if n1 > n0 and (b1 - b0) / (n1 - n0) < busy_below:
            break
    return time.monotonic() - t0


def tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join("      " + ln for ln in text[-lines:] if ln.strip())


def wrk(base: str, paths: list[str], seconds: int, connections: int, workdir: Path,
        accept: str | None = None) -> dict:
    """Run wrk over `paths` in turn (with an Accept header if given); requests/s, latency and errors."""
    script = workdir / "paths.lua"
    headers = "{Accept = " + json.dumps(accept) + "}" if accept else "{}"
    script.write_text("paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
                      f"headers = {headers}\n"
                      "i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format('GET', paths[i], headers)\nend\n"
                      "done = function(summary, latency, requests)\n"
                      "  io.write(string.format('JSON {\"rps\": %f, \"requests\": %d, \"p50_ms\": %f, "
                      "\"p99_ms\": %f, \"errors\": %d, \"non2xx\": %d}\\n', "
                      "summary.requests / (summary.duration / 1e6), summary.requests, "
                      "latency:percentile(50) / 1000, latency:percentile(99) / 1000, "
                      "summary.errors.connect + summary.errors.read + summary.errors.write + "
                      "summary.errors.timeout, summary.errors.status))\nend\n")
    # wrk needs at least as many connections as threads
    out = subprocess.run(["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s",
                          "-s", str(script), base],
                         capture_output=True, text=True, timeout=seconds + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary: {(out.stderr or out.stdout).strip()[-300:]}")
    return json.loads(line[5:])


def sparql_check(base: str, path: str) -> tuple[int, str, int | None]:
    """Status, X-Served-By header and number of result rows of one request."""
    r = requests.get(base + path, headers={"Accept": ACCEPT_JSON}, timeout=60)
    rows = None
    if r.status_code == 200:
        try:
            rows = len(r.json()["results"]["bindings"])
        except (ValueError, KeyError, TypeError):
            pass
    return r.status_code, r.headers.get("X-Served-By", ""), rows


def ratio(a: dict | None, b: dict | None) -> str:
    return f"{a['rps'] / b['rps']:.2f}x" if a and b and b["rps"] else "n/a"


def start_flask_wrapper(work: Path, port: int, procs: list
                        ) -> tuple[subprocess.Popen | None, str | None, str]:
    """gunicorn -w 2 on plain_flask_wrapper.py, on its own read-only copy of the data (`fx`).
    (proc, base URL, reason when not started)."""
    log = work / "flask.log"
    p = start([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(HERE),
               "plain_flask_wrapper:app"], log, env={**os.environ, "RG_BENCH_STORE": str(work / "fx")})
    procs.append(p)
    base = f"http://127.0.0.1:{port}"
    try:
        wait(base + "/healthz", START_TIMEOUT, p)
    except RuntimeError as e:
        stop(p)
        return None, None, f"{e}\n{tail(log)}"
    return p, base, ""


def start_public_tier(work: Path, port: int, workers: int, probe: str, procs: list, cache_mb: int | None = None
                      ) -> tuple[subprocess.Popen | None, str | None, str]:
    """rightsgraph --public-sparql oxigraph on its own data dir; ready once an anonymous query
    through the public port is answered by Oxigraph. (proc, base URL, reason when not started)."""
    if not shutil.which("nginx"):
        return None, None, "nginx not found (apt-get install nginx-light): the public tier is not measured"
    log = work / "public.log"
    p = start([str(BIN / "rightsgraph"), "--data-dir", str(work / "rg-public"), "serve", "--port", str(port),
               "--workers", str(workers), "--public-sparql", "oxigraph"], log,
              env=None if cache_mb is None else dict(os.environ, RIGHTSGRAPH_PUBLIC_CACHE_MB=str(cache_mb)))
    procs.append(p)
    base = f"http://127.0.0.1:{port}"
    try:
        wait(base + "/healthz", START_TIMEOUT, p)
        deadline, last = time.monotonic() + START_TIMEOUT, "no answer"
        while True:
            if p.poll() is not None:
                raise RuntimeError(f"the server exited with code {p.returncode}")
            try:
                status, served_by, _ = sparql_check(base, probe)
                # measure the steady state: the compacted public copy, which takes over
                # about a second after the fresh one (serving/public_tier.py)
                if status == 200 and served_by == "oxigraph" and "compacted copy" in log.read_text():
                    break
                last = f"HTTP {status}, X-Served-By: {served_by or '(none)'}"
            except requests.RequestException as e:
                last = str(e)
            if time.monotonic() > deadline:
                raise RuntimeError(f"no anonymous query answered by oxigraph within {START_TIMEOUT} s "
                                   f"(last: {last})")
            time.sleep(0.5)
    except RuntimeError as e:
        stop(p)
        return None, None, f"{e}\n{tail(log)}"
    return p, base, ""


def journal_sizes(data: bytes) -> dict[int, int]:
    """The journals as the generator wrote them, with their number of articles."""
    part_of = re.compile(re.escape(f"<{EX}article/").encode() + rb"\d+> "
                         + re.escape(f"<{ODRL}partOf> <{EX}journal/").encode() + rb"(\d+)>")
    sizes: dict[int, int] = {}
    for m in part_of.finditer(data):
        sizes[int(m[1])] = sizes.get(int(m[1]), 0) + 1
    return sizes


def select_shapes(data: bytes, n_articles: int, point_rnd: random.Random, other_rnd: random.Random
                  ) -> dict[str, tuple[str, list[str]]]:
    """The simple SELECTs of the select scenario, 500 instances of each shape:
    {shape: (the rows it answers, queries)}. The point lookups draw from `point_rnd`, the
    others from `other_rnd`."""
    sizes = journal_sizes(data)
    journals = sorted(sizes)
    return {
        "point": ("1 row", [f"SELECT ?t WHERE {{ <{EX}article/{point_rnd.randrange(n_articles)}> "
                            f"<{DCT}title> ?t }}" for _ in range(500)]),
        "describe": ("about 12 rows", [f"SELECT ?p ?o WHERE {{ <{EX}article/{other_rnd.randrange(n_articles)}> "
                                       f"?p ?o }}" for _ in range(500)]),
        "journal": (f"{min(sizes.values())}-{max(sizes.values())} rows, {len(journals)} journals",
                    [f"SELECT ?a ?t ?d WHERE {{ ?a <{ODRL}partOf> <{EX}journal/{other_rnd.choice(journals)}> ; "
                     f"<{DCT}title> ?t ; <{DCT}issued> ?d }}" for _ in range(500)]),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--policies", type=int, default=10_000)
    ap.add_argument("--seconds", type=int, default=None, help="seconds per wrk run (default 10, 5 with --quick)")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2, help="rightsgraph serve --workers (reader processes)")
    ap.add_argument("--quick", action="store_true", help="100k triples, 1,000 policies, 5 s runs")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--public-cache-mb", type=int, default=None,
                    help="the public tier's answers kept per snapshot (RIGHTSGRAPH_PUBLIC_CACHE_MB; default the "
                         "service's, 256; 0: every query runs on Oxigraph). The benchmark repeats 500 queries "
                         "per shape, so with answers kept most are answered by nginx from them")
    args = ap.parse_args(argv)
    if args.quick:
        args.triples, args.policies = 100_000, 1_000
    if args.seconds is None:
        args.seconds = 5 if args.quick else 10
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
        print(f"data: {n:,} triples ({args.policies:,} policies); rightsgraph serve --workers {args.workers}; "
              f"public tier answers kept: " + ("service default" if args.public_cache_mb is None
                                               else f"{args.public_cache_mb} MB"))

        t0 = time.perf_counter()
        out = subprocess.run([str(BIN / "rightsgraph"), "--data-dir", str(work / "rg"), "load", str(nt),
                              "--graph", GRAPH], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return 1
        print(f"rightsgraph validated load: {time.perf_counter() - t0:.1f} s")
        # the public tier gets its own copy of the loaded data dir (never two writers on one store)
        shutil.copytree(work / "rg", work / "rg-public", symlinks=True)
        for location in ("ox", "fx"):  # oxigraph serve's store; the Flask wrapper's read-only copy
            subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(work / location), "--file", str(nt),
                            "--graph", GRAPH], check=True, capture_output=True)

        rg_port, ox_port = free_port(), free_port()
        procs.append(start([str(BIN / "rightsgraph"), "--data-dir", str(work / "rg"), "serve",
                            "--port", str(rg_port), "--workers", str(args.workers)]))
        procs.append(start([str(BIN / "oxigraph"), "serve", "--location", str(work / "ox"), "--bind",
                            f"127.0.0.1:{ox_port}", "--union-default-graph"]))
        rg, ox = f"http://127.0.0.1:{rg_port}", f"http://127.0.0.1:{ox_port}"
        wait(rg + "/healthz")
        wait(ox + "/query?query=ASK%7B%7D")

        # -- simple SELECT, three shapes, four servers --------------------------------------
        # the point lookups draw from `rnd` exactly as before (the decision requests below stay
        # the same); the other shapes from their own generator
        shapes = select_shapes(data, n_articles, rnd, random.Random(args.seed + 1))
        fl_proc, fl, fl_reason = start_flask_wrapper(work, free_port(), procs)
        pub_proc, pub, pub_reason = start_public_tier(
            work, free_port(), args.workers, "/public/sparql?" + urlencode({"query": shapes["point"][1][0]}), procs,
            cache_mb=args.public_cache_mb)
        servers = [  # name, base URL (None: not running), path prefix, why not running
            ("oxigraph serve", ox, "/query", ""),
            ("plain Flask wrapper", fl, "/sparql", fl_reason),
            ("rightsgraph /sparql", rg, "/sparql", ""),
            ("rightsgraph public tier /public/sparql", pub, "/public/sparql", pub_reason),
        ]
        print(f"servers started; waited {wait_until_quiet():.0f} s for them to settle (machine under 15% busy)")
        print(f"\nsimple SELECT, wrk {args.connections} connections, {args.seconds} s per run, "
              f"Accept: {ACCEPT_JSON}")
        for name, base, _, reason in servers:
            if base is None:
                print(f"  {name}: not measured: {reason}")
        headlines = []
        for shape, (rows, queries) in shapes.items():
            res: dict[str, dict | None] = {}
            checks = []
            for name, base, prefix, _ in servers:
                if base is None:
                    continue
                paths = [f"{prefix}?" + urlencode({"query": q}) for q in queries]
                try:  # one request first: warm-up, and which route answered with how many rows
                    status, served_by, n_rows = sparql_check(base, paths[0])
                    checks.append(f"{name} HTTP {status}, {n_rows} rows"
                                  + (f", X-Served-By: {served_by or '(none)'}" if base == pub else ""))
                    if base == pub and served_by != "oxigraph":
                        checks[-1] += " -- NOT the oxigraph route: this row measures rightsgraph's gunicorn"
                    res[name] = wrk(base, paths, args.seconds, args.connections, work, accept=ACCEPT_JSON)
                except (requests.RequestException, RuntimeError, subprocess.TimeoutExpired) as e:
                    checks.append(f"{name} failed: {e}")
                    res[name] = None
            base_ox = res.get("oxigraph serve")
            print(f"\n  {shape} ({rows}):")
            for c in checks:
                print(f"    check: {c}")
            print(f"    {'server':<40}{'req/s':>9}{'p50 ms':>9}{'errors':>8}   vs oxigraph serve")
            for name, base, _, _ in servers:
                r = res.get(name)
                if r is None:
                    print(f"    {name:<40}{'-':>9}{'-':>9}{'-':>8}   " + ("failed" if base else "not running"))
                else:
                    print(f"    {name:<40}{r['rps']:9.0f}{r['p50_ms']:9.2f}{r['errors'] + r['non2xx']:8d}   "
                          f"{ratio(r, base_ox)}")
            line = (f"    ratio rightsgraph (public tier) / oxigraph serve: "
                    f"{ratio(res.get('rightsgraph public tier /public/sparql'), base_ox)} (target >= 0.8x)")
            calib = (f"    calibration: plain Flask wrapper / oxigraph serve: "
                     f"{ratio(res.get('plain Flask wrapper'), base_ox)} (the issue: about 0.45-0.6x); "
                     f"rightsgraph /sparql (full path): {ratio(res.get('rightsgraph /sparql'), base_ox)}")
            print(line)
            print(calib)
            headlines.append(f"  {shape:<9}" + line.strip()[len("ratio "):])
        print("\nsimple SELECT summary:")
        print("\n".join(headlines))
        # only rightsgraph (`rg`) and oxigraph serve are needed from here on
        for p in (fl_proc, pub_proc):
            if p is not None:
                stop(p)

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
        print(f"  ratio: {d_rg['rps'] / d_ox['rps']:.2f}x (issue 11: >= 3x, and >= 6,000 decisions/s)")
        print(f"the same SPARQL decision query on rightsgraph /sparql: {q_rg['rps']:.0f} req/s "
              f"(p50 {q_rg['p50_ms']:.2f} ms, errors {q_rg['errors'] + q_rg['non2xx']}), "
              f"{q_rg['rps'] / d_ox['rps']:.2f}x oxigraph serve (target >= 0.8x)")

        # -- the same decisions with rightsgraph on the remote store (oxigraph serve) ----------
        rm_port = free_port()
        procs.append(start([str(BIN / "rightsgraph"), "--data-dir", str(work / "rm"), "--store", ox, "serve",
                            "--port", str(rm_port), "--workers", str(args.workers)]))
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
        for p in reversed(procs):
            stop(p)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
