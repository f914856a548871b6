"""Every door gives the same answer: Python, CLI `check`, HTTP GET, HTTP POST, the HTTP
batch and the SPARQL function, on many generated requests over the demo world."""

from __future__ import annotations

import json
import random

import pytest
import requests

from rightsgraph.demo import load_demo
from rightsgraph.policy import PolicyIndex, decide
from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.system_graphs import ensure_system_graphs

from ..conftest import run_cli

pytestmark = pytest.mark.server
DEMO = "https://demo.rightsgraph.org/"
ODRL = "http://www.w3.org/ns/odrl/2/"
RG = "https://w3id.org/rightsgraph/ns#"
ACTIONS = ["read", "print", "distribute", "archive", "use", "commercialize", "http://www.w3.org/ns/tdmrep#mine"]
DATES = ["2025-06-01T09:00:00Z", "2026-12-01T10:00:00Z", "2027-03-01T12:00:00Z", "2030-01-15T08:00:00Z"]
CHANNELS = [None, RG + "SecureElectronicTransmission", RG + "Email", RG + "Print"]


@pytest.fixture(scope="module")
def world(deployment, tmp_path_factory):
    base = tmp_path_factory.mktemp("doors")
    out = deployment.cli("demo", "--no-serve")
    assert out.returncode == 0, out.stderr
    local = EmbeddedStore(base / "local" / "store")
    ensure_system_graphs(local)
    load_demo(local)
    srv = deployment.serve()
    srv.embedded = deployment.embedded
    yield srv, local, base
    srv.stop()


def _parties(store):
    rows = store.query("PREFIX odrl: <http://www.w3.org/ns/odrl/2/> SELECT DISTINCT ?p WHERE { "
                       "{ ?p a odrl:Party } UNION { ?x odrl:assignee ?p } UNION { ?p odrl:partOf ?c . ?c a ?k "
                       "FILTER(?k IN (odrl:PartyCollection, <https://w3id.org/rightsgraph/ns#Consortium>, "
                       "<https://w3id.org/rightsgraph/ns#UserCategory>)) } FILTER(isIRI(?p)) }")
    return sorted(r["p"].value for r in rows)


def _requests(store, n=160, seed=7):
    rng = random.Random(seed)
    resources = sorted(r["r"].value for r in store.query(
        "SELECT ?r WHERE { ?r a <https://w3id.org/rightsgraph/ns#Resource> }"))
    parties = _parties(store)
    out = []
    for _ in range(n):
        req = {"target": rng.choice(resources), "action": rng.choice(ACTIONS),
               "assignee": rng.choice(parties), "at": rng.choice(DATES)}
        ch = rng.choice(CHANNELS)
        if ch:
            req["delivery-channel"] = ch
        if rng.random() < 0.3:
            req["context"] = {"count": rng.choice([1, 5, 15, 25])}
        out.append(req)
    return out


def _python(index, req):
    from rightsgraph.decision_service import read_params
    return decide(index, **read_params(req)).to_json()


def _key(result):
    return (result["decision"], result["reason"], sorted(result["rules"]), sorted(result["policies"]))


def _sparql_door(srv, reqs, expected):
    """One query answering every request through rg:decision."""
    rows = []
    for i, req in enumerate(reqs):
        args = [f"<{req['target']}>", f"<{ODRL + req['action'] if '://' not in req['action'] else req['action']}>",
                f"<{req['assignee']}>", f"odrl:dateTime, \"{req['at']}\"^^xsd:dateTime"]
        if "delivery-channel" in req:
            args.append(f"odrl:deliveryChannel, <{req['delivery-channel']}>")
        if "context" in req:
            args.append(f"odrl:count, {req['context']['count']}")
        rows.append(f"BIND(rg:decision({', '.join(args)}) AS ?d{i})")
    for chunk in range(0, len(rows), 40):
        part = rows[chunk:chunk + 40]
        q = ("PREFIX rg: <https://w3id.org/rightsgraph/ns#> PREFIX odrl: <http://www.w3.org/ns/odrl/2/> "
             "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> SELECT * WHERE { " + " ".join(part) + " }")
        r = requests.post(srv.url + "/sparql", data=q, timeout=60,
                          headers={"Content-Type": "application/sparql-query",
                                   "Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        binding = r.json()["results"]["bindings"][0]
        for i in range(chunk, chunk + len(part)):
            decision, reason = binding[f"d{i}"]["value"].split("|")
            assert (decision, reason) == (expected[i]["decision"], expected[i]["reason"]), reqs[i]


def test_all_doors_agree(world):
    srv, local, base = world
    reqs = _requests(local)
    index = PolicyIndex.from_store(local)
    expected = [_python(index, r) for r in reqs]
    assert len({e["decision"] for e in expected}) == 2, "the sample should hold permits and denies"
    assert len({e["reason"] for e in expected}) >= 3

    answer = requests.post(srv.url + "/api/v1/decisions", json={"requests": reqs}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    batch = answer.json()["decisions"]
    assert [_key(b) for b in batch] == [_key(e) for e in expected]

    for req, exp in list(zip(reqs, expected))[:40]:
        params = {k: v for k, v in req.items() if k != "context"}
        params.update({"context": [f"{k}={v}" for k, v in req.get("context", {}).items()]})
        got = requests.get(srv.url + "/api/v1/decision", params=params, timeout=30).json()
        assert _key(got) == _key(exp), req
        posted = requests.post(srv.url + "/api/v1/decision", json=req, timeout=30).json()
        assert _key(posted) == _key(exp), req

    # web page door: the verdict and reason shown on /decide
    for req, exp in list(zip(reqs, expected))[:25]:
        params = {k: v for k, v in req.items() if k != "context"}
        params["context"] = [f"{k}={v}" for k, v in req.get("context", {}).items()]
        page = requests.get(srv.url + "/decide", params=params, timeout=30).text
        verdict = f'data-decision="{exp["decision"]}" data-reason="{exp["reason"]}"'
        assert verdict in page, req

    # SPARQL door (embedded store only: a remote SPARQL engine cannot call our Python
    # functions, docs/decisions.md)
    if srv.embedded:
        _sparql_door(srv, reqs, expected)

    # CLI door (a subprocess each: a sample); it opens the local store itself
    import gc
    local.close()
    del index
    gc.collect()
    for req, exp in list(zip(reqs, expected))[:12]:
        args = ["check", "--json", "--target", req["target"], "--action", req["action"],
                "--assignee", req["assignee"], "--at", req["at"]]
        if "delivery-channel" in req:
            args += ["--delivery-channel", req["delivery-channel"]]
        for k, v in req.get("context", {}).items():
            args += ["--context", f"{k}={v}"]
        out = run_cli(*args, data_dir=base / "local")
        assert out.returncode == 0, out.stderr
        assert _key(json.loads(out.stdout)) == _key(exp), req
