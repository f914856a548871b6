"""The effect of a SPARQL Update worked out by asking the store, without copying it.

`updating.apply_update` needs an update's exact effect (the quads it adds and removes)
before anything is written: it validates that effect and commits exactly it. An embedded
store gets it by running the update on a hard-linked copy of itself (instant). A store
behind a SPARQL endpoint has no such copy: it had to be downloaded whole for every update
(at a million triples, minutes and a few hundred MB each time). Here the effect is computed
as SPARQL 1.1 Update defines it, and only what the update touches crosses the network:

- `INSERT DATA` / `DELETE DATA`: the quads themselves, checked against the store in batches
  (a quad already there is not added; one that is not there is not removed);
- `DELETE/INSERT … WHERE`, `DELETE WHERE`: the `WHERE` asked as one `SELECT *` with the
  dataset `WITH`/`USING` give it, the templates filled in here from its solutions, deletions
  before insertions (Update 1.1, section 3.1.3);
- `CLEAR`, `DROP`, `CREATE`, `ADD`, `COPY`, `MOVE`: the graphs they name, read alone.

The text is parsed once, by rdflib's SPARQL parser (`sparql_parsing.translate_update`).
What cannot be worked out this way raises `NeedsCopy`, and the caller falls back to the copy
(docs/remote-store.md lists the cases): `LOAD` (the source is fetched by the engine); a
`WHERE` in a later operation of the request (it must see what the earlier ones changed); a
`WHERE` that reads the default graph without `WITH`/`USING`, or a quad written to
the default graph (engines disagree on what the default graph is: Oxigraph keeps its own,
Virtuoso's is the union of all graphs); a blank node of the store reaching a template (its
label means nothing outside the one answer that carried it);
`SERVICE`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterable

import pyoxigraph as ox
from pyoxigraph import DefaultGraph, NamedNode, Quad
from rdflib import BNode, Literal, URIRef, Variable

from .sparql_parsing import data_block_spans, translate_update, without_data_blocks
from .store.base import Store, StoreError, depth0_keyword_positions, has_blank_node, masked_sparql

_BATCH = 200          # quads or IRIs per VALUES block: a few tens of KB of query text


class NeedsCopy(Exception):
    """The effect cannot be computed by queries alone; the message says why."""


@dataclass
class Effect:
    added: list[Quad]
    removed: list[Quad]
    cleared: dict = field(default_factory=dict)   # graph emptied whole -> its content afterwards


def effect_by_queries(store: Store, sparql: str, base_iri: str | None = None) -> Effect:
    """The quads `sparql` would add to and remove from `store`, read from the store itself;
    raises NeedsCopy where that is not possible, SyntaxError never (the copy reports it)."""
    spans = data_block_spans(sparql)
    try:   # data blocks are read by Oxigraph's parser: rdflib's is quadratic in their size
        ops = list(translate_update(without_data_blocks(sparql), base_iri).algebra)
    except Exception as exc:  # noqa: BLE001 - rdflib's parse errors; Oxigraph words them better
        raise NeedsCopy(f"rdflib could not parse the update ({type(exc).__name__})") from None
    if any(op.name in ("Modify", "DeleteWhere") for op in ops[1:]):
        raise NeedsCopy("a WHERE in a later operation of the request (it must see the earlier ones' changes)")
    blocks = iter(spans)
    state = _State(store)
    for op in ops:
        name = op.name
        if name in ("InsertData", "DeleteData"):
            quads = _data_quads(sparql, next(blocks, None), base_iri, deleting=name == "DeleteData")
            state.prefetch(quads)
            for q in quads:
                (state.add if name == "InsertData" else state.remove)(q)
        elif name in ("Modify", "DeleteWhere"):     # the first operation: the store is as it was
            _modify(state, op, sparql, base_iri)
        elif name in ("Clear", "Drop"):
            for g in _named_targets(op.graphiri):
                _must_exist(state, op, g, True)
                state.clear(g)     # CLEAR and DROP alike: the change set replaces an emptied graph
        elif name == "Create":
            # an empty graph holds no quad: nothing to add, validate or commit
            _must_exist(state, op, NamedNode(str(op.graphiri)), False)
        elif name in ("Add", "Copy", "Move"):
            _must_exist(state, op, _graph_term(op.graph[0]), True)
            _add_copy_move(state, name, *op.graph)
        else:    # Load, and whatever a later SPARQL adds
            raise NeedsCopy(f"{name} is worked out on a copy")
    return state.effect()


class _State:
    """The store as the request leaves it, kept as its difference from the store as it is."""

    def __init__(self, store: Store):
        self.store = store
        self.added: dict[Quad, None] = {}      # ordered sets
        self.removed: dict[Quad, None] = {}
        self.cleared: set = set()
        self._exists: dict[Quad, bool] = {}
        self._graph_cache: dict = {}

    # -- what the store holds now ----------------------------------------------------------
    def prefetch(self, quads: Iterable[Quad]) -> None:
        """Ask the store, in batches, which of these quads it holds."""
        wanted = [q for q in quads if q not in self._exists and not has_blank_node(q)]   # blank nodes this request mints are new
        for q in wanted:
            if isinstance(q.graph_name, DefaultGraph):
                raise NeedsCopy("a quad in the default graph")
        for i in range(0, len(wanted), _BATCH):
            batch = wanted[i:i + _BATCH]
            rows = " ".join(f"({q.subject} {q.predicate} {q.object} {q.graph_name})" for q in batch)
            found = {Quad(r["s"], r["p"], r["o"], r["g"]) for r in self.store.query(
                f"SELECT ?s ?p ?o ?g WHERE {{ VALUES (?s ?p ?o ?g) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} }}")}
            for q in batch:
                self._exists[q] = q in found

    def _stored(self, q: Quad) -> bool:
        if q in self._exists:          # asked already, or read with its graph
            return self._exists[q]
        if has_blank_node(q):
            return False               # a blank node this request minted: new
        self.prefetch([q])
        return self._exists[q]

    def graph_now(self, g) -> list[Quad]:
        """The graph's quads as the request leaves it so far."""
        if g not in self._graph_cache:
            stored = list(self.store.quads(g))
            self._graph_cache[g] = stored
            for q in stored:
                self._exists[q] = True
        gone = self.removed
        return [q for q in self._graph_cache[g] if q not in gone] + [q for q in self.added if q.graph_name == g]

    def holds_graph(self, g) -> bool:
        if any(q.graph_name == g for q in self.added):
            return True
        if g in self.cleared:
            return False
        return next(iter(self.store.quads_matching(graphs=[g], limit=1)), None) is not None

    # -- changes -----------------------------------------------------------------------------
    def add(self, q: Quad) -> None:
        if q in self.removed:
            del self.removed[q]
        elif q not in self.added and not self._stored(q):
            self.added[q] = None

    def remove(self, q: Quad) -> None:
        if q in self.added:
            del self.added[q]
        elif self._stored(q):
            self.removed[q] = None

    def clear(self, g) -> None:
        for q in self.graph_now(g):
            self.remove(q)
        self.cleared.add(g)

    def effect(self) -> Effect:
        cleared = {g: self.graph_now(g) for g in self.cleared}
        return Effect(list(self.added), list(self.removed), cleared)


