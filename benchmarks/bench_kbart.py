"""KBART import of a synthetic title list vs a bare pyoxigraph bulk_load of the same RDF,
in the same run, each measurement in a fresh subprocess (peak memory = its ru_maxrss).

    python benchmarks/bench_kbart.py              # 100,000 rows
    python benchmarks/bench_kbart.py --quick      # 10,000 rows
    python benchmarks/bench_kbart.py --rows 50000 --repeat 2

Figures:
  bare    pyoxigraph.Store(tmpdir).bulk_load of the equivalent N-Triples (what the import
          produces for the file), on disk
  kbart   rightsgraph.exchange.kbart.import_kbart into an empty on-disk store (system graphs
          bootstrapped beforehand, not timed): read + check rows, build RDF, SHACL gate,
          commit, provenance; then export_kbart of the package (timed apart)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

PACKAGE = "https://bench.example.org/package/big"

CHILD = r"""
import json, resource, sys, tempfile, time
sys.path.insert(0, {src!r})
import pyoxigraph as ox
mode, path = sys.argv[1], sys.argv[2]
out = {{}}
with tempfile.TemporaryDirectory() as d:
    if mode == "bare":
        t = time.perf_counter()
        st = ox.Store(d)
        st.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
        out["seconds"] = time.perf_counter() - t
        out["triples"] = len(st)
        del st
    else:
        from rightsgraph.store.embedded import EmbeddedStore
        from rightsgraph.system_graphs import ensure_system_graphs, default_gate
        from rightsgraph.exchange.kbart import import_kbart, export_kbart
        st = EmbeddedStore(d + "/store")
        ensure_system_graphs(st)
        default_gate()
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        r = import_kbart(st, path, package={package!r})
        out["seconds"] = time.perf_counter() - t
        out["timings"] = r.load.timings
        out["triples"] = r.load.triples
        out["rows"] = r.imported
        out["baseline_rss_mb"] = base / 1024
        t = time.perf_counter()
        data = export_kbart(st, {package!r})
        out["export_seconds"] = time.perf_counter() - t
        out["export_rows"] = data.count(b"\n") - 1
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def issn(rng: random.Random) -> str:
    d = [rng.randrange(10) for _ in range(7)]
    c = (11 - sum(x * w for x, w in zip(d, range(8, 1, -1))) % 11) % 11
    return "".join(map(str, d[:4])) + "-" + "".join(map(str, d[4:])) + ("X" if c == 10 else str(c))


def isbn13(rng: random.Random) -> str:
    d = [9, 7, 8] + [rng.randrange(10) for _ in range(9)]
    c = (10 - sum(x * (1 if i % 2 == 0 else 3) for i, x in enumerate(d)) % 10) % 10
    return "".join(map(str, d + [c]))


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """A KBART file: 2/3 serials (ISSNs, coverage, some embargoes), 1/3 monographs (ISBNs,
    authors, dates), 40 publishers, two consortium extra columns."""
    from rightsgraph.exchange.kbart import KBART_COLUMNS
    rng = random.Random(seed)
    cols = list(KBART_COLUMNS) + ["package_isil", "list_price_usd"]
    with path.open("w", encoding="utf-8") as f:
        f.write("\t".join(cols) + "\n")
        for i in range(rows):
            c = dict.fromkeys(cols, "")
            c["publisher_name"] = f"Publisher {i % 40}"
            c["title_id"] = f"t{i}"
            c["title_url"] = f"https://platform.example.org/title/{i}"
            c["access_type"] = "F" if i % 10 == 0 else "P"
            c["coverage_depth"] = "fulltext"
            c["package_isil"] = "ZDB-1-BENCH"
            c["list_price_usd"] = f"{rng.randrange(100, 5000)}.00"
            if i % 3:
                y = 1950 + rng.randrange(70)
                c.update(publication_title=f"Journal of Synthetic Studies {i}", print_identifier=issn(rng),
                         online_identifier=issn(rng), date_first_issue_online=str(y), num_first_vol_online="1",
                         publication_type="serial")
                if i % 5 == 0:
                    c.update(date_last_issue_online=f"{y + 10}-12", num_last_vol_online="11", notes="Title change")
                if i % 7 == 0:
                    c["embargo_info"] = "R1Y"
            else:
                c.update(publication_title=f"A Synthetic Monograph {i}", print_identifier=isbn13(rng),
                         online_identifier=isbn13(rng), first_author=f"Author {i % 997}",
                         date_monograph_published_print=str(1990 + i % 35),
                         date_monograph_published_online=f"{1990 + i % 35}-06-01", publication_type="monograph")
            f.write("\t".join(c[k] for k in cols) + "\n")


def equivalent_ntriples(kbart_path: Path, nt_path: Path) -> int:
    import pyoxigraph as ox
    from rightsgraph.exchange.kbart import default_graph, read_kbart, rows_to_nquads
    parsed = read_kbart(kbart_path.read_bytes(), str(kbart_path))
    assert not parsed.errors, parsed.errors[:3]
    body, _ = rows_to_nquads(parsed.rows, package=PACKAGE, graph=default_graph(PACKAGE), publishers={})
    st = ox.Store()
    st.bulk_load(body, ox.RdfFormat.N_QUADS)
    nt_path.write_bytes(st.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=default_graph(PACKAGE)))
    return len(st)


def child(mode: str, path: Path) -> dict:
    code = CHILD.format(src=str(ROOT / "src"), package=PACKAGE)
    out = subprocess.run([sys.executable, "-c", code, mode, str(path)], capture_output=True, text=True, timeout=3600)
    if out.returncode:
        raise SystemExit(f"{mode} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true", help="10,000 rows")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median reported)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rows = 10_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as d:
        kb, nt = Path(d) / "titles.tsv", Path(d) / "titles.nt"
        generate(kb, rows)
        triples = equivalent_ntriples(kb, nt)
        results = {"rows": rows, "triples": triples, "file_mb": round(kb.stat().st_size / 2**20, 1)}
        for mode, path in (("bare", nt), ("kbart", kb)):
            runs = [child(mode, path) for _ in range(args.repeat)]
            results[mode] = {
                "seconds": statistics.median(r["seconds"] for r in runs),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                **({"export_seconds": statistics.median(r["export_seconds"] for r in runs),
                    "timings": runs[-1]["timings"], "rows": runs[-1]["rows"],
                    "export_rows": runs[-1]["export_rows"]} if mode == "kbart" else {}),
            }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    b, k = results["bare"], results["kbart"]
    print(f"KBART {rows:,} rows ({results['file_mb']} MB) = {triples:,} triples")
    print(f"  bare bulk_load N-Triples : {b['seconds']:7.2f} s   peak {b['peak_rss_mb']:7.0f} MB")
    print(f"  kbart import (gate+prov) : {k['seconds']:7.2f} s   peak {k['peak_rss_mb']:7.0f} MB   "
          f"({k['seconds'] / b['seconds']:.1f} x bare; {rows / k['seconds']:,.0f} rows/s)")
    print("    " + ", ".join(f"{name} {v:.2f} s" for name, v in k["timings"].items()))
    print(f"  kbart export             : {k['export_seconds']:7.2f} s   ({k['export_rows']:,} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
