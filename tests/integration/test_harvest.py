"""`rightsgraph harvest` against real peers on 127.0.0.1: two `rightsgraph serve` and one
`oxigraph serve`. Only shared graphs come over, only changed graphs are fetched again, and a
peer that is down, answers garbage or sends invalid data leaves the local copies intact."""

from __future__ import annotations

import http.server
import re
import threading
from urllib.parse import quote

import pytest
import requests

from .. import conftest
from ..conftest import REPO, OxigraphServer, ServerProcess, run_cli

pytestmark = pytest.mark.server
LOADING = REPO / "tests" / "data" / "loading"
KBART = REPO / "tests" / "data" / "kbart" / "monographs_extra.tsv"
LIBRARY = "https://w3id.org/rightsgraph/graph/data/library"
LICENCE = "https://w3id.org/rightsgraph/graph/data/licence"
HARVEST = "https://w3id.org/rightsgraph/graph/harvest/"
PROV = "https://w3id.org/rightsgraph/graph/provenance"
SUMMARY = re.compile(r"(\d+) new, (\d+) changed, (\d+) unchanged, (\d+) gone")


def cli(*args, data_dir, expect=0):
    out = run_cli(*args, data_dir=data_dir)
    assert out.returncode == expect, f"{args}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    return out


def summary(out) -> tuple[int, int, int, int]:
    return tuple(int(x) for x in SUMMARY.search(out.stdout).groups())


def serve(data_dir, port: int | None = None) -> ServerProcess:
    """`rightsgraph serve` on `port` (a free one if None)."""
    if port is None:
        return ServerProcess(data_dir, "serve")
    saved = conftest.free_port
    conftest.free_port = lambda: port
    try:
        return ServerProcess(data_dir, "serve")
    finally:
        conftest.free_port = saved


def local(endpoint: str, graph: str) -> str:
    return f"{HARVEST}{quote(endpoint, safe='')}/{quote(graph, safe='')}"


def graphs_and_counts(data_dir) -> dict[str, int]:
    out = cli("query", "--format", "tsv", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
              data_dir=data_dir)
    rows = [line.split("\t") for line in out.stdout.splitlines()[1:]]
    return {g.strip("<>"): int(n.split("^^")[0].strip('"')) for g, n in rows}


def remote_triples(endpoint: str, graph: str) -> set[str]:
    r = requests.post(endpoint, data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                      headers={"Accept": "application/n-triples"}, timeout=30)
    r.raise_for_status()
    return {line for line in r.text.splitlines() if line.strip()}


def local_triples(data_dir, graph: str) -> set[str]:
    out = cli("query", "--format", "ntriples", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
              data_dir=data_dir)
    return {line for line in out.stdout.splitlines() if line.strip()}


@pytest.fixture
def peer_a(tmp_path):
    """A rightsgraph peer sharing library + a KBART package, keeping its licence confidential."""
    d = tmp_path / "peer-a"
    cli("load", LOADING / "library.ttl", data_dir=d)
    cli("load", LOADING / "licence.ttl", data_dir=d)
    cli("graph", "confidential", LICENCE, data_dir=d)
    cli("kbart", "import", KBART, "--package", "https://peer-a.example.org/package/mixed", data_dir=d)
    srv = serve(d)
    srv.data_dir = d
    yield srv
    srv.stop()


@pytest.fixture
def peer_b(tmp_path, conformance):
    d = tmp_path / "peer-b"
    sample = conformance / "samples" / "folio_mod-agreements_Testdata_KBART_AnnualReviews.tsv"
    cli("kbart", "import", sample, "--package", "https://peer-b.example.org/package/annual-reviews", data_dir=d)
    srv = serve(d)
    yield srv
    srv.stop()


@pytest.fixture
def oxigraph_peer(tmp_path):
    srv = OxigraphServer(tmp_path / "oxigraph-peer")
    for name, graph in (("library.ttl", "http://peer-c.example.org/g/library"),):
        r = requests.post(f"{srv.url}/store", params={"graph": graph}, data=(LOADING / name).read_bytes(),
                          headers={"Content-Type": "text/turtle"}, timeout=30)
        r.raise_for_status()
    r = requests.post(f"{srv.url}/store", params={"graph": "http://peer-c.example.org/g/extra"},
                      data=b'<https://peer-c.example.org/r/1> a <https://w3id.org/rightsgraph/ns#Resource> ; '
                           b'<http://purl.org/dc/terms/title> "Peer C title" .',
                      headers={"Content-Type": "text/turtle"}, timeout=30)
    r.raise_for_status()
    yield srv
    srv.stop()


