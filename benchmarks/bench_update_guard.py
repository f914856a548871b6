"""Update guard benchmark: what analysing an update costs (update_guard.analyse: the data
blocks emptied, rdflib's parser and algebra on the rest), against rdflib alone on the
whole update, for updates of growing INSERT DATA blocks followed by one INSERT … WHERE.

    .venv/bin/python benchmarks/bench_update_guard.py            # up to 100,000 triples
    .venv/bin/python benchmarks/bench_update_guard.py --quick    # up to 10,000 triples

rdflib alone is timed only up to --rdflib-max triples (default 1,000): beyond that it
takes minutes (its INSERT DATA translation is quadratic).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rightsgraph.update_guard import analyse  # noqa: E402

CONF, PUB = "https://example.org/g/conf", "https://example.org/g/pub"


def update_with(triples: int) -> str:
    body = " ".join(f'<https://example.org/r{i}> <http://purl.org/dc/terms/title> "Title {{{i}}} \\"quoted\\""@en .'
                    for i in range(triples))
    return (f"PREFIX rg: <https://w3id.org/rightsgraph/ns#> INSERT DATA {{ GRAPH <{PUB}> {{ {body} }} }} ;\n"
            f"INSERT {{ GRAPH <{PUB}> {{ ?l rg:cost ?c }} }} WHERE {{ GRAPH <{CONF}> {{ ?l rg:cost ?c }} }}")


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rdflib-max", type=int, default=1000)
    args = ap.parse_args()
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    analyse(update_with(1))  # rdflib builds its grammar on first use
    sizes = [0, 100, 1000, 10000] + ([] if args.quick else [100000])
    print(f"{'triples':>8} {'KiB':>8} {'guard s':>9} {'rdflib alone s':>15}")
    for n in sizes:
        text = update_with(n)
        repeat = 5 if n <= 1000 else 1
        guard = timed(lambda: analyse(text), repeat)
        assert analyse(text).graphs == {CONF}
        alone = (f"{timed(lambda: translateUpdate(parseUpdate(text)), 1):15.3f}" if n <= args.rdflib_max
                 else f"{'(skipped)':>15}")
        print(f"{n:>8} {len(text.encode()) // 1024:>8} {guard:>9.3f} {alone}")


if __name__ == "__main__":
    main()
