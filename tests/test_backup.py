"""Backups that restore (docs/backup.md): `rightsgraph backup` / `restore` / `backup --verify`
run as a user runs them, on real stores; a remote store through a real `oxigraph serve`;
the user-graph export loads into a fresh store. The live server under write load is
tests/integration/test_backup_restore.py."""

from __future__ import annotations

import gc
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from .conftest import REPO, OxigraphServer, run_cli

DATA = REPO / "tests" / "data" / "loading"
LICENCE_GRAPH = "https://w3id.org/rightsgraph/graph/data/licence"
LIBRARY_GRAPH = "https://w3id.org/rightsgraph/graph/data/library"
BNODE_TTL = """@prefix dct: <http://purl.org/dc/terms/> .
<https://example.org/note/1> dct:description "a note" ; <https://example.org/p> [ <https://example.org/q> "inner" ] .
"""


def dump_sorted(store_dir: Path) -> list[bytes]:
    """Every quad of a store on disk, as sorted N-Quads lines (blank-node ids included:
    a restored checkpoint keeps Oxigraph's own ids)."""
    st = ox.Store.read_only(str(store_dir))
    try:
        return sorted(st.dump(format=ox.RdfFormat.N_QUADS).splitlines())
    finally:
        del st
        gc.collect()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A data dir with data, a confidential graph, a default-graph triple and an account.
    Shared by the tests of this module, which only read it."""
    base = tmp_path_factory.mktemp("backup-source")
    data_dir = base / "source"
    notes = base / "notes.ttl"
    notes.write_text(BNODE_TTL, encoding="utf-8")
    out = run_cli("load", DATA / "library.ttl", DATA / "licence.ttl", notes, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert run_cli("graph", "confidential", LICENCE_GRAPH, data_dir=data_dir).returncode == 0
    token = run_cli("user", "add", "keeper", "--role", "admin", data_dir=data_dir).stdout.strip()
    st = ox.Store(str(data_dir / "store"))  # the default graph, as GSP PUT ?default would fill it
    st.add(ox.Quad(ox.NamedNode("https://example.org/d"), ox.NamedNode("https://example.org/p"), ox.Literal("in the default graph")))
    st.flush()
    del st
    gc.collect()
    return data_dir, token


@pytest.fixture(scope="module")
def source_backup(source) -> Path:
    out = run_cli("backup", source[0].parent / "backup", data_dir=source[0])
    assert out.returncode == 0, out.stderr
    return source[0].parent / "backup"


@pytest.fixture
def backup(source_backup, tmp_path) -> Path:
    """A copy of the source's backup that a test may damage."""
    import shutil
    copy = tmp_path / "backup"
    shutil.copytree(source_backup, copy)
    return copy


def manifest_of(backup: Path) -> dict:
    return json.loads((backup / "manifest.json").read_text(encoding="utf-8"))


