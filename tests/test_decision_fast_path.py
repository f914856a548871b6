"""GET /api/v1/decision answered before Flask (web/decision_fast_path.py) says exactly what the
Flask view says: the same status, headers and bytes, for every caller (anonymous, reader,
cataloguer, a bad token), redactions included; what it does not answer itself (errors,
`lang`, unknown parameters, CORS, anonymous read off) the view answers as before."""

from __future__ import annotations

import itertools

import pytest

from rightsgraph.accounts import Accounts
from rightsgraph.confidentiality import set_confidential
from rightsgraph.web.app import create_app

from .conftest import load_demo_world

ODRL = "http://www.w3.org/ns/odrl/2/"
RES = "https://demo.rightsgraph.org/resource/"
PARTY = "https://demo.rightsgraph.org/party/"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from rightsgraph.store.embedded import EmbeddedStore
    base = tmp_path_factory.mktemp("fastpath")
    store = load_demo_world(EmbeddedStore(base / "store"))
    licence_graphs = sorted(r["g"].value for r in store.query(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?p <{ODRL}permission> ?r }} }}"))
    set_confidential(store, licence_graphs[0])     # readers may not see this licence's terms
    accounts = Accounts(base / "accounts.json")
    tokens = {role: accounts.add(f"a-{role}", role) for role in ("reader", "cataloguer")}
    parties = [r["p"].value for r in store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?p a <{ODRL}Party> }} ORDER BY ?p LIMIT 6")]
    resources = [r["s"].value for r in store.query(
        "SELECT ?s WHERE { ?s a <https://w3id.org/rightsgraph/ns#Resource> } ORDER BY ?s LIMIT 8")]

    def app(**settings):
        return create_app(store, settings={"RG_ACCOUNTS_FILE": str(base / "accounts.json"),
                                           "RG_QUERY_TIMEOUT": 0, **settings})
    yield {"app": app, "tokens": tokens, "parties": parties, "resources": resources}
    store.close()


class _Counting:
    """The Flask side of the fast path, counting the requests passed on to it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


def _pair(world, **settings):
    """(the app with the fast path and its counter of requests passed on, the app without)."""
    fast = world["app"](**settings)
    counter = _Counting(fast.wsgi_app.app.app)      # BodyLimit -> DecisionFastPath -> Flask
    fast.wsgi_app.app.app = counter
    slow = world["app"](RG_DECISION_FAST_PATH=False, **settings)
    return fast.test_client(), counter, slow.test_client()


def _same(fast, slow, query, headers=None):
    a = fast.get("/api/v1/decision", query_string=query, headers=headers or {})
    b = slow.get("/api/v1/decision", query_string=query, headers=headers or {})
    assert a.status_code == b.status_code, query
    assert sorted(a.headers.items()) == sorted(b.headers.items()), query
    assert a.data == b.data, query
    return a


def test_everyday_questions_are_answered_as_the_view_answers_them_for_every_caller(world):
    fast, counter, slow = _pair(world)
    callers = [{}, {"Authorization": "Bearer " + world["tokens"]["reader"]},
               {"Authorization": "Bearer " + world["tokens"]["cataloguer"]}]
    verdicts, redacted, clear = set(), 0, 0
    questions = itertools.product(world["resources"], world["parties"],
                                  ("read", "odrl:print", ODRL + "reproduce", "archive"))
    for (target, assignee, action), headers in itertools.product(questions, callers):
        query = {"target": target, "action": action, "assignee": assignee, "at": "2026-06-01T10:00:00Z"}
        got = _same(fast, slow, query, headers).get_json()
        verdicts.add(got["decision"])
        text = str(got)
        redacted += "(confidential)" in text
        clear += "(confidential)" not in text and bool(got.get("policies"))
    assert counter.calls == 0, "the fast path passed everyday questions on to Flask"
    assert {"permit", "deny"} <= verdicts, verdicts
    assert redacted and clear, "the questions must touch the confidential licence and others"


@pytest.mark.parametrize("query", [
    {"target": RES + "0001", "action": "read", "assignee": PARTY + "user-li-ming", "report": "true"},
    {"target": RES + "0002", "action": "read", "assignee": PARTY + "user-li-ming", "context": "count=3"},
    {"issn": "1457-3644", "action": "read", "assignee": PARTY + "user-li-ming", "at": "2026-06-01T10:00:00Z"},
    {"target": "https://demo.rightsgraph.org/resource/not-held", "action": "read"},
    {"target": [RES + "0001", RES + "0002"], "action": "read"},      # repeated: the view's 400
])
def test_other_shapes_of_question_get_the_same_answer(world, query):
    fast, _, slow = _pair(world)
    for headers in ({}, {"Authorization": "Bearer " + world["tokens"]["reader"]}):
        _same(fast, slow, query, headers)


@pytest.mark.parametrize("query, headers, settings", [
    ({"target": RES + "0001", "action": "fly"}, {}, {}),                              # unknown action: 400
    ({"target": "not an iri", "action": "read"}, {}, {}),                             # malformed: 400
    ({"target": RES + "0001", "action": "read", "at": "yesterday"}, {"Accept-Language": "zh"}, {}),
    ({"target": RES + "0001", "action": "read", "lang": "zh"}, {}, {}),               # ?lang: the view
    ({"target": RES + "0001", "action": "read", "tagret": "x"}, {}, {}),              # unknown name: 400
    ({"target": RES + "0001", "action": "read"}, {"Authorization": "Bearer nope"}, {}),          # 401
    ({"target": RES + "0001", "action": "read"}, {"Authorization": "Token abc"}, {}),            # 401
    ({"target": RES + "0001", "action": "read"}, {}, {"RG_ANONYMOUS_READ": False}),              # 401
    ({"target": RES + "0001", "action": "read"}, {"Origin": "https://discovery.example"},
     {"RG_CORS_ORIGINS": "https://discovery.example"}),                                         # CORS headers
])
def test_what_the_fast_path_does_not_answer_the_view_answers_unchanged(world, query, headers, settings):
    fast, counter, slow = _pair(world, **settings)
    got = _same(fast, slow, query, headers)
    assert counter.calls == 1
    assert got.status_code != 200 or "Access-Control-Allow-Origin" in got.headers or "lang" in query


def test_a_post_and_other_paths_go_to_flask(world):
    fast, counter, slow = _pair(world)
    body = {"target": RES + "0001", "action": "read", "assignee": PARTY + "user-li-ming"}
    a, b = fast.post("/api/v1/decision", json=body), slow.post("/api/v1/decision", json=body)
    assert (a.status_code, a.data) == (b.status_code, b.data)
    fast.get("/api/v1/decision/", query_string={"target": RES + "0001", "action": "read"})
    fast.get("/healthz")
    assert counter.calls == 3
