"""Run the Flask app under gunicorn (a production WSGI server, not Flask's dev server).

The embedded store is opened read-write by one process only (Oxigraph holds a lock), so
the service runs one worker process with a pool of threads; pyoxigraph releases the GIL
while it evaluates a query, so threads do run queries in parallel.

Request bodies are bounded by the app itself (create_app puts input_limits.BodyLimit in
front of its views), so any WSGI server running it gets the same 413.
"""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app_factory, options: dict):
        self._factory = app_factory
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._factory()


def serve(app_factory, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          workers: int = 1, timeout: int = 120, access_log: bool = False) -> None:
    """`workers` > 1 only with a remote store: each process then talks to the store over
    HTTP and keeps its own policy index (the embedded store has a single writer)."""
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": timeout,
        "graceful_timeout": 10,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
    }
    _Gunicorn(app_factory, options).run()
