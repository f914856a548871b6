"""The preservation report as a page (issue 15, on issue 7's report): tables with CSV, a
chart, in both languages, for readers as the JSON report is. The demo world with its
preserved content (two storage locations, a bag, an OCFL object, a folder of scans; an
audit that found a corrupted byte, and the repair): what `make demo` serves."""

from __future__ import annotations

import html
import re

import pytest

from .test_web_report_pages import _csv, _get, _table


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from rightsgraph.demo import load_demo, load_demo_content
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    store = EmbeddedStore(tmp_path_factory.mktemp("preservation-page") / "store")
    load_demo(store)
    load_demo_content(store, say=lambda line: None)
    from rightsgraph.accounts import Accounts
    accounts = store.path.parent / "accounts.json"
    token = Accounts(accounts).add("librarian", "cataloguer")
    app = create_app(store, settings={"RG_QUERY_TIMEOUT": 0, "RG_ACCOUNTS_FILE": str(accounts)})
    return store, app.test_client(), {"Authorization": f"Bearer {token}"}


def test_the_preservation_report_is_a_page_readers_may_open_with_its_chart(world):
    """Issue 15: the preservation report (issue 7's) as tables with CSV and a chart, not only
    JSON; readers may see it as they may the JSON report (no prices or terms in it)."""
    store, client, _ = world
    report = client.get("/api/v1/reports/preservation").get_json()
    assert report["copies"] > 0, "the demo preserves its content in two locations"
    for lang, title, heading in (("en", "<h1>Preservation</h1>", "Copies by storage location"),
                                 ("zh", "<h1>长期保存</h1>", "各存储位置的副本")):
        status, page, _ = _get(client, "/reports/preservation", lang=lang)
        assert status == 200 and title in page and heading in page
    heads, rows = _table(page, "locations")
    assert heads[:2] == ["存储位置", "副本"] and "完好" in heads
    shown = {r[0]: int(r[1]) for r in rows}
    assert shown == {where: sum(n.values()) for where, n in report["copies_by_location"].items()}
    downloaded = _csv(client, "/reports/preservation?format=csv&table=locations", {})
    assert downloaded[0][:2] == ["location", "copies"] and [r[0] for r in downloaded[1:]] == [r[0] for r in rows]
    heads, rows = _table(page, "copies")
    assert {int(r[0]): int(r[1]) for r in rows} == {int(k): v for k, v in report["files_by_number_of_copies"].items()}
    counts = re.findall(r"· ([^<]*)</p>", page)           # each table says how many rows, in Chinese
    assert f"{len(rows)} 行" in counts
    english = _get(client, "/reports/preservation", lang="en")[1]
    assert f"{len(rows)} row{'' if len(rows) == 1 else 's'}" in re.findall(r"· ([^<]*)</p>", english)
    chart = html.unescape(re.search(r'<img src="([^"]+\.svg[^"]*)"', page).group(1))
    assert chart == "/api/v1/reports/preservation.svg?lang=zh"
    svg = client.get(chart).get_data(as_text=True)
    texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
    assert "保存副本 Preservation copies" in texts and "完好 intact" in texts
    assert set(report["copies_by_location"]) <= texts                  # each location a bar
    # the reports page links it as a page now, not as JSON
    listing = _get(client, "/reports")[1]
    assert 'href="/reports/preservation"' in listing


def test_the_preservation_api_refuses_a_library_that_is_no_iri_in_both_languages(world):
    _, client, _ = world
    resp = client.get("/api/v1/reports/preservation?library=not%20an%20iri")
    assert resp.status_code == 400
    body = resp.get_json()
    assert "not an absolute IRI" in body["en"] and "不是绝对 IRI" in body["zh"]
    # a 50,000-character value is quoted cut short, not sent back whole (decisions too)
    for url in ("/api/v1/reports/preservation?library=", "/api/v1/decision?action=read&target="):
        resp = client.get(url + "x" * 50_000)
        assert resp.status_code == 400 and len(resp.data) < 3_000, len(resp.data)
        assert "x" * 150 + "…" in resp.get_json()["error"]


