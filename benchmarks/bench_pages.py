"""Server-side render times of the librarian's pages (issue 15), through Flask's test client
on a real on-disk store: p50 (and p90) of N renders each, after one warm-up render.

1. the home page: the first render (counts the store) and then the cached ones (web/summary_cache.py);
                                                          target: under 200 ms at 1M triples
2. the resource page (ten decisions, the licences that apply, metadata);  target p50 < 50 ms at 1M
3. the licence compare page (two licences, term by term);                 target p50 < 50 ms at 1M
4. search (a Chinese word, an ISSN), a licence page, the licence list and the decision form
   (which lists up to 5,000 resources and every party by name), for reference;
5. as a cataloguer: the home page with the expiring licences and open risks (the risk report,
   computed once per store state and day, then cached), the report pages, and /sparql's editor.

    python benchmarks/bench_pages.py                                  # the demo world
    python benchmarks/bench_pages.py --extra-triples 1000000          # the demo + a 1M-triple catalogue
    python benchmarks/bench_pages.py --data-dir var/demo-store --runs 50

--data-dir reuses a store that holds the demo (`rightsgraph --data-dir DIR demo --no-serve`); without
it a temporary one is built. Figures are wall-clock milliseconds on this machine, as a reader
(anonymous: every query restricted to the graphs a reader may see).
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
sys.path.insert(0, str(ROOT / "src"))
DEMO = "https://demo.rightsgraph.org/"


def cli(data_dir: Path, *args) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), RIGHTSGRAPH_LANG="en")
    subprocess.run([sys.executable, "-m", "rightsgraph", "--data-dir", str(data_dir), *map(str, args)],
                   check=True, env=env, stdout=subprocess.DEVNULL)


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
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="bench-pages-")
    data = args.data_dir or Path(tmp.name) / "data"
    if not args.data_dir:
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

    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    store = EmbeddedStore(data / "store")
    quads = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value)
    from rightsgraph.accounts import Accounts
    accounts = Path(tmp.name) / "accounts.json"
    cataloguer = {"Authorization": "Bearer " + Accounts(accounts).add("bench", "cataloguer")}
    client = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts)}).test_client()
    print(f"store: {quads} quads, {len(store.graphs())} graphs; {args.runs} renders each, as a reader\n")

    t = time.perf_counter()
    client.get("/")
    print(f"{'home (first render: counts)':<34} {(time.perf_counter() - t) * 1000:8.1f} ms")
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
    for name, url in pages.items():
        timed(client, url, 1)                     # warm-up: the policy index, the graph catalogue
        print(line(name, timed(client, url, args.runs)))

    print("\nas a cataloguer:")
    t = time.perf_counter()
    timed(client, "/", 1, headers=cataloguer)
    print(f"{'home (first render: risk report)':<34} {(time.perf_counter() - t) * 1000:8.1f} ms")
    print(line("home (cached risks)", timed(client, "/", args.runs, headers=cataloguer)))
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    print(line("sparql editor page", timed(client, "/sparql", args.runs, headers=browser)))
    for name in ("risks", "assets", "usage", "demand", "cost-per-use"):
        runs = max(3, args.runs // 10)            # each computes its report: seconds, not milliseconds
        print(line(f"report page: {name}", timed(client, f"/reports/{name}", runs, headers=cataloguer)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
