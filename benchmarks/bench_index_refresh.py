"""How soon a licence import reaches decisions: the compiled policies refreshed from the
graphs the import changed (policy/index_refresh.py, today) beside rebuilt from the whole
store (the baseline: what the decision service did before), on the same store, same write.

The write: a new licence, demo licence L01 with its print limit raised from 50 to 80 (a
renewal), so a print of 60 by an authorised user goes from deny to permit. Each round copies the store
(an Oxigraph backup: hard links), builds the decision service's index, imports, and times
until the service answers the question with the new verdict, then a rebuild of the same
state, and checks both give the same answer.

Usage: python benchmarks/bench_index_refresh.py --data-dir DIR [--rounds 3] [--served 2]
DIR: a data directory with a store holding the demo world (e.g. one made by
`benchmarks/bench_pages.py --extra-triples 1000000 --licences 10000 --data-dir DIR`);
without --data-dir, the demo world alone, built in a temporary folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from rightsgraph.decision_service import DecisionService  # noqa: E402
from rightsgraph.licences.registry import import_sheet  # noqa: E402
from rightsgraph.policy import PolicyIndex  # noqa: E402
from rightsgraph.store.embedded import EmbeddedStore  # noqa: E402

SHEET = HERE.parent / "data" / "demo" / "termsheets" / "L01.yaml"
ODRL = "http://www.w3.org/ns/odrl/2/"


def question(store) -> dict:
    row = next(iter(store.query(
        f"SELECT ?r ?p WHERE {{ GRAPH ?g {{ ?r <{ODRL}partOf> <https://demo.rightsgraph.org/package/aldgate-stm-journals> }} "
        f"GRAPH ?h {{ ?p <{ODRL}partOf> <https://demo.rightsgraph.org/party/dalc-authorised-users> }} }} LIMIT 1")))
    return {"target": row["r"].value, "action": "print", "assignee": row["p"].value,
            "context": {"count": "60"}, "at": "2026-06-01T12:00:00Z"}


def renewal_sheet() -> str:
    """Demo licence L01 renewed: the print limit 80 instead of 50, under a new licence IRI."""
    text = SHEET.read_text(encoding="utf-8")
    assert "limit: 50" in text and "licence: lic:L01\n" in text and "rule_prefix: rule:L01-" in text
    text = text.replace("limit: 50", "limit: 80", 1).replace("licence: lic:L01\n", "licence: lic:L01-renewal\n")
    return text.replace("rule_prefix: rule:L01-", "rule_prefix: rule:L01R-")


def free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(proc, seconds: float = 30) -> None:
    """Stop a `serve` process: SIGTERM, and SIGKILL if it has not ended in `seconds`."""
    import subprocess
    proc.terminate()
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def demo_data_dir(folder: Path) -> Path:
    """The demo world, as `rightsgraph demo` loads it."""
    import subprocess
    subprocess.run([str(Path(sys.executable).parent / "rightsgraph"), "--data-dir", str(folder), "demo", "--no-serve"],
                   check=True, stdout=subprocess.DEVNULL)
    return folder


def one_round(source: Path, work: Path, sheet: Path) -> dict:
    copy = work / "store"
    EmbeddedStore(source / "store").backup(copy)
    store = EmbeddedStore(copy)
    from rightsgraph.reports.asset_updates import DERIVED_GRAPH
    from rightsgraph.reports.assets import derive_asset_classes
    if not store.count(DERIVED_GRAPH):
        derive_asset_classes(store)    # once per store: else the import would derive every resource's class
    ask = question(store)
    svc = DecisionService(store)
    t0 = time.perf_counter()
    svc.index()
    first = svc.answer(ask)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    import_sheet(store, sheet)
    imported = time.perf_counter() - t0
    t0 = time.perf_counter()
    after = svc.answer(ask)
    refreshed = time.perf_counter() - t0
    t0 = time.perf_counter()
    rebuilt_index = PolicyIndex.from_store(store)
    rebuilt = time.perf_counter() - t0
    from rightsgraph.decision_service import read_params
    from rightsgraph.policy import decide
    kwargs = read_params(ask)
    kwargs.pop("report")
    by_rebuild = decide(rebuilt_index, **kwargs).decision
    return {"build": built, "import": imported, "refresh": refreshed, "rebuild": rebuilt,
            "before": first["decision"], "after": after["decision"], "rebuilt": by_rebuild,
            "quads": store.count()}


def served_round(source: Path, work: Path, sheet: Path, workers: int) -> dict:
    """The same write through the service: `rightsgraph serve --workers N` (a writer and N
    reader processes on published snapshots), the term sheet uploaded by a cataloguer
    (POST /licences/upload), then GET /api/v1/decision until every answer is the new verdict."""
    import subprocess

    import requests
    data = work / "data"
    data.mkdir()
    EmbeddedStore(source / "store").backup(data / "store")
    store = EmbeddedStore(data / "store")
    from rightsgraph.reports.asset_updates import DERIVED_GRAPH
    from rightsgraph.reports.assets import derive_asset_classes
    if not store.count(DERIVED_GRAPH):
        derive_asset_classes(store)
    ask = question(store)
    store.close() if hasattr(store, "close") else None
    del store
    rg = str(Path(sys.executable).parent / "rightsgraph")
    token = subprocess.run([rg, "--data-dir", str(data), "user", "add", "bench", "--role", "cataloguer"],
                           check=True, capture_output=True, text=True).stdout.split()[-1]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(work / "serve.log", "w")
    proc = subprocess.Popen([rg, "--data-dir", str(data), "serve", "--port", str(port), "--workers", str(workers)],
                            stdout=log, stderr=subprocess.STDOUT)
    params = {"target": ask["target"], "action": ask["action"], "assignee": ask["assignee"],
              "context": "count=60", "at": ask["at"]}
    try:
        t0 = time.perf_counter()
        while True:
            try:
                if requests.get(base + "/api/v1/decision", params=params, timeout=120).ok:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.perf_counter() - t0 > 600:
                raise RuntimeError("the service did not start: " + (work / "serve.log").read_text()[-2000:])
            time.sleep(0.2)
        first = time.perf_counter() - t0
        session = requests.Session()
        for _ in range(8 * workers):   # every reader builds its index before the write
            before = session.get(base + "/api/v1/decision", params=params, timeout=120).json()["decision"]
        t0 = time.perf_counter()
        r = session.post(base + "/licences/upload", headers={"Authorization": f"Bearer {token}"},
                         files={"sheet": (sheet.name, sheet.read_bytes())}, data={"confirm": "1"}, timeout=600)
        uploaded = time.perf_counter() - t0
        if r.status_code != 200:
            raise RuntimeError(f"upload: HTTP {r.status_code}: {r.text[:500]}\n" + (work / "serve.log").read_text()[-3000:])
        t0 = time.perf_counter()
        answers = []
        while len(answers) < 4 * workers and time.perf_counter() - t0 < 120:
            a = session.get(base + "/api/v1/decision", params=params, timeout=120).json()["decision"]
            answers = answers + [a] if a == "permit" else []
        visible = time.perf_counter() - t0
        return {"first": first, "import": uploaded, "visible": visible, "before": before,
                "after": answers[-1] if answers else "deny"}
    finally:
        stop(proc)
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--served", type=int, default=0, metavar="N",
                    help="also through `rightsgraph serve --workers N` (the upload over HTTP)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = args.data_dir or demo_data_dir(tmp / "demo")
        sheet = tmp / "L01.yaml"
        sheet.write_text(renewal_sheet(), encoding="utf-8")
        rows = []
        for i in range(args.rounds):
            work = tmp / f"round{i}"
            work.mkdir()
            rows.append(one_round(Path(source), work, sheet))
            shutil.rmtree(work)
            r = rows[-1]
            print(f"round {i + 1}: {r['quads']:,} quads; index built {r['build']:.2f} s; import {r['import']:.2f} s; "
                  f"decision after the import {r['refresh'] * 1000:.0f} ms (refreshed) vs rebuild {r['rebuild']:.2f} s; "
                  f"verdict {r['before']} -> {r['after']} (rebuilt: {r['rebuilt']})", flush=True)
            if r["after"] != r["rebuilt"] or r["before"] == r["after"]:
                sys.exit("the refreshed index does not answer as the rebuilt one, or the import changed nothing")
        if args.served:
            work = tmp / "served"
            work.mkdir()
            r = served_round(Path(source), work, sheet, args.served)
            print(f"served, --workers {args.served}: first decision {r['first']:.1f} s after start; upload "
                  f"{r['import']:.2f} s; every reader answering the new verdict {r['visible'] * 1000:.0f} ms after "
                  f"the upload's answer (the readers' first requests refresh their index); verdict "
                  f"{r['before']} -> {r['after']}", flush=True)
            shutil.rmtree(work)
    med = {k: statistics.median(r[k] for r in rows) for k in ("build", "import", "refresh", "rebuild")}
    print(f"\nmedian of {len(rows)}: write visible to decisions {med['refresh'] * 1000:.0f} ms after the import "
          f"(target 500 ms); a rebuild (baseline) {med['rebuild']:.2f} s: {med['rebuild'] / med['refresh']:.0f}x; "
          f"licence import itself {med['import']:.2f} s; first build {med['build']:.2f} s")


if __name__ == "__main__":
    main()
