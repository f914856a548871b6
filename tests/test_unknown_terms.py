"""Unknown terms are errors, not denials (docs/decisions.md, "Unknown terms"): a misspelt
action, a foreign prefix, an unknown party or left operand is refused naming it, in every
door; a target the store does not hold is answered "not-held", never deny."""

from __future__ import annotations

import json

import pytest

from rightsgraph.loading import load_files
from rightsgraph.web.app import create_app

from .conftest import REPO, run_cli

LIBRARY = REPO / "tests" / "data" / "policy" / "library.ttl"
LIB = "http://example.org/lib/"
BASE = ["--target", LIB + "article1", "--assignee", LIB + "libA", "--at", "2025-06-01T10:00:00Z"]
GET_BASE = {"target": LIB + "article1", "action": "read", "assignee": LIB + "libA", "at": "2025-06-01T10:00:00Z"}


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("terms") / "data"
    out = run_cli("load", LIBRARY, data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    return data_dir


def _usage_error(out, *needles: str, lang: str = "en") -> str:
    """Exit 2 with one `error:` line (no traceback) holding each needle; nothing on stdout."""
    assert out.returncode == 2, f"exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    assert "Traceback" not in out.stderr and not out.stdout.strip(), (out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: " if lang == "en" else "错误："), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    return lines[0]


# ------------------------------------------------------------------ CLI `check`
def test_a_misspelt_action_is_an_error_with_a_suggestion(loaded):
    _usage_error(run_cli("check", "--action", "reed", *BASE, data_dir=loaded),
                 "action", "unknown action 'reed'", "did you mean read?")
    _usage_error(run_cli("--lang", "zh", "check", "--action", "reed", *BASE, data_dir=loaded),
                 "未知的动作 'reed'", "是否想用 read", lang="zh")


def test_an_unknown_prefix_is_an_error_naming_it(loaded):
    _usage_error(run_cli("check", "--action", "foo:bar", *BASE, data_dir=loaded),
                 "action", "unknown prefix 'foo'", "'foo:bar'")


def test_an_unknown_party_is_an_error(loaded):
    _usage_error(run_cli("check", "--target", LIB + "article1", "--action", "read",
                         "--assignee", LIB + "nobody", data_dir=loaded),
                 "assignee", "unknown party", LIB + "nobody")


def test_an_unknown_left_operand_is_an_error(loaded):
    _usage_error(run_cli("check", "--action", "print", *BASE, "--context", "unknownop=3", data_dir=loaded),
                 "context", "unknown left operand 'unknownop'")
    _usage_error(run_cli("check", "--action", "print", *BASE, "--context", "cont=3", data_dir=loaded),
                 "unknown left operand 'cont'", "did you mean count?")


def test_a_target_not_in_the_store_is_not_held(loaded):
    args = ["check", "--target", LIB + "notInTheStore", "--action", "read", "--assignee", LIB + "libA"]
    out = run_cli(*args, data_dir=loaded)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("not-held (target-not-held)") and LIB + "notInTheStore" in out.stdout
    assert "deny" not in out.stdout
    assert run_cli(*args, "--exit-code", data_dir=loaded).returncode == 6   # not held: neither permit (0) nor deny (1)
    answer = json.loads(run_cli(*args, "--json", data_dir=loaded).stdout)
    assert (answer["decision"], answer["reason"], answer["rules"]) == ("not-held", "target-not-held", [])


def test_the_tdm_spelling_of_the_licence_docs_is_the_tdmrep_action(tmp_path):
    # docs/licences.md writes TDM as tdm:mine (W3C TDMRep): it must reach the licence's rule
    tdm = tmp_path / "tdm.ttl"
    tdm.write_text("""@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<http://example.org/lib/tdmLicence> a odrl:Agreement ; odrl:assigner <http://example.org/lib/publisherX> ;
    odrl:permission [ odrl:target <http://example.org/lib/packageBig> ; odrl:assignee <http://example.org/lib/consortium> ;
                      odrl:action <http://www.w3.org/ns/tdmrep#mine> ] .
""")
    data_dir = tmp_path / "data"
    assert run_cli("load", LIBRARY, tdm, data_dir=data_dir).returncode == 0
    out = run_cli("check", "--action", "tdm:mine", *BASE, "--json", data_dir=data_dir)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["decision"] == "permit"


