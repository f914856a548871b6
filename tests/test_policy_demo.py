"""The decision engine over the shipped demo world (data/demo) and ontology: licences typed
rg:Licence (a subclass of odrl:Agreement), consortium user categories, ILL channels."""

from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.namespaces import ODRL, RG
from rightsgraph.policy import PolicyIndex, decide, find_conflicts

REPO = Path(__file__).resolve().parents[1]
D = "https://demo.rightsgraph.org/"
AT = datetime(2026, 5, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index():
    files = (sorted((REPO / "data" / "demo").glob("*.ttl")) + sorted((REPO / "ontology").glob("*.ttl"))
             + sorted((REPO / "data" / "open-licences").glob("*.ttl")))
    assert files, "data/demo and ontology/ hold no .ttl files"
    quads = [q for f in files for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)]
    return PolicyIndex.from_quads(quads)


def test_licences_are_agreements_through_the_ontology(index):
    lic = index.policies.get(D + "licence/L01")
    assert lic is not None, "demo licence L01 absent"
    assert lic.kind == "Agreement"


@pytest.mark.parametrize("channel,decision,reason", [
    (RG.SecureElectronicTransmission, "permit", "permitted"),
    (RG.Email, "deny", "prohibited"),
    (None, "deny", "constraint-unsatisfied"),
])
def test_demo_interlibrary_loan(index, channel, decision, reason):
    assert D + "licence/L01" in index.policies, "demo licence L01 absent"
    ctx = {ODRL.deliveryChannel: channel} if channel else None
    d = decide(index, D + "resource/0001", ODRL.distribute, D + "party/lib-a", ctx, at=AT)
    assert (d.decision, d.reason) == (decision, reason)
    if decision == "permit":   # attribution is owed with the supply
        assert [x["action"] for x in d.duties] == [[ODRL.attribute.value]]


def test_demo_has_no_false_ill_conflict(index):
    kinds = {tuple(sorted(c.rules)) for c in find_conflicts(index)}
    assert not any("ill-secure" in r[0] + r[1] and "ill-email" in r[0] + r[1] for r in kinds)
