"""Validation takes into account what the store already holds (context enrichment)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.namespaces import GRAPH_BASE, ONTOLOGY_GRAPH, SH
from rightsgraph.store.embedded import EmbeddedStore
from rightsgraph.validation import ShapesGate

REPO = Path(__file__).resolve().parents[1]
SHAPES = sorted((REPO / "shapes").glob("*.ttl"))
ONTOLOGY = sorted((REPO / "ontology").glob("*.ttl"))

PREFIXES = """
@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <https://library.example.org/id/> .
"""
PARTIES = PREFIXES + """
ex:springer a rg:Publisher ; foaf:name "Springer Nature"@en .
ex:calis a rg:Consortium ; foaf:name "CALIS"@en .
ex:nameless a rg:Vendor .
ex:lic-old a rg:Licence ; odrl:uid ex:lic-old ; dct:title "Old"@en ; odrl:assigner ex:springer ;
    odrl:assignee ex:calis ; rg:licenceStatus rg:Active ; rg:termStart "2020-01-01"^^xsd:date ;
    rg:termEnd "2022-12-31"^^xsd:date .
"""


def licence(assigner: str, assignee: str = "ex:calis", extra: str = "") -> str:
    return PREFIXES + f"""
ex:lic-1 a rg:Licence ; odrl:uid ex:lic-1 ; dct:title "Licence"@en ;
    odrl:assigner {assigner} ; odrl:assignee {assignee} ; rg:licenceStatus rg:Active ;
    rg:termStart "2024-01-01"^^xsd:date ; rg:termEnd "2026-12-31"^^xsd:date {extra}.
"""


@pytest.fixture(scope="module")
def gate():
    return ShapesGate.from_files(SHAPES)


@pytest.fixture
def store():
    st = EmbeddedStore()
    for f in ONTOLOGY:
        st.raw.load(path=str(f), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    st.load_bytes(PARTIES.encode(), ox.RdfFormat.TURTLE, ox.NamedNode(GRAPH_BASE + "data/parties"))
    return st


def staging_of(ttl: str, graph: str = "data/new") -> ox.Store:
    s = ox.Store()
    s.load(ttl.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_BASE + graph))
    return s


def test_party_known_to_the_store_passes_sh_class(gate, store):
    report = gate.validate(staging_of(licence("ex:springer")), context=store)
    assert not report.has_violations, report.format_text()


def test_without_context_the_same_licence_fails(gate, store):
    report = gate.validate(staging_of(licence("ex:springer")))
    comps = {(r.focus_node.value.rsplit("/", 1)[1], r.source_constraint_component) for r in report.results}
    assert ("lic-1", str(SH) + "ClassConstraintComponent") in comps


def test_undeclared_party_fails_sh_class(gate, store):
    report = gate.validate(staging_of(licence("ex:nobody")), context=store)
    bad = [r for r in report.violations if r.source_constraint_component == str(SH) + "ClassConstraintComponent"]
    assert len(bad) == 1
    assert bad[0].value == ox.NamedNode("https://library.example.org/id/nobody")
    assert bad[0].result_path == "http://www.w3.org/ns/odrl/2/assigner"


def test_context_nodes_are_not_focus_nodes(gate, store):
    # ex:nameless (a Vendor without foaf:name) is in the store; referencing it must not
    # report the store's own defect against the new data.
    report = gate.validate(staging_of(licence("ex:nameless")), context=store)
    assert not report.has_violations, report.format_text()


def test_existing_triples_count_for_min_and_max_count(gate, store):
    # adds a signing date to an existing licence: its title, parties (and their types), status
    # come from the store
    ok = gate.validate(staging_of(PREFIXES + "ex:lic-old rg:signingDate \"2019-12-01\"^^xsd:date ."),
                       context=store)
    assert not ok.has_violations, ok.format_text()
    # a second termEnd on top of the stored one breaks maxCount 1
    bad = gate.validate(staging_of(PREFIXES + "ex:lic-old rg:termEnd \"2023-06-30\"^^xsd:date ."),
                        context=store)
    assert {r.source_constraint_component.rsplit("#")[1] for r in bad.violations} == {"MaxCountConstraintComponent"}


def test_replaced_graph_is_ignored(gate, store):
    parties = ox.NamedNode(GRAPH_BASE + "data/parties")
    # the new load replaces the parties graph with a version that drops ex:springer
    new = staging_of(licence("ex:springer"))
    report = gate.validate(new, context=store, context_exclude_graphs=[parties])
    assert any(r.source_constraint_component.endswith("ClassConstraintComponent") for r in report.violations)


def test_class_hierarchy_comes_from_the_store_ontology_graph(gate, store):
    # no `ontology` argument: rg:Publisher rdfs:subClassOf* rg:Party is read from the store
    ttl = licence("ex:newpub") + 'ex:newpub a rg:Publisher ; foaf:name "New Press"@en .'
    assert gate.validate(staging_of(ttl)).has_violations          # no hierarchy: not an rg:Party
    report = gate.validate(staging_of(ttl), context=store)
    assert not report.has_violations, report.format_text()


def test_staging_is_left_as_it_was(gate, store):
    staging = staging_of(licence("ex:springer"))
    before = sorted(map(str, staging))
    onto = ox.Store()
    for f in ONTOLOGY:
        onto.load(path=str(f), format=ox.RdfFormat.TURTLE)
    gate.validate(staging, context=store, ontology=onto)
    assert sorted(map(str, staging)) == before
    assert {g for g in staging.named_graphs()} == {ox.NamedNode(GRAPH_BASE + "data/new")}


def test_default_graph_data_is_validated_too(gate):
    s = ox.Store()
    s.load(licence("ex:nobody").encode(), ox.RdfFormat.TURTLE)  # default graph
    report = gate.validate(s)
    assert report.has_violations


class QueryOnly:
    """A store seen only through the port's query/graphs (like the remote adapter)."""

    def __init__(self, inner):
        self.inner = inner

    def query(self, sparql, **kwargs):
        return self.inner.query(sparql, **kwargs)

    def graphs(self):
        return self.inner.graphs()

    def quads(self, graph=None):
        return self.inner.quads(graph)

    # the port's own SPARQL pattern matching, as the remote adapter has it
    from rightsgraph.store.base import Store as _Port
    quads_matching, engine_graph, keeps_blank_nodes = _Port.quads_matching, _Port.engine_graph, False


@pytest.mark.parametrize("wrap", [lambda s: s, QueryOnly], ids=["embedded", "sparql-only"])
def test_context_through_sparql_only_port(gate, store, wrap):
    ctx = wrap(store)
    assert not gate.validate(staging_of(licence("ex:springer")), context=ctx).has_violations
    bad = gate.validate(staging_of(PREFIXES + "ex:lic-old rg:termEnd \"2023-06-30\"^^xsd:date ."), context=ctx)
    assert {r.source_constraint_component.rsplit("#")[1] for r in bad.violations} == {"MaxCountConstraintComponent"}
    parties = ox.NamedNode(GRAPH_BASE + "data/parties")
    assert gate.validate(staging_of(licence("ex:springer")), context=ctx,
                         context_exclude_graphs=[parties]).has_violations
