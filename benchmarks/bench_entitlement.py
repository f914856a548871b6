"""Entitlement lookup by identifier (holdings.py) on a large KBART holding, next to the same
lookup as one SPARQL query, and a batch of identifiers over HTTP.

    python benchmarks/bench_entitlement.py             # 100,000 KBART titles (~2.7M quads)
    python benchmarks/bench_entitlement.py --quick     # 10,000 titles
    python benchmarks/bench_entitlement.py --titles 50000 --lookups 20000 --batch 5000

Figures:
  build      HoldingsIndex.from_store (one SPARQL query) on the whole store
  lookup     HoldingsIndex.entitlement(identifier, date) in process, with the identifier
             already normalised; `ask` adds identifiers.parse (what a door does)
  sparql     the baseline: the same question (identifier -> resource, package, coverage
             start/end/embargo for the date) as one SPARQL query per identifier on the
             same store; the date and embargo are then checked in Python as the index does
  http       POST /api/v1/entitlements with a batch of identifiers to `rightsgraph serve`
             on 127.0.0.1, end to end by urllib + json (encode, send, answer, receive,
             decode), median of --repeat runs; the server's share (its Server-Timing header)
             and the client's json.loads of the answer beside it. The same batch goes to a
             server of the baseline revision (--baseline, default main) on a copy of the
             store, runs alternating between the two; their answers must be equal.
  compact    the same batch with `fields` (--fields) on this checkout's server
  first      each server's first question, which builds its policy and holdings indexes:
             the cost of the first question after a data change (a KBART import)
  after-write (--after-write) in process on a copy of the store, for this checkout and the
             baseline: the first question, a licence import (a write that touches no
             holdings), then the first question after it (main rebuilt the holdings
             index on any write)

    python benchmarks/bench_entitlement.py --keep /tmp/ent --http-only --repeat 7

The identifiers asked are a mix of ISSNs, ISBNs (some as ISBN-10), title_ids, URLs and
DOIs / ISSNs that are not held, each with a publication date.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PACKAGE = "https://bench.example.org/package/big"
LICENCE = f"""@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<https://bench.example.org/licence/big> a odrl:Set ; odrl:uid <https://bench.example.org/licence/big> ;
    odrl:permission [ odrl:target <{PACKAGE}> ; odrl:action odrl:read ] .
"""


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def percentile(xs: list, p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def questions(kbart_path: Path, n: int, seed: int = 11) -> list[tuple[str, str, str]]:
    """(scheme, value as a caller writes it, date) for n questions over the file's rows."""
    rows = [line.split("\t") for line in kbart_path.read_text(encoding="utf-8").splitlines()[1:]]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        c = rows[rng.randrange(len(rows))]
        pick = rng.randrange(10)
        date = str(1940 + rng.randrange(90))
        if pick == 0:
            out.append(("doi", f"10.9999/not-held.{rng.randrange(10**9)}", date))
        elif pick == 1:
            out.append(("issn", "0000-0000", date))       # well-formed, not held
        elif pick == 2:
            out.append(("title_id", c[11], date))
        elif pick == 3:
            out.append(("url", c[9].replace("https://", "http://") + "/", date))
        elif c[16] == "monograph":
            isbn = c[1]
            if isbn.startswith("978") and pick % 2:     # asked as its ISBN-10
                body = isbn[3:12]
                chk = (11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1))) % 11) % 11
                isbn = body + ("X" if chk == 10 else str(chk))
            out.append(("isbn", isbn, date))
        else:
            out.append(("issn", c[rng.choice((1, 2))].replace("-", ""), date))
    return out


SPARQL = """PREFIX rg: <https://w3id.org/rightsgraph/ns#>
PREFIX odrl: <http://www.w3.org/ns/odrl/2/>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?r ?pkg ?start ?end ?embargo WHERE {{
  ?r {pred} "{value}" ; a rg:Resource ; odrl:partOf ?pkg .
  OPTIONAL {{ ?r rg:coverage ?c .
    OPTIONAL {{ ?c dcat:startDate ?start }} OPTIONAL {{ ?c dcat:endDate ?end }} OPTIONAL {{ ?c rg:embargo ?embargo }} }}
}}"""
PREDICATES = {"issn": "rg:issn", "isbn": "rg:isbn", "title_id": "dct:identifier", "url": "rg:titleUrl",
              "doi": "rg:doi"}


