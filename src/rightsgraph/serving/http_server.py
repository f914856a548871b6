"""Run the Flask app under waitress (a production WSGI server, not Flask's dev server).

Why waitress: it reads every request (header and body) on one asynchronous I/O thread and
hands a request to the thread pool only once it has fully arrived, as nginx does in front
of an application. Idle connections and slow senders (slowloris) therefore hold a socket,
not one of the threads that answer everyone else. gunicorn's `gthread` worker, used before,
reads in the pool threads: 100 half-sent headers took all 8 and `/healthz` stopped
answering (tests/integration/test_slow_clients.py). Waitress closes idle connections, but
has no deadline for a header that keeps trickling in; `_TimedChannel` adds one.

The embedded store is opened read-write by one process only (Oxigraph holds a lock), so
the service runs one process with a pool of threads; pyoxigraph releases the GIL while it
evaluates a query, so threads do run queries in parallel. `workers` > 1 (a remote store,
or the readers of serving/writer.py) forks that many processes sharing one listening socket,
each running its own app, and replaces a process that dies.

A decision question (GET /api/v1/decision, no body) is answered on the I/O thread as soon as
it is read (`_Dispatcher`): the hand-off to a pool thread and back cost more than the
decision; everything else is answered in the pool.

Request bodies are bounded by the app itself (create_app puts input_limits.BodyLimit in
front of its views, with a bilingual 413); waitress's own bound is set above it only so
that it does not spool an unbounded body to disk before the app can refuse it.
"""

from __future__ import annotations

import copy
import functools
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Callable

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer, create_server
from waitress.utilities import Error, RequestEntityTooLarge

from ..bilingual import in_lang
from ..input_limits import WHOLE_REQUEST_READ, answer_language
from ..translation import _, both
from ..web.decision_fast_path import PATH as DECISION_PATH
from ..web.decision_fast_path import answers_at_once

log = logging.getLogger("rightsgraph.server")


class _ReadError(Error):
    """An error waitress answers itself (a malformed or oversized request, before the app
    sees it), in the client's language like the app's own answers."""

    def __init__(self, error: Error, text: str):
        super().__init__(error.body)
        self.code, self.reason, self.text = error.code, error.reason, text

    def to_response(self, ident=None):
        body = (self.text + "\n").encode("utf-8")
        return f"{self.code} {self.reason}", [("Content-Type", "text/plain; charset=utf-8")], body


def _timed_parser(app_max_body: int):
    class _TimedParser(HTTPRequestParser):
        def __init__(self, adj):
            super().__init__(adj)
            self.started = time.monotonic()     # a parser is made when a request's first bytes arrive

        def received(self, data):
            consumed = super().received(data)
            if self.error is not None and not isinstance(self.error, _ReadError):
                if isinstance(self.error, RequestEntityTooLarge):
                    limit = format(app_max_body, ",")
                    messages = both("request body larger than the limit of %(bytes)s bytes (rightsgraph serve --max-body)",
                                    bytes=limit)
                else:
                    messages = both("the request could not be read: %(problem)s", problem=self.error.body)
                self.error = _ReadError(self.error, in_lang(messages, answer_language(self.headers.get("ACCEPT_LANGUAGE"))))
            return consumed

    return _TimedParser


