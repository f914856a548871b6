"""PREMIS 3 rights statements as ODRL rules, so that what a preservation system records in
PREMIS takes part in decisions.

A resource points to its rights statement with ``premis:rightsStatus``; the index reads that
as membership (the resource is part of the statement's set of objects), and the rules below
target the statement. Two shapes are read, both PREMIS 3 (the OWL ontology and the data
dictionary's rightsGranted):

- rights granted on the statement itself, the flat form rightsgraph's shapes define
  (``rg:RightsStatement`` with ``premis:act`` and ``rg:rightsStart`` / ``rg:rightsEnd``):
  one permission for the acts, for the statement's period (term of grant);
- ``premis:allows`` / ``premis:prohibits`` a ``premis:Rule`` (on the statement or on its
  basis node): a permission or prohibition for the rule's ``premis:act``s, its own
  ``premis:startDate`` / ``premis:endDate`` (else the statement's), and any ODRL constraint it
  carries (``odrl:constraint``: the machine-readable form of a ``premis:restriction``, e.g.
  reading on the premises only). A restriction given only as text is recorded and reported
  as not machine-enforced.

Acts are LoC preservation event types (``eventType``) or, deprecated since 2018, actions
granted (``actionsGranted``); ACTS says what each means in ODRL. An act with no ODRL
counterpart (fixity check, ingest ...) is recorded, not enforced: a rule whose acts all lack
one is not compiled, since a rule without actions would grant every action.
"""

from __future__ import annotations

from datetime import date, datetime

from pyoxigraph import Literal, NamedNode

from .model import ODRL, ActionRef, Constraint, Policy, Rule
from .operators import BNode, IRI

PREMIS = "http://www.loc.gov/premis/rdf/v3/"
RG = "https://w3id.org/rightsgraph/ns#"
EVENT = "http://id.loc.gov/vocabulary/preservation/eventType/"
GRANTED = "http://id.loc.gov/vocabulary/preservation/actionsGranted/"
XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_DATE = NamedNode(XSD + "date")

RIGHTS_STATUS = PREMIS + "rightsStatus"
ACT, ALLOWS, PROHIBITS, BASIS = PREMIS + "act", PREMIS + "allows", PREMIS + "prohibits", PREMIS + "basis"
START, END, RESTRICTION = PREMIS + "startDate", PREMIS + "endDate", PREMIS + "restriction"
RG_START, RG_END = RG + "rightsStart", RG + "rightsEnd"
PREDICATES = frozenset({ACT, ALLOWS, PROHIBITS, BASIS, START, END, RESTRICTION, RG_START, RG_END})

# act -> the ODRL actions it grants (docs/decisions.md, "PREMIS rights statements")
_MEANING = {
    "dis": (ODRL + "read", ODRL + "display", ODRL + "present"),   # dissemination: use outside the repository
    "rep": (ODRL + "archive",),                                    # replication: a preservation copy
    "mig": (ODRL + "transform",),                                  # migration: same content, another format
    "mod": (ODRL + "modify",),                                     # modification
    "del": (ODRL + "delete",),                                     # deletion
    "use": (ODRL + "read",),                                       # actionsGranted: read without copying
}
ACTS = {**{EVENT + k: v for k, v in _MEANING.items() if k != "use"},
        **{GRANTED + k: v for k, v in _MEANING.items()}}


def _date(v):
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def _date_constraint(cid, op: str, d: date) -> Constraint:
    return Constraint(id=cid, left=IRI(ODRL + "dateTime"), operator=ODRL + op, rights=(d,),
                      right_terms=(Literal(d.isoformat(), datatype=_XSD_DATE),))




def _child_id(parent, suffix: str):
    text = str(parent)
    if isinstance(parent, IRI):
        return IRI(text + ("-" if "#" in text else "#") + suffix)
    return BNode(f"{text}-{suffix}")


def compile_statements(facts: dict, statements: set, compiler) -> dict:
    """Policies (one per rights statement) from PREMIS facts.

    ``facts``: subject key -> predicate -> [values] for PREDICATES; ``statements``: the keys
    known to be rights statements (objects of premis:rightsStatus, or typed so);
    ``compiler``: the index's Compiler, for ODRL constraints on premis:Rule nodes."""
    out = {}
    for st in statements:
        f = facts.get(st, {})
        start = next((d for d in map(_date, f.get(RG_START, []) + f.get(START, [])) if d), None)
        end = next((d for d in map(_date, f.get(RG_END, []) + f.get(END, [])) if d), None)
        pol = Policy(id=st, kind="Set")
        acts = [a for a in f.get(ACT, []) if isinstance(a, IRI)]
        if acts:
            rule = _rule(_child_id(st, "acts"), "permission", st, acts, start, end, (), pol)
            if rule is not None:
                pol.rules.append(rule)
        holders = [st] + [b for b in f.get(BASIS, []) if b in facts]
        for holder in holders:
            hf = facts.get(holder, {})
            for prop, kind in ((ALLOWS, "permission"), (PROHIBITS, "prohibition")):
                for node in hf.get(prop, []):
                    nf = facts.get(node, {})
                    rs = next((d for d in map(_date, nf.get(START, [])) if d), start)
                    re_ = next((d for d in map(_date, nf.get(END, [])) if d), end)
                    extra = compiler.constraints(node) if compiler is not None else ()
                    rule = _rule(node, kind, st, [a for a in nf.get(ACT, []) if isinstance(a, IRI)],
                                 rs, re_, extra, pol)
                    if rule is not None:
                        pol.rules.append(rule)
        if pol.rules:
            pol.effective_rules = list(pol.rules)
            out[st] = pol
    return out


def _rule(rid, kind, statement, acts, start, end, extra, pol) -> Rule | None:
    actions = []
    for act in acts:
        for a in ACTS.get(str(act), ()):
            if a not in {x.iri for x in actions}:
                actions.append(ActionRef(iri=IRI(a), node=IRI(a)))
    if not actions:
        return None   # no act with an ODRL meaning: recorded, not enforced
    cons = list(extra)
    if start is not None:
        cons.append(_date_constraint(_child_id(rid, "start"), "gteq", start))
    if end is not None:
        cons.append(_date_constraint(_child_id(rid, "end"), "lteq", end))
    r = Rule(id=rid, kind=kind, policy=pol, targets=frozenset({statement}), target_nodes=(statement,),
             actions=tuple(actions), constraints=tuple(cons))
    r.action_iris = frozenset(a.iri for a in actions)
    return r
