"""Dumping graphs as TriG or N-Quads."""

from __future__ import annotations

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from .namespaces import PREFIXES

_FORMATS = {"trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS}


def export_graphs(store, *, graphs: list[str] | None = None, fmt: str = "trig") -> bytes:
    """All graphs, or the listed ones, serialised in one dataset syntax."""
    if graphs is None:
        return store.dump(_FORMATS[fmt], prefixes=PREFIXES)
    picked = ox.Store()
    for g in graphs:
        picked.extend(list(store.quads(NamedNode(g))))
    kwargs = {"prefixes": PREFIXES} if fmt == "trig" else {}
    return picked.dump(format=_FORMATS[fmt], **kwargs)
