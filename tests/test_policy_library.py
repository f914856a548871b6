"""Library scenarios: consortium licence, term dates, interlibrary loan, walk-in users."""

from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.namespaces import ODRL, RG
from rightsgraph.policy import PolicyIndex, decide

DATA = Path(__file__).parent / "data" / "policy"
EX = "http://example.org/lib/"
IN_TERM = datetime(2025, 6, 1, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def index():
    return PolicyIndex.from_quads(ox.parse(path=str(DATA / "library.ttl"), format=ox.RdfFormat.TURTLE))


def test_member_library_reads_article_through_journal_and_package(index):
    d = decide(index, EX + "article1", ODRL.read, EX + "libA", at=IN_TERM)
    assert (d.decision, d.reason) == ("permit", "permitted")
    assert d.rules == [EX + "bigRead"] and d.policies == [EX + "licenceBig"]


def test_non_member_has_no_applicable_permission(index):
    d = decide(index, EX + "article1", ODRL.read, EX + "libZ", at=IN_TERM)
    assert (d.decision, d.reason) == ("deny", "no-applicable-permission")


@pytest.mark.parametrize("at,decision", [
    (datetime(2023, 12, 31, 23, 59, tzinfo=timezone.utc), "deny"),
    (datetime(2024, 1, 1, 0, 0, tzinfo=timezone.utc), "permit"),
    (datetime(2026, 12, 31, 23, 59, 59, tzinfo=timezone.utc), "permit"),  # end date inclusive
    (datetime(2027, 1, 1, 0, 0, tzinfo=timezone.utc), "deny"),
])
def test_licence_term_dates(index, at, decision):
    d = decide(index, EX + "article1", ODRL.read, EX + "libB", at=at)
    assert d.decision == decision
    if decision == "deny":
        assert d.reason == "constraint-unsatisfied" and d.rules == [EX + "bigRead"]


def test_ill_by_secure_electronic_transmission(index):
    ctx = {ODRL.deliveryChannel.value: RG.SecureElectronicTransmission}
    d = decide(index, EX + "article1", ODRL.distribute, EX + "libA", ctx, at=IN_TERM)
    assert (d.decision, d.reason, d.rules) == ("permit", "permitted", [EX + "bigILL"])


def test_ill_by_email_is_prohibited(index):
    ctx = {ODRL.deliveryChannel.value: RG.Email}
    d = decide(index, EX + "article1", ODRL.distribute, EX + "libA", ctx, at=IN_TERM)
    assert (d.decision, d.reason, d.rules) == ("deny", "prohibited", [EX + "bigEmail"])


def test_ill_without_channel_is_unresolved_not_permitted(index):
    d = decide(index, EX + "article1", ODRL.distribute, EX + "libA", at=IN_TERM)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    assert {u["leftOperand"] for u in d.unresolved} == {ODRL.deliveryChannel.value}


def test_print_refinement_count(index):
    ok = decide(index, EX + "article1", ODRL.print, EX + "libA", {ODRL["count"].value: 10}, at=IN_TERM)
    over = decide(index, EX + "article1", ODRL.print, EX + "libA", {ODRL["count"].value: 51}, at=IN_TERM)
    assert ok.decision == "permit" and over.decision == "deny"
    assert over.reason == "constraint-unsatisfied"


def test_walk_in_user_on_premises(index):
    ctx = {ODRL.spatial.value: EX + "readingRoom", ODRL.purpose.value: EX + "study"}
    d = decide(index, EX + "ebook1", ODRL.read, EX + "bob", ctx)
    assert (d.decision, d.reason) == ("permit", "permitted")


def test_walk_in_user_off_premises_or_commercial(index):
    off = decide(index, EX + "ebook1", ODRL.read, EX + "bob",
                 {ODRL.spatial.value: EX + "home", ODRL.purpose.value: EX + "study"})
    com = decide(index, EX + "ebook1", ODRL.read, EX + "bob",
                 {ODRL.spatial.value: EX + "readingRoom", ODRL.purpose.value: EX + "commercial"})
    assert off.reason == com.reason == "constraint-unsatisfied"


def test_walk_in_user_location_unknown(index):
    d = decide(index, EX + "ebook1", ODRL.read, EX + "bob", {ODRL.purpose.value: EX + "study"})
    assert d.decision == "deny" and [u["leftOperand"] for u in d.unresolved] == [ODRL.spatial.value]


def test_report_is_force_turtle(index):
    d = decide(index, EX + "article1", ODRL.read, EX + "libA", at=IN_TERM, report=True)
    ttl = d.report_turtle()
    g = list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    R = "https://w3id.org/force/compliance-report#"
    active = {(t.subject) for t in g if t.predicate.value == R + "activationState" and t.object.value == R + "Active"}
    rules = {t.object.value for t in g if t.predicate.value == R + "rule" and t.subject in active}
    assert EX + "bigRead" in rules
    # every rule on the package is reported, the inactive ones too
    all_rules = {t.object.value for t in g if t.predicate.value == R + "rule"}
    assert {EX + "bigPrint", EX + "bigILL", EX + "bigEmail"} <= all_rules


def test_to_json_shape(index):
    d = decide(index, EX + "article1", ODRL.read, EX + "libA", at=IN_TERM)
    assert set(d.to_json()) == {"decision", "reason", "rules", "duties", "policies", "unresolved", "explanation"}
    assert set(d.to_json()["explanation"]) == {"en", "zh", "because", "would_permit"}
