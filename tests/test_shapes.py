"""SHACL shapes: conformance material passes, invalid fixtures fail exactly where expected,
the shapes stay inside the subset the SPARQL compiler supports, and every message is
bilingual.

Validation mirrors the gate: pyshacl, inference='none', ontology + ODRL 2.2 vocabulary
loaded into the data graph (sh:class / sh:targetClass follow its rdfs:subClassOf triples).
"Conforms" means no sh:Violation (allow_warnings=True): warnings are reported, not rejected.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import RDF, SH, SKOS

from .conftest import CONFORMANCE

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
SHAPE_FILES = [REPO / "shapes" / "odrl-shapes.ttl", REPO / "shapes" / "rightsgraph-shapes.ttl"]
RGSH = rdflib.Namespace("https://w3id.org/rightsgraph/shapes#")
RG = rdflib.Namespace("https://w3id.org/rightsgraph/ns#")
EX = "https://library.example.org/id/"
ODRL_CONTEXT_URL = "http://www.w3.org/ns/odrl.jsonld"


def conformance_dir() -> Path:
    return CONFORMANCE


# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph: not our concern.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

CONF = conformance_dir()


@lru_cache(maxsize=None)
def shapes_graph() -> rdflib.Graph:
    g = rdflib.Graph()
    for f in SHAPE_FILES:
        g.parse(f)
    return g


@lru_cache(maxsize=None)
def vocabulary() -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(REPO / "ontology" / "rightsgraph.ttl")
    g.parse(REPO / "ontology" / "odrl22.ttl")
    return g


def odrl_jsonld(path: Path) -> str:
    """The document with the ODRL context URL (not fetchable offline) swapped for
    tests/data/odrl-context.jsonld, a local rendering of the ODRL 2.2 context."""
    local = json.loads((DATA / "odrl-context.jsonld").read_text(encoding="utf-8"))["@context"]
    doc = json.loads(path.read_text(encoding="utf-8"))
    ctx = doc.get("@context")
    if isinstance(ctx, list):
        doc["@context"] = [local if c == ODRL_CONTEXT_URL else c for c in ctx]
    elif ctx == ODRL_CONTEXT_URL:
        doc["@context"] = local
    return json.dumps(doc)


def data_graph(path: Path) -> rdflib.Graph:
    g = rdflib.Graph()
    g += vocabulary()
    if path.suffix == ".json":
        g.parse(data=odrl_jsonld(path), format="json-ld")
    else:
        g.parse(path)
    return g


def validate(path: Path, shapes: rdflib.Graph | None = None):
    conforms, report, _ = pyshacl.validate(
        data_graph(path), shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none", allow_warnings=True)
    return conforms, report, results(report)


def results(report: rdflib.Graph) -> list[dict]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append({
            "node": r,
            "focus": report.value(r, SH.focusNode),
            "component": str(report.value(r, SH.sourceConstraintComponent)).split("#")[1],
            "shape": report.value(r, SH.sourceShape),
            "constraint": report.value(r, SH.sourceConstraint),
            "severity": str(report.value(r, SH.resultSeverity)).split("#")[1],
            "messages": list(report.objects(r, SH.resultMessage)),
        })
    return out


def focus_name(node) -> str:
    if isinstance(node, rdflib.BNode):
        return "_:blank"
    return str(node).replace(EX, "ex:")


def summary(res) -> str:
    return "\n".join(f"  {focus_name(r['focus'])} {r['component']} {r['severity']} "
                     f"{[str(m) for m in r['messages'] if getattr(m, 'language', None) != 'zh']}" for r in res)


# ---------------------------------------------------------------------------------------
# the shapes themselves
# ---------------------------------------------------------------------------------------

# The constraint language the SPARQL compiler supports (see the brief in docs/model.md).
ALLOWED_SH = {
    "targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "property", "path",
    "inversePath", "alternativePath", "minCount", "maxCount", "datatype", "class", "in",
    "hasValue", "nodeKind", "pattern", "flags", "minLength", "maxLength", "minInclusive",
    "maxInclusive", "minExclusive", "maxExclusive", "lessThan", "lessThanOrEquals", "or",
    "and", "not", "xone", "node", "languageIn", "uniqueLang", "deactivated", "sparql",
    "select", "prefixes", "declare", "prefix", "namespace",
    # non-validating
    "message", "name", "description", "severity", "order", "group",
}


def test_shapes_use_only_the_compiled_subset():
    used = {str(p).split("#")[1] for p in shapes_graph().predicates() if str(p).startswith(str(SH))}
    assert used <= ALLOWED_SH, f"outside the compiler's subset: {sorted(used - ALLOWED_SH)}"


def test_shapes_load_into_oxigraph():
    import pyoxigraph

    for f in SHAPE_FILES:
        store = pyoxigraph.Store()
        store.load(path=str(f), format=pyoxigraph.RdfFormat.TURTLE)
        assert len(store) > 0


def test_sparql_constraints_run_on_oxigraph():
    # The compiler hands these SELECTs to Oxigraph: they must parse there with the
    # declared prefixes, $this pre-bound.
    import pyoxigraph

    g = shapes_graph()
    store = pyoxigraph.Store()
    for c in g.objects(None, SH.sparql):
        prefixes = "".join(
            f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>\n"
            for src in g.objects(c, SH.prefixes) for d in g.objects(src, SH.declare))
        query = prefixes + str(g.value(c, SH.select))
        list(store.query(query, substitutions={pyoxigraph.Variable("this"): pyoxigraph.NamedNode("urn:x")}))


def _zh_en(g, node, p=SH.message) -> list[str]:
    return sorted(o.language or "" for o in g.objects(node, p))


def test_every_message_is_bilingual():
    g = shapes_graph()
    bad = [f"{s}: {_zh_en(g, s)}" for s in set(g.subjects(SH.message, None)) if _zh_en(g, s) != ["en", "zh"]]
    assert not bad, "\n".join(bad)


def test_every_constraint_carries_a_message():
    g = shapes_graph()
    # property shapes and SPARQL constraints: the units a result comes from
    units = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    missing = [u for u in units if (u, SH.message, None) not in g]
    assert not missing, missing
    # node shapes with a constraint of their own (e.g. sh:nodeKind) need one too
    for shape in g.subjects(RDF.type, SH.NodeShape):
        own = {SH.nodeKind, SH["class"], SH["in"], SH.datatype, SH["or"], SH["not"], SH.node}
        if any((shape, p, None) in g for p in own):
            assert (shape, SH.message, None) in g, shape


def test_localised_names_are_bilingual():
    g = shapes_graph()
    for p in (SH.name, SH.description):
        for s in set(g.subjects(p, None)):
            tags = _zh_en(g, s, p)
            if tags != [""]:  # a plain technical name such as "action" is fine
                assert tags == ["en", "zh"], (s, p, tags)


SCHEME_OF = {
    RG.resourceType: RG.ResourceTypeScheme, RG.assetClass: RG.AssetClassScheme,
    RG.licenceStatus: RG.LicenceStatusScheme, RG.userCategoryType: RG.UserCategoryScheme,
    RG.rightsBasis: RG.RightsBasisScheme,
    rdflib.URIRef("http://www.loc.gov/premis/rdf/v3/basis"): RG.RightsBasisScheme,
}


@pytest.mark.parametrize("prop", list(SCHEME_OF), ids=lambda p: p.split("#")[-1].split("/")[-1])
def test_value_lists_match_the_concept_schemes(prop):
    # sh:in keeps checks independent of loaded vocabularies; it must not drift from them.
    g, onto = shapes_graph(), vocabulary()
    scheme = SCHEME_OF[prop]
    expected = set(onto.subjects(SKOS.inScheme, scheme))
    lists = [set(rdflib.collection.Collection(g, lst)) for ps in g.subjects(SH.path, prop)
             for lst in g.objects(ps, SH["in"])]
    assert lists, f"no sh:in for {prop}"
    for got in lists:
        assert got == expected


def test_policy_rule_musts_are_separately_addressable():
    # Callers deactivate these by IRI for suites with under-specified rules (FORCE 1-7).
    g = shapes_graph()
    for shape in (RGSH.RuleActionShape, RGSH.RuleTargetShape):
        assert (shape, RDF.type, SH.NodeShape) in g


# ---------------------------------------------------------------------------------------
# valid fixtures
# ---------------------------------------------------------------------------------------

VALID = sorted((DATA / "valid").glob("*.ttl"))


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms_without_warnings(path):
    conforms, _, res = validate(path)
    assert conforms and not res, summary(res)


def test_valid_world_is_realistic():
    # the fixture exercises every class of docs/model.md
    g = data_graph(DATA / "valid" / "library-world.ttl")
    for cls in ("Resource", "Package", "Licence", "Publisher", "Vendor", "Library", "Consortium",
                "UserCategory", "RightsStatement"):
        assert (None, RDF.type, RG[cls]) in g, cls


# ---------------------------------------------------------------------------------------
# invalid fixtures: each fails with exactly these (focus node, constraint component)
# ---------------------------------------------------------------------------------------

INVALID = {
    "resource-without-title": {("ex:book", "MinCountConstraintComponent")},
    "licence-end-before-start": {("ex:lic", "LessThanOrEqualsConstraintComponent")},
    "licence-unknown-status": {("ex:lic", "InConstraintComponent")},
    # a string cost is neither a decimal nor comparable with 0
    "licence-cost-wrong-datatype": {("ex:lic", "DatatypeConstraintComponent"),
                                    ("ex:lic", "MinInclusiveConstraintComponent")},
    "licence-negative-cost": {("ex:lic", "MinInclusiveConstraintComponent")},
    "licence-missing-assignee": {("ex:lic", "MinCountConstraintComponent")},
    "licence-assigner-not-party": {("ex:lic", "ClassConstraintComponent")},
    "licence-bad-currency": {("ex:lic", "PatternConstraintComponent")},
    "party-without-name": {("ex:vendor", "MinCountConstraintComponent")},
    "resource-bad-issn": {("ex:journal", "PatternConstraintComponent")},
    "resource-publisher-not-publisher": {("ex:book", "ClassConstraintComponent")},
    "resource-unknown-type": {("ex:book", "InConstraintComponent")},
    "usercategory-without-type": {("ex:users", "MinCountConstraintComponent")},
    "rights-statement-bad-basis": {("ex:rs", "InConstraintComponent")},
    "rule-without-action": {("ex:perm", "MinCountConstraintComponent")},
    "duty-without-action": {("ex:duty", "MinCountConstraintComponent")},
    "permission-without-target": {("ex:perm", "MinCountConstraintComponent")},
    "constraint-without-operator": {("ex:c", "MinCountConstraintComponent")},
    "constraint-unknown-operator": {("ex:c", "InConstraintComponent")},
    "datetime-untyped-rightoperand": {("ex:c", "SPARQLConstraintComponent")},
    "refinement-without-rightoperand": {("ex:r", "MinCountConstraintComponent")},
    "policy-blank-node": {("_:blank", "NodeKindConstraintComponent")},
    "concurrent-users-not-integer": {("ex:c", "SPARQLConstraintComponent")},
    "list-member-without-operator": {("ex:c2", "MinCountConstraintComponent")},
}


def test_every_invalid_fixture_has_an_expectation():
    assert {p.stem for p in (DATA / "invalid").glob("*.ttl")} == set(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixture_fails_as_expected(name):
    conforms, _, res = validate(DATA / "invalid" / f"{name}.ttl")
    assert not conforms
    got = {(focus_name(r["focus"]), r["component"]) for r in res}
    assert got == INVALID[name], summary(res)
    assert all(r["severity"] == "Violation" for r in res)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixture_reports_are_bilingual(name):
    _, _, res = validate(DATA / "invalid" / f"{name}.ttl")
    g = shapes_graph()
    for r in res:
        if r["component"] == "SPARQLConstraintComponent":
            # pyshacl (0.40) rebuilds SPARQL messages as plain literals, dropping the
            # language tag; the tagged originals sit on sh:sourceConstraint.
            assert _zh_en(g, r["constraint"]) == ["en", "zh"]
        else:
            assert sorted(m.language for m in r["messages"]) == ["en", "zh"], r


# ---------------------------------------------------------------------------------------
# conformance material
# ---------------------------------------------------------------------------------------

# Rule-level MUSTs some suites deliberately leave out; everything else must pass.
RULE_MUSTS = {RGSH["RuleActionShape-action"], RGSH["RuleTargetShape-target"]}

# IM example 30 illustrates policy metadata and elides its rule as `"permission": [{}]`:
# an empty permission has neither action nor target.
IM_ELIDED = {"example30"}
# FORCE policies 1-7 test evaluators on rules with no action ("any action") or no target
# ("any asset"): not ODRL 2.2 well-formed, accepted when the rule MUSTs are deactivated.
FORCE_UNDERSPECIFIED = {f"policy-{i}" for i in range(1, 8)}
# Conflict policy 5b writes odrl:prohibited (no such property) for odrl:prohibition, so
# the policy has no rule: the shapes warn.
CONFLICT_WARNINGS = {"policy-5b"}


def _check_suite_file(path: Path, underspecified: set[str], warned: set[str]):
    conforms, _, res = validate(path)
    violations = [r for r in res if r["severity"] == "Violation"]
    rule_musts = [r for r in violations if r["shape"] in RULE_MUSTS]
    other = [r for r in violations if r["shape"] not in RULE_MUSTS]
    assert not other, summary(other)
    assert bool(rule_musts) == (path.stem in underspecified), summary(rule_musts)
    warnings = [r for r in res if r["severity"] == "Warning"]
    assert bool(warnings) == (path.stem in warned), summary(warnings)


IM_EXAMPLES = sorted((CONF / "odrl" / "odrl-im-examples").glob("*.json"))
FORCE = sorted((CONF / "odrl" / "solidlab-test-suite" / "policies").glob("*.ttl"))
CONFLICTS = sorted((CONF / "odrl" / "solidlab-test-conflicts" / "data" / "policies").glob("*.ttl"))


@pytest.mark.parametrize("path", IM_EXAMPLES, ids=lambda p: p.stem)
def test_odrl_im_example_conforms(path):
    _check_suite_file(path, IM_ELIDED, set())


@pytest.mark.parametrize("path", FORCE, ids=lambda p: p.stem)
def test_force_policy_conforms(path):
    _check_suite_file(path, FORCE_UNDERSPECIFIED, set())


@pytest.mark.parametrize("path", CONFLICTS, ids=lambda p: p.stem)
def test_conflict_policy_conforms(path):
    _check_suite_file(path, set(), CONFLICT_WARNINGS)


def test_suites_are_present():
    assert len(IM_EXAMPLES) >= 25 and len(FORCE) >= 20 and len(CONFLICTS) >= 20


def test_deactivating_rule_musts_accepts_underspecified_force_policies():
    g = rdflib.Graph()
    g += shapes_graph()
    for shape in (RGSH.RuleActionShape, RGSH.RuleTargetShape):
        g.add((shape, SH.deactivated, rdflib.Literal(True)))
    for name in ("policy-1", "policy-3"):
        conforms, _, res = validate(CONF / "odrl" / "solidlab-test-suite" / "policies" / f"{name}.ttl", g)
        assert conforms and not res, summary(res)
