"""ODRL 2.2 decisions with the evaluation model of the W3C ODRL Formal Semantics draft.

    from rightsgraph.policy import PolicyIndex, decide
    index = PolicyIndex.from_store(store)            # once per store change
    d = decide(index, target, action, assignee, context={ODRL.purpose: RG.x}, at=now)
    d.decision, d.reason, d.rules, d.duties, d.unresolved, d.to_json()
    decide(..., report=True).report_turtle()         # FORCE compliance report

See docs/decisions.md for the semantics and every choice made where the drafts are silent.
"""

from __future__ import annotations

from datetime import datetime

from .evaluate import (DENY, PERMIT, REASONS, Decision, DutyState, Request, State,
                       decide_request, make_request)
from .index import Conflict, PolicyIndex, find_conflicts
from .requests import odrl_json_to_quads, read_rdf, read_request, read_state, request_types

__all__ = ["PolicyIndex", "Decision", "Request", "State", "DutyState", "decide",
           "evaluate_files", "evaluate_quads", "PERMIT", "DENY", "REASONS", "read_request",
           "read_state", "read_rdf", "odrl_json_to_quads", "make_request", "find_conflicts",
           "Conflict"]


def decide(index: PolicyIndex, target, action, assignee=None, context: dict | None = None,
           at: datetime | None = None, report: bool = False, state: State | None = None) -> Decision:
    """Decide whether ``assignee`` may perform ``action`` on ``target``.

    ``target``, ``action``, ``assignee``: IRIs (str or pyoxigraph NamedNode).
    ``context``: left-operand IRI -> value or list of values (pyoxigraph terms, str, int,
    float, Decimal, datetime, date); ``at``: the time of the request (default: now, UTC);
    ``state``: an optional state of the world (extra partOf/type facts, duty states).
    ``report=True`` also evaluates every rule on the target so that ``report_turtle()`` /
    ``report_quads()`` give the full FORCE compliance report.
    """
    req = make_request(target, action, assignee, context, at)
    return decide_request(index, req, state, report=report)


def evaluate_quads(policy_quads, request_quads, state_quads=(), report: bool = True,
                   match_orphan_duty_reports: bool = False) -> Decision:
    """Evaluate one request against the policies in ``policy_quads`` (every rule reported).

    ``match_orphan_duty_reports``: a compatibility switch for the FORCE test suite, whose
    states of the world for policy-21 carry a DutyReport about policy-19's duty. When set,
    and exactly one DutyReport in the state names a duty that none of the evaluated
    policies has, duties without a report of their own take that report's state. Off by
    default: a report about another duty never fulfils ours (docs/decisions.md).
    """
    policy_quads = list(policy_quads)
    state_quads = list(state_quads)
    # memberships and classes may sit in the policy file as well as in the state of the world
    index = PolicyIndex.from_quads(policy_quads)
    request_quads = list(request_quads)
    req = read_request(request_quads)
    state = read_state(state_quads) if state_quads else State()
    # the evaluator's request and state of the world are all there is: a duty they do not
    # record was not performed, a request parameter they do not give was not given
    state.closed_duties = True
    state.closed_context = True
    for key, classes in request_types(request_quads, req).items():
        state.types.setdefault(key, set()).update(classes)
    if match_orphan_duty_reports and state.duties:
        known = set()
        for p in index.policies.values():
            for r in p.effective_rules + p.effective_obligations:
                stack = [r]
                while stack:
                    x = stack.pop()
                    known.add(x.id)
                    stack.extend(x.duties + x.consequences + x.remedies)
        orphans = [ds for k, ds in state.duties.items() if k not in known]
        if len(orphans) == 1:
            state.orphan_duty = orphans[0]
    return decide_request(index, req, state, report=report, pairs=index.all_pairs())


def evaluate_files(policy_path, request_path, sotw_path=None, report: bool = True,
                   match_orphan_duty_reports: bool = False) -> Decision:
    """The standalone evaluator: policy, request and state-of-the-world files -> Decision."""
    pq = read_rdf(policy_path)
    rq = read_rdf(request_path)
    sq = read_rdf(sotw_path) if sotw_path else []
    return evaluate_quads(pq, rq, sq, report=report,
                          match_orphan_duty_reports=match_orphan_duty_reports)
