"""Registering content: files, folders, BagIt bags (validated by bagit) and OCFL objects
(validated by ocfl-py) become PREMIS 3 objects with size, fixity, PRONOM format and one
copy per storage location; anything unreadable or invalid is refused with nothing stored."""

from __future__ import annotations

import hashlib

import pytest

from rightsgraph.loading import LoadRejected
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.messages import PreservationError
from rightsgraph.preservation.registry import register

from .test_preservation_support import PDF, RES, make_folder, small_world

PREMIS = "http://www.loc.gov/premis/rdf/v3/"
RG = "https://w3id.org/rightsgraph/ns#"
HASH = "http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions/"


@pytest.fixture
def world(store, tmp_path):
    small_world(store)
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(store, "primary", primary, "primary")
    return store, primary


def fixities(store, name: str) -> dict[str, str]:
    rows = store.query(f"""SELECT ?alg ?v WHERE {{ ?f <{PREMIS}originalName> "{name}" ; <{PREMIS}fixity> ?fx .
        ?fx a ?alg ; <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?v FILTER(STRSTARTS(STR(?alg), "{HASH}")) }}""")
    return {r["alg"].value[len(HASH):]: r["v"].value for r in rows}


def test_folder_becomes_premis_objects_with_fixity_size_format_and_a_copy(world):
    store, primary = world
    folder = make_folder(primary, "b1", {"a.pdf": PDF, "sub/notes.txt": b"notes\n"})
    reg = register(store, folder, resource=RES)
    assert (reg.kind, reg.files, reg.bytes) == ("folder", 2, len(PDF) + 6)
    assert fixities(store, "a.pdf") == {"sha256": hashlib.sha256(PDF).hexdigest()}
    assert fixities(store, "sub/notes.txt") == {"sha256": hashlib.sha256(b"notes\n").hexdigest()}
    row = next(iter(store.query(f"""SELECT ?size ?fmt ?rep ?res ?status WHERE {{ ?f <{PREMIS}originalName> "a.pdf" ;
        <{PREMIS}size> ?size ; <http://purl.org/dc/terms/format> ?fmt ; <http://purl.org/dc/terms/isPartOf> ?rep .
        ?rep a <{PREMIS}Representation> ; <http://purl.org/dc/terms/isPartOf> ?res .
        ?c <{RG}copyOf> ?f ; <{RG}copyStatus> ?status }}""")))
    assert int(row["size"].value) == len(PDF)
    assert row["fmt"].value.startswith("http://www.nationalarchives.gov.uk/pronom/fmt/")   # a PDF PUID (FIDO)
    assert row["res"].value == RES and row["status"].value == RG + "Intact"
    # an ingestion event about the representation
    assert store.query(f"""ASK {{ ?e a <{PREMIS}Event> , <http://id.loc.gov/vocabulary/preservation/eventType/ing> ;
        <http://www.w3.org/ns/prov#used> <{reg.representation}> ;
        <{PREMIS}outcome> <http://id.loc.gov/vocabulary/preservation/eventOutcome/suc> }}""")


def test_bag_is_validated_and_its_manifest_digests_kept(world):
    import bagit
    store, primary = world
    folder = make_folder(primary, "bag1", {"page1.pdf": PDF, "page2.txt": b"two\n"})
    bagit.make_bag(str(folder), checksums=["sha512", "md5"])
    reg = register(store, folder, resource=RES)
    assert reg.kind == "bag" and "valid BagIt" in reg.validation
    assert fixities(store, "data/page1.pdf") == {"sha256": hashlib.sha256(PDF).hexdigest(),
                                                 "sha512": hashlib.sha512(PDF).hexdigest(),
                                                 "md5": hashlib.md5(PDF).hexdigest()}
    assert reg.files == 2 + len([p for p in folder.iterdir() if p.is_file()])   # payload + tag files
    assert store.query(f"""ASK {{ ?e a <http://id.loc.gov/vocabulary/preservation/eventType/val> ;
        <http://www.w3.org/ns/prov#used> <{reg.representation}> }}""")


