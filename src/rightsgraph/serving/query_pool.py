"""Queries with a deadline: SPARQL queries run in worker processes that can be killed.

pyoxigraph has no query timeout or cancellation, and a query cannot be stopped from
another thread. So the service runs queries in a small pool of worker processes, each
reading a consistent snapshot of the store (an Oxigraph backup: hard links, made once per
change); a query past its deadline gets its worker killed and replaced, the client gets
503, and the other workers keep serving. Readers are never blocked by a writer: they read
the snapshot of the last committed state.

Queries calling the decision functions (rg:permitted, rg:decision) run there too, under
the same deadline: a worker compiles the policies of the snapshot it reads (once per
snapshot, on the first such query) into its own DecisionService.

Reports that take seconds of Python on a large store (the risk report) run the same way, in a
report worker of the pool's own (`call`): a serving process computing them in a thread would
share its interpreter lock with every request it answers meanwhile.

A single-process server's workers read snapshots of their own (store/snapshots.py,
`snapshots/query-<pid>`, removed when the process stops, or after a SIGKILL by the next
server); a reader process of `serve --workers N` gives them the published snapshot it reads.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import write_generation
from ..store.snapshots import PrivateSnapshots

class QueryUnanswered(Exception):
    """The query got no answer, through no fault of its own: the client may try again (503)."""


class QueryTimeout(QueryUnanswered):
    pass


class WorkerLost(QueryUnanswered):
    """The worker running the query died (killed, out of memory); a fresh one replaces it."""


class PoolClosed(WorkerLost):
    """The service is stopping: the pool takes no more work (nothing went wrong)."""


class ResultTooLarge(Exception):
    pass


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


def _worker_main(conn) -> None:
    """Worker loop: (snapshot path, job) -> Answer fields. Runs in a spawned process."""
    import pyoxigraph as ox

    from .. import query as q
    from ..store.embedded import EmbeddedStore
    from ..store.snapshot_store import VouchedSnapshot
    opened: dict = {"path": None, "vouched": None, "store": None, "functions": None}
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        path, vouched = job["snapshot"], job.get("vouched")
        if (opened["path"], opened["vouched"]) != (path, vouched):
            opened["store"] = opened["functions"] = None
            opened["store"] = (VouchedSnapshot.open(path, *vouched) if vouched
                               else EmbeddedStore.wrap(ox.Store.read_only(path), Path(path)))
            opened["path"], opened["vouched"] = path, vouched
        try:
            if job.get("call"):
                conn.send(("ok", None, _call(job["call"], opened["store"], job["kwargs"])))
                continue
            functions = None
            if job.get("functions"):
                if opened["functions"] is None:
                    from ..decision_service import DecisionService, sparql_functions
                    # a snapshot: never written, so the copy it loads needs no refresh parts
                    opened["functions"] = sparql_functions(DecisionService(opened["store"], written=False))
                functions = opened["functions"]
            result = q.run(opened["store"], job["query"], default_graphs=job["default_graphs"],
                           named_graphs=job["named_graphs"], base_iri=job["base_iri"],
                           custom_functions=functions)
            media = q.negotiate(job["accept"], result.kind)
            if media is None:
                conn.send(("error", 406, f"cannot answer a {result.kind} result as {job['accept']}"))
                continue
            body = q.serialize_limited(result, media, job["max_rows"])
            conn.send(("ok", media, body))
        except q.QuerySyntaxError as exc:
            conn.send(("error", 400, f"malformed query: {exc}"))
        except q.TooManyRows as exc:
            conn.send(("error", 413, str(exc)))
        except Exception as exc:  # noqa: BLE001 - reported to the client as a server error
            conn.send(("error", 500, f"{type(exc).__name__}: {exc}"))


#: what `QueryPool.call` may run in a worker: function(store, **kwargs) -> a picklable value
CALLABLE = frozenset({"rightsgraph.reports.risks:catalogue_risks"})


def _call(name: str, store, kwargs: dict):
    import importlib
    if name not in CALLABLE:
        raise ValueError(f"not a function the report worker runs: {name}")
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)(store, **kwargs)


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.snapshot: str | None = None
        self._killing = threading.Lock()

    def kill(self) -> None:
        # Twice at once is normal at a stop: the pool's close() (at exit) kills the report
        # worker while the thread waiting on its answer sees the pipe end and kills it too;
        # closing the pipe a second time, mid-way through the first, failed with EBADF.
        with self._killing:
            if self.conn.closed:
                return
            self.proc.kill()
            self.proc.join(5)
            self.conn.close()


class QueryPool:
    """`workers` processes answering queries on snapshots of `store` within `timeout` s."""

    def __init__(self, store, *, workers: int = 2, timeout: float = 30.0, max_rows: int = 100_000,
                 report_timeout: float | None = 600.0):
        self.store = store
        self.timeout = timeout
        self.report_timeout = report_timeout   # call()'s deadline
        self.max_rows = max_rows
        self._ctx = multiprocessing.get_context("spawn")
        self._snapshots: PrivateSnapshots | None = None   # made on the first snapshot this process takes
        self._closed = False
        self._owner = os.getpid()   # a forked child (a server process) inherits the atexit hook
        self._snap_lock = threading.Lock()
        self._snapshot: tuple[int, str] | None = None
        self._all: list[_Worker] = [_Worker(self._ctx) for _ in range(workers)]
        self._idle: queue.Queue = queue.Queue()
        self._reporter: _Worker | None = None    # call(): started on the first call
        self._report_lock = threading.Lock()     # one report at a time
        for w in self._all:
            self._idle.put(w)
        atexit.register(self.close)

    def _snapshot_for(self, worker: "_Worker") -> tuple[str, list | None]:
        """The snapshot `worker` is to read, recorded on it under the lock so that
        `_collect` never removes a snapshot a worker is about to open; with [content token,
        live store folder] when the store vouched for the snapshot's content (the worker then
        loads the policies compiled for it instead of compiling them: at 2.35M quads the
        compile alone outlasted the 30 s deadline, so every rg:permitted query got a 503)."""
        published = self.store.published_snapshot()   # a reader process's: no copy to make
        if published is not None:
            path, token = published
            worker.snapshot = str(path)
            return worker.snapshot, self._vouched(token)
        gen = write_generation.generation()
        with self._snap_lock:
            if self._snapshot is None or self._snapshot[0] != gen:
                if self._snapshots is None:
                    self._snapshots = PrivateSnapshots(Path(self.store.path).parent, "query")
                mark = self.store.write_mark()      # the content the token names is the copy's
                path = self._snapshots.take(self.store, label=f"gen{gen}")
                self._snapshot = (gen, str(path), self.store.issue_content_token(mark))
                self._collect()
            worker.snapshot = self._snapshot[1]
            return worker.snapshot, self._vouched(self._snapshot[2])

    def _vouched(self, token: str | None) -> list | None:
        folder = self.store.cache_folder()
        return [token, str(folder)] if token and folder is not None else None

    def _collect(self) -> None:
        """Remove snapshots no worker reads any more (called with the snapshot lock)."""
        self._snapshots.keep_only({w.snapshot for w in self._workers()} | {self._snapshot[1] if self._snapshot else None})

    def _workers(self) -> list[_Worker]:
        """The query workers, and the report worker once started."""
        return [*self._all, self._reporter] if self._reporter is not None else list(self._all)

    def run(self, query: str, *, accept: str | None, default_graphs=None, named_graphs=None,
            base_iri: str | None = None, functions: bool = False) -> Answer:
        """Answer `query` on the latest snapshot within the deadline; `functions`: the query
        calls rg:permitted / rg:decision (the worker then answers them from its snapshot)."""
        deadline = time.monotonic() + self.timeout
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryTimeout(f"no query worker became free within {self.timeout:g} s") from None
        if not worker.proc.is_alive():      # died while idle (killed, out of memory): a fresh one
            worker = self._replace(worker, idle=False)
        try:
            snapshot, vouched = self._snapshot_for(worker)
            worker.conn.send({"snapshot": snapshot, "vouched": vouched, "query": query, "accept": accept,
                              "default_graphs": default_graphs, "named_graphs": named_graphs,
                              "base_iri": base_iri, "max_rows": self.max_rows, "functions": functions})
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                self._replace(worker)
                worker = None
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
            kind, a, b = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._replace(worker)
            worker = None
            raise WorkerLost("the query worker stopped (killed or out of memory) before it answered; "
                             "try again") from None
        finally:
            if worker is not None:
                self._idle.put(worker)
        if kind == "ok":
            return Answer(200, a, b)
        return Answer(a, "text/plain; charset=utf-8", (b.rstrip() + "\n").encode())

    def call(self, function: str, *, timeout: float | None = -1.0, **kwargs):
        """`function(store, **kwargs)` (a name in CALLABLE, "module:function") on the latest
        snapshot, in the pool's report worker: a process of its own, so that neither the
        serving process nor a query worker is taken for the seconds it runs. One call at a
        time; the worker is killed and replaced past `timeout` seconds (default the pool's
        `report_timeout`; None: no limit): QueryTimeout. A worker that dies (killed, out of memory) is replaced and the call made
        once more, a second loss raises WorkerLost. The function's own error comes back as a
        RuntimeError naming it."""
        if function not in CALLABLE:
            raise ValueError(f"not a function the report worker runs: {function}")
        if timeout is not None and timeout < 0:
            timeout = self.report_timeout
        with self._report_lock:
            for attempt in (1, 2):      # a worker found dead is replaced and asked once more
                if self._closed:
                    raise PoolClosed("the service is stopping")
                if self._reporter is None or not self._reporter.proc.is_alive():
                    if self._reporter is not None:
                        self._reporter.kill()
                    self._reporter = _Worker(self._ctx)
                worker = self._reporter
                try:
                    snapshot, vouched = self._snapshot_for(worker)
                    worker.conn.send({"snapshot": snapshot, "vouched": vouched, "call": function, "kwargs": kwargs})
                    if not worker.conn.poll(timeout):
                        worker.kill()
                        self._reporter = None
                        raise QueryTimeout(f"{function} ran longer than {timeout:g} s and was stopped")
                    kind, a, b = worker.conn.recv()
                    break
                except (EOFError, OSError, BrokenPipeError):
                    worker.kill()
                    self._reporter = None
                    if attempt == 2:
                        raise WorkerLost(f"the report worker stopped (killed or out of memory) twice before "
                                         f"{function} ended; try again") from None
        if kind == "ok":
            return b
        raise RuntimeError(f"{function}: {b}")

    def _replace(self, worker: _Worker | None, idle: bool = True) -> "_Worker | None":
        """A fresh worker for `worker` (killed first): put back as idle, or returned."""
        if worker is None:
            return None
        worker.kill()
        self._all.remove(worker)
        fresh = _Worker(self._ctx)
        self._all.append(fresh)
        if idle:
            self._idle.put(fresh)
        return fresh

    def close(self) -> None:
        """Stop the workers and remove this process's snapshots (once; also at exit)."""
        if self._closed or os.getpid() != self._owner:
            return      # only the process that started the workers may stop them and their folders
        self._closed = True
        for w in self._workers():
            try:
                w.conn.send(None)
            except OSError:
                pass
            w.kill()
        if self._snapshots is not None:
            self._snapshots.close()
