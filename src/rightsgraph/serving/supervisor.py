"""The one loop that starts, watches, restarts and stops the processes of `serve`.

`serve --workers N` (and `--public-sparql oxigraph`) runs its parts as children of one main
process, which does nothing but supervise them: the writer (serving/writer.py), the public
tier's manager (serving/public_tier.py) and the N reader processes (serving/http_server.py).
Each is a `Child`: how to start it, which rule restarts it (below), an
optional health check, and what to clean up after it. The loop waits on all of them at
once (process sentinels; a pidfd for forked readers), so a death is seen at once whichever
child it is, and a give-up stops everything in the reverse order of the start, then ends
`serve` with the reason and exit code 1 for the system's supervisor.

The rules every child follows:
- The writer, nginx and the public tier's Oxigraph are started again when they die, but
  one that dies more than MAX_RESTARTS times within RESTART_WINDOW seconds is a fault to
  report, not to hide: the service stops with the reason (a system supervisor, systemd or
  a container runtime, then decides).
- A child that is alive but fails its health check HEALTH_FAILURES times in a row (hung,
  or stopped with SIGSTOP) is killed, and so restarted under the same budget.
- Reader processes (serving/http_server.py) are always replaced, unless they keep dying
  within seconds of starting (a broken store): a query that crashes one, sent again and
  again, must not be able to stop the service by using up a budget.
- A query worker (serving/query_pool.py) is replaced when it dies or overruns its deadline.
- The other way round, every child stops when the process that started it is gone
  (`exit_with_parent`): `serve` killed with SIGKILL must not leave a writer holding the
  store's lock, readers answering on the port, or nginx and Oxigraph behind.

Children that own children of their own supervise those with the same rules where they
are: the tier manager restarts nginx and Oxigraph (it alone knows which public copy each
serves), a reader's query pool replaces a worker killed at its deadline (it alone knows the
query). Only the main process forks readers, so no process forks while it runs a server.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from typing import Callable

import requests

from ..translation import _

MAX_RESTARTS, RESTART_WINDOW = 5, 60.0
HEALTH_FAILURES = 3


def health_interval() -> float:
    """Seconds between health checks (RIGHTSGRAPH_HEALTH_CHECK_SECONDS; default 10: a hung
    child is replaced after about half a minute, a busy one is not mistaken for hung)."""
    try:
        return max(0.1, float(os.environ.get("RIGHTSGRAPH_HEALTH_CHECK_SECONDS", "10")))
    except ValueError:
        return 10.0


class RestartBudget:
    """Restarts of one child within the window; `spend()` is False once it is used up."""

    def __init__(self, max_restarts: int = MAX_RESTARTS, window: float = RESTART_WINDOW):
        self.max_restarts, self.window = max_restarts, window
        self._times: list[float] = []

    def spend(self) -> bool:
        now = time.monotonic()
        self._times = [t for t in self._times if now - t < self.window] + [now]
        return len(self._times) <= self.max_restarts

    @property
    def used(self) -> int:
        return len(self._times)


class HealthCheck:
    """Consecutive failed health checks of one HTTP child (`url` + /healthz)."""

    def __init__(self, url: str, failures: int = HEALTH_FAILURES):
        self.url, self.failures_allowed = url.rstrip("/") + "/healthz", failures
        self.failures = 0

    def hung(self, timeout: float) -> bool:
        """Check once; True when the child has now failed `failures` checks in a row."""
        try:
            ok = requests.get(self.url, timeout=timeout).ok
        except requests.RequestException:
            ok = False
        self.failures = 0 if ok else self.failures + 1
        return self.failures >= self.failures_allowed


def exit_with_parent(interval: float = 0.5) -> None:
    """In a child process: stop this process as `serve`'s own stop would (SIGTERM to itself)
    once the process that started it is gone (its parent changes: the child was re-parented)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


QUICK_DEATH = 5.0       # seconds: a reader that dies sooner after its start died "at start"
MAX_QUICK_DEATHS = 5


class GiveUp(SystemExit):
    """The service stops: a child it cannot do without is gone for good (exit code 1)."""

    def __init__(self, why: str):
        super().__init__(1)
        self.why = why


class ForkedProcess:
    """A child made with os.fork, with multiprocessing.Process's waiting interface: a pidfd
    is its sentinel (readable once it has exited), waitpid reaps it."""

    def __init__(self, pid: int):
        self.pid = pid
        self.sentinel = os.pidfd_open(pid)
        self.exitcode: int | None = None

    def is_alive(self) -> bool:
        if self.exitcode is None:
            try:
                done, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:       # reaped elsewhere
                done, status = self.pid, -1
            if done:
                self.exitcode = os.waitstatus_to_exitcode(status) if status >= 0 else -1
        return self.exitcode is None

    def join(self, timeout: float | None = None) -> None:
        if self.is_alive() and self.sentinel is not None:
            wait([self.sentinel], timeout)
            self.is_alive()

    def _signal(self, sig: int) -> None:
        if self.is_alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def close(self) -> None:
        if self.sentinel is not None:
            os.close(self.sentinel)
            self.sentinel = None