def sparql_lookup(store, scheme: str, value: str, date: str, today) -> str:
    """The baseline: the stored form must be known to write the query (the ISSN with its
    hyphen, the ISBN as stored, the URL exactly as stored)."""
    from rightsgraph.holdings import Coverage, parse_date
    literal = value
    if scheme == "url":
        literal = "https://" + value      # as the KBART file wrote it; typed xsd:anyURI
    pred = PREDICATES[scheme]
    obj = f'"{literal}"^^<http://www.w3.org/2001/XMLSchema#anyURI>' if scheme == "url" else f'"{literal}"'
    q = SPARQL.format(pred=pred, value=literal).replace(f'"{literal}"', obj)
    rows = list(store.query(q))
    if not rows:
        return "not-held"
    when = parse_date(date)
    for r in rows:
        cov = Coverage(start=r["start"].value if r["start"] else None, end=r["end"].value if r["end"] else None,
                       embargo=r["embargo"].value if r["embargo"] else None)
        if cov.check(when, None, None, today) is None:
            return "covered"
    return "not-covered"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict, timeout: float = 600) -> tuple[dict, dict]:
    """The answer and its times: `seconds` end to end (the request encoded, sent, answered,
    received and decoded), `server` (the Server-Timing header, when given), `decode` (the
    client's json.loads of the answer)."""
    t = time.perf_counter()
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read()
        timing = resp.headers.get("Server-Timing") or ""
    d = time.perf_counter()
    out = json.loads(raw)
    end = time.perf_counter()
    server = float(timing.split("dur=")[1]) / 1000 if "dur=" in timing else None
    return out, {"seconds": end - t, "server": server, "decode": end - d, "bytes": len(raw)}


class Server:
    """`rightsgraph serve` on 127.0.0.1 from the sources in `src`, on its own data folder."""

    def __init__(self, name: str, src: Path, data_dir: Path):
        self.name, self.port = name, free_port()
        self.log_path = data_dir.parent / f"server-{name}.log"
        self.log = open(self.log_path, "wb")
        env = dict(os.environ, PYTHONPATH=str(src))
        self.proc = subprocess.Popen([sys.executable, "-m", "rightsgraph", "--data-dir", str(data_dir), "serve",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"server {name} did not start: " + self.log_path.read_text()[-2000:])
                time.sleep(0.3)

    def ask(self, items: list, fields: list | None = None) -> tuple[list, dict]:
        body = {"identifiers": items} if fields is None else {"identifiers": items, "fields": fields}
        out, times = post(self.base + "/api/v1/entitlements", body)
        return out["entitlements"], times

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def baseline_sources(ref: str, into: Path) -> tuple[Path, str]:
    """The `src` folder of git revision `ref` of this checkout, extracted with the ontology,
    shapes and data it reads (package_data.py finds them next to `src`) into `into`."""
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], check=True,
                            capture_output=True, text=True).stdout.strip()
    tree = into / f"baseline-{commit}"
    if not (tree / "src").exists():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src", "ontology", "shapes", "data"],
                                 check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    return tree / "src", commit


