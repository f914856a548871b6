"""Writing many quads fast: an N-Quads document built as text.

A registration of 100,000 files writes well over a million quads. Made as pyoxigraph
Quad objects, each costs several Python-to-Rust calls; as N-Quads lines they cost one
string format, and the staging store and the store both load the document in one call.

    doc = NQuads()
    doc.add(iri(s), iri(p), literal("a name"), GRAPH)
    doc.extend(quads)                   # pyoxigraph Quads, for the few made elsewhere
    staging.load(doc.data(), RdfFormat.N_QUADS)

Terms are given in N-Triples syntax; `iri`, `literal` and `typed` make them. IRIs
minted here are made of safe characters; outside IRIs (a resource, an agent) come from
pyoxigraph NamedNodes, which have been checked.
"""

from __future__ import annotations

from collections import Counter

from pyoxigraph import Literal, NamedNode, Quad

XSD = "http://www.w3.org/2001/XMLSchema#"


def iri(value: str | NamedNode) -> str:
    return f"<{value.value if isinstance(value, NamedNode) else value}>"


def literal(text: str) -> str:
    """A plain string literal; pyoxigraph escapes it (quotes, backslashes, line breaks)."""
    return str(Literal(text))


def typed(lexical: str, datatype: str) -> str:
    """A typed literal whose lexical form needs no escaping (numbers, date-times)."""
    return f'"{lexical}"^^<{datatype}>'


def integer(n: int) -> str:
    return f'"{int(n)}"^^<{XSD}integer>'


class NQuads:
    """Lines of an N-Quads document, with the number of quads written to each graph."""

    def __init__(self):
        self._lines: list[str] = []
        self.counts: Counter = Counter()     # graph IRI (N-Triples form) -> quads

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self._lines.append(f"{s} {p} {o} {g} .")
        self.counts[g] += 1

    def many(self, g: str, triples) -> None:
        """Add (s, p, o) term triples to graph `g`."""
        lines = self._lines
        n = 0
        for s, p, o in triples:
            lines.append(f"{s} {p} {o} {g} .")
            n += 1
        self.counts[g] += n

    def extend(self, quads) -> None:
        for q in quads:
            if not isinstance(q, Quad):
                raise TypeError(f"not a Quad: {q!r}")
            self._lines.append(f"{q} .")
            self.counts[str(q.graph_name)] += 1

    def __len__(self) -> int:
        return len(self._lines)

    def data(self) -> bytes:
        return ("\n".join(self._lines) + "\n").encode("utf-8") if self._lines else b""

    def graph_counts(self) -> dict[NamedNode, int]:
        return {NamedNode(g[1:-1]): n for g, n in self.counts.items() if g.startswith("<")}
