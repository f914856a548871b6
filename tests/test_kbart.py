"""KBART import/export (docs/exchange.md): the real Annual Reviews sample round-trips, bad
rows are reported by line and column, the import goes through the gate with provenance."""

from __future__ import annotations

from pathlib import Path

import pytest

from rightsgraph.exchange import kbart
from rightsgraph.exchange.kbart import KBART_COLUMNS, KbartRejected, export_kbart, import_kbart, read_kbart
from rightsgraph.namespaces import PROVENANCE_GRAPH

from .conftest import REPO, run_cli

DATA = REPO / "tests" / "data" / "kbart"
SAMPLE_NAME = "folio_mod-agreements_Testdata_KBART_AnnualReviews.tsv"
PKG = "https://example.org/package/annual-reviews"


@pytest.fixture
def sample(conformance) -> Path:
    return conformance / "samples" / SAMPLE_NAME


def normalised_rows(path: Path) -> list[dict[str, str]]:
    """The file's data rows as the import reads them (documented normalisation: cells
    trimmed, CSV quotes removed, n/a read as empty, blank rows dropped)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split("\t")
    out = []
    for line in lines[1:]:
        cells = [kbart._cell(c) for c in line.split("\t")]
        if any(cells):
            out.append(dict(zip(header, cells)))
    return out


def exported_rows(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "", "the file ends with a newline"
    header = lines[0].split("\t")
    rows = [dict(zip(header, line.split("\t"))) for line in lines[1:-1]]
    assert all(len(line.split("\t")) == len(header) for line in lines[1:-1])
    return header, rows


def test_check_digits():
    assert kbart.issn_check_digit("0317847") == "1"
    assert kbart.issn_check_digit("2434561") == "X"          # 2434-561X
    assert kbart.isbn_check_digit("030640615") == "2"         # 0-306-40615-2
    assert kbart.isbn_check_digit("978030640615") == "7"      # 978-0-306-40615-7


def test_sample_reads_cleanly(sample):
    parsed = read_kbart(sample.read_bytes(), str(sample))
    assert parsed.errors == []
    assert len(parsed.rows) == 71
    assert parsed.blank_lines == 73           # 70 empty rows and 3 rows holding one space
    assert parsed.missing_columns == []
    by_line = {r.line: r for r in parsed.rows}
    assert by_line[21].cells["publication_title"] == "Annual Review of Control, Robotics, and Autonomous Systems"
    assert by_line[7].cells["print_identifier"] == ""       # "n/a"


def test_sample_round_trips_cell_by_cell(store, sample):
    result = import_kbart(store, sample, package=PKG)
    assert result.imported == 71 and result.skipped == []
    header, rows = exported_rows(export_kbart(store, PKG))
    assert header == list(KBART_COLUMNS)
    source = normalised_rows(sample)
    assert len(rows) == len(source) == 71
    for i, (got, want) in enumerate(zip(rows, source)):
        for col in KBART_COLUMNS:
            assert got[col] == want[col], f"row {i + 1}, {col}: {got[col]!r} != {want[col]!r}"


def test_sample_rdf(store, sample):
    import_kbart(store, sample, package=PKG, package_title="Annual Reviews (all journals)")
    def q(text):
        r = store.query("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX dct: <http://purl.org/dc/terms/> "
                        "PREFIX odrl: <http://www.w3.org/ns/odrl/2/> PREFIX dcat: <http://www.w3.org/ns/dcat#> " + text)
        return bool(r) if text.startswith("ASK") else list(r)
    assert q(f"ASK {{ <{PKG}> a rg:Package ; dct:title 'Annual Reviews (all journals)' }}")
    [row] = q(f"SELECT (COUNT(?r) AS ?n) WHERE {{ ?r a rg:Resource ; odrl:partOf <{PKG}> }}")
    assert int(row["n"].value) == 71
    [r] = q("SELECT ?r ?start ?pub WHERE { ?r rg:issn '1936-122X' ; rg:coverage ?c ; dct:publisher ?pub ; "
            "rg:resourceType rg:EJournal . ?c dcat:startDate ?start }")
    assert r["start"].value == "2008" and r["start"].datatype.value.endswith("gYear")
    assert q(f"ASK {{ <{r['pub'].value}> a rg:Publisher ; <http://xmlns.com/foaf/0.1/name> 'Annual Reviews' }}")
    # free (F) coverage is COAR open access
    [row] = q("SELECT (COUNT(*) AS ?n) WHERE { ?c dct:accessRights <http://purl.org/coar/access_right/c_abf2> }")
    assert int(row["n"].value) == 6


def test_reimport_replaces_and_is_idempotent(store, sample):
    first = import_kbart(store, sample, package=PKG)
    n = store.count(first.graph)
    again = import_kbart(store, sample, package=PKG)
    assert store.count(again.graph) == n
    [row] = store.query(f"SELECT (COUNT(?a) AS ?n) WHERE {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ "
                        "?a <https://w3id.org/rightsgraph/ns#loadChannel> 'kbart' } }")
    assert int(row["n"].value) == 2


def test_provenance_names_the_file_and_its_digest(store, sample):
    import hashlib
    import_kbart(store, sample, package=PKG, agent="erm-librarian")
    digest = hashlib.sha256(sample.read_bytes()).hexdigest()
    assert store.query(f"ASK {{ GRAPH <{PROVENANCE_GRAPH.value}> {{ ?a <http://www.w3.org/ns/prov#used> ?e . "
                       f"?e <http://www.loc.gov/premis/rdf/v3/originalName> '{SAMPLE_NAME}' ; "
                       f"<http://www.loc.gov/premis/rdf/v3/fixity> ?f . ?f <http://www.w3.org/1999/02/22-rdf-syntax-ns#value> '{digest}' }} }}")


def test_monographs_extras_and_publisher_link(store):
    from rightsgraph.loading import load_data
    from pyoxigraph import NamedNode, RdfFormat
    load_data(store, b'<https://example.org/pub/society> a <https://w3id.org/rightsgraph/ns#Publisher> ; '
                     b'<http://xmlns.com/foaf/0.1/name> "Example Society" .', RdfFormat.TURTLE, name="pub.ttl",
              graph=NamedNode("https://example.org/graph/parties"))
    path = DATA / "monographs_extra.tsv"
    result = import_kbart(store, path, package="https://example.org/package/mixed")
    assert result.imported == 3
    header, rows = exported_rows(export_kbart(store, "https://example.org/package/mixed"))
    assert header == list(KBART_COLUMNS) + ["access_start_date", "list_price_usd", "package_isil"]
    source = normalised_rows(path)
    for got, want in zip(rows, source):
        for col, value in want.items():
            assert got[col] == value, col
    # an existing rg:Publisher with that foaf:name is linked, not duplicated
    assert store.query("ASK { ?r <http://purl.org/dc/terms/publisher> <https://example.org/pub/society> ; "
                       "<https://w3id.org/rightsgraph/ns#issn> '0317-8471' }")
    assert store.query("ASK { ?r <https://w3id.org/rightsgraph/ns#isbn> '978-0-306-40615-7' ; "
                       "<https://w3id.org/rightsgraph/ns#resourceType> <https://w3id.org/rightsgraph/ns#EBook> }")


def test_bad_rows_are_named_by_line_and_column(store):
    path = DATA / "bad_rows.tsv"
    before = store.count()
    with pytest.raises(KbartRejected) as info:
        import_kbart(store, path, package=PKG)
    assert store.count() == before
    found = {(e.line, e.column, e.code) for e in info.value.errors}
    assert found == {
        (3, "publication_title", "title"),
        (4, "print_identifier", "issn_check"),
        (5, "online_identifier", "isbn_check"),
        (6, "date_first_issue_online", "date"),
        (7, None, "columns"),
        (8, "access_type", "access_type"),
        (8, "embargo_info", "embargo"),
    }
    text = [e.format(str(path)) for e in info.value.errors]
    assert f"{path}:4: print_identifier '0317-8472': wrong ISSN check digit (expected 1)" in text


def test_skip_invalid_imports_the_rest(store):
    result = import_kbart(store, DATA / "bad_rows.tsv", package=PKG, skip_invalid=True)
    assert result.imported == 2
    assert sorted({e.line for e in result.skipped}) == [3, 4, 5, 6, 7, 8]
    _, rows = exported_rows(export_kbart(store, PKG))
    assert [r["publication_title"] for r in rows] == ["Good Journal", "Another Good One"]


def test_not_kbart(store, tmp_path):
    bad = tmp_path / "x.tsv"
    bad.write_bytes(b"title\tissn\nfoo\tbar\n")
    with pytest.raises(kbart.KbartFileError, match="no KBART header"):
        import_kbart(store, bad, package=PKG)
    bad.write_bytes("publication_title\n\xe9t\xe9\n".encode("latin-1"))
    with pytest.raises(kbart.KbartFileError, match=":2: not UTF-8"):
        import_kbart(store, bad, package=PKG)


def test_cli_import_export(tmp_path, sample):
    data_dir = tmp_path / "store"
    out = run_cli("kbart", "import", sample, "--package", PKG, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert f"imported 71 title(s) into <{PKG}>" in out.stdout
    target = tmp_path / "out.tsv"
    out = run_cli("kbart", "export", "--package", PKG, "-o", target, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert target.read_bytes().split(b"\n", 1)[0] == "\t".join(KBART_COLUMNS).encode()
    bad = run_cli("kbart", "import", DATA / "bad_rows.tsv", "--package", PKG, data_dir=data_dir)
    assert bad.returncode == 1
    assert "bad_rows.tsv:3: publication_title: the title is empty" in bad.stderr
    assert "rejected: 6 invalid row(s); nothing was imported" in bad.stderr
    skip = run_cli("kbart", "import", DATA / "bad_rows.tsv", "--package", PKG, "--skip-invalid", data_dir=data_dir)
    assert skip.returncode == 0, skip.stderr
    assert "skipped 6 invalid row(s)" in skip.stderr and "imported 2 title(s)" in skip.stdout


@pytest.mark.server
def test_round_trip_on_a_remote_store(remote_store, sample):
    """The same import/export against `oxigraph serve` through the remote store adapter."""
    import_kbart(remote_store, sample, package=PKG)
    _, rows = exported_rows(export_kbart(remote_store, PKG))
    source = normalised_rows(sample)
    assert [[r[c] for c in KBART_COLUMNS] for r in rows] == [[r[c] for c in KBART_COLUMNS] for r in source]


def test_bom_crlf_and_messages_in_chinese():
    header = "\t".join(KBART_COLUMNS)
    good = dict.fromkeys(KBART_COLUMNS, "")
    good.update(publication_title="标题\u2028续", print_identifier="03178471", publication_type="Serial", access_type="f")
    bad = dict(good, print_identifier="0317-8472")
    data = ("\ufeff" + header + "\r\n" + "\t".join(good.values()) + "\r\n" + "\t".join(bad.values()) + "\r\n").encode()
    parsed = read_kbart(data, "x.tsv")
    [row] = parsed.rows
    assert row.line == 2 and row.cells["publication_title"] == "标题\u2028续"
    assert (row.cells["print_identifier"], row.cells["publication_type"], row.cells["access_type"]) == \
        ("0317-8471", "serial", "F")
    [err] = parsed.errors
    assert err.format("x.tsv", "zh") == "x.tsv:3: print_identifier '0317-8472': ISSN 校验位错误（应为 1）"