def http_batch(data_dir: Path, asks: list, repeat: int, baseline: str | None, fields: list | None = None) -> dict:
    """The batch on this checkout's server and, when `baseline` names a git revision, on
    that revision's server over a copy of the same store: each server's first question
    (which builds its indexes: the cost of the first question after a data change) alone,
    then the runs alternating between the servers so that both see the same machine load.
    The answers of the two must be equal."""
    names = {"this": ROOT / "src"}
    res: dict = {"items": len(asks)}
    if baseline:
        src, commit = baseline_sources(baseline, data_dir.parent)
        names = {"baseline": src, "this": ROOT / "src"}
        res["baseline_commit"] = commit
        copy = data_dir.parent / "data-baseline"
        if not copy.exists():
            shutil.copytree(data_dir, copy)
    items = [{s: v, "date": d} for s, v, d in asks]
    servers, first, times, answers = {}, {}, {n: [] for n in names}, {}
    try:
        for name, src in names.items():
            say(f"starting the {name} server; first question (builds the indexes)")
            servers[name] = Server(name, src, data_dir if name == "this" else data_dir.parent / "data-baseline")
            t = time.perf_counter()
            warm, _ = servers[name].ask([{asks[0][0]: asks[0][1]}])
            assert "status" in warm[0], warm
            first[name] = time.perf_counter() - t
        for r in range(repeat):
            for name in (names if r % 2 == 0 else reversed(list(names))):
                out, timing = servers[name].ask(items)
                times[name].append(timing)
                answers.setdefault(name, out)
            say(f"run {r + 1}/{repeat}: " + ", ".join(f"{n} {times[n][-1]['seconds']:.2f} s" for n in names))
        if fields:
            compact = []
            for _ in range(repeat):
                out, timing = servers["this"].ask(items, fields)
                compact.append(timing)
            full = answers["this"]
            res["compact"] = {"fields": fields, "seconds": statistics.median(t["seconds"] for t in compact),
                              "server_seconds": statistics.median(t["server"] for t in compact),
                              "bytes": compact[0]["bytes"], "runs": [t["seconds"] for t in compact],
                              "equal": out == [a if "error" in a else {k: v for k, v in a.items() if k in fields}
                                               for a in full]}
    finally:
        for srv in servers.values():
            srv.stop()
    for name in names:
        statuses: dict = {}
        for e in answers[name]:
            statuses[e.get("status", "error")] = statuses.get(e.get("status", "error"), 0) + 1
        runs = times[name]
        servers_share = [t["server"] for t in runs if t["server"] is not None]
        res[name] = {"first_question_seconds": first[name],
                     "seconds": statistics.median(t["seconds"] for t in runs),
                     "server_seconds": statistics.median(servers_share) if servers_share else None,
                     "decode_seconds": statistics.median(t["decode"] for t in runs),
                     "bytes": runs[0]["bytes"], "runs": [t["seconds"] for t in runs], "statuses": statuses}
    if baseline:
        res["answers_equal"] = answers["baseline"] == answers["this"]
    return res


# A write that touches no holdings: a second licence on the same package, in its own graph.
SECOND_LICENCE = f"""@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix dct: <http://purl.org/dc/terms/> .
<https://bench.example.org/licence/second> a odrl:Set ; odrl:uid <https://bench.example.org/licence/second> ;
    dct:title "A second licence" ;
    odrl:permission [ odrl:target <{PACKAGE}> ; odrl:action odrl:display ] .
"""

# Run with the sources of one revision: the first question (builds the indexes), a licence
# import, the first question after it. Only APIs that every revision measured has.
AFTER_WRITE = """
import json, sys, time
from rightsgraph.decision_service import DecisionService
from rightsgraph.identifier_decisions import entitlement_answer
from rightsgraph.loading import load_files
from rightsgraph.store.embedded import EmbeddedStore
st = EmbeddedStore(sys.argv[1])
svc = DecisionService(st)
ask = json.loads(sys.argv[3])
t = time.perf_counter(); before = entitlement_answer(svc, ask); first = time.perf_counter() - t
load_files(st, [sys.argv[2]], graph="https://bench.example.org/graph/second-licence")
t = time.perf_counter(); after = entitlement_answer(svc, ask); then = time.perf_counter() - t
service = getattr(svc, "_holdings", None)
print(json.dumps({"first": first, "after_write": then, "builds": getattr(service, "builds", None),
                  "licences_before": before["licences"], "licences_after": after["licences"]}))
"""


