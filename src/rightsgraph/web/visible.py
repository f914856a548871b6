"""What the caller may see of the store, for the librarian's pages.

Readers must never meet a confidential graph (licence prices, confidential clauses) nor the
provenance graph: every page query runs with the SPARQL default graph set to the graphs the
caller may see (`VisibleStore`), so a page cannot leak what it never reads. Cataloguers and
admins see the union of all graphs.
"""

from __future__ import annotations

from flask import current_app
from pyoxigraph import NamedNode

from ..bilingual import clipped
from ..namespaces import absolute_iri
from .auth import catalog, hidden_graphs


class VisibleStore:
    """The store as the caller may see it: `query` answers over the visible graphs only.
    Duck-types the part of Store that the readers in licences/ and reports/ use.

    `query` names every visible graph as the default graph, and Oxigraph 0.5 then looks each
    triple pattern up once per graph: with a graph per licence (10,000 licences) a simple
    look-up takes seconds. `matching` and `graph_rows` ask for the graph instead (GRAPH ?g, one
    index look-up over all graphs) and leave out the rows of graphs the caller may not see."""

    def __init__(self, store, hidden: frozenset[str]):
        self.store = store
        self.hidden = hidden
        self._graphs = None    # the visible graphs, listed when first needed (a page may need none)

    def _visible_graphs(self) -> list[NamedNode]:
        if self._graphs is None:
            self._graphs, self._visible = _visible_graphs(self.hidden)
        return self._graphs

    def query(self, sparql: str, **kwargs):
        if self.hidden and "default_graph" not in kwargs:
            # no visible graph at all: a graph that does not exist, so every answer is empty
            kwargs["default_graph"] = self._visible_graphs() or [NamedNode("urn:rightsgraph:no-graph")]
        return self.store.query(sparql, **kwargs)

    def sees(self, graph) -> bool:
        """Whether the caller may see `graph` (a term from a GRAPH ?g row; None: not bound)."""
        if graph is None:
            return True
        if not isinstance(graph, NamedNode) or getattr(self.store, "engine_graph", lambda _: False)(graph.value):
            return False
        if not self.hidden:
            return True
        self._visible_graphs()
        return graph.value in self._visible

    def graph_rows(self, sparql: str, graph_vars: tuple[str, ...] = ("g",)):
        """The rows of `sparql`, a SELECT that puts each triple pattern in a GRAPH ?<var> of
        `graph_vars` (and projects them), whose graphs the caller may all see."""
        for row in self.store.query(sparql):
            if all(self.sees(row[v]) for v in graph_vars):
                yield row

    def matching(self, subjects=None, predicates=None, objects=None, *, ordered: bool = False):
        """The distinct triples (s, p, o) of the visible graphs whose subject is one of the IRIs
        `subjects` (or object one of the terms `objects`) and predicate one of `predicates`
        (None: any); `ordered`: by subject, predicate and object as SPARQL orders them."""
        bound, var = (subjects, "s") if subjects is not None else (objects, "o")
        items = sorted({str(x if not isinstance(x, str) else NamedNode(x)) for x in bound if x})
        # a FILTER, not a second VALUES: Oxigraph 0.5 joins two VALUES by scanning the store
        keep = f"FILTER(?p IN ({', '.join(f'<{p}>' for p in predicates)}))" if predicates else ""
        order = " ORDER BY ?s ?p ?o" if ordered else ""
        seen = set()
        for i in range(0, len(items), 200):
            values = f"VALUES ?{var} {{ {' '.join(items[i:i + 200])} }}"
            for row in self.graph_rows(f"SELECT ?s ?p ?o ?g WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }} {keep} }}{order}"):
                triple = (row["s"], row["p"], row["o"])
                if triple not in seen:
                    seen.add(triple)
                    yield triple

    def graphs(self):
        return [g for g in self.store.graphs() if g.value not in self.hidden]


def _visible_graphs(hidden: frozenset[str]) -> tuple[list[NamedNode], frozenset[str]]:
    """The graphs of the catalogue (auth.catalog) not in `hidden`, as terms and as IRIs, kept
    until the catalogue's list changes: ten thousand graphs cost 60 ms to list per request."""
    graphs = catalog().graphs()     # the same list object until the catalogue refreshes
    cached = current_app.extensions.get("rightsgraph.visible_graphs")
    if cached is None or cached[0] is not graphs or cached[1] != hidden:
        nodes = [NamedNode(g) for g in graphs if g not in hidden]
        cached = (graphs, hidden, nodes, frozenset(n.value for n in nodes))
        current_app.extensions["rightsgraph.visible_graphs"] = cached
    return cached[2], cached[3]


def visible_store() -> VisibleStore:
    return VisibleStore(current_app.extensions["rightsgraph.store"], hidden_graphs())


def literal_text(term) -> str:
    return term.value if term is not None else ""


_LABEL_PROPS = ("http://purl.org/dc/terms/title", "http://xmlns.com/foaf/0.1/name",
                "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2000/01/rdf-schema#label")


def labels(store, iris) -> dict[str, dict]:
    """iri -> {"en": ..., "zh": ...} from dct:title, foaf:name, skos:prefLabel or rdfs:label
    (in that order of preference, per language); IRIs without a label are left out."""
    iris = sorted({i for i in iris if i})
    rank = {p: k for k, p in enumerate(_LABEL_PROPS)}
    best: dict[tuple, tuple] = {}
    view = store if isinstance(store, VisibleStore) else VisibleStore(store, frozenset())
    for s_, p, o in view.matching(iris, _LABEL_PROPS):
        key = (s_.value, (getattr(o, "language", None) or "en")[:2])
        r = rank[p.value]
        if key not in best or r < best[key][0]:
            best[key] = (r, o.value)
    out: dict[str, dict] = {}
    for (s_, language), (_, text) in best.items():
        out.setdefault(s_, {})[language] = text
    return out


def short(iri: str) -> str:
    """The local name of an IRI, for IRIs without a label."""
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] if iri else ""


class PageError(Exception):
    """A page cannot be shown: rendered as error.html with `status` (400, 404)."""

    def __init__(self, status: int, message):
        super().__init__(str(message))
        self.status, self.message = status, message


def iri_arg(name: str, value: str | None = None) -> str:
    """The query parameter `name` as an absolute IRI; PageError(400) naming it otherwise."""
    from flask import request
    from flask_babel import gettext as _
    value = (value if value is not None else request.args.get(name, "")).strip()
    if not value:
        raise PageError(400, _("Missing parameter %(name)s (an IRI).", name=name))
    if not absolute_iri(value):
        raise PageError(400, _("Parameter %(name)s is not an absolute IRI: %(value)s", name=name, value=clipped(value)))
    return value


def install_error_page(bp) -> None:
    """Show a blueprint's PageError as a page in the caller's language."""
    from flask import render_template

    @bp.errorhandler(PageError)
    def page_error(exc: PageError):
        return render_template("error.html", status=exc.status, message=exc.message), exc.status
