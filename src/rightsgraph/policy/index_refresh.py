"""Bring a PolicyIndex up to date after a write, from the graphs the write changed.

Rebuilding the index reads every policy and catalogue quad again: at 1M triples and 10,000
licences that is 20-30 s, so a licence import would take that long to reach decisions.
Instead, `refreshed(index, store, graphs)` makes a new index that shares everything the
write did not touch:

1. the subjects of the changed graphs, before (kept per graph at the build) and after (read
   now), are the affected subjects; their index quads are read again from the store, in
   every graph, and replace their entries in the maps (every map is keyed by subject);
2. the policies to compile again are those whose compilation read an affected subject (each
   policy's footprint is recorded when it is compiled), the affected subjects that are
   policies now, and, until nothing is added, the policies inheriting from one of them,
   the licences an amendment among them amends and the consortium masters of a member
   licence among them (their rules carry links to the recompiled ones);
3. the lists of candidate rules per target and party lose the old versions of those
   policies and gain the new ones.

The old index is never changed (decisions in other threads keep using it): maps are copied
and only the entries of affected subjects are new. It gives up, and the caller rebuilds,
where a change reaches what every policy depends on (class and action hierarchies, PREMIS
rights statements), when too many subjects are affected for it to be worth it, and for a
store whose blank nodes cannot be asked for again (a remote store: `keeps_blank_nodes`).
tests/test_index_refresh.py checks it against a rebuild.
"""

from __future__ import annotations

import copy
import weakref
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from .index import (_STATEMENT_TYPES, IMPLIES, INCLUDED_IN, ODRL, OWL, SUBCLASS, PolicyIndex,
                    _shipped_broader, _skipped, index_predicate, rule_terms)
from .lifecycle import AMENDS, DERIVED_FROM, IMPLEMENTED_BY, MEMBER_OF, apply_lifecycle
from .model import RDF_TYPE, Compiler, Graph, link_inheritance, node_key
from .operators import BNode, IRI
from .premis import PREDICATES as PREMIS_PREDICATES, RIGHTS_STATUS

# More affected subjects than this: a rebuild is about as fast (a catalogue load, not a licence).
MAX_SUBJECTS = 20_000
# Predicates whose change reaches every policy: the index is rebuilt.
_GLOBAL = frozenset({SUBCLASS, INCLUDED_IN, IMPLIES, RIGHTS_STATUS, OWL + "intersectionOf",
                     OWL + "equivalentClass", OWL + "unionOf"}) | PREMIS_PREDICATES


def _term(key):
    if isinstance(key, BNode):
        return ox.BlankNode(key[2:])
    if isinstance(key, IRI):
        return ox.NamedNode(key)
    return None


def refreshed(index: PolicyIndex, store, graphs) -> PolicyIndex | None:
    """`index` brought up to date after writes that changed `graphs` (named graph IRIs; the
    default graph is always looked at), or None: rebuild instead."""
    if index._g is None or not store.keeps_blank_nodes:
        return None
    changed = [ox.NamedNode(g) for g in graphs]
    changed = [g for g in changed if not _skipped(g)] + [ox.DefaultGraph()]
    by_graph = dict(index._graph_subjects)
    affected: set = set()
    for g in changed:
        now = {node_key(q.subject) for q in store.quads_with_predicates(index_predicate, [g])}
        affected |= now | by_graph.get(g, set())
        by_graph[g] = now
        if len(affected) > MAX_SUBJECTS:
            return None
    if not affected:
        return index
    quads = []
    for s in affected:
        term = _term(s)
        if term is None:
            continue
        for q in store.quads_matching(term):
            if index_predicate(q.predicate) and not _skipped(q.graph_name):
                quads.append(q)
    if _reaches_everything(index, affected, quads):
        return None
    new = _without(index, affected)
    new._graph_subjects = by_graph
    if index.graph is not None:
        new.graph = new._g
    new._absorb(quads, new._g, None, None)
    broader = [(a, b) for a, b in _shipped_broader() if a in affected]
    for a, b in broader:
        new.part_of[a].add(b)
    again = _recompile(index, new, affected)
    new._refresh_delta = RefreshDelta(
        base=weakref.ref(index),
        old_policies=[index.policies[p] for p in again if p in index.policies],
        new_policies=[new.policies[p] for p in again if p in new.policies],
        old_subjects={s: (index.types.get(s), index.part_of.get(s)) for s in affected},
        new_subjects={s: (new.types.get(s), new.part_of.get(s)) for s in affected})
    return new


@dataclass
class RefreshDelta:
    """What a refresh changed, for what is derived from an index (known_terms.py) to follow
    without going over everything again; `base`: the index it was refreshed from (weakly:
    kept alive by nobody for this)."""
    base: weakref.ref
    old_policies: list
    new_policies: list
    old_subjects: dict      # subject -> (classes, odrl:partOf parents) before
    new_subjects: dict      # ... and after


def _reaches_everything(index, affected: set, quads: list) -> bool:
    for q in quads:
        p = q.predicate.value
        if p in _GLOBAL or p == RDF_TYPE and q.object.value in _STATEMENT_TYPES:
            return True
    g = index._g.spo
    for s in affected:
        if (s in index.subclass or s in index.included_in or s in index.implies or s in index._premis
                or s in index._statements):
            return True
        preds = g.get(s)
        if preds and any(p in _GLOBAL for p in preds):
            return True
    return False


