"""At start, in the background: count what the home page shows, then compile the policies.

The first home page after a start counts every graph (2-3 s at 1M triples and 10,000
licence graphs; after that each write recounts only the graphs it changed), and a served
store's first decision waits for its policies to be compiled (20 s at 10,000 licences). Started when the service starts (`serve` sets RG_WARM_UP; each reader process of
`--workers N` compiles its own, as it would on its first decision), they are usually ready
before the first decision is asked; a decision asked earlier waits for the same compilation,
never a second one (DecisionService builds an index once per store state). When an earlier
run saved the compiled policies for the store as it is (policy/index_cache.py), loading them
takes about a second, and comes first.

Then the home page's risk report, where the query pool's report worker can make it
(web/risk_reports.py): in a process of its own, its seconds of Python (at 10,000 licences)
do not slow the decisions and pages being answered. Without a report worker (a remote
store, no query deadline) it is left to the home page's first visit, which says so meanwhile.
"""

from __future__ import annotations

import logging
import threading

from ..translation import _

log = logging.getLogger("rightsgraph.warm_up")


def warm_up(app) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(app,), daemon=True, name="warm-up")
    thread.start()
    return thread


def _run(app) -> None:
    from ..policy import index_cache
    from .api import service
    from .auth import hidden_graphs
    from .risk_reports import prepare_home_risks
    from .summary_cache import page_cache
    # a second to load the policies an earlier run saved, before the counts' seconds
    compiled = index_cache.usable(app.extensions["rightsgraph.store"]) and _compile(app, service)
    try:
        with app.app_context():        # no request: the view of a reader, then everything
            page_cache().summary(hidden_graphs())
            licences = page_cache().summary(frozenset())["counts"]["licences"]
    except Exception as exc:  # noqa: BLE001 - the first home page counts again and reports its error
        _failed(_("counting the store at start failed; the first home page will try again"), exc)
        licences = 0
    if not compiled and not _compile(app, service):
        return
    try:
        with app.app_context():
            prepare_home_risks(licences)
    except Exception as exc:  # noqa: BLE001 - the first home page makes it again and reports its error
        _failed(_("making the risk report at start failed; the home page will try again"), exc)


def _compile(app, service) -> bool:
    try:
        with app.app_context():
            service().index(fresh=True)
            service().known_terms()       # what a decision checks its terms against
    except Exception as exc:  # noqa: BLE001 - the first decision compiles again and reports its error
        _failed(_("compiling the policies at start failed; the first decision will try again"), exc)
        return False
    return True


def _failed(what: str, exc: Exception) -> None:
    """One line in the service's log (the traceback only at debug level); nothing when the
    service is stopping while the warm-up runs (the query pool then refuses its work)."""
    from ..serving.query_pool import PoolClosed
    if isinstance(exc, PoolClosed):
        return
    log.warning("%s: %s: %s", what, type(exc).__name__, exc)
    log.debug("the warm-up's error", exc_info=exc)
