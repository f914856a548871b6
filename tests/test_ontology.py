"""The rightsgraph ontology: parses, is bilingual, covers docs/model.md and the code,
links to the standard terms the contract names, and is OWL RL consistent.

The shipped ODRL 2.2 copy must carry the same action hierarchy as the official file
(the decision engine closes over odrl:includedIn / odrl:implies).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from .conftest import CONFORMANCE

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology" / "rightsgraph.ttl"
ODRL22 = REPO / "ontology" / "odrl22.ttl"
RG = rdflib.Namespace("https://w3id.org/rightsgraph/ns#")
ODRL = rdflib.Namespace("http://www.w3.org/ns/odrl/2/")
PREMIS = rdflib.Namespace("http://www.loc.gov/premis/rdf/v3/")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
RBASIS = rdflib.Namespace("http://id.loc.gov/vocabulary/preservation/rightsBasis/")

CLASS_TYPES = {OWL.Class, RDFS.Class}
PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property}
CONCEPT_TYPES = {SKOS.Concept, SKOS.ConceptScheme}
# SPARQL extension functions (rg:permitted, rg:decision), typed as in SPARQL 1.1 Service Description
FUNCTION_TYPES = {rdflib.URIRef("http://www.w3.org/ns/sparql-service-description#Function")}


def conformance_dir() -> Path:
    return CONFORMANCE


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    """The rightsgraph ontology: rightsgraph.ttl and the modules beside it (every ontology
    file but the ODRL vocabulary copy), as the store's ontology graph holds them."""
    g = rdflib.Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        if path != ODRL22:
            g.parse(path)
    return g


def rg_terms(g: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in g.subjects() if isinstance(s, rdflib.URIRef) and s.startswith(str(RG))}


def langs(g: rdflib.Graph, s, p) -> list[str]:
    return [o.language for o in g.objects(s, p) if isinstance(o, rdflib.Literal)]


def test_parses_with_rdflib_and_pyoxigraph(onto):
    import pyoxigraph

    store = pyoxigraph.Store()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        if path != ODRL22:
            store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(store) == len(onto) > 0
    assert (None, RDF.type, OWL.Ontology) in onto


def test_every_rg_term_is_typed(onto):
    untyped = [t for t in rg_terms(onto)
               if not set(onto.objects(t, RDF.type)) & (CLASS_TYPES | PROPERTY_TYPES | CONCEPT_TYPES | FUNCTION_TYPES)]
    assert not untyped, f"rg: terms without a class/property/concept/function type: {untyped}"


def test_every_rg_term_is_bilingual(onto):
    problems = []
    for t in sorted(rg_terms(onto)):
        types = set(onto.objects(t, RDF.type))
        # classes and properties carry rdfs:label; concepts and schemes skos:prefLabel
        label = SKOS.prefLabel if types & CONCEPT_TYPES else RDFS.label
        for p in (label, SKOS.definition):
            got = langs(onto, t, p)
            if sorted(got) != ["en", "zh"]:
                problems.append(f"{t.split('#')[1]} {p.split('#')[-1].split('/')[-1]}: {got}")
    assert not problems, "need exactly one zh and one en value:\n" + "\n".join(problems)


def test_rights_basis_concepts_are_labelled(onto):
    for code in ("cop", "lic", "sta", "ins", "oth"):
        c = RBASIS[code]
        assert (c, SKOS.inScheme, RG.RightsBasisScheme) in onto
        assert sorted(langs(onto, c, SKOS.prefLabel)) == ["en", "zh"]
        assert sorted(langs(onto, c, SKOS.definition)) == ["en", "zh"]


def test_concepts_sit_in_their_schemes(onto):
    for c in onto.subjects(RDF.type, SKOS.Concept):
        if c == RG.concurrentUsers:  # an odrl:LeftOperand, outside our schemes like ODRL's own
            continue
        schemes = set(onto.objects(c, SKOS.inScheme))
        assert len(schemes) == 1, c
        scheme = schemes.pop()
        assert (scheme, RDF.type, SKOS.ConceptScheme) in onto
        assert (c, SKOS.topConceptOf, scheme) in onto and (scheme, SKOS.hasTopConcept, c) in onto


def test_model_md_terms_are_defined(onto):
    text = (REPO / "docs" / "model.md").read_text(encoding="utf-8")
    names = set(re.findall(r"\brg:([A-Za-z][A-Za-z0-9_]*)", text))
    assert names, "docs/model.md names no rg: terms?"
    defined = {t.split("#")[1] for t in rg_terms(onto)}
    assert not names - defined, f"in docs/model.md but not in the ontology: {sorted(names - defined)}"


_CODE_PATTERNS = (
    re.compile(r"\bRG\.([A-Za-z_][A-Za-z0-9_]*)"),
    re.compile(r"\bRG\[\s*['\"]([^'\"]+)['\"]\s*\]"),
    re.compile(r"\bRG\.iri\(\s*['\"]([^'\"]+)['\"]\s*\)"),
    re.compile(r"(?<![\w/#])rg:([A-Za-z][A-Za-z0-9_]*)"),
    re.compile(r"https://w3id\.org/rightsgraph/ns#([A-Za-z][A-Za-z0-9_]*)"),
)
# attribute access on the Namespace object that is not a term
_NOT_TERMS = {"iri"} | {n for n in dir(str) if not n.startswith("_")}


