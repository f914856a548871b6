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

In the last two the main process only supervises (serving/supervisor.py): it starts the
writer, the tier manager and the readers, restarts each that dies, and when one keeps dying
stops them all and exits 1 with the reason (serving/supervisor.py's rules), so the system's
supervisor (systemd, a container runtime) can act.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..translation import both


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
            raise ServiceRefused(exc.texts) from None
    reason = port_free(plan.host, plan.port)
    if reason is not None:
        raise ServiceRefused(both("cannot listen on %(host)s:%(port)s: %(reason)s (choose another --port or --host, "
                               "or stop what listens there)", host=plan.host, port=plan.port,
                               reason=reason.strerror or str(reason)), usage=True)


def run(plan: Plan) -> None:
    """Serve until SIGTERM or SIGINT; a child gone for good ends it with exit code 1."""
    from ..store.snapshots import remove_orphans
    from ..web.app import create_app
    from .http_server import listening_socket, readers, serve, server_options
    from .supervisor import Supervisor
    if not plan.remote:
        remove_orphans(plan.data_dir)   # snapshot folders of a server killed with SIGKILL
    if not (plan.public_tier or (plan.workers > 1 and not plan.remote)):
        serve(lambda: create_app(plan.open_store(), settings=plan.settings), host=plan.host, port=plan.port,
              threads=plan.threads, workers=plan.workers, **plan.connections)
        return
    # The main process only supervises: it never opens the store (a forked reader would
    # inherit a storage engine whose threads did not survive the fork).
    supervisor = Supervisor()
    sock = None
    try:
        app_factory, app_host, app_port = _writer_and_tier(plan, supervisor)
        sock = listening_socket(app_host, app_port)
        for child in readers(app_factory, sock, plan.workers, server_options(threads=plan.threads,
                                                                             **plan.connections)):
            supervisor.add(child)
        supervisor.run()        # a child gone for good: GiveUp, exit code 1, with the reason said
    finally:
        supervisor.stop()
        if sock is not None:
            sock.close()


def _writer_and_tier(plan: Plan, supervisor) -> tuple[Callable, str, int]:
    """Start the writer (and the public tier); returns the readers' app factory and address."""
    from ..store.snapshot_store import SnapshotStore
    from ..web.app import create_app
    from .ports import free_port
    from .writer import writer_child
    writer = supervisor.add(writer_child(plan.data_dir, plan.settings))
    reader_settings = dict(plan.settings, RG_WRITER_URL=writer.health_url, RG_QUERY_WORKERS=1)
    app_host, app_port = plan.host, plan.port
    if plan.public_tier:
        from .public_tier import tier_child
        app_host, app_port = "127.0.0.1", free_port()
        reader_settings["RG_BEHIND_PROXY"] = True
        supervisor.add(tier_child(plan.data_dir, dict(
            host=plan.host, port=plan.port, app_port=app_port,
            max_body=plan.settings.get("RG_MAX_BODY", 16 * 1024 * 1024),
            query_timeout=plan.settings.get("RG_QUERY_TIMEOUT", 30.0))))
    return (lambda: create_app(SnapshotStore(plan.data_dir / "store"), settings=reader_settings)), app_host, app_port


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
