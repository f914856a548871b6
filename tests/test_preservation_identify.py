"""Registering many files fast: formats left for `preserve identify` (FIDO on a process
pool, committed in batches, resumable), names that cannot be recorded refused, and the
gate's look-up of only the outside nodes giving the same verdict as a full scan."""

from __future__ import annotations

import os

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from rightsgraph.preservation import identify as identify_mod
from rightsgraph.preservation import registry
from rightsgraph.preservation.identify import identify, pending_representations
from rightsgraph.preservation.locations import add_location
from rightsgraph.preservation.messages import PreservationError
from rightsgraph.preservation.registry import register

from .test_preservation_support import PDF, RES, make_folder, small_world

PREMIS = "http://www.loc.gov/premis/rdf/v3/"
RG = "https://w3id.org/rightsgraph/ns#"
FOR = "http://id.loc.gov/vocabulary/preservation/eventType/for"
DCT_FORMAT = "http://purl.org/dc/terms/format"


@pytest.fixture
def world(store, tmp_path):
    small_world(store)
    primary = tmp_path / "primary"
    primary.mkdir()
    add_location(store, "primary", primary, "primary")
    return store, primary


def formats(store) -> dict[str, str]:
    return {r["n"].value: r["fmt"].value for r in store.query(f"""SELECT ?n ?fmt WHERE {{
        ?f <{PREMIS}originalName> ?n ; <{DCT_FORMAT}> ?fmt }}""")}


def identification_events(store, rep: str) -> int:
    return int(next(iter(store.query(f"""SELECT (COUNT(?e) AS ?n) WHERE {{ ?e a <{FOR}> ;
        <http://www.w3.org/ns/prov#used> <{rep}> }}""")))["n"].value)


def test_a_large_registration_defers_formats_and_identify_records_them(world, monkeypatch):
    store, primary = world
    monkeypatch.setattr(registry, "FIDO_INLINE_FILES", 3)          # "large" = more than 3 files here
    monkeypatch.setattr(identify_mod, "POOL_MIN_FILES", 2)         # and FIDO runs on a real process pool
    files = {f"p{i}.pdf": PDF for i in range(4)} | {"notes.txt": b"plain text\n"}
    folder = make_folder(primary, "many", files)
    reg = register(store, folder, resource=RES)
    assert reg.deferred and reg.identified == 0 and formats(store) == {}
    assert pending_representations(store) == [reg.representation]

    res = identify(store, workers=2, batch=2)
    assert (res.representations, res.files) == (1, 5) and res.tool.startswith("fido")
    got = formats(store)
    assert set(got) == set(files)
    assert all(got[f"p{i}.pdf"].startswith("http://www.nationalarchives.gov.uk/pronom/fmt/") for i in range(4))
    assert identification_events(store, reg.representation) == 1
    # done: a second run finds nothing to do
    assert pending_representations(store) == [] and identify(store).representations == 0


def test_a_small_registration_identifies_inline(world):
    store, primary = world
    reg = register(store, make_folder(primary, "few", {"a.pdf": PDF}), resource=RES)
    assert not reg.deferred and reg.identified == 1
    assert identification_events(store, reg.representation) == 1 and pending_representations(store) == []


def test_an_interrupted_identification_resumes_with_the_files_left(world, monkeypatch):
    store, primary = world
    reg = register(store, make_folder(primary, "m", {f"f{i}.pdf": PDF for i in range(4)}), resource=RES,
                   identify="none")
    real = identify_mod._commit_formats
    calls = []

    def stop_after_first(*args, **kw):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kw)
    monkeypatch.setattr(identify_mod, "_commit_formats", stop_after_first)
    with pytest.raises(KeyboardInterrupt):
        identify(store, tool="magic", batch=2)
    assert len(formats(store)) == 2 and identification_events(store, reg.representation) == 0
    monkeypatch.setattr(identify_mod, "_commit_formats", real)
    res = identify(store, tool="magic", batch=2)
    assert res.files == 2 and len(formats(store)) == 4          # only the two left were read
    assert identification_events(store, reg.representation) == 1


def test_a_file_name_that_is_not_utf8_is_refused(world):
    store, primary = world
    folder = make_folder(primary, "odd", {"ok.txt": b"ok"})
    fd = os.open(os.fsencode(folder) + b"/bad-\xff.txt", os.O_WRONLY | os.O_CREAT)
    os.close(fd)
    before = store.count()
    with pytest.raises(PreservationError, match="not valid UTF-8") as exc:
        register(store, folder, resource=RES)
    assert "文件名不是有效的 UTF-8" in exc.value.text("zh")
    assert store.count() == before


def test_looking_up_only_the_outside_nodes_gives_the_full_scan_verdict(world):
    """The gate told which nodes of the new data may already exist (the location) finds
    the same problems as when it scans every IRI of the new data."""
    from rightsgraph.system_graphs import default_gate, ontology_store
    store, _ = world
    loc = NamedNode("urn:rightsgraph:preservation:location:primary")
    g = NamedNode("https://w3id.org/rightsgraph/graph/preservation/objects")
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

    def staged(where):
        c = NamedNode("urn:example:fresh:copy")
        st = Store()
        st.extend([Quad(c, rdf_type, NamedNode(RG + "Copy"), g),
                   Quad(c, NamedNode(RG + "copyOf"), NamedNode("urn:example:fresh:file"), g),
                   Quad(c, NamedNode(PREMIS + "storedAt"), where, g),
                   Quad(c, NamedNode(RG + "copyStatus"), NamedNode(RG + "Intact"), g),
                   Quad(c, NamedNode(RG + "lastChecked"),
                        Literal("2026-01-01T00:00:00Z", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
                        g)])
        return st

    def verdict(where, nodes):
        rep = default_gate().validate(staged(where), context=store, ontology=ontology_store(), context_nodes=nodes)
        return sorted((str(r.focus_node), r.result_path, r.source_constraint_component) for r in rep.results)

    for where in (loc, NamedNode("urn:example:not-a-location")):
        assert verdict(where, [where]) == verdict(where, None)
    full = verdict(loc, None)
    assert any(p == PREMIS + "storedAt" for _f, p, _c in verdict(NamedNode("urn:example:not-a-location"), None))
    assert not any(p == PREMIS + "storedAt" for _f, p, _c in full)    # the stored location passes sh:class
