"""Harvest the shared graphs of a peer over SPARQL 1.1 (SPARQLWrapper).

A peer is another rightsgraph (its /sparql endpoint) or any SPARQL 1.1 query endpoint.

1. List the peer's graphs. A rightsgraph peer publishes `/.well-known/void` (VoID): the
   graphs it shares, each with `void:triples` and `dct:modified`; only those are harvested
   (never confidential or system graphs, even with a token that could read them). Any
   other endpoint: `SELECT ?g (COUNT(*) …) … GROUP BY ?g` and a content fingerprint computed
   by the peer (see `FINGERPRINT`); if the peer cannot compute it, the graph is fetched and
   compared by a local hash instead.
2. Decide what changed since the last run, from the state recorded in our provenance
   graph (`rg:sourceModified`, `rg:sourceFingerprint`, `rg:sourceDigest` on each local copy).
3. Fetch each changed graph with `CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <g> { ?s ?p ?o } }`
   as N-Triples; a malformed or short answer (fewer triples than listed) is an error.
4. Validate all fetched graphs together through the SHACL gate (`loading.commit_staged`,
   replacing the previous copies) and record the load and the harvest state.

Local copies live in `https://w3id.org/rightsgraph/graph/harvest/<endpoint>/<graph>` (both
percent-encoded). A run is all-or-nothing: a peer that is down, answers garbage or sends
data the gate refuses leaves every local copy as it was.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from .. import write_generation, provenance
from ..input_limits import check_json_nesting
from ..namespaces import DCT, DERIVED_GRAPH_BASE, GRAPH_BASE, PROV, PROVENANCE_GRAPH, RG, SD, SYSTEM_GRAPHS, VOID, XSD
from ..store.changeset import ChangeSet
from .void import EXCHANGE_GRAPH

HARVEST_BASE = GRAPH_BASE + "harvest/"
_HEX = "0123456789abcdef"
# Per-triple SHA-1, first 8 hex digits read as an integer, summed per graph: an
# order-independent fingerprint any SPARQL 1.1 store can compute (blank-node labels are
# ignored: they are not stable across answers anyway).
_TRIPLE_HASH = ('SHA1(CONCAT(COALESCE(STR(?s), "_"), " ", STR(?p), " ", COALESCE(STR(?o), "_"), " ", '
                'COALESCE(LANG(?o), ""), " ", COALESCE(STR(DATATYPE(?o)), "")))')
_TO_INT = " + ".join(f'STRLEN(STRBEFORE("{_HEX}", SUBSTR(?h, {i + 1}, 1))) * {16 ** (7 - i)}' for i in range(8))
FINGERPRINT = ("SELECT ?g (COUNT(*) AS ?n) (SUM(?x) AS ?f) WHERE { GRAPH ?g { ?s ?p ?o } "
               f"BIND({_TRIPLE_HASH} AS ?h) BIND(({_TO_INT}) AS ?x) }} GROUP BY ?g")
COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


class HarvestError(Exception):
    """The peer could not be harvested; nothing was changed. The message names the endpoint."""


@dataclass
class RemoteGraph:
    iri: str
    triples: int | None = None
    modified: str | None = None       # the peer's dct:modified (rightsgraph peers)
    fingerprint: str | None = None    # "count:sum" computed by the peer (other stores)


@dataclass
class GraphOutcome:
    source: str
    local: str
    status: str                       # new, changed, unchanged, gone
    triples: int = 0


@dataclass
class HarvestReport:
    endpoint: str
    peer: str                         # "rightsgraph" (VoID) or "sparql"
    outcomes: list[GraphOutcome] = field(default_factory=list)
    seconds: float = 0.0
    load: object = None
    timings: dict = field(default_factory=dict)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def local_graph(endpoint: str, graph: str) -> NamedNode:
    """Where the copy of `graph` harvested from `endpoint` lives."""
    return NamedNode(f"{HARVEST_BASE}{quote(endpoint, safe='')}/{quote(graph, safe='')}")


# ------------------------------------------------------------------------------ the peer
class Peer:
    """A SPARQL 1.1 query endpoint, read with SPARQLWrapper."""

    def __init__(self, endpoint: str, *, timeout: float = 120.0, token: str | None = None):
        self.endpoint, self.timeout, self.token = endpoint, timeout, token

    def _client(self, query: str, accept: str | None = None):
        from SPARQLWrapper import JSON, SPARQLWrapper
        client = SPARQLWrapper(self.endpoint)
        client.setMethod("POST")
        client.setTimeout(int(self.timeout))
        client.setQuery(query)
        if self.token:
            client.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        if accept:
            client.addCustomHttpHeader("Accept", accept)
        else:
            client.setReturnFormat(JSON)
        return client

    def _raw(self, query: str, accept: str | None = None) -> bytes:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
        try:
            return self._client(query, accept).query().response.read()
        except SPARQLWrapperException as exc:
            raise HarvestError(f"{self.endpoint}: the peer refused the query: {str(exc).splitlines()[0]}") from None
        except OSError as exc:   # URLError, timeouts, connection refused
            raise HarvestError(f"{self.endpoint}: cannot reach the peer: {getattr(exc, 'reason', exc)}") from None
        except Exception as exc:  # noqa: BLE001 - http.client errors on a peer that drops the connection
            raise HarvestError(f"{self.endpoint}: cannot read the peer's answer: {exc}") from None

    def select(self, query: str) -> list[dict]:
        raw = self._raw(query)
        try:
            check_json_nesting(raw)   # a peer's deeply nested answer would crash the parser
            results = ox.parse_query_results(raw, ox.QueryResultsFormat.JSON)
            names = [v.value for v in results.variables]
            return [{n: s[n] for n in names if s[n] is not None} for s in results]
        except (SyntaxError, ValueError) as exc:
            raise HarvestError(f"{self.endpoint}: malformed SELECT answer ({exc})") from None

    def fetch(self, graph: str) -> bytes:
        """The graph as N-Triples (checked to parse)."""
        return self._raw(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                         "application/n-triples")

    def void(self) -> list[RemoteGraph] | None:
        """The graphs listed in the peer's /.well-known/void (rightsgraph peers), or None."""
        import requests
        parts = urlsplit(self.endpoint)
        urls = [f"{parts.scheme}://{parts.netloc}/.well-known/void"]
        if parts.path.endswith("/sparql") and parts.path != "/sparql":   # served under a path prefix
            urls.insert(0, f"{parts.scheme}://{parts.netloc}{parts.path[:-len('/sparql')]}/.well-known/void")
        headers = {"Accept": "application/n-triples"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for url in urls:
            try:
                r = requests.get(url, headers=headers, timeout=self.timeout)
            except requests.RequestException:
                return None
            if r.status_code == 200 and "n-triples" in r.headers.get("Content-Type", ""):
                break
        else:
            return None
        st = ox.Store()
        try:
            st.load(r.content, RdfFormat.N_TRIPLES)
        except SyntaxError:
            return None
        rows = st.query(f"SELECT ?g ?n ?m WHERE {{ ?ds <{VOID.subset.value}> ?x . ?x <{SD.name.value}> ?g . "
                        f"OPTIONAL {{ ?x <{VOID.triples.value}> ?n }} OPTIONAL {{ ?x <{DCT.modified.value}> ?m }} }}")
        found = [RemoteGraph(r["g"].value, int(r["n"].value) if r["n"] else None, r["m"].value if r["m"] else None)
                 for r in rows if isinstance(r["g"], NamedNode)]
        return found if found or st.query(f"ASK {{ ?d a <{VOID.Dataset.value}> }}") else None


def list_graphs(peer: Peer) -> tuple[str, list[RemoteGraph]]:
    """("rightsgraph", graphs from VoID) or ("sparql", graphs with counts and fingerprints)."""
    described = peer.void()
    if described is not None:
        return "rightsgraph", described
    try:
        rows = peer.select(FINGERPRINT)
        return "sparql", [RemoteGraph(r["g"].value, int(r["n"].value), None, f"{r['n'].value}:{r['f'].value}")
                          for r in rows if "g" in r and isinstance(r["g"], NamedNode)]
    except HarvestError as exc:
        if "cannot reach" in str(exc):
            raise
    rows = peer.select(COUNTS)       # no fingerprint: compare by local hash after fetching
    return "sparql", [RemoteGraph(r["g"].value, int(r["n"].value)) for r in rows
                      if "g" in r and isinstance(r["g"], NamedNode)]


# ------------------------------------------------------------------------------ our state
def recorded_state(store, endpoint: str) -> dict[str, dict]:
    """{source graph: {"local", "modified", "fingerprint", "digest"}} from the provenance graph."""
    rows = store.query(
        f"SELECT ?local ?src ?m ?f ?d WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ "
        f"?local <{DCT.source.value}> <{endpoint}> ; <{PROV.wasDerivedFrom.value}> ?src . "
        f"OPTIONAL {{ ?local <{RG.sourceModified.value}> ?m }} OPTIONAL {{ ?local <{RG.sourceFingerprint.value}> ?f }} "
        f"OPTIONAL {{ ?local <{RG.sourceDigest.value}> ?d }} }} }}")
    out = {}
    for r in rows:
        out[r["src"].value] = {"local": r["local"], "modified": r["m"].value if r["m"] else None,
                               "fingerprint": r["f"].value if r["f"] else None,
                               "digest": r["d"].value if r["d"] else None}
    return out


def _state_quads(endpoint: str, rg: RemoteGraph, local: NamedNode, digest: str) -> list[Quad]:
    p = PROVENANCE_GRAPH
    q = [Quad(local, PROV.wasDerivedFrom, NamedNode(rg.iri), p), Quad(local, DCT.source, NamedNode(endpoint), p),
         Quad(local, RG.sourceDigest, Literal(digest), p)]
    if rg.modified:
        q.append(Quad(local, RG.sourceModified, Literal(rg.modified, datatype=XSD.dateTime), p))
    if rg.fingerprint:
        q.append(Quad(local, RG.sourceFingerprint, Literal(rg.fingerprint), p))
    return q


_STATE_PREDICATES = (PROV.wasDerivedFrom, DCT.source, RG.sourceDigest, RG.sourceModified, RG.sourceFingerprint)
_STALE_PREDICATES = (VOID.triples, DCT.modified)   # provenance.stale_graph_facts_update's


def _recorded_quads(store, locals_: list[NamedNode], predicates) -> list[Quad]:
    """The exact provenance quads about `locals_` with these predicates (to remove them in
    the same change set as the data they describe)."""
    if not locals_:
        return []
    values = " ".join(f"<{g.value}>" for g in locals_)
    preds = " ".join(f"<{p.value}>" for p in predicates)
    rows = store.query(f"SELECT ?g ?p ?o WHERE {{ VALUES ?g {{ {values} }} VALUES ?p {{ {preds} }} "
                       f"GRAPH <{PROVENANCE_GRAPH.value}> {{ ?g ?p ?o }} }}")
    return [Quad(r["g"], r["p"], r["o"], PROVENANCE_GRAPH) for r in rows]


_BNODE = re.compile(rb"_:[A-Za-z0-9_\-.]+")


def content_digest(ntriples: bytes) -> str:
    """SHA-256 of the sorted N-Triples lines, blank-node labels blanked (stable across answers)."""
    lines = sorted(_BNODE.sub(b"_:b", line) for line in ntriples.splitlines() if line.strip())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


# ------------------------------------------------------------------------------ harvest
def _skipped(iri: str, include_harvested: bool) -> bool:
    return (NamedNode(iri) in SYSTEM_GRAPHS or iri == EXCHANGE_GRAPH.value or iri.startswith(DERIVED_GRAPH_BASE)
            or (not include_harvested and iri.startswith(HARVEST_BASE)))


def harvest(store, endpoint: str, *, graphs: list[str] | None = None, token: str | None = None,
            timeout: float = 120.0, agent: str | None = None, prune: bool = False,
            include_harvested: bool = False, gate=None) -> HarvestReport:
    """Harvest `endpoint` into `store`. Raises HarvestError (peer down or garbage) or
    loading.LoadRejected (the gate refused the data); in both cases nothing changed."""
    from ..loading import commit_staged
    from ..system_graphs import default_gate
    t0 = time.perf_counter()
    started = provenance.now()
    try:
        NamedNode(endpoint)
    except ValueError:
        raise HarvestError(f"{endpoint}: not an absolute URL") from None
    peer = Peer(endpoint, timeout=timeout, token=token)
    kind, remote = list_graphs(peer)
    t_list = time.perf_counter()
    remote = [g for g in remote if not _skipped(g.iri, include_harvested)]
    if graphs:
        wanted = set(graphs)
        missing = sorted(wanted - {g.iri for g in remote})
        if missing:
            raise HarvestError(f"{endpoint}: the peer does not share {', '.join(missing)}")
        remote = [g for g in remote if g.iri in wanted]
    state = recorded_state(store, endpoint)
    report = HarvestReport(endpoint, kind)
    present = {g for g in store.graphs()}
    staging = ox.Store()
    fetched: list[tuple[RemoteGraph, NamedNode, str]] = []
    sources = []
    for rg in sorted(remote, key=lambda g: g.iri):
        local = local_graph(endpoint, rg.iri)
        old = state.get(rg.iri)
        if old and local in present:
            if kind == "rightsgraph" and rg.modified and old["modified"] == rg.modified:
                report.outcomes.append(GraphOutcome(rg.iri, local.value, "unchanged", rg.triples or 0))
                continue
            if kind == "sparql" and rg.fingerprint and old["fingerprint"] == rg.fingerprint:
                report.outcomes.append(GraphOutcome(rg.iri, local.value, "unchanged", rg.triples or 0))
                continue
        data = peer.fetch(rg.iri)
        try:
            triples = list(ox.parse(data, RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise HarvestError(f"{endpoint}: malformed answer for <{rg.iri}> ({exc})") from None
        if rg.triples is not None and len(triples) < rg.triples:
            raise HarvestError(f"{endpoint}: incomplete answer for <{rg.iri}>: {len(triples)} of {rg.triples} "
                               "triples (a server timeout?)")
        digest = content_digest(data)
        if old and local in present and not rg.fingerprint and not rg.modified and old["digest"] == digest:
            report.outcomes.append(GraphOutcome(rg.iri, local.value, "unchanged", len(triples)))
            continue
        staging.extend(Quad(t.subject, t.predicate, t.object, local) for t in triples)
        fetched.append((rg, local, digest))
        sources.append(provenance.SourceRecord(f"{endpoint} <{rg.iri}>", hashlib.sha256(data).hexdigest(), len(data)))
        report.outcomes.append(GraphOutcome(rg.iri, local.value, "changed" if old else "new", len(triples)))
    t_fetch = time.perf_counter()
    gone = [(src, st["local"]) for src, st in state.items() if src not in {g.iri for g in remote}
            and not graphs and not _skipped(src, include_harvested)]
    for src, local in gone:
        report.outcomes.append(GraphOutcome(src, local.value, "gone"))
    if fetched:
        # The harvest state goes in the same change set as the data: a crash leaves both old
        # or both new, never new data with the old state (or none).
        locals_ = [local for _, local, _ in fetched]
        state_now = ChangeSet(remove=_recorded_quads(store, locals_, _STATE_PREDICATES),
                              add=[q for rg, local, digest in fetched for q in _state_quads(endpoint, rg, local, digest)])
        report.load = commit_staged(store, staging, sources=sources, names=[endpoint], replace=True, agent=agent,
                                    gate=gate or default_gate(), started=started,
                                    via="harvest", bookkeeping=state_now)
    if prune and gone:
        pruned = [local for _, local in gone]
        store.commit(ChangeSet(clear=pruned,
                               remove=_recorded_quads(store, pruned, _STATE_PREDICATES + _STALE_PREDICATES)))
        write_generation.bump()
    report.timings = {"list": t_list - t0, "fetch": t_fetch - t_list, "commit": time.perf_counter() - t_fetch}
    report.seconds = time.perf_counter() - t0
    return report
