"""The librarian's pages on the demo world (a real store; Flask's test client):
search, resource page, licences, compare, decision form. Confidentiality against a
real server: tests/integration/test_confidential_leaks.py."""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

import pytest
from markupsafe import escape

from rightsgraph.decision_service import DecisionService

DEMO = "https://demo.rightsgraph.org/"
ATMOS = DEMO + "resource/0003"          # 大气科学进展 / Progress in Atmospheric Sciences, ISSN 1157-3570
EEJ = DEMO + "resource/0002"            # 亚洲电子工程杂志, ISSN 1457-3644, package aldgate-stm-journals (L01)
L01, L02 = DEMO + "licence/L01", DEMO + "licence/L02"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app

    from .conftest import load_demo_world
    store = load_demo_world(EmbeddedStore(tmp_path_factory.mktemp("web-pages") / "store"))
    return store, create_app(store)


def _get(app, url, lang="en"):
    resp = app.test_client().get(url, headers={"Accept-Language": lang})
    return resp.status_code, resp.get_data(as_text=True)


def _hits(page: str) -> list[str]:
    return re.findall(r'<a href="/resource\?iri=([^"]+)">', page)


def test_search_finds_a_chinese_title_by_chinese_words(demo):
    status, page = _get(demo[1], "/search?" + urlencode({"q": "大气科学"}), "zh")
    assert status == 200 and "大气科学进展" in page
    assert html.unescape(_hits(page)[0]).replace("%3A", ":").replace("%2F", "/") == ATMOS


@pytest.mark.parametrize("q", ["1157-3570", "11573570", "PROGRESS atmospheric", "大气 进展"])
def test_search_by_identifier_with_or_without_hyphens_and_by_every_word(demo, q):
    from rightsgraph.web.search import search
    assert search(demo[0], q) == [ATMOS]


def test_search_by_publisher_and_by_package(demo):
    from rightsgraph.web.search import search
    by_package = set(search(demo[0], "Aldgate STM Journals Collection"))
    assert EEJ in by_package and ATMOS in by_package
    assert set(search(demo[0], "奥尔德盖特")) >= by_package      # the publisher's Chinese name, the package's title
    assert search(demo[0], "no-such-words-anywhere") == []


def test_the_resource_page_answers_each_use_as_the_decision_service_does(demo):
    store, app = demo
    status, page = _get(app, "/resource?" + urlencode({"iri": EEJ}))
    assert status == 200 and "Asian Journal of Electronic Engineering" in page and "1457-3644" in page
    rows = re.findall(r'<tr data-decision="(\w+)">\s*<td>([^<]+)</td>', page)
    verdicts = {label: d for d, label in rows}
    svc = DecisionService(store)
    users, library = DEMO + "party/dalc-authorised-users", DEMO + "party/dalc"   # what L01 names
    expect = lambda assignee, **p: svc.answer({"target": EEJ, "assignee": assignee, **p})["decision"]
    assert verdicts["Read"] == expect(users, action="read") == "permit"
    assert verdicts["Interlibrary loan: Email"] == expect(
        library, action="distribute", **{"delivery-channel": "rg:Email"}) == "deny"
    assert verdicts["Interlibrary loan: Secure electronic transmission"] == "permit"
    assert len(rows) == 10
    assert "4.3" in page and "Articles shall not be supplied by electronic mail." in page   # the deciding clause
    assert "DALC - Aldgate STM Journals consortium agreement 2025-2027" in page               # the licence that applies


def test_the_resource_page_asks_for_the_party_chosen(demo):
    _, page = _get(demo[1], "/resource?" + urlencode({"iri": EEJ, "users": DEMO + "party/dalc-walk-in-users"}))
    read = re.search(r'<tr data-decision="(\w+)">\s*<td>Read</td>', page).group(1)
    assert read == "deny"   # walk-in users read on the premises only: no location given


def test_a_resource_that_does_not_exist_is_404(demo):
    status, page = _get(demo[1], "/resource?" + urlencode({"iri": DEMO + "resource/nope"}), "zh")
    assert status == 404 and "没有关于" in page


def test_the_licence_page_shows_every_term_with_clause_number_and_text(demo):
    from rightsgraph.licences.termsheet import licence_from_store
    store, app = demo
    sheet = licence_from_store(store, L01)
    status, page = _get(app, "/licence?" + urlencode({"iri": L01}))
    assert status == 200
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td>", page.split('id="terms"')[1])
    assert len(rows) == len(sheet["terms"])
    for t in sheet["terms"]:
        if t.get("clause"):
            assert f"<tr><td>{t['clause']}</td>" in page
        if t.get("text"):
            assert str(escape(t["text"])) in page
    _, zh = _get(app, "/licence?" + urlencode({"iri": L01}), "zh")
    assert "馆际互借：安全电子传递" in zh and "有效" in zh           # term names and status in Chinese


def test_the_licence_list_links_every_licence(demo):
    from rightsgraph.licences.registry import licence_iris
    _, page = _get(demo[1], "/licences")
    for iri in licence_iris(demo[0]):
        assert f'value="{iri}"' in page


