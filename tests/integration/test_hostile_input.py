"""Hostile input over HTTP, against a real `rightsgraph serve`: chunked bodies over the
limit, nesting that overflows Oxigraph's native stack, entity expansion, and JSON-LD as a
Graph Store body. A crash here would kill the server process, so each test also checks
the server still answers afterwards."""

from __future__ import annotations

import http.client
import json
import uuid
from urllib.parse import quote, urlsplit

import pytest
import requests

from ..conftest import ServerProcess, run_cli

pytestmark = pytest.mark.server
MAX_BODY = 200_000
LINE = 100          # bytes per N-Triples line below: MAX_BODY is a whole number of lines
EX = "http://example.org/hostile/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hostile") / "data"
    token = run_cli("user", "add", "hostile-tester", "--role", "cataloguer", data_dir=data_dir).stdout.strip()
    srv = ServerProcess(data_dir, "serve", "--create", "--max-body", str(MAX_BODY))
    srv.token = token
    yield srv
    srv.stop()


def _auth(server, **headers) -> dict:
    return {"Authorization": f"Bearer {server.token}", **headers}


def _graph_iri() -> str:
    return f"{EX}graph/{uuid.uuid4().hex}"


def _count(server, graph: str | None = None) -> int:
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "GRAPH ?g { ?s ?p ?o }"
    r = requests.get(server.url + "/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"},
                     headers=_auth(server, Accept="application/sparql-results+json"), timeout=60)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _alive(server) -> None:
    assert server.proc.poll() is None, "the server process died"
    assert requests.get(server.url + "/healthz", timeout=10).status_code == 200
    r = requests.get(server.url + "/sparql", params={"query": "ASK { }"}, timeout=30)
    assert r.status_code == 200 and r.json()["boolean"] is True


def _ntriples(lines: int) -> bytes:
    """`lines` N-Triples lines of exactly LINE bytes each."""
    out = []
    for i in range(lines):
        head = f'<{EX}r{i:07d}> <{EX}note> "'
        out.append(head + "x" * (LINE - len(head) - 4) + '" .\n')
    data = "".join(out).encode()
    assert len(data) == lines * LINE
    return data


