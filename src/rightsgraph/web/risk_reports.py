"""The risk report as the web doors make it: where it is computed, and with which policies.

At 10,000 licences the report is seconds of Python. Made in a thread of the serving process,
it shares the interpreter lock with every request answered meanwhile (the cataloguer's home
page after a write took 340-530 ms instead of 130-200 ms), so the catalogue's part is made in
the query pool's report worker (serving/query_pool.QueryPool.call), on a snapshot of the
same state. A small store's report takes tens of milliseconds, less than taking a snapshot
and handing it to another process, and its home page should show it at once after a write:
a report that took under IN_PROCESS_BELOW seconds the last time is made here.

The contradicting terms come from the decision service's compiled policies either way (one
compilation for decisions and reports).

The home page shows a digest of the report, kept in the page cache per store state: one for
every caller who may see it (the report does not depend on who asks; whether a reader may
see it at all is the page's rule), and made at start by the warm-up where a report worker
can make it, so that the first cataloguer after a start does not wait for it."""

from __future__ import annotations

import time
from datetime import date
from functools import partial

from flask import current_app

IN_PROCESS_BELOW = 1.0
PREPARE_ABOVE_LICENCES = 1000     # about a second of report (7 s at 11,600 licences)
_SECONDS = "rightsgraph.risk_report_seconds"


def current_risk_report(*, at: date | None = None, days: int = 90) -> dict:
    """The risk report of the app's store as it is now."""
    from ..reports import risks
    from .api import service
    from .sparql import query_pool
    app = current_app._get_current_object()
    last = app.extensions.get(_SECONDS)
    pool = None if last is not None and last < IN_PROCESS_BELOW else query_pool()
    started = time.monotonic()
    decisions = service()
    rep = risks.risk_report(app.extensions["rightsgraph.store"], at=at, days=days, pool=pool,
                            index=partial(decisions.index, fresh=True),
                            compile_meanwhile=pool is not None and not decisions.compiled)
    app.extensions[_SECONDS] = time.monotonic() - started
    return rep


def home_risks(days: int, wait: float | None, first_wait: float | None) -> tuple[dict | None, bool]:
    """(digest, fresh): the home page's digest of today's report with a horizon of `days`,
    through the page cache (summary_cache.StoreStateCache.latest: `wait` and `first_wait`
    as there); the digest of an earlier state, or of yesterday, is not fresh."""
    from .summary_cache import page_cache
    today = date.today()
    app = current_app._get_current_object()

    def compute():
        with app.app_context():       # a thread of the page cache's
            return _home_digest(current_risk_report(at=today, days=days))
    rep, fresh = page_cache().latest(f"risks-{today}-{days}", frozenset(), compute, wait=wait,
                                     family=f"risks-{days}", first_wait=first_wait)
    if rep is not None and rep.get("at") not in (None, today.isoformat()):
        fresh = False          # yesterday's report, kept while today's is computed
    return rep, fresh


def prepare_home_risks(licences: int) -> bool:
    """Make the home page's report now (the warm-up) for a store of `licences` licences, if it
    holds enough for the report to take longer than the home page's first wait, and a report
    worker can make it (in this process it would share the interpreter lock with the
    requests answered meanwhile). A smaller store's first visit makes it within the wait."""
    from .sparql import query_pool
    if licences < PREPARE_ABOVE_LICENCES or query_pool() is None:
        return False
    home_risks(int(current_app.config["RG_EXPIRING_DAYS"]), None, None)
    return True


def _home_digest(rep: dict) -> dict:
    """What the home page shows of a risk report, made once per report (kept in the page
    cache instead of the report: at 10,000 licences its rows take longer to sort than the
    page to render)."""
    open_risks = ([{"kind": "unlicensed", "what": r["collection"], "detail": r["reason"], "n": r["resources"]}
                   for r in rep["unlicensed"]]
                  + [{"kind": "key_use", "what": r["licence"], "detail": r["term"], "n": None} for r in rep["key_uses"]]
                  + [{"kind": "conflict", "what": ", ".join(c.get("rules", [])) if isinstance(c, dict) else str(c),
                      "detail": "", "n": None} for c in rep["conflicts"]])
    return {"at": rep.get("at"), "open": open_risks,
            "expiring": sorted(rep["expiring"], key=lambda e: (e["days_left"], e["licence"]))}