def after_write(data_dir: Path, names: dict, ask: dict) -> dict:
    """For each revision (name -> its src folder), on a fresh copy of the store: the first
    question, then a licence import (a write that touches no holdings), then the first
    question after it. The licence must show in the answer after the write."""
    licence = data_dir.parent / "second-licence.ttl"
    licence.write_text(SECOND_LICENCE, encoding="utf-8")
    out = {}
    for name, src in names.items():
        copy = data_dir.parent / f"after-write-{name}"
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(data_dir / "store", copy)
        try:
            say(f"{name}: first question, a licence import, the first question after it")
            run = subprocess.run([sys.executable, "-c", AFTER_WRITE, str(copy), str(licence), json.dumps(ask)],
                                 env=dict(os.environ, PYTHONPATH=str(src)), capture_output=True, text=True)
            if run.returncode:
                raise SystemExit(f"after-write run of {name} failed: {run.stderr[-2000:]}")
            out[name] = json.loads(run.stdout.strip().splitlines()[-1])
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    return out


def print_in_process(res: dict) -> None:
    lk, ak, sq = res["lookup_ms"], res["ask_ms"], res["sparql_ms"]
    print(f"  {res['identifiers_indexed']:,} identifiers indexed")
    print(f"  build index (one SPARQL query)  : {res['build_seconds']:.2f} s")
    print(f"  entitlement, in process          : p50 {lk['p50']:.4f} ms  p95 {lk['p95']:.4f} ms  "
          f"({lk['n']:,} lookups: {lk['statuses']})")
    print(f"  + parse the identifier           : p50 {ak['p50']:.4f} ms  p95 {ak['p95']:.4f} ms")
    print(f"  baseline: one SPARQL query each  : p50 {sq['p50']:.3f} ms  p95 {sq['p95']:.3f} ms  "
          f"({sq['n']:,}; agree {sq['agree']}/{sq['n']}; {sq['p50'] / lk['p50']:.0f}x the index at p50)")


