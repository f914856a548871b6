"""The writer process of `serve --workers N` over the embedded store, and its supervision.

The writer is the only process that opens the store read-write. It serves the write
requests (SPARQL Update, Graph Store writes, term sheets stored) on an internal port of
127.0.0.1 and publishes a read-only snapshot after every commit (store/snapshots.py). The
N reader processes (serving/http_server.py's forked processes) answer queries, decisions
and pages from the newest snapshot and pass write requests here (web/write_forwarding.py).
Reads scale with the processes; writes stay serialised in one place, as the store needs.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

import requests

from ..translation import _
from .ports import free_port
from .supervision import HealthCheck, RestartBudget, exit_with_parent, health_interval


def _writer_main(data_dir, port: int, settings: dict) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .. import write_generation
    from ..store.embedded import open_store
    from ..store.snapshots import publish, publisher
    from ..web.app import create_app
    from .http_server import serve

    exit_with_parent()      # a service killed with SIGKILL leaves no writer holding the store

    def factory():
        store = open_store(data_dir)
        publish(store)
        write_generation.on_change(publisher(store))
        app = create_app(store, settings=dict(settings, RG_WARM_UP=False))   # it answers no decision
        # Readers forward the client's host and scheme: IRIs minted by the writer (POST
        # /store) and base IRIs of updates must be the public ones.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1)
        return app

    serve(factory, host="127.0.0.1", port=port, threads=4, workers=1)


def start_writer(data_dir, settings: dict, seconds: float = 120, port: int | None = None):
    """Start the writer process; returns (process, its base URL) once it answers."""
    port = port or free_port()
    proc = multiprocessing.get_context("spawn").Process(target=_writer_main, args=(data_dir, port, settings),
                                                        daemon=False)
    proc.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError("the writer process exited while starting")
        try:
            if requests.get(url + "/healthz", timeout=5).ok:
                return proc, url
        except requests.RequestException:   # not up yet, or slow to answer its first request
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the writer process did not start")


class SupervisedWriter:
    """The writer process, started again on the same port when it dies (killed, crashed) or
    stops answering its health check (hung, stopped), so the readers' writer URL stays
    right. Its pid is in `<data dir>/writer.pid`.

    A writer killed mid-commit leaves the store as the journal left it; the new writer
    finishes or rolls back that commit when it opens the store (store/journal.py). A writer
    that keeps dying stops the service, with the reason, rather than restarting forever
    (serving/supervision.py)."""

    def __init__(self, data_dir, settings: dict, on_give_up):
        import threading
        self.data_dir, self.settings, self.on_give_up = Path(data_dir), settings, on_give_up
        self.stopping = threading.Event()
        self.proc, self.url = start_writer(data_dir, settings)
        self.port = int(self.url.rsplit(":", 1)[1])
        self._pid_file()
        self._budget = RestartBudget()
        threading.Thread(target=self._watch, daemon=True, name="writer-watch").start()

    def _pid_file(self) -> None:
        tmp = self.data_dir / f"writer.pid.{os.getpid()}.tmp"
        tmp.write_text(f"{self.proc.pid}\n")
        tmp.replace(self.data_dir / "writer.pid")

    def _watch(self) -> None:
        interval = health_interval()
        health = HealthCheck(self.url)
        while not self.stopping.is_set():
            self.proc.join(interval)
            if self.stopping.is_set():
                return
            if self.proc.is_alive():
                if not health.hung(timeout=2 * interval):
                    continue
                print(_("rightsgraph: the writer process has not answered for %(n)s health checks: stopping it",
                        n=health.failures), file=sys.stderr, flush=True)
                self.proc.kill()
                self.proc.join(10)
            health.failures = 0
            if not self._budget.spend():
                self.on_give_up(_("the writer process died %(n)s times in %(window)s s (last exit code %(code)s)",
                                  n=self._budget.used, window=format(self._budget.window, "g"),
                                  code=self.proc.exitcode))
                return
            print(_("rightsgraph: the writer process exited (code %(code)s); starting it again",
                    code=self.proc.exitcode), file=sys.stderr, flush=True)
            self._restart()

    def _restart(self) -> None:
        # the dead writer's server may hold the store's lock for a moment more
        deadline = time.monotonic() + 30
        while not self.stopping.is_set():
            try:
                self.proc, _ = start_writer(self.data_dir, self.settings, port=self.port)
                self._pid_file()
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    self.on_give_up(_("the writer process could not be started again"))
                    return
                time.sleep(0.5)

    def stop(self) -> None:
        self.stopping.set()
        self.proc.terminate()
        self.proc.join(15)
        (self.data_dir / "writer.pid").unlink(missing_ok=True)
