"""Concurrent clients: readers are never blocked by writers, no update is lost, and a
bounded mixed load (queries, decisions, writes) ends with zero errors and the expected
state. Run on the single-process server and on one writer + two reader processes."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from ..conftest import REPO

pytestmark = pytest.mark.server
DATA = REPO / "tests" / "data" / "loading"
SECONDS = 12          # bounded in time ...
MAX_REQUESTS = 4000   # ... and in count
NOTES = "https://example.org/g/notes-{port}"  # one graph per server: the deployment is shared


@pytest.fixture(scope="module", params=["1", "2"], ids=["one-process", "two-processes"])
def server(request, deployment):
    """Embedded: one process, or one writer + two readers. Remote: one or two processes
    writing to the same oxigraph serve."""
    token = deployment.cli("user", "add", f"loader{request.param}", "--role", "cataloguer").stdout.strip()
    for f in ("library.ttl", "licence.ttl"):
        assert deployment.cli("load", DATA / f, "--replace").returncode == 0
    srv = deployment.serve("--workers", request.param)
    srv.token = token
    srv.embedded = deployment.embedded
    yield srv
    srv.stop()


def test_mixed_load_no_errors_no_lost_updates(server):
    auth = {"Authorization": f"Bearer {server.token}"}
    errors: list[str] = []
    inserted: list[int] = []
    counter = {"n": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def budget() -> bool:
        with lock:
            counter["n"] += 1
            return counter["n"] <= MAX_REQUESTS and time.monotonic() < deadline

    def reader():
        s = requests.Session()
        while budget():
            r = s.get(server.url + "/sparql", timeout=30, params={
                "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/rightsgraph/ns#Resource> }"})
            if r.status_code != 200:
                errors.append(f"query {r.status_code} {r.text[:100]}")

    def decider():
        s = requests.Session()
        while budget():
            r = s.get(server.url + "/api/v1/decision", timeout=30, params={
                "target": "https://example.org/lib/book1", "action": "read",
                "assignee": "https://example.org/lib/lib-a", "at": "2026-01-01T00:00:00Z"})
            if r.status_code != 200 or r.json()["decision"] != "permit":
                errors.append(f"decision {r.status_code} {r.text[:100]}")

    def writer(wid: int):
        s = requests.Session()
        i = 0
        while budget():
            body = (f'INSERT DATA {{ GRAPH <{NOTES.format(port=server.port)}> {{ <https://example.org/note/{wid}/{i}> '
                    f'<http://purl.org/dc/terms/description> "note {wid}-{i}" }} }}')
            r = s.post(server.url + "/sparql", data=body, timeout=60,
                       headers=dict(auth, **{"Content-Type": "application/sparql-update"}))
            if r.status_code != 204:
                errors.append(f"update {r.status_code} {r.text[:100]}")
                return
            with lock:
                inserted.append(1)
            i += 1

    threads = ([threading.Thread(target=reader) for _ in range(3)] +
               [threading.Thread(target=decider) for _ in range(3)] +
               [threading.Thread(target=writer, args=(w,)) for w in range(2)])
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 120)
    assert not errors, errors[:5]
    assert inserted, "the writers got no update through"
    r = requests.get(server.url + "/sparql", timeout=30, params={
        "query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{NOTES.format(port=server.port)}> {{ ?s ?p ?o }} }}"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(inserted)


def test_a_write_is_visible_to_the_next_read(server):
    auth = {"Authorization": f"Bearer {server.token}"}
    for i in range(10):
        g = f"https://example.org/g/ryw-{server.port}-{i}"
        r = requests.put(server.url + "/store", params={"graph": g}, data=f"<https://example.org/x{i}> <https://example.org/p> \"{i}\" .",
                         headers=dict(auth, **{"Content-Type": "application/n-triples"}), timeout=30)
        assert r.status_code == 201, r.text
        got = requests.get(server.url + "/store", params={"graph": g}, timeout=30,
                           headers={"Accept": "application/n-triples", **auth})
        assert got.status_code == 200 and f"x{i}" in got.text


def test_every_form_of_update_reaches_the_writer_and_malformed_ones_are_refused(server):
    """The readers tell queries from updates with the endpoint's own request reader (one
    classifier): a form-encoded update is applied, a form query answered, a form with both
    or a query sent as an update refused with the protocol's 400, never applied."""
    auth = {"Authorization": f"Bearer {server.token}"}
    graph = f"https://example.org/g/forms-{server.port}"
    insert = f'INSERT DATA {{ GRAPH <{graph}> {{ <https://example.org/f> <http://purl.org/dc/terms/title> "f" }} }}'
    ask = f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = requests.post(server.url + "/sparql", data={"update": insert}, headers=auth, timeout=60)
    assert r.status_code == 204, r.text
    r = requests.post(server.url + "/sparql", data={"query": ask}, timeout=60,
                      headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    both = requests.post(server.url + "/sparql", data={"query": ask, "update": f"DROP GRAPH <{graph}>"},
                         headers=auth, timeout=60)
    assert both.status_code == 400 and "either" in both.text
    wrong = requests.post(server.url + "/sparql", data=ask, timeout=60,
                          headers=dict(auth, **{"Content-Type": "application/sparql-update"}))
    assert wrong.status_code == 400, wrong.text
    r = requests.get(server.url + "/sparql", params={"query": ask}, timeout=60,
                     headers={"Accept": "application/sparql-results+json"})
    assert r.json()["boolean"] is True                               # nothing was dropped


def test_a_term_sheet_stored_through_any_process_reaches_the_decisions_of_every_process(server):
    """POST /licences/upload (confirm=1) writes: a reader process sends it to the writer,
    with a token or with a signed-in librarian's session (cookie, same-site origin, CSRF
    field), and every reader's decisions follow (they refresh their compiled policies from
    the graphs the writer's snapshot says changed)."""
    import re
    licences = REPO / "tests" / "data" / "licences"
    assert requests.get(server.url + "/healthz", timeout=30).ok
    auth = {"Authorization": f"Bearer {server.token}"}
    licence_graph = "https://w3id.org/rightsgraph/graph/licence/journals-2024"
    requests.delete(server.url + "/store", params={"graph": licence_graph}, headers=auth, timeout=60)  # an earlier run's
    r = requests.put(server.url + "/store", params={"graph": "https://example.org/g/lic-world"},
                     data=(licences / "world.ttl").read_bytes(), headers=dict(auth, **{"Content-Type": "text/turtle"}),
                     timeout=120)
    assert r.status_code in (201, 204), r.text
    question = {"target": "http://example.org/lic/art1", "action": "read", "assignee": "http://example.org/lic/alice",
                "at": "2025-07-01T12:00:00Z"}

    def verdicts(expected: str) -> set[str]:
        """What 12 requests are answered (both readers): at once on the embedded store; on a
        remote store each process notices another's write by the provenance record, within
        its 5 s check, so there the answers are asked again until they are `expected`."""
        deadline = time.monotonic() + (0 if server.embedded else 12)
        while True:
            got = {requests.get(server.url + "/api/v1/decision", params=question, timeout=60).json()["decision"]
                   for _ in range(12)}
            if got == {expected} or time.monotonic() > deadline:
                return got
            time.sleep(0.5)
    assert verdicts("deny") == {"deny"}, requests.get(server.url + "/api/v1/decision", params=question, timeout=60).text
    sheet = (licences / "journals.yaml").read_bytes()
    r = requests.post(server.url + "/licences/upload", headers=auth, files={"sheet": ("journals.yaml", sheet)},
                      data={"confirm": "1"}, timeout=300)
    assert r.status_code == 200, r.text[:2000]
    assert verdicts("permit") == {"permit"}
    # the same sheet by a librarian signed in in a browser (a new version: its title changed)
    browser = requests.Session()
    browser.headers.update({"Origin": server.url, "Referer": server.url + "/signin"})   # as a browser sends them
    r = browser.post(server.url + "/signin", data={"token": server.token}, timeout=60, allow_redirects=False)
    assert r.status_code in (302, 303), r.text[:500]
    form = browser.get(server.url + "/licences/upload", timeout=60).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    edited = sheet.replace(b"title:", b"title: ", 1)
    r = browser.post(server.url + "/licences/upload", files={"sheet": ("journals.yaml", edited)},
                     data={"confirm": "1", "csrf_token": csrf}, timeout=300)
    assert r.status_code == 200 and "journals" in r.text, r.text[:2000]
    assert verdicts("permit") == {"permit"}
    r = requests.delete(server.url + "/store", params={"graph": licence_graph}, headers=auth, timeout=60)
    assert r.status_code == 204, r.text
    assert verdicts("deny") == {"deny"}                                      # and a removal as quickly
