"""The reports as pages (/reports/<name>: tables, CSV of the same rows, SVG charts) and the
home page's expiring licences and open risks, on the demo world as `rightsgraph demo` builds
it (confidential licence terms, COUNTER usage). Who may see them: the API's rule."""

from __future__ import annotations

import csv
import io
import html
import re
from datetime import date

import pytest

from rightsgraph.confidentiality import confidential_graphs
from rightsgraph.reports.risks import risk_report

from .conftest import run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from rightsgraph.accounts import Accounts
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.web.app import create_app
    data = tmp_path_factory.mktemp("report-pages") / "data"
    out = run_cli("demo", "--no-serve", data_dir=data)
    assert out.returncode == 0, out.stderr
    accounts = data.parent / "accounts.json"
    token = Accounts(accounts).add("librarian", "cataloguer")
    store = EmbeddedStore(data / "store")
    assert confidential_graphs(store), "the demo world holds confidential licence terms"
    app = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts), "RG_QUERY_TIMEOUT": 0})
    return store, app.test_client(), {"Authorization": f"Bearer {token}"}


def _get(client, url, headers=None, lang="en"):
    resp = client.get(url, headers={"Accept-Language": lang, **(headers or {})})
    return resp.status_code, resp.get_data(as_text=True), resp


def _table(page: str, key: str) -> tuple[list[str], list[list[str]]]:
    """(headings, rows of cell texts) of the table data-table=KEY."""
    import html
    body = re.search(rf'<table data-table="{key}">(.*?)</table>', page, re.S).group(1)
    heads = [html.unescape(h) for h in re.findall(r"<th scope=\"col\">(.*?)</th>", body)]
    # a cell's value as the report gives it (data-value), else its text
    cell = lambda value, text: html.unescape(value or re.sub(r"<[^>]+>", "", text))
    rows = [[cell(v, t) for v, t in re.findall(r'<td[^>]*data-value="([^"]*)"[^>]*>(.*?)</td>', tr, re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1], re.S)]
    return heads, rows


def _csv(client, url, headers) -> list[list[str]]:
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200 and resp.content_type.startswith("text/csv")
    assert "attachment" in resp.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(resp.get_data(as_text=True))))


def test_a_reader_is_told_the_report_needs_a_cataloguer_in_their_language(world):
    _, client, _ = world
    for lang, words in (("en", "cataloguer role"), ("zh", "编目员角色")):
        status, page, resp = _get(client, "/reports/assets", lang=lang)
        assert status == 401 and resp.content_type.startswith("text/html") and words in page
        assert "1245000" not in page                              # L01's price
    status, page, _ = _get(client, "/reports/cost-per-use?format=csv&table=licences")
    assert status == 401 and "cost_per_use" not in page


def test_the_risk_page_shows_and_downloads_the_risk_reports_rows(world):
    store, client, cat = world
    status, page, _ = _get(client, "/reports/risks", cat)
    assert status == 200
    report = risk_report(store, at=date.today(), days=90)
    heads, rows = _table(page, "expiring")
    assert heads == ["licence", "ends", "days left", "renewal"]
    assert [r[0] for r in rows] == [e["licence"] for e in report["expiring"]]
    link = re.search(r'href="([^"]*table=expiring[^"]*)"', page).group(1).replace("&amp;", "&")
    downloaded = _csv(client, link, cat)
    assert downloaded[0] == ["licence", "end", "days_left", "renewal"]
    assert [r[:3] for r in downloaded[1:]] == [[e["licence"], e["end"], str(e["days_left"])] for e in report["expiring"]]
    assert len(_table(page, "key_uses")[1]) == len(report["key_uses"])


def test_the_risk_page_takes_the_horizon_and_refuses_a_bad_one(world):
    store, client, cat = world
    _, page, _ = _get(client, "/reports/risks?days=1000", cat)
    assert len(_table(page, "expiring")[1]) == len(risk_report(store, at=date.today(), days=1000)["expiring"])
    assert "days=1000" in re.search(r'href="([^"]*table=expiring[^"]*)"', page).group(1)
    status, page, _ = _get(client, "/reports/risks?days=soon", cat, lang="zh")
    assert status == 400 and "days" in page and "整数" in page


def test_the_asset_page_shows_costs_to_a_cataloguer(world):
    _, client, cat = world
    status, page, _ = _get(client, "/reports/assets", cat, lang="zh")
    assert status == 200 and "<h1>资产类别</h1>" in page
    heads, rows = _table(page, "by_licence")
    assert "费用" in heads
    l01 = next(r for r in rows if r[0] == "https://demo.rightsgraph.org/licence/L01")
    assert "1245000" in " ".join(l01)
    # asset classes by their names (the ontology's skos:prefLabel), licence statuses in words
    assert '<td data-value="rg:SubscribedAccess">订购访问</td>' in page
    assert '<td data-value="rg:Active">有效</td>' in page
    assert "东海高校图书馆联盟—奥尔德盖特科技期刊集团采购协议（2025—2027）" in page     # L01's Chinese title


@pytest.mark.parametrize("name, table", [("assets", "by_class"), ("risks", "expiring"), ("usage", "months"),
                                         ("cost-per-use", "licences"), ("demand", "turnaways")])
