"""The usage ontology and shapes follow the project's conventions (the checks of
tests/test_shapes.py and tests/test_ontology.py, applied to shapes/usage-shapes.ttl), and
say what rightsgraph.usage.counter_spec says."""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import SH, SKOS

from rightsgraph.usage import counter_spec as spec

from .test_shapes import ALLOWED_SH

REPO = Path(__file__).resolve().parents[1]
RG = rdflib.Namespace("https://w3id.org/rightsgraph/ns#")
COUNTER = rdflib.Namespace(spec.COUNTER_NS)


def _shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "shapes" / "usage-shapes.ttl")


def _onto() -> rdflib.Graph:
    return rdflib.Graph().parse(REPO / "ontology" / "usage.ttl")


def test_usage_shapes_use_only_the_compiled_subset():
    used = {str(p).split("#")[1] for p in _shapes().predicates() if str(p).startswith(str(SH))}
    assert used <= ALLOWED_SH, sorted(used - ALLOWED_SH)


def test_usage_shape_messages_are_bilingual():
    g = _shapes()
    units = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    for u in units:
        assert sorted(m.language for m in g.objects(u, SH.message)) == ["en", "zh"], u


def test_allowed_metrics_agree_with_the_spec():
    g = _onto()
    for rid in spec.REPORT_IDS:
        got = {str(m)[len(spec.COUNTER_NS):] for m in g.objects(COUNTER[rid], RG.allowsMetric)}
        assert got == set(spec.ALLOWED_METRICS[rid]["5"]) | set(spec.ALLOWED_METRICS[rid]["5.1"]), rid


def test_code_lists_agree_with_the_spec():
    g = _onto()
    members = lambda scheme: {str(c)[len(spec.COUNTER_NS):] for c in g.subjects(SKOS.inScheme, COUNTER[scheme])}  # noqa: E731
    assert members("MetricTypes") == set(spec.METRIC_TYPES)
    assert members("ReportTypes") == set(spec.REPORT_IDS)
    assert members("AccessTypes") == set(spec.ALL_ACCESS_TYPES)
    assert members("AccessMethods") == set(spec.ACCESS_METHODS)
    for c in g.subjects(SKOS.inScheme, None):
        assert sorted(label.language for label in g.objects(c, SKOS.prefLabel)) == ["en", "zh"], c


def test_shape_value_lists_match_the_spec():
    g = _shapes()

    def values(prop):
        (ps,) = [ps for ps in g.subjects(SH.path, prop) if (ps, SH["in"], None) in g]
        return {str(v).rsplit("#", 1)[-1] for v in rdflib.collection.Collection(g, g.value(ps, SH["in"]))}
    assert values(RG.metricType) == set(spec.METRIC_TYPES)
    assert values(RG.dataType) == set(spec.ALL_DATA_TYPES)
    assert values(RG.accessType) == set(spec.ALL_ACCESS_TYPES)
    assert values(RG.reportType) == set(spec.REPORT_IDS)


def test_usage_sparql_constraints_run_on_oxigraph():
    """The gate hands these SELECTs to Oxigraph with $this pre-bound (as test_shapes does
    for the other shape files)."""
    import pyoxigraph
    g = _shapes()
    store = pyoxigraph.Store()
    for c in g.objects(None, SH.sparql):
        prefixes = "".join(f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
                           for src in g.objects(c, SH.prefixes) for d in g.objects(src, SH.declare))
        list(store.query(prefixes + str(g.value(c, SH.select)),
                         substitutions={pyoxigraph.Variable("this"): pyoxigraph.NamedNode("urn:x")}))


def test_every_usage_constraint_carries_a_message():
    g = _shapes()
    units = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    assert units and not [u for u in units if (u, SH.message, None) not in g]
