"""PolicyIndex: compiled policies plus the closures a decision needs, built once per change.

``PolicyIndex.from_quads(quads)`` reads, in one pass over the quads:
- every triple with an ODRL predicate (policies, rules, constraints, duties) plus rdf:first/
  rest/value and ODRL-typed nodes, into a small subject map that is compiled and dropped;
- odrl:partOf (asset and party membership, kept as a direct-parent map; closures are
  computed on first use and memoised);
- rdf:type and rdfs:subClassOf (class membership for isA);
- odrl:includedIn and odrl:implies (the action hierarchy; the ODRL 2.2 vocabulary's own
  includedIn pairs are built in).

and what decisions read beside the policies:
- the licence or rights statement a resource names (dct:license, cc:license, dct:rights,
  edm:rights, premis:rightsStatus), read as membership of that licence's set of works, so
  the shipped open-licence policies and PREMIS rights statements apply to it
  (policy/open_licences.py, policy/premis.py);
- skos:broader between concepts (the delivery-channel hierarchy), for odrl:isPartOf;
- each resource's publication year (dct:issued), the default rg:publicationYear of a request.

Catalogue triples with other predicates (titles, identifiers) are skipped, so a 1M-triple
catalogue costs one streaming pass, not a copy. Titles, comments and clause texts that
explanations cite are looked up on demand (``annotations``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Iterable

import pyoxigraph as ox
from pyoxigraph import Literal, NamedNode

from ..namespaces import PROVENANCE_GRAPH
from .model import (CC, CC_INCLUDED_IN_USE, ODRL, ODRL_DEPRECATED_EXACT, ODRL_INCLUDED_IN, OWL, RDF_FIRST, RDF_REST, RDF_TYPE, RDF_VALUE,
                    RDFS, Compiler, Graph, nested_lists, node_key)
from .lifecycle import DERIVED_BY, DERIVED_FROM, IMPLEMENTED_BY, PREDICATES as LIFECYCLE_PREDICATES, apply_lifecycle
from .open_licences import LICENCE_LINKS, canonical_licence_iri
from .operators import IRI, term_value
from .premis import PREDICATES as PREMIS_PREDICATES, RIGHTS_STATUS, compile_statements

PART_OF = ODRL + "partOf"
INCLUDED_IN = ODRL + "includedIn"
IMPLIES = ODRL + "implies"
SUBCLASS = RDFS + "subClassOf"
_KEEP = {RDF_FIRST, RDF_REST, RDF_VALUE, OWL + "intersectionOf", OWL + "equivalentClass",
         OWL + "unionOf"}
_EMPTY = frozenset()
SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
DCT_ISSUED = "http://purl.org/dc/terms/issued"
RG = "https://w3id.org/rightsgraph/ns#"
RESOURCE_TYPE = RG + "resourceType"
# A serial's or database's dct:issued is when it began, not when the requested content was
# published: no default publication year for them (the request, or the holdings, says).
SERIAL_TYPES = frozenset({RG + "EJournal", RG + "Database"})
_LINKS = frozenset(LICENCE_LINKS) | {RIGHTS_STATUS}
_STATEMENT_TYPES = frozenset({RG + "RightsStatement", "http://www.loc.gov/premis/rdf/v3/RightsStatus"})
# what explanations cite: titles of policies, comments of rules, clause number and text of terms
ANNOTATION_PREDICATES = frozenset({
    "http://purl.org/dc/terms/title", RDFS + "label", "http://www.w3.org/2004/02/skos/core#prefLabel",
    RDFS + "comment", RG + "clauseNumber", RG + "clauseText", RG + "termNote", RG + "termType",
    RG + "rightsNote", "http://www.loc.gov/premis/rdf/v3/restriction", "http://purl.org/dc/terms/source",
    OWL + "versionInfo", RG + "machineEnforced"})
_INDEX_PREDICATES = (frozenset({RDF_TYPE, SUBCLASS, SKOS_BROADER, DCT_ISSUED, RESOURCE_TYPE}) | _LINKS
                     | LIFECYCLE_PREDICATES | PREMIS_PREDICATES | _KEEP)
# Graphs of preservation records (registered objects and copies, millions of PREMIS events)
# state no policy; read, their rdf:type quads would dominate the build.
SKIPPED_GRAPHS_PREFIX = "https://w3id.org/rightsgraph/graph/preservation/"
# The provenance graph (one activity per write) neither: every write adds to it, and what it
# types (activities, graphs as entities) is no party, asset or action of a policy.
PROVENANCE_GRAPH_IRI = PROVENANCE_GRAPH.value


def index_predicate(p: NamedNode) -> bool:
    """Whether the index reads quads of this predicate."""
    return p.value.startswith(ODRL) or p.value in _INDEX_PREDICATES


class PolicyIndex:
    def __init__(self):
        self.policies: dict = {}
        self.by_target: dict = defaultdict(list)     # target IRI or None -> [(policy, rule)]
        # target -> assignee -> [(policy, rule)] (None: no target / no assignee): the hot path
        self.by_target_party: dict = defaultdict(nested_lists)
        self.part_of: dict = defaultdict(set)        # node -> direct parents (odrl:partOf)
        self.types: dict = defaultdict(set)          # node -> direct classes
        self.subclass: dict = defaultdict(set)       # class -> direct superclasses
        self.included_in: dict = defaultdict(set)    # action -> broader actions
        self.implies: dict = defaultdict(set)        # action -> implied actions
        self.graph: Graph | None = None              # kept for conflict detection only
        self._anc: dict = {}
        self._anc_self: dict = {}
        self._cls: dict = {}
        self._act: dict = {}
        self._act_impl: dict = {}
        self.built_at: datetime | None = None
        self.issued: dict = {}                       # resource -> publication year (Decimal)
        self.serials: set = set()                    # resources whose dct:issued is not the content's year
        self.rule_terms: dict = defaultdict(list)    # rule -> the licence terms it implements or was derived by
        self.statement_policies: set = set()         # policies compiled from PREMIS rights statements
        self._annotations: dict | None = {}          # node -> predicate -> [terms] (files), or None: ask
        self._annotation_source = None               # callable(iri) -> {predicate: [terms]} (stores)
        # kept by a refreshable build (from_quads(refreshable=True)) for index_refresh.py
        self._g: Graph | None = None                 # the policy graph
        self._refresh_delta = None                   # index_refresh.RefreshDelta: what the refresh changed
        for a, b in ODRL_INCLUDED_IN.items():
            self.included_in[IRI(ODRL + a)].add(IRI(ODRL + b))
        for a in CC_INCLUDED_IN_USE:
            self.included_in[IRI(CC + a)].add(IRI(ODRL + "use"))
        for a, b in ODRL_DEPRECATED_EXACT.items():
            self.included_in[IRI(ODRL + a)].add(IRI(b))
            self.included_in[IRI(b)].add(IRI(ODRL + a))
        for a, b in _shipped_broader():
            self.part_of[a].add(b)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_quads(cls, quads: Iterable, keep_graph: bool = False, annotations: bool = True,
                   refreshable: bool = False) -> "PolicyIndex":
        """``annotations``: keep titles, comments and clause texts for explanations (files);
        a store passes False and answers them on demand instead. ``refreshable``: keep what
        `index_refresh.refreshed` needs to bring the index up to date after a write (the
        policy graph, the subjects of each named graph, what each policy's compilation read)."""
        idx = cls()
        g = Graph()
        idx._facts = defaultdict(nested_lists)    # licence lifecycle (rg:) facts
        idx._premis = defaultdict(nested_lists)   # PREMIS rights statement facts
        idx._statements = set()
        notes = idx._annotations if annotations else None
        by_graph = defaultdict(set) if refreshable else None
        idx._absorb(quads, g, notes, by_graph)
        idx._compile(g, footprints={} if refreshable else None)
        if not annotations:
            idx._annotations = None
        if keep_graph:
            idx.graph = g
        if refreshable:
            idx._g, idx._graph_subjects = g, by_graph
        else:
            idx._facts = idx._premis = idx._statements = None
        idx.built_at = datetime.now()
        return idx

    def _absorb(self, quads: Iterable, g: Graph, notes: dict | None, by_graph: dict | None) -> None:
        """Read quads into the index's maps (every map is keyed by the quad's subject, but the
        rights statements named by premis:rightsStatus)."""
        part_of, types, subclass = self.part_of, self.types, self.subclass
        inc, imp = self.included_in, self.implies
        facts, premis, statements = self._facts, self._premis, self._statements
        for q in quads:
            p = q.predicate.value
            o = q.object
            if by_graph is not None:
                by_graph[q.graph_name].add(node_key(q.subject))
            if p == PART_OF:
                part_of[node_key(q.subject)].add(node_key(o))
            elif p == RDF_TYPE:
                if isinstance(o, NamedNode):
                    types[node_key(q.subject)].add(IRI(o.value))
                    if o.value.startswith(ODRL) or o.value.startswith(OWL):
                        g.add(q.subject, p, o)
                    elif o.value in _STATEMENT_TYPES:
                        statements.add(node_key(q.subject))
            elif p == SUBCLASS:
                if isinstance(o, NamedNode):
                    subclass[node_key(q.subject)].add(IRI(o.value))
            elif p == INCLUDED_IN:
                inc[node_key(q.subject)].add(node_key(o))
            elif p == IMPLIES:
                imp[node_key(q.subject)].add(node_key(o))
            elif p.startswith(ODRL) or p in _KEEP:
                g.add(q.subject, p, o)
            elif p in LIFECYCLE_PREDICATES:
                facts[node_key(q.subject)][p].append(node_key(o))
            elif p in _LINKS:
                # the licence or rights statement a resource names: it is one of its works
                if isinstance(o, NamedNode):
                    part_of[node_key(q.subject)].add(IRI(canonical_licence_iri(o.value)))
                elif p == RIGHTS_STATUS and not isinstance(o, Literal):
                    part_of[node_key(q.subject)].add(node_key(o))
                if p == RIGHTS_STATUS and not isinstance(o, Literal):
                    statements.add(node_key(o))
            elif p == SKOS_BROADER:
                if isinstance(o, NamedNode):
                    part_of[node_key(q.subject)].add(IRI(o.value))
            elif p == DCT_ISSUED:
                year = _year(o)
                if year is not None:
                    self.issued[node_key(q.subject)] = year
            elif p == RESOURCE_TYPE:
                if isinstance(o, NamedNode) and o.value in SERIAL_TYPES:
                    self.serials.add(node_key(q.subject))
            elif p in PREMIS_PREDICATES:
                premis[node_key(q.subject)][p].append(node_key(o) if not isinstance(o, Literal) else term_value(o))
            if notes is not None and p in ANNOTATION_PREDICATES:
                notes.setdefault(node_key(q.subject), {}).setdefault(p, []).append(o)

    @classmethod
    def from_store(cls, store, keep_graph: bool = False) -> "PolicyIndex":
        """Build from a Store (store/base.py): only the quads of the predicates the index
        reads (in an embedded store, a catalogue's titles and identifiers never cross into
        Python); titles and clause texts are looked up when an answer needs them."""
        graphs = [ox.DefaultGraph(), *(g for g in store.graphs() if not _skipped(g))]
        quads = store.quads_with_predicates(index_predicate, graphs)
        idx = cls.from_quads(quads, keep_graph=keep_graph, annotations=False,
                             refreshable=store.keeps_blank_nodes)
        idx._annotation_source = _store_annotations(store)
        return idx

    # ------------------------------------------------------------------ annotations
    def annotations(self, node) -> dict:
        """Titles, comments, clause number and text ... of a node: predicate -> [terms]."""
        if self._annotations is not None and node in self._annotations:
            return self._annotations[node]
        if self._annotation_source is None:
            return {}
        cache = self.__dict__.setdefault("_annotation_cache", {})
        found = cache.get(node)
        if found is None:
            found = cache[node] = self._annotation_source(node)
        return found

    def _compile(self, g: Graph, footprints: dict | None = None):
        # X owl:equivalentClass [owl:intersectionOf (A B)] (or X owl:intersectionOf (A B)):
        # X is a narrower action of both A and B.
        for s, preds in list(g.spo.items()):
            lists = list(preds.get(OWL + "intersectionOf", ()))
            for eq in preds.get(OWL + "equivalentClass", ()):
                lists += g.objects(node_key(eq), OWL + "intersectionOf")
            for lst in lists:
                for m in g.list_items(lst):
                    if isinstance(m, NamedNode) and isinstance(s, IRI):
                        self.included_in[s].add(IRI(m.value))
        compiler = Compiler(g, self.classes)
        self.policies = compiler.policies(footprints=footprints)
        if footprints is not None:
            self._footprints = footprints
            owners: dict = defaultdict(set)
            for pid, nodes in footprints.items():
                for n in nodes:
                    owners[n].add(pid)
            self._owners = owners
        if self._statements:
            for key, pol in compile_statements(self._premis or {}, self._statements, compiler).items():
                if key not in self.policies:
                    self.policies[key] = pol
                    self.statement_policies.add(key)
        apply_lifecycle(self, self._facts)
        self.rule_terms = rule_terms(self._facts)
        for p in self.policies.values():
            for r in p.effective_rules:
                self.add_rule(p, r)

    def add_rule(self, policy, rule):
        pair = (policy, rule)
        for t in (rule.targets or (None,)):
            self.by_target[t].append(pair)
            for a in (rule.assignees or (None,)):
                self.by_target_party[t][a].append(pair)

    # ------------------------------------------------------------------ closures
    def ancestors(self, x) -> frozenset:
        """Every collection x is odrl:partOf, transitively (not x itself)."""
        r = self._anc.get(x)
        if r is None:
            r = self._anc[x] = _closure(x, self.part_of)
        return r

    def self_and_ancestors(self, x) -> frozenset:
        """x and every collection it is part of (memoised: the hot path of a decision)."""
        r = self._anc_self.get(x)
        if r is None:
            r = self._anc_self[x] = self.ancestors(x) | {x}
        return r

    def ancestors_with(self, x, extra: dict) -> frozenset:
        """As ancestors(), with extra partOf facts from a state of the world."""
        return _closure(x, self.part_of, extra)

    def classes(self, x) -> frozenset:
        """Classes of x with their superclasses (rdfs:subClassOf), for isA."""
        r = self._cls.get(x)
        if r is None:
            r = self._cls[x] = self._classes(self.types.get(x, _EMPTY))
        return r

    def classes_with(self, x, extra: dict) -> frozenset:
        return self._classes(set(self.types.get(x, _EMPTY)) | set(extra.get(x, _EMPTY)))

    def _classes(self, direct) -> frozenset:
        out = set(direct)
        for c in direct:
            out |= _closure(c, self.subclass)
        return frozenset(out)

    def action_ancestors(self, action) -> frozenset:
        """The action and every action it is odrl:includedIn, transitively."""
        r = self._act.get(action)
        if r is None:
            r = self._act[action] = _closure(action, self.included_in) | {action}
        return r

    def action_closure_with_implied(self, action) -> frozenset:
        """Actions a prohibition must catch: the action, its broader actions, and what it
        odrl:implies (performing A also performs what A implies), transitively."""
        r = self._act_impl.get(action)
        if r is None:
            out, todo = set(), [action]
            while todo:
                a = todo.pop()
                if a in out:
                    continue
                out.add(a)
                todo.extend(self.included_in.get(a, ()))
                todo.extend(self.implies.get(a, ()))
            r = self._act_impl[action] = frozenset(out)
        return r

    # ------------------------------------------------------------------ lookup
    def candidates(self, asset_set) -> list:
        """(policy, rule) pairs whose target is the asset, one of its collections, or none."""
        bt = self.by_target
        out = list(bt.get(None, ()))
        lists = 0
        for t in asset_set:
            hit = bt.get(t)
            if hit:
                out.extend(hit)
                lists += 1
        # a rule filed under two of the asset's collections (or aliases) is one rule
        return _unique_pairs(out) if lists > 1 else out

    def applicable(self, asset_set, party_set) -> list:
        """(policy, rule) pairs whose target and assignee both fit: the decision's candidates
        (the action and constraints are checked by the evaluator)."""
        btp = self.by_target_party
        out = []
        hits = 0
        for t in (None, *asset_set):
            byp = btp.get(t)
            if byp is None:
                continue
            h = byp.get(None)
            if h:
                out.extend(h)
                hits += 1
            for p in party_set:
                h = byp.get(p)
                if h:
                    out.extend(h)
                    hits += 1
        if hits > 1:
            return _unique_pairs(out)
        return out

    def all_pairs(self) -> list:
        return [(p, r) for p in self.policies.values() for r in p.effective_rules]

    def __len__(self):
        return len(self.policies)


def rule_terms(facts: dict | None) -> dict:
    """rule -> the licence terms it implements or was derived by (what explanations cite)."""
    out: dict = defaultdict(list)
    for s, f in (facts or {}).items():
        for r in f.get(IMPLEMENTED_BY, ()):
            out[r].append(s)
        for t in f.get(DERIVED_BY, ()):
            out[s].append(t)
    for s, f in (facts or {}).items():
        for primary in f.get(DERIVED_FROM, ()):
            out[s] = out.get(primary, []) + [t for t in out.get(s, []) if t not in out.get(primary, [])]
    return out


@lru_cache(maxsize=1)
def _shipped_broader() -> tuple:
    """skos:broader of the shipped ontology (the delivery-channel hierarchy), built in like
    the ODRL action hierarchy, so that policies read from files know that a copy sent by
    post is paper delivery. The store's ontology graph adds the same triples again."""
    from ..package_data import ontology_files
    out = []
    for path in ontology_files():
        if path.name == "odrl22.ttl":
            continue
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == SKOS_BROADER and isinstance(t.object, NamedNode):
                out.append((IRI(t.subject.value), IRI(t.object.value)))
    return tuple(out)


def _year(term):
    """The year of a dct:issued value (xsd:gYear, xsd:date, xsd:dateTime or plain text)."""
    if not isinstance(term, Literal):
        return None
    text = term.value.strip()
    if len(text) >= 4 and text[:4].isdigit() and (len(text) == 4 or not text[4].isdigit()):
        return Decimal(text[:4])
    return None


def _store_annotations(store):
    preds = [NamedNode(p) for p in ANNOTATION_PREDICATES]

    def lookup(node) -> dict:
        if not isinstance(node, IRI):
            return {}
        out: dict = {}
        for q in store.quads_matching(NamedNode(str(node)), preds):
            out.setdefault(q.predicate.value, []).append(q.object)
        return out
    return lookup


def _closure(x, parents: dict, extra: dict | None = None) -> frozenset:
    out = set()
    todo = list(parents.get(x, ()))
    if extra:
        todo += list(extra.get(x, ()))
    while todo:
        n = todo.pop()
        if n in out:
            continue
        out.add(n)
        todo.extend(parents.get(n, ()))
        if extra:
            todo.extend(extra.get(n, ()))
    out.discard(x)
    return frozenset(out)


# ---------------------------------------------------------------------------- static conflicts

class Conflict:
    """Two rules that can apply to the same request with opposite deontic force."""

    __slots__ = ("kind", "rules", "policies")

    def __init__(self, kind, rules, policies):
        self.kind, self.rules, self.policies = kind, rules, policies

    def to_json(self):
        return {"kind": self.kind, "rules": [str(r) for r in self.rules],
                "policies": [str(p) for p in self.policies]}

    def __repr__(self):
        return f"Conflict({self.kind}, {self.rules})"


def find_conflicts(index: PolicyIndex) -> list:
    """Rule pairs that can collide, found without a request (design-time check).

    A permission, obligation or permission duty conflicts with a prohibition when their
    targets overlap (same asset, or collections sharing a member through odrl:partOf),
    their assignees overlap likewise (no assignee: everyone), their actions overlap (one is
    odrl:includedIn the other, owl:intersectionOf included), and their constraints and
    refinements can hold together (intervals per left operand; operators we cannot reason
    about are assumed satisfiable). An obligation also conflicts when rules permit its
    action on its target but none can permit it under the obligation's own refinements
    (deontic logic D: what is obligatory must be permitted).
    """
    children = defaultdict(set)
    for child, parents in index.part_of.items():
        for p in parents:
            children[p].add(child)

    extents: dict = {}

    def extent(nodes) -> frozenset:
        key = frozenset(nodes)
        found = extents.get(key)
        if found is None:
            out, todo = set(), list(key)
            while todo:
                n = todo.pop()
                if n in out:
                    continue
                out.add(n)
                todo.extend(children.get(n, ()))
            found = extents[key] = frozenset(out)
        return found

    overlaps: dict = {}

    def overlap(a, b):
        if not a or not b:
            return True
        key = (frozenset(a), frozenset(b))
        found = overlaps.get(key)
        if found is None:
            found = overlaps[key] = not extent(a).isdisjoint(extent(b))
        return found

    def actions_overlap(ra, rb):
        if not ra.actions or not rb.actions:
            return True
        for a in ra.action_iris:
            for b in rb.action_iris:
                if a in index.action_ancestors(b) or b in index.action_ancestors(a):
                    return True
        return False

    def atoms(rule):
        out, ok = [], True
        stack = list(rule.constraints) + [c for a in rule.actions for c in a.refinements]
        while stack:
            c = stack.pop()
            if c.logical in ("and", "andSequence"):
                stack.extend(c.children)
            elif c.logical:
                continue  # or / xone: assume satisfiable
            else:
                out.append(c)
        return out if ok else []

    def satisfiable(cs) -> bool:
        from .operators import compare
        by_left = defaultdict(list)
        for c in cs:
            if c.left and c.operator and len(c.rights) == 1:
                by_left[c.left].append(c)
        for left, group in by_left.items():
            lo = hi = None        # (value, inclusive)
            eqs, neqs, parts = [], [], []
            for c in group:
                op, v = c.operator[len(ODRL):], c.rights[0]
                if op == "eq":
                    eqs.append(v)
                elif op == "neq":
                    neqs.append(v)
                elif op == "isPartOf" and isinstance(v, IRI):
                    parts.append(v)
                elif op in ("gt", "gteq"):
                    cand = (v, op == "gteq")
                    if lo is None or (compare(v, lo[0]) or 0) > 0 or (compare(v, lo[0]) == 0 and not cand[1]):
                        lo = cand
                elif op in ("lt", "lteq"):
                    cand = (v, op == "lteq")
                    if hi is None or (compare(v, hi[0]) or 0) < 0 or (compare(v, hi[0]) == 0 and not cand[1]):
                        hi = cand
            def differ(a, b):
                if isinstance(a, IRI) and isinstance(b, IRI):
                    return a != b          # IRIs are unordered but certainly distinct
                c = compare(a, b)
                return c is not None and c != 0

            for e in eqs:
                if any(differ(e, x) for x in eqs):
                    return False
                if any(compare(e, n) == 0 for n in neqs):
                    return False
                if lo is not None:
                    c = compare(e, lo[0])
                    if c is not None and (c < 0 or (c == 0 and not lo[1])):
                        return False
                if hi is not None:
                    c = compare(e, hi[0])
                    if c is not None and (c > 0 or (c == 0 and not hi[1])):
                        return False
            if lo is not None and hi is not None:
                c = compare(lo[0], hi[0])
                if c is not None and (c > 0 or (c == 0 and not (lo[1] and hi[1]))):
                    return False
            # isPartOf along a hierarchy (delivery channels): two branches with no value in
            # common cannot both hold; an eq value must lie in every branch
            for i, a in enumerate(parts):
                for b in parts[i + 1:]:
                    if extent([a]).isdisjoint(extent([b])):
                        return False
                for e in eqs:
                    if isinstance(e, IRI) and e not in extent([a]):
                        return False
        return True

    def can_coexist(ra, rb):
        return (overlap(ra.targets, rb.targets) and overlap(ra.assignees, rb.assignees)
                and actions_overlap(ra, rb) and satisfiable(atoms(ra) + atoms(rb)))

    positives, prohibitions, obligations = [], [], []
    for p in index.policies.values():
        for r in p.effective_rules:
            if r.kind == "permission":
                positives.append((p, r))
                positives.extend((p, d) for d in r.duties)
            elif r.kind == "prohibition":
                prohibitions.append((p, r))
        for o in p.effective_obligations:
            positives.append((p, o))
            obligations.append((p, o))
    # Rules of one licence share their targets and assignees with many others (a package, the
    # authorised users): the prohibitions are grouped by them, and a rule is compared only
    # with the groups its targets and assignees overlap (at 11,600 licences every rule against
    # every prohibition was hundreds of millions of pairs). The pairs left are those
    # can_coexist would have let through on targets and assignees; it still decides each.
    def grouped(attr):
        groups: dict = defaultdict(list)
        for i, (_, rb) in enumerate(prohibitions):
            groups[frozenset(getattr(rb, attr))].append(i)
        return groups

    by_targets, by_assignees = grouped("targets"), grouped("assignees")
    reachable: dict = {}
    inverted: dict = {}

    def groups_holding(attr, groups) -> tuple[dict, list]:
        """node -> the group keys whose extent holds it, and the keys with no nodes (which
        overlap everything): the groups a rule overlaps are then found from its own extent,
        not by trying every group (2.7M overlap tests at 11,600 licences)."""
        found = inverted.get(attr)
        if found is None:
            holding: dict = defaultdict(list)
            for k in groups:
                for n in extent(k):
                    holding[n].append(k)
            found = inverted[attr] = (holding, [k for k in groups if not k])
        return found

    def candidates(attr, nodes, groups) -> set:
        key = (attr, frozenset(nodes))
        found = reachable.get(key)
        if found is None:
            if not nodes:
                keys = groups.keys()
            else:
                holding, everyone = groups_holding(attr, groups)
                keys = set(everyone)
                for n in extent(nodes):
                    keys.update(holding.get(n, ()))
            found = reachable[key] = {i for k in keys for i in groups[k]}
        return found

    out = []
    for pa, ra in positives:
        near = candidates("targets", ra.targets, by_targets) & candidates("assignees", ra.assignees, by_assignees)
        for i in sorted(near):
            pb, rb = prohibitions[i]
            if can_coexist(ra, rb):
                kind = {"permission": "permission-prohibition", "obligation": "obligation-prohibition"}.get(
                    ra.kind, "duty-prohibition")
                out.append(Conflict(kind, (ra.id, rb.id), (pa.id, pb.id)))
    perms = [(p, r) for p, r in positives if r.kind == "permission"]
    for po, o in obligations:
        same = [(p, r) for p, r in perms if overlap(o.targets, r.targets)
                and overlap(o.assignees, r.assignees) and actions_overlap(o, r)]
        if same and not any(satisfiable(atoms(o) + atoms(r)) for _, r in same):
            out.append(Conflict("obligation-not-permitted", (o.id, same[0][1].id), (po.id, same[0][0].id)))
    return out


def _unique_pairs(pairs: list) -> list:
    """(policy, rule) pairs without repeats, in order; by identity, since inherited rules
    recur under child policies."""
    seen, uniq = set(), []
    for pr in pairs:
        k = (id(pr[0]), id(pr[1]))
        if k not in seen:
            seen.add(k)
            uniq.append(pr)
    return uniq


def _skipped(graph) -> bool:
    return isinstance(graph, NamedNode) and (graph.value.startswith(SKIPPED_GRAPHS_PREFIX)
                                             or graph.value == PROVENANCE_GRAPH_IRI)
