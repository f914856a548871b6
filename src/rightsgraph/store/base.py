"""The store port. Adapters: embedded.py (pyoxigraph on disk) and, later, remote SPARQL 1.1."""

from __future__ import annotations

from abc import ABC, abstractmethod
import re
from typing import Iterable, Iterator, Sequence

from pyoxigraph import NamedNode, Quad, RdfFormat


# Strings, IRIs and comments are blanked out before looking for FROM, so that
# `"FROM"` in a literal or `<http://x/from>` does not count.
_NOISE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_FROM = re.compile(r"\bFROM\b", re.IGNORECASE)


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

    @abstractmethod
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Insert quads atomically."""

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
