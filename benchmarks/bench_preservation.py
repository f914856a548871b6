#!/usr/bin/env python3
"""Preservation figures (issue 14), each beside its baseline:

1. fixity throughput: rightsgraph's streaming digests on 1 and 2 threads, and a whole
   `audit` (digests + events committed through the gate), against `sha256sum` on the same
   files (warm page cache for both);
2. registration of many small files (`--identify none`; FIDO's per-file cost is printed
   separately);
3. the preservation report on a store holding about 1M preservation events.

    python benchmarks/bench_preservation.py [--quick] [--only throughput|register|report]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def timed_cpu(fn):
    """Wall-clock and CPU seconds (all threads of this process): on a shared machine the
    CPU figure says what the work costs, the wall figure what the others left of it."""
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def best_of(n, fn) -> float:
    """The fastest of n runs: the machine is shared, the slower runs measure the others."""
    return min(timed(fn)[0] for _ in range(n))


def make_world(base: Path):
    from pyoxigraph import NamedNode, RdfFormat
    from rightsgraph.loading import load_data
    from rightsgraph.preservation.locations import add_location
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    store = EmbeddedStore(base / "store")
    ensure_system_graphs(store)
    load_data(store, b"""@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix dct: <http://purl.org/dc/terms/> .
        <https://lib.example/res/1> a rg:Resource ; dct:title "Bench"@en ; rg:resourceType rg:EBook .""",
              RdfFormat.TURTLE, name="bench.ttl", graph=NamedNode("https://lib.example/graph/bench"))
    (base / "primary").mkdir()
    add_location(store, "primary", base / "primary", "primary")
    return store