def _send_chunked(server, method: str, path: str, body: bytes, headers: dict, chunk: int = 8192):
    """A real `Transfer-Encoding: chunked` request (no Content-Length), with http.client."""
    url = urlsplit(server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    try:
        conn.request(method, path, body=(body[i:i + chunk] for i in range(0, len(body), chunk)),
                     headers=headers, encode_chunked=True)
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace"), dict(resp.getheaders())
    finally:
        conn.close()


# ------------------------------------------------------------------ hole 4: chunked bodies

def test_chunked_body_over_the_limit_is_refused_and_nothing_is_stored(server):
    before = _count(server)
    graph = _graph_iri()
    body = _ntriples(MAX_BODY // LINE + 500)    # 250 kB; cut at the limit it would be whole lines
    status, text, _ = _send_chunked(server, "PUT", f"/store?graph={quote(graph, safe='')}", body,
                                          _auth(server, **{"Content-Type": "application/n-triples"}))
    assert status == 413, text
    assert "200,000" in text and "--max-body" in text
    assert _count(server, graph) == 0 and _count(server) == before
    _alive(server)


def test_chunked_body_under_the_limit_is_read_whole(server):
    graph = _graph_iri()
    lines = MAX_BODY // LINE - 10
    status, text, _ = _send_chunked(server, "PUT", f"/store?graph={quote(graph, safe='')}", _ntriples(lines),
                                    _auth(server, **{"Content-Type": "application/n-triples"}))
    assert status == 201, text
    assert _count(server, graph) == lines


def test_content_length_over_the_limit_is_refused_the_same_way(server):
    graph = _graph_iri()
    r = requests.put(server.url + "/store", params={"graph": graph}, data=_ntriples(MAX_BODY // LINE + 1),
                     headers=_auth(server, **{"Content-Type": "application/n-triples"}), timeout=60)
    assert r.status_code == 413 and "--max-body" in r.text
    assert _count(server, graph) == 0


def test_chunked_query_is_read_whole_or_refused(server):
    # whole: a query whose closing brace sits far into the body (past the first chunks)
    query = "ASK {" + " " * 100_000 + "}"
    status, text, _ = _send_chunked(server, "POST", "/sparql", query.encode(),
                                    {"Content-Type": "application/sparql-query",
                                     "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(text)["boolean"] is True
    # refused: the same over the limit, never run on a truncated text
    status, text, _ = _send_chunked(server, "POST", "/sparql", ("ASK {" + " " * (MAX_BODY + 10) + "}").encode(),
                                    {"Content-Type": "application/sparql-query"})
    assert status == 413, text
    _alive(server)


# ------------------------------------------------------------------ hole 6: deep nesting

def test_deeply_nested_query_is_a_400_and_the_server_lives(server):
    deep = "SELECT * WHERE " + "{ " * 10_000 + "?s ?p ?o" + " }" * 10_000
    r = requests.post(server.url + "/sparql", data=deep, timeout=60,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text
    assert "256" in r.text and "line 1" in r.text
    shallow_enough_for_a_url = "ASK { FILTER(" + "(" * 300 + "true" + ")" * 300 + ") }"
    r = requests.get(server.url + "/sparql", params={"query": shallow_enough_for_a_url}, timeout=60,
                     headers={"Accept-Language": "zh"})
    assert r.status_code == 400 and "嵌套超过 256 层" in r.text
    _alive(server)


def test_long_union_chain_is_a_400_and_the_server_lives(server):
    chain = "SELECT * { " + " UNION ".join(["{ ?s ?p ?o }"] * 7_000) + " }"   # 6,500 crash Oxigraph
    r = requests.post(server.url + "/sparql", data=chain, timeout=60, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "1000" in r.text, r.text
    _alive(server)


def test_deeply_nested_update_is_a_400_and_nothing_changes(server):
    before = _count(server)
    update = (f"PREFIX e: <{EX}> INSERT DATA {{ GRAPH e:deep {{ e:a e:p " + "[ e:p " * 10_000 + "1" + " ]" * 10_000
              + " } }")
    r = requests.post(server.url + "/sparql", data=update, timeout=60,
                      headers=_auth(server, **{"Content-Type": "application/sparql-update"}))
    assert r.status_code == 400, r.text
    assert _count(server) == before
    _alive(server)


def _deep_jsonld(depth: int) -> bytes:
    return ('{"@context": {"p": "' + EX + 'p"}, "@id": "' + EX + 'a", "p": ' + '{"p": ' * depth + '"x"'
            + "}" * depth + "}").encode()


def test_deeply_nested_jsonld_in_a_multipart_post_is_a_400_and_the_server_lives(server):
    graph = _graph_iri()
    r = requests.post(server.url + "/store", params={"graph": graph}, timeout=60, headers=_auth(server),
                      files={"deep": ("deep.jsonld", _deep_jsonld(10_000), "application/ld+json")})
    assert r.status_code == 400, r.text
    assert "deep.jsonld" in r.text and "JSON-LD nested more than 256 levels" in r.text
    assert _count(server, graph) == 0
    _alive(server)


def test_deeply_nested_json_in_a_decision_request_is_a_400(server):
    body = '{"target": "' + EX + 'a", "context": ' + "[" * 10_000 + "]" * 10_000 + "}"
    r = requests.post(server.url + "/api/v1/decision", data=body, timeout=60,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "256" in r.json()["error"], r.text
    _alive(server)


# ------------------------------------------------------------------ hole 5: entity expansion

def _laughs(levels: int, fan_out: int = 10) -> bytes:
    """The 'billion laughs' shape, `levels` deep (9 is the classic: 3 GB from 1 kB)."""
    decls = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * fan_out}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(decls) + "\n]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="' + EX + '">\n'
            f'  <rdf:Description rdf:about="{EX}laugh"><ex:says>&lol{levels};</ex:says></rdf:Description>\n'
            "</rdf:RDF>\n").encode()


def test_entity_expansion_in_a_graph_store_put_is_a_400(server):
    # 6 levels: 3 MB of "lol" (harmless for an unguarded server, so that this test can
    # show the hole on the old code); the same shape with 9 levels is 3 GB.
    graph = _graph_iri()
    r = requests.put(server.url + "/store", params={"graph": graph}, data=_laughs(6), timeout=120,
                     headers=_auth(server, **{"Content-Type": "application/rdf+xml"}))
    assert r.status_code == 400, r.text
    assert "'lol4'" in r.text and "nested 5 deep" in r.text and ":7:1:" in r.text
    r = requests.put(server.url + "/store", params={"graph": graph}, data=_laughs(9), timeout=120,
                     headers=_auth(server, **{"Content-Type": "application/rdf+xml"}))
    assert r.status_code == 400, r.text
    assert _count(server, graph) == 0
    _alive(server)


# ------------------------------------------------------------------ hole 10: JSON-LD bodies

def test_jsonld_with_one_graph_is_a_graph_store_body(server):
    graph = _graph_iri()
    doc = {"@context": {"ex": EX, "title": {"@id": "http://purl.org/dc/terms/title", "@language": "en"}},
           "@graph": [{"@id": "ex:doc1", "title": "One"}, {"@id": "ex:doc2", "title": "Two"}]}
    for method in ("PUT", "POST"):
        r = requests.request(method, server.url + "/store", params={"graph": graph}, data=json.dumps(doc),
                             headers=_auth(server, **{"Content-Type": "application/ld+json"}), timeout=60)
        assert r.status_code in (201, 204), (method, r.status_code, r.text)
    assert _count(server, graph) == 2
    r = requests.get(server.url + "/store", params={"graph": graph}, headers={"Accept": "application/n-triples"},
                     timeout=30)
    assert f"<{EX}doc1> <http://purl.org/dc/terms/title> \"One\"@en" in r.text


def test_jsonld_holding_named_graphs_is_refused_with_the_reason(server):
    graph = _graph_iri()
    doc = {"@id": f"{EX}elsewhere", "@graph": [{"@id": f"{EX}doc", f"{EX}p": "x"}]}
    r = requests.put(server.url + "/store", params={"graph": graph}, data=json.dumps(doc), timeout=60,
                     headers=_auth(server, **{"Content-Type": "application/ld+json"}))
    assert r.status_code == 400
    assert "named graphs" in r.text and f"<{EX}elsewhere>" in r.text
    assert _count(server, graph) == 0 and _count(server, f"{EX}elsewhere") == 0


def test_trig_body_is_still_refused_as_a_dataset_syntax(server):
    r = requests.put(server.url + "/store", params={"graph": _graph_iri()}, timeout=30,
                     data=f"<{EX}g> {{ <{EX}s> <{EX}p> 1 }}",
                     headers=_auth(server, **{"Content-Type": "application/trig"}))
    assert r.status_code == 415 and "one graph" in r.text


# ------------------------------------------------------------------ blank nodes of two documents

def test_blank_nodes_of_two_multipart_parts_stay_apart(server):
    graph = _graph_iri()
    part = '@prefix dct: <http://purl.org/dc/terms/> .\n<{s}> dct:creator _:b1 . _:b1 dct:title "{t}" .\n'
    r = requests.post(server.url + "/store", params={"graph": graph}, headers=_auth(server), timeout=60, files={
        "a": ("a.ttl", part.format(s=EX + "a", t="made by A"), "text/turtle"),
        "b": ("b.ttl", part.format(s=EX + "b", t="made by B"), "text/turtle")})
    assert r.status_code in (201, 204), r.text
    q = (f"SELECT ?c (COUNT(?t) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?r <http://purl.org/dc/terms/creator> ?c . "
         "?c <http://purl.org/dc/terms/title> ?t } } GROUP BY ?c")
    rows = requests.get(server.url + "/sparql", params={"query": q}, headers=_auth(server), timeout=30).json()
    counts = sorted(int(b["n"]["value"]) for b in rows["results"]["bindings"])
    assert counts == [1, 1], counts   # two creators with one title each, not one with two


def test_chunked_bodies_through_a_reader_to_the_writer(tmp_path):
    """`serve --workers 2`: a reader process takes the body and hands writes to the writer
    process; both bound it the same way."""
    data_dir = tmp_path / "data"
    token = run_cli("user", "add", "cluster-tester", "--role", "cataloguer", data_dir=data_dir).stdout.strip()
    srv = ServerProcess(data_dir, "serve", "--create", "--workers", "2", "--max-body", str(MAX_BODY))
    srv.token = token
    try:
        graph = _graph_iri()
        headers = _auth(srv, **{"Content-Type": "application/n-triples"})
        status, text, _ = _send_chunked(srv, "PUT", f"/store?graph={quote(graph, safe='')}",
                                        _ntriples(MAX_BODY // LINE + 500), headers)
        assert status == 413, text
        assert _count(srv, graph) == 0
        lines = MAX_BODY // LINE - 10
        status, text, _ = _send_chunked(srv, "PUT", f"/store?graph={quote(graph, safe='')}", _ntriples(lines), headers)
        assert status == 201, text
        assert _count(srv, graph) == lines
        _alive(srv)
    finally:
        srv.stop()
