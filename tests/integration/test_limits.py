"""Limits for a public endpoint: query timeout, result rows, body size, CORS."""

from __future__ import annotations

import threading
from pathlib import Path
import time

import pytest
import requests

from ..conftest import REPO, ServerProcess, run_cli

pytestmark = pytest.mark.server
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("limits") / "data"
    assert run_cli("load", REPO / "tests" / "data" / "loading" / "library.ttl", data_dir=data_dir).returncode == 0
    srv = ServerProcess(data_dir, "serve", "--query-timeout", "2", "--max-rows", "5", "--max-body", "2000",
                        "--cors", "https://catalogue.example.org")
    yield srv
    srv.stop()


def test_runaway_query_is_stopped_and_others_are_served(server):
    outcome = {}

    def runaway():
        t0 = time.monotonic()
        r = requests.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome["status"], outcome["seconds"], outcome["text"] = r.status_code, time.monotonic() - t0, r.text

    th = threading.Thread(target=runaway)
    th.start()
    time.sleep(0.3)
    quick = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert quick.status_code == 200
    assert "status" not in outcome        # answered while the runaway query was still running
    th.join(30)
    assert outcome["status"] == 503, outcome
    assert "stopped" in outcome["text"] and outcome["seconds"] < 10
    again = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert again.status_code == 200


def test_result_row_limit(server):
    ok = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}, timeout=30)
    assert ok.status_code == 200 and len(ok.json()["results"]["bindings"]) == 5
    big = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 6"}, timeout=30)
    assert big.status_code == 413 and "LIMIT" in big.text


def test_request_body_limit(server):
    r = requests.post(server.url + "/sparql", data="ASK {}" + " " * 3000, timeout=30,
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_cors_only_for_listed_origins(server):
    r = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                     headers={"Origin": "https://catalogue.example.org"})
    assert r.headers.get("Access-Control-Allow-Origin") == "https://catalogue.example.org"
    r = requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30,
                     headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in r.headers


@pytest.mark.parametrize("disguise", ["\n# decision", '\n# rg:permitted(', ' FILTER(?c != "permitted(x)")'])
def test_the_word_decision_does_not_lift_the_time_limit(server, disguise):
    """A comment or literal naming the decision functions once took a query out of the
    killable pool into a server thread with no deadline."""
    query = RUNAWAY.replace(" }", disguise + " }") if "FILTER" in disguise else RUNAWAY + disguise
    r = requests.get(server.url + "/sparql", params={"query": query}, timeout=60)
    assert r.status_code == 503 and "stopped" in r.text, r.text


def test_a_runaway_query_calling_the_decision_functions_is_stopped_too(server):
    """Queries calling rg:permitted once ran in a server thread with no deadline (nine of
    them froze the server): they run in the killable pool like every other query."""
    query = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
             "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
             "BIND(rg:permitted(?a, odrl:read, ?d) AS ?ok) }")
    t0 = time.monotonic()
    r = requests.get(server.url + "/sparql", params={"query": query}, timeout=60)
    assert r.status_code == 503 and "stopped" in r.text, r.text
    assert time.monotonic() - t0 < 10
    assert requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_decision_functions_answer_from_the_query_workers(server):
    """The same verdict the decision API gives, from a query worker's own policy index."""
    api = requests.get(server.url + "/api/v1/decision", timeout=30, params={
        "target": "https://example.org/lib/book1", "action": "read",
        "assignee": "https://example.org/lib/lib-a", "at": "2026-01-01T00:00:00Z"})
    assert api.status_code == 200, api.text
    query = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
             "SELECT ?v WHERE { BIND(rg:decision(<https://example.org/lib/book1>, odrl:read, "
             "<https://example.org/lib/lib-a>, odrl:dateTime, \"2026-01-01T00:00:00Z\"^^"
             "<http://www.w3.org/2001/XMLSchema#dateTime>) AS ?v) }")
    r = requests.get(server.url + "/sparql", params={"query": query}, timeout=30,
                     headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    verdict = r.json()["results"]["bindings"][0]["v"]["value"]
    assert verdict.split("|")[0] == api.json()["decision"], (verdict, api.json())


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def _query_workers(server) -> list[int]:
    """The killable query workers: the spawned processes (multiprocessing's spawn_main)
    under the server process."""
    def cmdline(p):
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return ""
    return [p for p in _descendants(server.proc.pid) if "spawn_main" in cmdline(p)]


def test_a_killed_query_worker_is_replaced_before_a_query_reaches_it(server):
    """A query worker that died while idle (killed, out of memory) used to take the next
    query down with it (a 500); the pool now notices and answers from a fresh worker."""
    import os
    import signal
    assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    workers = _query_workers(server)          # the pool starts with the first query
    assert workers, "no query workers found"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    for _ in range(2 * len(workers) + 1):     # every worker slot is used at least once
        r = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 200, r.text
    assert not set(_query_workers(server)) & set(workers)


def test_a_query_whose_worker_is_killed_gets_a_503_to_retry_not_a_500(server):
    import os
    import signal
    outcome = {}

    def runaway():
        r = requests.get(server.url + "/sparql", params={"query": RUNAWAY}, timeout=60)
        outcome["status"], outcome["text"] = r.status_code, r.text

    assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    th = threading.Thread(target=runaway)
    th.start()
    time.sleep(0.5)
    for pid in _query_workers(server):
        os.kill(pid, signal.SIGKILL)
    th.join(30)
    assert outcome["status"] == 503 and "try again" in outcome["text"], outcome
    assert requests.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
