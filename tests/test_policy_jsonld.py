"""ODRL JSON-LD with the standard remote @context loads offline, through every door that reads
it (the load gate, the standalone evaluator), from the bundled copy of the ODRL context."""

import json
from datetime import datetime, timezone

import pytest

from rightsgraph.policy import PolicyIndex, decide, evaluate_files, read_rdf
from rightsgraph.policy.jsonld import RemoteContextError, parse_jsonld

from .conftest import run_cli

POLICY = {
    "@context": "http://www.w3.org/ns/odrl.jsonld",
    "@type": "Agreement",
    "uid": "http://example.com/policy:jsonld-1",
    "assigner": "http://example.com/party:pub",
    "assignee": "http://example.com/party:lib",
    "permission": [{
        "target": "http://example.com/asset:9898",
        "action": "read",
        "constraint": [{"leftOperand": "dateTime", "operator": "lteq",
                        "rightOperand": {"@value": "2030-12-31", "@type": "xsd:date"}}],
    }],
    "prohibition": [{"target": "http://example.com/asset:9898", "action": "distribute"}],
}


def test_parses_offline_with_the_bundled_context():
    quads = parse_jsonld(json.dumps(POLICY), name="policy.jsonld")
    preds = {q.predicate.value for q in quads}
    assert "http://www.w3.org/ns/odrl/2/permission" in preds
    index = PolicyIndex.from_quads(quads)
    d = decide(index, "http://example.com/asset:9898", "http://www.w3.org/ns/odrl/2/read",
               "http://example.com/party:lib", at=datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert (d.decision, d.policies) == ("permit", ["http://example.com/policy:jsonld-1"])


def test_https_and_list_contexts_and_scoped_contexts_resolve():
    doc = dict(POLICY, **{"@context": ["https://www.w3.org/ns/odrl.jsonld", {"ex": "http://example.com/"}]})
    quads = parse_jsonld(json.dumps(doc))
    assert any(q.predicate.value == "http://www.w3.org/ns/odrl/2/prohibition" for q in quads)


def test_an_unknown_remote_context_is_an_error_that_names_it():
    doc = dict(POLICY, **{"@context": "https://example.org/other-context.jsonld"})
    with pytest.raises(RemoteContextError, match="other-context.jsonld.*not available offline"):
        parse_jsonld(json.dumps(doc), name="x.jsonld")


def test_the_load_door_accepts_it_and_refuses_unknown_contexts(tmp_path):
    good = tmp_path / "policy.jsonld"
    good.write_text(json.dumps(POLICY))
    r = run_cli("load", str(good), data_dir=tmp_path / "store")
    assert r.returncode == 0, r.stderr
    r = run_cli("check", "--target", "http://example.com/asset:9898", "--action", "read",
                "--assignee", "http://example.com/party:lib", "--at", "2026-01-01T00:00:00Z", "--json",
                data_dir=tmp_path / "store")
    assert json.loads(r.stdout)["decision"] == "permit", r.stderr
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(dict(POLICY, **{"@context": "https://example.org/ctx.jsonld"})))
    r = run_cli("load", str(bad), data_dir=tmp_path / "store2")
    assert r.returncode != 0
    assert "bad.jsonld" in r.stderr and "https://example.org/ctx.jsonld" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_standalone_evaluator_reads_odrl_jsonld(tmp_path):
    policy = tmp_path / "policy.jsonld"
    policy.write_text(json.dumps(POLICY))
    request = tmp_path / "request.ttl"
    request.write_text("""
        @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
        <urn:r> a odrl:Request ; odrl:permission <urn:r1> .
        <urn:r1> odrl:assignee <http://example.com/party:lib> ; odrl:action odrl:distribute ;
            odrl:target <http://example.com/asset:9898> .""")
    d = evaluate_files(policy, request, report=False)
    assert (d.decision, d.reason) == ("deny", "prohibited")
    assert len(read_rdf(policy)) > 10
