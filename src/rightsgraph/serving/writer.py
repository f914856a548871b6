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
import time
from pathlib import Path

import requests

from ..translation import _
from .ports import free_port
from .supervisor import exit_with_parent
from .supervisor import Child


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
    url = writer_url(port)
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


def writer_child(data_dir, settings: dict) -> Child:
    """The writer as a supervised child (serving/supervisor.py): started again on the same
    port when it dies (killed, crashed) or fails its health checks (hung, stopped), so the
    readers' writer URL stays right; its pid in `<data dir>/writer.pid`.

    A writer killed mid-commit leaves the store as the journal left it; the new writer
    finishes or rolls back that commit when it opens the store (store/journal.py)."""
    data_dir = Path(data_dir)
    port = free_port()
    pid_file = data_dir / "writer.pid"
    started = []

    def start():
        # a restart may find the dead writer's store lock held for a moment more
        deadline = time.monotonic() + (30 if started else 0)
        while True:
            try:
                proc, _url = start_writer(data_dir, settings, port=port)
                break
            except RuntimeError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.5)
        tmp = data_dir / f"writer.pid.{os.getpid()}.tmp"
        tmp.write_text(f"{proc.pid}\n")
        tmp.replace(pid_file)
        started.append(proc.pid)
        return proc

    return Child(name=_("the writer process"), start=start, health_url=writer_url(port),
                 at_stop=lambda: pid_file.unlink(missing_ok=True))


def writer_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"
