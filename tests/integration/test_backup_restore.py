"""Backing up a live server (docs/backup.md): `rightsgraph backup DIR --server URL` while a
client keeps writing, on `serve` and on `serve --workers 2`; the restored data directory
holds whole writes only, and after the writes stop a backup equals the store quad for
quad, blank nodes included. Tokens, confidentiality and the service work after a restore."""

from __future__ import annotations

import gc
import json
import threading
import time

import pyoxigraph as ox
import pytest
import requests

from ..conftest import REPO, ServerProcess, run_cli

pytestmark = pytest.mark.server
DATA = REPO / "tests" / "data" / "loading"
CONFIDENTIAL = "https://w3id.org/rightsgraph/graph/data/licence"
PROV = "https://w3id.org/rightsgraph/graph/provenance"
WRITTEN = "https://example.org/g/written-{}"
MAX_WRITES = 200      # the write load is bounded in count ...
MAX_SECONDS = 20      # ... and in time


def written(i: int) -> bytes:
    """One write: three triples, one through a blank node."""
    return (f'<https://example.org/w/{i}> <http://purl.org/dc/terms/description> "write {i}" .\n'
            f'<https://example.org/w/{i}> <https://example.org/p> _:b .\n'
            f'_:b <https://example.org/q> "{i}" .\n').encode()


def dump_sorted(store_dir) -> list[bytes]:
    st = ox.Store.read_only(str(store_dir))
    try:
        return sorted(st.dump(format=ox.RdfFormat.N_QUADS).splitlines())
    finally:
        del st
        gc.collect()


class WriteLoad(threading.Thread):
    """A cataloguer writing one new graph after another (Graph Store PUT)."""

    def __init__(self, url: str, token: str):
        super().__init__(daemon=True)
        self.url, self.token = url, token
        self.acknowledged: list[int] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        session = requests.Session()
        deadline = time.monotonic() + MAX_SECONDS
        for i in range(MAX_WRITES):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            r = session.put(self.url + "/store", params={"graph": WRITTEN.format(i)}, data=written(i), timeout=60,
                            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/n-triples"})
            if r.status_code != 201:
                self.errors.append(f"{i}: {r.status_code} {r.text[:200]}")
                return
            self.acknowledged.append(i)


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "writer-and-two-readers"])
def test_backup_of_a_live_server_under_writes_restores_exactly(tmp_path, workers):
    data = tmp_path / "data"
    assert run_cli("load", DATA / "library.ttl", DATA / "licence.ttl", data_dir=data).returncode == 0
    assert run_cli("graph", "confidential", CONFIDENTIAL, data_dir=data).returncode == 0
    tokens = {role: run_cli("user", "add", f"{role}-1", "--role", role, data_dir=data).stdout.strip()
              for role in ("cataloguer", "admin")}
    server = ServerProcess(data, "serve", "--workers", workers)
    try:
        url = server.url
        # only an admin may take a backup
        assert requests.post(url + "/admin/backup", timeout=30).status_code == 401
        assert requests.post(url + "/admin/backup", timeout=30,
                             headers={"Authorization": f"Bearer {tokens['cataloguer']}"}).status_code == 403
        r = requests.put(url + "/store?default", data=b'<https://example.org/d> <https://example.org/p> "default" .',
                         headers={"Authorization": f"Bearer {tokens['cataloguer']}",
                                  "Content-Type": "application/n-triples"}, timeout=30)
        assert r.status_code in (201, 204), r.text

        load = WriteLoad(url, tokens["cataloguer"])
        load.start()
        deadline = time.monotonic() + MAX_SECONDS
        while len(load.acknowledged) < 5 and load.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        acked_before = len(load.acknowledged)
        during = run_cli("backup", tmp_path / "during", "--server", url, "--token", tokens["admin"], data_dir=data)
        acked_after = len(load.acknowledged)
        assert during.returncode == 0, during.stderr
        load.join(MAX_SECONDS + 60)
        assert not load.is_alive() and not load.errors, load.errors

        after = run_cli("backup", tmp_path / "after", "--server", url, "--token", tokens["admin"], data_dir=data)
        assert after.returncode == 0, after.stderr
        live_counts = _graph_counts(url, tokens["cataloguer"])
    finally:
        server.stop()
    assert not list(data.glob(".backup-*")), "the server left its scratch copy behind"

    # The backup taken during the writes holds whole writes only: a prefix of the writes,
    # each graph complete and with its provenance record, every acknowledged write in it.
    during_dir = tmp_path / "restored-during"
    out = run_cli("restore", tmp_path / "during", "--data-dir", during_dir, data_dir=data)
    assert out.returncode == 0, out.stderr
    present = _check_whole_writes(during_dir / "store", len(load.acknowledged))
    print(f"\nwrites acknowledged before/after the backup call: {acked_before}/{acked_after}; in the backup: {present}; total {len(load.acknowledged)}")
    assert acked_before <= present <= acked_after + 1, (acked_before, present, acked_after)

    # After the writes stop, a backup equals the store exactly (blank-node ids included).
    restored = tmp_path / "restored"
    out = run_cli("restore", tmp_path / "after", "--data-dir", restored, data_dir=data)
    assert out.returncode == 0, out.stderr
    assert dump_sorted(restored / "store") == dump_sorted(data / "store")
    assert _check_whole_writes(restored / "store", len(load.acknowledged)) == len(load.acknowledged)

    # A server on the restored directory: same graphs, tokens from before, confidentiality kept.
    again = ServerProcess(restored, "serve", "--workers", workers)
    try:
        assert _graph_counts(again.url, tokens["cataloguer"]) == live_counts
        anonymous = _graph_counts(again.url, None)
        assert CONFIDENTIAL in live_counts and CONFIDENTIAL not in anonymous and PROV not in anonymous
        r = requests.post(again.url + "/admin/backup", headers={"Authorization": f"Bearer {tokens['admin']}"},
                          timeout=60)
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/x-tar"
    finally:
        again.stop()


