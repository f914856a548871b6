"""The demo library's preserved content: `rightsgraph demo` (what `make demo` runs) sets
up two storage locations with a BagIt bag, an OCFL object and a folder of scans, then
shows an audit finding a corrupted byte and its repair; once only."""

from __future__ import annotations

import re

import requests

from rightsgraph.demo import load_demo, load_demo_content

from .conftest import ServerProcess

LIB_A = "https://demo.rightsgraph.org/party/lib-a"


def test_demo_content_audit_corruption_repair(store, tmp_path):
    import bagit
    from ocfl.validator import Validator
    from rightsgraph.preservation.report import preservation_report
    load_demo(store)
    told = []
    got = load_demo_content(store, say=told.append)
    assert got["objects"] == 3 and got["findings"] == ["changed"] and got["repaired"] == 1
    assert got["intact_after"] == got["copies"] == 2 * got["files"]
    assert any("one byte changed" in line for line in told) and any(line.strip().startswith("repair:") for line in told)
    rep = preservation_report(store, library=LIB_A)
    assert rep["objects_by_kind"] == {"bag": 1, "ocfl": 1, "folder": 1}
    assert rep["copies_by_location"] == {"primary": {"intact": got["files"]}, "replica-1": {"intact": got["files"]}}
    assert rep["events"] == {"fixity_checks_failed": 1, "repairs": 1, "repairs_failed": 0,
                             "replications": got["files"]}
    assert rep["rights"]["with_right"] == 3
    content = store.path.parent / "demo-content"
    for where in ("primary", "replica-1"):          # the packages still validate with their own libraries
        bagit.Bag(str(content / where / "journals" / "ajee-2025")).validate()
        assert Validator(log_warnings=False).validate_object(str(content / where / "ebooks" / "handbook-of-geology"))
    assert load_demo_content(store, say=told.append) is None         # once only


def test_make_demo_tells_the_tour_and_serves_the_report(tmp_path):
    data = tmp_path / "data"
    srv = ServerProcess(data, "demo")
    try:
        log = srv.log.read_text()
        assert re.search(r"demo content: 3 objects .*, (\d+) files", log), log
        assert "one byte changed in" in log and "audit: changed:" in log and "restored from primary" in log
        rep = requests.get(srv.url + "/api/v1/reports/preservation", params={"library": LIB_A}, timeout=60).json()
        assert rep["events"]["repairs"] == 1 and rep["copies_by_status"] == {"intact": rep["copies"]}
    finally:
        srv.stop()
