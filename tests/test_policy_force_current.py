"""FORCE ODRL test suite, cases 069-083: the suite's current request form.

These cases ask with a ``sotw:EvaluationRequest`` (``requestedAction``, ``requestingParty``,
``requestedTarget``, request parameters for the time, the purpose and the delivery channel,
types stated in the request itself) against an empty state of the world, and expect
``report:ruleRequest`` to name the request. The files are vendored in
``tests/data/force-current`` (MIT, see its README); the comparison is the one the 68 older
cases use (tests/conformance/test_force_suite.py).
"""

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.policy import evaluate_files

from .conformance.test_force_suite import PREFIX, _actual_graph, _graph, assert_same_report, summarise

SUITE = Path(__file__).parent / "data" / "force-current"
EX = "http://example.org/"


def _cases():
    by_case = defaultdict(dict)
    for t in ox.parse(path=str(SUITE / "index.ttl"), format=ox.RdfFormat.TURTLE):
        p = t.predicate.value
        if p.startswith(EX) and p.endswith("Source"):
            by_case[t.subject.value][p[len(EX):-len("Source")]] = t.object.value[len(PREFIX):]
        elif p == "http://purl.org/dc/terms/title":
            by_case[t.subject.value]["title"] = t.object.value
    return sorted(by_case.values(), key=lambda c: c["expectedReport"])


CASES = _cases()


def test_fifteen_cases_in_the_current_form():
    assert len(CASES) == 15
    assert [c["expectedReport"].split("/")[-1][9:12] for c in CASES] == [f"{n:03d}" for n in range(69, 84)]


@pytest.mark.parametrize("case", CASES, ids=[c["expectedReport"].split("/")[-1][:-4] for c in CASES])
def test_force_current_case(case):
    decision = evaluate_files(SUITE / case["policy"], SUITE / case["request"], SUITE / case["sotw"])
    expected = summarise(_graph(SUITE / case["expectedReport"]))
    actual = summarise(_actual_graph(decision))
    assert_same_report(actual, expected, case["title"])


def test_request_parameters_become_the_context():
    from rightsgraph.policy import read_rdf, read_request
    req = read_request(read_rdf(SUITE / "requests/request-17.ttl"))
    assert (req.target, req.action, req.assignee) == (EX + "x", "http://www.w3.org/ns/odrl/2/read", EX + "alice")
    assert req.context["http://www.w3.org/ns/odrl/2/deliveryChannel"] == ["https://podpro.dev/id"]
    assert str(req.context["http://www.w3.org/ns/odrl/2/dateTime"][0])[:10] == "2024-02-12"


def test_missing_parameter_is_unresolved_for_decide_but_absent_for_the_evaluator():
    """The evaluator's request is all there is (closed): no purpose is none of (X Y). A
    door asking decide() has not said (open): the same constraint is unresolved and denies."""
    from rightsgraph.policy import PolicyIndex, decide, read_rdf
    d = evaluate_files(SUITE / "policies/policy-26.ttl", SUITE / "requests/request-1.ttl", SUITE / "sotw/empty.ttl")
    assert d.decision == "permit"
    index = PolicyIndex.from_quads(read_rdf(SUITE / "policies/policy-26.ttl"))
    d = decide(index, EX + "x", "http://www.w3.org/ns/odrl/2/read", EX + "alice")
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    assert d.unresolved[0]["leftOperand"] == "http://www.w3.org/ns/odrl/2/purpose"
