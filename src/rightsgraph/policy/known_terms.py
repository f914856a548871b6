"""What a decision request may name, so that a misspelt or foreign term is an error and not a
silent denial (docs/decisions.md, "Unknown terms").

- an action is known if the ODRL 2.2 vocabulary or the shipped ontology declares it
  (odrl:Action), the shipped open-licence policies or a stored policy use it (odrl:action,
  duties and remedies included), the action hierarchy names it (odrl:includedIn,
  odrl:implies), or the store types it odrl:Action;
- a left operand likewise (odrl:LeftOperand; odrl:leftOperand or odrl:unit of a stored
  constraint, refinements included);
- a party is known, and a target is held, if the store says anything about it or points to
  it (any triple, in any graph), a stored policy names it, or it is an odrl:partOf member
  or collection.

Everything a request is checked against is built once per PolicyIndex (sets, and the
index's own maps); a name found nowhere there costs one key lookup in the store, memoised
until the index is rebuilt. The decision engine itself (`policy.decide`) does not check:
it answers for any IRI, as the ODRL semantics say; the doors check (decision_service).
"""

from __future__ import annotations

import difflib
from collections import Counter
from functools import lru_cache

import pyoxigraph as ox
from pyoxigraph import NamedNode

from .model import ODRL, RDF_TYPE
from ..bilingual import compose
from ..translation import both

ACTION_CLASS = ODRL + "Action"
LEFT_OPERAND_CLASS = ODRL + "LeftOperand"
NOT_HELD = "not-held"
NOT_HELD_REASON = "target-not-held"
_MEMO_LIMIT = 100_000          # names remembered per index build (then forgotten, not grown)
_SUGGESTION_POOL = 20_000      # more candidates than this: no "did you mean" for parties

class UnknownTerm(ValueError):
    """A request names an action, left operand or party nothing in the store knows."""

    def __init__(self, param: str, value: str, kind: str, suggestion: str | None = None):
        self.param, self.value, self.kind, self.suggestion = param, value, kind, suggestion
        hint = both(" (did you mean %(suggestion)s?)", suggestion=suggestion) if suggestion else ""
        if kind == "action":
            texts = both("%(param)s: unknown action %(value)s: neither ODRL 2.2, the ontology nor a stored policy "
                         "declares it%(hint)s")
        elif kind == "left operand":
            texts = both("%(param)s: unknown left operand %(value)s: neither ODRL 2.2, the ontology nor a stored "
                         "policy declares it%(hint)s")
        else:
            texts = both("%(param)s: unknown party %(value)s: the store says nothing about it and no policy names "
                         "it%(hint)s")
        self.texts = compose(texts, param=param, value=repr(value), hint=hint)
        super().__init__(self.texts["en"])


@lru_cache(maxsize=1)
def shipped_terms() -> tuple[frozenset, frozenset]:
    """(actions, left operands) of the shipped ontology files (the ODRL 2.2 vocabulary
    included) and the shipped open-licence policies: known whatever the store holds."""
    from ..package_data import ontology_files
    from ..system_graphs import open_licence_files
    actions, lefts = set(), set()
    for path in [*ontology_files(), *open_licence_files()]:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            p, o = t.predicate.value, t.object
            if not isinstance(o, NamedNode):
                continue
            if p == RDF_TYPE and o.value == ACTION_CLASS and isinstance(t.subject, NamedNode):
                actions.add(t.subject.value)
            elif p == RDF_TYPE and o.value == LEFT_OPERAND_CLASS and isinstance(t.subject, NamedNode):
                lefts.add(t.subject.value)
            elif p in (ODRL + "action", ODRL + "includedIn", ODRL + "implies"):
                actions.add(o.value)
            elif p in (ODRL + "leftOperand", ODRL + "unit"):
                lefts.add(o.value)
    return frozenset(actions), frozenset(lefts)