def test_each_report_has_a_chart_and_a_csv_of_each_table(world, name, table):
    _, client, cat = world
    status, page, _ = _get(client, f"/reports/{name}", cat)
    assert status == 200
    chart = html.unescape(re.search(r'<img src="([^"]+\.svg[^"]*)"', page).group(1))
    svg = client.get(chart, headers=cat)
    assert svg.status_code == 200 and svg.content_type.startswith("image/svg+xml") and b"<svg" in svg.data
    heads, rows = _table(page, table)
    assert rows
    downloaded = _csv(client, f"/reports/{name}?format=csv&table={table}", cat)
    assert len(downloaded) - 1 == len(rows)
    assert [r[0] for r in downloaded[1:]] == [r[0] for r in rows]


def test_a_chinese_page_embeds_a_chart_naming_titles_in_chinese(world):
    """The <img> of a chart is fetched with the browser's Accept-Language, not the page's
    ?lang=: the page names its language in the chart's address, and the cost-per-use bars
    carry the Chinese titles on a Chinese page (they showed the English ones)."""
    store, shared, cat = world
    client = shared.application.test_client()      # ?lang= sets a cookie: not on the shared client
    from rightsgraph.usage.indicators import cost_per_use_report
    rep = cost_per_use_report(store)
    named = [t for t in rep["titles"] if t["title_zh"] and t["title"] and t["cost_per_use"]]
    assert named
    for lang, wanted in (("zh", "title_zh"), ("en", "title")):
        _, page, _ = _get(client, f"/reports/cost-per-use?lang={lang}", cat, lang="en")
        chart = html.unescape(re.search(r'<img src="([^"]+\.svg[^"]*)"', page).group(1))
        assert chart.endswith(f"lang={lang}")
        svg = client.get(chart, headers={**cat, "Accept-Language": "en"}).get_data(as_text=True)
        texts = {html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}
        assert any(t[wanted][:10] in x for t in named for x in texts), lang


def test_an_unknown_report_or_table_is_a_clear_error(world):
    _, client, cat = world
    status, page, _ = _get(client, "/reports/nonsense", cat)
    assert status == 404 and "nonsense" in page
    status, page, _ = _get(client, "/reports/risks?format=csv&table=nope", cat)
    assert status == 400 and "expiring" in page


def test_the_home_page_lists_expiring_licences_and_open_risks_for_a_cataloguer(world):
    store, client, cat = world
    report = risk_report(store, at=date.today(), days=90)
    _, page, _ = _get(client, "/", cat)
    listed = re.findall(r'<tr><td><a href="/licence\?iri=([^"]+)">', page.split('id="expiring"')[1].split("</table>")[0])
    assert [x.replace("%3A", ":").replace("%2F", "/") for x in listed] == [e["licence"] for e in report["expiring"]]
    count = int(re.search(r'<span id="open-risks">(\d+)</span>', page).group(1))
    assert count == len(report["unlicensed"]) + len(report["key_uses"]) + len(report["conflicts"])
    _, longer, _ = _get(client, "/?days=1000", cat)
    assert longer.count("/licence?iri=") >= page.count("/licence?iri=")
    assert "Licences expiring in the next 1000 days" in longer


def test_the_home_page_shows_a_reader_no_risks(world):
    _, client, _ = world
    for lang, words in (("en", "shown to cataloguers"), ("zh", "仅向编目员显示")):
        _, page, _ = _get(client, "/", lang=lang)
        assert words in page and 'id="expiring"' not in page and 'id="open-risks"' not in page


def test_the_risk_page_names_licences_terms_and_reasons_in_the_pages_language(world):
    store, client, cat = world
    _, page, _ = _get(client, "/reports/risks", cat, lang="zh")
    report = risk_report(store, at=date.today(), days=90)
    first = report["key_uses"][0]
    row = re.search(rf'<td data-value="{re.escape(first["licence"])}"><a href="/licence\?iri=[^"]+">([^<]+)</a></td>'
                    rf'<td data-value="{first["term"]}">([^<]+)</td><td[^>]*>([^<]+)</td>', page)
    assert row, "the first key use's row"
    title, term, status = row.groups()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in title + term + status), (title, term, status)
    assert ">licences not in force" not in page and ">许可协议均未生效" in page


def test_the_asset_and_risk_charts_draw_what_the_report_says(world):
    """Issue 15: charts for the asset and risk reports too, the risk chart for the page's
    window (days), each bar named in both languages."""
    store, client, cat = world
    svg = client.get("/api/v1/reports/assets.svg", headers=cat).get_data(as_text=True)
    assert "订购访问" in svg and "Subscribed" in svg and "资产类别" in svg
    status, page, _ = _get(client, "/reports/risks?days=400", cat)
    chart = html.unescape(re.search(r'<img src="([^"]+\.svg[^"]*)"', page).group(1))
    assert chart == "/api/v1/reports/risks.svg?days=400&lang=en"
    svg = client.get(chart, headers=cat).get_data(as_text=True)
    assert "即将到期的许可 Licences expiring" in svg and "400 天 days" in svg
    # a reader is refused the chart as the report (the store holds confidential terms)
    assert client.get("/api/v1/reports/risks.svg").status_code in (401, 403)

