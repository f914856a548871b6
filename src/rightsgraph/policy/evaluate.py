"""The decision: (compiled policies, request, state of the world) -> Decision.

Pure: nothing here reads RDF or a store; the index hands over compiled rules and the
closures (asset/party odrl:partOf, class membership, action hierarchy).

Outline (docs/decisions.md has every choice, with the test that pins it):
1. the rules that can apply are found by target (the asset or a collection it is part of),
   assignee (the party or a party collection it is part of) and action (the requested
   action or one it is odrl:includedIn; prohibitions also catch actions the request implies);
2. refinements and constraints are evaluated in three-valued logic: a value the context
   cannot supply makes the constraint *unresolved* (None), reported as such, never true;
3. a permission's duties come from the state of the world: violated, or not performed
   (recorded so, or absent from a closed state of the world) blocks it; an open duty (FORCE
   NonSet, or nothing recorded when the state is open) lets it through and is returned;
4. active permissions against active prohibitions: the policies' conflict strategies decide
   (perm, prohibit, or the default invalid: the conflicting policies are void);
5. nothing applicable: deny (closed default) with the most telling reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from .lifecycle import in_force
from .model import ODRL, Constraint, Policy, Rule
from .operators import IRI, apply, lexical, python_value

PERMIT, DENY = "permit", "deny"
REASONS = ("permitted", "prohibited", "no-applicable-permission", "constraint-unsatisfied",
           "duty-unfulfilled", "policy-void-by-conflict")
DATETIME = ODRL + "dateTime"
PUBLICATION_YEAR = "https://w3id.org/rightsgraph/ns#publicationYear"
_NO_YEARS: dict = {}
LANGUAGE = ODRL + "language"
_HOLD_FOR_NOTHING = frozenset({ODRL + "isNoneOf", ODRL + "neq"})
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(slots=True)
class Request:
    target: str
    action: str
    assignee: str | None = None
    context: dict = field(default_factory=dict)      # left operand IRI -> [python values]
    at: datetime | None = None
    id: object = None                                # odrl:Request / EvaluationRequest node
    rule_id: object = None                           # the request's permission node


@dataclass(slots=True)
class DutyState:
    deontic: str = "NonSet"                          # Fulfilled | Violated | NonSet
    performance: str = "Unknown"                     # Performed | Unperformed | Unknown
    report: object = None                            # the DutyReport node in the SotW


@dataclass(slots=True)
class State:
    """State of the world: time, memberships, known duty states, extra context."""

    time: datetime | None = None
    part_of: dict = field(default_factory=dict)      # key -> set of direct collections
    types: dict = field(default_factory=dict)        # key -> set of classes
    duties: dict = field(default_factory=dict)       # duty rule key -> DutyState
    context: dict = field(default_factory=dict)      # left operand IRI -> [values]
    id: object = None
    # FORCE-suite compatibility only (evaluate_files(match_orphan_duty_reports=True)): the
    # one duty report whose report:rule names no duty of the evaluated policies.
    orphan_duty: DutyState | None = None
    # Is the state complete about duties? Closed (files given to the standalone evaluator,
    # the FORCE "closed world representation of the State of the World", W3C example C11):
    # a duty it does not record has not been performed. Open (decide() before a use, with
    # no record yet): the duty is still to fulfil and is returned with the permit.
    closed_duties: bool = False
    # Is the context complete? Closed (the standalone evaluator): a request parameter the
    # request does not give was not given, so "purpose isNoneOf (X Y)" holds and
    # "purpose eq X" fails (FORCE testcases 071-077). Open (decide()): it is unknown, and
    # the constraint is unresolved, never true.
    closed_context: bool = False

    def is_empty(self) -> bool:
        return not (self.part_of or self.types)


@dataclass(slots=True, eq=False)
class ConstraintResult:
    constraint: Constraint
    state: object                                    # True | False | None (unresolved)
    lefts: list | None = None
    children: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class DutyEval:
    duty: Rule
    in_force: object                                 # True | False | None
    state: DutyState
    known: bool                                      # the SotW says something about it
    blocking: bool
    pending: bool
    constraints: list = field(default_factory=list)
    consequences: list = field(default_factory=list)
    for_policy: object = None                        # the policy a policy-level obligation binds


@dataclass(slots=True, eq=False)
class RuleEval:
    policy: Policy
    rule: Rule
    target_ok: bool
    party_ok: bool
    action_ok: bool
    cstate: object = True                            # constraints (incl. refinements)
    constraints: list = field(default_factory=list)  # ConstraintResult, rule constraints
    refinements: dict = field(default_factory=dict)  # 'target'|'party'|'action' -> [ConstraintResult]
    refinement_ok: dict = field(default_factory=dict)
    duties: list = field(default_factory=list)       # DutyEval
    active: bool = False
    uncertain: bool = False                          # active if the unresolved held
    duty_blocked: bool = False

    @property
    def matched(self) -> bool:
        return self.target_ok and self.party_ok and self.action_ok


class Decision:
    """The answer; ``to_json()`` for doors, ``report_turtle()``/``report_quads()`` for FORCE."""

    __slots__ = ("decision", "reason", "rules", "policies", "duties", "unresolved",
                 "remedies", "evaluations", "obligations", "request", "state", "at",
                 "_report_quads", "index", "deciding", "alternatives", "_explanation")

    def __init__(self, decision, reason, rules=(), policies=(), duties=(), unresolved=(),
                 remedies=(), evaluations=None, obligations=None, request=None, state=None,
                 at=None):
        self.decision = decision
        self.reason = reason
        self.rules = list(rules)
        self.policies = list(policies)
        self.duties = list(duties)
        self.unresolved = list(unresolved)
        self.remedies = list(remedies)
        self.evaluations = evaluations
        self.obligations = obligations
        self.request = request
        self.state = state
        self.at = at
        self._report_quads = None
        # for explanations (policy/explain.py): the index, the deciding (policy, rule) pairs,
        # and for a denial the permissions that matched but did not hold
        self.index = None
        self.deciding = ()
        self.alternatives = ()
        self._explanation = None

    @property
    def permitted(self) -> bool:
        return self.decision == PERMIT

    def __repr__(self):
        return f"Decision({self.decision!r}, {self.reason!r}, rules={self.rules!r})"

    def to_json(self) -> dict:
        return {
            "decision": self.decision,
            "reason": self.reason,
            "rules": self.rules,
            "policies": self.policies,
            "duties": self.duties,
            "unresolved": self.unresolved,
            "explanation": self.explanation(),
        }

    def explanation(self) -> dict:
        """What decided, in words a librarian reads (zh and en): the licence, clause number
        and text, and for a denial what would have permitted (policy/explain.py)."""
        if self._explanation is None:
            from .explain import explain
            self._explanation = explain(self)
        return self._explanation

    def report_quads(self) -> list:
        if self.evaluations is None:
            raise ValueError("no compliance report: ask with report=True")
        if self._report_quads is None:
            from .report import build_report
            self._report_quads = build_report(self)
        return self._report_quads

    def report_turtle(self) -> str:
        from .report import to_turtle
        return to_turtle(self.report_quads())


# ---------------------------------------------------------------------------- evaluation

def _and(states):
    out = True
    for s in states:
        if s is False:
            return False
        if s is None:
            out = None
    return out


_NO_STATE = State()


class Evaluator:
    """One request against a PolicyIndex (or any object with the same closure methods)."""

    def __init__(self, index, request: Request, state: State | None = None, record: bool = False):
        self.index = index
        self.req = request
        st = self.state = state if state is not None else _NO_STATE
        self.record = record
        self.unresolved: list = []
        ctx = request.context
        now = request.at
        if now is None:
            given = ctx.get(DATETIME) or st.context.get(DATETIME)
            now = (given[0] if given else None) or st.time or datetime.now(timezone.utc)
        self.now = now
        if st.context:
            values = dict(st.context)
            values.update(ctx)
        else:
            values = dict(ctx) if ctx else {}
        if DATETIME not in values:
            values[DATETIME] = [now]
        if PUBLICATION_YEAR not in values:
            # the year the data gives for the resource (dct:issued), when the request says none
            year = getattr(index, "issued", _NO_YEARS).get(request.target)
            if year is not None and request.target not in index.serials:
                values[PUBLICATION_YEAR] = [year]
        self.values = values
        self.overlay = None if (st is _NO_STATE or st.is_empty()) else st
        if self.overlay is None:
            self.asset_set = index.self_and_ancestors(request.target)
            self.party_set = (index.self_and_ancestors(request.assignee)
                              if request.assignee is not None else frozenset())
        else:
            self.asset_set = self.ancestors(request.target) | {request.target}
            self.party_set = (self.ancestors(request.assignee) | {request.assignee}
                              if request.assignee is not None else frozenset())
        self.perm_actions = index.action_ancestors(request.action)
        self.prohib_actions = index.action_closure_with_implied(request.action)

    # closures, with the state of the world overlaid on the store's facts
    def ancestors(self, x):
        if self.overlay is None:
            return self.index.ancestors(x)
        return self.index.ancestors_with(x, self.overlay.part_of)

    def classes(self, x):
        if self.overlay is None:
            return self.index.classes(x)
        return self.index.classes_with(x, self.overlay.types)

    # -------------------------------------------------------------- constraints
    def lookup(self, c: Constraint):
        vals = self.values.get(c.left)
        if vals is not None:
            return vals
        left = c.left or ""
        if left.endswith(("dayOfWeek", "#dayOfWeek", "/dayOfWeek")):
            return [_WEEKDAYS[self.now.weekday()]]
        if c.unit is not None:
            # A request parameter may describe its feature by unit only (W3C formal
            # semantics example B1: describesFeature dbpedia:Dots_per_inch).
            vals = self.values.get(c.unit)
            if vals is not None:
                return vals
        return None

    def constraint(self, c: Constraint, out: list | None):
        if c.logical is not None:
            kids = [] if out is not None else None
            states = []
            for ch in c.children:
                s = self.constraint(ch, kids)
                states.append(s)
                if kids is None:
                    if c.logical in ("and", "andSequence") and s is False:
                        break
                    if c.logical == "or" and s is True:
                        break
            op = c.logical
            if op in ("and", "andSequence"):
                st = _and(states)
            elif op == "or":
                st = True if True in states else (None if None in states else False)
            else:  # xone: exactly one
                trues = states.count(True)
                if trues > 1:
                    st = False
                elif None in states:
                    st = None
                else:
                    st = trues == 1
            if out is not None:
                out.append(ConstraintResult(c, st, None, kids))
            return st
        lefts = self.lookup(c)
        if lefts is None and self.state.closed_context and c.operator is not None and c.rights:
            # nothing given: the empty set, of which "none of" and "not" hold, nothing else
            st = c.operator in _HOLD_FOR_NOTHING
        elif lefts is None or c.operator is None or not c.rights:
            st = None
            self.unresolved.append(c)
        else:
            try:
                st = apply(c.operator, lefts, c.rights, part_of=self.ancestors, types=self.classes,
                           language=c.left == LANGUAGE)
            except ValueError:  # an operator we do not know: unresolved, never true
                st = None
                self.unresolved.append(c)
        if out is not None:
            out.append(ConstraintResult(c, st, lefts))
        return st

    def constraints(self, cs, out):
        states = []
        for c in cs:
            s = self.constraint(c, out)
            states.append(s)
            if s is False and out is None:
                return False
        return _and(states)

    # -------------------------------------------------------------- duties
    def duty(self, d: Rule, precondition: bool = True) -> DutyEval:
        rec = [] if self.record else None
        in_force = self.constraints(d.constraints, rec) if d.constraints else True
        known_state = self.state.duties.get(d.id)
        if known_state is None and self.state.orphan_duty is not None:
            known_state = self.state.orphan_duty
        known = known_state is not None
        st = known_state or DutyState("NonSet", "Unperformed")
        if st.performance == "Performed" and st.deontic == "NonSet":
            st = DutyState("Fulfilled", "Performed", st.report)
        ev = DutyEval(d, in_force, st, known, False, False, rec or [])
        if in_force is False:
            return ev
        if not known and (not precondition or not self.state.closed_duties):
            # nothing recorded: still to fulfil (a policy-level obligation is never a
            # precondition; a permission's duty is one only against a closed state)
            ev.state = DutyState("NonSet", "Unknown")
            ev.pending = True
            return ev
        if st.deontic == "Fulfilled":
            return ev
        if st.deontic == "Violated" or st.performance == "Unperformed":
            # ODRL 2.2 IM 2.6.3: when a duty was not fulfilled and it has consequences, "the
            # original obligation or duty, as well as the consequence Duty must all be
            # fulfilled". Made good: the duty performed after all (late) and every
            # consequence fulfilled; a consequence performed alone is not enough.
            cons = [self.duty(c) for c in d.consequences]
            ev.consequences = cons
            if cons and st.performance == "Performed" and all(c.state.deontic == "Fulfilled" for c in cons):
                return ev
            ev.blocking = True
            return ev
        ev.pending = True  # explicitly open (NonSet, performance Unknown): still to fulfil
        return ev

    # -------------------------------------------------------------- rules
    def rule(self, pol: Policy, r: Rule) -> RuleEval | None:
        t_ok = not r.targets or not r.targets.isdisjoint(self.asset_set)
        p_ok = not r.assignees or not r.assignees.isdisjoint(self.party_set)
        acts = self.prohib_actions if r.kind == "prohibition" else self.perm_actions
        a_ok = not r.actions or not r.action_iris.isdisjoint(acts)
        record = self.record
        if not record and not (t_ok and p_ok and a_ok):
            return None
        ev = RuleEval(pol, r, t_ok, p_ok, a_ok)
        states = []
        # refinements narrow the target, the party and the action
        if r.target_refinements:
            out = [] if record else None
            s = self.constraints(r.target_refinements, out)
            ev.refinements["target"], ev.refinement_ok["target"] = out or [], s
            states.append(s)
        if r.assignee_refinements:
            out = [] if record else None
            s = self.constraints(r.assignee_refinements, out)
            ev.refinements["party"], ev.refinement_ok["party"] = out or [], s
            states.append(s)
        refined = [a for a in r.actions if a.refinements and a.iri in acts]
        if refined or (record and any(a.refinements for a in r.actions)):
            out = [] if record else None
            best = False
            for a in (refined or [a for a in r.actions if a.refinements]):
                s = self.constraints(a.refinements, out)
                best = True if s is True or best is True else (None if s is None else best)
            ev.refinements["action"], ev.refinement_ok["action"] = out or [], best
            states.append(best)
        if r.constraints:
            out = [] if record else None
            states.append(self.constraints(r.constraints, out))
            ev.constraints = out or []
        ev.cstate = _and(states)
        matched = t_ok and p_ok and a_ok
        if r.duties and (matched or record):
            ev.duties = [self.duty(d) for d in r.duties]
            ev.duty_blocked = any(d.blocking for d in ev.duties)
        ev.active = matched and ev.cstate is True and not ev.duty_blocked
        ev.uncertain = matched and ev.cstate is None and not ev.duty_blocked
        return ev


def _duty_json(dev: DutyEval) -> dict:
    d = dev.duty
    out = {
        "duty": str(d.id),
        "action": [str(a.iri) for a in d.actions],
        # deontic state as the FORCE model names it; nothing known = NonSet, not performed
        "state": dev.state.deontic,
        "performance": dev.state.performance,
        "policy": str(d.policy.id) if d.policy is not None else None,
    }
    if d.targets:
        out["target"] = sorted(str(t) for t in d.target_nodes)
    if dev.consequences:
        out["consequences"] = [_duty_json(c) for c in dev.consequences
                               if c.state.deontic != "Fulfilled"]
    return out


def _unresolved_json(cs) -> list:
    seen, out = set(), []
    for c in cs:
        if c.id in seen:
            continue
        seen.add(c.id)
        out.append({"constraint": str(c.id), "leftOperand": str(c.left) if c.left else None,
                    "operator": c.operator, "rightOperand": [lexical(v) for v in c.rights]})
    return out


def decide_request(index, request: Request, state: State | None = None, *, report: bool = False,
                   pairs=None) -> Decision:
    """Evaluate one request. ``pairs`` restricts evaluation to given (policy, rule) pairs
    (the standalone evaluator passes every rule of the files it was given)."""
    ev = Evaluator(index, request, state, record=report)
    if pairs is None and not report:
        pairs = index.applicable(ev.asset_set, ev.party_set)
    elif pairs is None:
        pairs = index.candidates(ev.asset_set)
        if report:
            # The report covers every rule of each policy that speaks to this asset and this
            # party (FORCE reports are per policy), not every rule that shares the asset.
            relevant = {}
            for pol, r in pairs:
                if (not r.assignees or not r.assignees.isdisjoint(ev.party_set)) and id(pol) not in relevant:
                    relevant[id(pol)] = pol
            pairs = [(p, r) for p in relevant.values() for r in p.effective_rules]
    evals, perms, prohs, maybe_prohs = [], [], [], []
    rule = ev.rule
    not_in_force = set()
    for pol, r in pairs:
        e = rule(pol, r)
        if e is None:
            continue
        evals.append(e)
        if not pol.binding:
            continue
        if not in_force(pol, r, ev.now, ev.party_set):
            # licence lifecycle: not in force at this time, replaced by an amendment, or
            # replaced for this party by a member's local licence (policy/lifecycle.py)
            not_in_force.add(id(e))
            continue
        if e.active:
            if r.kind == "permission":
                perms.append(e)
            elif r.kind == "prohibition":
                prohs.append(e)
        elif e.uncertain and r.kind == "prohibition":
            maybe_prohs.append(e)

    # policy-level obligations of the policies whose permissions would decide
    obligations = []
    blocked_policies = set()
    if perms or report:
        pols = {id(e.policy): e.policy for e in (perms if not report else evals)}
        for pol in pols.values():
            for o in pol.effective_obligations:
                if o.assignees and o.assignees.isdisjoint(ev.party_set):
                    continue
                de = ev.duty(o, precondition=False)
                de.for_policy = pol
                obligations.append(de)
                if de.blocking:
                    blocked_policies.add(id(pol))
    if blocked_policies:
        perms_ok = [e for e in perms if id(e.policy) not in blocked_policies]
    else:
        perms_ok = perms

    unresolved = _unresolved_json(ev.unresolved)
    at = ev.now

    def make(decision, reason, deciding, duties=()):
        pol_ids = []
        for e in deciding:
            pid = str(e.policy.id)
            if pid not in pol_ids:
                pol_ids.append(pid)
        rule_ids = []
        for e in deciding:
            rid = str(e.rule.id)
            if rid not in rule_ids:
                rule_ids.append(rid)
        remedies = [{"remedy": str(rm.id), "action": [str(a.iri) for a in rm.actions]}
                    for e in deciding if e.rule.kind == "prohibition" for rm in e.rule.remedies]
        d = Decision(decision, reason, rule_ids, pol_ids, duties, unresolved, remedies,
                     evals if report else None, obligations if report else None,
                     request, state, at)
        d.index = index
        d.deciding = tuple((e.policy, e.rule) for e in deciding)
        if decision == DENY:
            d.alternatives = tuple(
                (e.policy, e.rule) for e in evals
                if e.rule.kind == "permission" and e.policy.binding and e.matched and not e.active
                and id(e) not in not_in_force)
        return d

    def pending_duties(deciding):
        out = []
        for e in deciding:
            out += [_duty_json(d) for d in e.duties if d.pending]
        deciding_pols = {id(e.policy) for e in deciding}
        for o in obligations:
            if (o.pending or o.blocking) and o.in_force is not False and id(o.for_policy) in deciding_pols:
                out.append(_duty_json(o))
        return out

    if perms_ok and prohs:
        strategies = {e.policy.strategy for e in perms_ok + prohs}
        involved = perms_ok + prohs
        if strategies == {"perm"}:
            return make(PERMIT, "permitted", perms_ok, pending_duties(perms_ok))
        if strategies == {"prohibit"}:
            return make(DENY, "prohibited", prohs)
        return make(DENY, "policy-void-by-conflict", involved)
    if prohs:
        return make(DENY, "prohibited", prohs)
    if perms_ok:
        if maybe_prohs and {e.policy.strategy for e in perms_ok + maybe_prohs} != {"perm"}:
            # a prohibition might apply: the context must say before we permit
            return make(DENY, "constraint-unsatisfied", maybe_prohs)
        return make(PERMIT, "permitted", perms_ok, pending_duties(perms_ok))

    # closed default: say why nothing permits
    binding_perms = [e for e in evals if e.rule.kind == "permission" and e.policy.binding and e.matched
                     and id(e) not in not_in_force]
    if perms and blocked_policies:
        return make(DENY, "duty-unfulfilled", perms,
                    [_duty_json(o) for o in obligations if o.blocking])
    blocked = [e for e in binding_perms if e.duty_blocked and e.cstate is not False]
    if blocked:
        duties = [_duty_json(d) for e in blocked for d in e.duties if d.blocking or d.pending]
        return make(DENY, "duty-unfulfilled", blocked, duties)
    failing = [e for e in binding_perms if e.cstate is not True]
    if failing:
        return make(DENY, "constraint-unsatisfied", failing)
    return make(DENY, "no-applicable-permission", [])


def make_request(target, action, assignee=None, context=None, at=None) -> Request:
    """Normalise caller input (terms, strings, numbers, datetimes) into a Request."""
    ctx = {}
    for k, v in (context.items() if context else ()):
        key = str(k.value) if hasattr(k, "value") else str(k)
        vals = v if isinstance(v, (list, tuple, set, frozenset)) else [v]
        ctx[IRI(key)] = [python_value(x) for x in vals]
    if at is not None:
        at = python_value(at)
    return Request(target=_iri(target), action=_iri(action),
                   assignee=_iri(assignee) if assignee is not None else None,
                   context=ctx, at=at)


def _iri(x):
    if x is None or type(x) is IRI:
        return x
    if type(x) is str:
        return IRI(x)
    return IRI(x.value if hasattr(x, "value") else str(x))
