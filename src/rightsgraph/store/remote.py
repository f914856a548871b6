"""Any SPARQL 1.1 store over HTTP: queries with SPARQLWrapper, updates and Graph Store
Protocol writes with plain HTTP (requests).

The remote store must answer queries without GRAPH over the union of its named graphs,
as the embedded store does (`oxigraph serve --union-default-graph`; Fuseki
`tdb2:unionDefaultGraph true`; GraphDB and Virtuoso: see docs/remote-store.md).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Iterator

import pyoxigraph as ox
import requests
from pyoxigraph import NamedNode, Quad, RdfFormat
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..namespaces import PROVENANCE_GRAPH, VOID
from .base import Store, StoreError

_NT = "application/n-triples"


class RemoteStore(Store):
    """A store reached at `query_url`, `update_url` and `gsp_url` (Graph Store Protocol).

    For an Oxigraph server at http://host:7878 these are /query, /update and /store;
    `RemoteStore.for_oxigraph(base)` fills them in.
    """

    def __init__(self, query_url: str, update_url: str, gsp_url: str, *, timeout: float = 60.0,
                 auth: tuple[str, str] | None = None):
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout = timeout
        self._http = requests.Session()
        if auth:
            self._http.auth = auth
        self._auth = auth

    @classmethod
    def for_oxigraph(cls, base: str, **kwargs) -> "RemoteStore":
        base = base.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", **kwargs)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "RemoteStore":
        """`--store URL`: an Oxigraph-style base URL, or `query=…,update=…,gsp=…`."""
        if "=" in url:
            parts = dict(p.split("=", 1) for p in url.split(","))
            return cls(parts["query"], parts["update"], parts["gsp"], **kwargs)
        return cls.for_oxigraph(url, **kwargs)

    # -- queries ---------------------------------------------------------------------------
    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None,
              custom_functions=None, base_iri=None):
        if custom_functions:
            raise StoreError("custom SPARQL functions run only in the embedded store")
        if substitutions:
            sparql = _substitute(sparql, substitutions)
        client = SPARQLWrapper(self.query_url)
        client.setMethod("POST")
        client.setTimeout(int(self.timeout))
        if self._auth:
            client.setCredentials(*self._auth)
        client.setQuery(sparql)
        for g in default_graph or []:
            if isinstance(g, NamedNode):
                client.addDefaultGraph(g.value)
        for g in named_graphs or []:
            client.addNamedGraph(g.value)
        graph_query = client.queryType in ("CONSTRUCT", "DESCRIBE")
        if graph_query:
            client.addCustomHttpHeader("Accept", _NT)
        else:
            client.setReturnFormat(JSON)
        try:
            raw = client.query().response.read()
        except SPARQLWrapperException as exc:
            if "QueryBadFormed" in type(exc).__name__ or "400" in str(exc):
                raise SyntaxError(str(exc)) from None
            raise StoreError(f"{self.query_url}: {exc}") from None
        except OSError as exc:
            raise StoreError(f"{self.query_url}: {exc}") from None
        try:
            if graph_query:
                scratch = ox.Store()
                scratch.load(raw, RdfFormat.N_TRIPLES)
                return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
            return ox.parse_query_results(raw, ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            # e.g. `oxigraph serve --timeout-s` cuts the body short and still says 200
            raise StoreError(f"{self.query_url}: incomplete or malformed answer ({exc})") from None

    def update(self, sparql, *, base_iri=None):
        r = self._post(self.update_url, sparql.encode(), "application/sparql-update")
        if r.status_code == 400:
            raise SyntaxError(r.text)

    # -- quads and graphs -----------------------------------------------------------------
    def quads(self, graph=None) -> Iterator[Quad]:
        graphs = [graph] if graph is not None else self.graphs()
        for g in graphs:
            r = self._http.get(self.gsp_url, params=_gsp_params(g), headers={"Accept": _NT},
                               timeout=self.timeout)
            if r.status_code == 404:
                continue
            self._check(r)
            for t in ox.parse(r.content, RdfFormat.N_TRIPLES):
                yield Quad(t.subject, t.predicate, t.object, g)

    def graphs(self) -> list[NamedNode]:
        rows = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted((r["g"] for r in rows if isinstance(r["g"], NamedNode)), key=lambda g: g.value)

    def count(self, graph=None) -> int:
        pattern = f"GRAPH <{graph.value}> {{ ?s ?p ?o }}" if graph is not None else "GRAPH ?g { ?s ?p ?o }"
        return int(next(iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)

    def load_bytes(self, data, fmt, graph=None, *, replace=False, base_iri=None):
        """Graph Store Protocol: one POST (or PUT to replace) per graph, as N-Triples."""
        by_graph: dict = defaultdict(list)
        for q in ox.parse(data, fmt, base_iri=base_iri):
            g = q.graph_name if isinstance(getattr(q, "graph_name", None), NamedNode) else graph
            by_graph[g if g is not None else ox.DefaultGraph()].append(ox.Triple(q.subject, q.predicate, q.object))
        for g, triples in by_graph.items():
            body = ox.serialize(triples, format=RdfFormat.N_TRIPLES)
            method = self._http.put if replace else self._http.post
            self._check(method(self.gsp_url, params=_gsp_params(g), data=body,
                               headers={"Content-Type": _NT}, timeout=self.timeout))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        data = ox.serialize(list(quads), format=RdfFormat.N_QUADS)
        if data:
            self.load_bytes(data, RdfFormat.N_QUADS)

    def commit(self, change) -> None:
        """The whole change set as ONE SPARQL Update request, which the store applies
        atomically (Oxigraph does; docs/remote-store.md). The graphs' sizes for the
        provenance record are counted by the last operations of the same request."""
        ops = ["CLEAR SILENT DEFAULT" if isinstance(g, ox.DefaultGraph) else f"DROP SILENT GRAPH <{g.value}>"
               for g in change.clear]
        if any(isinstance(t, ox.BlankNode) for q in change.remove for t in (q.subject, q.object)):
            raise StoreError("a remote store cannot remove blank-node triples by name: "
                             "replace their graph instead (clear it and add its new content)")
        add = list(change.add)
        for f in change.files:
            source = {"input": f.data} if f.data is not None else {"path": str(f.path)}
            for q in ox.parse(**source, format=f.fmt, base_iri=f.base_iri):
                g = q.graph_name if isinstance(q.graph_name, NamedNode) else (f.graph or ox.DefaultGraph())
                add.append(Quad(q.subject, q.predicate, q.object, g))
        if change.remove:
            ops.append(f"DELETE DATA {{ {_quad_block(change.remove)} }}")
        if add:
            ops.append(f"INSERT DATA {{ {_quad_block(add)} }}")
        record = change.record
        if record is not None:
            ops.append(record.retract_update())
            ops.append(f"INSERT DATA {{ {_quad_block(record.quads(None))} }}")
            prov = PROVENANCE_GRAPH.value
            for g in record.graphs():
                ops.append(f"INSERT {{ GRAPH <{prov}> {{ <{g.value}> <{VOID.triples.value}> ?n }} }} "
                           f"WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }} }}")
        if ops:
            self.update(" ;\n".join(ops))

    def clear_graph(self, graph):
        self.update("CLEAR SILENT DEFAULT" if isinstance(graph, ox.DefaultGraph)
                    else f"DROP SILENT GRAPH <{graph.value}>")

    def dump(self, fmt, graph=None, prefixes=None) -> bytes:
        scratch = ox.Store()
        scratch.extend(list(self.quads(graph)))
        kwargs = {"prefixes": prefixes} if prefixes and fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else {}
        if graph is not None and not fmt.supports_datasets:
            return scratch.dump(format=fmt, from_graph=graph, **kwargs)
        if graph is not None:
            return scratch.dump(format=fmt, **kwargs)
        return scratch.dump(format=fmt, **kwargs)

    def close(self) -> None:
        self._http.close()

    # -- helpers ----------------------------------------------------------------------------
    def _post(self, url, body: bytes, ctype: str):
        try:
            r = self._http.post(url, data=body, headers={"Content-Type": ctype}, timeout=self.timeout)
        except requests.RequestException as exc:
            raise StoreError(f"{url}: {exc}") from None
        if r.status_code != 400:
            self._check(r)
        return r

    @staticmethod
    def _check(r: requests.Response) -> None:
        if r.status_code >= 400:
            raise StoreError(f"{r.request.method} {r.url}: HTTP {r.status_code}: {r.text[:500]}")


def _quad_block(quads) -> str:
    """Quads as the body of INSERT DATA / DELETE DATA: triples grouped by graph."""
    by_graph: dict = defaultdict(list)
    for q in quads:
        by_graph[q.graph_name].append(ox.Triple(q.subject, q.predicate, q.object))
    parts = []
    for g, triples in by_graph.items():
        body = ox.serialize(triples, format=RdfFormat.N_TRIPLES).decode()
        parts.append(body if isinstance(g, ox.DefaultGraph) else f"GRAPH <{g.value}> {{ {body} }}")
    return "\n".join(parts)


def _gsp_params(graph) -> dict:
    """Graph Store Protocol indirect identification of a graph (or the default graph)."""
    return {"default": ""} if graph is None or isinstance(graph, ox.DefaultGraph) else {"graph": graph.value}


def _substitute(sparql: str, substitutions: dict) -> str:
    """Bind variables the standard way (a VALUES block after the WHERE clause's body is not
    general), by prefixing the query's first group with a VALUES clause."""
    head, brace, rest = sparql.partition("{")
    if not brace:
        return sparql
    names = " ".join(f"?{v.value}" for v in substitutions)
    values = " ".join(_term(t) for t in substitutions.values())
    return f"{head}{{ VALUES ({names}) {{ ({values}) }} {rest}"


def _term(t) -> str:
    return str(t)
