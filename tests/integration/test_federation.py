"""SERVICE and LOAD reach no other endpoint unless the operator allows it (federation.py)."""

from __future__ import annotations

import http.server
import threading

import pytest
import requests

from ..conftest import REPO, ServerProcess, run_cli

DATA = REPO / "tests" / "data" / "loading"


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        Recorder.hits.append(self.path)
        body = b'<https://example.org/a> <https://example.org/b> "c" .\n'
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def target():
    """A local HTTP server standing for an internal service an attacker would probe."""
    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def servers(tmp_path_factory, target):
    """The same data served twice: federation off (the default), and allowed to `target`."""
    out = {}
    for name, args in (("off", ()), ("allowed", ("--allow-service", target + "/"))):
        data = tmp_path_factory.mktemp(name) / "data"
        assert run_cli("load", DATA / "library.ttl", data_dir=data).returncode == 0
        token = run_cli("user", "add", "cat", "--role", "cataloguer", data_dir=data).stdout.strip()
        srv = ServerProcess(data, "serve", *args)
        srv.token = token
        out[name] = srv
    yield out
    for srv in out.values():
        srv.stop()


def _query(srv, query):
    return requests.get(srv.url + "/sparql", params={"query": query}, timeout=60,
                        headers={"Accept": "application/sparql-results+json"})


def _update(srv, update):
    return requests.post(srv.url + "/sparql", data=update.encode(), timeout=60,
                         headers={"Authorization": f"Bearer {srv.token}", "Content-Type": "application/sparql-update"})


@pytest.mark.parametrize("form", ["SERVICE <{t}/sparql>", "SERVICE SILENT <{t}/sparql>", "service <{t}/x>",
                                  "SERVICE ?endpoint"])
def test_service_is_refused_and_nothing_is_contacted(servers, target, form):
    Recorder.hits.clear()
    pattern = form.format(t=target)
    query = (f"SELECT * WHERE {{ BIND(<{target}/sparql> AS ?endpoint) {pattern} {{ ?s ?p ?o }} }}"
             if "?endpoint" in form else f"SELECT * WHERE {{ {pattern} {{ ?s ?p ?o }} }}")
    r = _query(servers["off"], query)
    assert r.status_code == 403, r.text
    assert "serve --allow-service" in r.text and "本服务不会代请求访问其他端点" in r.text
    assert Recorder.hits == []


def test_load_is_refused_and_nothing_is_fetched(servers, target):
    Recorder.hits.clear()
    r = _update(servers["off"], f"LOAD <{target}/data.nt> INTO GRAPH <https://example.org/graph/loaded>")
    assert r.status_code == 403, r.text
    assert Recorder.hits == []


def test_a_service_behind_an_escaped_iri_is_refused_too(servers, target):
    """Oxigraph reads `\\u00e9` in an IRI; the keyword check blanked strings, IRIs and comments
    with a pattern that did not, took the IRI's `#` for a comment, and so never saw the
    SERVICE after it on the same line: the engine contacted the address (found in session 12)."""
    Recorder.hits.clear()
    query = (f"SELECT * WHERE {{ OPTIONAL {{ ?s ?p <http://example.org/\\u00e9#> }} "
             f"SERVICE <{target}/sparql> {{ ?a ?b ?c }} }}")
    r = _query(servers["off"], query)
    assert r.status_code in (400, 403), r.text
    assert Recorder.hits == []


def test_a_load_behind_an_escaped_iri_is_refused_too(servers, target):
    Recorder.hits.clear()
    update = (f"INSERT DATA {{ GRAPH <https://example.org/graph/x> {{ <https://example.org/a> "
              f"<https://example.org/b> <http://example.org/\\u00e9#> }} }} ; "
              f"LOAD <{target}/data.nt> INTO GRAPH <https://example.org/graph/loaded>")
    r = _update(servers["off"], update)
    assert r.status_code in (400, 403), r.text
    assert Recorder.hits == []


def test_the_word_service_in_a_literal_is_no_federation(servers):
    r = _query(servers["off"], 'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:1/>" }')
    assert r.status_code == 200, r.text


def test_an_allowed_endpoint_is_reached(servers, target):
    Recorder.hits.clear()
    r = _update(servers["allowed"], f"LOAD <{target}/data.nt> INTO GRAPH <https://example.org/graph/loaded>")
    assert r.status_code == 204, r.text
    assert Recorder.hits == ["/data.nt"]
    # another host is still refused
    r = _query(servers["allowed"], "SELECT * WHERE { SERVICE <http://127.0.0.2:9/sparql> { ?s ?p ?o } }")
    assert r.status_code == 403
