"""What each resource is part of (odrl:partOf, transitively, itself included), read once.

The reports used `?r odrl:partOf* ?t` in SPARQL; Oxigraph evaluates such a path per
resource, and at 80,000 resources and 11,600 licences the risk report did not finish in 15
minutes. The links are few (one or two per resource), so the closure is walked here, once,
with each node's ancestors kept.
"""

from __future__ import annotations

from collections import defaultdict

from ..namespaces import ODRL, RG
from ..store.plain_rows import plain_rows

RGNS, ODRLNS = str(RG), str(ODRL)


class Containment:
    def __init__(self, store):
        self.store = store
        self.resources = {r for (r,) in plain_rows(store, f"SELECT DISTINCT ?r WHERE {{ ?r a <{RGNS}Resource> }}")}
        self._parents: dict[str, set] = defaultdict(set)
        for a, b in plain_rows(store, f"SELECT ?a ?b WHERE {{ ?a <{ODRLNS}partOf> ?b }}"):
            self._parents[a].add(b)
        self._up: dict[str, frozenset] = {}

    def parents(self, node: str) -> set:
        """What `node` is directly part of."""
        return self._parents.get(node, set())

    def up(self, node: str) -> frozenset:
        """`node` and everything it is part of, at any depth (cycles end where they close)."""
        found = self._up.get(node)
        if found is None:
            seen, todo = {node}, [node]
            while todo:
                for parent in self._parents.get(todo.pop(), ()):
                    if parent not in seen:
                        if parent in self._up:          # already walked: take it whole
                            seen |= self._up[parent]
                        else:
                            seen.add(parent)
                            todo.append(parent)
            found = self._up[node] = frozenset(seen)
        return found

    def within(self, containers: set) -> set:
        """The resources that are, or are part of, any of `containers`."""
        return {r for r in self.resources if not containers.isdisjoint(self.up(r))}

    def licences_of(self) -> dict[str, set]:
        """resource -> the licences (rg:Licence) whose odrl:target it is, or is part of."""
        by_target: dict[str, set] = defaultdict(set)
        for lic, target in plain_rows(self.store, f"SELECT ?l ?t WHERE {{ ?l a <{RGNS}Licence> ; <{ODRLNS}target> ?t }}"):
            by_target[target].add(lic)
        out: dict[str, set] = {}
        for r in self.resources:
            found = set()
            for node in self.up(r):
                found |= by_target.get(node, set())
            if found:
                out[r] = found
        return out
