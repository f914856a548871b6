"""FORCE ODRL test suite (SolidLab ODRL-Test-Suite): 68 cases from index.ttl.

Each case: policy, request, state of the world and the expected compliance report. We
compare, per case, what the expected report states:
- rule report type, report:rule, ruleRequest, attempt and activation state;
- premise reports by type (Target/Party/Action) with their satisfaction state;
- every ConstraintReport by report:constraint: satisfaction state, left operand value(s),
  and operator / right operand / logical operand when the expected report carries them;
- conditionReport targets (the DutyReports of the state of the world);
- the policy report's policy, policyRequest and dct:created.
The expected files link some premise reports by identifiers that are never typed (e.g.
testcase-065): premise reports are therefore matched by type, not by node identifier.
"""

from collections import Counter, defaultdict

import pyoxigraph as ox
import pytest

from rightsgraph.policy import evaluate_files
from rightsgraph.policy.operators import term_value

from .conftest import ODRL_DIR

SUITE = ODRL_DIR / "solidlab-test-suite"
EX = "http://example.org/"
R = "https://w3id.org/force/compliance-report#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PREFIX = "https://raw.githubusercontent.com/SolidLabResearch/ODRL-Test-Suite/refs/heads/main/data/"


def _cases():
    index = SUITE / "index.ttl"
    by_case = defaultdict(dict)
    for t in ox.parse(path=str(index), format=ox.RdfFormat.TURTLE):
        p = t.predicate.value
        if p.startswith(EX) and p.endswith("Source"):
            by_case[t.subject.value][p[len(EX):-len("Source")]] = t.object.value[len(PREFIX):]
        elif p == "http://purl.org/dc/terms/title":
            by_case[t.subject.value]["title"] = t.object.value
    return sorted(by_case.items(), key=lambda kv: kv[1]["expectedReport"])


CASES = _cases()


def _graph(path):
    spo = defaultdict(lambda: defaultdict(list))
    for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        spo[t.subject][t.predicate.value].append(t.object)
    return spo


def _typed(spo, cls):
    return [s for s, po in spo.items() if any(o.value == R + cls for o in po.get(RDF_TYPE, []))]


def _one(spo, s, p):
    v = spo[s].get(p, [])
    return v[0] if v else None


def summarise(spo):
    """The facts a report states, independent of its node identifiers."""
    out = {}
    (pr,) = _typed(spo, "PolicyReport")
    out["policy"] = _one(spo, pr, R + "policy")
    out["policyRequest"] = _one(spo, pr, R + "policyRequest")
    created = _one(spo, pr, "http://purl.org/dc/terms/created")
    out["created"] = term_value(created) if created is not None else None
    rules = [o for o in spo[pr].get(R + "ruleReport", [])]
    out["rules"] = {}
    for rr in rules:
        types = {o.value[len(R):] for o in spo[rr].get(RDF_TYPE, [])}
        rule = _one(spo, rr, R + "rule")
        out["rules"][rule] = {
            "type": types,
            "ruleRequest": _one(spo, rr, R + "ruleRequest"),
            "attempt": _one(spo, rr, R + "attemptState"),
            "activation": _one(spo, rr, R + "activationState"),
            "conditions": set(spo[rr].get(R + "conditionReport", [])),
        }
    premises = Counter()
    for kind in ("TargetReport", "PartyReport", "ActionReport"):
        for s in _typed(spo, kind):
            premises[(kind, _one(spo, s, R + "satisfactionState").value[len(R):])] += 1
    out["premises"] = premises
    cons = {}
    for s in _typed(spo, "ConstraintReport"):
        c = _one(spo, s, R + "constraint")
        entry = {"state": _one(spo, s, R + "satisfactionState").value[len(R):],
                 "left": sorted(str(term_value(o)) for o in spo[s].get(R + "constraintLeftOperand", []))}
        for k in ("constraintOperator", "constraintLogicalOperand"):
            v = _one(spo, s, R + k)
            if v is not None:
                entry[k] = v
        rights = spo[s].get(R + "constraintRightOperand", [])
        if rights:
            entry["right"] = sorted(str(term_value(o)) for o in rights)
        cons[c] = entry
    out["constraints"] = cons
    return out


