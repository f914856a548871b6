"""The supervisor of `serve`'s processes (serving/supervisor.py) with small real children:
which end is restarted, when the service gives up, and the order of the stop."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from rightsgraph.serving.supervisor import Child, ForkedProcess, GiveUp, Supervisor

SPAWN = multiprocessing.get_context("spawn")


def _live(seconds: float) -> None:
    time.sleep(seconds)


def _spawned(seconds: float):
    def start():
        proc = SPAWN.Process(target=_live, args=(seconds,))
        proc.start()
        return proc
    return start


def _forked(code: int, after: float = 0.0):
    def start():
        pid = os.fork()
        if pid == 0:
            time.sleep(after)
            os._exit(code)
        return ForkedProcess(pid)
    return start


def _run_briefly(supervisor: Supervisor, seconds: float) -> None:
    import threading
    threading.Timer(seconds, supervisor.stopping.set).start()
    supervisor.run()


def test_a_budgeted_child_that_keeps_ending_stops_the_service():
    supervisor = Supervisor()
    ended = []
    supervisor.add(Child(name="short", start=_spawned(0.0), after_exit=lambda: ended.append(1)))
    with pytest.raises(GiveUp) as exc:
        _run_briefly(supervisor, 60)
    assert exc.value.code == 1 and "short ended 6 times in 60 s" in exc.value.why
    assert len(ended) >= 6                       # cleaned up after each end, and at the stop
    assert supervisor.children == []


def test_a_reader_is_replaced_for_ever_unless_it_keeps_dying_at_start():
    supervisor = Supervisor()
    supervisor.add(Child(name="reader", start=_forked(3), restart="replace"))
    with pytest.raises(GiveUp) as exc:
        _run_briefly(supervisor, 60)
    assert "reader keeps failing at start (exit code 3)" in exc.value.why


def test_a_reader_that_dies_after_a_while_is_replaced_without_limit(monkeypatch):
    monkeypatch.setattr("rightsgraph.serving.supervisor.QUICK_DEATH", 0.05)
    supervisor = Supervisor()
    starts = []

    def start():
        starts.append(1)
        return _forked(0, after=0.1)()
    supervisor.add(Child(name="reader", start=start, restart="replace"))
    _run_briefly(supervisor, 2.5)                 # more ends than any budget allows, no give-up
    assert len(starts) > 8


def test_the_stop_goes_in_reverse_order_a_group_at_a_time():
    supervisor, stopped = Supervisor(), []
    for name, group in [("writer", ""), ("tier", ""), ("reader 1", "readers"), ("reader 2", "readers")]:
        supervisor.add(Child(name=name, start=_spawned(60), group=group,
                             at_stop=lambda name=name: stopped.append((name, time.monotonic()))))
    procs = [c.proc for c in supervisor.children]
    _run_briefly(supervisor, 0.5)
    assert [n for n, _t in stopped] == ["reader 2", "reader 1", "tier", "writer"]
    assert not any(p.is_alive() for p in procs)


def test_a_child_that_cannot_be_started_again_stops_the_service():
    supervisor, calls = Supervisor(), []

    def start():
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("the port is taken")
        return _spawned(0.0)()
    supervisor.add(Child(name="writer", start=start))
    with pytest.raises(GiveUp) as exc:
        _run_briefly(supervisor, 30)
    assert "writer could not be started again: the port is taken" in exc.value.why
