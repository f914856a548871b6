"""Licence lifecycle in decisions (status, termination, amendments) and consortium
licences (a member's local licence narrowing the master): docs/decisions.md,
"Licence lifecycle and consortium licences"."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.licences.registry import import_sheet
from rightsgraph.loading import load_files
from rightsgraph.namespaces import ODRL, RG, TDM
from rightsgraph.policy import PolicyIndex, decide

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "licences"
EX = "http://example.org/lic/"


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=timezone.utc)


@pytest.fixture
def world(store):
    load_files(store, [DATA / "world.ttl"])
    return store


def index_with(store, *sheets):
    for s in sheets:
        import_sheet(store, DATA / s)
    return PolicyIndex.from_store(store)


def test_in_negotiation_grants_nothing(world):
    idx = index_with(world, "negotiation.yaml")
    d = decide(idx, EX + "book1", ODRL.read, EX + "alice", at=at(2025, 6, 1))
    assert (d.decision, d.reason) == ("deny", "no-applicable-permission")
    # once signed (status active) the same terms grant
    import yaml
    raw = yaml.safe_load((DATA / "negotiation.yaml").read_text())
    raw["status"] = "active"
    from rightsgraph.licences.termsheet import canonical
    import_sheet(world, DATA / "negotiation.yaml", sheet=canonical(raw))
    idx = PolicyIndex.from_store(world)
    assert decide(idx, EX + "book1", ODRL.read, EX + "alice", at=at(2025, 6, 1)).decision == "permit"


def test_rejected_grants_nothing_and_forbids_nothing(world):
    import yaml
    from rightsgraph.licences.termsheet import canonical
    raw = yaml.safe_load((DATA / "journals.yaml").read_text())
    raw["status"] = "rejected"
    import_sheet(world, DATA / "journals.yaml", sheet=canonical(raw))
    idx = PolicyIndex.from_store(world)
    assert decide(idx, EX + "art1", ODRL.read, EX + "alice", at=at(2025, 6, 1)).reason == "no-applicable-permission"
    d = decide(idx, EX + "art1", ODRL.distribute, EX + "libA", {ODRL.deliveryChannel: RG.Email}, at=at(2025, 6, 1))
    assert d.reason == "no-applicable-permission"      # its prohibition does not bind either


def test_terminated_grants_nothing_after_its_termination_date(world):
    idx = index_with(world, "terminated.yaml")
    assert decide(idx, EX + "book1", ODRL.read, EX + "alice", at=at(2025, 3, 31)).decision == "permit"
    d = decide(idx, EX + "book1", ODRL.read, EX + "alice", at=at(2025, 4, 1))
    assert d.decision == "deny"      # not even through the perpetual-access term
    assert decide(idx, EX + "book1", ODRL.read, EX + "alice", at=at(2026, 1, 1)).decision == "deny"


def test_terminated_without_date_is_refused(world):
    import yaml
    from rightsgraph.licences.termsheet import TermSheetError, canonical
    raw = yaml.safe_load((DATA / "terminated.yaml").read_text())
    del raw["terminated"]
    with pytest.raises(TermSheetError, match="terminated: a terminated licence needs its termination date"):
        canonical(raw)


def test_amendment_replaces_the_terms_it_lists_from_its_effective_date(world):
    idx = index_with(world, "journals.yaml", "amendment.yaml")
    before, after = at(2025, 6, 30), at(2025, 7, 1)
    # print: 50 before the amendment, 80 after
    assert decide(idx, EX + "art1", ODRL.print, EX + "alice", {ODRL["count"]: 60}, at=before).decision == "deny"
    d = decide(idx, EX + "art1", ODRL.print, EX + "alice", {ODRL["count"]: 60}, at=after)
    assert d.decision == "permit" and d.policies == [EX + "journals-2024-amendment-1"]
    assert decide(idx, EX + "art1", ODRL.print, EX + "alice", {ODRL["count"]: 81}, at=after).decision == "deny"
    # TDM: not reviewed in the licence, permitted by the amendment
    assert decide(idx, EX + "art1", TDM.mine, EX + "alice", at=before).decision == "deny"
    assert decide(idx, EX + "art1", TDM.mine, EX + "alice", at=after).decision == "permit"
    # terms the amendment does not list stay: walk-in printing (another party), ILL
    assert decide(idx, EX + "art1", ODRL.print, EX + "bob", {ODRL["count"]: 5, ODRL.virtualLocation: RG.OnPremises},
                  at=after).decision == "permit"
    d = decide(idx, EX + "art1", ODRL.distribute, EX + "libA", {ODRL.deliveryChannel: RG.Email}, at=after)
    assert d.reason == "prohibited" and d.policies == [EX + "journals-2024"]


def test_amendment_in_negotiation_changes_nothing(world):
    import yaml
    from rightsgraph.licences.termsheet import canonical
    raw = yaml.safe_load((DATA / "amendment.yaml").read_text())
    raw["status"] = "in_negotiation"
    import_sheet(world, DATA / "journals.yaml")
    import_sheet(world, DATA / "amendment.yaml", sheet=canonical(raw))
    idx = PolicyIndex.from_store(world)
    d = decide(idx, EX + "art1", ODRL.print, EX + "alice", {ODRL["count"]: 40}, at=at(2025, 8, 1))
    assert d.decision == "permit" and d.policies == [EX + "journals-2024"]


def test_consortium_master_applies_to_every_member(world):
    idx = index_with(world, "master.yaml")
    for who in ("alice", "carol"):
        d = decide(idx, EX + "book1", ODRL.read, EX + who, at=at(2025, 6, 1))
        assert d.decision == "permit" and d.policies == [EX + "master"]
    d = decide(idx, EX + "book1", ODRL.distribute, EX + "libB",
               {ODRL.deliveryChannel: RG.SecureElectronicTransmission}, at=at(2025, 6, 1))
    assert d.decision == "permit"


def test_local_licence_narrows_and_adds_to_the_master(world):
    idx = index_with(world, "master.yaml", "local-b.yaml")
    when = at(2025, 6, 1)
    # narrower print limit for Library B's users: the local term decides, not the master's 100
    d = decide(idx, EX + "book1", ODRL.print, EX + "carol", {ODRL["count"]: 50}, at=when)
    assert d.decision == "deny" and d.policies == [EX + "local-b"]
    d = decide(idx, EX + "book1", ODRL.print, EX + "carol", {ODRL["count"]: 15}, at=when)
    assert d.decision == "permit" and d.policies == [EX + "local-b"]
    # a local prohibition beats the master's permission (no "void by conflict")
    d = decide(idx, EX + "book1", TDM.mine, EX + "carol", at=when)
    assert (d.decision, d.reason, d.policies) == ("deny", "prohibited", [EX + "local-b"])
    # a term the local licence adds
    d = decide(idx, EX + "book1", ODRL.distribute, EX + "carol", {ODRL.purpose: RG.ScholarlySharing}, at=when)
    assert d.decision == "permit" and d.policies == [EX + "local-b"]
    # the master's other terms still apply to Library B, and all of it to Library A
    assert decide(idx, EX + "book1", ODRL.read, EX + "carol", at=when).policies == [EX + "master"]
    d = decide(idx, EX + "book1", ODRL.print, EX + "alice", {ODRL["count"]: 50}, at=when)
    assert d.decision == "permit" and d.policies == [EX + "master"]
    assert decide(idx, EX + "book1", TDM.mine, EX + "alice", at=when).decision == "permit"


def test_local_override_ends_with_the_local_term(world):
    import yaml
    from rightsgraph.licences.termsheet import canonical
    raw = yaml.safe_load((DATA / "local-b.yaml").read_text())
    raw["end"] = "2024-12-31"
    import_sheet(world, DATA / "master.yaml")
    import_sheet(world, DATA / "local-b.yaml", sheet=canonical(raw))
    idx = PolicyIndex.from_store(world)
    d = decide(idx, EX + "book1", ODRL.print, EX + "carol", {ODRL["count"]: 50}, at=at(2025, 6, 1))
    assert d.decision == "permit" and d.policies == [EX + "master"]


# ----------------------------------------------------------------------------- the demo

@pytest.fixture(scope="module")
def demo():
    files = (sorted((REPO / "data" / "demo").glob("*.ttl")) + sorted((REPO / "ontology").glob("*.ttl"))
             + sorted((REPO / "data" / "open-licences").glob("*.ttl")))
    return PolicyIndex.from_quads([q for f in files for q in ox.parse(path=str(f), format=ox.RdfFormat.TURTLE)])


D = "https://demo.rightsgraph.org/"


ON_SITE = {ODRL.virtualLocation: RG.OnPremises}


def test_demo_question_5_l06_in_negotiation_grants_nothing(demo):
    """README question 5: Zhou Min (walk-in, Library A) on 2028-06-01: L03's walk-in term
    has ended, and L06, whose rules would cover her, is in negotiation. Li Ming keeps the
    paid years (2024-2026) only: an article of 2025 yes, of 2019 no."""
    y2025 = {RG.publicationYear: 2025}
    d = decide(demo, D + "resource/0163", ODRL.read, D + "party/user-zhou-min", {**ON_SITE, **y2025}, at=at(2028, 6, 1))
    assert d.decision == "deny"
    d = decide(demo, D + "resource/0163", ODRL.read, D + "party/user-li-ming", y2025, at=at(2028, 6, 1))
    assert d.decision == "permit" and d.rules == [D + "rule/L03-read-authorised-perpetual"]
    d = decide(demo, D + "resource/0163", ODRL.read, D + "party/user-li-ming", {RG.publicationYear: 2019},
               at=at(2028, 6, 1))
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    assert decide(demo, D + "resource/0163", ODRL.read, D + "party/user-zhou-min", ON_SITE,
                  at=at(2026, 12, 1)).decision == "permit"


@pytest.mark.parametrize("resource,who,action,ctx,when,decision,rule", [
    ("0002", "user-wang-fang", ODRL.print, {ODRL["count"]: 20, **ON_SITE}, (2026, 12, 1), "permit", "L01-print-walk-in"),
    ("0002", "user-wang-fang", ODRL.print, {ODRL["count"]: 21, **ON_SITE}, (2026, 12, 1), "deny", "L01-print-walk-in"),
    ("0002", "user-wang-fang", ODRL.print, {ODRL["count"]: 5, ODRL.virtualLocation: RG.RemoteAccess}, (2026, 12, 1),
     "deny", "L01-print-walk-in"),
    ("0012", "lib-c", ODRL.distribute, {ODRL.deliveryChannel: RG.Email}, (2026, 12, 1), "deny", "L01-ill-email"),
    ("0012", "lib-c", ODRL.distribute, {ODRL.deliveryChannel: RG.SecureElectronicTransmission}, (2026, 12, 1), "permit", "L01-ill-secure"),
    ("0722", "user-chen-jing", ODRL.read, None, (2026, 12, 1), "deny", "L05-read-authorised"),
    ("0722", "user-chen-jing", ODRL.read, None, (2025, 6, 1), "permit", "L05-read-authorised"),
    ("0862", "user-liu-yang", ODRL.read, None, (2026, 12, 1), "deny", "L07-read-authorised"),
    ("0199", "user-zhao-lei", TDM.mine, None, (2026, 12, 1), "deny", "L04-tdm"),
    ("0003", "user-zhao-lei", TDM.mine, None, (2026, 12, 1), "permit", "L01-tdm-authorised"),
    ("0200", "user-wang-fang", ODRL.read, {RG.concurrentUsers: 4, **ON_SITE}, (2026, 12, 1), "deny", "L04-read-walk-in"),
    ("0200", "user-wang-fang", ODRL.read, {RG.concurrentUsers: 2, **ON_SITE}, (2026, 12, 1), "permit", "L04-read-walk-in"),
    ("0322", "lib-a", ODRL.distribute, {ODRL.deliveryChannel: RG.SecureElectronicTransmission}, (2026, 12, 1), "deny", None),
    ("0322", "lib-a", ODRL.distribute, {ODRL.deliveryChannel: RG.Print}, (2026, 12, 1), "permit", "L02-ill-print"),
    ("0322", "lib-a", ODRL.distribute, {ODRL.deliveryChannel: RG.Post}, (2026, 12, 1), "permit", "L02-ill-print"),
    ("0042", "lib-b", ODRL.commercialize, None, (2026, 12, 1), "deny", "L01-commercialize"),
    ("0002", "lib-a", ODRL.archive, None, (2030, 1, 15), "permit", "L01-archive"),
    ("0642", "user-sun-hui", ODRL.print, {ODRL["count"]: 10, **ON_SITE}, (2026, 12, 1), "permit", "L08-print-walk-in"),
    # 12: legal deposit, reading room only (PREMIS rights granted with its restriction)
    ("0947", "user-he-xin", ODRL.read, {ODRL.virtualLocation: RG.RemoteAccess}, (2026, 12, 1), "deny", None),
    ("0947", "user-he-xin", ODRL.read, ON_SITE, (2026, 12, 1), "permit", None),
    ("0947", "user-sun-hui", ODRL.print, ON_SITE, (2026, 12, 1), "deny", None),
    # 13: open access (CC BY 4.0 on the collection): readable by anyone, shareable with attribution
    ("0922", "user-he-xin", ODRL.read, None, (2026, 12, 1), "permit", None),
    ("0922", "lib-b", ODRL.distribute, None, (2026, 12, 1), "permit", None),
    # 14: after L03's term, printing and secure ILL survive for the paid years (clause 9.2)
    ("0163", "user-li-ming", ODRL.print, {RG.publicationYear: 2025, ODRL["count"]: 3}, (2028, 6, 1), "permit",
     "L03-print-authorised-survival"),
    ("0163", "user-li-ming", ODRL.print, {RG.publicationYear: 2021, ODRL["count"]: 3}, (2028, 6, 1), "deny", None),
    # 15: rights statements: no known copyright, educational use, undetermined
    ("0967", "user-sun-hui", ODRL.read, None, (2026, 12, 1), "permit", None),
    ("0997", "user-zhao-lei", ODRL.read, {ODRL.purpose: RG.Education}, (2026, 12, 1), "permit", None),
    ("0997", "user-zhao-lei", ODRL.read, None, (2026, 12, 1), "deny", None),
    ("1000", "user-zhao-lei", ODRL.read, None, (2026, 12, 1), "deny", None),
])
def test_demo_readme_questions_decide_as_written(demo, resource, who, action, ctx, when, decision, rule):
    d = decide(demo, D + "resource/" + resource, action, D + "party/" + who, ctx, at=at(*when))
    assert d.decision == decision, d
    if rule and decision == "permit" or rule and d.reason == "prohibited":
        assert D + "rule/" + rule in d.rules
