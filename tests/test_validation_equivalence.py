"""The SHACL gate gives the same results as pyshacl (inference='none') on the same data graph.

Compared as SETS of (focus node, result path, value, source constraint component, source
shape, severity). The data reaches pyoxigraph from the same rdflib graph pyshacl reads, so
blank nodes keep their labels on both sides; pyshacl keeps the shapes graph's node ids in
its report. With an ontology, pyshacl validates data+ontology; results on nodes that are
subjects only in the ontology are dropped from its side (the gate never reports on
ontology nodes, see ShapesGate.validate).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import rdflib

from rightsgraph.validation import ShapesGate
from rightsgraph.validation.reference import gate_keys, pyshacl_keys, store_from_graph

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "validation"
SHAPES = sorted((REPO / "shapes").glob("*.ttl"))
ONTOLOGY = sorted((REPO / "ontology").glob("*.ttl"))
sys.path.insert(0, str(REPO / "benchmarks"))


def _graph(*paths, fmt=None) -> rdflib.Graph:
    g = rdflib.Graph()
    for p in paths:
        g.parse(p, format=fmt or rdflib.util.guess_format(str(p)))
    return g


def compare(gate: ShapesGate, data: rdflib.Graph, ontology: rdflib.Graph | None):
    ref = pyshacl_keys(gate.shapes_graph, data, ontology)
    report = gate.validate(store_from_graph(data),
                           ontology=store_from_graph(ontology) if ontology is not None else None)
    got = gate_keys(report)
    missing = sorted(ref - got, key=str)
    extra = sorted(got - ref, key=str)
    assert not missing and not extra, f"missing (pyshacl only): {missing}\nextra (gate only): {extra}"
    return report, ref


# ----------------------------------------------------------------------------- own shapes
@pytest.fixture(scope="module")
def coverage_gate():
    return ShapesGate.from_files([DATA / "coverage-shapes.ttl"])


@pytest.fixture(scope="module")
def coverage_ontology():
    return _graph(DATA / "coverage-ontology.ttl")


@pytest.mark.parametrize("with_ontology", [False, True])
@pytest.mark.parametrize("name", ["coverage-valid.ttl", "coverage-invalid.ttl"])
def test_coverage_shapes_equivalent(coverage_gate, coverage_ontology, name, with_ontology):
    data = _graph(DATA / name)
    report, ref = compare(coverage_gate, data, coverage_ontology if with_ontology else None)
    if name == "coverage-valid.ttl" and with_ontology:
        assert report.conforms and not ref
    if name == "coverage-invalid.ttl":
        assert report.has_violations


def test_coverage_shapes_exercise_every_component(coverage_gate, coverage_ontology):
    data = _graph(DATA / "coverage-invalid.ttl")
    report, _ = compare(coverage_gate, data, coverage_ontology)
    seen = {r.source_constraint_component.rsplit("#", 1)[1] for r in report.results}
    expected = {f"{c}ConstraintComponent" for c in (
        "MinCount", "MaxCount", "Datatype", "Class", "In", "HasValue", "NodeKind", "Pattern",
        "MinLength", "MaxLength", "MinInclusive", "MaxInclusive", "MinExclusive", "MaxExclusive",
        "LessThan", "LessThanOrEquals", "Or", "And", "Not", "Xone", "Node", "LanguageIn",
        "UniqueLang", "SPARQL", "Equals", "Disjoint")}
    assert expected <= seen, expected - seen
    sev = {r.severity.rsplit("#", 1)[1] for r in report.results}
    assert sev == {"Violation", "Warning", "Info"}
    paths = {r.result_path for r in report.results if r.result_path}
    assert any(p.startswith("^") for p in paths)            # inverse
    assert any("/" in p and "|" not in p for p in paths)     # sequence
    assert any("|" in p for p in paths)                      # alternative
    assert {p[-1] for p in paths if p.endswith(("*", "+"))} == {"*", "+"}
    assert any(r.focus_node.__class__.__name__ == "BlankNode" for r in report.results)


def test_unsupported_constructs_are_refused_at_compile_time():
    from rightsgraph.validation import ShapesError

    with pytest.raises(ShapesError, match="sh:closed"):
        ShapesGate.from_turtle("""@prefix sh: <http://www.w3.org/ns/shacl#> .
            <urn:s> sh:targetNode <urn:x> ; sh:closed true .""")


def test_bad_sparql_select_is_refused_when_the_gate_is_built():
    from rightsgraph.validation import ShapesError

    with pytest.raises(ShapesError):
        ShapesGate.from_turtle("""@prefix sh: <http://www.w3.org/ns/shacl#> .
            <urn:s> sh:targetNode <urn:x> ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .""")


def test_derived_integer_datatypes_checked_as_integer_in_range():
    """oxigraph stores xsd:nonNegativeInteger etc. as xsd:integer: the gate checks range."""
    gate = ShapesGate.from_turtle("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/d#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S sh:targetSubjectsOf ex:n ; sh:property [ sh:path ex:n ; sh:datatype xsd:nonNegativeInteger ] .""")
    data = rdflib.Graph().parse(data="""
        @prefix ex: <https://example.org/d#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:a ex:n "5"^^xsd:nonNegativeInteger . ex:b ex:n "-1"^^xsd:nonNegativeInteger .
        ex:c ex:n "x"^^xsd:nonNegativeInteger . ex:d ex:n "7" .""", format="turtle")
    report, _ = compare(gate, data, None)
    assert {r.focus_node.value.rsplit("#", 1)[1] for r in report.results} == {"b", "c", "d"}