def _graph_counts(url: str, token: str | None) -> dict[str, int]:
    headers = {"Accept": "application/sparql-results+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = requests.get(url + "/sparql", headers=headers, timeout=60, params={
        "query": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"})
    assert r.status_code == 200, r.text
    from rightsgraph.store.remote import RemoteStore
    # a Virtuoso behind the service shows its own graphs to SPARQL; they are not the library's data
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]
            if not RemoteStore._system_graph(b["g"]["value"])}


def _check_whole_writes(store_dir, attempted: int) -> int:
    """How many of the load's writes a store holds; fails unless they are writes 0..k-1,
    each with its three triples and a provenance record naming its graph."""
    st = ox.Store.read_only(str(store_dir))
    try:
        present = []
        for i in range(attempted + 1):
            g = ox.NamedNode(WRITTEN.format(i))
            n = len(list(st.quads_for_pattern(None, None, None, g)))
            recorded = st.query(f"ASK {{ GRAPH <{PROV}> {{ ?load <http://www.w3.org/ns/prov#generated> <{g.value}> }} }}")
            assert n in (0, 3) and bool(recorded) == (n == 3), f"write {i}: {n} triples, provenance {bool(recorded)}"
            if n:
                present.append(i)
        assert present == list(range(len(present))), f"not a prefix of the writes: {present}"
        return len(present)
    finally:
        del st
        gc.collect()


def test_backup_over_http_on_the_embedded_and_a_remote_store(deployment, tmp_path):
    """`serve --store URL`: the server dumps the remote store (kind "remote"); the quads per
    graph in the backup are those the server answers with."""
    admin = deployment.cli("user", "add", "backup-admin", "--role", "admin").stdout.strip()
    assert deployment.cli("load", DATA / "library.ttl", "--replace").returncode == 0
    server = deployment.serve()
    try:
        out = deployment.cli("backup", tmp_path / "b", "--server", server.url, "--token", admin)
        assert out.returncode == 0, out.stderr
        live = _graph_counts(server.url, admin)
    finally:
        server.stop()
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == ("embedded" if deployment.embedded else "remote")
    assert manifest["graphs"] == live and "files/accounts.json" in manifest["files"]
    assert deployment.cli("backup", "--verify", tmp_path / "b").returncode == 0
