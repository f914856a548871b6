"""FORCE compliance report (https://w3id.org/force/compliance-report#) as pyoxigraph quads.

One ``report:PolicyReport`` per policy with an evaluated rule; per rule a Permission/
ProhibitionReport with attempt and activation state, premise reports (Target, Party,
Action — only for what the rule states — and a ConstraintReport per constraint, nested for
logical constraints), and per duty a ``report:conditionReport``: the DutyReport the state of
the world already holds, or a new one with activation, performance and deontic state.
Policy-level obligations get DutyReports under the policy report.

ConstraintReports also carry ``constraintLeftOperand`` (the value the context supplied),
``constraintOperator``, ``constraintRightOperand`` and, for logical constraints,
``constraintLogicalOperand``, as the FORCE test suite's expected reports do. An unresolved
constraint has no left operand value and is Unsatisfied (the model has no third state).
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from .model import ODRL
from .operators import XSD, to_term

R = "https://w3id.org/force/compliance-report#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT_CREATED = NamedNode("http://purl.org/dc/terms/created")


def _n(local: str) -> NamedNode:
    return NamedNode(R + local)


T = {k: _n(k) for k in (
    "PolicyReport", "PermissionReport", "ProhibitionReport", "DutyReport", "TargetReport",
    "PartyReport", "ActionReport", "ConstraintReport", "policy", "policyRequest", "ruleReport",
    "rule", "ruleRequest", "attemptState", "activationState", "premiseReport", "conditionReport",
    "satisfactionState", "constraint", "constraintLeftOperand", "constraintOperator",
    "constraintRightOperand", "constraintLogicalOperand", "performanceState", "deonticState",
    "Attempted", "NotAttempted", "Active", "Inactive", "Satisfied", "Unsatisfied", "Performed",
    "Unperformed", "Unknown", "Fulfilled", "Violated", "NonSet")}


def _new() -> NamedNode:
    return NamedNode(f"urn:uuid:{uuid.uuid4()}")


def _term(k):
    if isinstance(k, (NamedNode, BlankNode, Literal)):
        return k
    s = str(k)
    if s.startswith("_:"):
        return BlankNode(s[2:])
    return NamedNode(s)


def _sat(state) -> NamedNode:
    return T["Satisfied"] if state is True else T["Unsatisfied"]


def build_report(decision) -> list:
    out: list = []
    add = out.append
    req = decision.request
    created = Literal(_lex_dt(decision.at), datatype=NamedNode(XSD + "dateTime"))
    by_policy: dict = {}
    for e in decision.evaluations:
        by_policy.setdefault(id(e.policy), (e.policy, []))[1].append(e)
    obligations_by_policy: dict = {}
    for o in decision.obligations or ():
        if o.duty.policy is not None:
            obligations_by_policy.setdefault(id(o.duty.policy), []).append(o)
    for key, (policy, evals) in by_policy.items():
        pr = _new()
        add(Quad(pr, RDF_TYPE, T["PolicyReport"]))
        add(Quad(pr, DCT_CREATED, created))
        add(Quad(pr, T["policy"], _term(policy.id)))
        if req is not None and req.id is not None:
            add(Quad(pr, T["policyRequest"], _term(req.id)))
        for e in evals:
            rr = _new()
            add(Quad(pr, T["ruleReport"], rr))
            _rule_report(rr, e, req, add)
        for o in obligations_by_policy.get(key, ()):
            dr = _duty_report(o, add)
            add(Quad(pr, T["ruleReport"], dr))
    return out


def _rule_report(rr, e, req, add):
    r = e.rule
    kind = {"permission": "PermissionReport", "prohibition": "ProhibitionReport"}.get(r.kind, "DutyReport")
    add(Quad(rr, RDF_TYPE, T[kind]))
    add(Quad(rr, T["rule"], _term(r.id)))
    rule_request = _rule_request(req)
    if rule_request is not None:
        add(Quad(rr, T["ruleRequest"], rule_request))
    add(Quad(rr, T["attemptState"], T["Attempted"]))
    if r.targets:
        _premise(rr, "TargetReport", e.target_ok, e.refinements.get("target"),
                 e.refinement_ok.get("target", True), add)
    if r.assignees:
        _premise(rr, "PartyReport", e.party_ok, e.refinements.get("party"),
                 e.refinement_ok.get("party", True), add)
    if r.actions:
        _premise(rr, "ActionReport", e.action_ok, e.refinements.get("action"),
                 e.refinement_ok.get("action", True), add)
    for cr in e.constraints:
        add(Quad(rr, T["premiseReport"], _constraint_report(cr, add)))
    for d in e.duties:
        if d.known and d.state.report is not None:
            add(Quad(rr, T["conditionReport"], _term(d.state.report)))
        else:
            add(Quad(rr, T["conditionReport"], _duty_report(d, add)))
    add(Quad(rr, T["activationState"], T["Active"] if e.active else T["Inactive"]))


# A constraint whose left operand the request did not supply is reported with the empty
# string as its left operand value, as the FORCE suite's expected reports do (cases 071-079).
_NO_VALUE = ""


def _rule_request(req):
    """The request rule a rule report answers: the request's permission (odrl:Request form)
    or, for a sotw:EvaluationRequest, which has no rule of its own, the request itself
    (FORCE cases 069 onward)."""
    if req is None:
        return None
    if req.rule_id is not None:
        return _term(req.rule_id)
    return _term(req.id) if req.id is not None else None


def _premise(rr, kind, ok, refinements, ref_ok, add):
    node = _new()
    add(Quad(rr, T["premiseReport"], node))
    add(Quad(node, RDF_TYPE, T[kind]))
    for cr in refinements or ():
        add(Quad(node, T["premiseReport"], _constraint_report(cr, add)))
    add(Quad(node, T["satisfactionState"], _sat(ok and ref_ok is True)))


def _constraint_report(cr, add):
    node = _new()
    c = cr.constraint
    add(Quad(node, RDF_TYPE, T["ConstraintReport"]))
    add(Quad(node, T["constraint"], _term(c.id)))
    if c.logical:
        add(Quad(node, T["constraintLogicalOperand"], NamedNode(ODRL + c.logical)))
        for ch in cr.children:
            add(Quad(node, T["premiseReport"], _constraint_report(ch, add)))
    else:
        for v in cr.lefts if cr.lefts is not None else (_NO_VALUE,):
            add(Quad(node, T["constraintLeftOperand"], to_term(v)))
        if c.operator:
            add(Quad(node, T["constraintOperator"], NamedNode(c.operator)))
        for t in c.right_terms:
            add(Quad(node, T["constraintRightOperand"], t))
    add(Quad(node, T["satisfactionState"], _sat(cr.state)))
    return node


def _duty_report(d, add):
    node = _new()
    add(Quad(node, RDF_TYPE, T["DutyReport"]))
    add(Quad(node, T["rule"], _term(d.duty.id)))
    for cr in d.constraints:
        add(Quad(node, T["premiseReport"], _constraint_report(cr, add)))
    add(Quad(node, T["activationState"], T["Inactive"] if d.in_force is False else T["Active"]))
    add(Quad(node, T["performanceState"], T.get(d.state.performance, T["Unknown"])))
    deontic = d.state.deontic
    if d.in_force is not False and not d.known and d.blocking:
        deontic = "NonSet"  # nothing known yet: not performed, not (yet) violated
    add(Quad(node, T["deonticState"], T.get(deontic, T["NonSet"])))
    for c in d.consequences:
        add(Quad(node, T["conditionReport"], _duty_report(c, add)))
    return node


def _lex_dt(dt) -> str:
    from .operators import lexical
    return lexical(dt)


def to_turtle(quads) -> str:
    prefixes = {"report": R, "odrl": ODRL, "dct": "http://purl.org/dc/terms/", "xsd": XSD}
    # group by subject (first appearance order) so the serialiser can nest predicates
    order: dict = {}
    for q in quads:
        order.setdefault(q.subject, []).append(q)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for qs in order.values() for q in qs]
    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return data.decode("utf-8") if isinstance(data, bytes) else data
