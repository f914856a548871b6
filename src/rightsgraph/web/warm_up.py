"""At start, in the background: count what the home page shows, then compile the policies.

The first home page after a start counts every graph (2-3 s at 1M triples and 10,000
licence graphs; after that each write recounts only the graphs it changed), and a served
store's first decision waits for its policies to be compiled (20 s at 10,000 licences). Started when the service starts (`serve` sets RG_WARM_UP; each reader process of
`--workers N` compiles its own, as it would on its first decision), they are usually ready
before the first decision is asked; a decision asked earlier waits for the same compilation,
never a second one (DecisionService builds an index once per store state).

The risk report of the cataloguer's home page is not made here: at 10,000 licences it costs
10-20 s of CPU in every reader process, shared with the decisions and pages being answered,
for a page only cataloguers open; the home page makes it on its first visit and says so
meanwhile (web/pages.py).
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("rightsgraph.warm_up")


def warm_up(app) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(app,), daemon=True, name="warm-up")
    thread.start()
    return thread


def _run(app) -> None:
    from .api import service
    from .auth import hidden_graphs
    from .summary_cache import page_cache
    try:
        with app.app_context():        # no request: the view of a reader
            page_cache().summary(hidden_graphs())
    except Exception:  # noqa: BLE001 - the first home page counts again and reports its error
        log.exception("counting the store at start failed; the first home page will try again")
    try:
        with app.app_context():
            service().index(fresh=True)
    except Exception:  # noqa: BLE001 - the first decision compiles again and reports its error
        log.exception("compiling the policies at start failed; the first decision will try again")