def test_sparql_constraints_follow_sparql11_type_errors():
    """Known difference: rdflib evaluates "many" > 5000 as true; SPARQL 1.1 (oxigraph) as
    an error, so the row is not selected. Shapes should guard with isNumeric()/datatype()."""
    gate = ShapesGate.from_turtle("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/d#> .
        ex:S sh:targetSubjectsOf ex:n ; sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <https://example.org/d#n> ?value FILTER(?value > 5000) }" ] .""")
    data = rdflib.Graph().parse(data="""
        @prefix ex: <https://example.org/d#> . ex:a ex:n "many" . ex:b ex:n 6000 . ex:c ex:n 3 .""",
                                format="turtle")
    report = gate.validate(store_from_graph(data))
    assert [r.focus_node.value for r in report.results] == ["https://example.org/d#b"]


# ----------------------------------------------------------------------------- project shapes
def _fixtures(kind: str) -> list[Path]:
    return sorted((REPO / "tests" / "data" / kind).glob("*.ttl"))


@pytest.fixture(scope="module")
def project_gate():
    return ShapesGate.from_files(SHAPES)


@pytest.fixture(scope="module")
def project_ontology():
    return _graph(*ONTOLOGY)


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.name)
def test_project_shapes_valid_fixtures(project_gate, project_ontology, path):
    report, _ = compare(project_gate, _graph(path), project_ontology)
    assert not report.has_violations, report.format_text()


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.name)
def test_project_shapes_invalid_fixtures(project_gate, project_ontology, path):
    report, ref = compare(project_gate, _graph(path), project_ontology)
    assert report.results and ref


@pytest.mark.parametrize("faults", [0, 40])
def test_project_shapes_generated_catalogue(project_gate, project_ontology, faults):
    from generate_catalogue import generate

    buf = io.StringIO()
    n = generate(buf, 6000, seed=7, faults=faults)
    assert n > 5000
    data = rdflib.Graph().parse(data=buf.getvalue(), format="nt")
    report, _ = compare(project_gate, data, project_ontology)
    if faults:
        assert report.has_violations
        kinds = {r.source_constraint_component.rsplit("#", 1)[1] for r in report.results}
        assert {"MinCountConstraintComponent", "ClassConstraintComponent", "PatternConstraintComponent",
                "InConstraintComponent", "SPARQLConstraintComponent"} <= kinds
    else:
        assert report.conforms, report.format_text(limit=20)
