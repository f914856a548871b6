"""The construction archive (art. 6.4): documents attached to licences and acquisitions
are kept with their fixity, audited, replicated and repaired like content; a term sheet
is matched against the digest its import recorded; bad targets are refused with nothing
stored and nothing left behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsgraph.acquisitions import acquisition_record, record_stage
from rightsgraph.preservation.audit import audit
from rightsgraph.preservation.documents import attach, documents
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.messages import PreservationError
from rightsgraph.preservation.repair import repair, replicate

from .conftest import run_cli
from .test_preservation_support import PDF, flip_byte

DEMO = "https://demo.rightsgraph.org/"
L01 = DEMO + "licence/L01"
SHEETS = Path(__file__).resolve().parents[1] / "data" / "demo" / "termsheets"
RG = "https://w3id.org/rightsgraph/ns#"


@pytest.fixture
def archive(demo_store, tmp_path):
    primary, replica, inbox = tmp_path / "primary", tmp_path / "replica", tmp_path / "inbox"
    for d in (primary, replica, inbox):
        d.mkdir()
    add_location(demo_store, "primary", primary, "primary")
    add_location(demo_store, "replica-1", replica, "replica")
    return demo_store, primary, replica, inbox


def test_a_signed_contract_is_kept_audited_and_repaired(archive):
    store, primary, replica, inbox = archive
    (inbox / "L01-signed.pdf").write_bytes(PDF)
    res = attach(store, inbox / "L01-signed.pdf", of=L01, doc_type="contract")
    kept = primary / "construction-archive" / "L01" / "L01-signed.pdf"
    assert res.copied and Path(res.path) == kept and kept.read_bytes() == PDF
    assert store.query(f"""ASK {{ <{res.registered.representation}> <{RG}documentOf> <{L01}> ;
        <{RG}documentType> <{RG}SignedContract> ; <{RG}packageKind> "document" }}""")
    assert [d["type"] for d in documents(store, of=L01)] == ["contract"]
    assert len(replicate(store, "replica-1", library=None).done) == 1      # the library's own record
    flip_byte(kept, 2)
    assert [f.kind for f in audit(store).findings] == ["changed"]
    assert len(repair(store, library=None).done) == 1 and kept.read_bytes() == PDF
    assert audit(store).findings == []
    assert documents(store, of=L01)[0]["copies"] == ["intact", "intact"]


def test_the_term_sheet_as_received_is_matched_with_its_import(archive):
    store, primary, _, inbox = archive
    res = attach(store, SHEETS / "L01.yaml", of=L01, doc_type="term-sheet")
    assert res.term_sheet_check.startswith("matches the term sheet imported as L01.yaml")
    (inbox / "L01.yaml").write_bytes((SHEETS / "L01.yaml").read_bytes() + b"# edited later\n")
    other = attach(store, inbox / "L01.yaml", of=L01, doc_type="term-sheet", location="replica-1")
    assert other.term_sheet_check.startswith("differs from the term sheet imported as L01.yaml")


def test_documents_of_an_acquisition(archive):
    store, primary, _, inbox = archive
    record_stage(store, "2025-aldgate", "acceptance", "2024-12-20", by="Li Wei", licence=L01)
    (primary / "reports").mkdir()
    (primary / "reports" / "acceptance.pdf").write_bytes(PDF)       # already in storage: registered in place
    res = attach(store, primary / "reports" / "acceptance.pdf", of="2025-aldgate", doc_type="acceptance-report")
    assert not res.copied and res.path == str(primary / "reports" / "acceptance.pdf")
    docs = acquisition_record(store, "2025-aldgate")["documents"]
    assert [(d["type"], d["name"]) for d in docs] == [("acceptance-report", "acceptance.pdf")]


@pytest.mark.parametrize("case", ["unknown-target", "resource-target", "bad-type", "clash"])
def test_refusals_store_nothing_and_leave_nothing(archive, case):
    store, primary, _, inbox = archive
    (inbox / "doc.pdf").write_bytes(PDF)
    if case == "clash":
        clash = primary / "construction-archive" / "L01" / "doc.pdf"
        clash.parent.mkdir(parents=True)
        clash.write_bytes(b"another document")
    before = store.count()
    args = {"unknown-target": (DEMO + "licence/L99", "contract", "not a licence"),
            "resource-target": (DEMO + "resource/0002", "contract", "not a licence"),
            "bad-type": (L01, "invoice", "--type"),
            "clash": (L01, "contract", "already exists")}[case]
    with pytest.raises(PreservationError, match=args[2]):
        attach(store, inbox / "doc.pdf", of=args[0], doc_type=args[1])
    assert store.count() == before
    left = sorted(p.name for p in (primary / "construction-archive").rglob("*")) if case == "clash" else []
    assert left == (["L01", "doc.pdf"] if case == "clash" else [])
    if case != "clash":
        assert not (primary / "construction-archive").exists()


def test_cli_attach_and_list(tmp_path):
    data = tmp_path / "data"
    cli = lambda *a: run_cli(*a, data_dir=data)   # noqa: E731
    assert cli("demo", "--no-serve").returncode == 0
    (tmp_path / "p").mkdir()
    assert cli("preserve", "location", "add", "primary", tmp_path / "p", "--role", "primary").returncode == 0
    assert cli("licence", "import", SHEETS / "L02.yaml").returncode == 0
    r = cli("preserve", "attach", SHEETS / "L02.yaml", "--to", DEMO + "licence/L02", "--type", "term-sheet")
    assert r.returncode == 0 and "matches the term sheet imported as L02.yaml" in r.stdout, r.stderr
    rows = json.loads(cli("preserve", "documents", "--json").stdout)
    assert [(x["of"], x["type"], x["copies"]) for x in rows] == [(DEMO + "licence/L02", "term-sheet", ["intact"])]
    r = cli("--lang", "zh", "preserve", "attach", SHEETS / "L02.yaml", "--to", DEMO + "resource/0001", "--type", "other")
    assert r.returncode == 3 and "库中没有此许可协议" in r.stderr and "Traceback" not in r.stderr
