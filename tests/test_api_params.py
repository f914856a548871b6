"""Every /api/v1 endpoint refuses a parameter it does not read (web/api_params.py, docs/service.md
"Unknown parameters"): a 400 naming it and the ones the endpoint takes, in both languages,
for query strings, JSON bodies and the items of a batch; never an answer to another question."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from rightsgraph.loading import load_files
from rightsgraph.web.app import create_app

from .conftest import REPO

LIB = "http://example.org/lib/"
HAN = re.compile(r"[\u4e00-\u9fff]")
ASK = {"target": LIB + "article1", "action": "read", "assignee": LIB + "libA", "at": "2025-06-01T10:00:00Z"}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore
    from rightsgraph.system_graphs import ensure_system_graphs
    store = EmbeddedStore(tmp_path_factory.mktemp("api-params") / "store")
    ensure_system_graphs(store)
    load_files(store, [REPO / "tests" / "data" / "policy" / "library.ttl"])
    return create_app(store, settings={"RG_QUERY_TIMEOUT": 0})


@pytest.fixture
def client(app):
    return app.test_client()


def _refused(resp, *unknown: str) -> dict:
    body = resp.get_json()
    assert resp.status_code == 400, (resp.status_code, body)
    assert body["unknown"] == list(unknown)
    for name in unknown:
        assert repr(name) in body["error"] and repr(name) in body["en"] and repr(name) in body["zh"]
    assert HAN.search(body["zh"]) and not HAN.search(body["en"])
    return body


QUERIES = [
    ("/api/v1/entitlement", {"issn": "1545-4282", "action": "teleport"}, ["action"], "issn"),   # the brief's case
    ("/api/v1/decision", {**ASK, "asignee": LIB + "libA"}, ["asignee"], "assignee"),        # a misspelling
    ("/api/v1/decision", {**ASK, "party": LIB + "libA", "prefix": "odrl"}, ["party", "prefix"], "context"),
    ("/api/v1/reports/risks", {"days": "30", "year": "2025"}, ["year"], "days"),
    ("/api/v1/reports/risks.svg", {"days": "30", "top": "3"}, ["top"], "days"),
    ("/api/v1/reports/assets", {"sample": "3", "days": "3"}, ["days"], "seed"),
    ("/api/v1/reports/usage", {"year": "2025", "limit": "3"}, ["limit"], "platform"),
    ("/api/v1/reports/cost-per-use", {"year": "2025", "seed": "1"}, ["seed"], "top"),
    ("/api/v1/reports/demand", {"year": "2025", "package": "x"}, ["package"], "limit"),   # demand has no package filter
    ("/api/v1/reports/quantity", {"year": "2025"}, ["year"], "lang"),
    ("/api/v1/reports/timeliness", {"at": "2026-12-01", "platform": "x"}, ["platform"], "year"),
    ("/api/v1/reports/preservation", {"libary": "http://x/l"}, ["libary"], "library"),
]


@pytest.mark.parametrize("path, params, unknown, takes", QUERIES)
def test_a_query_parameter_the_endpoint_does_not_read_is_a_400_naming_it(client, path, params, unknown, takes):
    body = _refused(client.get(path, query_string=params), *unknown)
    assert takes in body["accepted"] and "lang" in body["accepted"]
    assert takes in body["en"] and takes in body["zh"]


def test_the_error_is_in_the_callers_language_and_carries_both(client):
    query = {"issn": "1545-4282", "action": "teleport"}
    by_header = client.get("/api/v1/entitlement", query_string=query, headers={"Accept-Language": "zh"}).get_json()
    assert by_header["error"] == by_header["zh"] and "未知参数 'action'" in by_header["zh"]
    by_param = client.get("/api/v1/entitlement", query_string={**query, "lang": "zh"}).get_json()
    assert by_param["error"] == by_param["zh"]
    english = client.get("/api/v1/entitlement", query_string=query).get_json()
    assert english["error"] == english["en"] == by_param["en"]
    assert english["en"].startswith("unknown parameter(s) 'action'; the parameters taken here are: doi, issn")


def test_a_post_reads_its_json_body_not_its_query_string(client):
    asked = client.post("/api/v1/decision", query_string={"target": LIB + "other"}, json=ASK)
    body = _refused(asked, "target")
    assert body["accepted"] == ["lang"]
    assert client.post("/api/v1/decision", query_string={"lang": "zh"}, json=ASK).status_code == 200


@pytest.mark.parametrize("path, body, unknown", [
    ("/api/v1/decision", {**ASK, "asignee": LIB + "libA"}, ["asignee"]),
    ("/api/v1/entitlement", {"issn": "1545-4282", "action": "teleport"}, ["action"]),
    ("/api/v1/decisions", {"requests": [ASK], "report": True}, ["report"]),
    ("/api/v1/entitlements", {"identifiers": ["issn:1545-4282"], "dates": "2010"}, ["dates"]),
])
def test_a_json_key_the_endpoint_does_not_read_is_a_400_naming_it(client, path, body, unknown):
    _refused(client.post(path, json=body, headers={"Accept-Language": "zh"}), *unknown)


def test_a_batch_item_with_an_unknown_key_gets_its_error_in_its_place(client):
    ok = dict(ASK)
    out = client.post("/api/v1/decisions", json={"requests": [ok, {**ok, "asignee": "x"}, ok]}).get_json()["decisions"]
    assert out[1] == {"error": out[1]["error"]} and out[1]["error"].startswith("requests[1]: unknown parameter(s) 'asignee'")
    alone = client.get("/api/v1/decision", query_string=ok).get_json()
    assert out[0] == out[2] == alone
    items = ["issn:1545-4282", {"issn": "1545-4282", "volumn": "3"}, {"doi": "10.1146/x", "date": "2010"}]
    for fields in (None, ["status"]):
        batch = {"identifiers": items, **({"fields": fields} if fields else {})}
        got = client.post("/api/v1/entitlements", json=batch, headers={"Accept-Language": "zh"}).get_json()
        answers = got["entitlements"]
        assert answers[1] == {"error": answers[1]["error"]} and "identifiers[1]: 未知参数 'volumn'" in answers[1]["error"]
        assert "error" not in answers[0] and "error" not in answers[2]
        assert answers[0]["status"] == "not-held"


def test_every_api_route_lists_what_it_reads(app):
    from rightsgraph.web.api_params import TAKES
    routes = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")}
    assert routes and routes <= set(TAKES), routes - set(TAKES)


def _documented_calls():
    """Every `/api/v1/...?query` written in the docs (English and Chinese)."""
    for doc in sorted((REPO / "docs").rglob("*.md")):
        for url in re.findall(r"/api/v1/[\w./-]+\?[^\s`'\"<>)]+", doc.read_text(encoding="utf-8")):
            yield doc.relative_to(REPO), url


def test_every_documented_call_is_still_taken(app):
    from rightsgraph.web.api_params import EVERYWHERE, TAKES
    calls = list(_documented_calls())
    assert len(calls) >= 8
    adapter = app.url_map.bind("localhost")
    for doc, url in calls:
        parts = urlsplit(url)
        endpoint, _ = adapter.match(parts.path, method="GET")
        names = [k for k, _v in parse_qsl(parts.query.replace("…", "x").replace("...", "x"), keep_blank_values=True)]
        takes = TAKES[endpoint]
        assert set(names) <= {*takes.query, *EVERYWHERE}, (doc, url)
        answer = app.test_client().get(url).get_json(silent=True, force=True)    # a chart is SVG, not JSON
        assert not (isinstance(answer, dict) and "unknown" in answer), (doc, url, answer)


def test_the_report_pages_chart_asks_only_for_what_the_chart_reads(app):
    from rightsgraph.web.report_pages import _chart_url
    with app.test_request_context("/reports/assets?days=30&year=2025&lang=zh"):
        assert _chart_url("assets") == "/api/v1/reports/assets.svg?lang=zh"
        assert _chart_url("risks") == "/api/v1/reports/risks.svg?days=30&lang=zh"
        assert _chart_url("usage") == "/api/v1/reports/usage.svg?year=2025&lang=zh"


BAD_VALUES = [
    ("get", "/api/v1/reports/risks", {"days": "soon"}, "days", 400),
    ("get", "/api/v1/reports/assets", {"sample": "many"}, "sample", 400),
    ("get", "/api/v1/reports/usage", {"year": "last"}, "year", 400),
    ("get", "/api/v1/reports/cost-per-use", {"top": "-3"}, "top", 400),
    ("get", "/api/v1/reports/demand", {"limit": "ten"}, "limit", 400),
    ("get", "/api/v1/reports/timeliness", {"at": "tomorrow"}, "at", 400),
    ("post", "/api/v1/decision", ["not", "an", "object"], "JSON", 400),
    ("post", "/api/v1/decisions", {"requests": {"target": "x"}}, "JSON", 400),
]


@pytest.mark.parametrize("method, path, given, names, status", BAD_VALUES)
def test_a_value_the_endpoint_cannot_read_is_refused_in_both_languages(client, method, path, given, names, status):
    """A value that is not what the endpoint reads (a word for a number, a list for the
    question's object) is a 400 in the caller's language, carrying both, naming the parameter."""
    for lang in ("en", "zh"):
        if method == "get":
            resp = client.get(path, query_string={**given, "lang": lang})
        else:
            resp = client.post(path, json=given, headers={"Accept-Language": lang})
        body = resp.get_json()
        assert resp.status_code == status, body
        assert body["error"] == body[lang]
        assert names in body["en"] and names in body["zh"]
        assert HAN.search(body["zh"]) and not HAN.search(body["en"])


def test_every_door_picks_an_errors_language_the_same_way(client):
    """?lang= first, then Accept-Language, else English: the SPARQL endpoint answers a refusal
    in the language the API would (web/errors.error_lang; it read the header only)."""
    deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    by_param = client.get("/sparql", query_string={"query": deep, "lang": "zh"})
    by_header = client.get("/sparql", query_string={"query": deep}, headers={"Accept-Language": "zh"})
    english = client.get("/sparql", query_string={"query": deep})
    overruled = client.get("/sparql", query_string={"query": deep, "lang": "en"}, headers={"Accept-Language": "zh"})
    assert [r.status_code for r in (by_param, by_header, english, overruled)] == [400] * 4
    assert HAN.search(by_param.get_data(as_text=True)) and HAN.search(by_header.get_data(as_text=True))
    assert not HAN.search(english.get_data(as_text=True)) and not HAN.search(overruled.get_data(as_text=True))
    api = client.get("/api/v1/reports/risks", query_string={"days": "x", "lang": "zh"},
                     headers={"Accept-Language": "en"}).get_json()
    assert api["error"] == api["zh"]