def test_a_resource_page_shows_its_preservation_and_its_usage(world):
    """Issue 15's resource page: "preservation status and usage where those exist"."""
    from rightsgraph.preservation.report import preserved_resources, resource_preservation
    store, client, cat = world
    preserved = preserved_resources(store)[0]
    facts = resource_preservation(store, preserved)
    for lang, heading, state in (("en", ">Preservation</h2>", "intact"), ("zh", ">长期保存</h2>", "完好")):
        status, page, _ = _get(client, "/resource?iri=" + preserved, lang=lang)
        assert status == 200 and heading in page
        copies = re.findall(r'<tr data-state="(\w+)"><td>([^<]*)</td><td>([^<]*)</td><td class="num">(\d+)</td>', page)
        assert [(s, where, int(n)) for s, where, _, n in copies] == [
            (c["status"], c["location"], c["copies"]) for c in facts["copies"]]
        assert all(shown == state for _, _, shown, _ in copies)

    # usage: the store's per-title sums, once a report has brought them up to date
    rep = client.get("/api/v1/reports/cost-per-use", headers=cat).get_json()
    title = next(t for t in rep["titles"] if t["uses"])
    page = _get(client, "/resource?iri=" + title["iri"], cat)[1]
    usage = re.search(r'<h2 id="usage">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td>(\d{4})</td><td>([^<]*)</td><td class=\"num\">(\d+)</td></tr>", usage)
    assert (str(title["year"]), title["denominator"], str(title["uses"])) in rows
    # the usage report needs a cataloguer in this store (it holds confidential terms): so does this
    assert 'id="usage"' not in _get(client, "/resource?iri=" + title["iri"])[1]


def test_a_page_says_usage_is_not_summed_yet_instead_of_summing_it(world, tmp_path):
    """A page never sums or writes (a reader process reads a snapshot): after a write the
    sums are not current until a report makes them again, and the page says so."""
    store, client, cat = world
    rep = client.get("/api/v1/reports/cost-per-use", headers=cat).get_json()
    title = next(t for t in rep["titles"] if t["uses"])
    from rightsgraph.loading import load_files
    more = tmp_path / "more.ttl"
    more.write_text('<https://example.org/x> <http://purl.org/dc/terms/title> "another graph"@en .\n')
    load_files(store, [more], graph="https://example.org/graph/unrelated")
    before = store.count()
    for lang, words in (("en", "summed when the usage or cost-per-use report is next made"),
                        ("zh", "下次生成使用统计或单次使用成本报表时汇总")):
        page = _get(client, "/resource?iri=" + title["iri"], cat, lang=lang)[1]
        assert 'id="usage"' in page and words in page
    assert store.count() == before                      # nothing was written
    client.get("/api/v1/reports/cost-per-use", headers=cat)
    assert "summed when the usage" not in _get(client, "/resource?iri=" + title["iri"], cat)[1]


def test_a_reader_sees_no_clause_of_a_confidential_licence_in_the_preservation_report(tmp_path):
    """Readers may open the preservation report; the licence clauses it cites for preserved
    resources without a right were read from every graph, so a reader read a confidential
    licence's name, clause number and text there. Now they get "(confidential)" instead,
    as every decision door gives them; the verdict and reason stay, and cataloguers see all."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.confidentiality import set_confidential
    from rightsgraph.demo import load_demo, load_demo_content
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    store = EmbeddedStore(tmp_path / "store")
    load_demo(store)
    load_demo_content(store, say=lambda line: None)
    accounts = tmp_path / "accounts.json"
    cat = {"Authorization": "Bearer " + Accounts(accounts).add("librarian", "cataloguer")}
    client = create_app(store, settings={"RG_QUERY_TIMEOUT": 0, "RG_ACCOUNTS_FILE": str(accounts)}).test_client()

    def without_right(headers=None):
        rep = client.get("/api/v1/reports/preservation", headers=headers or {}).get_json()
        return {x["resource"]: (x["reason"], x["clauses"]) for x in rep["rights"]["without_right_examples"]}

    public = without_right()
    assert any("archiving_rights" in c for _, clauses in public.values() for c in clauses), \
        "the demo's licences record archiving terms the report cites"
    set_confidential(store, "https://w3id.org/rightsgraph/graph/demo/licences")
    for headers in (None,):                                            # anonymous reader
        seen = without_right(headers)
        assert set(seen) == set(public)
        for resource, (reason, clauses) in seen.items():
            assert reason == public[resource][0]                       # the verdict's reason stays
            assert clauses == ["(confidential)"], clauses
    assert without_right(cat) == public                                # cataloguers see every clause
    page = _get(client, "/reports/preservation")[1]
    assert "archiving_rights" not in page and "L01" not in page