class _Tally:
    """How many policies and subjects name each action, left operand and party or collection,
    so that a refresh can take out what the old versions named and add what the new ones do
    (a term no longer named by anything is no longer known)."""

    def __init__(self, actions=None, lefts=None, named=None):
        self.actions: Counter = actions if actions is not None else Counter()
        self.lefts: Counter = lefts if lefts is not None else Counter()
        self.named: Counter = named if named is not None else Counter()

    @classmethod
    def of(cls, index) -> "_Tally":
        tally = cls()
        for p in index.policies.values():
            tally._count(_policy_terms(p), 1)
        for node in index.types.keys() | index.part_of.keys():
            tally._count(_subject_terms(index.types.get(node), index.part_of.get(node), node), 1)
        return tally

    def refreshed(self, delta) -> "_Tally":
        tally = _Tally(self.actions.copy(), self.lefts.copy(), self.named.copy())
        for p in delta.old_policies:
            tally._count(_policy_terms(p), -1)
        for p in delta.new_policies:
            tally._count(_policy_terms(p), 1)
        for node, (classes, parents) in delta.old_subjects.items():
            tally._count(_subject_terms(classes, parents, node), -1)
        for node, (classes, parents) in delta.new_subjects.items():
            tally._count(_subject_terms(classes, parents, node), 1)
        return tally

    def _count(self, terms: tuple, sign: int) -> None:
        for counter, items in zip((self.actions, self.lefts, self.named), terms):
            for t in items:
                n = counter[t] + sign
                if n > 0:
                    counter[t] = n
                else:
                    del counter[t]


def tally(index) -> _Tally:
    """The counts of the terms `index` names, as KnownTerms keeps them (saved with a compiled
    index by policy/index_cache.py, so that a restart does not count them again)."""
    return _Tally.of(index)


def _policy_terms(policy) -> tuple[set, set, set]:
    """(actions, left operands, parties and assets) a policy's rules name, duties included."""
    actions, lefts, named = set(), set(), set()
    for r in _each_rule([*policy.effective_rules, *policy.effective_obligations]):
        actions.update(a.iri for a in r.actions)
        named.update(r.targets, r.assignees, r.assigners)
        for c in _constraints(r):
            for x in (c.left, c.unit):
                if x:
                    lefts.add(x)
    return actions, lefts, named


def _subject_terms(classes, parents, node) -> tuple[tuple, tuple, frozenset]:
    """What a node's types and odrl:partOf parents make known: itself as an action or left
    operand, its collections (consortia, packages, licences)."""
    classes = classes or ()
    return ((node,) if ACTION_CLASS in classes else (), (node,) if LEFT_OPERAND_CLASS in classes else (),
            frozenset(parents or ()))


def _rules(index):
    """Every rule of the compiled policies: permissions, prohibitions, obligations, and the
    duties, consequences and remedies under them."""
    return _each_rule([r for p in index.policies.values() for r in (*p.effective_rules, *p.effective_obligations)])


def _each_rule(stack: list):
    """The rules of `stack` and the duties, consequences and remedies under them, each once."""
    seen: set = set()
    while stack:
        r = stack.pop()
        if id(r) in seen:
            continue
        seen.add(id(r))
        yield r
        stack.extend((*r.duties, *r.consequences, *r.remedies))


def _constraints(rule):
    pending = [*rule.constraints, *rule.target_refinements, *rule.assignee_refinements,
               *(c for a in rule.actions for c in a.refinements)]
    while pending:
        c = pending.pop()
        yield c
        pending.extend(c.children)


