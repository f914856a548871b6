"""The store port. Adapters: embedded.py (pyoxigraph on disk) and, later, remote SPARQL 1.1."""

from __future__ import annotations

from abc import ABC, abstractmethod
import itertools
import re
from typing import Iterable, Iterator, Sequence

import pyoxigraph as ox
from pyoxigraph import BlankNode, DefaultGraph, NamedNode, Quad, RdfFormat


# The SPARQL terminals whose text is not syntax (SPARQL 1.1 grammar 19.8): strings, IRIs
# (with the \u escapes Oxigraph reads in them), comments, and the escaped characters of
# prefixed names (ex:a\'b, ex:a\#b). Whatever looks for a keyword or a brace in a query
# steps over them as the engine does: a pattern that did not read `<http://x/\u00e9#>` as
# one IRI took its `#` for a comment and lost the rest of the line (a FROM NAMED, a SERVICE;
# tests/test_update_guard.py, tests/integration/test_federation.py). One pattern for all.
SPARQL_OPAQUE = (r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
                 r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
                 r'|"(?:[^"\\\n\r]|\\.)*"'
                 r"|'(?:[^'\\\n\r]|\\.)*'"
                 r'|<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>'
                 r'|#[^\n\r]*'
                 r'|\\.')
_NOISE = re.compile(SPARQL_OPAQUE, re.S)
_FROM = re.compile(r"(?<![?$:\w])FROM\b", re.IGNORECASE)   # not ?from, $from or ex:from


