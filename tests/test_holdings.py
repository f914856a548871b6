"""Holdings (holdings.py): identifiers found in real KBART files, coverage by date, volume and
issue, and embargoes as NISO RP-9-2014 6.6.14 defines them (docs/decisions.md)."""

from __future__ import annotations

from datetime import date

import pytest

from rightsgraph.decision_service import DecisionService
from rightsgraph.exchange.kbart import import_kbart
from rightsgraph.holdings import HoldingsIndex, embargo_window
from rightsgraph.identifiers import parse

from .conftest import REPO

KBART = REPO / "tests" / "data" / "kbart"
AR = KBART / "folio_mod-agreements_Testdata_KBART_AnnualReviews.tsv"   # FOLIO mod-agreements test data
AR_PKG = "https://example.org/package/annual-reviews"
EXTRA_PKG = "https://example.org/package/extra"
TODAY = date(2026, 11, 30)


@pytest.fixture
def holdings(store):
    import_kbart(store, AR, package=AR_PKG)
    import_kbart(store, KBART / "monographs_extra.tsv", package=EXTRA_PKG)
    return HoldingsIndex.from_store(store)


def ask(idx, scheme, value, *args, **kw):
    return idx.entitlement(parse(scheme, value), *args, at=TODAY, **kw)


def test_every_identifier_of_the_real_file_finds_its_row(holdings):
    rows = [line.split("\t") for line in AR.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    rows_of: dict = {}
    for n, cells in enumerate(rows):
        for issn in (c for c in cells[1:3] if c not in ("", "n/a")):     # n/a: KBART's placeholder for none
            rows_of.setdefault(issn, set()).add(n)
    by_title_id: dict = {}
    for issn, numbers in rows_of.items():
        found = {h.resource for h in holdings.lookup(parse("issn", issn))}
        assert len(found) == len(numbers), issn       # one resource per row (Cancer Biology has two rows)
        for n in (n for n in numbers if rows[n][11]):
            by_title_id.setdefault(rows[n][11], set()).update(found)
    for title_id, resources in by_title_id.items():
        # a title history (Biophysics: four titles, one title_id and URL) names every row of it
        assert {h.resource for h in holdings.lookup(parse("title_id", title_id))} == resources
        url = f"http://www.annualreviews.org/journal/{title_id}/"
        assert {h.resource for h in holdings.lookup(parse("url", url))} == resources


def test_a_title_history_is_answered_by_the_row_of_that_date(holdings):
    # biophys: 1972-1984, 1985-1991, 1992-2007, 2008- (four titles, four ISSNs)
    e = ask(holdings, "title_id", "biophys", "1990")
    assert e.status == "covered" and len(e.holdings) == 4
    assert e.deciding.holding.title == "Annual Review of Biophysics and Biophysical Chemistry"
    assert e.to_json()["coverage"] == {"start": "1985", "end": "1991", "firstVolume": "14", "firstIssue": None,
                                       "lastVolume": "20", "lastIssue": None, "embargo": None, "depth": "fulltext"}
    assert ask(holdings, "issn", "0883-9182", "2000").deciding.reason == "after-coverage"


def test_date_volume_and_issue_against_the_coverage(holdings):
    # Annual Review of Astronomy and Astrophysics: 1963, vol. 1, to the present
    covered = ask(holdings, "issn", "15454282", "2010-05-01")
    assert covered.status == "covered"
    j = covered.to_json()
    assert j["packages"] == [AR_PKG] and j["coverage"]["start"] == "1963" and j["coverage"]["firstVolume"] == "1"
    assert "1963" in j["en"] and "Annual Review of Astronomy and Astrophysics" in j["en"] and j["zh"]
    before = ask(holdings, "issn", "0066-4146", "1950")
    assert (before.status, before.deciding.reason) == ("not-covered", "before-coverage")
    assert ask(holdings, "issn", "0066-4146", "1963").status == "covered"          # the start year itself
    assert ask(holdings, "issn", "0066-4146", None, volume="0").deciding.reason == "before-coverage"
    # Journal of "Open" Licensing: 1998-03 vol. 12 no. 1 to 2015-12-31 vol. 29 no. 4
    def jol(*a, **k):
        return ask(holdings, "issn", "0317-8471", *a, **k).deciding.reason
    assert jol("1998") == "embargo"           # in the date range (1998 against 1998-03), but R1Y: see below
    assert jol("1998-02") == "before-coverage" and jol("2016-01") == "after-coverage"
    assert jol(None, volume="12", issue="0") == "before-coverage"
    assert jol(None, volume="29", issue="5") == "after-coverage"
    assert jol(None, volume="30") == "after-coverage"


def test_not_held_is_not_an_error(holdings):
    e = ask(holdings, "doi", "10.1146/annurev-astro-081913-040012", "2010")
    assert e.status == "not-held" and e.holdings == [] and "Not held" in e.to_json()["en"]


def test_an_isbn10_finds_the_isbn13_row(holdings):
    e = ask(holdings, "isbn", "0-306-40615-2")
    assert e.status == "covered" and e.to_json()["packages"] == [EXTRA_PKG]


def test_an_identifier_of_two_titles_answers_for_each(holdings):
    # 2049-3630 is the online ISSN of two rows: one full text (ended 2015, R1Y), one abstracts only
    e = ask(holdings, "issn", "2049-3630", "2020")
    assert e.status == "not-covered"
    assert sorted(a.reason for a in e.holdings) == ["abstracts-only", "after-coverage"]


@pytest.mark.parametrize("embargo, available, not_available", [
    # the examples of NISO RP-9-2014 6.6.14, on 30 November 2026
    ("P1Y", [(2025, 12, 31), (1990,)], [(2026, 1, 1), (2026,)]),          # all except the current calendar year
    ("R2Y", [(2025, 1, 1), (2026, 11)], [(2024, 12, 31), (2024,)]),       # the previous and the current year
    ("R180D", [(2026, 6, 3), (2026, 11, 30)], [(2026, 6, 2)]),            # from exactly 180 days ago
    ("P6M", [(2026, 5, 31), (2026, 5)], [(2026, 6, 1), (2026, 11)]),      # except the past 6 calendar months
    ("P30D", [(2026, 10, 31)], [(2026, 11, 1)]),
    ("R10Y;P1Y", [(2017,), (2025, 12)], [(2016, 12), (2026,)]),
])
def test_embargoes_as_kbart_defines_them(embargo, available, not_available):
    first, last = embargo_window(embargo, TODAY)
    from rightsgraph.holdings import _cmp

    def ok(d):
        return (first is None or _cmp(d, first) >= 0) and (last is None or _cmp(d, last) <= 0)
    assert all(ok(d) for d in available), (first, last)
    assert not any(ok(d) for d in not_available), (first, last)


def test_the_index_follows_the_store(store):
    svc = DecisionService(store)
    ident = parse("issn", "1545-4282")
    assert svc.holdings().entitlement(ident).status == "not-held"
    import_kbart(store, AR, package=AR_PKG)
    assert svc.holdings().entitlement(ident).status == "covered"


def test_a_write_that_touches_no_holdings_keeps_the_index_one_that_does_rebuilds_it(store, tmp_path):
    from rightsgraph.identifier_decisions import entitlement_answer
    from rightsgraph.loading import load_files
    from rightsgraph.updating import apply_update
    svc = DecisionService(store)
    ident = parse("issn", "1545-4282")
    import_kbart(store, AR, package=AR_PKG)
    built = svc.holdings()
    assert built.entitlement(ident, "2010").status == "covered"
    assert entitlement_answer(svc, {"issn": "1545-4282"})["licences"] == []
    service = svc._holdings
    # a licence import, then a SPARQL Update of a graph that holds no identifier: same index
    load_files(store, [KBART / "annual-reviews-licence.ttl"], graph="https://example.org/graph/licences")
    apply_update(store, "INSERT DATA { GRAPH <https://example.org/graph/notes> { "
                        "<https://example.org/note/1> <http://purl.org/dc/terms/title> \"a note\" } }")
    assert svc.holdings() is built and service.builds == 1
    # ... while the licences of its answers, which come from the policy index, are current
    assert entitlement_answer(svc, {"issn": "1545-4282"})["licences"] == ["https://example.org/licence/annual-reviews"]
    # the package again without that journal's rows: the next answer says not held
    rows = AR.read_text(encoding="utf-8").splitlines(keepends=True)
    smaller = tmp_path / "ar.tsv"
    smaller.write_text("".join(r for r in rows if "1545-4282" not in r), encoding="utf-8")
    import_kbart(store, smaller, package=AR_PKG)
    assert svc.holdings().entitlement(ident, "2010").status == "not-held" and service.builds == 2
    # an identifier added by hand in a graph that held none before is found
    apply_update(store, "INSERT DATA { GRAPH <https://example.org/graph/notes> { "
                        "<https://example.org/r/1> a <https://w3id.org/rightsgraph/ns#Resource> ; "
                        "<https://w3id.org/rightsgraph/ns#issn> \"1545-4282\" ; "
                        "<http://purl.org/dc/terms/title> \"Annual Review of Astronomy\" } }")
    assert svc.holdings().entitlement(ident, "2010").status == "covered" and service.builds == 3
    # and removed again: that graph now feeds the index, so its change rebuilds it
    apply_update(store, "DELETE WHERE { GRAPH <https://example.org/graph/notes> { "
                        "<https://example.org/r/1> ?p ?o } }")
    assert svc.holdings().entitlement(ident, "2010").status == "not-held" and service.builds == 4


@pytest.mark.parametrize("hidden", [frozenset(), frozenset({"https://example.org/licence/b"})])
def test_a_batch_answer_is_encoded_as_the_answer_byte_for_byte(holdings, hidden):
    import orjson

    from rightsgraph.holdings import BatchEncoder
    rows = [line.split("\t") for line in AR.read_text(encoding="utf-8").splitlines()[1:] if line.strip()]
    asked = [parse("issn", c) for cells in rows for c in cells[1:3] if c not in ("", "n/a")]
    asked += [parse("title_id", "biophys"), parse("isbn", "0-306-40615-2"), parse("doi", "10.1146/not-held")]
    licences = {"https://example.org/licence/a", "https://example.org/licence/b"}
    enc = BatchEncoder(hidden)
    answers = [holdings.entitlement(ident, when, volume, issue, at=TODAY,
                                    licences=lambda r: sorted(licences) if r[-1] in "01234567" else [])
               for ident in asked for when, volume, issue in ((None, None, None), ("1950", None, None),
                                                               ("2015", None, None), (None, "29", "5"))]
    assert {a.status for a in answers} == {"covered", "not-covered", "not-held"}
    assert any(len(a.holdings) > 1 for a in answers) and any(a.deciding and a.deciding.reason for a in answers)
    assert (orjson.dumps([enc.encode(a) for a in answers])
            == orjson.dumps([a.to_json(hidden) for a in answers]))


def test_a_confidential_licence_is_not_named_to_a_reader(store):
    from rightsgraph.identifier_decisions import entitlement_answer
    from rightsgraph.loading import load_files
    import_kbart(store, AR, package=AR_PKG)
    graph = "https://example.org/graph/confidential-licences"
    load_files(store, [KBART / "annual-reviews-licence.ttl"], graph=graph)
    svc = DecisionService(store)
    licence = "https://example.org/licence/annual-reviews"
    ask = {"issn": "1545-4282", "date": "2010"}
    assert entitlement_answer(svc, ask)["licences"] == [licence]
    seen = entitlement_answer(svc, ask, frozenset({graph}))
    assert seen["status"] == "covered" and seen["licences"] == ["(confidential)"]
    assert licence not in str(seen)
    decided = svc.answer(dict(ask, action="read", assignee="https://example.org/party/library-x"), frozenset({graph}))
    assert decided["decision"] == "permit" and licence not in str(decided)


# ----------------------------------------------------------------------- batches
# A batch must answer each item exactly as the item is answered alone (identifier_decisions
# computes what items share once per batch): held, a title history, not covered, embargoed,
# abstracts only, not held, volume/issue, an item's own date or `at`, and every kind of
# malformed item, each answered in its place.
BATCH_SHARED = {"date": "2010", "at": "2026-11-30T12:00:00Z"}
BATCH_ITEMS = [
    "issn:1545-4282", {"issn": "0066-4146", "date": "1950"}, {"title_id": "biophys", "date": "1990"},
    {"issn": "0317-8471", "date": "2015"},                          # in the range, within the R1Y embargo
    {"issn": "0317-8471", "date": "2015", "at": "2015-06-01T00:00:00Z"},   # the same, asked in 2015: covered
    {"issn": "2049-3630", "date": "2020"},                          # two rows: after-coverage, abstracts-only
    "10.1146/not-held", {"doi": "https://doi.org/10.1146/ANNUREV-X.1"}, "http://www.annualreviews.org/journal/anchem/",
    {"isbn": "0-306-40615-2", "date": None}, {"issn": "0317-8471", "date": None, "volume": "29", "issue": "5"},
    "1545-4283", "hello", {"issn": "1545-4282", "target": "https://example.org/x"}, {"date": "2010"},
    {"issn": "1545-4282", "date": "2010-13"}, {"issn": "1545-4282", "at": "yesterday"},
    {"issn": "1545-4282", "issn ": "x", "doi": "10.1146/x"}, {"issn": ["1545-4282", "0066-4146"]},
    {"issn": "1545-4282", "date": ["2010", "2011"]}, {"issn": 15454282}, 7, None, "issn:1545-4282",
    {"title_id": "\ud800astro"},                                   # a lone surrogate: valid JSON, not UTF-8
]


@pytest.fixture(scope="module")
def holdings_server(tmp_path_factory):
    from rightsgraph.loading import load_files
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs

    from .conftest import ServerProcess
    base = tmp_path_factory.mktemp("batch")
    st = EmbeddedStore(base / "store")
    ensure_system_graphs(st)
    import_kbart(st, AR, package=AR_PKG)
    import_kbart(st, KBART / "monographs_extra.tsv", package=EXTRA_PKG)
    load_files(st, [KBART / "annual-reviews-licence.ttl"])
    st.close()
    srv = ServerProcess(base, "serve")
    yield srv
    srv.stop()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_batch_answers_each_item_as_it_is_answered_alone(holdings_server, lang):
    import requests
    url = holdings_server.url + "/api/v1"
    headers = {"Accept-Language": lang}
    got = requests.post(url + "/entitlements", json=dict(BATCH_SHARED, identifiers=BATCH_ITEMS), headers=headers,
                        timeout=120)
    assert got.status_code == 200
    batch = got.json()["entitlements"]
    assert len(batch) == len(BATCH_ITEMS)
    statuses = []
    for i, item in enumerate(BATCH_ITEMS):
        if not isinstance(item, (str, dict)):
            said = {"en": "expected a string or an object", "zh": "应为字符串或对象"}[lang]   # in the caller's language
            assert batch[i] == {"error": f"identifiers[{i}]: {said}"}
            statuses.append("error")
            continue
        alone = dict(BATCH_SHARED, **(item if isinstance(item, dict) else {"id": item}))
        alone = {k: v for k, v in alone.items() if v is not None}
        one = requests.post(url + "/entitlement", json=alone, headers=headers, timeout=60)
        if one.status_code == 200:
            assert batch[i] == one.json(), item
            statuses.append(batch[i]["status"])
        else:
            assert one.status_code == 400, (item, one.text)
            error = one.json()["error"]
            assert batch[i] in ({"error": f"identifiers[{i}].{error}"}, {"error": f"identifiers[{i}]: {error}"}), item
            statuses.append("error")
    assert statuses == [
        "covered", "not-covered", "covered", "not-covered", "covered", "not-covered", "not-held", "not-held",
        "covered", "covered", "not-covered", *["error"] * 12, "covered", "not-held"]
    assert batch[3]["reason"] == "embargo" and batch[2]["coverage"]["start"] == "1985"
    assert batch[0]["licences"] == ["https://example.org/licence/annual-reviews"]
    assert batch[11]["error"].startswith("identifiers[11].id: '1545-4283'")


def test_the_collector_stays_paused_until_the_last_batch_ends():
    import gc
    import threading

    from rightsgraph.holdings import collection_paused
    assert gc.isenabled()
    first_in, second_done = threading.Event(), threading.Event()

    def other_batch():
        with collection_paused():
            first_in.set()
            second_done.wait(10)

    t = threading.Thread(target=other_batch)
    t.start()
    first_in.wait(10)
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()          # the other batch still runs
    second_done.set()
    t.join(10)
    assert gc.isenabled()
    gc.disable()                       # off before: left off
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_batch_can_ask_for_some_fields_only(holdings_server):
    import requests
    url = holdings_server.url + "/api/v1/entitlements"
    body = dict(BATCH_SHARED, identifiers=BATCH_ITEMS)
    full = requests.post(url, json=body, timeout=120).json()["entitlements"]
    for fields in (["status", "resource", "licences"], ["zh", "identifier"], ["holdings"]):
        compact = requests.post(url, json=dict(body, fields=fields), timeout=120).json()["entitlements"]
        assert compact == [a if "error" in a else {k: v for k, v in a.items() if k in fields} for a in full]
    assert compact[0]["holdings"] and list(compact[0]) == ["holdings"]
    for fields, word in ((["status", "title"], "'title'"), ("status", "a list"), ([], "a list")):
        bad = requests.post(url, json=dict(body, fields=fields), timeout=60)
        assert bad.status_code == 400 and bad.json()["error"].startswith("fields:") and word in bad.json()["error"]
    zh = requests.post(url, json=dict(body, fields=["title"]), headers={"Accept-Language": "zh"}, timeout=60)
    assert zh.status_code == 400 and "未知字段 'title'" in zh.json()["error"]