@dataclass
class Child:
    """One supervised process. `start()` returns it started (a multiprocessing.Process or a
    ForkedProcess); `restart` is "budget" (started again, but the service stops when it dies
    more than the budget allows) or "replace" (always started again, unless it keeps dying
    at start: a broken store); `health_url` children are killed, and so restarted, when
    they fail their health checks; `after_exit()` runs after each of its deaths and at stop,
    `at_stop()` at stop only; `why_exited(proc)` says why it ended, for the log."""
    name: str
    start: Callable[[], object]
    restart: str = "budget"
    health_url: str | None = None
    after_exit: Callable[[], None] | None = None
    at_stop: Callable[[], None] | None = None
    why_exited: Callable[[object], str] | None = None
    stop_seconds: float = 15.0
    group: str = ""           # children of one group are stopped together (the readers)
    proc: object = field(default=None, init=False, repr=False)
    started_at: float = field(default=0.0, init=False, repr=False)
    budget: RestartBudget = field(default_factory=RestartBudget, init=False, repr=False)
    quick_deaths: int = field(default=0, init=False, repr=False)
    health: HealthCheck | None = field(default=None, init=False, repr=False)


class Supervisor:
    def __init__(self):
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self.owner = os.getpid()     # a forked reader must never stop its siblings

    def add(self, child: Child) -> Child:
        """Start `child` now (children start in the order they are added)."""
        self._start(child)
        if child.health_url:
            child.health = HealthCheck(child.health_url)
        self.children.append(child)
        return child

    def _start(self, child: Child) -> None:
        child.proc = child.start()
        child.started_at = time.monotonic()

    def run(self) -> None:
        """Supervise until SIGTERM or SIGINT (then stop every child and return), or until a
        child is gone for good (then stop every child and raise GiveUp)."""
        signal.signal(signal.SIGTERM, lambda *_: self.stopping.set())
        signal.signal(signal.SIGINT, lambda *_: self.stopping.set())
        if any(c.health for c in self.children):
            threading.Thread(target=self._check_health, daemon=True, name="health-checks").start()
        try:
            while not self.stopping.is_set():
                # the wait also wakes at a signal's handler: at most a quarter second late
                wait([c.proc.sentinel for c in self.children if c.proc.sentinel is not None], timeout=0.25)
                for child in self.children:
                    if not self.stopping.is_set() and not child.proc.is_alive():
                        self._ended(child)
        except GiveUp as exc:
            print(_("%(why)s: stopping the service", why=exc.why), file=sys.stderr, flush=True)
            raise
        finally:
            self.stop()

    def _ended(self, child: Child) -> None:
        why = child.why_exited(child.proc) if child.why_exited else _("exit code %(code)s", code=child.proc.exitcode)
        self._release(child)
        if child.restart == "replace":
            child.quick_deaths = child.quick_deaths + 1 if time.monotonic() - child.started_at < QUICK_DEATH else 0
            if child.quick_deaths > MAX_QUICK_DEATHS:
                raise GiveUp(_("%(child)s keeps failing at start (%(why)s): see the log above", child=child.name,
                               why=why))
        elif not child.budget.spend():
            raise GiveUp(_("%(child)s ended %(n)s times in %(window)s s (last: %(why)s)", child=child.name,
                           n=child.budget.used, window=format(child.budget.window, "g"), why=why))
        print(_("rightsgraph: %(child)s ended (%(why)s); starting it again", child=child.name, why=why),
              file=sys.stderr, flush=True)
        try:
            self._start(child)
        except Exception as exc:  # noqa: BLE001 - the reason goes to the log and the exit
            raise GiveUp(_("%(child)s could not be started again: %(error)s", child=child.name, error=exc)) from None
        if child.health:
            child.health.failures = 0

    def _release(self, child: Child) -> None:
        if isinstance(child.proc, ForkedProcess):
            child.proc.close()
        if child.after_exit:
            child.after_exit()

    def _check_health(self) -> None:
        """Kill a child that is alive but has failed its health checks (hung, or stopped with
        SIGSTOP); the loop then sees it end and restarts it under its rule."""
        interval = health_interval()
        while not self.stopping.wait(interval):
            for child in self.children:
                proc = child.proc
                if child.health and proc.is_alive() and child.health.hung(timeout=2 * interval):
                    print(_("rightsgraph: %(child)s has not answered for %(n)s health checks: stopping it",
                            child=child.name, n=child.health.failures), file=sys.stderr, flush=True)
                    proc.kill()

    def stop(self) -> None:
        """Stop the children in the reverse order of their start, a group at a time: the
        readers (no new requests, the ones in flight finish), then the tier, then the writer."""
        if os.getpid() != self.owner:
            return
        self.stopping.set()
        pending = list(reversed(self.children))
        while pending:
            group = [c for c in pending if c is pending[0] or (c.group and c.group == pending[0].group)]
            pending = [c for c in pending if c not in group]
            for child in group:
                child.proc.terminate()
            for child in group:
                child.proc.join(child.stop_seconds)
                if child.proc.is_alive():
                    child.proc.kill()
                    child.proc.join(5)
                self._release(child)
                if child.at_stop:
                    child.at_stop()
        self.children = []