def test_rightsgraph_peers_shared_graphs_only_and_incremental(tmp_path, peer_a, peer_b):
    here = tmp_path / "here"
    ep_a, ep_b = peer_a.url + "/sparql", peer_b.url + "/sparql"
    out = cli("harvest", ep_a, data_dir=here)
    assert "(rightsgraph peer)" in out.stdout and summary(out) == (2, 0, 0, 0)
    counts = graphs_and_counts(here)
    assert local(ep_a, LIBRARY) in counts
    assert not any(LICENCE in g for g in counts if g.startswith(HARVEST + quote(ep_a, safe="")))
    assert not any(quote(LICENCE, safe="") in g for g in counts)          # the confidential graph stayed home
    assert local_triples(here, local(ep_a, LIBRARY)) == remote_triples(ep_a, LIBRARY)
    # provenance: derived from the peer's graph, at that endpoint, with a digest
    out = cli("query", "--format", "tsv", f"SELECT ?src ?ep ?d WHERE {{ GRAPH <{PROV}> {{ <{local(ep_a, LIBRARY)}> "
              "<http://www.w3.org/ns/prov#wasDerivedFrom> ?src ; <http://purl.org/dc/terms/source> ?ep ; "
              "<https://w3id.org/rightsgraph/ns#sourceDigest> ?d } }", data_dir=here)
    row = out.stdout.splitlines()[1].split("\t")
    assert row[0] == f"<{LIBRARY}>" and row[1] == f"<{ep_a}>" and len(row[2].strip('"')) == 64
    # nothing changed: nothing fetched, nothing written (idempotent)
    before = graphs_and_counts(here)
    out = cli("harvest", ep_a, data_dir=here)
    assert summary(out) == (0, 0, 2, 0)
    assert graphs_and_counts(here) == before
    # a second peer lands in its own graphs
    out = cli("harvest", ep_b, data_dir=here)
    assert summary(out) == (1, 0, 0, 0)
    assert any(g.startswith(HARVEST + quote(ep_b, safe="")) for g in graphs_and_counts(here))
    # peer A changes one graph: only that one is fetched again
    port, data_a = peer_a.port, peer_a.data_dir
    peer_a.stop()
    extra = tmp_path / "more.ttl"
    extra.write_text('<https://example.org/res/extra> a <https://w3id.org/rightsgraph/ns#Resource> ; '
                     '<http://purl.org/dc/terms/title> "An extra title" .\n')
    cli("load", extra, "--graph", LIBRARY, data_dir=data_a)
    restarted = serve(data_a, port)
    try:
        out = cli("harvest", ep_a, data_dir=here)
        assert summary(out) == (0, 1, 1, 0)
        assert local_triples(here, local(ep_a, LIBRARY)) == remote_triples(ep_a, LIBRARY)
    finally:
        restarted.stop()


def test_generic_sparql_peer_fingerprints(tmp_path, oxigraph_peer):
    here = tmp_path / "here"
    ep = oxigraph_peer.url + "/query"
    out = cli("harvest", ep, data_dir=here)
    assert "(sparql peer)" in out.stdout and summary(out) == (2, 0, 0, 0)
    assert local_triples(here, local(ep, "http://peer-c.example.org/g/library")) == \
        remote_triples(ep, "http://peer-c.example.org/g/library")
    assert summary(cli("harvest", ep, data_dir=here)) == (0, 0, 2, 0)
    # a change of one literal, same length, same triple count: the fingerprint sees it
    r = requests.post(f"{oxigraph_peer.url}/update", timeout=30, headers={"Content-Type": "application/sparql-update"},
                      data='DELETE DATA { GRAPH <http://peer-c.example.org/g/extra> { <https://peer-c.example.org/r/1> '
                           '<http://purl.org/dc/terms/title> "Peer C title" } } ; INSERT DATA { GRAPH '
                           '<http://peer-c.example.org/g/extra> { <https://peer-c.example.org/r/1> '
                           '<http://purl.org/dc/terms/title> "Peer C TITLE" } }')
    r.raise_for_status()
    out = cli("harvest", ep, data_dir=here)
    assert summary(out) == (0, 1, 1, 0)
    assert '"Peer C TITLE"' in "\n".join(local_triples(here, local(ep, "http://peer-c.example.org/g/extra")))
    # --graph limits the run; an unknown graph is an error that changes nothing
    out = cli("harvest", ep, "--graph", "http://peer-c.example.org/g/nope", data_dir=here, expect=4)
    assert "does not share" in out.stderr


