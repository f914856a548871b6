"""Licence lifecycle and consortium combination, applied to compiled policies.

The index collects a few rg: facts beside the ODRL quads (status, dates, amendments,
member licences, which term type each rule implements) and `apply_lifecycle` attaches
them to the compiled Policy / Rule objects. `in_force` is the per-request check the
evaluator makes. docs/decisions.md, "Licence lifecycle and consortium licences":

- status rg:InNegotiation or rg:Rejected: the licence binds nothing (grants nothing,
  forbids nothing), like an Offer; other statuses bind and the rules' own dates decide
  (rg:Expired / rg:NotYetActive are labels: the dates in the rules are what count, so
  surviving terms such as perpetual access and archiving outlive the term);
- rg:Terminated: binds up to and including rg:terminationDate, nothing after it;
- an amendment (M rg:amends L): from M's rg:effectiveDate (default its rg:termStart),
  while M binds, each rule of L implementing a term M lists (same term type for the same
  party; for rules without a recorded term type: an action one of M's rules has) is
  replaced, whatever M's status for that term (an amendment may make a term silent or
  prohibited); L's other rules stay;
- a member licence (Lo rg:memberLicenceOf Ma, the consortium master): for a requester
  covered by a rule of Lo (its assignee), during Lo's term while Lo binds, each rule of Ma
  implementing the same term type (or, without term types, having an action in common) is
  replaced by Lo's rule: a local prohibition or narrower permission wins over the master's
  broader permission; the master's other terms still apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from .operators import IRI

RG = "https://w3id.org/rightsgraph/ns#"
STATUS = RG + "licenceStatus"
TERMINATION = RG + "terminationDate"
START, END, EFFECTIVE = RG + "termStart", RG + "termEnd", RG + "effectiveDate"
AMENDS, MEMBER_OF = RG + "amends", RG + "memberLicenceOf"
IMPLEMENTED_BY, TERM_TYPE, LICENCE_TERM = RG + "implementedBy", RG + "termType", RG + "licenceTerm"
APPLIES_TO = RG + "appliesTo"
DERIVED_FROM, DERIVED_BY = RG + "derivedFrom", RG + "derivedBy"
PREDICATES = frozenset({STATUS, TERMINATION, START, END, EFFECTIVE, AMENDS, MEMBER_OF, IMPLEMENTED_BY,
                        TERM_TYPE, LICENCE_TERM, APPLIES_TO, DERIVED_FROM, DERIVED_BY})
NOT_BINDING = frozenset({RG + "InNegotiation", RG + "Rejected"})


@dataclass(slots=True)
class Lifecycle:
    status: str | None = None
    start: date | None = None
    end: date | None = None
    terminated: date | None = None
    effective: date | None = None


def _date(v):
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else None


def day(now) -> date:
    return now.date() if isinstance(now, datetime) else now


def lifecycle_binds(lc: Lifecycle | None, today: date) -> bool:
    """Does a licence with this lifecycle bind at all on this day (status and termination)?
    The one rule, used by decisions and by the risk report."""
    if lc is None:
        return True
    if lc.status in NOT_BINDING:
        return False
    if lc.terminated is not None and today > lc.terminated:
        return False
    return True


def within_term(lc: Lifecycle | None, today: date) -> bool:
    """Does it bind on this day, and has its term (rg:termStart..rg:termEnd) begun and not ended?"""
    if lc is None:
        return True
    if lc.start is not None and today < lc.start:
        return False
    if lc.end is not None and today > lc.end:
        return False
    return lifecycle_binds(lc, today)


def binds(pol, today: date) -> bool:
    """Does the policy bind at all on this day (status and termination)?"""
    return lifecycle_binds(pol.lifecycle, today)


def in_force(pol, rule, now, party_set) -> bool:
    """May this rule of this policy take part in a decision at `now` for these parties?"""
    if pol.lifecycle is None and not rule.replaced and not rule.overridden_by:
        return True
    today = day(now)
    if not binds(pol, today):
        return False
    for effective, amendment in rule.replaced:
        if today >= effective and binds(amendment, today):
            return False
    for local in rule.overridden_by:
        if local.assignees and not local.assignees.isdisjoint(party_set) and within_term(local.policy.lifecycle, today):
            return False
    return True


def apply_lifecycle(index, facts: dict, only=None) -> None:
    """Attach lifecycle facts to the compiled policies and link amendments/member licences.
    `only`: the policies newly compiled (index_refresh.py); the others keep what they have,
    and a link is made where it lands on one of them (the rules an amendment replaces,
    the master rules a member licence overrides)."""
    if not facts:
        return
    pols = index.policies
    for pid, pol in pols.items():
        if only is not None and pid not in only:
            continue
        f = facts.get(pid)
        if not f:
            continue
        status = f.get(STATUS)
        pol.lifecycle = Lifecycle(
            status=str(status[0]) if status else None,
            start=_date(f[START][0]) if f.get(START) else None,
            end=_date(f[END][0]) if f.get(END) else None,
            terminated=_date(f[TERMINATION][0]) if f.get(TERMINATION) else None,
            effective=_date(f[EFFECTIVE][0]) if f.get(EFFECTIVE) else None)
    # which term type each rule implements (term --implementedBy--> rule, term --termType--> type)
    rule_type = {}
    for s, f in facts.items():
        for r in f.get(IMPLEMENTED_BY, ()):
            for t in f.get(TERM_TYPE, ()):
                rule_type[r] = t
    # a rule derived from another (walk-in copy, surviving copy) implements the same term type
    for s, f in facts.items():
        for primary in f.get(DERIVED_FROM, ()):
            if primary in rule_type:
                rule_type[s] = rule_type[primary]
    if rule_type:
        for pid, pol in pols.items():
            if only is not None and pid not in only:
                continue
            for r in pol.rules:
                r.term_type = rule_type.get(r.id)

    def listed_types(pid):
        """(term type, party) pairs an amendment lists, any status (party None: every party)."""
        out = set()
        for t in facts.get(pid, {}).get(LICENCE_TERM, ()):
            tf = facts.get(t, {})
            for typ in tf.get(TERM_TYPE, ()):
                for who in tf.get(APPLIES_TO, ()) or (None,):
                    out.add((typ, who))
        return out

    def same_term(a, b) -> bool:
        if a.term_type is not None and b.term_type is not None:
            return a.term_type == b.term_type
        return not a.action_iris.isdisjoint(b.action_iris)

    for pid, f in facts.items():
        pol = pols.get(pid)
        if pol is None:
            continue
        for amended_id in f.get(AMENDS, ()):
            amended = pols.get(amended_id)
            if amended is None or only is not None and amended_id not in only:
                continue
            lc = pol.lifecycle or Lifecycle()
            effective = lc.effective or lc.start
            if effective is None:
                continue
            types = listed_types(pid)
            actions = set()
            for r in pol.rules:
                if r.term_type is None:
                    actions |= r.action_iris
            for r in amended.rules:
                listed = r.term_type is not None and ((r.term_type, None) in types or any(
                    (r.term_type, who) in types for who in r.assignee_nodes))
                if listed or (
                        r.term_type is None and not r.action_iris.isdisjoint(actions)):
                    r.replaced = r.replaced + ((effective, pol),)
        for master_id in f.get(MEMBER_OF, ()):
            master = pols.get(master_id)
            if master is None or only is not None and master_id not in only:
                continue
            for m in master.rules:
                hits = tuple(lr for lr in pol.rules if lr.kind in ("permission", "prohibition") and same_term(m, lr))
                if hits:
                    m.overridden_by = m.overridden_by + hits


__all__ = ["apply_lifecycle", "in_force", "binds", "lifecycle_binds", "within_term", "PREDICATES", "Lifecycle", "IRI"]