def _without(index: PolicyIndex, affected: set) -> PolicyIndex:
    """A shallow copy of the index whose subject-keyed maps are copies without the affected
    subjects (the old maps, and the sets in them, are left as they are)."""
    new = copy.copy(index)
    new.part_of = _dict_without(index.part_of, affected)
    new.types = _dict_without(index.types, affected)
    new.issued = _dict_without(index.issued, affected)
    new.serials = index.serials - affected
    new._facts = _dict_without(index._facts, affected)
    g = Graph()
    g.spo = _dict_without(index._g.spo, affected)
    new._g = g
    # closures and annotations are worked out again on demand
    new._anc, new._anc_self, new._cls, new._act, new._act_impl = {}, {}, {}, {}, {}
    new.__dict__.pop("_annotation_cache", None)
    return new


def _dict_without(d, keys):
    """A copy of `d` (a defaultdict stays one) without `keys`."""
    out = d.copy()
    for k in keys:
        out.pop(k, None)
    return out


def _recompile(old: PolicyIndex, new: PolicyIndex, affected: set) -> set:
    """Compile again the policies the affected subjects reach; returns their ids (those no
    longer policies included)."""
    compiler = Compiler(new._g, new.classes)
    again = {pid for s in affected for pid in old._owners.get(s, ())}
    again |= {s for s in affected if compiler.is_policy_key(s)}
    # rules whose term type an affected term names (term --implementedBy--> rule)
    for facts in (old._facts, new._facts):
        for s in affected:
            for r in facts.get(s, {}).get(IMPLEMENTED_BY, ()):
                again |= old._owners.get(r, set())
    again = _with_linked(old, new, again, compiler)
    pols = dict(old.policies)
    for pid in again:
        pols.pop(pid, None)
    keys = [pid for pid in again if pid not in old.statement_policies and compiler.is_policy_key(pid)]
    footprints: dict = {}
    fresh = compiler.policies(keys, footprints=footprints)
    pols.update(fresh)
    new.policies = pols
    link_inheritance(pols, only=set(fresh))
    apply_lifecycle(new, new._facts, only=set(fresh))
    new.rule_terms = rule_terms(new._facts)
    _refile(old, new, again, fresh)
    new._footprints = {pid: fp for pid, fp in old._footprints.items() if pid not in again}
    new._footprints.update(footprints)
    owners = old._owners.copy()
    for pid in again:
        for n in old._footprints.get(pid, ()):
            if pid in owners.get(n, ()):
                owners[n] = owners[n] - {pid}
    for pid, fp in footprints.items():
        for n in fp:
            owners[n] = owners.get(n, frozenset()) | {pid}
    new._owners = owners
    return again


def _with_linked(old: PolicyIndex, new: PolicyIndex, again: set, compiler: Compiler) -> set:
    """`again` with, until nothing is added, the policies whose compiled objects hold
    links to one of them: children by odrl:inheritFrom, licences an amendment amends,
    consortium masters of a member licence, rules derived from a recompiled rule."""
    children: dict = defaultdict(set)
    for pid, p in old.policies.items():
        for parent in p.inherit_from:
            children[parent].add(pid)
    for pid in again:
        if compiler.is_policy_key(pid):
            for parent in new._g.objects(pid, ODRL + "inheritFrom"):
                children[node_key(parent)].add(pid)
    linked: dict = defaultdict(set)
    derived: dict = defaultdict(set)
    for facts in (old._facts, new._facts):
        for s, f in facts.items():
            for target in (*f.get(AMENDS, ()), *f.get(MEMBER_OF, ())):
                linked[s].add(target)
            for primary in f.get(DERIVED_FROM, ()):
                derived[primary].add(s)
    out, todo = set(), list(again)
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.add(pid)
        todo.extend(children.get(pid, ()))
        todo.extend(linked.get(pid, ()))
        pol = old.policies.get(pid)
        for r in (pol.rules if pol is not None else ()):
            for d in derived.get(r.id, ()):
                todo.extend(old._owners.get(d, ()))
    return out


def _refile(old: PolicyIndex, new: PolicyIndex, again: set, fresh: dict) -> None:
    """The candidate lists per target (and per target and party) without the old versions
    of the recompiled policies and with the new ones; lists not touched are shared."""
    targets = set()
    for pid in again:
        p = old.policies.get(pid)
        for r in (p.effective_rules if p is not None else ()):
            targets.update(r.targets or (None,))
    by_target = old.by_target.copy()
    by_party = old.by_target_party.copy()
    for t in targets:
        if t in by_target:
            by_target[t] = [pr for pr in by_target[t] if pr[0].id not in again]
        if t in by_party:
            by_party[t] = defaultdict(list, {a: [pr for pr in lst if pr[0].id not in again]
                                             for a, lst in by_party[t].items()})
    copied_t, copied_ta = set(targets), set()
    for p in fresh.values():
        for r in p.effective_rules:
            for t in (r.targets or (None,)):
                if t not in copied_t:
                    by_target[t] = list(by_target.get(t, ()))
                    if t in by_party:
                        by_party[t] = defaultdict(list, by_party[t])
                    copied_t.add(t)
                by_target[t].append((p, r))
                inner = by_party[t]
                for a in (r.assignees or (None,)):
                    if (t, a) not in copied_ta and t not in targets:
                        inner[a] = list(inner.get(a, ()))
                    copied_ta.add((t, a))
                    inner[a].append((p, r))
    new.by_target, new.by_target_party = by_target, by_party