def main(argv=None) -> int:
    from datetime import date

    from bench_kbart import generate

    from rightsgraph.decision_service import DecisionService
    from rightsgraph.exchange.kbart import import_kbart
    from rightsgraph.holdings import HoldingsIndex, licences_from
    from rightsgraph.identifiers import parse
    from rightsgraph.loading import load_files
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--titles", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10,000 titles, 2,000 lookups, batch 2,000")
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--sparql-lookups", type=int, default=2_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5, help="HTTP batch runs of each server (median reported)")
    ap.add_argument("--baseline", default="main", metavar="REV",
                    help="also serve git revision REV's sources on a copy of the store, runs alternating "
                         "(default main; 'none': this checkout only)")
    ap.add_argument("--http-only", action="store_true", help="skip the in-process and SPARQL figures")
    ap.add_argument("--fields", default="status,resource,licences,coverage,reason",
                    help="also time the compact form with these answer fields (this checkout only; '' = not)")
    ap.add_argument("--keep", type=Path, default=None,
                    help="work in this folder and keep it: a second run reuses its store (no import)")
    ap.add_argument("--after-write", action="store_true",
                    help="also time the first question after a licence import (a write that touches no "
                         "holdings) in process, on a copy of the store, for this checkout and the baseline")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.quick:
        args.titles, args.lookups, args.sparql_lookups, args.batch = 10_000, 2_000, 500, 2_000
    today = date(2026, 11, 30)
    res: dict = {"titles": args.titles}
    with tempfile.TemporaryDirectory() as d:
        work = args.keep or Path(d)
        work.mkdir(parents=True, exist_ok=True)
        kb = work / "titles.tsv"
        reuse = (work / "data" / "store").exists() and kb.exists()
        st = EmbeddedStore(work / "data" / "store")
        res["import_seconds"] = None
        if not reuse:
            say(f"generating {args.titles:,} titles")
            generate(kb, args.titles)
            ensure_system_graphs(st)
            say("importing")
            t = time.perf_counter()
            import_kbart(st, kb, package=PACKAGE)
            (work / "licence.ttl").write_text(LICENCE, encoding="utf-8")
            load_files(st, [work / "licence.ttl"])
            res["import_seconds"] = time.perf_counter() - t
        res["triples"] = st.count()

        asks = questions(kb, max(args.lookups, args.batch))
        if not args.http_only:
            say("building the holdings index")
            t = time.perf_counter()
            idx = HoldingsIndex.from_store(st)
            res["build_seconds"] = time.perf_counter() - t
            res["identifiers_indexed"] = len(idx.by_id)
            licences = licences_from(DecisionService(st).index())

            say("lookups in process")
            parsed = [(parse(s, v), dt) for s, v, dt in asks]
            lat, statuses = [], {}
            for ident, dt in parsed:
                t = time.perf_counter()
                e = idx.entitlement(ident, dt, at=today, licences=licences)
                lat.append(time.perf_counter() - t)
                statuses[e.status] = statuses.get(e.status, 0) + 1
            res["lookup_ms"] = {"p50": percentile(lat, 50) * 1e3, "p95": percentile(lat, 95) * 1e3,
                                "n": len(lat), "statuses": statuses}
            lat = []
            for s, v, dt in asks:
                t = time.perf_counter()
                idx.entitlement(parse(s, v), dt, at=today, licences=licences)
                lat.append(time.perf_counter() - t)
            res["ask_ms"] = {"p50": percentile(lat, 50) * 1e3, "p95": percentile(lat, 95) * 1e3}

            say("SPARQL baseline")
            lat, agree, n = [], 0, 0
            for (ident, dt) in parsed[:args.sparql_lookups]:
                t = time.perf_counter()
                got = sparql_lookup(st, ident.scheme, ident.value, dt, today)
                lat.append(time.perf_counter() - t)
                n += 1
                agree += got == idx.entitlement(ident, dt, at=today).status
            res["sparql_ms"] = {"p50": percentile(lat, 50) * 1e3, "p95": percentile(lat, 95) * 1e3, "n": n,
                                "agree": agree}
            del licences
        st.close()
        del st
        gc.collect()      # the embedded store's lock goes with the last reference: the server needs it
        say("HTTP batch")
        res["http"] = http_batch(work / "data", asks[:args.batch], args.repeat,
                                 None if args.baseline == "none" else args.baseline,
                                 [f for f in args.fields.split(",") if f] or None)

        if args.after_write:
            names = {"this": ROOT / "src"}
            if args.baseline != "none":
                src, _ = baseline_sources(args.baseline, work)
                names = {"baseline": src, **names}
            s0, v0, _ = next(a for a in asks if a[0] == "issn" and a[1] != "0000-0000")
            res["after_write"] = after_write(work / "data", names, {s0: v0})

    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    imported = f"import {res['import_seconds']:.1f} s" if res["import_seconds"] else "store reused"
    print(f"{res['titles']:,} KBART titles + licence = {res['triples']:,} quads ({imported})")
    if not args.http_only:
        print_in_process(res)
    h = res["http"]
    for name in ("baseline", "this"):
        if name in h:
            b = h[name]
            label = f"{name} ({h['baseline_commit']})" if name == "baseline" else "this checkout"
            print(f"  HTTP POST /api/v1/entitlements, {label:<20}: {h['items']:,} identifiers in "
                  f"{b['seconds']:.3f} s median of {len(b['runs'])} "
                  f"[{', '.join(f'{x:.3f}' for x in b['runs'])}] {b['statuses']}")
            server = f"server {b['server_seconds']:.3f} s, " if b["server_seconds"] is not None else ""
            print(f"      of which (medians) {server}client json.loads {b['decode_seconds']:.3f} s; "
                  f"answer {b['bytes'] / 1e6:.1f} MB")
    for name in ("baseline", "this"):
        if name in h:
            print(f"  first question after a data change ({name}: builds the indexes): "
                  f"{h[name]['first_question_seconds']:.1f} s")
    if "answers_equal" in h:
        print(f"  answers of the two servers equal: {h['answers_equal']}")
    for name, a in res.get("after_write", {}).items():
        print(f"  licence import, then the first question ({name}): {a['after_write']:.2f} s "
              f"(first question before it {a['first']:.1f} s; holdings index builds: {a['builds']}; "
              f"licences {a['licences_before']} -> {a['licences_after']})")
    if "compact" in h:
        c = h["compact"]
        print(f"  compact form, fields={','.join(c['fields'])} (this checkout): {c['seconds']:.3f} s median of "
              f"{len(c['runs'])} [{', '.join(f'{x:.3f}' for x in c['runs'])}], server {c['server_seconds']:.3f} s, "
              f"{c['bytes'] / 1e6:.1f} MB; equal to the full answers' fields: {c['equal']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
