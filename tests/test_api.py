"""The JSON decision API's contract: parameters, errors naming the parameter, the report,
the batch form. (That it agrees with the other doors: integration/test_doors_agree.py.)"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from rightsgraph.loading import load_files
from rightsgraph.web.app import create_app

from .conftest import REPO

LIB = "http://example.org/lib/"


@pytest.fixture
def client(store):
    load_files(store, [REPO / "tests" / "data" / "policy" / "library.ttl"])
    return create_app(store, settings={"RG_QUERY_TIMEOUT": 0}).test_client()


def ask(client, **params):
    base = {"target": LIB + "article1", "action": "read", "assignee": LIB + "libA", "at": "2025-06-01T10:00:00Z"}
    return client.get("/api/v1/decision", query_string={**base, **params})


def test_get_and_post_give_the_decision(client):
    got = ask(client).get_json()
    assert got["decision"] == "permit" and got["reason"] == "permitted" and got["rules"] == [LIB + "bigRead"]
    posted = client.post("/api/v1/decision", json={"target": LIB + "article1", "action": "odrl:read",
                                                   "assignee": LIB + "libA", "at": "2025-06-01T10:00:00Z"}).get_json()
    assert posted == got


def test_context_values_and_named_operands(client):
    email = ask(client, action="distribute", **{"delivery-channel": "rg:Email"}).get_json()
    assert (email["decision"], email["reason"]) == ("deny", "prohibited")
    printed = ask(client, action="print", at="2027-01-05T10:00:00Z", context="count=3").get_json()
    assert printed["reason"] == "constraint-unsatisfied" and printed["rules"] == [LIB + "bigPrint"]
    unknown = ask(client, action="distribute").get_json()
    assert unknown["unresolved"] and unknown["unresolved"][0]["leftOperand"].endswith("deliveryChannel")


@pytest.mark.parametrize("params, word", [
    ({"target": ""}, "target"),
    ({"target": "not an iri"}, "target"),
    ({"action": ""}, "action"),
    ({"at": "yesterday"}, "at"),
    ({"context": "count"}, "context"),
])
def test_malformed_parameters_get_400_naming_them(client, params, word):
    resp = ask(client, **params)
    assert resp.status_code == 400
    assert word in resp.get_json()["error"]


def test_report_on_request(client):
    body = ask(client, report="true").get_json()
    report = ox.Store()
    report.load(body["report"].encode(), ox.RdfFormat.TURTLE)
    assert bool(report.query("ASK { ?r a <https://w3id.org/force/compliance-report#PolicyReport> }"))
    assert "report" not in ask(client).get_json()


def test_batch_answers_in_order_with_errors_in_place(client):
    reqs = [{"target": LIB + "article1", "action": "read", "assignee": LIB + "libA", "at": "2025-06-01T10:00:00Z"},
            {"target": "x y", "action": "read"},
            "not an object",
            {"target": LIB + "article1", "action": "distribute", "assignee": LIB + "libA",
             "at": "2025-06-01T10:00:00Z", "context": {"deliveryChannel": "rg:Email"}}]
    out = client.post("/api/v1/decisions", json={"requests": reqs}).get_json()["decisions"]
    assert out[0]["decision"] == "permit"
    assert out[1]["error"].startswith("requests[1].target")
    assert out[2]["error"].startswith("requests[2]")
    assert out[3]["reason"] == "prohibited"
    assert client.post("/api/v1/decisions", json={"nope": 1}).status_code == 400
    assert client.post("/api/v1/decision", data="not json", content_type="text/plain").status_code == 400
