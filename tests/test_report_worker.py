"""The risk report's catalogue part runs in the query pool's report worker, a process of its
own (serving/query_pool.QueryPool.call), so that the seconds it takes on a large store do not
hold the serving process's interpreter lock while pages are answered (issue 15: the
cataloguer's home page after a write). The worker reads a snapshot of the store as it is
when the call is made, and is replaced when it dies or overruns its deadline."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from rightsgraph.loading import load_files
from rightsgraph.reports.risks import CATALOGUE_RISKS, risk_report
from rightsgraph.serving.query_pool import PoolClosed, QueryPool, QueryTimeout, WorkerLost

DAY = date(2026, 11, 26)


def _children() -> set[int]:
    """This process's spawned workers (not multiprocessing's resource tracker)."""
    out: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        out |= {int(p) for p in (task / "children").read_text().split()}
    return {p for p in out if b"spawn_main" in _cmdline(p)}


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


@pytest.fixture
def pool(demo_store):
    before = _children()
    p = QueryPool(demo_store, workers=1, timeout=30)
    deadline = time.monotonic() + 30   # a spawned process is known by its command line once it has one
    while len(_children() - before) < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    p.query_workers = _children()      # its query worker, and any other test's still running
    yield p
    p.close()


def _report_worker(pool) -> int:
    """The pid of the pool's report worker: the child process started since the pool was."""
    pids = [p for p in _children() - pool.query_workers if _alive(p)]
    assert len(pids) == 1, pids
    return pids[0]


