"""Semantics the public suites do not cover: conflict strategies, inheritFrom, offers,
logical constraints, obligations and consequences, implies, refinements, operators."""

from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.namespaces import ODRL
from rightsgraph.policy import DutyState, PolicyIndex, State, decide

DATA = Path(__file__).parent / "data" / "policy"
EX = "http://example.org/s/"
NOW = datetime(2025, 3, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index():
    return PolicyIndex.from_quads(ox.parse(path=str(DATA / "strategies.ttl"), format=ox.RdfFormat.TURTLE))


def ask(index, target, action, assignee=None, context=None, **kw):
    return decide(index, EX + target, action, assignee and EX + assignee, context, at=NOW, **kw)


@pytest.mark.parametrize("target,decision,reason", [
    ("a1", "permit", "permitted"),                    # odrl:perm
    ("a2", "deny", "prohibited"),                     # odrl:prohibit
    ("a3", "deny", "policy-void-by-conflict"),        # default odrl:invalid
    ("a4", "deny", "policy-void-by-conflict"),        # different strategies across policies
])
def test_conflict_strategies(index, target, decision, reason):
    d = ask(index, target, ODRL.read)
    assert (d.decision, d.reason) == (decision, reason)
    if reason == "policy-void-by-conflict":
        assert len(d.rules) == 2


def test_inherit_from(index):
    assert ask(index, "a5", ODRL.read, "carol").decision == "permit"   # parent's permission
    d = ask(index, "a5", ODRL.print, "carol")                         # child's prohibition
    assert (d.decision, d.reason, d.policies) == ("deny", "prohibited", [EX + "child"])


def test_offer_grants_nothing(index):
    d = ask(index, "a6", ODRL.read, "anyone")
    assert (d.decision, d.reason) == ("deny", "no-applicable-permission")


@pytest.mark.parametrize("purposes,decision", [
    ([EX + "research"], "permit"), ([EX + "teaching"], "permit"), ([EX + "leisure"], "deny"),
])
def test_xone(index, purposes, decision):
    assert ask(index, "a7", ODRL.read, None, {ODRL.purpose.value: purposes}).decision == decision


def test_and_sequence_and_count(index):
    ctx = {ODRL.event.value: EX + "registration", ODRL["count"].value: 2}
    assert ask(index, "a8", ODRL.read, None, ctx).decision == "permit"
    ctx[ODRL["count"].value] = 3
    assert ask(index, "a8", ODRL.read, None, ctx).reason == "constraint-unsatisfied"
    d = ask(index, "a8", ODRL.read, None, {ODRL.event.value: EX + "registration"})
    assert d.decision == "deny" and [u["leftOperand"] for u in d.unresolved] == [ODRL["count"].value]


def test_policy_obligation_open_then_violated(index):
    d = ask(index, "a9", ODRL.read, "libA")
    assert d.decision == "permit" and [x["duty"] for x in d.duties] == [EX + "payFee"]
    violated = State(duties={EX + "payFee": DutyState("Violated", "Unperformed")})
    d = ask(index, "a9", ODRL.read, "libA", state=violated)
    assert (d.decision, d.reason) == ("deny", "duty-unfulfilled")


def test_duty_consequence(index):
    # nothing recorded, open state (a service asked before the use): permit, duty to fulfil
    d = ask(index, "a10", ODRL.display)
    assert (d.decision, d.reason) == ("permit", "permitted")
    assert [x["duty"] for x in d.duties] == [EX + "attrib"]
    # nothing recorded in a closed state of the world: not performed
    d = ask(index, "a10", ODRL.display, state=State(closed_duties=True))
    assert (d.decision, d.reason) == ("deny", "duty-unfulfilled")
    assert d.duties[0]["duty"] == EX + "attrib"
    open_ = State(duties={EX + "attrib": DutyState("NonSet", "Unknown")})
    d = ask(index, "a10", ODRL.display, state=open_)
    assert d.decision == "permit" and d.duties[0]["duty"] == EX + "attrib"
    violated = State(duties={EX + "attrib": DutyState("Violated", "Unperformed")})
    d = ask(index, "a10", ODRL.display, state=violated)
    assert d.reason == "duty-unfulfilled"
    assert d.duties[0]["consequences"][0]["duty"] == EX + "apologise"
    # ODRL 2.2 IM 2.6.3: the original duty AND its consequence must be fulfilled; the
    # consequence performed alone does not make the permission good
    consequence_only = State(duties={EX + "attrib": DutyState("Violated", "Unperformed"),
                                     EX + "apologise": DutyState("Fulfilled", "Performed")})
    d = ask(index, "a10", ODRL.display, state=consequence_only)
    assert (d.decision, d.reason) == ("deny", "duty-unfulfilled")
    late_without_consequence = State(duties={EX + "attrib": DutyState("Violated", "Performed")})
    assert ask(index, "a10", ODRL.display, state=late_without_consequence).decision == "deny"
    made_good = State(duties={EX + "attrib": DutyState("Violated", "Performed"),
                              EX + "apologise": DutyState("Fulfilled", "Performed")})
    assert ask(index, "a10", ODRL.display, state=made_good).decision == "permit"


def test_unresolved_prohibition_blocks_permit(index):
    d = ask(index, "a11", ODRL.read)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    assert d.unresolved[0]["leftOperand"] == ODRL.purpose.value
    assert ask(index, "a11", ODRL.read, None, {ODRL.purpose.value: EX + "study"}).decision == "permit"
    # both rules active in one policy with the default strategy: the policy is void
    d = ask(index, "a11", ODRL.read, None, {ODRL.purpose.value: EX + "commercial"})
    assert d.reason == "policy-void-by-conflict"


def test_implies(index):
    assert ask(index, "a12", ODRL.read).decision == "permit"
    d = ask(index, "a12", EX + "share")        # share implies distribute
    assert (d.decision, d.reason) == ("deny", "policy-void-by-conflict")


def test_collection_refinements(index):
    ctx = {ODRL.version.value: 3, EX + "age": 30}
    assert ask(index, "a13", ODRL.read, "dave", ctx).decision == "permit"
    assert ask(index, "a13", ODRL.read, "dave", {ODRL.version.value: 1, EX + "age": 30}).decision == "deny"
    assert ask(index, "a13", ODRL.read, "dave", {ODRL.version.value: 3, EX + "age": 12}).decision == "deny"


def test_isa_and_language(index):
    ctx = {ODRL.recipient.value: EX + "erin", ODRL.language.value: "en-GB"}
    assert ask(index, "a14", ODRL.read, None, ctx).decision == "permit"   # Student subClassOf Member
    ctx = {ODRL.recipient.value: EX + "frank", ODRL.language.value: "en"}
    assert ask(index, "a14", ODRL.read, None, ctx).decision == "deny"


def test_is_any_of_duration_percentage(index):
    from datetime import timedelta
    ctx = {ODRL.purpose.value: EX + "teaching", ODRL.elapsedTime.value: timedelta(days=10),
           ODRL.percentage.value: 9.5}
    assert ask(index, "a15", ODRL.reproduce, None, ctx).decision == "permit"
    ctx[ODRL.elapsedTime.value] = "P31D"
    from rightsgraph.policy.operators import Duration
    ctx[ODRL.elapsedTime.value] = Duration("P31D")
    assert ask(index, "a15", ODRL.reproduce, None, ctx).decision == "deny"


def test_state_membership_overlay(index):
    """A state of the world may add memberships the store does not hold."""
    st = State(part_of={EX + "newItem": {EX + "recentItems"}, EX + "eve": {EX + "adults"}})
    ctx = {ODRL.version.value: 2, EX + "age": 40}
    assert ask(index, "newItem", ODRL.read, "eve", ctx, state=st).decision == "permit"
    assert ask(index, "newItem", ODRL.read, "eve", ctx).decision == "deny"


def test_report_and_plain_decisions_agree(index):
    """report=True evaluates more rules; the answer must not change."""
    cases = [("a1", ODRL.read, None, None), ("a3", ODRL.read, None, None), ("a9", ODRL.read, "libA", None),
             ("a11", ODRL.read, None, None), ("a13", ODRL.read, "dave", {ODRL.version.value: 3, EX + "age": 30}),
             ("a5", ODRL.print, "carol", None), ("a6", ODRL.read, "x", None)]
    for target, action, who, ctx in cases:
        a = ask(index, target, action, who, ctx)
        b = ask(index, target, action, who, ctx, report=True)
        assert a.to_json() == b.to_json(), target
        assert b.report_quads()


def test_request_file_constraints_become_context(tmp_path):
    from rightsgraph.policy import evaluate_quads
    pol = """@prefix odrl: <http://www.w3.org/ns/odrl/2/> . @prefix ex: <http://example.org/r/> .
    ex:p a odrl:Set ; odrl:permission ex:perm .
    ex:perm odrl:target ex:x ; odrl:action odrl:read ;
      odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand ex:research ] ."""
    req = """@prefix odrl: <http://www.w3.org/ns/odrl/2/> . @prefix ex: <http://example.org/r/> .
    ex:req a odrl:Request ; odrl:permission [ odrl:assignee ex:ann ; odrl:action odrl:read ; odrl:target ex:x ;
      odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:eq ; odrl:rightOperand ex:research ] ] ."""
    parse = lambda t: list(ox.parse(t, format=ox.RdfFormat.TURTLE))  # noqa: E731
    d = evaluate_quads(parse(pol), parse(req))
    assert (d.decision, d.rules) == ("permit", ["http://example.org/r/perm"])
    assert d.report_turtle().count("report:PolicyReport") == 1


def test_index_from_store():
    from rightsgraph.store.embedded import EmbeddedStore
    store = EmbeddedStore()
    store.load_bytes((DATA / "strategies.ttl").read_bytes(), ox.RdfFormat.TURTLE,
                     ox.NamedNode("https://w3id.org/rightsgraph/graph/t"))
    idx = PolicyIndex.from_store(store)
    assert decide(idx, EX + "a1", ODRL.read, at=NOW).decision == "permit"


def test_state_of_the_world_features_become_context():
    from rightsgraph.policy import read_state
    ttl = """@prefix fs: <https://w3id.org/odrl-fs#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <urn:sotw> a fs:SotW ; fs:currentTime "2025-03-01T00:00:00Z"^^xsd:dateTime ; fs:count 4 ;
      fs:currentLocation <http://example.org/s/readingRoom> ."""
    st = read_state(list(ox.parse(ttl, format=ox.RdfFormat.TURTLE)))
    assert st.time == NOW
    assert st.context[ODRL["count"].value] == [4]
    assert st.context[ODRL.spatial.value] == ["http://example.org/s/readingRoom"]


def test_several_policies_on_one_asset_and_term_keys():
    from rightsgraph.namespaces import RG
    ttl = """@prefix odrl: <http://www.w3.org/ns/odrl/2/> . @prefix ex: <http://example.org/m/> .
    ex:lic1 a odrl:Agreement ; odrl:assigner ex:pub ; odrl:assignee ex:libA ;
      odrl:permission [ odrl:target ex:book ; odrl:action odrl:read ] .
    ex:lic2 a odrl:Set ; odrl:permission [ odrl:target ex:book ; odrl:action odrl:use ;
      odrl:constraint [ odrl:leftOperand odrl:deliveryChannel ; odrl:operator odrl:isAnyOf ;
                        odrl:rightOperand <https://w3id.org/rightsgraph/ns#SecureElectronicTransmission> ] ] ."""
    idx = PolicyIndex.from_quads(ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    M = "http://example.org/m/"
    d = decide(idx, ox.NamedNode(M + "book"), ODRL.read, ox.NamedNode(M + "libA"),
               {ODRL.deliveryChannel: RG.SecureElectronicTransmission}, at=NOW)
    assert d.decision == "permit" and sorted(d.policies) == [M + "lic1", M + "lic2"]
    d = decide(idx, M + "book", ODRL.read, M + "libB", {ODRL.deliveryChannel: RG.Email}, at=NOW)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    d = decide(idx, M + "book", ODRL.modify, M + "libA", at=NOW)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")  # lic2 covers use, unresolved
    assert d.unresolved[0]["leftOperand"] == ODRL.deliveryChannel.value