def test_unreadable_bag_is_refused_and_nothing_stored(world):
    import bagit
    store, primary = world
    folder = make_folder(primary, "bag2", {"page1.pdf": PDF})
    bagit.make_bag(str(folder), checksums=["sha256"])
    (folder / "data" / "page1.pdf").write_bytes(PDF + b"tampered")
    before = store.count()
    with pytest.raises(PreservationError, match="not a valid BagIt bag"):
        register(store, folder, resource=RES)
    (folder / "bagit.txt").write_bytes(b"\xff\xfe garbage")
    with pytest.raises(PreservationError, match="BagIt"):
        register(store, folder, resource=RES)
    assert store.count() == before


def test_ocfl_object_is_validated_and_its_sha512_kept(world, tmp_path):
    import ocfl
    store, primary = world
    src = make_folder(tmp_path, "src", {"a.txt": b"alpha\n", "b.pdf": PDF})
    ocfl.Object(identifier="urn:example:ocfl:1").create(
        srcdir=str(src), objdir=str(primary / "ocfl1"),
        metadata=ocfl.VersionMetadata(message="ingest", name="Test", address="mailto:t@example.org"))
    reg = register(store, primary / "ocfl1", resource=RES)
    assert reg.kind == "ocfl" and "valid OCFL object urn:example:ocfl:1" in reg.validation
    assert fixities(store, "v1/content/a.txt") == {"sha256": hashlib.sha256(b"alpha\n").hexdigest(),
                                                   "sha512": hashlib.sha512(b"alpha\n").hexdigest()}


def test_damaged_ocfl_object_is_refused(world, tmp_path):
    import ocfl
    store, primary = world
    src = make_folder(tmp_path, "src", {"a.txt": b"alpha\n"})
    ocfl.Object(identifier="urn:example:ocfl:2").create(srcdir=str(src), objdir=str(primary / "ocfl2"))
    (primary / "ocfl2" / "v1" / "content" / "a.txt").write_bytes(b"beta\n")
    before = store.count()
    with pytest.raises(PreservationError, match="not a valid OCFL object"):
        register(store, primary / "ocfl2", resource=RES)
    assert store.count() == before


@pytest.mark.parametrize("case", ["outside", "no-resource", "unknown-resource", "missing-path", "twice"])
def test_refusals_name_the_problem_and_store_nothing(world, tmp_path, case):
    store, primary = world
    folder = make_folder(primary, "b1", {"a.txt": b"a"})
    if case == "twice":
        register(store, folder, resource=RES)
    before = store.count()
    args = {"outside": (make_folder(tmp_path, "elsewhere", {"x": b"x"}), RES, "not inside any storage location"),
            "no-resource": (folder, None, "--resource IRI is needed"),
            "unknown-resource": (folder, "https://lib.example/res/none", "not a resource in the store"),
            "missing-path": (primary / "nope", RES, "no such file or folder"),
            "twice": (folder, RES, "already registered")}[case]
    with pytest.raises(PreservationError, match=args[2]):
        register(store, args[0], resource=args[1])
    assert store.count() == before


def test_store_backup_needs_no_resource(world):
    store, primary = world
    folder = make_folder(primary, "backup-2026-11-30", {"store.nq.gz": b"\x1f\x8b fake", "MANIFEST": b"x  y\n"})
    reg = register(store, folder, resource=None, kind="store-backup")
    assert reg.kind == "store-backup" and reg.files == 2


def test_shapes_reject_a_malformed_copy(world):
    from pyoxigraph import Literal, NamedNode, Quad
    from rightsgraph.preservation.commit import commit
    from rightsgraph.preservation.vocab import OBJECTS_GRAPH
    store, _ = world
    c, g = NamedNode("urn:example:copy"), OBJECTS_GRAPH
    with pytest.raises(LoadRejected):
        commit(store, [Quad(c, NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(RG + "Copy"), g),
                       Quad(c, NamedNode(RG + "copyStatus"), Literal("fine"), g)], agent="t", via="test")
