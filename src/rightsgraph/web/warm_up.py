"""At start, in the background: compile the policies and make the home page's risk report.

A served store's first decision waits for its policies to be compiled (20 s at 10,000
licences) and a cataloguer's first home page for the risk report (10 s more). Started when
the service starts (`serve` sets RG_WARM_UP), both are usually ready before anyone asks;
whoever asks earlier waits for the same computation, never a second one (the decision
service and the page cache each compute a value once).
"""

from __future__ import annotations

import logging
import threading
from datetime import date

log = logging.getLogger("rightsgraph.warm_up")


def warm_up(app) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(app,), daemon=True, name="warm-up")
    thread.start()
    return thread


def _run(app) -> None:
    from ..reports.risks import risk_report
    from .api import service
    from .summary_cache import page_cache
    try:
        with app.app_context():
            decisions = service()
            index = decisions.index(fresh=True)
            days, today = int(app.config["RG_EXPIRING_DAYS"]), date.today()
            store = app.extensions["rightsgraph.store"]
            # the home page's report for cataloguers (who see every graph), keyed as pages.py keys it
            page_cache().latest(f"risks-{today}-{days}", frozenset(),
                                lambda: risk_report(store, at=today, days=days, index=index),
                                wait=0.0, family=f"risks-{days}", first_wait=0.0)
    except Exception:  # noqa: BLE001 - a request that needs the value computes it and reports its error
        log.exception("warming up failed; the first request will compute what it needs")
