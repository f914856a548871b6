"""Replication and repair on the demo world: each asks the decision engine first; a
corrupted copy is restored from a verified replica with a recovery event; with no good
replica nothing is overwritten; a licence silent on archiving refuses, naming the term."""

from __future__ import annotations

import pytest

from rightsgraph.preservation.audit import audit
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.registry import register
from rightsgraph.preservation.repair import repair, replicate

from .test_preservation_support import PDF, flip_byte, make_folder

DEMO = "https://demo.rightsgraph.org/"
LIB_A = DEMO + "party/lib-a"
ARCHIVED = DEMO + "resource/0002"           # Aldgate STM journals: L01, archiving permitted
EVT = "http://id.loc.gov/vocabulary/preservation/eventType/"
OUT = "http://id.loc.gov/vocabulary/preservation/eventOutcome/"


@pytest.fixture
def preserved(demo_store, tmp_path):
    primary, replica = tmp_path / "primary", tmp_path / "replica"
    primary.mkdir(), replica.mkdir()
    add_location(demo_store, "primary", primary, "primary")
    add_location(demo_store, "replica-1", replica, "replica")
    folder = make_folder(primary, "j2", {"issue1.pdf": PDF, "issue2.pdf": PDF + b"2"})
    register(demo_store, folder, resource=ARCHIVED, identify="none")
    done = replicate(demo_store, "replica-1", library=LIB_A)
    assert len(done.done) == 2 and not done.refused
    return demo_store, primary, replica


def silent_resource(store) -> str:
    row = next(iter(store.query("""SELECT ?r WHERE { <https://demo.rightsgraph.org/licence/L04>
        <http://www.w3.org/ns/odrl/2/target> ?t . ?r <http://www.w3.org/ns/odrl/2/partOf> ?t } ORDER BY ?r LIMIT 1""")))
    return row["r"].value


def test_corrupted_copy_is_repaired_from_the_replica(preserved):
    store, primary, replica = preserved
    flip_byte(primary / "j2" / "issue1.pdf", 3)
    assert [f.kind for f in audit(store).findings] == ["changed"]
    res = repair(store, library=LIB_A)
    assert [o.detail for o in res.done] == ["from replica-1"] and not res.failed
    assert (primary / "j2" / "issue1.pdf").read_bytes() == PDF
    assert store.query(f"ASK {{ ?e a <{EVT}rec> ; <http://www.loc.gov/premis/rdf/v3/outcome> <{OUT}suc> }}")
    assert audit(store).findings == []


def test_no_good_replica_means_nothing_is_overwritten(preserved):
    store, primary, replica = preserved
    flip_byte(primary / "j2" / "issue2.pdf", 0)
    flip_byte(replica / "j2" / "issue2.pdf", 1)
    damaged = (primary / "j2" / "issue2.pdf").read_bytes()
    assert len(audit(store).findings) == 2
    res = repair(store, library=LIB_A)
    assert not res.done and len(res.failed) == 2
    assert "no intact copy" in res.failed[0].detail
    assert (primary / "j2" / "issue2.pdf").read_bytes() == damaged
    assert store.query(f"ASK {{ ?e a <{EVT}rec> ; <http://www.loc.gov/premis/rdf/v3/outcome> <{OUT}fai> }}")


def test_a_licence_silent_on_archiving_refuses_replication(preserved, tmp_path):
    store, primary, replica = preserved
    res_iri = silent_resource(store)
    folder = make_folder(primary, "db", {"dump.xml": b"<?xml version='1.0'?><db/>"})
    register(store, folder, resource=res_iri, identify="none")
    res = replicate(store, "replica-1", library=LIB_A)
    assert not res.done and len(res.refused) == 1
    assert "L04 archiving_rights Silent" in res.refused[0].detail and "not permitted" in res.refused[0].detail
    assert not (replica / "db" / "dump.xml").exists()
    zh = replicate(store, "replica-1", library=LIB_A, lang="zh")
    assert "已拒绝" in zh.refused[0].detail


def test_a_rights_statement_act_allows_replication(demo_store, tmp_path):
    row = next(iter(demo_store.query("""SELECT ?r WHERE { ?r <http://www.loc.gov/premis/rdf/v3/rightsStatus>
        <https://demo.rightsgraph.org/rights/lib-e-gazetteers> } ORDER BY ?r LIMIT 1""")))
    primary, replica = tmp_path / "p", tmp_path / "r"
    primary.mkdir(), replica.mkdir()
    add_location(demo_store, "primary", primary, "primary")
    add_location(demo_store, "replica-1", replica, "replica")
    register(demo_store, make_folder(primary, "g", {"scan.tif": b"II*\x00scan"}), resource=row["r"].value,
             identify="none")
    res = replicate(demo_store, "replica-1", library=DEMO + "party/lib-e")
    assert len(res.done) == 1 and (replica / "g" / "scan.tif").read_bytes() == b"II*\x00scan"


def test_risk_report_lists_copies_without_a_right_and_rights_without_copies(preserved):
    from rightsgraph.reports.risks import format_risks, risk_report
    store, primary, _ = preserved
    silent = silent_resource(store)
    register(store, make_folder(primary, "db2", {"d.xml": b"<?xml version='1.0'?><x/>"}), resource=silent,
             identify="none")
    rep = risk_report(store)
    assert [x["resource"] for x in rep["copies_without_right"]] == [silent]
    assert rep["summary"]["rights_without_preserved_copy"] > 0
    assert ARCHIVED not in {r for g in rep["rights_without_copy"] for r in g["examples"]}
    assert "preserved copies without a preservation right: 1" in format_risks(rep)


def test_term_sheet_import_records_the_digest_of_the_file_as_received(store):
    import hashlib
    from pathlib import Path
    from rightsgraph.licences.registry import import_sheet
    from rightsgraph.loading import load_files
    demo = Path(__file__).resolve().parents[1] / "data" / "demo"
    load_files(store, [demo / f for f in ("parties.ttl", "collections.ttl", "resources.ttl", "rights.ttl")])
    sheet = demo / "termsheets" / "L03.yaml"
    import_sheet(store, sheet)
    digest = hashlib.sha256(sheet.read_bytes()).hexdigest()
    assert store.query(f"""ASK {{ ?a <http://www.w3.org/ns/prov#used> ?src . ?src
        <http://www.loc.gov/premis/rdf/v3/originalName> "L03.yaml" ; <http://www.loc.gov/premis/rdf/v3/fixity> ?fx .
        ?fx <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> "{digest}" }}""")
