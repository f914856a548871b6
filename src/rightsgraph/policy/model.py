"""ODRL policies compiled from quads into plain Python objects.

Compilation happens once per store change (see index.py); a decision only walks these
objects. IRIs are kept as :class:`~.operators.IRI` strings, blank nodes as
:class:`~.operators.BNode` labels, literal right operands as Python values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode

from .operators import BNode, IRI, term_value

ODRL = "http://www.w3.org/ns/odrl/2/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL, RDF_VALUE = RDF + "first", RDF + "rest", RDF + "nil", RDF + "value"

POLICY_CLASSES = {ODRL + c for c in ("Policy", "Set", "Offer", "Agreement", "Privacy", "Ticket",
                                      "Assertion")}
RULE_PROPS = {ODRL + "permission": "permission", ODRL + "prohibition": "prohibition",
              ODRL + "obligation": "obligation"}
LOGICAL_OPS = {ODRL + n: n for n in ("and", "or", "xone", "andSequence")}
CONFLICT_VALUES = {ODRL + "perm": "perm", ODRL + "prohibit": "prohibit", ODRL + "invalid": "invalid"}

# The ODRL 2.2 Common Vocabulary action hierarchy (odrl:includedIn), built in so that a
# store without the ODRL vocabulary still knows that read is a use. Store triples add to it.
ODRL_INCLUDED_IN = {
    **{a: "use" for a in (
        "watermark", "uninstall", "translate", "transform", "textToSpeech", "synchronize",
        "stream", "reviewPolicy", "reproduce", "read", "print", "present", "play",
        "obtainConsent", "nextPolicy", "move", "modify", "install", "inform", "index", "include",
        "execute", "ensureExclusivity", "distribute", "digitize", "derive", "delete",
        "concurrentUse", "attribute", "archive", "anonymize", "annotate", "aggregate",
        "acceptTracking", "compensate", "grantUse")},
    "sell": "transfer", "give": "transfer", "extract": "reproduce", "display": "play",
}
CC = "http://creativecommons.org/ns#"
CC_INCLUDED_IN_USE = ("SourceCode", "Sharing", "ShareAlike", "Attribution", "Notice",
                      "CommercialUse", "DerivativeWorks", "Distribution", "Reproduction")
# Deprecated ODRL actions and their skos:exactMatch (ODRL22.ttl): an exact match is the same
# act, so the index links them both ways (odrl:write <-> odrl:modify).
ODRL_DEPRECATED_EXACT = {
    "share": CC + "Sharing", "commercialize": CC + "CommercialUse", "shareAlike": CC + "ShareAlike",
    "attachSource": CC + "SourceCode", "attachPolicy": CC + "Notice", "writeTo": ODRL + "modify",
    "write": ODRL + "modify", "pay": ODRL + "compensate", "license": ODRL + "grantUse",
    "export": ODRL + "transform", "copy": ODRL + "reproduce", "appendTo": ODRL + "modify",
    "append": ODRL + "modify",
}


def node_key(term):
    """Hashable key of a subject/object term: IRI, BNode or a Python literal value."""
    if isinstance(term, NamedNode):
        return IRI(term.value)
    if isinstance(term, BlankNode):
        return BNode("_:" + term.value)
    return term_value(term)


@dataclass(slots=True, eq=False)
class Constraint:
    """An odrl:Constraint (atomic) or odrl:LogicalConstraint (``logical`` set)."""

    id: str
    left: str | None = None
    operator: str | None = None
    rights: tuple = ()
    right_terms: tuple = ()
    unit: str | None = None
    logical: str | None = None            # and | or | xone | andSequence
    children: tuple = ()
    right_reference: tuple = ()            # odrl:rightOperandReference (not dereferenced)

    def iter_atomic(self):
        if self.logical:
            for c in self.children:
                yield from c.iter_atomic()
        else:
            yield self


@dataclass(slots=True, eq=False)
class ActionRef:
    iri: str
    node: str                              # the action node (IRI or blank node)
    refinements: tuple = ()


@dataclass(slots=True, eq=False)
class Rule:
    id: str
    kind: str                              # permission | prohibition | duty | obligation
    policy: "Policy | None" = None
    targets: frozenset = frozenset()       # target IRIs incl. odrl:uid/odrl:source aliases
    target_nodes: tuple = ()
    target_refinements: tuple = ()
    assignees: frozenset = frozenset()
    assignee_nodes: tuple = ()
    assignee_refinements: tuple = ()
    assigners: tuple = ()
    actions: tuple = ()                    # ActionRef
    constraints: tuple = ()
    duties: tuple = ()                     # Rule (kind duty) on a permission
    consequences: tuple = ()               # Rule (kind duty) on a duty
    remedies: tuple = ()                   # Rule (kind duty) on a prohibition
    action_iris: frozenset = frozenset()
    # lifecycle (policy/lifecycle.py): the term type the rule implements, amendments that
    # replace it ((effective date, amending policy), ...), member-licence rules that replace
    # it for the parties they cover
    term_type: object = None
    replaced: tuple = ()
    overridden_by: tuple = ()

    @property
    def iri(self) -> str:
        return str(self.id)


@dataclass(slots=True, eq=False)
class Policy:
    id: str
    kind: str = "Set"                      # Set | Offer | Agreement | Policy | ...
    conflict: str | None = None            # perm | prohibit | invalid (None: not stated)
    rules: list = field(default_factory=list)            # own rules
    obligations: list = field(default_factory=list)      # policy-level duties
    inherit_from: tuple = ()
    profiles: tuple = ()
    effective_rules: list = field(default_factory=list)  # own + inherited (after link())
    effective_obligations: list = field(default_factory=list)
    lifecycle: object = None                              # policy/lifecycle.py Lifecycle (licences)

    @property
    def strategy(self) -> str:
        return self.conflict or "invalid"   # ODRL 2.2: invalid is the default

    @property
    def binding(self) -> bool:
        # An Offer proposes terms; it grants or forbids nothing until agreed (decisions.md).
        return self.kind != "Offer"


def nested_lists() -> defaultdict:
    """key -> [values], the inner map of every two-level map of the index: a named factory,
    so that those maps can be pickled (policy/index_cache.py)."""
    return defaultdict(list)


class Graph:
    """Subject -> predicate -> [objects] over the quads that matter for policies."""

    __slots__ = ("spo", "seen")

    def __init__(self):
        self.spo: dict = defaultdict(nested_lists)
        self.seen: set | None = None     # while set: every subject read (a policy's footprint)

    def add(self, s, p: str, o):
        self.spo[node_key(s)][p].append(o)

    @classmethod
    def from_quads(cls, quads: Iterable) -> "Graph":
        g = cls()
        for q in quads:
            g.add(q.subject, q.predicate.value, q.object)
        return g

    def objects(self, s, p) -> list:
        if self.seen is not None:
            self.seen.add(s)
        d = self.spo.get(s)
        return d.get(p, []) if d else []

    def one(self, s, p):
        objs = self.objects(s, p)
        return objs[0] if objs else None

    def list_items(self, head) -> list:
        """Members of an rdf:List, or [head] when head is not a list node."""
        out, seen = [], set()
        node = head
        while True:
            k = node_key(node)
            if isinstance(k, IRI) and k == RDF_NIL:
                return out
            if k in seen:
                return out
            seen.add(k)
            first = self.one(k, RDF_FIRST)
            if first is None:
                return out if out else [head]
            out.append(first)
            nxt = self.one(k, RDF_REST)
            if nxt is None:
                return out
            node = nxt

    def values(self, s, p) -> list:
        """Objects of s p, expanding rdf:List objects."""
        out = []
        for o in self.objects(s, p):
            if isinstance(o, BlankNode) and self.one(node_key(o), RDF_FIRST) is not None:
                out.extend(self.list_items(o))
            else:
                out.append(o)
        return out


class Compiler:
    """Turns the policy part of a Graph into Policy/Rule/Constraint objects."""

    def __init__(self, graph: Graph, classes=None):
        self.g = graph
        self._constraints: dict = {}
        # class closure (rdf:type + rdfs:subClassOf) from the index, so that a policy typed
        # with a subclass (rg:Licence subClassOf odrl:Agreement) is known for what it is
        self.classes = classes

    def types(self, key) -> set:
        out = {o.value for o in self.g.objects(key, RDF_TYPE) if isinstance(o, NamedNode)}
        if self.classes is not None:
            out |= {str(c) for c in self.classes(key)}
        return out

    # ------------------------------------------------------------------ helpers
    def aliases(self, key) -> set:
        """A party/asset node and the identifiers it stands for (odrl:uid, odrl:source)."""
        out = {key}
        for p in (ODRL + "uid", ODRL + "source"):
            for o in self.g.objects(key, p):
                k = node_key(o)
                if isinstance(k, IRI):
                    out.add(k)
        return out

    def constraint(self, term) -> Constraint:
        key = node_key(term)
        if key in self._constraints:
            return self._constraints[key]
        g = self.g
        c = Constraint(id=key)
        self._constraints[key] = c
        for p, name in LOGICAL_OPS.items():
            members = g.values(key, p)
            if members:
                c.logical = name
                c.children = tuple(self.constraint(m) for m in members)
                return c
        lo = g.one(key, ODRL + "leftOperand")
        op = g.one(key, ODRL + "operator")
        c.left = IRI(lo.value) if isinstance(lo, NamedNode) else (node_key(lo) if lo is not None else None)
        c.operator = op.value if isinstance(op, NamedNode) else None
        rights = g.values(key, ODRL + "rightOperand")
        c.right_terms = tuple(rights)
        c.rights = tuple(node_key(r) if not isinstance(r, Literal) else term_value(r) for r in rights)
        unit = g.one(key, ODRL + "unit")
        c.unit = IRI(unit.value) if isinstance(unit, NamedNode) else None
        c.right_reference = tuple(node_key(r) for r in g.objects(key, ODRL + "rightOperandReference"))
        return c

    def constraints(self, key, prop=ODRL + "constraint") -> tuple:
        return tuple(self.constraint(t) for t in self.g.objects(key, prop))

    def action(self, term) -> ActionRef:
        key = node_key(term)
        value = self.g.one(key, RDF_VALUE)
        iri = IRI(value.value) if isinstance(value, NamedNode) else key
        return ActionRef(iri=iri, node=key, refinements=self.constraints(key, ODRL + "refinement"))

    def rule(self, term, kind: str, inherited: dict | None = None) -> Rule:
        g, key = self.g, node_key(term)
        inherited = inherited or {}

        def prop(p):
            objs = g.objects(key, ODRL + p)
            return objs if objs else inherited.get(p, [])

        r = Rule(id=key, kind=kind)
        tnodes = [node_key(t) for t in prop("target")]
        r.target_nodes = tuple(tnodes)
        r.targets = frozenset(a for t in tnodes for a in self.aliases(t))
        r.target_refinements = tuple(c for t in tnodes for c in self.constraints(t, ODRL + "refinement"))
        anodes = [node_key(a) for a in prop("assignee")]
        r.assignee_nodes = tuple(anodes)
        r.assignees = frozenset(a for t in anodes for a in self.aliases(t))
        r.assignee_refinements = tuple(c for t in anodes for c in self.constraints(t, ODRL + "refinement"))
        r.assigners = tuple(node_key(a) for a in prop("assigner"))
        r.actions = tuple(self.action(a) for a in prop("action"))
        r.action_iris = frozenset(a.iri for a in r.actions)
        r.constraints = self.constraints(key)
        # A duty inherits the permission's target and assignee when it states none:
        # "attribute" on a permission's duty is about the same asset, by the same party.
        sub = {"target": prop("target"), "assignee": prop("assignee")}
        r.duties = tuple(self.rule(d, "duty", sub) for d in g.objects(key, ODRL + "duty"))
        r.consequences = tuple(self.rule(d, "duty", sub) for d in g.objects(key, ODRL + "consequence"))
        r.remedies = tuple(self.rule(d, "duty", sub) for d in g.objects(key, ODRL + "remedy"))
        return r

    # ------------------------------------------------------------------ policies
    def policy_keys(self) -> list:
        return [s for s in self.g.spo if self.is_policy_key(s)]

    def is_policy_key(self, s) -> bool:
        preds = self.g.spo.get(s)
        if not preds:
            return False
        types = self.types(s)
        if ODRL + "Request" in types:
            return False  # a request is a policy-shaped question, never a grant
        if types & POLICY_CLASSES or any(p in preds for p in RULE_PROPS):
            # rules of an odrl:Request permission node are not policies either
            return not (ODRL + "Permission" in types or ODRL + "Prohibition" in types)
        return False

    def policy(self, key) -> Policy:
        g = self.g
        types = self.types(key)
        kind = "Set"
        for t in ("Agreement", "Offer", "Set", "Privacy", "Ticket", "Assertion", "Policy"):
            if ODRL + t in types:
                kind = t
                break
        p = Policy(id=key, kind=kind)
        conflict = g.one(key, ODRL + "conflict")
        if isinstance(conflict, NamedNode):
            p.conflict = CONFLICT_VALUES.get(conflict.value, "invalid")
        p.inherit_from = tuple(node_key(o) for o in g.objects(key, ODRL + "inheritFrom"))
        p.profiles = tuple(node_key(o) for o in g.objects(key, ODRL + "profile"))
        # Policy-level target/assignee/assigner/action apply to every rule that lacks them
        # (ODRL 2.2 IM, 2.2.1 "Policy ... properties ... apply to all Rules").
        inherited = {n: g.objects(key, ODRL + n) for n in ("target", "assignee", "assigner", "action")}
        inherited = {k: v for k, v in inherited.items() if v}
        for prop_iri, kind_name in RULE_PROPS.items():
            for t in g.objects(key, prop_iri):
                r = self.rule(t, "duty" if kind_name == "obligation" else kind_name, inherited)
                r.policy = p
                if kind_name == "obligation":
                    r.kind = "obligation"
                    p.obligations.append(r)
                else:
                    p.rules.append(r)
                for d in r.duties + r.consequences + r.remedies:
                    _set_policy(d, p)
        return p

    def policies(self, keys=None, footprints: dict | None = None) -> dict:
        """The policies of `keys` (default: every policy in the graph), linked to what they
        inherit. `footprints`: filled with policy -> every subject its compilation read, so
        that a change to one of them is known to touch the policy (index_refresh.py)."""
        pols = {}
        for k in (self.policy_keys() if keys is None else keys):
            if footprints is not None:
                self._constraints = {}      # a constraint shared by two policies is read by both
                self.g.seen = set()
            try:
                pols[k] = self.policy(k)
            finally:
                if footprints is not None:
                    footprints[k] = frozenset(self.g.seen)
                    self.g.seen = None
        if keys is None:
            link_inheritance(pols)
        return pols


def _set_policy(rule: Rule, p: Policy):
    rule.policy = p
    for d in rule.duties + rule.consequences + rule.remedies:
        _set_policy(d, p)


def link_inheritance(pols: dict, only=None) -> None:
    """odrl:inheritFrom: a child policy holds its parent's rules as well (transitively).

    Inherited rules are shared objects; the child's conflict strategy governs the child
    (decisions.md, "inheritFrom").
    """
    def collect(key, seen):
        p = pols.get(key)
        if p is None or key in seen:
            return [], []
        seen.add(key)
        rules, obls = list(p.rules), list(p.obligations)
        for parent in p.inherit_from:
            pr, po = collect(parent, seen)
            rules += pr
            obls += po
        return rules, obls

    for k, p in pols.items():
        if only is None or k in only:
            p.effective_rules, p.effective_obligations = collect(k, set())
