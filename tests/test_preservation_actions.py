"""Format migration and transfer to a third-party archive on the demo world: each asks
the decision engine first and refuses what the licence does not allow, naming the
clause, before anything runs or is written; what is allowed is recorded as PREMIS
events linked to the objects (migration: derived representation; transfer: a BagIt bag
validated by bagit)."""

from __future__ import annotations

import sys

import pytest
from pyoxigraph import NamedNode, RdfFormat

from rightsgraph.preservation.audit import audit
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.messages import PreservationError
from rightsgraph.preservation.migrate import migrate
from rightsgraph.preservation.registry import register
from rightsgraph.preservation.transfer import transfer

from .conftest import run_cli
from .test_preservation_support import PDF, make_folder

DEMO = "https://demo.rightsgraph.org/"
LIB_A, LIB_E = DEMO + "party/lib-a", DEMO + "party/lib-e"
LICENSED = DEMO + "resource/0002"         # L01: archiving permitted, nothing about migration or transfer
GAZETTEER = DEMO + "resource/0967"        # rights statement lib-e-gazetteers: premis:act rep, mig, fix
ARCHIVE = DEMO + "party/provincial-archive"
EVT = "http://id.loc.gov/vocabulary/preservation/eventType/"
PROV = "http://www.w3.org/ns/prov#"
# a converter: copies each file of {source} into {target}, upper-casing text (stands for e.g. TIFF -> JP2)
CONVERT = (f"{sys.executable} -c \"import pathlib,sys; s,t=map(pathlib.Path,sys.argv[1:]); t.mkdir(); "
           f"[(t/p.name).write_bytes(p.read_bytes().upper()) for p in s.iterdir()]\" {{source}} {{target}}")


@pytest.fixture
def world(demo_store, tmp_path):
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(demo_store, "primary", primary, "primary")
    return demo_store, primary


def test_migration_refused_by_the_licence_runs_nothing_and_stores_nothing(world, tmp_path):
    store, primary = world
    reg = register(store, make_folder(primary, "j2", {"a.pdf": PDF}), resource=LICENSED, identify="none")
    marker = tmp_path / "converter-ran"
    before = store.count()
    res = migrate(store, reg.representation, primary / "j2-new", library=LIB_A,
                  command=f"{sys.executable} -c \"open('{marker}', 'w')\"")
    assert res.refused and "format migration" in res.detail and "not permitted" in res.detail
    assert "L01: no rule grants odrl:reproduce" in res.detail and "L01 archiving_rights" in res.detail
    assert not marker.exists() and not (primary / "j2-new").exists() and store.count() == before
    zh = migrate(store, LICENSED, primary / "j2-new", library=LIB_A, lang="zh")   # by resource IRI too
    assert zh.refused and "已拒绝" in zh.detail and "格式迁移" in zh.detail


def test_migration_allowed_by_a_rights_statement_is_recorded_and_audited(world):
    store, primary = world
    src = register(store, make_folder(primary, "gaz", {"p1.txt": b"page one\n", "p2.txt": b"page two\n"}),
                   resource=GAZETTEER, identify="none")
    res = migrate(store, src.representation, primary / "gaz-v2", library=LIB_E, command=CONVERT)
    assert not res.refused and res.files == 2 and res.rights.basis.startswith("rights statement")
    assert (primary / "gaz-v2" / "p1.txt").read_bytes() == b"PAGE ONE\n"
    new = res.representation
    assert store.query(f"""ASK {{ <{new}> <{PROV}wasDerivedFrom> <{src.representation}> ;
        <http://purl.org/dc/terms/isPartOf> <{GAZETTEER}> .
        ?e a <{EVT}mig> ; <{PROV}used> <{src.representation}> ; <{PROV}generated> <{new}> }}""")
    assert audit(store).findings == [] and audit(store, new=True).checked == 4   # both versions audited


def test_a_failing_converter_registers_nothing(world):
    store, primary = world
    src = register(store, make_folder(primary, "gaz", {"p1.txt": b"x"}), resource=GAZETTEER, identify="none")
    before = store.count()
    with pytest.raises(PreservationError, match="conversion command failed") as exc:
        migrate(store, src.representation, primary / "out", library=LIB_E,
                command=f"{sys.executable} -c \"import sys; sys.exit('no codec')\"")
    assert "no codec" in str(exc.value) and "转换命令失败" in exc.value.text("zh")
    assert store.count() == before


def test_transfer_refused_names_the_clause_and_writes_nothing(world, tmp_path):
    store, primary = world
    reg = register(store, make_folder(primary, "j2", {"a.pdf": PDF}), resource=LICENSED, identify="none")
    out = tmp_path / "outbox"
    out.mkdir()
    res = transfer(store, reg.representation, archive=ARCHIVE, out=out, library=LIB_A)
    assert res.refused and "transfer" in res.detail and f"<{ARCHIVE}>" in res.detail
    assert "clause 4.2" in res.detail                       # the ILL rule whose recipient constraint fails
    assert list(out.iterdir()) == []