def test_the_licence_list_comes_in_pages_and_filters_by_status(demo, monkeypatch):
    """A library with 10,000 licences gets them a page at a time (100 by default; 3 here, for
    the demo's ten), filtered by status, with links to the pages before and after."""
    from rightsgraph.licences.registry import licence_iris
    from rightsgraph.web import licence_pages
    monkeypatch.setattr(licence_pages, "PER_PAGE", 3)
    every = sorted(licence_iris(demo[0]))
    seen = []
    for n in range(1, 5):
        status, page = _get(demo[1], f"/licences?page={n}")
        assert status == 200
        shown = re.findall(r'name="l" value="([^"]+)"', page)
        assert len(shown) == (3 if n < 4 else len(every) - 9)
        seen += shown
        assert f"Licences {3 * n - 2}–{3 * n - 3 + len(shown)} of {len(every)}" in page
        assert ('rel="prev"' in page) == (n > 1) and ('rel="next"' in page) == (n < 4)
    assert sorted(seen) == every                                        # each licence on one page, once
    status, active = _get(demo[1], "/licences?status=expired")
    assert status == 200 and "lic:L05" not in active and "/licence?iri=https%3A//demo.rightsgraph.org/licence/L05" in active
    assert len(re.findall(r'name="l" value="', active)) == 1            # L05 is the demo's one expired licence
    status, zh = _get(demo[1], "/licences?page=2", "zh")
    assert "许可协议第 4–6 份，共 10 份" in zh and "下一页" in zh and "上一页" in zh
    for url, lang, words in (("/licences?page=9", "en", "Parameter page must be a whole number from 1 to 4: 9"),
                             ("/licences?page=x", "zh", "参数 page 必须是 1 到 4 之间的整数：x"),
                             ("/licences?status=lapsed", "en", "Unknown licence status lapsed")):
        status, page = _get(demo[1], url, lang)
        assert status == 400 and words in page, url


def test_compare_puts_licences_side_by_side_and_marks_differences(demo):
    status, page = _get(demo[1], "/licences/compare?" + urlencode([("l", L01), ("l", L02)]))
    assert status == 200
    table = page.split('id="compare"')[1]
    assert table.count("<th scope=\"col\">") == 3                  # the term column and two licences
    differing = table.count('class="differs"')
    assert 0 < differing < table.count("<tr")  - 4           # the header and licence rows never differ
    assert re.search(r'<tr>\s*<th scope="row">Archiving rights</th>', table)   # both permit archiving alike
    status, one = _get(demo[1], "/licences/compare?" + urlencode([("l", L01)]))
    assert status == 200 and "Choose at least two licences." in one


def test_the_decision_form_round_trips_every_context_as_the_api_does(demo):
    store, app = demo
    form = {"target": EEJ, "action": "print", "assignee": DEMO + "party/dalc-authorised-users",
            "count": "60", "publication-year": "2020", "location": "https://w3id.org/rightsgraph/ns#OnPremises"}
    status, page = _get(app, "/decide?" + urlencode(form))
    assert status == 200
    verdict = re.search(r'data-decision="(\w+)" data-reason="([\w-]+)"', page).groups()
    api = app.test_client().get("/api/v1/decision?" + urlencode(
        {"target": EEJ, "action": "print", "assignee": form["assignee"],
         "context": ["count=60", "rg:publicationYear=2020", "virtualLocation=" + form["location"]]}, doseq=True)).json
    assert verdict == (api["decision"], api["reason"]) == ("deny", "constraint-unsatisfied")  # 60 > 50 prints
    ok = re.search(r'data-decision="(\w+)"', _get(app, "/decide?" + urlencode(dict(form, count="3")))[1]).group(1)
    assert ok == "permit"
    # the form keeps every field, so the shareable link asks the same question again
    for name, value in form.items():
        assert f'value="{html.escape(value)}"' in page or f'value="{html.escape(value)}" selected' in page, name
    assert "/decide?" + html.escape(urlencode(form)) in page


def test_the_decision_form_lists_resources_and_parties_by_name(demo):
    _, page = _get(demo[1], "/decide", "zh")
    assert f'<option value="{EEJ}">亚洲电子工程杂志</option>' in page
    assert f'<option value="{DEMO}party/lib-a">京海大学图书馆</option>' in page


def test_every_page_is_bilingual(demo):
    for url in ("/", "/search?q=journal", "/licences", "/decide", "/reports",
                "/resource?" + urlencode({"iri": EEJ}), "/licence?" + urlencode({"iri": L01})):
        _, en = _get(demo[1], url, "en")
        _, zh = _get(demo[1], url, "zh")
        assert '<html lang="en">' in en and '<html lang="zh-Hans">' in zh, url
        assert en.count("<") == zh.count("<") or url.startswith("/decide"), url
        nav_en = re.search(r'<nav aria-label="Main">.*?</nav>', en, re.S).group(0)
        nav_zh = re.search(r'<nav aria-label="主导航">.*?</nav>', zh, re.S).group(0)
        assert "Licences" in nav_en and "许可协议" in nav_zh, url


def test_the_decision_form_asks_by_identifier(demo):
    """The form's identifier field goes through the holdings, as `check --issn` does: the
    demo's Electronic Engineering Letters (ISSN 2880-2551) under perpetual access."""
    _, app = demo
    base = ("/decide?action=read&assignee=https%3A%2F%2Fdemo.rightsgraph.org%2Fparty%2Fuser-li-ming"
            "&at=2028-06-01T10%3A00%3A00Z&id=")

    def verdict(url, lang="en"):
        status, page = _get(app, url, lang)
        assert status == 200
        found = re.search(r'data-decision="([\w-]+)" data-reason="([\w-]+)"', page)
        return (found.groups() if found else None), page

    assert verdict(base + "issn%3A2880-2551&publication-year=2025")[0] == ("permit", "permitted")
    assert verdict(base + "2880-2551&publication-year=2019")[0] == ("deny", "constraint-unsatisfied")
    got, page = verdict(base + "issn%3A0378-5955", "zh")
    assert got == ("not-held", "identifier-not-held") and "本馆没有收藏带此标识符的资源" in page
    got, page = verdict(base + "issn%3A2880-2552")
    assert got is None and 'class="error"' in page and "2880-2552" in page     # a bad check digit, named
