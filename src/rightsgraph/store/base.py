"""The store port. Adapters: embedded.py (pyoxigraph on disk) and, later, remote SPARQL 1.1."""

from __future__ import annotations

from abc import ABC, abstractmethod
import re
from typing import Iterable, Iterator, Sequence

from pyoxigraph import NamedNode, Quad, RdfFormat


# Strings, IRIs and comments are blanked out before looking for FROM, so that
# `"FROM"` in a literal or `<http://x/from>` does not count.
_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_FROM = re.compile(r"(?<![?$:\w])FROM\b", re.IGNORECASE)   # not ?from, $from or ex:from


def has_dataset_clause(sparql: str) -> bool:
    """Whether a query names its own dataset with FROM / FROM NAMED."""
    return bool(_FROM.search(_NOISE.sub(" ", sparql)))


class StoreError(Exception):
    """A store operation failed; the message says which and why."""


class Store(ABC):
    """A quad store with SPARQL 1.1 query and update.

    The SPARQL default graph is the union of all graphs unless a request names its own
    dataset (docs/querying.md explains why).
    """

    @abstractmethod
    def query(self, sparql: str, *, default_graph: Sequence[NamedNode] | None = None,
              named_graphs: Sequence[NamedNode] | None = None, substitutions=None,
              custom_functions=None, base_iri: str | None = None):
        """Run a SPARQL query; pyoxigraph result objects (solutions, boolean or triples)."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL 1.1 Update atomically."""

    @abstractmethod
    def quads(self, graph: NamedNode | None = None) -> Iterator[Quad]:
        """Every quad, or those of one graph."""

    @abstractmethod
    def graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad."""

    @abstractmethod
    def count(self, graph: NamedNode | None = None) -> int:
        """Number of quads in one graph or in the whole store."""

    @abstractmethod
    def load_bytes(self, data: bytes, fmt: RdfFormat, graph: NamedNode | None = None,
                   *, replace: bool = False, base_iri: str | None = None) -> None:
        """Insert already-validated RDF in one atomic step; `replace` clears `graph` first."""

    def load_file(self, path, fmt: RdfFormat, graph: NamedNode | None = None, *,
                  base_iri: str | None = None) -> None:
        """Insert an already-validated RDF file; adapters may read it in a faster way."""
        with open(path, "rb") as f:
            self.load_bytes(f.read(), fmt, graph, base_iri=base_iri)

    @abstractmethod
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Insert quads atomically."""

    @abstractmethod
    def commit(self, change) -> None:
        """Apply a validated ChangeSet (store/changeset.py) and its provenance record as one
        unit: after a crash at any point the store holds the state before or after it."""

    @abstractmethod
    def clear_graph(self, graph: NamedNode) -> None:
        """Remove a named graph and its quads."""

    @abstractmethod
    def dump(self, fmt: RdfFormat, graph: NamedNode | None = None,
             prefixes: dict[str, str] | None = None) -> bytes:
        """Serialise the whole dataset (quad formats) or one graph."""

    def close(self) -> None:  # pragma: no cover - adapters override when they hold resources
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _depth0_keyword_positions(text: str, keyword: str) -> list[int]:
    """Positions of `keyword` outside strings, IRIs, comments and braces."""
    masked = _NOISE.sub(lambda m: " " * len(m.group(0)), text)
    positions, depth = [], 0
    pattern = re.compile(rf"\b{keyword}\b", re.IGNORECASE)
    i = 0
    while i < len(masked):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and pattern.match(masked, i) and (i == 0 or not masked[i - 1].isalnum()):
            positions.append(i)
        i += 1
    return positions


_DATASET_CLAUSE = re.compile(r"FROM(?:\s+NAMED)?(?:\s*<[^<>\s]*>|\s+[^\s{<]+)", re.IGNORECASE)


def strip_dataset_clauses(sparql: str) -> str:
    """The query without its FROM / FROM NAMED clauses, for a store that is given the
    dataset as protocol parameters. The SPARQL 1.1 Protocol says the parameters win;
    Virtuoso merges both, which would let a reader's FROM NAMED reach a hidden graph."""
    out, last = [], 0
    for pos in _depth0_keyword_positions(sparql, "FROM"):
        if pos and sparql[pos - 1] in "?$:_-":      # a variable or a prefixed name, not the keyword
            continue
        m = _DATASET_CLAUSE.match(sparql, pos)
        if m and pos >= last:
            out.append(sparql[last:pos])
            last = m.end()
    out.append(sparql[last:])
    return " ".join(out) if len(out) > 1 else sparql


class DatasetConflict(ValueError):
    """Protocol graph parameters given for an update that names its own dataset."""


def apply_using(update: str, using_graphs: list[str], using_named_graphs: list[str]) -> str:
    """Add the protocol's using-graph-uri / using-named-graph-uri as USING clauses to every
    operation with a WHERE (SPARQL 1.1 Protocol, section 2.2.3)."""
    if not using_graphs and not using_named_graphs:
        return update
    if _depth0_keyword_positions(update, "USING") or _depth0_keyword_positions(update, "WITH"):
        raise DatasetConflict("the update has USING/WITH and the request has using-graph-uri or "
                              "using-named-graph-uri: give the dataset one way only")
    clause = "".join(f"USING <{g}> " for g in using_graphs) + "".join(
        f"USING NAMED <{g}> " for g in using_named_graphs)
    out = update
    for pos in reversed(_depth0_keyword_positions(update, "WHERE")):
        out = out[:pos] + clause + out[pos:]
    return out


_GRAPH_MGMT = re.compile(r"\b(CLEAR|DROP)(\s+SILENT)?\s+(ALL|NAMED)\b", re.IGNORECASE)


def scope_graph_management(update: str, data_graphs: list[str]) -> str:
    """`CLEAR|DROP ALL|NAMED` apply to the data graphs only: the ontology, shapes and
    provenance graphs are the service's own, not part of the user's dataset."""
    masked = _NOISE.sub(lambda m: " " * len(m.group(0)), update)
    out, last = [], 0
    for m in _GRAPH_MGMT.finditer(masked):
        verb, which = m.group(1).upper(), m.group(3).upper()
        ops = [f"{verb} SILENT DEFAULT"] if which == "ALL" else []
        ops += [f"{verb} SILENT GRAPH <{g}>" for g in data_graphs]
        out.append(update[last:m.start()])
        # no data graph at all: an operation on a graph that cannot exist does nothing
        out.append(" ; ".join(ops) if ops else f"{verb} SILENT GRAPH <urn:rightsgraph:no-graph>")
        last = m.end()
    out.append(update[last:])
    return "".join(out)