class KnownTerms:
    """The actions, left operands and parties a request may name, for one PolicyIndex.

    ``lookup(iri) -> bool``: does the store hold anything about the IRI (default: no store,
    only the index is asked)."""

    def __init__(self, index, lookup=None, tally: "_Tally | None" = None):
        shipped_actions, shipped_lefts = shipped_terms()
        # (the index's IRI keys are str: kept as they are, they match the request's strings)
        self._tally = tally = tally if tally is not None else _Tally.of(index)
        actions = set(shipped_actions) | tally.actions.keys()
        for a, broader in list(index.included_in.items()) + list(index.implies.items()):
            actions.add(a)
            actions.update(broader)
        self.actions = frozenset(actions)
        self.left_operands = frozenset(set(shipped_lefts) | tally.lefts.keys())
        self.named = frozenset(tally.named)
        self._index = index
        self._lookup = lookup
        self._memo: dict = {}

    @classmethod
    def of(cls, index, store=None, tally: "_Tally | None" = None) -> "KnownTerms":
        return cls(index, store_lookup(store) if store is not None else None, tally)

    def refreshed(self, index, store=None) -> "KnownTerms":
        """The terms of `index`, an index refreshed from this one's (index_refresh.py):
        only what the refresh recompiled or re-read is counted again."""
        return KnownTerms.of(index, store, self._tally.refreshed(index._refresh_delta))

    # ------------------------------------------------------------------ membership
    def held(self, iri: str) -> bool:
        """Whether the store holds anything about the IRI (as a target: is it held; as a
        party: is it known)."""
        index = self._index
        if iri in self.named or iri in index.part_of or iri in index.types or iri in index.issued:
            return True
        if self._lookup is None:
            return False
        found = self._memo.get(iri)
        if found is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[iri] = bool(self._lookup(iri))
        return found

    # ------------------------------------------------------------------ checks
    def check_action(self, iri: str, param: str = "action") -> None:
        if iri not in self.actions:
            raise UnknownTerm(param, compact(iri), "action", suggest(iri, self.actions))

    def check_left_operand(self, iri: str, param: str = "context") -> None:
        if iri not in self.left_operands:
            raise UnknownTerm(param, compact(iri), "left operand", suggest(iri, self.left_operands))

    def check_party(self, iri: str, param: str = "assignee") -> None:
        if not self.held(iri):
            pool = self.parties()
            raise UnknownTerm(param, iri, "party", suggest(iri, pool) if len(pool) <= _SUGGESTION_POOL else None)

    def parties(self) -> frozenset:
        """Parties the policies name (assignees, assigners) and the party collections'
        members: the pool of "did you mean" for a party (built on the first miss)."""
        pool = self.__dict__.get("_parties")
        if pool is None:
            out = set()
            for r in _rules(self._index):
                out.update(str(p) for p in r.assignees)
                out.update(str(p) for p in r.assigners)
            collections = set(out)
            for child, parents in self._index.part_of.items():
                if not collections.isdisjoint(str(p) for p in parents):
                    out.add(str(child))
                if len(out) > _SUGGESTION_POOL:
                    break
            pool = self.__dict__["_parties"] = frozenset(out)
        return pool


def store_lookup(store):
    """``iri -> bool``: whether the store mentions the IRI (as subject, else object, in any
    graph): one key lookup in an embedded store, a small query in another."""
    def lookup(iri: str) -> bool:
        try:
            node = NamedNode(iri)
        except ValueError:
            return False
        return (next(iter(store.quads_matching(subject=node, limit=1)), None) is not None
                or next(iter(store.quads_matching(obj=node, limit=1)), None) is not None)
    return lookup


# ---------------------------------------------------------------------- did you mean
def compact(iri: str) -> str:
    """How a user writes an IRI: `read` for an ODRL term, `prefix:name` for a known
    namespace, else the IRI itself."""
    from ..namespaces import PREFIXES
    if iri.startswith(ODRL) and "/" not in iri[len(ODRL):] and "#" not in iri[len(ODRL):]:
        return iri[len(ODRL):]
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def suggest(iri: str, known) -> str | None:
    """The known term closest to the unknown one (difflib), as a user writes it, if one is
    close: `reed` -> `read`, `cont` -> `count`."""
    match = difflib.get_close_matches(compact(iri), [compact(k) for k in known], n=1, cutoff=0.75)
    return match[0] if match else None


# ---------------------------------------------------------------------- not held
def not_held_answer(target: str) -> dict:
    """The answer about a target the store does not hold: neither permit nor deny, since no
    licence can speak for what the library does not have. The same keys as a decision."""
    return {
        "decision": NOT_HELD,
        "reason": NOT_HELD_REASON,
        "rules": [],
        "policies": [],
        "duties": [],
        "unresolved": [],
        "explanation": {
            "because": [], "would_permit": [],
            **both("Not held: the store has nothing about %(target)s; check the IRI, or load its record first.",
                   target=target),
        },
    }
