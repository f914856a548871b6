"""The rules every supervised child of the service follows: when to restart, when to give up.

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
"""

from __future__ import annotations

import os
import signal
import threading
import time

import requests

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