def test_transfer_allowed_writes_a_valid_bag_and_records_the_event(world, tmp_path):
    import bagit
    store, primary = world
    # the library's own digitisation: its rights statement also allows transfer (LoC act tra)
    from rightsgraph.loading import load_data
    load_data(store, f"""<https://demo.rightsgraph.org/rights/lib-e-gazetteers>
        <http://www.loc.gov/premis/rdf/v3/act> <{EVT}tra> .""".encode(), RdfFormat.TURTLE, name="tra.ttl",
              graph=NamedNode(DEMO + "graph/test-extra"))
    reg = register(store, make_folder(primary, "gaz", {"p1.txt": b"one\n", "sub/p2.txt": b"two\n"}),
                   resource=GAZETTEER, identify="none")
    out = tmp_path / "outbox"
    out.mkdir()
    res = transfer(store, GAZETTEER, archive=ARCHIVE, out=out, library=LIB_E)
    assert not res.refused and (res.files, res.bytes) == (2, 8)
    bag = bagit.Bag(res.bag)
    bag.validate()
    assert bag.info["External-Identifier"] == reg.representation and set(bag.algorithms) == {"sha256", "sha512"}
    assert (out / res.bag.rsplit("/", 1)[-1] / "data" / "sub" / "p2.txt").read_bytes() == b"two\n"
    assert store.query(f"""ASK {{ <{res.event}> a <{EVT}tra> ; <{PROV}used> <{reg.representation}> ;
        <https://w3id.org/rightsgraph/ns#transferredTo> <{ARCHIVE}> }}""")
    with pytest.raises(PreservationError, match="already exists"):   # never written over
        transfer(store, GAZETTEER, archive=ARCHIVE, out=out, library=LIB_E)


def test_cli_migrate_and_transfer_exit_1_when_refused(tmp_path):
    data = tmp_path / "data"
    cli = lambda *a: run_cli(*a, data_dir=data)   # noqa: E731
    assert cli("demo", "--no-serve").returncode == 0
    primary, out = tmp_path / "primary", tmp_path / "out"
    primary.mkdir(), out.mkdir()
    assert cli("preserve", "location", "add", "primary", primary, "--role", "primary").returncode == 0
    make_folder(primary, "j2", {"a.pdf": PDF})
    assert cli("preserve", "add", primary / "j2", "--resource", LICENSED).returncode == 0
    r = cli("preserve", "migrate", LICENSED, primary / "j2-v2", "--library", LIB_A)
    assert r.returncode == 1 and "not permitted" in r.stdout and "Traceback" not in r.stderr
    r = cli("--lang", "zh", "preserve", "transfer", LICENSED, "--archive", ARCHIVE, "--out", out, "--library", LIB_A)
    assert r.returncode == 1 and "已拒绝" in r.stdout and "4.2" in r.stdout
    r = cli("preserve", "transfer", DEMO + "resource/none", "--archive", ARCHIVE, "--out", out, "--library", LIB_A)
    assert r.returncode == 3 and "no preserved object" in r.stderr


@pytest.mark.parametrize("call", ["migrate", "transfer-object", "transfer-archive", "identify", "register",
                                  "acquisition-licence", "acquisition-id", "documents"])
def test_a_malformed_iri_is_refused_by_parameter_name(store, tmp_path, call):
    from rightsgraph.acquisitions import record_stage
    from rightsgraph.preservation.documents import documents
    from rightsgraph.preservation.identify import identify
    from .test_preservation_support import small_world
    small_world(store)
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(store, "primary", primary, "primary")
    bad = "not an iri>"
    before = store.count()
    run, param = {
        "migrate": (lambda: migrate(store, bad, primary / "x", library=LIB_A), "OBJECT"),
        "transfer-object": (lambda: transfer(store, bad, archive=ARCHIVE, out=tmp_path, library=LIB_A), "OBJECT"),
        "transfer-archive": (lambda: transfer(store, LICENSED, archive=bad, out=tmp_path, library=LIB_A), "--archive"),
        "identify": (lambda: identify(store, resource=bad), "--resource"),
        "register": (lambda: register(store, make_folder(primary, "r", {"a": b"a"}), resource=bad), "--resource"),
        "acquisition-licence": (lambda: record_stage(store, "x", "order", "2025-01-01", licence=bad), "--licence"),
        "acquisition-id": (lambda: record_stage(store, "urn:x y", "order", "2025-01-01"), "ID"),
        "documents": (lambda: documents(store, of=bad), "--of"),
    }[call]
    with pytest.raises(PreservationError, match="not an absolute IRI") as exc:
        run()
    assert exc.value.text("en").startswith(param) and "不是绝对 IRI" in exc.value.text("zh")
    assert store.count() == before