def _must_exist(state: "_State", op, graph, exists: bool) -> None:
    """Without SILENT, CLEAR/DROP/ADD/COPY/MOVE of a graph that does not exist, and CREATE of
    one that does, fail (Update 1.1, 3.2): the copy gives the engine's own error."""
    if dict.get(op, "silent") or not isinstance(graph, NamedNode):
        return
    if state.holds_graph(graph) != exists:
        raise NeedsCopy(f"{op.name} of a graph that {'does not exist' if exists else 'exists'}")


def _named_targets(target) -> list:
    if target == "DEFAULT":
        return [DefaultGraph()]
    if isinstance(target, URIRef):
        return [NamedNode(str(target))]
    # ALL / NAMED: updating.py has already spelt them out as the data graphs, graph by graph
    raise NeedsCopy(f"CLEAR/DROP {target}")


def _add_copy_move(state: _State, name: str, source, target) -> None:
    src, dst = (_graph_term(x) for x in (source, target))
    if src == dst:
        return       # Update 1.1: ADD, COPY and MOVE of a graph onto itself do nothing
    content = state.graph_now(src)
    if name in ("Copy", "Move"):
        state.clear(dst)
    for q in content:
        state.add(Quad(q.subject, q.predicate, q.object, dst))
    if name == "Move":
        state.clear(src)


