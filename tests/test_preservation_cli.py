"""The preservation doors end to end with real processes: the CLI registers, audits
(exit 1 on damage, for schedulers), repairs and reports; the HTTP API gives the same
report; errors come in the user's language with exit 3 and nothing stored."""

from __future__ import annotations

import json

import requests

from .conftest import ServerProcess, run_cli
from .test_preservation_support import PDF, flip_byte, make_folder

DEMO = "https://demo.rightsgraph.org/"


def test_register_audit_detect_repair_report(tmp_path):
    data = tmp_path / "data"
    cli = lambda *a: run_cli(*a, data_dir=data)   # noqa: E731
    assert cli("demo", "--no-serve").returncode == 0
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    primary.mkdir(), replica.mkdir()
    folder = make_folder(primary, "j2", {"a.pdf": PDF, "b.txt": b"b\n"})
    assert cli("preserve", "location", "add", "primary", primary, "--role", "primary").returncode == 0
    assert cli("preserve", "location", "add", "replica-1", replica).returncode == 0
    r = cli("preserve", "add", folder, "--resource", DEMO + "resource/0002")
    assert r.returncode == 0 and "2 files" in r.stdout, r.stderr
    r = cli("preserve", "replicate", "replica-1", "--library", DEMO + "party/lib-a")
    assert r.returncode == 0 and r.stdout.count("done") == 2, r.stdout + r.stderr
    assert cli("preserve", "audit").returncode == 0
    flip_byte(replica / "j2" / "a.pdf", 5)
    r = cli("preserve", "audit", "--json")
    assert r.returncode == 1 and json.loads(r.stdout)["findings"][0]["kind"] == "changed"
    r = cli("preserve", "repair", "--library", DEMO + "party/lib-a")
    assert r.returncode == 0 and "from primary" in r.stdout
    assert (replica / "j2" / "a.pdf").read_bytes() == PDF
    assert cli("preserve", "audit").returncode == 0
    rep = json.loads(cli("report", "preservation", "--json", "--library", DEMO + "party/lib-a").stdout)
    assert rep["objects"] == 1 and rep["copies_by_status"] == {"intact": 4}
    assert rep["events"]["repairs"] == 1 and rep["events"]["fixity_checks_failed"] == 1
    assert rep["rights"]["with_right"] == 1 and rep["last_audit"]["findings"] == 0

    srv = ServerProcess(data, "serve")
    try:
        got = requests.get(srv.url + "/api/v1/reports/preservation", params={"library": DEMO + "party/lib-a"},
                           timeout=30)
        assert got.status_code == 200 and got.json()["copies"] == 4 and got.json()["events"]["repairs"] == 1
        bad = requests.get(srv.url + "/api/v1/reports/preservation", params={"library": "not an iri"}, timeout=30)
        assert bad.status_code == 400 and "library" in bad.json()["error"]
    finally:
        srv.stop()


def test_errors_are_bilingual_and_store_nothing(tmp_path):
    data = tmp_path / "data"
    (tmp_path / "p").mkdir()
    assert run_cli("preserve", "location", "add", "primary", tmp_path / "p", data_dir=data).returncode == 0
    before = run_cli("info", "--json", data_dir=data).stdout
    r = run_cli("--lang", "zh", "preserve", "add", tmp_path / "p" / "missing", "--kind", "store-backup", data_dir=data)
    assert r.returncode == 3 and "no such file" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("--lang", "zh", "preserve", "add", tmp_path, "--kind", "store-backup", data_dir=data)
    assert r.returncode == 3 and "不在任何存储位置之内" in r.stderr
    r = run_cli("preserve", "replicate", "nowhere", data_dir=data)
    assert r.returncode == 2 and "--library" in r.stderr
    after = run_cli("info", "--json", data_dir=data).stdout
    assert json.loads(before)["total_triples"] == json.loads(after)["total_triples"]