def test_invalid_peer_data_is_refused(tmp_path, oxigraph_peer):
    here = tmp_path / "here"
    ep = oxigraph_peer.url + "/query"
    cli("harvest", ep, data_dir=here)
    before = graphs_and_counts(here)
    r = requests.post(f"{oxigraph_peer.url}/store", params={"graph": "http://peer-c.example.org/g/bad"},
                      data=b'<https://peer-c.example.org/r/2> a <https://w3id.org/rightsgraph/ns#Resource> .',
                      headers={"Content-Type": "text/turtle"}, timeout=30)
    r.raise_for_status()
    out = cli("harvest", ep, data_dir=here, expect=1)
    assert "failed validation" in out.stderr and ep in out.stderr
    assert graphs_and_counts(here) == before


class _Garbage(http.server.BaseHTTPRequestHandler):
    def _answer(self):
        body = b"<html>this is not a SPARQL endpoint</html>"
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def test_down_or_garbage_peer_leaves_local_copies(tmp_path, oxigraph_peer):
    here = tmp_path / "here"
    ep = oxigraph_peer.url + "/query"
    cli("harvest", ep, data_dir=here)
    before = graphs_and_counts(here)
    down = f"http://127.0.0.1:{conftest.free_port()}/sparql"
    out = cli("harvest", down, data_dir=here, expect=4)
    assert down in out.stderr and "cannot reach" in out.stderr
    server = http.server.HTTPServer(("127.0.0.1", 0), _Garbage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        garbage = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        out = cli("harvest", garbage, data_dir=here, expect=4)
        assert garbage in out.stderr and "malformed" in out.stderr
    finally:
        server.shutdown()
    oxigraph_peer.stop()
    out = cli("harvest", ep, data_dir=here, expect=4)       # the known peer went down
    assert ep in out.stderr
    assert graphs_and_counts(here) == before


@pytest.mark.parametrize("into", ["embedded", "remote"])
def test_prune_drops_the_copy_its_state_and_its_counts_together(tmp_path, oxigraph_peer, into):
    """A graph the peer no longer shares: without --prune it is reported gone and kept;
    with --prune the local copy, its harvest state and its counts go in one change set,
    so the next run no longer reports it."""
    here = tmp_path / "here"
    ep = oxigraph_peer.url + "/query"
    target = OxigraphServer(tmp_path / "target") if into == "remote" else None
    store = ("--store", target.url) if target else ()

    def cli(*args, **kw):
        return globals()["cli"](*store, *args, **kw)

    def graphs_and_counts(data_dir):
        out = cli("query", "--format", "tsv",
                  "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", data_dir=data_dir)
        return {line.split("\t")[0].strip("<>") for line in out.stdout.splitlines()[1:]}

    try:
        _harvest_and_prune(cli, graphs_and_counts, here, ep, oxigraph_peer)
    finally:
        if target:
            target.stop()


def _harvest_and_prune(cli, graphs_and_counts, here, ep, oxigraph_peer):
    cli("harvest", ep, data_dir=here)
    extra = local(ep, "http://peer-c.example.org/g/extra")
    assert extra in graphs_and_counts(here)
    requests.delete(f"{oxigraph_peer.url}/store", params={"graph": "http://peer-c.example.org/g/extra"},
                    timeout=30).raise_for_status()
    assert summary(cli("harvest", ep, data_dir=here)) == (0, 0, 1, 1)
    assert extra in graphs_and_counts(here)                         # kept without --prune
    assert summary(cli("harvest", ep, "--prune", data_dir=here)) == (0, 0, 1, 1)
    assert extra not in graphs_and_counts(here)
    about = cli("query", "--format", "tsv", f"SELECT ?p ?o WHERE {{ GRAPH <{PROV}> {{ <{extra}> ?p ?o }} }}",
                data_dir=here).stdout.splitlines()[1:]
    assert not [line for line in about if "void#triples" in line or "wasDerivedFrom" in line or "source" in line]
    assert summary(cli("harvest", ep, data_dir=here)) == (0, 0, 1, 0)   # no longer "gone"
