"""The librarian's pages with many licences (issue 15): what changed to keep them fast must
not change what they show. A reader's look-ups by GRAPH ?g (web/visible.py) see exactly what
the reader's default graph shows; the home page lists the soonest expiring licences and folds
a folder of many graphs into one row; the caches behind them follow the next write.
(Timings: benchmarks/bench_pages.py --licences N.)"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from pyoxigraph import NamedNode

from rightsgraph.licences.registry import graph_for_licence
from rightsgraph.licences.termsheet import STANDARD_PREFIXES, canonical, compile_sheet, records_turtle

from .conftest import REPO

ML = "http://example.org/model/"
LICENCE = "http://example.org/bench/licence/B"


def _licences_trig(path, numbers, ends) -> None:
    """Licences B<n> over the LIBLICENSE test world's parties, each in its own graph (as
    `rightsgraph licence import` puts it), ending on the given dates."""
    parts = [f"@prefix {p}: <{ns}> .\n" for p, ns in STANDARD_PREFIXES.items()]
    for n, end in zip(numbers, ends):
        sheet = canonical({
            "licence": f"{LICENCE}{n:03d}", "title": {"en": f"Licence B{n:03d}", "zh": f"许可 B{n:03d}"},
            "licensor": ML + "press", "licensee": ML + "univ", "target": ML + "journals",
            "status": "active", "start": (end - timedelta(days=700)).isoformat(), "end": end.isoformat(),
            "parties": {"users": ML + "users"},
            "terms": [{"term": "authorized_users", "status": "permitted_explicit"},
                      {"term": "print_copy", "status": "permitted_explicit", "limit": 10 + n}]})
        body = records_turtle(compile_sheet(sheet), STANDARD_PREFIXES)
        parts.append(f"\n<{graph_for_licence(sheet['licence']).value}> {{\n{body}}}\n")
    path.write_text("".join(parts), encoding="utf-8")


@pytest.fixture
def world(store, tmp_path):
    """The LIBLICENSE world and 30 licences ending 1..30 days from today, one graph each."""
    from rightsgraph.accounts import Accounts
    from rightsgraph.loading import load_files
    from rightsgraph.web.app import create_app
    load_files(store, [REPO / "tests" / "data" / "licences" / "liblicense-world.ttl"])
    today = date.today()
    _licences_trig(tmp_path / "licences.trig", range(30), [today + timedelta(days=30 - n) for n in range(30)])
    load_files(store, [tmp_path / "licences.trig"])
    accounts = tmp_path / "accounts.json"
    token = Accounts(accounts).add("cat", "cataloguer")
    # the page's content is under test, not its wait: the first report may take seconds here
    app = create_app(store, settings={"RG_ACCOUNTS_FILE": str(accounts), "RG_HOME_RISKS_FIRST_WAIT": 600})
    return store, app, {"Authorization": f"Bearer {token}", "Accept-Language": "en"}, tmp_path


def test_a_readers_graph_lookups_see_what_the_readers_default_graph_shows(world):
    from rightsgraph.confidentiality import set_confidential
    from rightsgraph.web.auth import hidden_graphs
    from rightsgraph.web.visible import VisibleStore
    store, app, _, _ = world
    secret = graph_for_licence(f"{LICENCE}007").value
    set_confidential(store, secret)
    subjects = [f"{LICENCE}{n:03d}" for n in (6, 7, 8)] + [ML + "press"]
    values = " ".join(f"<{s}>" for s in subjects)
    with app.test_request_context("/"):
        reader = VisibleStore(store, hidden_graphs())
        assert secret in reader.hidden
        by_default_graph = {(r["s"], r["p"], r["o"]) for r in reader.query(
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")}
        by_graph = set(reader.matching(subjects))
        assert by_graph == by_default_graph
        assert not any(s == NamedNode(f"{LICENCE}007") for s, _, _ in by_graph)      # the confidential one
        assert any(s == NamedNode(f"{LICENCE}006") for s, _, _ in by_graph)
        everyone = VisibleStore(store, frozenset())
        assert any(s == NamedNode(f"{LICENCE}007") for s, _, _ in everyone.matching(subjects))
    client = app.test_client()
    page = client.get("/licences/compare", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"{LICENCE}006" in page and f"{LICENCE}007" not in page


def test_the_home_page_lists_the_soonest_expiring_licences_and_links_the_rest(world):
    from rightsgraph.web.pages import TOP_EXPIRING
    _, app, cataloguer, _ = world
    page = app.test_client().get("/", headers=cataloguer).get_data(as_text=True)
    table = page.split('id="expiring"')[1].split("</table>")[0]
    listed = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', table)]
    assert listed == list(range(1, TOP_EXPIRING + 1))           # soonest first: 1, 2, ... days left
    more = re.search(r'<p id="expiring-more"><a href="/reports/risks\?days=90">([^<]+)</a>', page)
    assert more and f"{30 - TOP_EXPIRING} more" in more.group(1)


def test_a_folder_of_many_graphs_is_one_row_that_follows_the_next_load(world):
    from rightsgraph.loading import load_files
    store, app, cataloguer, tmp_path = world
    client = app.test_client()
    folder = graph_for_licence(LICENCE + "000").value.rsplit("/", 1)[0] + "/"

    def licence_rows():
        page = client.get("/", headers=cataloguer).get_data(as_text=True)
        graphs = page.split("<h2>Named graphs</h2>")[1].split("</table>")[0]
        return re.findall(rf'<tr><td><code>({re.escape(folder)}[^<]*)</code>(?: <span class="muted">([^<]*)</span>)?'
                          r'</td><td class="num">(\d+)</td>', graphs)

    rows = licence_rows()
    assert len(rows) == 1 and "29 more" in rows[0][1]       # 30 licence graphs: one row
    before = int(rows[0][2])
    _licences_trig(tmp_path / "more.trig", [30], [date.today() + timedelta(days=200)])
    load_files(store, [tmp_path / "more.trig"])
    rows = licence_rows()
    assert len(rows) == 1 and "30 more" in rows[0][1] and int(rows[0][2]) > before


def test_the_compare_page_offers_a_licence_loaded_after_it_was_shown(world):
    from rightsgraph.loading import load_files
    store, app, cataloguer, tmp_path = world
    client = app.test_client()
    for lang in ("en", "zh"):                      # the options are kept per language
        page = client.get("/licences/compare", headers={**cataloguer, "Accept-Language": lang}).get_data(as_text=True)
        assert f"{LICENCE}031" not in page and ("Licence B029" in page if lang == "en" else "许可 B029" in page)
    _licences_trig(tmp_path / "late.trig", [31], [date.today() + timedelta(days=400)])
    load_files(store, [tmp_path / "late.trig"])
    page = client.get("/licences/compare", headers=cataloguer).get_data(as_text=True)
    assert f'<option value="{LICENCE}031">Licence B031</option>' in page
