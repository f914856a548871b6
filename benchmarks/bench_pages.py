"""Server-side render times of the librarian's pages (issue 15), through Flask's test client
on a real on-disk store: p50 (and p90) of N renders each, after one warm-up render.

1. the home page: the first render (counts the store) and then the cached ones (web/summary_cache.py);
                                                          target: under 200 ms at 1M triples
   and the first render after a licence import (`--after-import N` times, default once; each imports
   the same licence, IMPORTED, into the store, replacing its graph): the summary recounts the
   graphs the import changed (graph_counts.py);
2. the resource page (ten decisions, the licences that apply, metadata);  target p50 < 50 ms at 1M
3. the licence compare page (two licences, term by term);                 target p50 < 50 ms at 1M
4. search (a Chinese word, an ISSN), a licence page, the licence list and the decision form
   (which lists up to 5,000 resources and every party by name), for reference;
5. as a cataloguer: the home page with the expiring licences and open risks (the risk report,
   computed once per store state and day, then cached; the first one waited for at most
   RG_HOME_RISKS_FIRST_WAIT, then the page says it is being made), then its first render after a licence
   import (`--after-import N` times; it waits at most RG_HOME_RISKS_WAIT for the new report, then
   shows the previous one), the report pages, and /sparql's editor.

    python benchmarks/bench_pages.py                                  # the demo world
    python benchmarks/bench_pages.py --extra-triples 1000000          # the demo + a 1M-triple catalogue
    python benchmarks/bench_pages.py --data-dir var/demo-store --runs 50
    python benchmarks/bench_pages.py --extra-triples 1000000 --licences 10000 --data-dir /tmp/pages
    PYTHONPATH=/other/checkout/src python benchmarks/bench_pages.py --data-dir /tmp/pages-copy

--data-dir reuses a store that holds the demo (`rightsgraph --data-dir DIR demo --no-serve`), building
it there first when DIR does not exist yet, so a second run can reuse it (then without --extra-triples
and --licences, which would load them again); without it a temporary one is built. Figures are
wall-clock milliseconds on this machine, as a reader (anonymous: every query restricted to the graphs
a reader may see) unless said.

--licences N adds N licences as term sheets compiled by the product's compiler (licences/termsheet.py):
title, licensor, licensee, a package as target, authorised users, three terms (read, print with a
limit, no interlibrary loan by email), term ends spread from two years ago to four years ahead so that
some expire within the home page's 90 days. Each is in its own graph (as `rightsgraph licence import`
puts it), and all are loaded by `rightsgraph load` through the SHACL gate.

The sources measured are those on PYTHONPATH when it is set (a baseline checkout), else this
checkout's src/.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
# an explicit PYTHONPATH (a baseline checkout's src) wins over this checkout's
SRC = os.environ.get("PYTHONPATH") or str(ROOT / "src")
sys.path[:0] = SRC.split(os.pathsep)
DEMO = "https://demo.rightsgraph.org/"
BENCH_LICENCE = "https://bench.rightsgraph.org/licence/"


def cli(data_dir: Path, *args) -> None:
    env = dict(os.environ, PYTHONPATH=SRC, RIGHTSGRAPH_LANG="en")
    subprocess.run([sys.executable, "-m", "rightsgraph", "--data-dir", str(data_dir), *map(str, args)],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def _iris_of(store, kind: str) -> list[str]:
    """The IRIs of rg:`kind`, those of a generated catalogue first (the demo's are few and
    carry the demo's own licences)."""
    rows = [r["x"].value for r in store.query(
        f"SELECT ?x WHERE {{ ?x a <https://w3id.org/rightsgraph/ns#{kind}> }} LIMIT 5000")]
    own = [x for x in rows if not x.startswith(DEMO)]
    return sorted(own or rows)


def bench_sheets(store):
    """A function giving the i-th generated term sheet (canonical) over the store's packages
    and parties."""
    from datetime import date, timedelta

    from rightsgraph.licences.termsheet import canonical
    packages, publishers = _iris_of(store, "Package"), _iris_of(store, "Publisher")
    libraries, users = _iris_of(store, "Library") + _iris_of(store, "Consortium"), _iris_of(store, "UserCategory")
    today = date.today()

    def sheet(i: int, name: str | None = None) -> dict:
        end = today + timedelta(days=(i * 7919) % 2190 - 730)   # two years ago .. four years ahead
        start = end - timedelta(days=365 * (1 + i % 3) - 1)
        return canonical({
            "licence": f"{BENCH_LICENCE}{name or f'B{i:05d}'}",
            "title": {"zh": f"基准许可协议 {i}", "en": f"Bench licence {i}"},
            "licensor": publishers[i % len(publishers)], "licensee": libraries[i % len(libraries)],
            "target": packages[i % len(packages)], "status": "active" if end >= today else "expired",
            "start": start.isoformat(), "end": end.isoformat(), "signed": (start - timedelta(days=40)).isoformat(),
            "cost": f"{1000 + (i * 37) % 90000}.00", "currency": "CNY",
            "parties": {"users": users[i % len(users)]},
            "terms": [{"term": "authorized_users", "status": "permitted_explicit"},
                      {"term": "print_copy", "status": "permitted_explicit", "limit": 10 + i % 90},
                      {"term": "ill_electronic", "status": "prohibited_explicit", "clause": f"{4 + i % 5}.3",
                       "text": "Articles shall not be supplied by electronic mail."}],
        }, f"bench licence {i}")
    return sheet


def write_licences(data_dir: Path, out: Path, n: int) -> None:
    """N term sheets over the store's packages and parties, compiled, one graph each, as TriG."""
    from rightsgraph.licences.registry import graph_for_licence
    from rightsgraph.licences.termsheet import STANDARD_PREFIXES, compile_sheet, records_turtle
    from rightsgraph.store.embedded import EmbeddedStore
    store = EmbeddedStore(data_dir / "store")
    sheet_for = bench_sheets(store)
    store.close()                       # `rightsgraph load` opens it next
    with out.open("w", encoding="utf-8") as f:
        f.writelines(f"@prefix {p}: <{ns}> .\n" for p, ns in STANDARD_PREFIXES.items())
        for i in range(n):
            sheet = sheet_for(i)
            body = records_turtle(compile_sheet(sheet), STANDARD_PREFIXES)
            f.write(f"\n<{graph_for_licence(sheet['licence']).value}> {{\n{body}}}\n")


def import_licence(store) -> float:
    """`rightsgraph licence import` of one term sheet, in this process (the app's caches see
    the write as they would in the server); the same licence each run, its graph replaced.
    Returns the seconds it took."""
    from rightsgraph.licences.registry import import_sheet
    t = time.perf_counter()
    import_sheet(store, "bench-import.yaml", sheet=bench_sheets(store)(4242, "IMPORTED"))
    return time.perf_counter() - t


def counts_memory(counts) -> int:
    """Bytes held by a graph_counts.GraphCounts: its containers, and each string once."""
    seen: set[int] = set()
    total = 0

    def add(obj) -> None:
        nonlocal total
        if id(obj) not in seen:
            seen.add(id(obj))
            total += sys.getsizeof(obj)
    for container in (counts._triples, counts._typed, counts._modified, counts._listed, counts._order, *counts._refs):
        add(container)
        items = container.items() if isinstance(container, dict) else ((x, None) for x in container)
        for k, v in items:
            add(k)
            if isinstance(v, str):
                add(v)
            elif isinstance(v, tuple):
                add(v)
                for s in v:
                    add(s)
                    for x in s:
                        add(x)
    return total


def timed(client, url: str, runs: int, lang: str = "en", headers: dict | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.get(url, headers={"Accept-Language": lang, **(headers or {})})
        out.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:300])
    return out