class _WholeRequests:
    """Tells the app that the server has read each request whole (input_limits)."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ[WHOLE_REQUEST_READ] = True
        return self.app(environ, start_response)


# A decision question answered on the I/O thread: below this many bytes of answers not yet
# sent on the connection (a client pipelining requests without reading the answers could
# otherwise make the I/O thread wait on itself for the buffer to drain).
INLINE_OUTBUF_LIMIT = 1 << 20


def _inline(request) -> bool:
    """The everyday decision question: a GET of the decision endpoint with no body, read whole."""
    return (request.error is None and request.command == "GET" and request.path == DECISION_PATH
            and not request.content_length and not request.chunked)


class _Dispatcher:
    """waitress's thread pool, except for decision questions (`_inline`): those are answered
    on the I/O thread right after the request is read, by the app (web/decision_fast_path.py
    answers them in about 0.1 ms). Handing each to a pool thread and its answer back costs
    two thread switches, more than the decision itself; every other request (with a body, a
    page, a query that may take seconds) goes to the pool as before."""

    def __init__(self, pool, answers_at_once: Callable[[], bool]):
        self.pool, self.answers_at_once = pool, answers_at_once
        self.loop_thread = threading.get_ident()

    def add_task(self, channel) -> None:
        # To the pool instead: a question that must first bring the policies up to date (after
        # a write; seconds after a new snapshot without its list of changed graphs), so that the
        # I/O thread serves every other connection meanwhile; and the next request of a
        # connection whose previous one a pool thread answered (that thread dispatches it).
        if (threading.get_ident() == self.loop_thread and _inline(channel.requests[0])
                and channel.total_outbufs_len < INLINE_OUTBUF_LIMIT and self.answers_at_once()):
            channel.inline_pending = True           # answered by handle_read, once received() has let go of its lock
        else:
            self.pool.add_task(channel)

    def __getattr__(self, name):
        return getattr(self.pool, name)


class _Channel(HTTPChannel):
    inline_pending = False

    def handle_read(self):
        super().handle_read()
        if not self.inline_pending:
            return
        # waitress sends each write at once (send_bytes 1): the status line and headers in one
        # send(), the body in another, two system calls and two packets for one small answer.
        # While answering inline, writes only fill the buffer; handle_write sends them together.
        shared, self.adj = self.adj, _buffering(self.adj)
        try:
            while self.inline_pending:
                self.inline_pending = False
                self.service()      # sets inline_pending again for a pipelined decision behind this one
        finally:
            self.adj = shared
        if not self.requests and self.total_outbufs_len:
            self.handle_write()     # send now, not at the loop's next turn


@functools.lru_cache(maxsize=4)
def _buffering(adj):
    """`adj` with writes kept in the output buffer up to INLINE_OUTBUF_LIMIT bytes."""
    buffering = copy.copy(adj)
    buffering.send_bytes = INLINE_OUTBUF_LIMIT
    return buffering


def _cut_slow_headers(server: TcpWSGIServer, header_timeout: float, app_max_body: int) -> None:
    """Close connections whose request header has not ended `header_timeout` seconds after
    it began (nginx's client_header_timeout), besides waitress's idle timeout."""
    idle_check = server.maintenance

    def maintenance(now):
        idle_check(now)
        cutoff = time.monotonic() - header_timeout
        for channel in list(server.active_channels.values()):
            request = channel.request
            if request is not None and not request.headers_finished and request.started < cutoff:
                channel.will_close = True

    server.maintenance = maintenance
    server.channel_class = type("_TimedChannel", (_Channel,), {"parser_class": _timed_parser(app_max_body)})


def listening_socket(host: str, port: int) -> socket.socket:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(2048)
    return sock


def _run_one(app, sock: socket.socket, *, threads: int, header_timeout: float, idle_timeout: float,
             max_connections: int, max_body: int) -> None:
    server = create_server(
        _WholeRequests(app), sockets=[sock], threads=threads, ident="rightsgraph",
        connection_limit=max_connections, channel_timeout=idle_timeout,
        cleanup_interval=max(0.5, min(header_timeout, idle_timeout) / 4),
        max_request_body_size=2 * max_body + (1 << 20), clear_untrusted_proxy_headers=False,
        asyncore_use_poll=True)        # select() fails past file descriptor 1024
    _cut_slow_headers(server, header_timeout, max_body)
    if os.environ.get("RIGHTSGRAPH_INLINE_DECISIONS", "1") != "0":
        server.task_dispatcher = dispatcher = _Dispatcher(server.task_dispatcher, lambda: answers_at_once(app))
        # the I/O thread waking itself through the trigger pipe (at the end of each request it
        # answered) is two system calls for nothing: it polls again anyway
        loop_thread, pull = dispatcher.loop_thread, server.pull_trigger
        server.pull_trigger = lambda: None if threading.get_ident() == loop_thread else pull()

    stopping = threading.Event()
    # The handler only sets a flag: raising out of it could leave a lock of waitress's held
    # by the interrupted code. The loop below checks the flag at least every loop timeout.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        while not stopping.is_set() and server._map:
            wasyncore.loop(timeout=server.adj.asyncore_loop_timeout, map=server._map,
                           use_poll=server.adj.asyncore_use_poll, count=1)
    finally:
        server.task_dispatcher.shutdown(timeout=10)
        server.close()


def serve(app_factory: Callable, *, host: str = "127.0.0.1", port: int = 8000, threads: int = 8,
          workers: int = 1, **limits) -> None:
    """Serve until SIGTERM or SIGINT. `workers` > 1 only with a store every process can open
    (remote, or the readers' snapshots): each process keeps its own policy index."""
    from .supervisor import Supervisor
    options = server_options(threads=threads, **limits)
    sock = listening_socket(host, port)
    try:
        if workers == 1:
            _run_one(app_factory(), sock, **options)
            return
        supervisor = Supervisor()
        for child in readers(app_factory, sock, workers, options):
            supervisor.add(child)
        supervisor.run()
    finally:
        sock.close()


def server_options(*, threads: int = 8, header_timeout: float = 20.0, idle_timeout: float = 120.0,
                   max_connections: int = 1000, max_body: int = 16 * 1024 * 1024) -> dict:
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)   # "task queue depth" under load: not news
    return dict(threads=threads, header_timeout=header_timeout, idle_timeout=idle_timeout,
                max_connections=max_connections, max_body=max_body)


def readers(app_factory: Callable, sock: socket.socket, count: int, options: dict) -> list:
    """`count` server processes forked on one listening socket, as supervised children
    (serving/supervisor.py): one that dies is replaced, unless they keep dying at start."""
    from .supervisor import Child
    return [Child(name=_("a server process"), start=lambda: _fork_server(app_factory, sock, options),
                  restart="replace", group="readers") for _i in range(count)]


def _fork_server(app_factory: Callable, sock: socket.socket, options: dict):
    from .supervisor import ForkedProcess
    pid = os.fork()
    if pid:
        return ForkedProcess(pid)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # The writer and the tier manager are the parent's multiprocessing children: at exit
    # multiprocessing's atexit hook joined them from here and printed a traceback
    # ("can only join a child process") at every stop of `serve --workers N`.
    import multiprocessing.process
    multiprocessing.process._children.clear()
    from .supervisor import exit_with_parent
    exit_with_parent()      # the port is not left answering after the main process is killed
    code = 0
    try:
        _run_one(app_factory(), sock, **options)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("server process %s failed", os.getpid())
        code = 1
    finally:
        # Leave here, never by unwinding into the supervisor's stack this process was forked
        # from (its clean-up would stop the siblings); atexit hooks stop this process's query workers.
        import atexit
        try:
            atexit._run_exitfuncs()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
