"""What a SPARQL update may do with data readers must not see (docs/service.md,
"Confidential data and writes").

- An update that may read a graph hidden from readers (a confidential graph or the
  provenance graph) may add quads only to confidential graphs: the data keeps its
  confidentiality. `COPY <confidential> TO <public>` and `INSERT { GRAPH <public> … }
  WHERE { GRAPH <confidential> … }` are refused, with the graphs named.
- `CLEAR|DROP ALL|NAMED` remove every data graph, the confidential ones included: admin
  only. `CLEAR|DROP GRAPH <g>` needs a role that may read g.

What an update may read comes from rdflib's algebra of the update (every GRAPH pattern,
the dataset its USING / WITH clauses give, the source of ADD / COPY / MOVE); what it
writes comes from its actual effect, the quads `updating.apply_update` found it adds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from pyoxigraph import NamedNode, Quad
from rdflib.term import Variable

from .accounts import role_at_least
from .confidentiality import hidden_from_readers, may_read
from .namespaces import PROVENANCE_GRAPH
from .translation import LANGUAGES, both, gettext
from .sparql_parsing import without_data_blocks  # noqa: F401 - part of this module's interface
from .updating import UpdateRejected

_SHOWN = 5  # graphs named in a message; more are counted, "(+N)"


class ConfidentialityRefusal(UpdateRejected):
    """An update refused for what it would do with confidential data; `messages` holds
    the English and Chinese text, str() both."""

    def __init__(self, messages: dict[str, str]):
        self.messages = messages
        super().__init__(f"{messages['en']}\n{messages['zh']}")


@dataclass
class UpdateReads:
    """What an update may read, and which graph-wide operations it makes."""

    graphs: set[str] = field(default_factory=set)     # named graphs its patterns or sources name
    every_named_graph: bool = False                   # GRAPH ?g over the whole store
    outside: list[str] = field(default_factory=list)  # SERVICE / LOAD: other endpoints
    graph_wide: list[str] = field(default_factory=list)  # "DROP ALL", "CLEAR NAMED", ...
    cleared: list[str] = field(default_factory=list)     # graphs cleared or dropped by name


def analyse(update: str, base_iri: str | None = None) -> UpdateReads:
    """Parse `update` with rdflib and say what it may read. Raises ValueError when rdflib
    cannot parse it (then nothing can be said, and the guard refuses)."""
    from .sparql_parsing import translate_update
    try:
        algebra = translate_update(without_data_blocks(update), base_iri).algebra
    except Exception as exc:  # noqa: BLE001 - pyparsing and rdflib raise many kinds
        raise ValueError(f"{type(exc).__name__}: {exc}") from None
    reads = UpdateReads()
    for op in algebra:
        _operation(op, reads)
    return reads


def _operation(op, reads: UpdateReads) -> None:
    name = op.name
    if name in ("InsertData", "DeleteData", "Create"):
        return
    if name in ("Drop", "Clear"):
        which = op["graphiri"]
        if which in ("ALL", "NAMED"):
            reads.graph_wide.append(f"{name.upper()} {which}")
        elif which != "DEFAULT":
            reads.cleared.append(str(which))
        return
    if name in ("Add", "Copy", "Move"):
        source = op["graph"][0]
        if source != "DEFAULT":
            reads.graphs.add(str(source))
        return
    if name == "Load":
        reads.outside.append(f"LOAD <{op['iri']}>")
        return
    if name == "DeleteWhere":
        for graph in dict.get(op, "quads") or {}:
            _graph_term(graph, reads, None)
        return  # its default-graph triples read the default graph: never confidential
    if name == "Modify":
        using = dict.get(op, "using") or []  # CompValue.get(missing) returns the key
        # SPARQL 1.1 Update 3.1.3: USING / USING NAMED give the whole dataset; else WITH
        # names the default graph; else it is the store's default graph (never confidential).
        if using:
            defaults = {str(u["default"]) for u in using if "default" in u}
            named_scope: set[str] | None = {str(u["named"]) for u in using if "named" in u}
        else:
            defaults = {str(op["withClause"])} if dict.get(op, "withClause") is not None else set()
            named_scope = None
        found = _Found()
        _walk(op["where"], False, found)
        if found.default_graph:
            reads.graphs |= defaults
        for graph in found.graphs:
            _graph_term(graph, reads, named_scope)
        reads.outside += found.services
        return
    raise ValueError(f"unknown update operation {name}")


def _graph_term(term, reads: UpdateReads, named_scope: set[str] | None) -> None:
    if isinstance(term, Variable):
        if named_scope is None:
            reads.every_named_graph = True
        else:
            reads.graphs |= named_scope
    else:
        # GRAPH <g> counts even when USING NAMED leaves g out (it then matches nothing):
        # erring towards "reads" can only refuse more.
        reads.graphs.add(str(term))


@dataclass
class _Found:
    graphs: list = field(default_factory=list)
    default_graph: bool = False
    services: list = field(default_factory=list)


def _walk(node, in_graph: bool, found: _Found) -> None:
    """Collect the GRAPH terms of a WHERE clause (translated algebra, and the untranslated
    patterns rdflib keeps inside EXISTS) and whether any triple pattern reads the default
    graph."""
    if isinstance(node, dict):  # rdflib CompValue / Expr are dicts
        name = getattr(node, "name", None)
        if name == "ServiceGraphPattern":
            found.services.append(f"SERVICE <{dict.get(node, 'term')}>")
            return
        if name in ("Graph", "GraphGraphPattern"):
            found.graphs.append(dict.get(node, "term"))
            _walk(dict.get(node, "p" if name == "Graph" else "graph"), True, found)
            return
        if dict.get(node, "triples") and not in_graph:
            found.default_graph = True
        for value in dict.values(node):
            _walk(value, in_graph, found)
    elif isinstance(node, (list, tuple)):
        for value in node:
            _walk(value, in_graph, found)


# -- the guard ----------------------------------------------------------------------------

class ConfidentialityGuard:
    """`guard(added, removed)` for `updating.apply_update`, for one update by one caller.

    The update is analysed when the guard is made (outside the write lock); a failure to
    analyse is reported only when the guard is called, i.e. after Oxigraph accepted the
    update, so that a malformed update still gets Oxigraph's syntax error (400)."""

    def __init__(self, update: str, *, role: str | None, account: str,
                 confidential: Callable[[], Iterable[str]], base_iri: str | None = None,
                 trusted: Iterable[str] = ()):
        self.role, self.account = role, account
        self.trusted = tuple(trusted)      # endpoints the operator allows (serve --allow-service)
        self.confidential = confidential   # read when called: under the write lock
        try:
            self.reads, self.problem = analyse(update, base_iri), None
        except ValueError as exc:
            self.reads, self.problem = None, str(exc)

    def __call__(self, added: list[Quad], removed: list[Quad]) -> None:
        if self.reads is None:
            raise ConfidentialityRefusal(both(
                "this update could not be analysed (%(problem)s), so whether it copies confidential data "
                "cannot be checked: write it in standard SPARQL 1.1 Update", problem=self.problem))
        reads = self.reads
        if reads.graph_wide and not role_at_least(self.role, "admin"):
            ops = ", ".join(reads.graph_wide)
            raise ConfidentialityRefusal(both(
                "%(ops)s removes every data graph, the confidential ones included: only an admin may do this "
                "(%(account)s is a %(role)s); clear or drop graphs by name (DROP GRAPH <iri>)",
                ops=ops, account=self.account, role=self.role))
        confidential = frozenset(self.confidential())
        refused = [g for g in reads.cleared if not may_read(self.role, g, confidential)]
        if refused:
            names = _names(refused)
            raise ConfidentialityRefusal(both("%(account)s may not read %(graphs)s, so may not clear or drop it",
                                              account=self.account, graphs=names))
        sources = self._hidden_sources(reads, confidential, self.trusted)
        if not sources:
            return
        visible = sorted({_graph_label(q.graph_name) for q in added
                          if not (isinstance(q.graph_name, NamedNode) and q.graph_name.value in confidential)})
        if visible:
            read = {lang: {"en": ", ", "zh": "、"}[lang].join(s[lang] for s in sources[:_SHOWN]) + _more(len(sources))
                    for lang in LANGUAGES}
            raise ConfidentialityRefusal({lang: gettext(
                "this update reads %(read)s, and would write into %(graphs)s, which readers can see: data hidden "
                "from readers may only be written into confidential graphs. Mark the target graph confidential "
                "first, or name the graphs the update reads (GRAPH <iri>, USING / USING NAMED)", lang,
                read=read[lang], graphs=_names(visible)) for lang in LANGUAGES})

    @staticmethod
    def _hidden_sources(reads: UpdateReads, confidential: frozenset[str], trusted=()) -> list[dict[str, str]]:
        """What the update may read that readers may not see, described for a message. An
        endpoint the operator allows (`trusted`) serves public data: that is its decision."""
        out = []
        for graph in sorted(reads.graphs & hidden_from_readers(confidential)):
            if graph == PROVENANCE_GRAPH.value:
                out.append(both("<%(graph)s> (the provenance graph)", graph=graph))
            else:
                out.append(both("<%(graph)s> (confidential)", graph=graph))
        if reads.every_named_graph:
            out.append(both("every named graph (GRAPH ?g without USING NAMED), the confidential ones and the "
                            "provenance graph included"))
        outside = [o for o in reads.outside
                   if not any(o.split("<", 1)[-1].rstrip(">").startswith(t) for t in trusted)]
        if outside:
            what = ", ".join(outside)
            out.append(both("%(what)s (another endpoint, which may serve confidential data)", what=what))
        return out


def _graph_label(graph) -> str:
    return graph.value if isinstance(graph, NamedNode) else "DEFAULT"


def _names(graphs: list[str]) -> str:
    return ", ".join(g if g == "DEFAULT" else f"<{g}>" for g in graphs[:_SHOWN]) + _more(len(graphs))


def _more(n: int) -> str:
    return f" (+{n - _SHOWN})" if n > _SHOWN else ""


def guard_for(update: str, *, role: str | None, account: str, store,
              base_iri: str | None = None, trusted=()) -> ConfidentialityGuard:
    """The guard for `update` by a caller with `role`, against `store`'s confidential graphs."""
    from .confidentiality import confidential_graphs
    return ConfidentialityGuard(update, role=role, account=account, base_iri=base_iri, trusted=trusted,
                                confidential=lambda: confidential_graphs(store))
