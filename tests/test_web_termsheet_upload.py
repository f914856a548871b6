"""Uploading a term sheet from the browser (/licences/upload, web/termsheet_upload.py): the
validation report first and nothing stored, then stored only when confirmed; cataloguers only;
bad files get a clear error naming the file, the key or the row."""

from __future__ import annotations

import base64
import io
import re

import pytest

from .conftest import REPO

SHEET = (REPO / "data" / "demo" / "termsheets" / "L03.yaml").read_text(encoding="utf-8")
NEW = SHEET.replace("L03", "L99")          # a licence the store does not hold yet
L99 = "https://demo.rightsgraph.org/licence/L99"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from rightsgraph.accounts import Accounts
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app

    from .conftest import load_demo_world
    base = tmp_path_factory.mktemp("upload")
    store = load_demo_world(EmbeddedStore(base / "store"))
    token = Accounts(base / "accounts.json").add("librarian", "cataloguer")
    reader = Accounts(base / "accounts.json").add("visitor", "reader")
    app = create_app(store, settings={"RG_ACCOUNTS_FILE": str(base / "accounts.json"), "RG_QUERY_TIMEOUT": 0})
    return store, app.test_client(), {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {reader}"}


def _holds(store, iri: str) -> bool:
    return bool(store.query(f"ASK {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}"))


def _count(store) -> int:
    return next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))["n"].value


def _upload(client, headers, name: str, data: bytes, lang="en"):
    resp = client.post("/licences/upload", data={"sheet": (io.BytesIO(data), name)},
                       headers={**headers, "Accept-Language": lang}, content_type="multipart/form-data")
    return resp.status_code, resp.get_data(as_text=True)


def test_only_cataloguers_may_upload(world):
    _, client, _, reader = world
    resp = client.get("/licences/upload", headers={"Accept-Language": "zh"})
    assert resp.status_code == 401 and "编目员角色" in resp.get_data(as_text=True)
    status, page = _upload(client, reader, "L99.yaml", NEW.encode())
    assert status == 403 and "cataloguer role" in page


def test_a_valid_sheet_is_reported_and_not_stored_until_confirmed(world):
    store, client, cat, _ = world
    before = _count(store)
    status, page = _upload(client, cat, "L99.yaml", NEW.encode(), lang="zh")
    assert status == 200 and 'data-stage="valid"' in page and "条款表有效" in page
    assert "数据符合全部 SHACL 约束" in page or "违规" not in page
    assert not _holds(store, L99) and _count(store) == before           # nothing stored yet
    sheet64 = re.search(r'name="sheet64" value="([^"]+)"', page).group(1)
    assert base64.b64decode(sheet64).decode("utf-8") == NEW              # sent back byte for byte
    resp = client.post("/licences/upload", data={"name": "L99.yaml", "sheet64": sheet64, "confirm": "1"}, headers=cat)
    assert resp.status_code == 200 and 'data-stage="stored"' in resp.get_data(as_text=True)
    assert _holds(store, L99) and _count(store) > before
    # the provenance record names the file as uploaded, with its digest
    import hashlib
    digest = hashlib.sha256(NEW.encode()).hexdigest()
    assert store.query(f'ASK {{ GRAPH ?g {{ ?s ?p ?o FILTER(CONTAINS(STR(?o), "{digest}")) }} }}')


@pytest.mark.parametrize("name, data, status, words", [
    ("L98.yaml", SHEET.replace("L03", "L98").replace("status: active", "status: happy").encode(), 422,
     "invalid licence status 'happy'"),
    ("L98.yaml", b"licence: [unclosed", 422, "not valid YAML"),
    ("L98.csv", b"field,value,colour\nlicence,lic:L98,red\n", 422, "unknown column(s) colour"),
    ("L98.yaml", SHEET.replace("L03", "L98").encode("utf-16"), 400, "L98.yaml: not UTF-8 text"),
    ("L98.txt", NEW.encode(), 400, "L98.txt: a term sheet is a .yaml, .yml or .csv file"),
])
def test_a_bad_sheet_is_refused_with_a_clear_error_and_nothing_stored(world, name, data, status, words):
    store, client, cat, _ = world
    before = _count(store)
    got, page = _upload(client, cat, name, data)
    assert got == status and words in page.replace("&#39;", "'").replace("&#34;", '"'), page[-1500:]
    assert _count(store) == before and not _holds(store, "https://demo.rightsgraph.org/licence/L98")


def test_a_sheet_the_shapes_reject_shows_the_gates_report(world):
    """A licensor that is a user category compiles, but the shapes want a party (odrl:assigner)."""
    store, client, cat, _ = world
    before = _count(store)
    wrong = NEW.replace("L99", "L97").replace("licensor: party:pasas", "licensor: party:lib-a-authorised-users")
    for lang, words in (("en", "[Violation]"), ("zh", "[违规]")):
        status, page = _upload(client, cat, "L97.yaml", wrong.encode(), lang=lang)
        assert status == 422 and 'data-stage="rejected"' in page and words in page and "odrl:assigner" in page
        assert 'name="sheet64"' not in page                       # nothing to confirm
    assert _count(store) == before and not _holds(store, "https://demo.rightsgraph.org/licence/L97")
