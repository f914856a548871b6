"""Errors that were English only, or kept their Chinese in the code, now come from the
catalogues in both languages (issue 15): term-sheet errors, decision parameter errors,
SUSHI exception names, and the cells of `licence compare`."""

from __future__ import annotations

import re

import pytest

from rightsgraph.decision_service import DecisionParamError, parse_datetime, read_params
from rightsgraph.licences.termsheet import TermSheetError, read_sheet
from rightsgraph.usage import counter_spec

from .conftest import REPO

HAN = re.compile(r"[\u4e00-\u9fff]")
SHEETS = REPO / "tests" / "data" / "licences"


def _both_languages(texts: dict[str, str], *also_in_both: str) -> None:
    assert HAN.search(texts["zh"]) and not HAN.search(texts["en"]), texts
    for word in also_in_both:        # the names and values the message quotes, in each language
        assert word in texts["en"] and word in texts["zh"], (word, texts)


@pytest.mark.parametrize("sheet, quoted", [("bad-status.yaml", "'maybe'"),
                                           ("bad-unknown-term.yaml", "'telepathic_access'"),
                                           ("bad-dates.yaml", "2023-06-30")])
def test_a_term_sheet_error_in_each_language(sheet, quoted):
    with pytest.raises(TermSheetError) as err:
        read_sheet(SHEETS / sheet)
    _both_languages(err.value.texts, quoted)
    assert err.value.text("zh") == err.value.texts["zh"] and str(err.value) == err.value.texts["en"]


PARAMS = [
    ({"action": "use"}, "target"),                                               # missing
    ({"target": ["http://x/1", "http://x/2"], "action": "use"}, "target"),       # two values
    ({"target": 5, "action": "use"}, "target"),                                  # not a string
    ({"target": "not an iri", "action": "use"}, "target"),                       # not absolute
    ({"target": "nope:thing", "action": "use"}, "nope"),                         # unknown prefix
    ({"target": "http://x/1", "action": "use", "context": "purpose"}, "purpose"),   # no '='
    ({"target": "http://x/1", "action": "use", "context": 7}, "context"),        # not an object
]


@pytest.mark.parametrize("params, quoted", PARAMS)
def test_every_decision_parameter_error_is_bilingual(params, quoted):
    with pytest.raises(DecisionParamError) as err:
        read_params(params)
    _both_languages(err.value.texts, quoted)


def test_a_bad_date_time_is_bilingual():
    with pytest.raises(DecisionParamError) as err:
        parse_datetime("last tuesday")
    _both_languages(err.value.texts, "'last tuesday'")


def test_every_sushi_exception_keeps_counters_name_and_has_a_chinese_one():
    for code, (name, _kind) in counter_spec.SUSHI_EXCEPTIONS.items():
        assert counter_spec.exception_name(code, "en") == name
        assert HAN.search(counter_spec.exception_name(code, "zh")), (code, name)
    assert counter_spec.exception_name(9999, "zh") == ""


def test_licence_compare_cells_follow_the_language(tmp_path):
    from .conftest import run_cli
    d = tmp_path / "data"
    assert run_cli("load", SHEETS / "world.ttl", data_dir=d).returncode == 0
    for name in ("journals.yaml", "amendment.yaml"):
        assert run_cli("licence", "import", SHEETS / name, data_dir=d).returncode == 0
    lics = ("http://example.org/lic/journals-2024", "http://example.org/lic/journals-2024-amendment-1")
    zh = run_cli("--lang", "zh", "licence", "compare", *lics, data_dir=d)
    en = run_cli("--lang", "en", "licence", "compare", *lics, data_dir=d)
    assert zh.returncode == 0 and en.returncode == 0, zh.stderr + en.stderr
    # the status keys of the data (permitted_explicit ...) are worded for the reader
    assert "permitted (explicit)" in en.stdout and "_explicit" not in en.stdout
    assert "许可（明示）" in zh.stdout and "_explicit" not in zh.stdout and "not recorded" not in zh.stdout
    # the JSON keeps the data form
    js = run_cli("licence", "compare", *lics, "--json", data_dir=d)
    assert "permitted_explicit" in js.stdout


def test_the_json_api_refuses_in_both_languages_as_every_api_refusal_does(store):
    """A bad decision parameter, a malformed identifier and a batch over the limit are
    {"error": in the caller's language, "en", "zh"} (they were {"error"} only, and the
    identifier batch's 413 English only)."""
    from rightsgraph.web import api
    from rightsgraph.web.app import create_app
    client = create_app(store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()
    bad_param = client.get("/api/v1/decision", query_string={"target": "not an iri", "action": "read"},
                           headers={"Accept-Language": "zh"})
    bad_issn = client.get("/api/v1/entitlement", query_string={"issn": "1545-4283", "date": "2010"})
    limit, api.MAX_BATCH = api.MAX_BATCH, 2
    try:
        too_many = client.post("/api/v1/entitlements", json={"identifiers": ["issn:1545-4282"] * 3})
    finally:
        api.MAX_BATCH = limit
    for resp, status, quoted in ((bad_param, 400, "'not an iri'"), (bad_issn, 400, "'1545-4283'"),
                                 (too_many, 413, "2")):
        body = resp.get_json()
        assert resp.status_code == status and set(body) == {"error", "en", "zh"}, body
        _both_languages(body, quoted)
    assert bad_param.get_json()["error"] == bad_param.get_json()["zh"]
    assert bad_issn.get_json()["error"] == bad_issn.get_json()["en"]
