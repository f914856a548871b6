"""Several server processes over one embedded store: one writer, many readers.

`rightsgraph serve --workers N` with the embedded store starts:
- a **writer** process, the only one that opens the store read-write, serving the write
  requests (SPARQL Update, Graph Store writes) on an internal port of 127.0.0.1 and
  publishing a read-only snapshot after every commit (store/snapshot.py);
- N **reader** processes (web/server.py's forked processes) behind the public port, answering queries,
  decisions and pages from the newest snapshot and passing write requests to the writer.
Reads scale with the processes; writes stay serialised in one place, as the store needs.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path

import requests
from flask import Response, request

from ..translation import _

# Cookie, Origin and Referer: a page's write (a term sheet stored by a signed-in librarian)
# is authenticated by the session cookie and checked to come from this site's own page; the
# sessions file is shared by every process.
HOP_HEADERS = ("Authorization", "Content-Type", "Accept", "Accept-Language", "Cookie", "Origin", "Referer")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for the service's internal listeners)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _writer_main(data_dir, port: int, settings: dict) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from .. import write_generation
    from ..store.embedded import open_store
    from ..store.snapshot import publish, publisher
    from .app import create_app
    from .server import serve

    def factory():
        store = open_store(data_dir)
        publish(store)
        write_generation.on_change(publisher(store))
        app = create_app(store, settings=settings)
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
    """The writer process, started again on the same port when it dies (killed, crashed),
    so the readers' writer URL stays right. Its pid is in `<data dir>/writer.pid`.

    A writer killed mid-commit leaves the store as the journal left it; the new writer
    finishes or rolls back that commit when it opens the store (store/journal.py). A writer
    that keeps dying (more than MAX_RESTARTS in RESTART_WINDOW seconds) stops the service,
    with the reason, rather than restarting forever."""

    MAX_RESTARTS, RESTART_WINDOW = 5, 60.0

    def __init__(self, data_dir, settings: dict, on_give_up):
        import threading
        self.data_dir, self.settings, self.on_give_up = Path(data_dir), settings, on_give_up
        self.stopping = threading.Event()
        self.proc, self.url = start_writer(data_dir, settings)
        self.port = int(self.url.rsplit(":", 1)[1])
        self._pid_file()
        self._restarts: list[float] = []
        threading.Thread(target=self._watch, daemon=True, name="writer-watch").start()

    def _pid_file(self) -> None:
        tmp = self.data_dir / f"writer.pid.{os.getpid()}.tmp"
        tmp.write_text(f"{self.proc.pid}\n")
        tmp.replace(self.data_dir / "writer.pid")

    def _watch(self) -> None:
        while not self.stopping.is_set():
            self.proc.join()
            if self.stopping.is_set():
                return
            now = time.monotonic()
            self._restarts = [t for t in self._restarts if now - t < self.RESTART_WINDOW] + [now]
            if len(self._restarts) > self.MAX_RESTARTS:
                self.on_give_up(_("the writer process died %(n)s times in %(window)s s (last exit code %(code)s)",
                                  n=len(self._restarts), window=format(self.RESTART_WINDOW, "g"), code=self.proc.exitcode))
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


def is_write() -> bool:
    path = request.path.rstrip("/")
    if path == "/store" or path.startswith("/store/"):
        return request.method in ("PUT", "POST", "DELETE")
    if path == "/licences/upload" and request.method == "POST":
        request.get_data(cache=True)       # kept for forwarding: the form is read from the copy
        return request.form.get("confirm") == "1"    # storing it; checking it only reads
    if path == "/sparql" and request.method == "POST":
        from .sparql import ProtocolError, read_sparql_request
        try:
            return read_sparql_request()[1] is not None
        except ProtocolError:
            return False    # malformed: answered here, with the protocol's error
    return False


def install_forwarding(app, writer_url: str) -> None:
    """In a reader process: send write requests to the writer, answer the rest here."""
    session = requests.Session()

    @app.before_request
    def forward_writes():
        if not is_write():
            return None
        headers = {h: request.headers[h] for h in HOP_HEADERS if h in request.headers}
        headers.update({"X-Forwarded-Host": request.host, "X-Forwarded-Proto": request.scheme,
                        "X-Forwarded-For": request.remote_addr or ""})
        upstream = session.request(request.method, writer_url + request.full_path.rstrip("?"),
                                   data=request.get_data(cache=True), headers=headers, timeout=600)
        keep = {k: v for k, v in upstream.headers.items()
                if k.lower() in ("content-type", "location", "x-triples-inserted", "x-triples-deleted",
                                 "www-authenticate", "retry-after", "set-cookie", "cache-control")}
        return Response(upstream.content, status=upstream.status_code, headers=keep)