def _actual_graph(decision):
    spo = defaultdict(lambda: defaultdict(list))
    for q in decision.report_quads():
        spo[q.subject][q.predicate.value].append(q.object)
    return spo


# policy-21's cases use a state of the world whose DutyReport names policy-19's duty
# (report:rule <urn:uuid:a0b12cb7...>), yet expect it as the condition report of policy-21's
# duty. Strictly, a report about another duty fulfils nothing: these four pass with the
# documented compatibility switch, and test_policy21_strict pins the strict answer.
ORPHAN_REPORT_CASES = {"testcase-065-alice", "testcase-066-bob-sell", "testcase-067-alice-past",
                       "testcase-068-bob-write-y-past"}


def _case_id(files):
    return files["expectedReport"].split("/")[-1][:-4]


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c[1]) for c in CASES])
def test_force_case(case):
    _, files = case
    decision = evaluate_files(SUITE / files["policy"], SUITE / files["request"], SUITE / files["sotw"],
                              match_orphan_duty_reports=_case_id(files) in ORPHAN_REPORT_CASES)
    expected = summarise(_graph(SUITE / files["expectedReport"]))
    actual = summarise(_actual_graph(decision))
    assert_same_report(actual, expected, files["title"])


def assert_same_report(actual: dict, expected: dict, title: str) -> None:
    """The FORCE comparison of two summarised compliance reports (summarise), used for the
    68 cases here and the suite's current-form cases (tests/test_policy_force_current.py)."""
    assert actual["policy"] == expected["policy"]
    assert actual["policyRequest"] == expected["policyRequest"]
    assert actual["created"] == expected["created"]
    assert actual["rules"].keys() == expected["rules"].keys()
    for rule, exp in expected["rules"].items():
        got = actual["rules"][rule]
        assert got["type"] == exp["type"], rule
        assert got["ruleRequest"] == exp["ruleRequest"], "report:ruleRequest names the request"
        assert got["attempt"] == exp["attempt"]
        assert got["activation"] == exp["activation"], f"{title}: activation of {rule}"
        assert got["conditions"] == exp["conditions"]
    assert actual["premises"] == expected["premises"]
    assert actual["constraints"].keys() == expected["constraints"].keys()
    for c, exp in expected["constraints"].items():
        got = actual["constraints"][c]
        assert got["state"] == exp["state"], c
        assert got["left"] == exp["left"], c
        for k in ("constraintOperator", "constraintLogicalOperand", "right"):
            if k in exp:
                assert got.get(k) == exp[k], (c, k)


def test_suite_has_68_cases():
    assert len(CASES) == 68


def test_policy21_strict():
    """Without the switch, policy-21's duty has no report: not performed, so Alice is denied."""
    d = evaluate_files(SUITE / "policies/policy-21.ttl", SUITE / "requests/request-1.ttl",
                       SUITE / "sotw/all-2024.ttl")
    assert (d.decision, d.reason) == ("deny", "duty-unfulfilled")
    assert d.duties[0]["duty"] == "urn:uuid:4129123f-d8a8-481e-87fc-aba6dda5b6a5"
    lenient = evaluate_files(SUITE / "policies/policy-21.ttl", SUITE / "requests/request-1.ttl",
                             SUITE / "sotw/all-2024.ttl", match_orphan_duty_reports=True)
    assert (lenient.decision, lenient.reason) == ("permit", "permitted")


@pytest.mark.parametrize("sotw,expected", [
    ("dutyFulfilled.ttl", ("permit", "permitted", [])),
    ("dutyNonset.ttl", ("permit", "permitted", ["urn:uuid:a0b12cb7-d3a1-4953-86da-f59a597615d2"])),
    ("dutyViolated.ttl", ("deny", "duty-unfulfilled", ["urn:uuid:a0b12cb7-d3a1-4953-86da-f59a597615d2"])),
])
def test_duty_states_decide(sotw, expected):
    d = evaluate_files(SUITE / "policies/policy-19.ttl", SUITE / "requests/request-1.ttl", SUITE / "sotw" / sotw)
    assert (d.decision, d.reason, [x["duty"] for x in d.duties]) == expected
