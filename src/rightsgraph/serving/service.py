"""`rightsgraph serve`: which processes run, started in order and stopped in reverse.

- **One process** (the default): the app under waitress, a pool of threads answering, and
  the query workers (serving/query_pool.py) running SPARQL queries under a deadline.
- **A remote store, `--workers N`**: N processes forked on one listening socket, each with
  its own app and its own connection to the store (serving/http_server.py).
- **The embedded store, `--workers N` > 1**: one supervised writer process, the only one
  that opens the store read-write (serving/writer.py), and N reader processes answering
  from the snapshot it publishes after each commit (store/snapshots.py).
- **`--public-sparql oxigraph`**: besides, nginx on the public port and the public read
  tier's manager, which runs Oxigraph on a public copy of each snapshot
  (serving/public_tier.py).

Every child is restarted when it dies (the writer: writer.SupervisedWriter; the tier manager:
public_tier.SupervisedTier; the readers: http_server's prefork loop), and the service stops
with the reason when one keeps dying (serving/supervision.py), so the system's supervisor can act.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..translation import _, both


class ServiceRefused(Exception):
    """The service cannot start as asked; `texts` say why (and what to do) in each language."""

    def __init__(self, texts: dict[str, str], usage: bool = False):
        super().__init__(texts["en"])
        self.texts = texts
        self.usage = usage      # a wrong combination of options rather than a missing part


@dataclass
class Plan:
    """What to run: where the store is, where to listen, with how many processes."""
    data_dir: Path | None            # the embedded store's folder (None: a remote store)
    open_store: Callable             # () -> Store, in the process that serves
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 8
    workers: int = 1
    settings: dict = field(default_factory=dict)
    connections: dict = field(default_factory=dict)   # http_server.serve's connection limits
    public_tier: bool = False

    @property
    def remote(self) -> bool:
        return self.data_dir is None


def check(plan: Plan) -> None:
    """Refuse a plan that cannot run, before anything starts."""
    from .ports import port_free
    if plan.public_tier:
        from .public_tier import PublicTierError, find_nginx, find_oxigraph
        if plan.remote:
            raise ServiceRefused(both("--public-sparql oxigraph serves a copy of the embedded store; with --store, "
                                   "point clients at the remote store's own endpoint instead (docs/service.md)"),
                                 usage=True)
        if not plan.settings.get("RG_ANONYMOUS_READ", True):
            raise ServiceRefused(both("--public-sparql oxigraph answers anonymous queries: it cannot be combined "
                                   "with --no-anonymous-read"), usage=True)
        try:
            find_nginx(), find_oxigraph()
        except PublicTierError as exc:
            raise ServiceRefused({"en": str(exc), "zh": str(exc)}) from None
    reason = port_free(plan.host, plan.port)
    if reason is not None:
        raise ServiceRefused(both("cannot listen on %(host)s:%(port)s: %(reason)s (choose another --port or --host, "
                               "or stop what listens there)", host=plan.host, port=plan.port,
                               reason=reason.strerror or str(reason)), usage=True)


def run(plan: Plan) -> None:
    """Serve until SIGTERM or SIGINT."""
    from ..store.snapshots import remove_orphans
    from ..web.app import create_app
    from .http_server import serve
    if not plan.remote:
        remove_orphans(plan.data_dir)   # snapshot folders of a server killed with SIGKILL
    if plan.public_tier or (plan.workers > 1 and not plan.remote):
        _run_writer_and_readers(plan)
        return
    serve(lambda: create_app(plan.open_store(), settings=plan.settings), host=plan.host, port=plan.port,
          threads=plan.threads, workers=plan.workers, **plan.connections)


def run_in_child(target, *args):
    """Run `target(*args, failures)` in a spawned process and wait for it: the server's
    main process must never open RocksDB itself, or a forked server process inherits a
    storage engine whose background threads did not survive the fork (writes then hang).
    Returns what the child put on `failures` (None if nothing) and its exit code."""
    mp = multiprocessing.get_context("spawn")
    failures = mp.Queue()
    child = mp.Process(target=target, args=(*args, failures))
    child.start()
    child.join()
    return (None if failures.empty() else failures.get()), child.exitcode


def _stop_service(why: str, stopping: threading.Event) -> None:
    """A child the service cannot do without is gone for good: stop the whole service with
    the reason, so the system's supervisor (systemd, a container runtime) restarts it."""
    if stopping.is_set():
        return
    print(_("%(why)s: stopping the service", why=why), file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)     # the server loop stops on it and the finally below runs


def _run_writer_and_readers(plan: Plan) -> None:
    from ..store.snapshot_store import SnapshotStore
    from ..web.app import create_app
    from .http_server import serve
    from .ports import free_port
    from .writer import SupervisedWriter
    owner, tier, stopping = os.getpid(), None, threading.Event()
    writer = SupervisedWriter(plan.data_dir, plan.settings, on_give_up=lambda why: _stop_service(why, stopping))
    reader_settings = dict(plan.settings, RG_WRITER_URL=writer.url, RG_QUERY_WORKERS=1)
    app_host, app_port = plan.host, plan.port
    try:
        if plan.public_tier:
            from .public_tier import SupervisedTier
            app_host, app_port = "127.0.0.1", free_port()
            reader_settings["RG_BEHIND_PROXY"] = True
            tier = SupervisedTier(plan.data_dir, dict(
                host=plan.host, port=plan.port, app_port=app_port,
                max_body=plan.settings.get("RG_MAX_BODY", 16 * 1024 * 1024),
                query_timeout=plan.settings.get("RG_QUERY_TIMEOUT", 30.0)), on_give_up=lambda why: _stop_service(why, stopping))
        serve(lambda: create_app(SnapshotStore(plan.data_dir / "store"), settings=reader_settings),
              host=app_host, port=app_port, threads=plan.threads, workers=plan.workers, **plan.connections)
    finally:
        # the server's forked processes leave through here too (sys.exit in the child): only the
        # process that started the writer and the tier may stop them
        if os.getpid() == owner:
            stopping.set()
            if tier is not None:
                tier.stop()
            writer.stop()
