"""Time the asset-class derivation, the asset report and the risk report on a synthetic
catalogue (benchmarks/generate_catalogue.py), beside a bare bulk load of the same file; the
risk report also as the web doors run it, with the decision service's compiled policies.

    python benchmarks/bench_reports.py --triples 100000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--triples", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args(argv)
    from generate_catalogue import generate
    from pyoxigraph import RdfFormat

    from rightsgraph.reports.assets import asset_report, derive_asset_classes
    from rightsgraph.reports.risks import risk_report
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "cat.nt"
        with open(nt, "w", encoding="utf-8") as out:
            n = generate(out, args.triples, args.seed)
        store = EmbeddedStore(Path(tmp) / "store")
        ensure_system_graphs(store)
        t0 = time.perf_counter()
        store.load_file(nt, RdfFormat.N_TRIPLES)
        t_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        classes = derive_asset_classes(store)
        t_derive = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = asset_report(store, sample=100, seed=1, derive=False)
        t_assets = time.perf_counter() - t0
        t0 = time.perf_counter()
        risks = risk_report(store, at=date(2026, 6, 1))
        t_risks = time.perf_counter() - t0
        # the web doors pass the decision service's compiled policies (one compilation per
        # store state for decisions and reports): the report's own part, and the compilation
        from rightsgraph.decision_service import DecisionService
        t0 = time.perf_counter()
        index = DecisionService(store).index()
        t_index = time.perf_counter() - t0
        t0 = time.perf_counter()
        shared = risk_report(store, at=date(2026, 6, 1), index=index)
        t_shared = time.perf_counter() - t0
        assert shared == risks
    print(f"catalogue: {n:,} triples, {rep['resources']:,} resources, {len(classes):,} classified")
    print(f"bulk load            {t_load:7.2f} s")
    print(f"derive asset classes {t_derive:7.2f} s")
    print(f"asset report         {t_assets:7.2f} s")
    print(f"risk report          {t_risks:7.2f} s  ({risks['summary']})")
    print(f"  with the service's compiled policies {t_shared:7.2f} s (compiling them once: {t_index:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