def throughput(base: Path, total_mb: int, files: int) -> None:
    from rightsgraph.preservation.audit import audit
    from rightsgraph.preservation.hashing import digest_many
    from rightsgraph.preservation.registry import register
    store = make_world(base)
    folder = base / "primary" / "big"
    folder.mkdir()
    size = total_mb * 1024 * 1024 // files
    block = os.urandom(1024 * 1024)
    for i in range(files):
        with open(folder / f"f{i:04d}.bin", "wb") as f:
            for _ in range(size // len(block)):
                f.write(block)
    paths = sorted(folder.iterdir())
    subprocess.run(["cat", *map(str, paths)], stdout=subprocess.DEVNULL, check=True)   # warm the cache
    mb = files * size / 1e6
    t_sum = best_of(3, lambda: subprocess.run(["sha256sum", *map(str, paths)], stdout=subprocess.DEVNULL, check=True))
    # OpenSSL (what hashlib uses) beside coreutils: coreutils may lack the CPU's SHA instructions
    t_ssl = best_of(3, lambda: subprocess.run(["openssl", "dgst", "-sha256", *map(str, paths)],
                                              stdout=subprocess.DEVNULL, check=True)) if shutil.which("openssl") else None
    t1 = best_of(3, lambda: list(digest_many(paths, ("sha256",), workers=1)))
    t2 = best_of(3, lambda: list(digest_many(paths, ("sha256",), workers=2)))
    register(store, folder, resource="https://lib.example/res/1", identify="none")
    audits = {}
    for workers in (1, 2):
        def run(workers=workers):
            res = audit(store, workers=workers, new=True)
            assert not res.findings and res.checked == files
        audits[workers] = best_of(3, run)
    print(f"fixity throughput, {files} files, {mb:.0f} MB (warm cache; best of 3; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    print(f"  sha256sum (1 core)              {mb / t_sum:8.0f} MB/s")
    if t_ssl:
        print(f"  openssl dgst -sha256 (1 core)   {mb / t_ssl:8.0f} MB/s  ({t_sum / t_ssl:.2f}x sha256sum)")
    print(f"  rightsgraph digests, 1 thread   {mb / t1:8.0f} MB/s  ({t_sum / t1:.2f}x sha256sum)")
    print(f"  rightsgraph digests, 2 threads  {mb / t2:8.0f} MB/s  ({t_sum / t2:.2f}x sha256sum)")
    for workers, t in audits.items():
        label = f"preserve audit, {workers} thread" + ("s" if workers > 1 else "")
        print(f"  {label:<32}{mb / t:8.0f} MB/s  ({t_sum / t:.2f}x sha256sum; events committed)")


def registration(base: Path, n: int) -> None:
    from rightsgraph.preservation.formats import Identifier
    from rightsgraph.preservation.registry import register
    store = make_world(base)
    folder = base / "primary" / "small"
    for i in range(n):
        d = folder / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            d.mkdir(parents=True)
        (d / f"f{i:06d}.txt").write_bytes(f"small file {i}\n".encode() * 8)
    t, cpu, reg = timed_cpu(lambda: register(store, folder, resource="https://lib.example/res/1"))
    print(f"registration of {n} small files (formats {'deferred' if reg.deferred else 'identified'}): "
          f"{t:.1f} s ({n / t:.0f} files/s; {cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs), {store.count():,} quads in the store")
    sample = sorted(folder.rglob("*.txt"))[:200]
    for tool in ("fido", "magic"):
        ident = Identifier(prefer_fido=tool == "fido")
        t, _ = timed(lambda: [ident.identify(p) for p in sample])
        print(f"  format identification, {ident.tool}: {1000 * t / len(sample):.1f} ms/file")


def report(base: Path, events: int) -> None:
    """A store with `events` fixity-check events over 10,000 copies, loaded in bulk (the
    quads audits would write), then the preservation report timed."""
    import pyoxigraph as ox
    from rightsgraph.preservation.registry import register
    from rightsgraph.preservation.report import preservation_report
    store = make_world(base)
    folder = base / "primary" / "obj"
    folder.mkdir()
    for i in range(10_000):
        (folder / f"f{i:05d}").write_bytes(str(i).encode())
    register(store, folder, resource="https://lib.example/res/1", identify="none")
    copies = [r["c"].value for r in store.query("SELECT ?c WHERE { ?c a <https://w3id.org/rightsgraph/ns#Copy> }")]
    g = "https://w3id.org/rightsgraph/graph/preservation/events/2026-"
    lines = []
    for i in range(events):
        e = f"<urn:bench:event:{i}>"
        graph = f"<{g}{1 + i % 12:02d}>"
        out = "fai" if i % 1000 == 0 else "suc"
        lines += [f"{e} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://www.loc.gov/premis/rdf/v3/Event> {graph} .",
                  f"{e} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://id.loc.gov/vocabulary/preservation/eventType/fix> {graph} .",
                  f"{e} <http://www.loc.gov/premis/rdf/v3/outcome> <http://id.loc.gov/vocabulary/preservation/eventOutcome/{out}> {graph} .",
                  f"{e} <http://www.w3.org/ns/prov#used> <{copies[i % len(copies)]}> {graph} .",
                  f'{e} <http://www.w3.org/ns/prov#startedAtTime> "2026-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> {graph} .']
    t_load, _ = timed(lambda: store.raw.bulk_load("\n".join(lines).encode(), ox.RdfFormat.N_QUADS))
    # what Oxigraph advises after a batch upload; a store that gathered its events over
    # months is compacted already (without it RocksDB compacts while the report runs)
    t_opt, _ = timed(store.raw.optimize)
    print(f"report with {events:,} events ({store.count():,} quads; bulk load {t_load:.0f} s, "
          f"optimize {t_opt:.0f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for i in range(3):
        t, rep = timed(lambda: preservation_report(store))
        print(f"  report preservation, run {i + 1}: {t:.2f} s "
              f"(failed fixity checks counted: {rep['events']['fixity_checks_failed']})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", choices=["throughput", "register", "report"])
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if args.only in (None, "throughput"):
            (base / "t").mkdir()
            throughput(base / "t", 256 if args.quick else 1024, 32 if args.quick else 64)
        if args.only in (None, "register"):
            (base / "r").mkdir()
            registration(base / "r", 10_000 if args.quick else 100_000)
        if args.only in (None, "report"):
            (base / "e").mkdir()
            report(base / "e", 100_000 if args.quick else 1_000_000)


if __name__ == "__main__":
    main()