def _alive(pid: int) -> bool:
    """Not a process that has ended and not yet been waited for (a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_the_report_made_in_the_worker_is_the_report_made_here(demo_store, pool):
    here = risk_report(demo_store, at=DAY)
    assert here["unlicensed"] and here["key_uses"], "the demo world has risks to report"
    assert risk_report(demo_store, at=DAY, pool=pool) == here
    assert _report_worker(pool) != os.getpid()


def test_the_worker_reads_the_store_as_it_is_when_asked(demo_store, pool, tmp_path):
    before = pool.call(CATALOGUE_RISKS, at=DAY)
    more = tmp_path / "more.ttl"
    more.write_text("@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix dct: <http://purl.org/dc/terms/> .\n"
                    "<https://example.org/r/unlicensed> a rg:Resource ; dct:title \"Nobody licensed this\"@en .\n")
    load_files(demo_store, [more], graph="https://example.org/graph/more")
    after = pool.call(CATALOGUE_RISKS, at=DAY)
    assert after["summary"]["unlicensed_resources"] == before["summary"]["unlicensed_resources"] + 1
    assert after == risk_report(demo_store, at=DAY) | {"conflicts": [], "summary": after["summary"]}


def test_a_report_worker_killed_while_idle_or_while_working_is_replaced(pool):
    pool.call(CATALOGUE_RISKS, at=DAY)
    os.kill(_report_worker(pool), signal.SIGKILL)          # idle
    assert pool.call(CATALOGUE_RISKS, at=DAY)["at"] == DAY.isoformat()

    # killed mid-call once: the call is made again on a fresh worker, and answers
    outcome = _ask_in_background(pool)
    first = _held_worker(pool)
    os.kill(first, signal.SIGKILL)
    outcome["thread"].join(60)
    assert outcome["report"]["at"] == DAY.isoformat()

    # killed mid-call twice: the caller is told to try again
    outcome = _ask_in_background(pool)
    first = _held_worker(pool)
    os.kill(first, signal.SIGKILL)
    second = _next_worker(pool, first)    # the retry's worker, still starting (importing, opening)
    os.kill(second, signal.SIGKILL)
    outcome["thread"].join(60)
    assert "lost" in outcome and "try again" in str(outcome["lost"])
    assert pool.call(CATALOGUE_RISKS, at=DAY)["at"] == DAY.isoformat()


def _ask_in_background(pool) -> dict:
    outcome: dict = {}

    def ask():
        try:
            outcome["report"] = pool.call(CATALOGUE_RISKS, at=DAY)
        except WorkerLost as exc:
            outcome["lost"] = exc
    os.kill(_report_worker(pool), signal.SIGSTOP)          # held: the job waits in its pipe
    outcome["thread"] = threading.Thread(target=ask)
    outcome["thread"].start()
    return outcome


def _held_worker(pool) -> int:
    time.sleep(0.3)                                        # the job has been sent
    return _report_worker(pool)


def _next_worker(pool, old: int) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = [p for p in _children() - pool.query_workers if p != old and _alive(p)]
        if pids:
            return pids[0]
        time.sleep(0.01)
    raise AssertionError("no new report worker started")


def test_a_report_past_its_deadline_is_stopped_and_the_next_one_answered(pool):
    pool.call(CATALOGUE_RISKS, at=DAY)
    stuck = _report_worker(pool)
    os.kill(stuck, signal.SIGSTOP)
    with pytest.raises(QueryTimeout, match="0.5 s"):
        pool.call(CATALOGUE_RISKS, at=DAY, timeout=0.5)
    assert pool.call(CATALOGUE_RISKS, at=DAY)["at"] == DAY.isoformat()
    assert _report_worker(pool) != stuck


def test_a_stop_while_a_report_is_being_made_is_quiet(pool, capfd):
    """`serve` stopped while its warm-up waits on the report worker: the pool's close() (at
    exit) and the waiting thread both kill the worker. The caller is told the service is
    stopping (PoolClosed, which the warm-up does not report), and nothing else is printed:
    before, the second closing of the worker's pipe failed with EBADF, and the service's
    stop printed tracebacks."""
    pool.call(CATALOGUE_RISKS, at=DAY)      # the report worker started
    outcome = _ask_in_background(pool)      # the worker held: the call waits for its answer
    _held_worker(pool)
    pool.close()
    outcome["thread"].join(30)
    assert isinstance(outcome.get("lost"), PoolClosed), outcome
    pool.close()                            # again, as at exit: nothing left to do
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Bad file descriptor" not in out + err


def test_only_the_named_reports_run_in_the_worker(pool):
    with pytest.raises(ValueError, match="os:system"):
        pool.call("os:system", command="true")


# ----------------------------------------------------------------------------- the web doors

@pytest.fixture
def app(demo_store, tmp_path):
    from rightsgraph.accounts import Accounts
    from rightsgraph.web.app import create_app
    accounts = tmp_path / "accounts.json"
    token = Accounts(accounts).add("cat", "cataloguer")
    app = create_app(demo_store, settings={"RG_ACCOUNTS_FILE": str(accounts), "RG_QUERY_WORKERS": 1,
                                           "RG_REPORT_TIMEOUT": 2})
    app.cataloguer = {"Authorization": f"Bearer {token}"}
    yield app
    pool = app.extensions.get("rightsgraph.query_pool")
    if pool is not None:
        pool.close()


def test_a_slow_report_is_made_in_the_worker_and_a_quick_one_here(demo_store, app):
    from rightsgraph.web.risk_reports import IN_PROCESS_BELOW, _SECONDS
    client = app.test_client()
    before = _children()
    first = client.get(f"/api/v1/reports/risks?at={DAY}", headers=app.cataloguer)
    assert first.status_code == 200
    assert first.get_json() == risk_report(demo_store, at=DAY)
    deadline = time.monotonic() + 30
    while len(_children() - before) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    started = _children() - before             # the query worker, and the report worker that made it
    assert len(started) == 2
    for pid in started:
        os.kill(pid, signal.SIGSTOP)            # a report sent to a worker now cannot be answered
    try:
        app.extensions[_SECONDS] = IN_PROCESS_BELOW * 10       # the last one was slow: the worker
        held = client.get(f"/api/v1/reports/risks?at={DAY}", headers=app.cataloguer)
        assert held.status_code == 503 and held.headers["Retry-After"]
        text = held.get_data(as_text=True)
        assert "try again shortly" in text and "请稍后再试" in text and "Traceback" not in text
        app.extensions[_SECONDS] = IN_PROCESS_BELOW / 10       # quick: made here, the worker not asked
        assert client.get(f"/api/v1/reports/risks?at={DAY}", headers=app.cataloguer).get_json() == first.get_json()
    finally:
        for pid in _children() - before:
            os.kill(pid, signal.SIGCONT)