def may_name_dataset(sparql: str) -> bool:
    """False when the query certainly has no FROM / FROM NAMED (no word FROM outside its
    strings, IRIs and comments); True when it may: a prefix named `from` (`from:x`) looks
    the same to a scan. sparql_parsing.dataset_clauses decides, by parsing."""
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

    def catch_up(self) -> None:
        """Move to the newest committed state, if this store is a view that can lag behind
        one (a reader's snapshot): caches call it before trusting their state, so that a
        write reaches them at once, not when the store is next read. Here nothing to do."""

    @abstractmethod
    def graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one quad."""

    def has_graph(self, graph: NamedNode) -> bool:
        """Whether graphs() lists `graph`; adapters answer it without listing them all."""
        return graph in self.graphs()

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

    def quads_matching(self, subject=None, predicate=None, obj=None, graphs=None, *,
                       limit: int | None = None) -> Iterator[Quad]:
        """Quads matching a pattern: a term or None for each position; `predicate` may also be
        a list of predicates; `graphs` a list of graphs (DefaultGraph() included) or None for
        every graph. Embedded stores match in their own index; others ask SPARQL."""
        preds = as_predicate_list(predicate)
        terms = {"s": subject, "o": obj}
        if any(isinstance(t, BlankNode) for t in (*terms.values(), *(preds or ()))):
            raise ValueError("a blank node cannot be matched across a SPARQL protocol")
        fixed = {k: str(v) for k, v in terms.items() if v is not None}
        s, o = fixed.get("s", "?s"), fixed.get("o", "?o")
        values = f"VALUES ?p {{ {' '.join(str(p) for p in preds)} }} " if preds is not None else ""
        cap = f" LIMIT {int(limit)}" if limit is not None else ""
        wanted = None if graphs is None else list(graphs)
        named = [g for g in wanted if isinstance(g, NamedNode)] if wanted is not None else None
        if wanted is None or named:
            in_graphs = f"VALUES ?g {{ {' '.join(str(g) for g in named)} }} " if named is not None else ""
            for row in self.query(f"SELECT ?s ?p ?o ?g WHERE {{ {values}{in_graphs}GRAPH ?g {{ {s} ?p {o} }} }}{cap}"):
                if not self.engine_graph(row["g"].value):
                    yield Quad(subject or row["s"], row["p"], obj or row["o"], row["g"])
        if wanted is not None and any(isinstance(g, DefaultGraph) for g in wanted):
            # a query's default graph may be the union of the named graphs (Virtuoso; `oxigraph
            # serve --union-default-graph`): the stored default graph is read as such instead
            found = (q for q in self.quads(DefaultGraph())
                     if (subject is None or q.subject == subject) and (obj is None or q.object == obj)
                     and (preds is None or q.predicate in preds))
            yield from (itertools.islice(found, limit) if limit is not None else found)

    def quads_with_predicates(self, keep, graphs) -> Iterator[Quad]:
        """The quads of `graphs` whose predicate passes `keep(predicate)`: what an index
        builder reads. Here one pass over each graph; embedded stores pick the predicates
        in their own index, so the other quads never reach Python."""
        for g in graphs:
            for q in self.quads(g):
                if keep(q.predicate):
                    yield q

    def engine_graph(self, iri: str) -> bool:
        """A graph the store engine keeps for itself, not data (none, unless an adapter says)."""
        return False

    def backup(self, target) -> None:
        """A consistent copy of the whole store in the new folder `target`, which opens as an
        embedded store. Only a store on this machine can: others raise StoreError."""
        raise StoreError(f"{type(self).__name__} cannot copy itself to a folder: "
                         "use `rightsgraph backup`, which exports it")

    def location(self) -> str:
        """Where the store is, for messages: its folder or its endpoint."""
        return str(self.path) if self.path is not None else "memory"

    def published_snapshot(self):
        """(folder, content token) of a read-only snapshot holding this store's current
        state, if one exists already (a reader process's published snapshot; the token the
        writer published it with, or None), else None: a caller that needs one takes it
        (store/snapshots.py)."""
        return None

    def trial_copies(self, folder) -> tuple["ox.Store", "ox.Store"]:
        """(before, scratch): the dataset to compare against and a private, writable copy of
        it to try a change on, both as pyoxigraph stores. Call under the write lock: `before`
        may be the live store. Here both are downloaded into memory (once); an embedded store
        lends itself and a hard-linked copy in `folder` instead."""
        before = ox.Store()
        before.load(self.dump(RdfFormat.N_QUADS), RdfFormat.N_QUADS)
        scratch = ox.Store()
        scratch.bulk_extend(before.quads_for_pattern(None, None, None, None))
        return before, scratch

    # -- content tokens (store/content_stamp.py): what lets a cache outlive the process --
    def write_mark(self):
        """An opaque mark of the writes made so far, taken before reading what a cache is built
        from; None when the store cannot vouch for its content (writes under way, or other
        writers it cannot see: a remote store)."""
        return None

    def issue_content_token(self, mark) -> str | None:
        """A token naming the store's current content, kept (on disk) until the next write,
        if no write happened since `mark`; else None."""
        return None

    def content_token(self) -> str | None:
        """The token issued for the store's current content, if it is unchanged since; None
        otherwise, or where the store cannot say."""
        return None

    def cache_folder(self):
        """A folder on this machine where caches of the store's content may be kept, beside
        its content token (policy/index_cache.py); None where there is none."""
        return None

    #: whether `trial_copies` costs next to nothing (a local, hard-linked copy); a store that
    #: would have to be downloaded has an update's effect worked out by queries instead
    #: (update_effect.py)
    copies_cheaply = False

    #: whether a blank node keeps its identity from one call to the next, so it can be
    #: matched and deleted by label (not across a SPARQL protocol)
    keeps_blank_nodes = False

    #: whether every change of the store's content is seen through this object, by a write
    #: through it or at `catch_up()` (an embedded store, which this process alone may write,
    #: and its snapshots), so a cache of it need not ask the store whether another process
    #: wrote; a store behind an endpoint may be written by anyone
    sees_every_write = False

    #: whether queries may call Python functions (rg:permitted, rg:decision): only an engine
    #: running in this process can
    runs_custom_functions = False

    #: the store's folder on this machine (an embedded store on disk), where snapshots of it
    #: are made (store/snapshots.py); None for a store in memory or behind an endpoint
    path = None

    def close(self) -> None:  # pragma: no cover - adapters override when they hold resources
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def has_blank_node(t) -> bool:
    """Whether a quad or triple has a blank node as subject or object: such a node cannot be
    named across a SPARQL protocol (VALUES, DELETE DATA)."""
    return isinstance(t.subject, BlankNode) or isinstance(t.object, BlankNode)


def as_predicate_list(predicate):
    """None, or the predicates a pattern names (one, or a list of them)."""
    if predicate is None:
        return None
    return list(predicate) if isinstance(predicate, (list, tuple, set, frozenset)) else [predicate]


def masked_sparql(text: str) -> str:
    """The text with its strings, IRIs and comments blanked out (same length), so that
    keywords and braces can be found by position."""
    return _NOISE.sub(lambda m: " " * len(m.group(0)), text)


_NAME_PARTS = "?$:_-"     # a keyword right after one of these is part of a name


def depth0_keyword_positions(text: str, keyword: str) -> list[int]:
    """Positions of `keyword` outside strings, IRIs, comments and braces, and not part of a
    variable or prefixed name spelt like it (?where, $from, ex:ask, with:x)."""
    masked = masked_sparql(text)
    positions, depth = [], 0
    pattern = re.compile(rf"\b{keyword}\b", re.IGNORECASE)
    i = 0
    while i < len(masked):
        ch = masked[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and pattern.match(masked, i) and (i == 0 or not masked[i - 1].isalnum()) \
                and not (i and masked[i - 1] in _NAME_PARTS) and masked[i + len(keyword):i + len(keyword) + 1] != ":":
            positions.append(i)
        i += 1
    return positions


_DATASET_CLAUSE = re.compile(r"FROM(?:\s+NAMED)?(?:\s*<[^<>\s]*>|\s+[^\s{<]+)", re.IGNORECASE)


def strip_dataset_clauses(sparql: str) -> str:
    """The query without its FROM / FROM NAMED clauses, for a store that is given the
    dataset as protocol parameters. The SPARQL 1.1 Protocol says the parameters win;
    Virtuoso merges both, which would let a reader's FROM NAMED reach a hidden graph."""
    out, last = [], 0
    for pos in depth0_keyword_positions(sparql, "FROM"):
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
    if depth0_keyword_positions(update, "USING") or depth0_keyword_positions(update, "WITH"):
        raise DatasetConflict("the update has USING/WITH and the request has using-graph-uri or "
                              "using-named-graph-uri: give the dataset one way only")
    clause = "".join(f"USING <{g}> " for g in using_graphs) + "".join(
        f"USING NAMED <{g}> " for g in using_named_graphs)
    out = update
    for pos in reversed(depth0_keyword_positions(update, "WHERE")):
        out = out[:pos] + clause + out[pos:]
    return out


_GRAPH_MGMT = re.compile(r"\b(CLEAR|DROP)(\s+SILENT)?\s+(ALL|NAMED)\b", re.IGNORECASE)


def scope_graph_management(update: str, data_graphs) -> str:
    """`CLEAR|DROP ALL|NAMED` apply to the data graphs only: the ontology, shapes and
    provenance graphs are the service's own, not part of the user's dataset.
    `data_graphs`: their IRIs, or a function giving them, called only when the update has
    such an operation (listing the graphs reads the whole store)."""
    out, last = [], 0
    found = list(_GRAPH_MGMT.finditer(masked_sparql(update)))
    if found and callable(data_graphs):
        data_graphs = data_graphs()
    for m in found:
        verb, which = m.group(1).upper(), m.group(3).upper()
        ops = [f"{verb} SILENT DEFAULT"] if which == "ALL" else []
        ops += [f"{verb} SILENT GRAPH <{g}>" for g in data_graphs]
        out.append(update[last:m.start()])
        # no data graph at all: an operation on a graph that cannot exist does nothing
        out.append(" ; ".join(ops) if ops else f"{verb} SILENT GRAPH <urn:rightsgraph:no-graph>")
        last = m.end()
    out.append(update[last:])
    return "".join(out)