def _graph_term(x):
    return DefaultGraph() if x == "DEFAULT" or x is None else NamedNode(str(x))


# -- templates -----------------------------------------------------------------------------

def _data_quads(sparql: str, span, base_iri: str | None, *, deleting: bool) -> list[Quad]:
    """The quads of an INSERT DATA / DELETE DATA body, read by Oxigraph's own SPARQL parser
    (as an INSERT DATA into an empty store) with the prologue declared before it: the same
    terms the engine would store ("01"^^xsd:integer is "1"), blank nodes new, one per label."""
    if span is None:
        raise NeedsCopy("a data block the scanner did not find")
    scratch = ox.Store()
    try:
        scratch.update(f"{_prologue_before(sparql, span[0])}\nINSERT DATA {{ {sparql[span[0]:span[1]]} }}",
                       base_iri=base_iri)
    except SyntaxError:
        raise NeedsCopy("a data block Oxigraph does not read") from None
    quads = list(scratch)
    for q in quads:
        if not isinstance(q.graph_name, NamedNode):
            raise NeedsCopy("a quad in the default graph")
        if deleting and has_blank_node(q):
            raise NeedsCopy("a blank node in DELETE DATA")
    return quads


_DECLARATION = re.compile(r"(?:PREFIX\s*[^\s:]*:\s*|BASE\s*)<[^<>\s]*>", re.IGNORECASE)


def _prologue_before(sparql: str, pos: int) -> str:
    """The PREFIX and BASE declarations of the request that come before `pos`."""
    found = []
    for keyword in ("PREFIX", "BASE"):
        for at in depth0_keyword_positions(sparql[:pos], keyword):
            m = _DECLARATION.match(sparql, at)
            if m:
                found.append((at, m.group()))
    return "\n".join(text for _, text in sorted(found))


def _modify(state: _State, op, sparql: str, base_iri: str | None) -> None:
    store = state.store
    if op.name == "DeleteWhere":
        deleting, inserting, with_graph, using = op, None, None, []
    else:
        deleting, inserting = dict.get(op, "delete"), dict.get(op, "insert")
        with_graph, using = dict.get(op, "withClause"), dict.get(op, "using") or []
    if _reads_default_graph(dict.get(op, "where") if op.name == "Modify" else op) and not using:
        if with_graph is None:
            raise NeedsCopy("a WHERE that reads the default graph")
    query = _where_as_select(sparql, with_graph, using, base_iri, store)
    default = NamedNode(str(with_graph)) if with_graph is not None else DefaultGraph()
    delete, insert = [], []
    try:
        rows = list(store.query(query))
    except (SyntaxError, StoreError):
        raise NeedsCopy("the store did not take the WHERE as a query") from None
    for row in rows:
        if any(isinstance(v, ox.BlankNode) for v in _values(row)):
            raise NeedsCopy("a blank node of the store in a template's solution")
        if any(isinstance(v, NamedNode) and store.engine_graph(v.value) for v in _values(row)):
            continue    # an engine's own graph (Virtuoso's) is not data
        delete += _instances(deleting, row, default, fresh=False)
        insert += _instances(inserting, row, default, fresh=True)
    state.prefetch(delete + insert)
    for q in delete:
        state.remove(q)
    for q in insert:
        state.add(q)


def _values(row):
    return [v for v in row if v is not None]


def _instances(template, row, default, *, fresh: bool) -> list[Quad]:
    """A template's quads for one solution: a triple with an unbound variable, or a literal
    where an IRI must be, is left out (Update 1.1, 3.1.3)."""
    if template is None:
        return []
    out, bnodes = [], {}
    parts = [(default, t) for t in dict.get(template, "triples") or []]
    parts += [(g, t) for g, triples in (dict.get(template, "quads") or {}).items() for t in triples]
    for g, t in parts:
        graph = g if g is default else _term(g, row, bnodes)
        if graph is None or not isinstance(graph, (NamedNode, DefaultGraph)):
            continue
        try:
            q = _quad(t, graph, row, bnodes)
        except (TypeError, ValueError):
            continue      # an unbound variable or a literal as subject: not instantiated
        if q is not None:
            out.append(q)
    return out


