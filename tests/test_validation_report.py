"""The report a cataloguer reads: text (zh/en), JSON and a standard sh:ValidationReport."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

from rightsgraph.validation import INFO, VIOLATION, WARNING, ShapesGate
from rightsgraph.validation.reference import store_from_graph
from rightsgraph.validation.shapes import SH, parse_path, path_repr

DATA = Path(__file__).resolve().parent / "data" / "validation"


@pytest.fixture(scope="module")
def report():
    gate = ShapesGate.from_files([DATA / "coverage-shapes.ttl"])
    data = rdflib.Graph().parse(DATA / "coverage-invalid.ttl")
    onto = rdflib.Graph().parse(DATA / "coverage-ontology.ttl")
    return gate.validate(store_from_graph(data), ontology=store_from_graph(onto))


def test_conforms_and_severities(report):
    assert not report.conforms and report.has_violations
    assert {r.severity for r in report.results} == {VIOLATION, WARNING, INFO}
    assert len(report.violations) < len(report.results)


def test_warnings_alone_do_not_fail_a_load():
    gate = ShapesGate.from_turtle("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/w#> .
        ex:S sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:severity sh:Warning ] .""")
    st = ox.Store()
    st.load(b"<https://example.org/w#a> <https://example.org/w#p> \"1\" .", ox.RdfFormat.N_TRIPLES)
    rep = gate.validate(st)
    assert not rep.conforms and not rep.has_violations and len(rep.results) == 1


def test_sh_message_in_both_languages(report):
    r = next(r for r in report.results if r.result_path == "https://example.org/cov#title"
             and r.source_constraint_component.endswith("MinCountConstraintComponent")
             and r.focus_node.value.endswith("#bad1"))
    assert r.messages == {"zh": "缺少题名", "en": "The title is missing"}
    assert report.message(r, "zh") == "缺少题名"
    assert report.message(r) == "The title is missing"


def test_default_messages_are_bilingual(report):
    r = next(r for r in report.results if r.source_constraint_component.endswith("MaxCountConstraintComponent"))
    assert set(r.messages) == {"en", "zh"}
    assert r.messages["en"].startswith("More than 1 values on")


def test_sparql_message_substitutes_variables(report):
    r = next(r for r in report.results if r.source_constraint_component.endswith("SPARQLConstraintComponent")
             and r.value is not None and r.value.value == "6000")
    assert r.messages["en"] == "https://example.org/cov#bad1 has too many pages: 6000"
    assert "6000" in r.messages["zh"]


def test_format_text(report):
    en = report.format_text()
    zh = report.format_text("zh", limit=5)
    assert "[Violation]" in en and "The title is missing" in en
    assert en.strip().endswith("warning(s)/info.")
    lines = zh.splitlines()
    assert len(lines) == 7 and lines[0].startswith("[违规]") and "未显示" in lines[5]
    assert ShapesGate.from_turtle("@prefix sh: <http://www.w3.org/ns/shacl#> .").validate(ox.Store()) \
        .format_text("zh") == "数据符合全部 SHACL 约束。"


def test_json(report):
    d = report.to_json()
    assert json.loads(json.dumps(d)) == d == json.loads(report.json_text())
    assert d["conforms"] is False and d["has_violations"] is True
    assert len(d["results"]) == len(report.results)
    assert all({"focus_node", "result_path", "value", "source_shape", "source_constraint_component",
                "severity", "messages"} <= set(x) for x in d["results"])


def test_validation_report_graph(report):
    g = rdflib.Graph().parse(data=report.to_graph_turtle(), format="turtle")
    rep = g.value(None, RDF.type, SH.ValidationReport, any=False)
    assert g.value(rep, SH.conforms).toPython() is False
    results = list(g.objects(rep, SH.result))
    assert len(results) == len(report.results)
    for r in results:
        for p in (SH.focusNode, SH.sourceShape, SH.sourceConstraintComponent, SH.resultSeverity):
            assert g.value(r, p) is not None
        langs = {m.language for m in g.objects(r, SH.resultMessage)}
        assert {"en", "zh"} <= langs
    # complex paths are written as SHACL path structures that read back to the same path
    got = {path_repr(parse_path(g, g.value(r, SH.resultPath))) for r in results if g.value(r, SH.resultPath)}
    assert got == {r.result_path for r in report.results if r.result_path}
    assert len(report.to_quads()) == len(g)


def test_a_message_in_one_language_gets_the_other_from_the_default():
    gate = ShapesGate.from_turtle("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/w#> .
        ex:S sh:targetSubjectsOf ex:p ;
             sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:message "ex:q fehlt"@de , "缺少 ex:q"@zh ] ;
             sh:property [ sh:path ex:r ; sh:minCount 1 ; sh:message "no language" ] .""")
    st = ox.Store()
    st.load(b'<https://example.org/w#a> <https://example.org/w#p> "1" .', ox.RdfFormat.N_TRIPLES)
    by_path = {r.result_path.rsplit("#")[1]: r.messages for r in gate.validate(st).results}
    assert by_path["q"]["zh"] == "缺少 ex:q" and by_path["q"]["de"] == "ex:q fehlt"
    assert by_path["q"]["en"].startswith("Less than 1 values")
    assert by_path["r"] == {"": "no language"}
