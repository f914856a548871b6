"""Validated load vs bare load, in the same run (each figure in a fresh subprocess).

    python benchmarks/bench_validation.py            # 1,000,000 triples
    python benchmarks/bench_validation.py --quick    # 100,000 triples
    python benchmarks/bench_validation.py --triples 300000 --repeat 3

Figures:
  bare      pyoxigraph.Store(tmpdir).bulk_load(path=catalogue.nt)
  bare-named  the same into the named graph `load` puts the file in (six indexes, not three):
            the baseline of the issue's figure, load <= 2 x bare-named
  gate      staging pyoxigraph.Store() bulk_load of the same file + ShapesGate.validate
            (ontology/*.ttl given as `ontology`), shapes compiled beforehand (reported apart)
  gate-ctx  (--context) the gate figure with `context` = a store holding another catalogue
  load      rightsgraph.loading.load_files(store, [file], gate=gate) into an empty on-disk
            store, when src/rightsgraph/loading.py exists
Peak memory is ru_maxrss of the subprocess that made the measurement (Rust allocations
included, unlike tracemalloc). The target: gate <= 3 x bare, peak < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {src!r})
import pyoxigraph as ox
mode, path, root = sys.argv[1], sys.argv[2], Path(sys.argv[3])
out = {{}}
if mode == "bare":
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        st = ox.Store(d)
        st.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
        out["seconds"] = time.perf_counter() - t
        out["triples"] = len(st)
        del st
elif mode == "bare-named":
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        st = ox.Store(d)
        stem = Path(path).name.split(".")[0]
        st.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES,
                     to_graph=ox.NamedNode("https://w3id.org/rightsgraph/graph/data/" + stem))
        out["seconds"] = time.perf_counter() - t
        out["triples"] = len(st)
        del st
elif mode == "gate":
    from rightsgraph.validation import ShapesGate
    t = time.perf_counter()
    gate = ShapesGate.from_files(sorted((root / "shapes").glob("*.ttl")))
    onto = ox.Store()
    for f in sorted((root / "ontology").glob("*.ttl")):
        onto.load(path=str(f), format=ox.RdfFormat.TURTLE)
    out["compile_seconds"] = time.perf_counter() - t
    t = time.perf_counter()
    staging = ox.Store()
    staging.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    out["staging_seconds"] = time.perf_counter() - t
    report = gate.validate(staging, ontology=onto)
    out["seconds"] = time.perf_counter() - t
    out["validate_seconds"] = out["seconds"] - out["staging_seconds"]
    out["results"] = len(report.results)
    out["violations"] = len(report.violations)
    out["stats"] = report.stats
elif mode == "gate-ctx":
    # the same, validated against a store that already holds another catalogue of the
    # same size (disjoint IRIs): context enrichment looks every IRI of the new data up
    from rightsgraph.validation import ShapesGate
    from rightsgraph.store.embedded import EmbeddedStore
    gate = ShapesGate.from_files(sorted((root / "shapes").glob("*.ttl")))
    onto = ox.Store()
    for f in sorted((root / "ontology").glob("*.ttl")):
        onto.load(path=str(f), format=ox.RdfFormat.TURTLE)
    with tempfile.TemporaryDirectory() as d:
        ctx = EmbeddedStore(Path(d) / "store")
        other = Path(d) / "other.nt"
        other.write_bytes(Path(path).read_bytes().replace(b"library.example.org", b"other.example.org"))
        ctx.raw.bulk_load(path=str(other), format=ox.RdfFormat.N_TRIPLES,
                          to_graph=ox.NamedNode("https://w3id.org/rightsgraph/graph/data/other"))
        t = time.perf_counter()
        staging = ox.Store()
        staging.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
        out["staging_seconds"] = time.perf_counter() - t
        report = gate.validate(staging, context=ctx, ontology=onto)
        out["seconds"] = time.perf_counter() - t
        out["stats"] = report.stats
        out["results"] = len(report.results)
elif mode == "load":
    from rightsgraph.validation import ShapesGate
    from rightsgraph.store import EmbeddedStore
    from rightsgraph import loading
    gate = ShapesGate.from_files(sorted((root / "shapes").glob("*.ttl")))
    with tempfile.TemporaryDirectory() as d:
        store = EmbeddedStore(Path(d) / "store")
        t = time.perf_counter()
        res = loading.load_files(store, [Path(path)], gate=gate)
        out["seconds"] = time.perf_counter() - t
        out["timings"] = {{k: round(v, 2) for k, v in getattr(res, "timings", {{}}).items()}}
        store.close()
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def run_child(mode: str, path: Path) -> dict:
    code = CHILD.format(src=str(ROOT / "src"))
    p = subprocess.run([sys.executable, "-c", code, mode, str(path), str(ROOT)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="validated load vs bare pyoxigraph bulk_load")
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="100,000 triples")
    ap.add_argument("--repeat", type=int, default=1, help="runs per figure (median reported)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--file", type=Path, help="use this N-Triples file instead of generating one")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON too")
    ap.add_argument("--context", action="store_true",
                    help="also time validation against a store holding another catalogue (gate-ctx)")
    args = ap.parse_args(argv)
    n = 100_000 if args.quick else args.triples

    from generate_catalogue import generate

    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            path = Path(tmp) / f"catalogue-{n}.nt"
            with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
                written = generate(f, n, args.seed)
            print(f"catalogue: {written:,} triples, {path.stat().st_size / 1e6:.0f} MB")
        modes = ["bare", "bare-named", "gate"] + (["gate-ctx"] if args.context else [])
        if (ROOT / "src" / "rightsgraph" / "loading.py").exists():
            modes.append("load")
        figures: dict[str, list[dict]] = {m: [] for m in modes}
        for _ in range(args.repeat):
            for m in modes:  # interleaved, so machine noise hits every figure alike
                figures[m].append(run_child(m, path))
        summary = {}
        for m in modes:
            ok = [f for f in figures[m] if "error" not in f]
            if not ok:
                print(f"{m:8s}: ERROR {figures[m][0]['error']}")
                continue
            summary[m] = {
                "seconds": statistics.median(f["seconds"] for f in ok),
                "peak_rss_mb": max(f["peak_rss_mb"] for f in ok),
                "runs": [round(f["seconds"], 2) for f in ok],
                "detail": ok[-1],
            }
        bare = summary.get("bare", {}).get("seconds")
        named = summary.get("bare-named", {}).get("seconds")
        for m, s in summary.items():
            ratio = f"  ratio {s['seconds'] / bare:.2f}x bare" if bare and m != "bare" else ""
            if named and m == "load":
                ratio += f", {s['seconds'] / named:.2f}x bare-named (target <= 2x)"
            print(f"{m:10s}: {s['seconds']:7.2f} s  peak RSS {s['peak_rss_mb']:7.0f} MB{ratio}  runs {s['runs']}")
        g = summary.get("gate", {}).get("detail")
        if g:
            print(f"       gate detail: staging bulk_load {g['staging_seconds']:.2f} s, validate "
                  f"{g['validate_seconds']:.2f} s (checks {g['stats'].get('checks_s', 0):.2f} s), "
                  f"shapes compiled in {g['compile_seconds']:.2f} s, {g['results']} results")
        c = summary.get("gate-ctx", {}).get("detail")
        if c:
            print(f"          gate-ctx detail: context enrichment {c['stats'].get('context_s', 0):.2f} s, "
                  f"checks {c['stats'].get('checks_s', 0):.2f} s, {c['results']} results")
        ld = summary.get("load", {}).get("detail")
        if ld and ld.get("timings"):
            print(f"          load timings (loading.py): {ld['timings']}")
        if args.json:
            print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
