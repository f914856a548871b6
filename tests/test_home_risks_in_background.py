"""The cataloguer's home page does not wait minutes for the risk report of a new store state
(issue 15: 79-170 s at 10k licences): it waits RG_HOME_RISKS_WAIT seconds, then shows the
previous report, marked as such, while the new one is computed in the background
(web/summary_cache.StoreStateCache.latest). A small store answers within the wait, so its
home page is always current; the first visit, with no earlier report, waits for it at most
RG_HOME_RISKS_FIRST_WAIT seconds, then says it is being made.

The slow report is the real risk_report held back by an event: a 10k-licence store cannot be
built in a test, and the event makes "still computing" exact instead of a race."""

from __future__ import annotations

import threading
import time

import pytest

from rightsgraph import write_generation

from .conftest import REPO

LIB = REPO / "tests" / "data" / "policy" / "library.ttl"


class Gate:
    """Wraps a function: each call waits until `open()` (or runs at once while open)."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0
        self._open = threading.Event()

    def __call__(self, *args, **kwargs):
        self.calls += 1
        assert self._open.wait(30), "the test never let the computation finish"
        return self.fn(*args, **kwargs)

    def open(self):
        self._open.set()

    def close(self):
        self._open.clear()


def _until(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


# ----------------------------------------------------------------------------- the cache itself

def test_latest_gives_the_previous_value_while_the_new_one_is_computed(store):
    from rightsgraph.web.summary_cache import StoreStateCache
    cache = StoreStateCache(store)
    made = []

    def compute():
        made.append(len(made))
        return made[-1]

    slow = Gate(compute)
    slow.open()                                   # nothing earlier to show: the first request waits
    assert cache.latest("n", frozenset(), slow, wait=0.05) == (0, True)
    assert cache.latest("n", frozenset(), slow, wait=0.05) == (0, True) and slow.calls == 1   # kept for the state

    slow.close()
    write_generation.bump()                       # a write: a new store state
    assert cache.latest("n", frozenset(), slow, wait=0.05) == (0, False)    # the previous value, marked
    write_generation.bump()                       # another write while the first recomputation runs
    assert cache.latest("n", frozenset(), slow, wait=0.05) == (0, False)
    assert slow.calls == 2                        # one computation at a time, not one per write
    slow.open()
    # the running computation ends (for an older state): the next request starts one for now
    assert _until(lambda: cache.latest("n", frozenset(), slow, wait=0.5)[1]) is True
    assert cache.latest("n", frozenset(), slow, wait=0.05) == (2, True) and slow.calls == 3


def test_a_computation_that_fails_raises_in_the_request_and_is_tried_again(store):
    from rightsgraph.web.summary_cache import StoreStateCache
    cache = StoreStateCache(store)
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the store went away")
        return "report"

    with pytest.raises(RuntimeError, match="went away"):
        cache.latest("r", frozenset(), flaky, wait=5)
    assert cache.latest("r", frozenset(), flaky, wait=5) == ("report", True)


def test_caller_views_are_kept_apart(store):
    from rightsgraph.web.summary_cache import StoreStateCache
    cache = StoreStateCache(store)
    assert cache.latest("r", frozenset(), lambda: "everything", wait=5) == ("everything", True)
    assert cache.latest("r", frozenset({"urn:g:secret"}), lambda: "public part", wait=5) == ("public part", True)
    write_generation.bump()
    never = Gate(lambda: "new")
    # a reader's view never stands in for a cataloguer's, nor the other way round
    assert cache.latest("r", frozenset({"urn:g:secret"}), never, wait=0.05) == ("public part", False)
    never.open()


# ----------------------------------------------------------------------------- the home page

@pytest.fixture
def home(store, tmp_path, monkeypatch):
    from rightsgraph.accounts import Accounts
    from rightsgraph.loading import load_files
    from rightsgraph.reports import risks
    from rightsgraph.web.app import create_app
    load_files(store, [LIB])
    gate = Gate(risks.risk_report)
    monkeypatch.setattr(risks, "risk_report", gate)
    accounts = tmp_path / "accounts.json"
    token = Accounts(accounts).add("cat", "cataloguer")
    app = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts), "RG_HOME_RISKS_WAIT": 0.2})
    client = app.test_client()

    def page(lang: str = "en") -> str:
        resp = client.get(f"/?lang={lang}", headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 200
        return resp.get_data(as_text=True)
    page.app = app
    return page, gate, store, tmp_path


def test_the_home_page_shows_the_previous_risks_while_a_write_is_recomputed(home):
    page, gate, store, tmp_path = home
    gate.open()
    first = page()                                   # nothing earlier to show: the first visit waits
    assert 'id="open-risks"' in first and "risks-stale" not in first

    gate.close()
    from rightsgraph.loading import load_files
    more = tmp_path / "more.ttl"
    more.write_text('@prefix dct: <http://purl.org/dc/terms/> . <https://example.org/r/1> dct:title "A new title"@en .\n')
    load_files(store, [more], graph="https://example.org/graph/more")
    started = time.monotonic()
    stale = page()
    assert time.monotonic() - started < 10           # did not wait for the report
    assert 'id="risks-stale"' in stale and 'id="open-risks"' in stale           # the previous report, marked
    assert "下面的即将到期许可协议和未决风险是库最近一次变更之前的结果" in page("zh")
    gate.open()
    fresh = _until(lambda: (lambda p: p if "risks-stale" not in p else None)(page()))
    assert 'id="open-risks"' in fresh


def test_a_small_store_home_page_is_current_right_after_a_write(home):
    page, gate, store, tmp_path = home
    gate.open()
    page.app.config["RG_HOME_RISKS_WAIT"] = 60.0      # a small store within the wait, with room for a loaded test machine
    page()
    from rightsgraph.loading import load_files
    more = tmp_path / "more.ttl"
    more.write_text('@prefix dct: <http://purl.org/dc/terms/> . <https://example.org/r/2> dct:title "Another"@en .\n')
    load_files(store, [more], graph="https://example.org/graph/more2")
    after = page()
    assert "risks-stale" not in after and 'id="open-risks"' in after


def test_the_first_home_page_says_the_report_is_being_made_instead_of_waiting_for_it(home):
    page, gate, store, tmp_path = home
    page.app.config["RG_HOME_RISKS_FIRST_WAIT"] = 0.3
    started = time.monotonic()
    pending = page()
    assert time.monotonic() - started < 10
    assert 'id="risks-pending"' in pending and 'id="open-risks"' not in pending
    assert "风险报告" in page("zh") and "risks-pending" in page("zh")
    gate.open()
    done = _until(lambda: (lambda p: p if "risks-pending" not in p else None)(page()))
    assert 'id="open-risks"' in done and "risks-stale" not in done


def test_warming_up_compiles_the_policies_before_anyone_asks(store, tmp_path):
    from rightsgraph.loading import load_files
    from rightsgraph.web.app import create_app
    load_files(store, [LIB])
    app = create_app(store, settings={"RG_WARM_UP": True})
    decisions = app.extensions
    _until(lambda: "rightsgraph.decisions" in decisions and decisions["rightsgraph.decisions"]._index is not None)


def test_warming_up_counts_the_home_page_before_anyone_asks(store, tmp_path):
    from rightsgraph.loading import load_files
    from rightsgraph.web.app import create_app
    load_files(store, [LIB])
    app = create_app(store, settings={"RG_WARM_UP": True})
    ext = app.extensions
    _until(lambda: "rightsgraph.page_cache" in ext and ext["rightsgraph.page_cache"].counts.full_recounts == 1)
    counts = ext["rightsgraph.page_cache"].counts
    assert app.test_client().get("/").status_code == 200
    assert counts.full_recounts == 1                 # the first visit found the counts made


def test_warming_up_makes_a_large_stores_risk_report_before_the_first_cataloguer(home, monkeypatch):
    from rightsgraph.web import risk_reports
    from rightsgraph.web.warm_up import warm_up
    page, gate, store, tmp_path = home
    gate.open()
    monkeypatch.setattr(risk_reports, "PREPARE_ABOVE_LICENCES", 0)    # any store counts as large
    warm_up(page.app).join(120)
    assert gate.calls == 1
    page.app.config["RG_HOME_RISKS_FIRST_WAIT"] = 0                    # nothing left to wait for
    first = page()
    assert 'id="open-risks"' in first and "risks-pending" not in first and gate.calls == 1


def test_a_small_stores_risk_report_is_left_to_the_first_visit(home):
    from rightsgraph.web.warm_up import warm_up
    page, gate, store, tmp_path = home
    gate.open()
    warm_up(page.app).join(120)
    assert gate.calls == 0