def _without_docstrings(source: str) -> str:
    """Blank out docstrings: their examples (`RG.x`) are placeholders, not terms. Other
    strings stay, since SPARQL in f-strings does name real terms."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
                    and isinstance(body[0].value.value, str):
                for i in range(body[0].lineno - 1, body[0].end_lineno):
                    lines[i] = ""
    return "\n".join(lines)


def test_code_terms_are_defined(onto):
    used: dict[str, set[str]] = {}
    src = REPO / "src"
    for path in src.rglob("*"):
        if path.suffix not in {".py", ".rq", ".ttl", ".sparql", ".html", ".jinja"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".py":
            text = _without_docstrings(text)
        for pattern in _CODE_PATTERNS:
            for name in pattern.findall(text):
                if name not in _NOT_TERMS:
                    used.setdefault(name, set()).add(str(path.relative_to(REPO)))
    defined = {t.split("#")[1] for t in rg_terms(onto)}
    missing = {n: sorted(f) for n, f in used.items() if n not in defined}
    assert not missing, f"rg: terms used in src/ but not defined in the ontology: {missing}"


# The "is a" column of docs/model.md.
SUBCLASSES = [
    (RG.Resource, PREMIS.IntellectualEntity), (RG.Resource, ODRL.Asset),
    (RG.Collection, ODRL.AssetCollection), (RG.Collection, PREMIS.IntellectualEntity),
    (RG.Package, RG.Collection),
    (RG.Licence, ODRL.Agreement), (RG.Licence, PREMIS.License),
    (RG.Party, ODRL.Party), (RG.Party, PROV.Agent), (RG.Party, PREMIS.Agent),
    (RG.RightsHolder, RG.Party), (RG.Publisher, RG.RightsHolder), (RG.Vendor, RG.Party),
    (RG.Library, RG.Party), (RG.Library, PREMIS.Organization),
    (RG.Consortium, RG.Party), (RG.Consortium, ODRL.PartyCollection),
    (RG.UserCategory, ODRL.PartyCollection),
    (RG.RightsStatement, PREMIS.RightsStatus),
]


@pytest.mark.parametrize("sub,sup", SUBCLASSES, ids=lambda t: t.split("#")[-1].split("/")[-1])
def test_subclass_axioms(onto, sub, sup):
    assert (sub, RDFS.subClassOf, sup) in onto


def test_concurrent_users_is_a_left_operand(onto):
    assert (RG.concurrentUsers, RDF.type, ODRL.LeftOperand) in onto


def test_properties_have_domain_or_range(onto):
    for p in set(onto.subjects(RDF.type, OWL.ObjectProperty)) | set(onto.subjects(RDF.type, OWL.DatatypeProperty)):
        if p.startswith(str(RG)):
            assert (p, RDFS.domain, None) in onto or (p, RDFS.range, None) in onto, p
            if (p, RDF.type, OWL.ObjectProperty) in onto:
                assert (p, RDFS.range, None) in onto, p


def test_shipped_odrl22_has_the_official_action_hierarchy():
    official = conformance_dir() / "vocab" / "ODRL22.ttl"
    ours = rdflib.Graph().parse(ODRL22)
    theirs = rdflib.Graph().parse(official)
    for p in (ODRL.includedIn, ODRL.implies):
        assert set(ours.triples((None, p, None))) == set(theirs.triples((None, p, None))), p
    assert len(set(ours.triples((None, ODRL.includedIn, None)))) > 0


def test_owl_rl_closure_is_consistent():
    # owlrl is slow: ontology + ODRL vocabulary only, never data.
    import owlrl
    from owlrl.Namespaces import ERRNS

    g = rdflib.Graph().parse(ONTOLOGY)
    g.parse(ODRL22)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(m) for e in g.subjects(RDF.type, ERRNS.ErrorMessage) for m in g.objects(e, ERRNS.error)]
    assert not errors, errors
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    # the hierarchy the shapes rely on is entailed
    assert (RG.Publisher, RDFS.subClassOf, RG.Party) in g
    assert (RG.Licence, RDFS.subClassOf, ODRL.Policy) in g


def test_owl_rl_consistent_with_premis():
    # PREMIS declares disjointness (Organization vs IntellectualEntity, License vs
    # Copyright ...) that our subclass axioms must not break.
    premis = conformance_dir() / "vocab" / "premis3.owl"
    import owlrl
    from owlrl.Namespaces import ERRNS

    g = rdflib.Graph().parse(ONTOLOGY)
    g.parse(premis, format="xml")
    # one instance per class, so disjointness between our classes would surface
    for i, cls in enumerate(sorted(set(g.subjects(RDF.type, OWL.Class)) & rg_terms(g))):
        g.add((rdflib.URIRef(f"urn:test:{i}"), RDF.type, cls))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    errors = [str(m) for e in g.subjects(RDF.type, ERRNS.ErrorMessage) for m in g.objects(e, ERRNS.error)]
    assert not errors, errors
    assert not list(g.subjects(RDF.type, OWL.Nothing))
