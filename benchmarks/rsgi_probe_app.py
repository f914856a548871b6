"""The app bench_rsgi_probe.py runs under granian: rightsgraph's Flask app over the store in
RG_PROBE_DATA_DIR, behind either granian's WSGI interface (`wsgi_app`) or the RSGI bridge
proposed for issue 11 (`rsgi_app`). A probe for a design, not part of the service.

The bridge: a plain decision question (web/decision_fast_path.py's rules) is answered on
granian's event loop; every other request has its body read there, in full and bounded,
before the Flask app gets it in a thread, as waitress does: a slow sender holds a coroutine,
never one of the threads that answer everyone else.
"""

from __future__ import annotations

import asyncio
import io
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from rightsgraph.store.embedded import open_store
from rightsgraph.web.app import create_app

MAX_BODY = 16 * 1024 * 1024


def _flask():
    data_dir = os.environ["RG_PROBE_DATA_DIR"]
    if os.environ.get("RG_PROBE_SNAPSHOT"):     # granian --workers N: each reads the published snapshot
        from rightsgraph.store.snapshot_store import SnapshotStore
        return create_app(SnapshotStore(os.path.join(data_dir, "store")), settings={"RG_WARM_UP": True})
    return create_app(open_store(data_dir), settings={"RG_WARM_UP": True})


def wsgi_app():
    """granian --interface wsgi --factory rsgi_probe_app:wsgi_app"""
    return _flask()


class Bridge:
    def __init__(self, app, threads: int = 8):
        self.wsgi = app.wsgi_app                 # BodyLimit -> DecisionFastPath -> Flask
        self.fast = app.wsgi_app.app
        self.pool = ThreadPoolExecutor(threads, thread_name_prefix="wsgi")

    @staticmethod
    def _environ(scope) -> dict:
        host, _, port = scope.server.rpartition(":")
        environ = {"REQUEST_METHOD": scope.method, "PATH_INFO": scope.path, "SCRIPT_NAME": "",
                   "QUERY_STRING": scope.query_string, "SERVER_NAME": host, "SERVER_PORT": port,
                   "SERVER_PROTOCOL": f"HTTP/{scope.http_version}", "REMOTE_ADDR": scope.client.rpartition(":")[0],
                   "wsgi.url_scheme": scope.scheme, "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
                   "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False,
                   "rightsgraph.whole_request_read": True}
        for name, value in scope.headers.items():
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    async def __rsgi__(self, scope, protocol):
        if scope.method == "GET" and scope.path == "/api/v1/decision":
            headers = scope.headers      # only what the fast path reads: each header a call into Rust
            asked = {"REQUEST_METHOD": "GET", "PATH_INFO": scope.path, "QUERY_STRING": scope.query_string}
            for name, key in (("authorization", "HTTP_AUTHORIZATION"), ("origin", "HTTP_ORIGIN"),
                              ("content-length", "CONTENT_LENGTH"), ("transfer-encoding", "HTTP_TRANSFER_ENCODING")):
                value = headers.get(name)
                if value is not None:
                    asked[key] = value
            body = self.fast._answer(asked)
            if body is not None:
                protocol.response_bytes(200, [("content-type", "application/json")], body)
                return
        environ = self._environ(scope)
        data = b""
        if scope.method not in ("GET", "HEAD"):
            chunks, size = [], 0
            async for chunk in protocol:         # read in the loop, whatever its pace
                size += len(chunk)
                if size > MAX_BODY:
                    protocol.response_bytes(413, [("content-type", "text/plain")], b"too large\n")
                    return
                chunks.append(chunk)
            data = b"".join(chunks)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        status, headers, body = await asyncio.get_running_loop().run_in_executor(self.pool, self._call, environ)
        protocol.response_bytes(status, headers, body)

    def _call(self, environ):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status[:3]), headers

        chunks = self.wsgi(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        return answer["status"], answer["headers"], body


def rsgi_app():
    """granian --interface rsgi --factory rsgi_probe_app:rsgi_app"""
    return Bridge(_flask())
