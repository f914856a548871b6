"""Load the demo library world shipped in data/demo/ (through the same gate as any load)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from . import package_data
from .loading import load_files
from .namespaces import GRAPH_BASE

DEMO_GRAPH_PREFIX = GRAPH_BASE + "demo/"


def demo_files():
    return sorted(package_data.demo_dir().glob("*.ttl"))


def demo_graph(path) -> NamedNode:
    return NamedNode(DEMO_GRAPH_PREFIX + path.name.split(".")[0])


def load_demo(store) -> int:
    """Load the demo files, one graph per file, in one validated unit (cross-file references
    resolve); returns the triples loaded, 0 when the demo was already there."""
    files = demo_files()
    if not files:
        raise FileNotFoundError(f"no demo data in {package_data.demo_dir()}")
    if all(store.count(demo_graph(f)) for f in files):
        return load_demo_usage(store)
    result = load_files(store, files, replace=True, agent="rightsgraph-demo", graph_for=demo_graph)
    return result.triples + load_demo_usage(store)


def load_demo_usage(store) -> int:
    """The demo's COUNTER reports and payments (data/demo/usage/, docs/usage.md), once;
    returns the triples of the reports imported, 0 when they were already there."""
    from .usage.importing import import_reports, list_reports
    from .usage.payments import import_payments, payments_graph
    folder = package_data.demo_dir() / "usage"
    reports, payments = sorted(folder.glob("*.tsv")), sorted(folder.glob("payments-*.csv"))
    if not reports or list_reports(store):
        return 0
    for p in payments:
        if not store.count(NamedNode(payments_graph(p))):
            import_payments(store, p, agent="rightsgraph-demo")
    result = import_reports(store, reports, agent="rightsgraph-demo")
    return sum(store.count(NamedNode(g)) for g in result.graphs)


def load_demo_content(store, say=print) -> dict | None:
    """The demo library's preserved content (docs/preservation.md), set up once beside an
    on-disk store, in `<data dir>/demo-content/`: two storage locations, a BagIt bag, an
    OCFL object and a folder of scans, then an audit that finds a corrupted byte and the
    repair. None when there is nothing to do (done before, or a remote store)."""
    from .preservation.demo_content import set_up
    path = store.path
    if path is None:
        return None
    return set_up(store, path.parent / "demo-content", say=say)
