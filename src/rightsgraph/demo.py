"""Load the demo library world shipped in data/demo/ (through the same gate as any load)."""

from __future__ import annotations

from pyoxigraph import NamedNode

from . import resources
from .loading import load_files
from .namespaces import GRAPH_BASE

DEMO_GRAPH_PREFIX = GRAPH_BASE + "demo/"


def demo_files():
    return sorted(resources.demo_dir().glob("*.ttl"))


def demo_graph(path) -> NamedNode:
    return NamedNode(DEMO_GRAPH_PREFIX + path.name.split(".")[0])


def load_demo(store) -> int:
    """Load the demo files, one graph per file, in one validated unit (cross-file references
    resolve); returns the triples loaded, 0 when the demo was already there."""
    files = demo_files()
    if not files:
        raise FileNotFoundError(f"no demo data in {resources.demo_dir()}")
    if all(store.count(demo_graph(f)) for f in files):
        return 0
    result = load_files(store, files, replace=True, agent="rightsgraph-demo", graph_for=demo_graph)
    return result.triples


def load_demo_content(store, say=print) -> dict | None:
    """The demo library's preserved content (docs/preservation.md), set up once beside an
    on-disk store, in `<data dir>/demo-content/`: two storage locations, a BagIt bag, an
    OCFL object and a folder of scans, then an audit that finds a corrupted byte and the
    repair. None when there is nothing to do (done before, or a remote store)."""
    from .preservation.demo_content import set_up
    path = getattr(store, "path", None)
    if path is None:
        return None
    return set_up(store, path.parent / "demo-content", say=say)
