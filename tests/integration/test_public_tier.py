"""The public read tier (`serve --public-sparql oxigraph`): nginx in front, Oxigraph's own
server answering anonymous queries on a public copy of the store. Real nginx, real
`oxigraph serve-read-only`, real rightsgraph processes, all on 127.0.0.1."""

from __future__ import annotations

import subprocess
import time
from urllib.parse import urlencode

import pytest
import requests

from rightsgraph.store.snapshots import published_dir
from rightsgraph.serving.public_tier import serving_snapshot

from ..conformance.http_manifest import HT
from ..conformance.test_sparql_protocol import MANIFEST, _check, prepare
from ..conftest import ServerProcess, run_cli, update_until_accepted
from ..prerequisites import need
from .test_access_control import CONF, DATA, PREFIX, PUBLIC, assert_reader_view

pytestmark = pytest.mark.server
TIMEOUT = 3
MAX_BODY = 200_000


@pytest.fixture(scope="module", autouse=True)
def _nginx():
    # a fixture rather than a module-level skip: the tests are still collected and counted,
    # and under CI each one fails with the reason
    need("nginx", why="the public read tier puts nginx in front of Oxigraph")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("public-tier") / "data"
    tokens = {role: run_cli("user", "add", f"{role}-1", "--role", role, data_dir=data_dir, check=True).stdout.strip()
              for role in ("reader", "cataloguer", "admin")}
    for f in ("library.ttl", "licence.ttl"):
        run_cli("load", DATA / f, data_dir=data_dir, check=True)
    run_cli("graph", "confidential", CONF, data_dir=data_dir, check=True)
    srv = ServerProcess(data_dir, "serve", "--public-sparql", "oxigraph", "--query-timeout", str(TIMEOUT),
                        "--max-body", str(MAX_BODY))
    srv.tokens, srv.data_dir = tokens, data_dir
    yield srv
    srv.stop()


def _auth(server, role="cataloguer"):
    return {"Authorization": f"Bearer {server.tokens[role]}"}


def _sync(server, seconds: float = 30) -> None:
    """Wait until the public tier answers from the newest published snapshot."""
    published = published_dir(server.data_dir / "store") / "CURRENT"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if serving_snapshot(server.data_dir) == published.read_text().strip():
            return
        time.sleep(0.05)
    raise AssertionError("the public tier did not catch up with the newest commit")


PUBLIC_SPARQL = "/public/sparql"


def _get(server, query, headers=None, path=PUBLIC_SPARQL, **params):
    return requests.get(server.url + path, params=dict(params, query=PREFIX + query), timeout=60,
                        headers=dict(headers or {}, Accept="application/sparql-results+json"))


def test_public_queries_are_answered_by_oxigraph(server):
    r = _get(server, "SELECT ?s WHERE { ?s a rg:Resource }")
    assert r.status_code == 200 and r.headers["X-Served-By"] == "oxigraph"
    assert r.json()["results"]["bindings"]
    assert r.headers["X-Snapshot"] == serving_snapshot(server.data_dir)


def test_sparql_is_answered_by_rightsgraph_whoever_asks(server):
    """Public reads by address: /sparql is never routed by what a request looks like (a
    percent-encoded SERVICE once went past such a test to Oxigraph)."""
    for headers in ({}, _auth(server, "reader")):
        r = _get(server, "ASK { ?s a rg:Resource }", headers=headers, path="/sparql")
        assert r.status_code == 200 and r.headers["X-Served-By"] == "rightsgraph"


def test_the_public_endpoint_answers_a_cataloguer_as_anyone_else(server):
    """Credentials are ignored at /public/sparql: a cataloguer's token neither reaches the
    confidential graph there nor turns the request away from Oxigraph."""
    ask = f"ASK {{ GRAPH <{CONF}> {{ ?s ?p ?o }} }}"
    r = _get(server, ask, headers=_auth(server, "cataloguer"))
    assert r.status_code == 200 and r.headers["X-Served-By"] == "oxigraph" and r.json()["boolean"] is False
    r = _get(server, ask, headers=_auth(server, "cataloguer"), path="/sparql")
    assert r.json()["boolean"] is True and r.headers["X-Served-By"] == "rightsgraph"
    update = f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <https://example.org/x> <https://example.org/p> "x" }} }}'
    r = requests.post(server.url + PUBLIC_SPARQL, data={"update": update}, headers=_auth(server, "admin"), timeout=60)
    assert r.status_code == 403 and r.headers["X-Served-By"] == "rightsgraph" and "/sparql" in r.text