def test_plain_text_output_carries_the_explanation(loaded):
    out = run_cli("check", "--action", "distribute", *BASE, "--delivery-channel", "rg:Email", data_dir=loaded)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "deny (prohibited)"
    assert "Prohibited by licenceBig. It would be permitted when delivery channel is secure electronic " \
           "transmission, by licenceBig." in out.stdout
    zh = run_cli("--lang", "zh", "check", "--action", "read", *BASE, data_dir=loaded)
    assert zh.stdout.splitlines()[0] == "permit (permitted)" and "允许：依据《licenceBig》" in zh.stdout


# ------------------------------------------------------------------ JSON API
@pytest.fixture
def client(store):
    load_files(store, [LIBRARY])
    return create_app(store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()


@pytest.mark.parametrize("params, needles", [
    ({"action": "reed"}, ["action: unknown action 'reed'", "did you mean read?"]),
    ({"action": "foo:bar"}, ["action: unknown prefix 'foo'"]),
    ({"assignee": LIB + "nobody"}, ["assignee: unknown party", LIB + "nobody"]),
    ({"context": "unknownop=3"}, ["context: unknown left operand 'unknownop'"]),
    ({"context": "foo:count=3"}, ["unknown prefix 'foo'"]),
], ids=["action", "prefix", "party", "operand", "operand-prefix"])
def test_api_refuses_unknown_terms_with_400(client, params, needles):
    resp = client.get("/api/v1/decision", query_string={**GET_BASE, **params})
    assert resp.status_code == 400, resp.get_json()
    for needle in needles:
        assert needle in resp.get_json()["error"]


def test_api_errors_in_chinese_and_by_post(client):
    zh = client.get("/api/v1/decision", query_string={**GET_BASE, "action": "reed"},
                    headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert zh.status_code == 400 and "未知的动作 'reed'" in zh.get_json()["error"]
    posted = client.post("/api/v1/decision", json={**GET_BASE, "context": {"unknownop": 3}})
    assert posted.status_code == 400 and "unknown left operand 'unknownop'" in posted.get_json()["error"]


def test_api_answers_not_held_for_a_target_not_in_the_store(client):
    resp = client.get("/api/v1/decision", query_string={**GET_BASE, "target": LIB + "notInTheStore"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["decision"], body["reason"], body["policies"]) == ("not-held", "target-not-held", [])
    assert LIB + "notInTheStore" in body["explanation"]["en"] and body["explanation"]["zh"]


def test_batch_puts_errors_and_not_held_in_place(client):
    reqs = [dict(GET_BASE),
            dict(GET_BASE, action="reed"),
            dict(GET_BASE, action="foo:bar"),
            dict(GET_BASE, assignee=LIB + "nobody"),
            dict(GET_BASE, context={"unknownop": 3}),
            dict(GET_BASE, target=LIB + "notInTheStore")]
    out = client.post("/api/v1/decisions", json={"requests": reqs}).get_json()["decisions"]
    assert out[0]["decision"] == "permit"
    assert out[1]["error"].startswith("requests[1].action: unknown action 'reed'")
    assert out[2]["error"].startswith("requests[2].action: unknown prefix 'foo'")
    assert out[3]["error"].startswith("requests[3].assignee: unknown party")
    assert out[4]["error"].startswith("requests[4].context: unknown left operand 'unknownop'")
    assert out[5]["decision"] == "not-held"


def test_web_page_says_not_held_and_names_unknown_terms(client):
    page = client.get("/decide", query_string={**GET_BASE, "target": LIB + "notInTheStore"}).get_data(as_text=True)
    assert "NOT HELD" in page and "DENY" not in page
    page = client.get("/decide", query_string={**GET_BASE, "action": "reed"}).get_data(as_text=True)
    assert "unknown action" in page and "DENY" not in page


def _sparql(client, expr: str) -> dict:
    q = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
         "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT ?x WHERE { BIND(" + expr + " AS ?x) }")
    resp = client.post("/sparql", data=q, headers={"Content-Type": "application/sparql-query",
                                                   "Accept": "application/sparql-results+json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["results"]["bindings"][0]


def test_sparql_functions_do_not_answer_deny_for_unknown_terms(client):
    at = 'odrl:dateTime, "2025-06-01T10:00:00Z"^^xsd:dateTime'
    ok = _sparql(client, f"rg:decision(<{LIB}article1>, odrl:read, <{LIB}libA>, {at})")
    assert ok["x"]["value"] == "permit|permitted"
    # unknown action, party, left operand: an expression error, the variable unbound
    assert "x" not in _sparql(client, f"rg:decision(<{LIB}article1>, odrl:reed, <{LIB}libA>, {at})")
    assert "x" not in _sparql(client, f"rg:permitted(<{LIB}article1>, odrl:read, <{LIB}nobody>, {at})")
    assert "x" not in _sparql(client, f"rg:decision(<{LIB}article1>, odrl:read, <{LIB}libA>, odrl:unknownop, 3)")
    # a target not held: said so by rg:decision, unbound for the boolean
    held = _sparql(client, f"rg:decision(<{LIB}notInTheStore>, odrl:read, <{LIB}libA>, {at})")
    assert held["x"]["value"] == "not-held|target-not-held"
    assert "x" not in _sparql(client, f"rg:permitted(<{LIB}notInTheStore>, odrl:read, <{LIB}libA>, {at})")


# ------------------------------------------------------------------ `evaluate` (files)
POLICY = """@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<http://example.com/p> a odrl:Set ; odrl:permission [ odrl:target <http://example.com/doc> ; odrl:action odrl:read ] .
"""
REQUEST = """@prefix sotw: <https://w3id.org/force/sotw#> .
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
<http://example.com/req> a sotw:EvaluationRequest ;
{body} .
"""


@pytest.mark.parametrize("body, needles", [
    ('sotw:requestingParty <http://example.com/alice> ; sotw:requestedTarget <http://example.com/doc>',
     ["request <http://example.com/req>", "no sotw:requestedAction"]),
    ('sotw:requestingParty <http://example.com/alice> ; sotw:requestedAction odrl:read',
     ["request <http://example.com/req>", "no sotw:requestedTarget"]),
    ('sotw:requestingParty "alice" ; sotw:requestedAction odrl:read ; sotw:requestedTarget <http://example.com/doc>',
     ["request <http://example.com/req>", "sotw:requestingParty", "must be an IRI"]),
], ids=["no-action", "no-target", "literal-party"])
def test_evaluate_refuses_a_request_without_action_or_target(tmp_path, body, needles):
    (tmp_path / "p.ttl").write_text(POLICY)
    (tmp_path / "r.ttl").write_text(REQUEST.format(body=body))
    out = run_cli("evaluate", "--policy", tmp_path / "p.ttl", "--request", tmp_path / "r.ttl", data_dir=tmp_path / "d")
    _usage_error(out, *needles)
    zh = run_cli("--lang", "zh", "evaluate", "--policy", tmp_path / "p.ttl", "--request", tmp_path / "r.ttl",
                 data_dir=tmp_path / "d")
    _usage_error(zh, "请求 <http://example.com/req>", lang="zh")


def test_evaluate_a_request_without_a_party_asks_for_anyone(tmp_path):
    # W3C formal semantics example B11 names no party: rules without an assignee apply
    (tmp_path / "p.ttl").write_text(POLICY)
    (tmp_path / "r.ttl").write_text(REQUEST.format(
        body="sotw:requestedAction odrl:read ; sotw:requestedTarget <http://example.com/doc>"))
    out = run_cli("evaluate", "--policy", tmp_path / "p.ttl", "--request", tmp_path / "r.ttl", "--json",
                  data_dir=tmp_path / "d")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["decision"] == "permit"


# ------------------------------------------------------------------ held: beyond what the index reads
CATALOGUE_ONLY = """@prefix dct: <http://purl.org/dc/terms/> .
<http://example.org/lib/pamphlet9> dct:title "A record with no partOf, type or licence" .
<http://example.org/lib/walkInReader> dct:description "a party only described, named by no policy" .
"""


@pytest.mark.parametrize("which", ["embedded", pytest.param("remote", marks=pytest.mark.server)])
def test_a_record_only_the_catalogue_describes_is_held(request, which):
    """The index skips titles; the store lookup (a key lookup embedded, an ASK remote)
    still finds the record and the party: a decision, not not-held nor an error."""
    from rightsgraph.decision_service import DecisionParamError, DecisionService
    st = request.getfixturevalue("store" if which == "embedded" else "remote_store")
    import pyoxigraph as ox
    load_files(st, [LIBRARY])
    st.load_bytes(CATALOGUE_ONLY.encode(), ox.RdfFormat.TURTLE, ox.NamedNode("https://example.org/graph/catalogue"))
    svc = DecisionService(st)
    answer = svc.answer({"target": LIB + "pamphlet9", "action": "read", "assignee": LIB + "walkInReader"})
    assert (answer["decision"], answer["reason"]) == ("deny", "no-applicable-permission")
    assert svc.answer({"target": LIB + "pamphlet10", "action": "read"})["decision"] == "not-held"
    with pytest.raises(DecisionParamError, match="unknown party"):
        svc.answer({"target": LIB + "pamphlet9", "action": "read", "assignee": LIB + "walkInReader2"})
