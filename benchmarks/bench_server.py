"""The WSGI server under `rightsgraph serve`: waitress (today) beside gunicorn's `gthread`
worker with the same threads (the baseline: what serve ran before), one after the other on
copies of the same demo store, same client (wrk), rounds alternating.

Rows:
  decisions/s    GET /api/v1/decision (a demo resource, read, by a member library), wrk -c 4
  healthz/s      GET /healthz (the server's own cost per request), wrk -c 4
  healthz under attack   seconds for one GET /healthz while 100 idle connections and 100
                 half-sent headers are held open (a 15 s client timeout: "timeout" = starved)

Usage: python benchmarks/bench_server.py [--seconds 5] [--rounds 3]
Needs `wrk` (Debian package wrk). Every server runs on 127.0.0.1 and is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
DECISION = ("/api/v1/decision?target=https://demo.rightsgraph.org/resource/0001&action=read"
            "&assignee=https://demo.rightsgraph.org/party/lib-a")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode})")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def start_waitress(data: Path, port: int, log) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "rightsgraph"), "--data-dir", str(data), "serve", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)


def start_gunicorn(data: Path, port: int, log) -> subprocess.Popen:
    """The same app, with the options the server gave gunicorn before (gthread, 8 threads)."""
    return subprocess.Popen([str(BIN / "gunicorn"), "-k", "gthread", "--threads", "8", "-w", "1", "-t", "120",
                             "-b", f"127.0.0.1:{port}", "--chdir", str(HERE), "gunicorn_app:app"],
                            stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "RG_BENCH_DATA": str(data)})


def wrk(base: str, path: str, seconds: int) -> float:
    out = subprocess.run(["wrk", "-t", "2", "-c", "4", "-d", f"{seconds}s", base + path],
                         capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"Requests/sec:\s+([\d.]+)", out.stdout)
    if not m:
        raise RuntimeError(out.stdout + out.stderr)
    if "Non-2xx" in out.stdout:
        raise RuntimeError("non-2xx answers:\n" + out.stdout)
    return float(m.group(1))


def under_attack(port: int) -> str:
    socks = []
    try:
        for i in range(200):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(s)
        time.sleep(0.5)
        t = time.perf_counter()
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=15).raise_for_status()
        except requests.RequestException:
            return "timeout"
        return f"{time.perf_counter() - t:.3f} s"
    finally:
        for s in socks:
            s.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="rg-bench-server-"))
    try:
        subprocess.run([str(BIN / "rightsgraph"), "--data-dir", str(work / "w"), "demo", "--no-serve"],
                       check=True, capture_output=True)
        shutil.copytree(work / "w", work / "g")       # each server its own copy (the store is locked)
        servers = {"waitress": (start_waitress, work / "w"), "gunicorn gthread": (start_gunicorn, work / "g")}
        figures: dict[str, dict[str, list]] = {n: {"decisions": [], "healthz": [], "attack": []} for n in servers}
        for _ in range(args.rounds):
            for name, (start, data) in servers.items():
                port = free_port()
                with open(work / f"{name.split()[0]}.log", "ab") as log:
                    proc = start(data, port, log)
                    try:
                        base = f"http://127.0.0.1:{port}"
                        wait(base + "/healthz", proc)
                        requests.get(base + DECISION, timeout=120).raise_for_status()   # the policy index built
                        figures[name]["decisions"].append(wrk(base, DECISION, args.seconds))
                        figures[name]["healthz"].append(wrk(base, "/healthz", args.seconds))
                        figures[name]["attack"].append(under_attack(port))
                    finally:
                        proc.terminate()
                        try:
                            proc.wait(60)
                        except subprocess.TimeoutExpired:
                            if shutil.which("py-spy"):        # where a server hangs on stopping
                                subprocess.run(["py-spy", "dump", "--pid", str(proc.pid)])
                            raise
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (2 cores; medians of {args.rounds} rounds)")
        print(f"{'':<18}{'decisions/s':>14}{'healthz/s':>12}   healthz under attack (each round)")
        for name, f in figures.items():
            print(f"{name:<18}{statistics.median(f['decisions']):>14,.0f}{statistics.median(f['healthz']):>12,.0f}   "
                  + ", ".join(f["attack"]))
        w, g = figures["waitress"], figures["gunicorn gthread"]
        print(f"{'waitress / gunicorn':<18}{statistics.median(w['decisions']) / statistics.median(g['decisions']):>13.2f}x"
              f"{statistics.median(w['healthz']) / statistics.median(g['healthz']):>11.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
