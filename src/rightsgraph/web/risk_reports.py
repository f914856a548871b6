"""The risk report as the web doors make it: where it is computed, and with which policies.

At 10,000 licences the report is seconds of Python. Made in a thread of the serving process,
it shares the interpreter lock with every request answered meanwhile (the cataloguer's home
page after a write took 340-530 ms instead of 130-200 ms), so the catalogue's part is made in
the query pool's report worker (serving/query_pool.QueryPool.call), on a snapshot of the
same state. A small store's report takes tens of milliseconds, less than taking a snapshot
and handing it to another process, and its home page should show it at once after a write:
a report that took under IN_PROCESS_BELOW seconds the last time is made here.

The contradicting terms come from the decision service's compiled policies either way (one
compilation for decisions and reports)."""

from __future__ import annotations

import time
from datetime import date
from functools import partial

from flask import current_app

IN_PROCESS_BELOW = 1.0
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
