"""What explanations cost: decisions over the demo world (with the ontology and the shipped
open-licence policies) timed bare and with ``to_json()`` (the answer every door sends,
explanation included), plus the index build.

    .venv/bin/python benchmarks/bench_explanations.py [--decisions 5000] [--seed 7]

Requests are drawn at random from the demo's resources, parties, actions, contexts (delivery
channel, location, purpose, publication year) and dates 2024-2030, so permits and every kind
of denial (prohibited, constraint-unsatisfied with what would permit, nothing applicable) are
mixed as a service sees them.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from rightsgraph.policy import PolicyIndex, decide  # noqa: E402

ODRL = "http://www.w3.org/ns/odrl/2/"
RG = "https://w3id.org/rightsgraph/ns#"
D = "https://demo.rightsgraph.org/"
ACTIONS = ["read", "print", "reproduce", "distribute", "archive", "commercialize", "modify"]
CONTEXTS = [None, (ODRL + "deliveryChannel", RG + "SecureElectronicTransmission"), (ODRL + "deliveryChannel", RG + "Email"),
            (ODRL + "deliveryChannel", RG + "Post"), (ODRL + "virtualLocation", RG + "OnPremises"),
            (ODRL + "virtualLocation", RG + "RemoteAccess"), (ODRL + "purpose", RG + "Education"),
            (RG + "publicationYear", 2025), (RG + "publicationYear", 2019)]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decisions", type=int, default=5_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    files = (sorted((REPO / "data" / "demo").glob("*.ttl")) + sorted((REPO / "ontology").glob("*.ttl"))
             + sorted((REPO / "data" / "open-licences").glob("*.ttl")))
    t0 = time.perf_counter()
    store = ox.Store()
    for f in files:
        store.load(path=str(f), format=ox.RdfFormat.TURTLE)
    t1 = time.perf_counter()
    index = PolicyIndex.from_store(store)
    t2 = time.perf_counter()
    print(f"{len(store):,} quads loaded in {t1 - t0:.2f} s; index built in {t2 - t1:.2f} s "
          f"({len(index):,} policies)", flush=True)
    resources = [f"{D}resource/{n:04d}" for n in range(1, 1001)]
    parties = [r.value for r in (q.subject for q in store.quads_for_pattern(
        None, ox.NamedNode(ODRL + "partOf"), None, None)) if "/party/" in r.value]
    parties = sorted(set(parties)) + [D + "party/lib-a", D + "party/lib-b", D + "party/lib-e"]
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    requests = []
    for _ in range(a.decisions):
        ctx = rnd.choice(CONTEXTS)
        requests.append((rnd.choice(resources), ODRL + rnd.choice(ACTIONS), rnd.choice(parties),
                         {ctx[0]: ctx[1]} if ctx else None, start + timedelta(days=rnd.randrange(0, 7 * 365))))
    for r in requests[:200]:
        decide(index, *r[:4], at=r[4]).to_json()
    gc.disable()
    bare, full, reasons = [], [], {}
    for target, action, party, ctx, at in requests:
        s = time.perf_counter_ns()
        d = decide(index, target, action, party, ctx, at=at)
        bare.append(time.perf_counter_ns() - s)
        reasons[d.reason] = reasons.get(d.reason, 0) + 1
    for target, action, party, ctx, at in requests:
        s = time.perf_counter_ns()
        decide(index, target, action, party, ctx, at=at).to_json()
        full.append(time.perf_counter_ns() - s)
    gc.enable()
    ms = lambda ns: ns / 1e6  # noqa: E731
    print(f"decisions: {len(bare):,}; reasons {dict(sorted(reasons.items()))}")
    print(f"decide()                    : p50 {ms(pct(bare, 50)):.4f} ms  p99 {ms(pct(bare, 99)):.4f} ms  "
          f"mean {ms(statistics.mean(bare)):.4f} ms")
    print(f"decide() + to_json()        : p50 {ms(pct(full, 50)):.4f} ms  p99 {ms(pct(full, 99)):.4f} ms  "
          f"mean {ms(statistics.mean(full)):.4f} ms   (explanation in zh and en)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
