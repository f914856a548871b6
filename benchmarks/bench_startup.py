"""How soon `rightsgraph serve` answers decisions after it starts (issue 11: within 3 s on a
1M-triple store): compiling the policies at start (the baseline: a store changed since the
last run, or the first run) beside loading the copy the last run saved for the same content
(policy/index_cache.py), side by side on the same store, one start after the other.

Each start is timed from the launch of the process to its first 200 on /healthz and to its
first answered decision (GET /api/v1/decision, asked every 50 ms). Then, on the start from
the saved copy, one licence import at once: how long until decisions answer with it (the
first write after such a start waits for the compile running behind the copy, which can be
brought up to date after writes; the copy alone cannot).

Usage: python benchmarks/bench_startup.py [--data-dir DIR] [--runs 2] [--workers 1]
DIR: a data directory holding the demo world (e.g. one made by
`benchmarks/bench_pages.py --extra-triples 1000000 --licences 10000 --data-dir DIR`); it is
used as it is, not copied (its saved copy is removed before each baseline start).
Without --data-dir, the demo world alone in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_index_refresh import demo_data_dir, free_port, question, renewal_sheet, stop  # noqa: E402
from rightsgraph.policy import index_cache  # noqa: E402
from rightsgraph.store import content_stamp  # noqa: E402
from rightsgraph.store.embedded import EmbeddedStore  # noqa: E402

RG = str(Path(sys.executable).parent / "rightsgraph")


def start(data: Path, workers: int, params: dict, log: Path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen([RG, "--data-dir", str(data), "serve", "--port", str(port), "--workers", str(workers)],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    health = decided = None
    while decided is None:
        if proc.poll() is not None or time.perf_counter() - t0 > 600:
            proc.kill()
            raise RuntimeError("the service did not answer: " + log.read_text()[-2000:])
        try:
            if health is None:
                if requests.get(base + "/healthz", timeout=60).ok:
                    health = time.perf_counter() - t0
            elif requests.get(base + "/api/v1/decision", params=params, timeout=600).ok:
                decided = time.perf_counter() - t0
        except requests.RequestException:
            pass
        time.sleep(0.05)
    return proc, base, health, decided


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data = args.data_dir or demo_data_dir(tmp / "demo")
        folder = data / "store"
        store = EmbeddedStore(folder)
        ask = question(store)
        quads = store.count()
        del store
        params = {"target": ask["target"], "action": ask["action"], "assignee": ask["assignee"],
                  "context": "count=60", "at": ask["at"]}
        token = subprocess.run([RG, "--data-dir", str(data), "user", "add", f"bench-{time.time_ns()}", "--role",
                                "cataloguer"], check=True, capture_output=True, text=True).stdout.split()[-1]
        print(f"{quads:,} quads in {folder}; serve --workers {args.workers}", flush=True)
        rows = {"compiled": [], "saved": []}
        for run in range(args.runs):
            # baseline: no saved copy, as after a write or on a first start
            (folder / index_cache.FILE).unlink(missing_ok=True)
            content_stamp.remove(folder)
            proc, base, health, decided = start(data, args.workers, params, tmp / "compiled.log")
            t0 = time.perf_counter()
            while not (folder / index_cache.FILE).exists():      # the copy is saved after the compile
                if time.perf_counter() - t0 > 300:
                    break
                time.sleep(0.2)
            time.sleep(0.5)
            stop(proc, 60)
            rows["compiled"].append((health, decided))
            print(f"run {run + 1}, compiled at start:   healthz {health:6.2f} s, first decision {decided:6.2f} s", flush=True)
            proc, base, health, decided = start(data, args.workers, params, tmp / "saved.log")
            rows["saved"].append((health, decided))
            print(f"run {run + 1}, from the saved copy: healthz {health:6.2f} s, first decision {decided:6.2f} s", flush=True)
            if run == args.runs - 1:
                text = renewal_sheet()
                t0 = time.perf_counter()
                r = requests.post(base + "/licences/upload", headers={"Authorization": f"Bearer {token}"},
                                  files={"sheet": ("L01R.yaml", text.encode())}, data={"confirm": "1"}, timeout=600)
                uploaded = time.perf_counter() - t0
                verdict = None
                t0 = time.perf_counter()
                while r.ok and time.perf_counter() - t0 < 300:
                    verdict = requests.get(base + "/api/v1/decision", params=params, timeout=600).json()["decision"]
                    if verdict == "permit":
                        break
                print(f"a licence import right after that start: HTTP {r.status_code} in {uploaded:.2f} s; "
                      f"decisions answer with it {time.perf_counter() - t0:.2f} s later ({verdict})", flush=True)
            stop(proc, 60)
    med = {k: (statistics.median(h for h, _ in v), statistics.median(d for _, d in v)) for k, v in rows.items()}
    print(f"\nmedian of {args.runs}: first decision {med['saved'][1]:.2f} s after start from the saved copy "
          f"(target 3 s) vs {med['compiled'][1]:.2f} s compiling (baseline): "
          f"{med['compiled'][1] / med['saved'][1]:.1f}x; healthz {med['saved'][0]:.2f} s vs {med['compiled'][0]:.2f} s")
    print("note: the import changed the store; its next start compiles (and saves) again")


if __name__ == "__main__":
    main()
