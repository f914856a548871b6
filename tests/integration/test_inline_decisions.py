"""Decision questions answered on the server's I/O thread (serving/http_server.py's
_Dispatcher): what a reading platform relies on is that a permission check is answered at
once even while every thread of the server is busy with long queries, and that pipelined
questions on one connection get their answers in order."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from ..conftest import REPO, ServerProcess, run_cli

pytestmark = pytest.mark.server
DATA = REPO / "tests" / "data" / "loading"
QUESTION = {"target": "https://example.org/lib/book1", "action": "read",
            "assignee": "https://example.org/lib/lib-a", "at": "2026-01-01T00:00:00Z"}
# a query that runs until its deadline: a three-way cross join of the whole store
LONG_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("inline") / "data"
    for f in ("library.ttl", "licence.ttl"):
        assert run_cli("load", DATA / f, data_dir=data_dir).returncode == 0
    srv = ServerProcess(data_dir, "serve", "--threads", "2", "--query-timeout", "6")
    yield srv
    srv.stop()


def test_a_decision_is_answered_while_every_thread_runs_a_long_query(server):
    busy = []

    def long_query():
        t0 = time.monotonic()
        r = requests.get(server.url + "/sparql", params={"query": LONG_QUERY}, timeout=60)
        busy.append((r.status_code, time.monotonic() - t0))
    threads = [threading.Thread(target=long_query) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)                                  # both of the server's threads now wait on a query
    t0 = time.monotonic()
    r = requests.get(server.url + "/api/v1/decision", params=QUESTION, timeout=30)
    took = time.monotonic() - t0
    for t in threads:
        t.join(60)
    assert r.status_code == 200 and r.json()["decision"] == "permit", r.text
    assert [code for code, _s in busy] == [503, 503], busy          # they did run to the deadline
    assert took < min(s for _c, s in busy) - 2.0, (took, busy)     # not queued behind them


def test_pipelined_questions_are_answered_in_order(server):
    """A health check, three questions and a health check sent at once on one connection:
    five answers, in the order asked (the second question is about another party: a different
    answer). The questions behind a request a pool thread answered are dispatched by that
    thread: once, they were left waiting for the I/O thread for ever."""
    other = dict(QUESTION, assignee="https://example.org/lib/nobody")
    paths = ["/healthz"] + ["/api/v1/decision?" + requests.compat.urlencode(q) for q in (QUESTION, other, QUESTION)]
    wire = b"".join(f"GET {p} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for p in paths)
    wire += b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(wire)
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    answers = got.split(b"HTTP/1.1 ")[1:]
    assert len(answers) == 5, got[:2000]
    singles = [requests.get(server.url + p, timeout=20) for p in paths]
    for answer, single in zip(answers, singles):
        assert answer.startswith(str(single.status_code).encode()), (answer[:200], single.text)
        assert answer.rstrip().endswith(single.content.rstrip()), (answer[-300:], single.text)
    assert answers[4].startswith(b"200")