def line(name: str, ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=10) if len(ms) >= 2 else ms * 9
    return f"{name:<34} p50 {statistics.median(ms):8.1f} ms   p90 {q[8]:8.1f} ms   (n={len(ms)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, help="a data directory holding the demo (default: build one)")
    ap.add_argument("--extra-triples", type=int, default=0, help="also load a generated catalogue of N triples")
    ap.add_argument("--licences", type=int, default=0, help="also load N generated licences (term sheets)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--no-cataloguer", action="store_true",
                    help="leave out the pages as a cataloguer (the home page's risk report: minutes at 1M triples)")
    ap.add_argument("--no-reports", action="store_true", help="leave out the report pages (seconds each)")
    ap.add_argument("--after-import", type=int, default=1, metavar="N",
                    help="import a licence (its graph replaced) N times, timing the home page's first render after each")
    ap.add_argument("--pages", default="", help="only the pages whose names hold one of these comma-separated "
                                                "words (e.g. home,resource,compare); the home pages always")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-pages-")
    data = args.data_dir or Path(tmp.name) / "data"
    print(f"sources: {SRC}")
    if not (data / "store").exists():
        t = time.perf_counter()
        cli(data, "demo", "--no-serve")
        print(f"demo loaded in {time.perf_counter() - t:.1f} s")
    if args.extra_triples:
        nt = Path(tmp.name) / "catalogue.nt"
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_catalogue.py"), "-o", nt,
                        "--triples", str(args.extra_triples)], check=True, stdout=subprocess.DEVNULL)
        t = time.perf_counter()
        cli(data, "load", nt)
        print(f"{args.extra_triples} more triples loaded in {time.perf_counter() - t:.1f} s")
    if args.licences:
        trig = Path(tmp.name) / "licences.trig"
        write_licences(data, trig, args.licences)
        t = time.perf_counter()
        cli(data, "load", trig)
        print(f"{args.licences} licences loaded in {time.perf_counter() - t:.1f} s")

    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    store = EmbeddedStore(data / "store")
    quads = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    from rightsgraph.accounts import Accounts
    accounts = Path(tmp.name) / "accounts.json"
    cataloguer = {"Authorization": "Bearer " + Accounts(accounts).add("bench", "cataloguer")}
    client = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts)}).test_client()
    licences = int(next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?l a <https://w3id.org/rightsgraph/ns#Licence> } }")))["n"].value)
    print(f"store: {quads} quads, {len(store.graphs())} graphs, {licences} licences; {args.runs} renders each, "
          f"as a reader; load average {os.getloadavg()[0]:.2f}\n")

    t = time.perf_counter()
    client.get("/")
    print(f"{'home (first render: counts)':<34} {(time.perf_counter() - t) * 1000:8.1f} ms")
    cache = client.application.extensions["rightsgraph.page_cache"]
    counts = getattr(cache, "counts", None)      # graph_counts.GraphCounts (not in older checkouts)
    if counts is not None:
        print(f"{'  graph counts kept':<34} {counts_memory(counts) / 2**20:8.1f} MB")
    for run in range(args.after_import):
        seconds = import_licence(store)
        t = time.perf_counter()
        timed(client, "/", 1)
        ms = (time.perf_counter() - t) * 1000
        what = (f"; {len(counts.recounted)} graphs recounted, {counts.full_recounts} full counts so far"
                if counts is not None else "")
        print(f"{'home (first render after a licence import)':<34} {ms:8.1f} ms   (import {seconds:.1f} s{what})")
    pages = {
        "home (cached summary)": "/",
        "resource": "/resource?" + urlencode({"iri": DEMO + "resource/0002"}),
        "licence compare (2)": "/licences/compare?" + urlencode([("l", DEMO + "licence/L01"), ("l", DEMO + "licence/L03")]),
        "licence": "/licence?" + urlencode({"iri": DEMO + "licence/L01"}),
        "search (Chinese word)": "/search?" + urlencode({"q": "大气"}),
        "search (ISSN)": "/search?" + urlencode({"q": "1457-3644"}),
        "licences list": "/licences",
        "decision form (a question)": "/decide?" + urlencode({"target": DEMO + "resource/0002", "action": "print",
                                                             "assignee": DEMO + "party/dalc-authorised-users",
                                                             "count": "3"}),
    }
    wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
    for name, url in pages.items():
        if wanted and not name.startswith("home") and not any(w in name for w in wanted):
            continue
        timed(client, url, 1)                     # warm-up: the policy index, the graph catalogue
        print(line(name, timed(client, url, args.runs)))

    if args.no_cataloguer:
        return 0
    print("\nas a cataloguer:")
    t = time.perf_counter()
    page = client.get("/", headers=cataloguer).get_data(as_text=True)
    ms = (time.perf_counter() - t) * 1000
    if "risks-pending" in page:
        # the first report since start is waited for RG_HOME_RISKS_FIRST_WAIT at most, then the
        # page says it is being made (`serve` starts it at start: web/warm_up.py)
        print(f"{'home (first render: report pending)':<34} {ms:8.1f} ms")
        while "risks-pending" in client.get("/", headers=cataloguer).get_data(as_text=True):
            time.sleep(0.5)
        print(f"{'  the first risk report ready after':<34} {(time.perf_counter() - t):8.1f} s")
    else:
        print(f"{'home (first render: risk report)':<34} {ms:8.1f} ms")
    print(line("home (cached risks)", timed(client, "/", args.runs, headers=cataloguer)))
    for run in range(args.after_import):
        # after a write the page waits at most RG_HOME_RISKS_WAIT for the new report, then shows
        # the previous one while it is computed (web/summary_cache.latest; older checkouts wait)
        seconds = import_licence(store)
        t = time.perf_counter()
        page = client.get("/", headers=cataloguer).get_data(as_text=True)
        ms = (time.perf_counter() - t) * 1000
        shown = "the previous risks, marked; new ones computing" if "risks-stale" in page else "current risks"
        print(f"{'home after a licence import':<34} {ms:8.1f} ms   (import {seconds:.1f} s; {shown})")
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    if not wanted or any(w in "sparql editor" for w in wanted):
        print(line("sparql editor page", timed(client, "/sparql", args.runs, headers=browser)))
    for name in () if args.no_reports else ("risks", "assets", "usage", "demand", "cost-per-use"):
        runs = max(3, args.runs // 10)            # each computes its report: seconds, not milliseconds
        print(line(f"report page: {name}", timed(client, f"/reports/{name}", runs, headers=cataloguer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