@pytest.mark.parametrize("why, request_kwargs", [
    ("a browser page of another origin", dict(headers={"Origin": "https://opac.example.org"})),
    ("a protocol dataset parameter", dict(params={"default-graph-uri": PUBLIC})),
    ("rdflib's default graph", dict(params={"default-graph-uri": "urn:x-rdflib:default"})),
    ("a decision function", dict(query=PREFIX + "SELECT ?x WHERE { BIND(rg:permitted(<https://example.org/lib/"
                                                "ebook1>, <http://www.w3.org/ns/odrl/2/read>, <https://example.org/"
                                                "lib/patron>) AS ?x) }")),
])
def test_other_public_requests_are_answered_by_rightsgraph(server, why, request_kwargs):
    headers = request_kwargs.get("headers") or {}
    query = request_kwargs.get("query", PREFIX + "ASK { ?s a rg:Resource }")
    r = requests.get(server.url + PUBLIC_SPARQL, params=dict(request_kwargs.get("params", {}), query=query),
                     headers=headers, timeout=60)
    assert r.headers.get("X-Served-By") == "rightsgraph", why
    assert r.status_code == 200, r.text


def test_post_queries_pages_and_the_api_are_answered_by_rightsgraph(server):
    r = requests.post(server.url + PUBLIC_SPARQL, data=PREFIX + "ASK { ?s a rg:Resource }", timeout=60,
                      headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True and r.headers["X-Served-By"] == "rightsgraph"
    r = requests.get(server.url + "/sparql", timeout=60)  # no query: the service description
    assert r.status_code == 200 and r.headers["X-Served-By"] == "rightsgraph"
    assert "sd:" in r.text or "Service" in r.text
    assert requests.get(server.url + "/", timeout=60).headers["X-Served-By"] == "rightsgraph"


def test_a_reader_sees_no_confidential_graph_through_the_public_tier(server):
    assert_reader_view(server, None, path=PUBLIC_SPARQL)
    # the plain GRAPH ?g form went the fast way, and found only public graphs there
    r = _get(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert r.headers["X-Served-By"] == "oxigraph"
    graphs = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
    assert PUBLIC in graphs and CONF not in graphs


def test_commits_reach_anonymous_readers_and_confidential_ones_do_not(server):
    marker = f"https://example.org/public-tier/{time.time_ns()}"
    update = (f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{marker}> <https://example.org/p> "public" }} '
              f'GRAPH <{CONF}> {{ <{marker}> <https://example.org/p> "secret" }} }}')
    r = requests.post(server.url + "/sparql", data=update, timeout=60,
                      headers=dict(_auth(server), **{"Content-Type": "application/sparql-update"}))
    assert r.status_code == 204, r.text
    # the cataloguer reads its own write at once (rightsgraph answers it)
    r = _get(server, f'ASK {{ <{marker}> ?p "secret" }}', headers=_auth(server), path="/sparql")
    assert r.json()["boolean"] is True and r.headers["X-Served-By"] == "rightsgraph"
    _sync(server)
    r = _get(server, f'ASK {{ <{marker}> ?p "public" }}')
    assert r.headers["X-Served-By"] == "oxigraph" and r.json()["boolean"] is True
    r = _get(server, f'ASK {{ <{marker}> ?p "secret" }}')
    assert r.headers["X-Served-By"] == "oxigraph" and r.json()["boolean"] is False
    # each switch saw nginx answer from the new snapshot before naming it in SERVING (it
    # asked /sparql, which never carries the snapshot, and waited out its 10 s every time)
    assert "did not answer from snapshot" not in server.log.read_text()


def _tier_oxigraphs(server) -> list[str]:
    pgrep = need("pgrep", why="the test counts the tier's Oxigraph processes")
    out = subprocess.run([pgrep, "-f", f"serve-read-only --location {server.data_dir}/snapshots/public-"],
                         capture_output=True, text=True)
    return out.stdout.split()


def test_a_runaway_query_gets_503_and_its_oxigraph_is_replaced(server):
    runaway = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1"
    t0 = time.monotonic()
    r = requests.get(server.url + PUBLIC_SPARQL, params={"query": runaway}, timeout=60)
    took = time.monotonic() - t0
    assert r.status_code == 503 and r.headers["X-Served-By"] == "oxigraph"
    assert "Retry-After" in r.headers and f"{TIMEOUT} s" in r.text
    assert took < TIMEOUT + 10
    # the service goes on answering, from a fresh Oxigraph process
    r = _get(server, "ASK { ?s a rg:Resource }")
    assert r.status_code == 200 and r.json()["boolean"] is True
    deadline = time.monotonic() + 20
    while len(_tier_oxigraphs(server)) > 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_tier_oxigraphs(server)) == 1, "the Oxigraph that ran the runaway query was not stopped"


def test_the_body_limit_holds_at_the_front(server):
    r = requests.post(server.url + "/sparql", data=b"#" * (MAX_BODY + 1), timeout=60,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and str(MAX_BODY) in r.text and "request body is larger" in r.text
    # nginx's own refusals are in the client's language too, from the same catalogues
    r = requests.post(server.url + "/sparql", data=b"#" * (MAX_BODY + 1), timeout=60,
                      headers={"Content-Type": "application/sparql-query", "Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 413 and f"请求体超过 {MAX_BODY} 字节" in r.text, r.text


def _get_from(server, source: str, path: str):
    """GET `path` from the loopback address `source` (another client, as nginx sees it)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=60,
                                      source_address=(source, 0))
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    return answer


def test_a_repeated_public_query_is_answered_from_answers_kept_for_its_snapshot(server):
    """nginx keeps Oxigraph's answers per snapshot and client address: the same query again
    is not run again, and after a commit the same query is answered from the new snapshot,
    never an older one's."""
    marker = f"https://example.org/public-cache/{time.time_ns()}"
    ask = f'ASK {{ <{marker}> ?p "public" }}'
    _sync(server)
    first, again = _get(server, ask), _get(server, ask)
    assert first.json()["boolean"] is False and again.json()["boolean"] is False
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("MISS", "HIT")
    assert first.headers["X-Snapshot"] == again.headers["X-Snapshot"]
    # another client address gets no answer kept for this one: what others asked stays theirs
    other = _get_from(server, "127.0.0.2", PUBLIC_SPARQL + "?" + urlencode({"query": PREFIX + ask}))
    assert other.status == 200 and other.getheader("X-Cache") == "MISS"
    again = _get_from(server, "127.0.0.2", PUBLIC_SPARQL + "?" + urlencode({"query": PREFIX + ask}))
    assert again.getheader("X-Cache") == "HIT"
    # another format of the same query is another answer
    xml = requests.get(server.url + PUBLIC_SPARQL, params={"query": PREFIX + ask}, timeout=60,
                       headers={"Accept": "application/sparql-results+xml"})
    assert xml.headers["X-Cache"] == "MISS" and "<boolean>false</boolean>" in xml.text
    update = f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{marker}> <https://example.org/p> "public" }} }}'
    r = requests.post(server.url + "/sparql", data=update, timeout=60,
                      headers=dict(_auth(server), **{"Content-Type": "application/sparql-update"}))
    assert r.status_code == 204, r.text
    _sync(server)
    after = _get(server, ask)
    assert after.json()["boolean"] is True and after.headers["X-Snapshot"] != first.headers["X-Snapshot"]
    assert after.headers["X-Cache"] == "MISS"


def test_a_syntax_error_is_a_400_with_the_parser_message(server):
    r = requests.get(server.url + PUBLIC_SPARQL, params={"query": "SELECT ?x WHERE { ?x"}, timeout=60)
    assert r.status_code == 400 and r.headers["X-Served-By"] == "oxigraph" and r.text.strip()


@pytest.mark.parametrize("entry", MANIFEST.entries, ids=lambda e: str(e).split("#")[-1])
def test_sparql_protocol_suite_anonymously(server, entry):
    """The W3C protocol suite again, on the public endpoint: its GET queries go to Oxigraph,
    the rest to rightsgraph; every answer must be what the suite expects. (Its updates, which
    the public endpoint refuses, go to /sparql with a token.)"""
    auth = _auth(server, "admin")  # the suite clears whole datasets (CLEAR ALL): admin only
    prepare(server.url, server.tokens["admin"], entry)
    _sync(server)
    for req in MANIFEST.requests_of(entry):
        post = str(MANIFEST.value(req, HT.methodName)) == "POST"
        update = post and "update" in (MANIFEST.body(req) or "")[:200] + str(MANIFEST.headers(req))
        resp = MANIFEST.send(server.url, req, prefix="/sparql", path_prefix="/sparql" if update else PUBLIC_SPARQL,
                             variables={}, extra_headers=auth if update else {})
        _check(resp, MANIFEST.value(req, HT.resp))
        if post:
            _sync(server)


def test_a_compacted_copy_takes_over_once_commits_pause(server):
    """The fresh copy carries deletion markers; a compacted one replaces it soon after."""
    _sync(server)
    serving = serving_snapshot(server.data_dir)
    deadline = time.monotonic() + 60
    line = f"serving the compacted copy of snapshot {serving}"
    while line not in server.log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert line in server.log.read_text()
    # the compacted copy answers, and as rightsgraph answers the same anonymous reader
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    fast, slow = _get(server, count), _get(server, count, headers={"Origin": "https://opac.example.org"})
    assert fast.headers["X-Served-By"] == "oxigraph" and slow.headers["X-Served-By"] == "rightsgraph"
    assert fast.json()["results"]["bindings"] == slow.json()["results"]["bindings"]


def test_one_client_address_gets_a_bounded_number_of_running_queries(server):
    """16 anonymous queries at once per client address (nginx limit_conn), 429 above."""
    from concurrent.futures import ThreadPoolExecutor

    from rightsgraph.serving.public_tier import PER_CLIENT
    runaway = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i LIMIT 1"

    def ask(_):
        r = requests.get(server.url + PUBLIC_SPARQL, params={"query": runaway}, timeout=60)
        return r.status_code, r.text

    with ThreadPoolExecutor(PER_CLIENT + 4) as pool:
        answers = list(pool.map(ask, range(PER_CLIENT + 4)))
    refused = [text for status, text in answers if status == 429]
    assert len(refused) >= 4 and f"{PER_CLIENT} anonymous queries" in refused[0]
    assert {status for status, _ in answers} <= {429, 503}
    r = _get(server, "ASK { ?s ?p ?o }")  # and the service answers afterwards
    assert r.status_code == 200


@pytest.mark.parametrize("word", ["%53ERVICE", "S%45RVICE", "%73ervice", "%66rom", "permi%74ted"])
def test_a_percent_encoded_word_cannot_route_a_query_past_the_checks(server, word):
    """nginx tests the raw query string: a letter sent percent-encoded once hid SERVICE from
    it, and Oxigraph then fetched a URL of the caller's choice. Such requests now go to
    rightsgraph, which decodes first (and refuses SERVICE: federation.py)."""
    text = f"SELECT * WHERE {{ {word} <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }} }}"
    r = requests.get(f"{server.url}{PUBLIC_SPARQL}?query={text.replace(' ', '%20')}", timeout=60,
                     headers={"Accept": "application/sparql-results+json"})
    assert r.headers.get("X-Served-By") == "rightsgraph", word
    assert r.status_code in (400, 403), r.text


def test_a_deeply_nested_query_is_bounded_not_sent_to_oxigraph(server):
    """Oxigraph dies on about 1,000 nested function calls (nginx itself answers 414 to a URL
    that long); past rightsgraph's bound of 256 the query goes to rightsgraph, which refuses it."""
    deep = "SELECT * WHERE { BIND(" + "STR(" * 300 + "1" + ")" * 300 + " AS ?x) }"
    r = requests.get(server.url + PUBLIC_SPARQL, params={"query": deep}, timeout=60)
    assert r.headers.get("X-Served-By") == "rightsgraph"
    assert r.status_code == 400, r.text
    ok = _get(server, "ASK { ?s ?p ?o }")
    assert ok.status_code == 200 and ok.headers["X-Served-By"] == "oxigraph"


# -- supervision (issue 11): a killed child is replaced, the service answers again ---------

def _answers_again(server, seconds: float = 20) -> float:
    t0, last = time.monotonic(), None
    while time.monotonic() - t0 < seconds:
        try:
            # true whatever the tests before changed; a new text each time, so that an answer
            # nginx kept for the snapshot does not stand in for Oxigraph's
            r = _get(server, f"ASK {{}} # {time.time_ns()}")
            if r.status_code == 200 and r.headers.get("X-Served-By") == "oxigraph" and r.json()["boolean"]:
                return time.monotonic() - t0
            last = f"{r.status_code} {r.headers.get('X-Served-By')} {r.text[:200]}"
        except requests.RequestException as exc:
            last = repr(exc)
        time.sleep(0.1)
    raise AssertionError(f"the public tier did not answer again within {seconds} s; last: {last}")


def test_a_killed_oxigraph_is_replaced_and_anonymous_queries_are_answered_again(server):
    """Nothing used to restart a dead Oxigraph: anonymous queries got 503 until the service
    was restarted by hand."""
    import os
    import signal
    _answers_again(server)
    deadline = time.monotonic() + 60          # replaced copies from the tests before are reaped
    while len(before := _tier_oxigraphs(server)) != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(before) == 1
    os.kill(int(before[0]), signal.SIGKILL)
    _answers_again(server)
    after = _tier_oxigraphs(server)
    assert len(after) == 1 and after != before


def test_a_killed_nginx_is_restarted_and_the_port_answers_again(server):
    import os
    import signal
    pgrep = need("pgrep", why="the test finds the tier's nginx")
    master = subprocess.run([pgrep, "-f", f"nginx: master process.*{server.data_dir}/public-tier"],
                            capture_output=True, text=True).stdout.split()
    assert len(master) == 1, master
    os.kill(int(master[0]), signal.SIGKILL)
    deadline, again = time.monotonic() + 20, []
    while time.monotonic() < deadline and (len(again) != 1 or again == master):
        time.sleep(0.1)
        again = subprocess.run([pgrep, "-f", f"nginx: master process.*{server.data_dir}/public-tier"],
                               capture_output=True, text=True).stdout.split()
    assert len(again) == 1 and again != master, "no new nginx master"
    _answers_again(server)
    # the service behind nginx is whole: an authenticated request reaches rightsgraph
    r = requests.get(server.url + "/healthz", timeout=10)
    assert r.status_code == 200


def test_a_killed_writer_is_started_again_and_writes_go_on(server):
    """Nothing watched the writer process: after it died every write got an error until the
    service was restarted by hand. Killed (even mid-way), it is started again on its port."""
    import os
    import signal
    pid_file = server.data_dir / "writer.pid"
    first = int(pid_file.read_text())
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and int(pid_file.read_text() or 0) == first:
        time.sleep(0.2)
    assert int(pid_file.read_text()) != first, "the writer was not started again"
    marker = f"https://example.org/after-writer-death/{time.time_ns()}"
    update = f'INSERT DATA {{ GRAPH <{PUBLIC}> {{ <{marker}> <https://example.org/p> "again" }} }}'
    update_until_accepted(server.url, server.tokens["cataloguer"], update)
    r = _get(server, f'ASK {{ <{marker}> ?p "again" }}', headers=_auth(server), path="/sparql")
    assert r.json()["boolean"] is True


def test_a_killed_service_takes_nginx_and_oxigraph_with_it(tmp_path):
    """`serve --public-sparql oxigraph` killed with SIGKILL: its tier manager, nginx and the
    Oxigraphs stop too (they held the public port before, answering from a stale copy)."""
    import os
    import signal
    pgrep = need("pgrep", why="the test looks for the tier's processes")
    data_dir = tmp_path / "data"
    run_cli("load", DATA / "library.ttl", data_dir=data_dir, check=True)
    srv = ServerProcess(data_dir, "serve", "--public-sparql", "oxigraph")

    def tier_processes() -> list[str]:
        found = subprocess.run([pgrep, "-f", f"{data_dir}/(public-tier|snapshots/public-)"],
                               capture_output=True, text=True).stdout.split()
        return [p for p in found if p != str(os.getpid())]
    deadline = time.monotonic() + 60
    while len(tier_processes()) < 2 and time.monotonic() < deadline:   # nginx and an Oxigraph
        time.sleep(0.2)
    assert len(tier_processes()) >= 2
    os.kill(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(10)
    deadline = time.monotonic() + 30
    while tier_processes() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not tier_processes()
    srv.stop()


def test_a_killed_tier_manager_is_started_again_and_leaves_nothing_behind(tmp_path):
    """The tier manager killed with SIGKILL stopped the whole service and left its nginx (on
    the public port, answering 502) and its Oxigraph running. Now its leftovers are stopped
    and it is started again: the public endpoint answers from Oxigraph within seconds, with
    one nginx and the old processes gone."""
    import os
    import signal
    import psutil
    data_dir = tmp_path / "data"
    run_cli("load", DATA / "library.ttl", data_dir=data_dir, check=True)
    srv = ServerProcess(data_dir, "serve", "--public-sparql", "oxigraph")
    srv.data_dir = data_dir
    try:
        nginx_pid = data_dir / "public-tier" / "nginx.pid"
        deadline = time.monotonic() + 60
        while not nginx_pid.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        old_nginx = int(nginx_pid.read_text())
        _answers_again(srv)
        old_oxigraphs = {int(p) for p in _tier_oxigraphs(srv)}
        manager = psutil.Process(old_nginx).ppid()
        assert manager not in (srv.proc.pid, 1)
        os.kill(manager, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if int(nginx_pid.read_text()) != old_nginx:
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        _answers_again(srv, seconds=30)
        assert srv.proc.poll() is None, srv.log.read_text()[-2000:]
        assert not psutil.pid_exists(old_nginx) and not any(psutil.pid_exists(p) for p in old_oxigraphs)
        masters = [p for p in psutil.process_iter(["cmdline"])
                   if "nginx: master" in " ".join(p.info["cmdline"] or []) and str(data_dir) in " ".join(p.info["cmdline"] or [])]
        assert len(masters) == 1, masters
        assert "starting it again" in srv.log.read_text()
    finally:
        srv.stop()