def _quad(triple, graph, row, bnodes) -> Quad | None:
    s, p, o = (_term(x, row, bnodes) for x in triple)
    if s is None or p is None or o is None:
        return None
    if isinstance(graph, DefaultGraph):
        raise NeedsCopy("a quad in the default graph")
    return Quad(s, p, o, graph)


def _term(x, row, bnodes):
    if isinstance(x, Variable):
        try:
            return row[str(x)] if row else None
        except KeyError:
            return None       # a template variable the WHERE does not bind
    if isinstance(x, URIRef):
        return NamedNode(str(x))
    if isinstance(x, BNode):
        if x not in bnodes:
            bnodes[x] = ox.BlankNode()
        return bnodes[x]
    if isinstance(x, Literal):
        return _engine_literal(x.n3())
    raise NeedsCopy(f"a template term rdflib gives as {type(x).__name__}")


# -- the WHERE as a query ----------------------------------------------------------------

@functools.lru_cache(maxsize=4096)
def _engine_literal(n3: str) -> ox.Literal:
    """A template's literal as the engine stores it: Oxigraph's SPARQL parser writes numbers
    and language tags in canonical form ("01"^^xsd:integer is "1", "x"@EN is "x"@en)."""
    return next(iter(_LITERALS.query(f"SELECT ?x WHERE {{ VALUES ?x {{ {n3} }} }}")))["x"]


_LITERALS = ox.Store()


def _reads_default_graph(node, inside_graph: bool = False) -> bool:
    """Whether a pattern (rdflib's algebra) matches triples outside any GRAPH: those read
    the default graph. EXISTS / NOT EXISTS keep rdflib's unparsed form, walked the same way."""
    if isinstance(node, dict):
        name = getattr(node, "name", "")
        if name == "ServiceGraphPattern":
            raise NeedsCopy("SERVICE")
        if name in ("Graph", "GraphGraphPattern"):
            return False     # everything beneath reads a named graph
        if name in ("BGP", "TriplesBlock") and dict.get(node, "triples") and not inside_graph:
            return True
        if name == "DeleteWhere":
            return bool(dict.get(node, "triples"))
        return any(_reads_default_graph(v, inside_graph) for k, v in node.items() if k != "_vars")
    if isinstance(node, (list, tuple)):
        return any(_reads_default_graph(v, inside_graph) for v in node)
    return False


def _where_as_select(sparql: str, with_graph, using, base_iri, store: Store) -> str:
    """`SELECT *` over the update's WHERE, in the update's own words (its prologue and its
    group pattern as written), with its dataset: USING as FROM; WITH as a GRAPH around the
    pattern (a FROM would also empty the named graphs, which WITH leaves alone)."""
    masked = masked_sparql(sparql)
    starts = [p for kw in ("WITH", "DELETE", "INSERT") for p in depth0_keyword_positions(sparql, kw)]
    wheres = depth0_keyword_positions(sparql, "WHERE")
    if not starts or not wheres:
        raise NeedsCopy("no WHERE found in the update's text")
    prologue = sparql[:min(starts)]
    open_at = masked.find("{", wheres[0])      # the first operation's (templates are in braces)
    close_at = _matching_brace(masked, open_at)
    pattern = sparql[open_at:close_at + 1]
    dataset = " ".join(f"FROM <{u['default']}>" if "default" in u else f"FROM NAMED <{u['named']}>"
                       for u in using)
    if with_graph is not None and not using:
        if next(iter(store.quads_matching(graphs=[NamedNode(str(with_graph))], limit=1)), None) is None:
            raise NeedsCopy("WITH names a graph the store does not hold")
        pattern = f"{{ GRAPH <{with_graph}> {pattern} }}"
    base = f"BASE <{base_iri}>\n" if base_iri and not re.search(r"\bBASE\b", masked[:len(prologue)], re.I) else ""
    return f"{base}{prologue} SELECT * {dataset} WHERE {pattern}"


def _matching_brace(masked: str, open_at: int) -> int:
    if open_at < 0:
        raise NeedsCopy("no group pattern after WHERE")
    depth = 0
    for i in range(open_at, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    raise NeedsCopy("unbalanced braces")


__all__ = ["effect_by_queries", "Effect", "NeedsCopy"]
