"""What the caller may see of the store, for the librarian's pages.

Readers must never meet a confidential graph (licence prices, confidential clauses) nor the
provenance graph: every page query runs with the SPARQL default graph set to the graphs the
caller may see (`VisibleStore`), so a page cannot leak what it never reads. Cataloguers and
admins see the union of all graphs.
"""

from __future__ import annotations

import re

from flask import current_app
from pyoxigraph import NamedNode

from .auth import catalog, hidden_graphs


class VisibleStore:
    """The store as the caller may see it: `query` answers over the visible graphs only.
    Duck-types the part of Store that the readers in licences/ and reports/ use."""

    def __init__(self, store, hidden: frozenset[str]):
        self.store = store
        self.hidden = hidden
        self._graphs = None if not hidden else [NamedNode(g) for g in catalog().graphs() if g not in hidden]

    def query(self, sparql: str, **kwargs):
        if self._graphs is not None and "default_graph" not in kwargs:
            # no visible graph at all: a graph that does not exist, so every answer is empty
            kwargs["default_graph"] = self._graphs or [NamedNode("urn:rightsgraph:no-graph")]
        return self.store.query(sparql, **kwargs)

    def graphs(self):
        return [g for g in self.store.graphs() if g.value not in self.hidden]


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
    props = ", ".join(f"<{p}>" for p in _LABEL_PROPS)
    for i in range(0, len(iris), 200):
        values = " ".join(f"<{x}>" for x in iris[i:i + 200])
        # a FILTER, not a second VALUES: Oxigraph 0.5 joins two VALUES by scanning the store
        for row in store.query(f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o FILTER(?p IN ({props})) }}"):
            o = row["o"]
            key = (row["s"].value, (getattr(o, "language", None) or "en")[:2])
            r = rank[row["p"].value]
            if key not in best or r < best[key][0]:
                best[key] = (r, o.value)
    out: dict[str, dict] = {}
    for (s_, language), (_, text) in best.items():
        out.setdefault(s_, {})[language] = text
    return out


def short(iri: str) -> str:
    """The local name of an IRI, for IRIs without a label."""
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] if iri else ""


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


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
    if not _IRI.match(value):
        raise PageError(400, _("Parameter %(name)s is not an absolute IRI: %(value)s", name=name, value=value))
    return value


def install_error_page(bp) -> None:
    """Show a blueprint's PageError as a page in the caller's language."""
    from flask import render_template

    @bp.errorhandler(PageError)
    def page_error(exc: PageError):
        return render_template("error.html", status=exc.status, message=exc.message), exc.status