def test_backup_then_restore_brings_back_every_quad_and_the_accounts(source, source_backup, tmp_path):
    (data_dir, token), backup = source, source_backup
    manifest = manifest_of(backup)
    from rightsgraph import __version__
    assert manifest["format"] == "rightsgraph-backup" and manifest["rightsgraph_version"] == __version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["created"])
    # the quad count per graph is the store's
    st = ox.Store.read_only(str(data_dir / "store"))
    counts = {r["g"].value: int(r["n"].value) for r in st.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    del st
    gc.collect()
    assert manifest["graphs"] == counts and manifest["default_graph_quads"] == 1
    assert manifest["quads"] == sum(counts.values()) + 1
    # every file is listed with its SHA-256, the accounts file among them
    import hashlib
    files = {p.relative_to(backup).as_posix() for p in backup.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == files and "files/accounts.json" in files
    for rel, meta in manifest["files"].items():
        assert hashlib.sha256((backup / rel).read_bytes()).hexdigest() == meta["sha256"]

    restored = tmp_path / "restored"
    out = run_cli("restore", backup, "--data-dir", restored, data_dir=tmp_path / "unused")
    assert out.returncode == 0, out.stderr
    assert dump_sorted(restored / "store") == dump_sorted(data_dir / "store")
    assert (restored / "accounts.json").read_bytes() == (data_dir / "accounts.json").read_bytes()
    assert not [p for p in restored.iterdir() if p.name.startswith(".")]  # no staging left behind
    from rightsgraph.accounts import Accounts
    assert Accounts(restored / "accounts.json").authenticate(token).name == "keeper"
    # the confidential mark came back with the provenance graph
    from rightsgraph.confidentiality import confidential_graphs
    from rightsgraph.store.embedded import open_store
    with open_store(restored) as st:
        assert confidential_graphs(st) == {LICENCE_GRAPH}


def test_verify_accepts_a_good_backup(backup, tmp_path):
    out = run_cli("backup", "--verify", backup, data_dir=tmp_path / "unused")
    assert out.returncode == 0 and "verified" in out.stdout
    assert not (tmp_path / "unused").exists()


def _corrupt(path: Path) -> None:
    """Flip a byte: in a new file, since backup files may be hard links to the live store."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.unlink()
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["corrupted", "missing", "extra"])
def test_a_damaged_backup_is_refused_naming_the_file(backup, tmp_path, damage):
    victim = max((backup / "store").glob("*.sst"), key=lambda p: p.stat().st_size)
    if damage == "corrupted":
        _corrupt(victim)
    elif damage == "missing":
        victim.unlink()
    else:
        victim = backup / "store" / "stray.txt"
        victim.write_text("not from the backup")
    verify = run_cli("backup", "--verify", backup, data_dir=tmp_path / "unused")
    assert verify.returncode == 3 and str(victim) in verify.stderr, verify.stderr
    restored = tmp_path / "restored"
    out = run_cli("restore", backup, "--data-dir", restored, data_dir=tmp_path / "unused")
    said = {"corrupted": "corrupted", "missing": "missing", "extra": "not listed"}[damage]
    assert out.returncode == 3 and str(victim) in out.stderr and said in out.stderr, out.stderr
    assert not restored.exists() or not any(restored.iterdir())


def test_a_backup_whose_quads_differ_from_its_manifest_is_refused(backup, tmp_path):
    manifest = manifest_of(backup)
    manifest["graphs"][LIBRARY_GRAPH] += 1
    (backup / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = run_cli("backup", "--verify", backup, data_dir=tmp_path / "unused")
    assert out.returncode == 3 and LIBRARY_GRAPH in out.stderr
    assert run_cli("restore", backup, "--data-dir", tmp_path / "r", data_dir=tmp_path / "u").returncode == 3
    assert not any((tmp_path / "r").iterdir())


def test_restore_into_a_non_empty_directory_is_refused_and_force_keeps_the_old_data(source, backup, tmp_path):
    other = tmp_path / "other"
    assert run_cli("load", DATA / "library.ttl", data_dir=other).returncode == 0
    before = dump_sorted(other / "store")
    out = run_cli("restore", backup, "--data-dir", other, data_dir=tmp_path / "unused")
    assert out.returncode == 2 and "not empty" in out.stderr and "--force" in out.stderr
    assert sorted(p.name for p in other.iterdir()) == ["store"] and dump_sorted(other / "store") == before

    forced = run_cli("restore", backup, "--data-dir", other, "--force", data_dir=tmp_path / "unused")
    assert forced.returncode == 0, forced.stderr
    assert dump_sorted(other / "store") == dump_sorted(source[0] / "store")
    aside = [p for p in other.iterdir() if p.name.startswith(".before-restore-")]
    assert len(aside) == 1 and str(aside[0]) in forced.stderr
    assert dump_sorted(aside[0] / "store") == before  # set aside, not deleted


def test_force_restore_refuses_a_store_in_use(backup, tmp_path):
    target = tmp_path / "busy"
    assert run_cli("load", DATA / "library.ttl", data_dir=target).returncode == 0
    held = ox.Store(str(target / "store"))  # as a running server holds it
    try:
        out = run_cli("restore", backup, "--data-dir", target, "--force", data_dir=tmp_path / "unused")
        assert out.returncode == 2 and "in use" in out.stderr
        assert sorted(p.name for p in target.iterdir()) == ["store"]
    finally:
        del held
        gc.collect()


def test_cli_backup_of_a_store_held_by_a_server_says_to_use_the_server(source, tmp_path):
    held = ox.Store(str(source[0] / "store"))
    try:
        out = run_cli("backup", tmp_path / "backup", data_dir=source[0])
        assert out.returncode == 2 and "--server" in out.stderr and "Traceback" not in out.stderr
        zh = run_cli("--lang", "zh", "backup", tmp_path / "backup", data_dir=source[0])
        assert zh.returncode == 2 and "服务" in zh.stderr
    finally:
        del held
        gc.collect()
    assert not (tmp_path / "backup").exists()


def test_backup_refuses_a_non_empty_folder_and_a_missing_store(source, tmp_path):
    full = tmp_path / "full"
    full.mkdir()
    (full / "something").write_text("x")
    out = run_cli("backup", full, data_dir=source[0])
    assert out.returncode == 2 and str(full) in out.stderr
    assert [p.name for p in full.iterdir()] == ["something"]
    missing = run_cli("backup", tmp_path / "b", data_dir=tmp_path / "no-such-store")
    assert missing.returncode == 2 and "no store" in missing.stderr
    assert not (tmp_path / "no-such-store").exists() and not (tmp_path / "b").exists()


def test_a_cut_transfer_is_refused_and_leaves_nothing(backup, tmp_path):
    from rightsgraph.backup import BackupInvalid, receive_backup, tar_stream
    data = b"".join(tar_stream(backup))
    whole = receive_backup(io.BytesIO(data), tmp_path / "whole")
    assert whole.quads == manifest_of(backup)["quads"]
    with pytest.raises(BackupInvalid):
        receive_backup(io.BytesIO(data[: len(data) // 2]), tmp_path / "cut")
    assert not (tmp_path / "cut").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if ".partial-" in p.name) == []


# ---------------------------------------------------------------------- user-graph export
def test_user_graph_export_loads_into_a_fresh_store(source, tmp_path):
    data_dir = source[0]
    trig = tmp_path / "data.trig"
    out = run_cli("export", "--user-graphs", "-o", trig, data_dir=data_dir)
    assert out.returncode == 0 and LICENCE_GRAPH in out.stderr  # said to be confidential
    fresh = tmp_path / "fresh"
    loaded = run_cli("load", trig, data_dir=fresh)
    assert loaded.returncode == 0, loaded.stderr
    a, b = Dataset(), Dataset()
    a.parse(data=run_cli("export", "--user-graphs", "--format", "nquads", data_dir=data_dir).stdout, format="nquads")
    b.parse(data=run_cli("export", "--user-graphs", "--format", "nquads", data_dir=fresh).stdout, format="nquads")
    named = lambda ds: {c.identifier for c in ds.graphs() if isinstance(c.identifier, URIRef)} - {  # noqa: E731
        URIRef("urn:x-rdflib:default")}
    # every data graph is back, with its blank-node structure; the default-graph triple
    # went to the file's graph, as with any TriG load (docs/loading.md)
    for g in named(a):
        assert isomorphic(a.graph(g), b.graph(g)), g
    assert URIRef("https://w3id.org/rightsgraph/graph/data/data") in named(b)


def test_loading_a_full_export_says_to_use_restore(source, tmp_path):
    full = tmp_path / "full.trig"
    assert run_cli("export", "-o", full, data_dir=source[0]).returncode == 0
    out = run_cli("load", full, data_dir=tmp_path / "fresh")
    assert out.returncode == 3 and "rightsgraph restore" in out.stderr and "--user-graphs" in out.stderr


# --------------------------------------------------------------------------- remote store
def _remote_dataset(url: str) -> Dataset:
    import requests
    ds = Dataset()
    r = requests.get(url + "/store", headers={"Accept": "application/n-quads"}, timeout=30)
    r.raise_for_status()
    ds.parse(data=r.text, format="nquads")
    return ds


def _same_dataset(a: Dataset, b: Dataset) -> None:
    names = lambda ds: {c.identifier for c in ds.graphs()}  # noqa: E731
    assert names(a) == names(b)
    for g in names(a):
        assert isomorphic(a.graph(g), b.graph(g)), g


def test_remote_store_backup_and_restore(oxigraph_server, tmp_path):
    env = {"RIGHTSGRAPH_STORE": oxigraph_server.url}
    local = tmp_path / "local"
    for f in ("library.ttl", "licence.ttl"):
        assert run_cli("load", DATA / f, data_dir=local, env=env).returncode == 0
    assert run_cli("graph", "confidential", LICENCE_GRAPH, data_dir=local, env=env).returncode == 0
    token = run_cli("user", "add", "keeper", "--role", "admin", data_dir=local, env=env).stdout.strip()
    import requests
    requests.put(oxigraph_server.url + "/store?default", data='<https://example.org/d> <https://example.org/p> "d" .',
                 headers={"Content-Type": "application/n-triples"}, timeout=30).raise_for_status()
    backup = tmp_path / "backup"
    out = run_cli("backup", backup, data_dir=local, env=env)
    assert out.returncode == 0, out.stderr
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["kind"] == "remote" and manifest["default_graph_quads"] == 1
    assert run_cli("backup", "--verify", backup, data_dir=local).returncode == 0
    # an embedded restore of a remote backup is refused with the way to do it
    wrong = run_cli("restore", backup, "--data-dir", tmp_path / "x", data_dir=local)
    assert wrong.returncode == 3 and "--store" in wrong.stderr

    target = OxigraphServer(tmp_path / "oxigraph-2")
    try:
        env2 = {"RIGHTSGRAPH_STORE": target.url}
        restored = tmp_path / "restored"
        out = run_cli("restore", backup, data_dir=restored, env=env2)
        assert out.returncode == 0, out.stderr
        _same_dataset(_remote_dataset(oxigraph_server.url), _remote_dataset(target.url))
        from rightsgraph.accounts import Accounts
        assert Accounts(restored / "accounts.json").authenticate(token).name == "keeper"
        again = run_cli("restore", backup, data_dir=tmp_path / "restored-2", env=env2)
        assert again.returncode == 2 and "--force" in again.stderr
        # --force replaces: a graph written since is gone, the backup's state is back
        requests.put(target.url + "/store?graph=https://example.org/g/later", data='<https://example.org/x> <https://example.org/p> "1" .',
                     headers={"Content-Type": "application/n-triples"}, timeout=30).raise_for_status()
        forced = run_cli("restore", backup, "--force", data_dir=restored, env=env2)
        assert forced.returncode == 0, forced.stderr
        _same_dataset(_remote_dataset(oxigraph_server.url), _remote_dataset(target.url))
    finally:
        target.stop()


def test_a_remote_store_written_during_its_dump_is_refused(oxigraph_server, tmp_path):
    """No snapshot in a SPARQL store: a write between the counts and the dump is caught."""
    from rightsgraph.backup import StoreChanged, create_backup
    from rightsgraph.store.remote import RemoteStore

    class WrittenMeanwhile(RemoteStore):
        def graphs(self):
            self.update('INSERT DATA { GRAPH <https://example.org/g/meanwhile> { <https://example.org/a> <https://example.org/p> "x" } }')
            return super().graphs()

    store = WrittenMeanwhile.for_oxigraph(oxigraph_server.url)
    with pytest.raises(StoreChanged) as err:
        create_backup(store, tmp_path / "backup", data_dir=None, source=oxigraph_server.url)
    assert "https://example.org/g/meanwhile" in str(err.value)
    assert not (tmp_path / "backup").exists() and not list(tmp_path.glob(".backup.partial-*"))


# ------------------------------------------------------------------------------- the docs
FENCE = re.compile(r"^```sh(?: \{exit=(\d+)\})?\n(.*?)^```", re.S | re.M)


def test_backup_doc_examples_run(tmp_path):
    """docs/backup.md's shell blocks, in order, in a scratch folder (they write there)."""
    (tmp_path / "tests").symlink_to(REPO / "tests")
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, RIGHTSGRAPH_DATA=str(tmp_path / "store"), RIGHTSGRAPH_LANG="en",
               PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    blocks = [(int(m.group(1) or 0), m.group(2))
              for m in FENCE.finditer((REPO / "docs" / "backup.md").read_text(encoding="utf-8"))]
    assert len(blocks) >= 4
    for expected, script in blocks:
        out = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == expected, f"`{script.strip()}` exited {out.returncode}\n{out.stderr}"
