"""Any SPARQL 1.1 store over HTTP: queries with SPARQLWrapper (content negotiation only),
updates and Graph Store Protocol reads with plain HTTP (requests).

The remote store must answer queries without GRAPH over the union of its named graphs,
as the embedded store does (`oxigraph serve --union-default-graph`; Fuseki
`tdb2:unionDefaultGraph true`; Virtuoso does by default; GraphDB: see
docs/remote-store.md). Tested on Oxigraph and Virtuoso 7. A store without a Graph Store
endpoint is read with CONSTRUCT, page by page. A store that cuts answers at a row limit
(Virtuoso's ResultSetMaxRows) never loses data silently: pages are read below the limit,
and an answer the store says it cut is an error.
"""

from __future__ import annotations

import random
import re
import time
from collections import defaultdict
from urllib.parse import unquote, urlsplit, urlunsplit
from typing import Iterable, Iterator

import pyoxigraph as ox
import requests
from pyoxigraph import NamedNode, Quad, RdfFormat
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from ..namespaces import PROVENANCE_GRAPH, VOID
from .base import Store, StoreError, has_blank_node, strip_dataset_clauses

_NT = "application/n-triples"


class RemoteStore(Store):
    """A store reached at `query_url`, `update_url` and `gsp_url` (Graph Store Protocol).

    For an Oxigraph server at http://host:7878 these are /query, /update and /store;
    `RemoteStore.for_oxigraph(base)` fills them in.
    """

    PAGE = 5000               # rows per CONSTRUCT page when reading without a Graph Store endpoint
    GSP_READ_ATTEMPTS = 5     # reads of a graph that changes under them before giving up
    INSERT_CHUNK = 2000       # triples per INSERT DATA / DELETE DATA operation
    VIRTUOSO_CHUNK = 400      # Virtuoso compiles an operation to SQL of at most 10,000 lines (SP031):
                              # about 2,000 plain triples, fewer typed literals (usage cubes failed at 2,000)
    VIRTUOSO_REQUEST = 4_000_000   # characters per update request to Virtuoso (its limit is 10 MB)

    def __init__(self, query_url: str, update_url: str, gsp_url: str | None, *, timeout: float = 60.0,
                 auth: tuple[str, str] | None = None, digest: bool = False):
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout = timeout
        self._http = requests.Session()
        if auth:
            self._http.auth = requests.auth.HTTPDigestAuth(*auth) if digest else auth
        self._auth = auth
        self._digest = digest
        self._server: str | None = None    # the Server header, once seen (e.g. "Virtuoso/07.20")

    def location(self) -> str:
        return self.gsp_url or self.query_url

    @classmethod
    def for_oxigraph(cls, base: str, **kwargs) -> "RemoteStore":
        base = base.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", **kwargs)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "RemoteStore":
        """`--store URL`: an Oxigraph-style base URL (`/query`, `/update`, `/store` under it),
        a single SPARQL endpoint that takes queries and updates (a URL ending in `/sparql`,
        as Virtuoso, GraphDB and Stardog have; no Graph Store endpoint is needed), or
        `query=…,update=…[,gsp=…]`."""
        if "=" in url:
            try:
                parts = dict(p.split("=", 1) for p in url.split(","))
                return cls(parts["query"], parts["update"], parts.get("gsp"), **kwargs)
            except (KeyError, ValueError):
                raise StoreError(f"--store {url!r}: give query=URL,update=URL[,gsp=URL]") from None
        parsed = urlsplit(url)
        if parsed.username is not None:    # http://user:password@host/…: the store's account
            url = urlunsplit(parsed._replace(netloc=parsed.netloc.rsplit("@", 1)[1]))
            kwargs.setdefault("auth", (unquote(parsed.username), unquote(parsed.password or "")))
            kwargs.setdefault("digest", parsed.path.rstrip("/").endswith("-auth"))   # Virtuoso's -auth endpoints
        if url.rstrip("/").endswith(("/sparql", "/sparql-auth")):
            return cls(url, url, None, **kwargs)
        return cls.for_oxigraph(url, **kwargs)

    @property
    def is_virtuoso(self) -> bool:
        if self._server is None:
            try:
                r = self._http.get(self.query_url, params={"query": "ASK {}"}, timeout=self.timeout)
                self._server = r.headers.get("Server", "")
            except requests.RequestException as exc:
                raise StoreError(f"{self.query_url}: {exc}") from None
        return self._server.startswith("Virtuoso")

    @property
    def _chunk(self) -> int:
        return self.VIRTUOSO_CHUNK if self.is_virtuoso else self.INSERT_CHUNK

    # -- queries ---------------------------------------------------------------------------
    def query(self, sparql, *, default_graph=None, named_graphs=None, substitutions=None,
              custom_functions=None, base_iri=None):
        if custom_functions:
            raise StoreError("custom SPARQL functions run only in the embedded store")
        if substitutions:
            sparql = _substitute(sparql, substitutions)
        client = SPARQLWrapper(self.query_url)
        client.setMethod("POST")          # a form POST: Virtuoso hangs on application/sparql-query
        client.setOnlyConneg(True)        # no format=… parameter: Virtuoso answers 406 to it
        client.setTimeout(int(self.timeout))
        if self._auth:
            client.setCredentials(*self._auth)
            if self._digest:
                client.setHTTPAuth("DIGEST")
        if base_iri:     # relative IRIs resolve against the endpoint, as they do in the embedded store
            sparql = f"BASE <{base_iri}>\n{sparql}"
        ask_as_select = False
        if default_graph is not None or named_graphs is not None:
            sparql = strip_dataset_clauses(sparql)
            if self.is_virtuoso:
                # Virtuoso answers ASK true (and COUNT 1) over a graph outside the given dataset
                sparql, ask_as_select = _ask_as_select(sparql)
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
            response = client.query().response
            raw = response.read()
            capped = response.headers.get("X-SPARQL-MaxRows")
        except SPARQLWrapperException as exc:
            if "QueryBadFormed" in type(exc).__name__ or "400" in str(exc):
                raise SyntaxError(str(exc)) from None
            raise StoreError(f"{self.query_url}: {exc}") from None
        except OSError as exc:
            raise StoreError(f"{self.query_url}: {exc}") from None
        if capped:
            raise StoreError(f"{self.query_url}: the store cut the answer at {capped} rows (its result "
                             "limit, e.g. Virtuoso's ResultSetMaxRows): raise the limit or narrow the query")
        try:
            if graph_query:
                scratch = ox.Store()
                scratch.load(raw, RdfFormat.N_TRIPLES)
                return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
            raw = _VIRTUOSO_BNODE.sub(rb"\1", raw)     # its blank nodes come as "nodeID://b123"
            results = ox.parse_query_results(raw, ox.QueryResultsFormat.JSON)
            if ask_as_select:
                return _boolean(any(True for _ in results))
            return _boolean_fix(client.queryType, results)
        except SyntaxError as exc:
            # e.g. `oxigraph serve --timeout-s` cuts the body short and still says 200
            raise StoreError(f"{self.query_url}: incomplete or malformed answer ({exc})") from None

    #: how often an update the engine rolled back as a deadlock is sent again
    DEADLOCK_RETRIES = 6

    def update(self, sparql, *, base_iri=None):
        if base_iri:
            sparql = f"BASE <{base_iri}>\n{sparql}"
        for attempt in range(self.DEADLOCK_RETRIES + 1):
            try:
                r = self._post(self.update_url, sparql.encode(), "application/sparql-update")
                break
            except StoreError as exc:
                # Virtuoso rolls a deadlocked transaction back whole (SQLSTATE 40001, "SR172:
                # Transaction deadlocked") and expects the client to send it again; two
                # servers writing to one Virtuoso meet it under load
                if "40001" not in str(exc) or attempt == self.DEADLOCK_RETRIES:
                    raise
                time.sleep(0.02 * 2 ** attempt * (1 + random.random()))
        if r.status_code == 400:
            raise SyntaxError(r.text)
        if r.ok and "Virtuoso" in r.headers.get("Server", "") and "Error" in r.text[:200]:
            raise StoreError(f"{self.update_url}: {r.text[:500]}")

    # -- quads and graphs -----------------------------------------------------------------
    def quads(self, graph=None) -> Iterator[Quad]:
        graphs = [graph] if graph is not None else self.graphs()
        self._find_virtuoso_gsp()
        for g in graphs:
            yield from (self._graph_quads_gsp(g) if self.gsp_url else self._graph_quads_paged(g))

    def _graph_quads_gsp(self, g) -> Iterator[Quad]:
        if isinstance(g, ox.DefaultGraph) and self.is_virtuoso:
            # Virtuoso keeps no default graph of its own (its default graph is the union of the
            # named graphs, and its Graph Store refuses `?default`): nothing is stored there
            return
        for _ in range(self.GSP_READ_ATTEMPTS):
            # Virtuoso cuts a Graph Store answer at ResultSetMaxRows and says nothing, so the
            # answer is checked against a count taken before it. A write landing between the
            # two is not a cut: a short answer is an error only if the count stays the same.
            before = self.count(g) if self.is_virtuoso else None
            r = self._http.get(self.gsp_url, params=_gsp_params(g), headers={"Accept": _NT},
                               timeout=self.timeout)
            if r.status_code == 404:
                return
            self._check(r)
            triples = list(ox.parse(r.content, RdfFormat.N_TRIPLES))
            if before is None or len(triples) == before:
                break
            if len(triples) < before and self.count(g) == before:
                raise StoreError(f"{self.gsp_url}: the store sent {len(triples)} of the {before} triples of "
                                 f"<{getattr(g, 'value', g)}>: raise ResultSetMaxRows in virtuoso.ini ([SPARQL])")
        else:
            raise StoreError(f"{self.gsp_url}: <{getattr(g, 'value', g)}> changed during each of "
                             f"{self.GSP_READ_ATTEMPTS} reads; try again when the writes settle")
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, g)

    def _graph_quads_paged(self, g) -> Iterator[Quad]:
        """CONSTRUCT in pages of PAGE triples, ordered so that pages neither overlap nor skip.
        Blank nodes keep their identity across pages only if the store labels them stably
        (Virtuoso and Oxigraph do: the label is the internal identifier).

        A write landing between two pages shifts the order under the reader (a triple read
        twice, or one skipped), so the pages are kept until the graph's count, taken before
        and after, shows it did not change; otherwise the graph is read again. A count that
        holds with a different number of triples read is a store cutting its answers."""
        where = f"GRAPH <{g.value}> {{ ?s ?p ?o }}" if isinstance(g, NamedNode) else "?s ?p ?o"
        for _ in range(self.GSP_READ_ATTEMPTS):
            expected, triples = self.count(g), []
            while len(triples) < expected:
                page = list(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }} ORDER BY ?s ?p ?o "
                                       f"LIMIT {self.PAGE} OFFSET {len(triples)}"))
                if not page:
                    break
                triples += page
            after = self.count(g)
            if after == expected and len(triples) == expected:
                break
            if after == expected:
                raise StoreError(f"{self.query_url}: read {len(triples)} of the {expected} triples of "
                                 f"<{getattr(g, 'value', g)}>")
        else:
            raise StoreError(f"{self.query_url}: <{getattr(g, 'value', g)}> changed during each of "
                             f"{self.GSP_READ_ATTEMPTS} reads; try again when the writes settle")
        for t in triples:
            yield Quad(t.subject, t.predicate, t.object, g)

    def graphs(self) -> list[NamedNode]:
        # GROUP BY, not DISTINCT: the same answer, and Virtuoso 7 takes seconds over DISTINCT ?g
        rows = self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted((r["g"] for r in rows if isinstance(r["g"], NamedNode) and not self.engine_graph(r["g"].value)),
                      key=lambda g: g.value)

    def engine_graph(self, iri: str) -> bool:
        """A graph the store engine keeps for itself (Virtuoso's), not data: left out of the
        graph list, exports, counts and backups."""
        return self.is_virtuoso and self._system_graph(iri)

    @staticmethod
    def _system_graph(iri: str) -> bool:
        """Virtuoso's own graphs (its RDF views, LDP and service descriptions): not user data."""
        return iri.startswith(VIRTUOSO_SYSTEM_PREFIXES) or iri in VIRTUOSO_SYSTEM_GRAPHS

    def count(self, graph=None) -> int:
        if graph is None:
            return sum(self.count(g) for g in self.graphs())
        pattern = f"GRAPH <{graph.value}> {{ ?s ?p ?o }}" if isinstance(graph, NamedNode) else "?s ?p ?o"
        return int(next(iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)

    def load_bytes(self, data, fmt, graph=None, *, replace=False, base_iri=None):
        """Insert RDF: per graph, as one update request (graphs to `replace` dropped first)."""
        quads = []
        for q in ox.parse(data, fmt, base_iri=base_iri):
            g = q.graph_name if isinstance(getattr(q, "graph_name", None), NamedNode) else graph
            quads.append(Quad(q.subject, q.predicate, q.object, g if g is not None else ox.DefaultGraph()))
        clear = sorted({q.graph_name for q in quads}, key=str) if replace else []
        ops = [_drop(g) for g in clear] + _insert_ops(quads, self._chunk)
        if ops:
            self.update(" ;\n".join(ops))

    def add_quads(self, quads: Iterable[Quad]) -> None:
        ops = _insert_ops(list(quads), self._chunk)
        if ops:
            self.update(" ;\n".join(ops))

    def commit(self, change) -> None:
        """The whole change set as ONE SPARQL Update request, which Oxigraph applies
        atomically (docs/remote-store.md says what other stores do). The graphs' sizes for
        the provenance record are counted by the last operations of the same request."""
        if any(isinstance(t, ox.BlankNode) for q in change.remove for t in (q.subject, q.object)):
            raise StoreError("a remote store cannot remove blank-node triples by name: "
                             "replace their graph instead (clear it and add its new content)")
        add = list(change.add)
        for f in change.files:
            source = {"input": f.data} if f.data is not None else {"path": str(f.path)}
            for q in ox.parse(**source, format=f.fmt, base_iri=f.base_iri, rename_blank_nodes=True):
                g = q.graph_name if isinstance(q.graph_name, NamedNode) else (f.graph or ox.DefaultGraph())
                add.append(Quad(q.subject, q.predicate, q.object, g))
        ops = [_drop(g) for g in change.clear]
        ops += [f"DELETE DATA {{ {_quad_block(chunk)} }}" for chunk in _chunks(change.remove, self._chunk)]
        bulk = self.is_virtuoso and len(add) > self.VIRTUOSO_CHUNK
        if not bulk:
            ops += _insert_ops(add, self._chunk)
        record_ops = []
        record = change.record
        if record is not None:
            record_ops.append(record.retract_update())
            record_ops += _insert_ops(record.quads(None), self._chunk)
            prov = PROVENANCE_GRAPH.value
            for g in record.graphs():
                record_ops.append(f"INSERT {{ GRAPH <{prov}> {{ <{g.value}> <{VOID.triples.value}> ?n }} }} "
                                  f"WHERE {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g.value}> {{ ?s ?p ?o }} }} }}")
        try:
            if bulk:    # removals first, then the data through the Graph Store, then the record
                for request in self._requests(ops):
                    self.update(request)
                self._post_graphs(add)
                ops = []
            for request in self._requests(ops + record_ops):
                self.update(request)
        except SyntaxError as exc:     # the store refused what rightsgraph generated
            raise StoreError(f"{self.update_url} refused the write: {str(exc)[:500]}") from None

    def _post_graphs(self, quads: list) -> None:
        """Virtuoso: added triples as one Graph Store POST of N-Triples per graph. Its SPARQL
        INSERT DATA compiles to SQL and takes minutes where the Graph Store's loader takes
        seconds (10,000 triples/s here against under 1,000); a graph's blank nodes travel in
        one document, so they stay one node each."""
        self._find_virtuoso_gsp()
        by_graph: dict = {}
        for q in quads:
            by_graph.setdefault(q.graph_name, []).append(ox.Triple(q.subject, q.predicate, q.object))
        for g, triples in by_graph.items():
            body = ox.serialize(triples, format=RdfFormat.N_TRIPLES)
            try:
                r = self._http.post(self.gsp_url, params=_gsp_params(g), data=body,
                                    headers={"Content-Type": _NT}, timeout=max(self.timeout, len(triples) / 1000))
            except requests.RequestException as exc:
                raise StoreError(f"{self.gsp_url}: {exc}") from None
            self._check(r)

    def _find_virtuoso_gsp(self) -> None:
        if self.gsp_url is None and self.is_virtuoso:   # its Graph Store beside its /sparql
            self.gsp_url = re.sub(r"/sparql(-auth)?/?$", r"/sparql-graph-crud\1", self.query_url)

    def _requests(self, ops: list[str]) -> list[str]:
        """The operations as update requests: one request (atomic in Oxigraph), except for
        Virtuoso, which refuses a request text over 10 MB (HT057) and applies a request's
        operations one by one anyway; it gets requests of at most VIRTUOSO_REQUEST bytes, in
        order. A failure between them leaves the earlier requests applied: docs/remote-store.md
        says so, and repeating the same load or replace repairs it (the operations are idempotent)."""
        if not ops:
            return []
        if sum(len(op) for op in ops) <= self.VIRTUOSO_REQUEST or not self.is_virtuoso:
            return [" ;\n".join(ops)]
        batches, batch, size = [], [], 0
        for op in ops:
            if batch and size + len(op) > self.VIRTUOSO_REQUEST:
                batches.append(" ;\n".join(batch))
                batch, size = [], 0
            batch.append(op)
            size += len(op) + 3
        batches.append(" ;\n".join(batch))
        return batches

    def clear_graph(self, graph):
        self.update(_drop(graph))

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


VIRTUOSO_SYSTEM_PREFIXES = ("http://www.openlinksw.com/", "http://localhost:8890/DAV", "urn:activitystreams-owl")
VIRTUOSO_SYSTEM_GRAPHS = {"http://www.w3.org/ns/ldp#", "http://localuriqaserver/sparql", "urn:core:services:sparql",
                          "http://www.w3.org/2002/07/owl#", "virtrdf-label"}
_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')


def _boolean_fix(query_type: str, results):
    """Virtuoso answers ASK as one solution binding `__ASK_RETVAL` to 0 or 1."""
    if query_type != "ASK" or not isinstance(results, ox.QuerySolutions):
        return results
    rows = list(results)
    return _boolean(bool(rows) and rows[0][0] is not None and rows[0][0].value not in ("0", "false"))


def _boolean(value: bool):
    return ox.parse_query_results(b'{"head": {}, "boolean": %s}' % (b"true" if value else b"false"),
                                  ox.QueryResultsFormat.JSON)


def _ask_as_select(sparql: str) -> tuple[str, bool]:
    """`ASK { P }` as `SELECT * { P } LIMIT 1` (true when it has a row); other queries as they are."""
    from .base import depth0_keyword_positions
    positions = depth0_keyword_positions(sparql, "ASK")
    if not positions or depth0_keyword_positions(sparql, "VALUES"):
        return sparql, False
    p = positions[0]
    return f"{sparql[:p]}SELECT *{sparql[p + 3:]} LIMIT 1", True


def _drop(graph) -> str:
    return "CLEAR SILENT DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"DROP SILENT GRAPH <{graph.value}>"


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _insert_ops(quads: list, size: int = 2000) -> list[str]:
    """INSERT operations of at most about `size` triples each. A blank node's triples stay in
    one operation (a label names one node only within an operation); an operation with blank
    nodes is written as INSERT { … } WHERE { } for one graph, which every store takes
    (Virtuoso refuses blank nodes in INSERT DATA, and templates over several graphs). A
    blank node shared by two graphs therefore becomes one node per graph."""
    plain = [q for q in quads if not has_blank_node(q)]
    ops = [f"INSERT DATA {{ {_quad_block(chunk)} }}" for chunk in _chunks(plain, size)]
    by_graph: dict = defaultdict(list)    # one graph per template: Virtuoso fails on several
    for q in quads:
        if has_blank_node(q):
            by_graph[q.graph_name].append(q)
    for graph_quads in by_graph.values():
        for group in _bnode_groups(graph_quads, size):
            ops.append(f"INSERT {{ {_quad_block(group)} }} WHERE {{ }}")
    return ops


def _bnode_groups(quads: list, size: int):
    """Quads packed into groups of about `size`, each blank node's quads in one group
    (union-find over the blank nodes that share a triple)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q in quads:
        nodes = [t for t in (q.subject, q.object) if isinstance(t, ox.BlankNode)]
        for other in nodes[1:]:
            parent[find(other)] = find(nodes[0])
    components: dict = defaultdict(list)
    for q in quads:
        node = q.subject if isinstance(q.subject, ox.BlankNode) else q.object
        components[find(node)].append(q)
    group: list = []
    for members in components.values():
        if group and len(group) + len(members) > size:
            yield group
            group = []
        group += members
    if group:
        yield group


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
