"""Dumping graphs as TriG or N-Quads.

A full export holds the graphs rightsgraph manages (ontology, shapes, provenance), which
`load` refuses: it is for reading, not for moving data; `rightsgraph backup`/`restore`
bring a whole store back (docs/backup.md). `user_graphs=True` writes only the data graphs,
a file that `load` accepts in any store.
"""

from __future__ import annotations

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from .confidentiality import confidential_graphs
from .namespaces import DERIVED_GRAPH_BASE, PREFIXES, SYSTEM_GRAPHS
from .translation import LANGUAGES, both

_FORMATS = {"trig": RdfFormat.TRIG, "nquads": RdfFormat.N_QUADS}


def user_graphs(store) -> list[NamedNode]:
    """The data graphs: not the managed ones (ontology, shapes, provenance), not the derived
    ones (asset classes), which each store computes from its own data."""
    return [g for g in store.graphs() if g not in SYSTEM_GRAPHS and not g.value.startswith(DERIVED_GRAPH_BASE)]


def export_graphs(store, *, graphs: list[str] | None = None, fmt: str = "trig",
                  user_graphs_only: bool = False) -> bytes:
    """All graphs, the listed ones, or (`user_graphs_only`) the data graphs and the default
    graph, serialised in one dataset syntax."""
    if graphs is None and not user_graphs_only:
        return store.dump(_FORMATS[fmt], prefixes=PREFIXES)
    picked = ox.Store()
    if user_graphs_only:
        chosen = [g for g in user_graphs(store) if graphs is None or g.value in graphs]
        picked.extend(list(store.quads(ox.DefaultGraph())))
    else:
        chosen = [NamedNode(g) for g in graphs]
    for g in chosen:
        picked.extend(list(store.quads(g)))
    kwargs = {"prefixes": PREFIXES} if fmt == "trig" else {}
    body = picked.dump(format=_FORMATS[fmt], **kwargs)
    if not user_graphs_only:
        return body
    return _note_confidential(store, chosen) + body


def confidential_among(store, graphs) -> list[str]:
    """Which of `graphs` are confidential here. The mark lives in the provenance graph, so
    a user-graph export does not carry it: the new store must be told again."""
    marked = confidential_graphs(store)
    return sorted(g.value for g in graphs if g.value in marked)


def _note_confidential(store, graphs) -> bytes:
    """A comment heading the file (valid in TriG and N-Quads) naming the confidential graphs."""
    marked = confidential_among(store, graphs)
    if not marked:
        return b""
    # the file is read by anyone, later: the note is written in both languages
    note = both("Confidential in the store this was exported from (not carried by this file): mark them again "
                "after loading, with `rightsgraph graph confidential IRI`, or move data with backup/restore.")
    lines = [f"# {note[lang]}" for lang in LANGUAGES]
    lines += [f"#   <{g}>" for g in marked]
    return ("\n".join(lines) + "\n").encode("utf-8")
