"""`rightsgraph check` / `rightsgraph evaluate` through click's CliRunner."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from rightsgraph.cli.decide import check, evaluate
from rightsgraph.decision_service import expand, parse_value
from rightsgraph.store.embedded import EmbeddedStore

from .conftest import CONFORMANCE

DATA = Path(__file__).parent / "data" / "policy"
EX = "http://example.org/lib/"
SUITE = CONFORMANCE / "odrl" / "solidlab-test-suite"


@pytest.fixture()
def obj():
    store = EmbeddedStore()
    store.load_bytes((DATA / "library.ttl").read_bytes(), ox.RdfFormat.TURTLE,
                     ox.NamedNode("https://w3id.org/rightsgraph/graph/test"))
    return {"store": lambda: store}


def run(cmd, args, obj=None):
    return CliRunner().invoke(cmd, args, obj=obj)


def test_check_permit_json(obj):
    r = run(check, ["--target", EX + "article1", "--action", "read", "--assignee", EX + "libA",
                    "--at", "2025-06-01T10:00:00Z", "--json"], obj)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert (out["decision"], out["reason"], out["rules"]) == ("permit", "permitted", [EX + "bigRead"])


def test_check_delivery_channel_and_exit_code(obj):
    args = ["--target", EX + "article1", "--action", "distribute", "--assignee", EX + "libA",
            "--at", "2025-06-01T10:00:00Z"]
    r = run(check, args + ["--delivery-channel", "rg:Email", "--exit-code"], obj)
    assert r.exit_code == 1 and r.output.startswith("deny (prohibited)")
    r = run(check, args + ["--delivery-channel", "rg:SecureElectronicTransmission", "--exit-code"], obj)
    assert r.exit_code == 0 and r.output.startswith("permit (permitted)")
    r = run(check, args, obj)                 # deny without --exit-code still exits 0
    assert r.exit_code == 0 and "unresolved: http://www.w3.org/ns/odrl/2/deliveryChannel" in r.output


def test_check_context_and_report(obj):
    r = run(check, ["--target", EX + "article1", "--action", "odrl:print", "--assignee", EX + "libA",
                    "--at", "2025-06-01T10:00:00Z", "--context", "count=51", "--report"], obj)
    assert r.exit_code == 0
    g = list(ox.parse(r.output, format=ox.RdfFormat.TURTLE))
    assert any(t.predicate.value.endswith("#activationState") for t in g)


def test_check_without_store():
    r = run(check, ["--target", "urn:x", "--action", "read"], {})
    assert r.exit_code == 2


def test_evaluate_force_case():
    args = ["--policy", str(SUITE / "policies/policy-9.ttl"), "--request", str(SUITE / "requests/request-1.ttl"),
            "--sotw", str(SUITE / "sotw/temporal.ttl")]
    r = run(evaluate, args)
    assert r.exit_code == 0
    assert "report:Active" in r.output or "compliance-report#Active" in r.output
    r = run(evaluate, args + ["--json"])
    assert json.loads(r.output)["decision"] == "permit"
    r = run(evaluate, ["--policy", str(SUITE / "policies/policy-2.ttl"), "--request",
                       str(SUITE / "requests/request-1.ttl"), "--json", "--exit-code"])
    assert r.exit_code == 1 and json.loads(r.output)["reason"] == "prohibited"


def test_evaluate_bad_file(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle")
    r = run(evaluate, ["--policy", str(bad), "--request", str(bad)])
    assert r.exit_code == 2 and "error" in r.output


def test_expand_and_values():
    assert expand("read") == "http://www.w3.org/ns/odrl/2/read"
    assert expand("rg:Email") == "https://w3id.org/rightsgraph/ns#Email"
    assert parse_value("3") == 3 and str(parse_value("rg:Email")).endswith("#Email")
    assert parse_value("research") == "research"
