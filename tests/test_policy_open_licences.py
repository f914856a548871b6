"""Open licences decide: the shipped Creative Commons and rightsstatements.org policies,
checked licence by licence against Creative Commons' own RDF, and through decisions on a
resource whose collection names the licence (dct:license / dct:rights)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.namespaces import ODRL, RG

from .conftest import CONFORMANCE
from rightsgraph.policy import PolicyIndex, decide
from rightsgraph.policy.open_licences import (CC, RIGHTS_STATEMENTS, TDM, canonical_licence_iri, cc_licences,
                                              policy_iri, turtle)

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "data" / "open-licences" / "open-licences.ttl"
CC_DIR = CONFORMANCE / "vocab" / "cc-licenses"     # vendored (tests/conformance/suites/README.md)
needs_cc = pytest.mark.skipif(not CC_DIR.is_dir(), reason=f"Creative Commons RDF absent at {CC_DIR}")
EX = "http://example.org/oa/"
AT = datetime(2026, 5, 1, tzinfo=timezone.utc)


def _index(licence_link: str, predicate: str = "http://purl.org/dc/terms/license") -> PolicyIndex:
    data = f"""<{EX}book> <http://www.w3.org/ns/odrl/2/partOf> <{EX}coll> .
               <{EX}coll> <{predicate}> <{licence_link}> ."""
    quads = list(ox.parse(SHIPPED.read_bytes(), ox.RdfFormat.TURTLE)) + list(ox.parse(data, ox.RdfFormat.TURTLE))
    return PolicyIndex.from_quads(quads)


def ask(index, action, ctx=None):
    return decide(index, EX + "book", action, EX + "reader", ctx, at=AT)


# ----------------------------------------------------------------------------- the shipped file

@needs_cc
def test_shipped_policies_are_generated_from_the_cc_rdf():
    assert SHIPPED.read_text(encoding="utf-8") == turtle(CC_DIR), "run: python data/open-licences/build.py"


@needs_cc
def test_every_version_and_cc0_and_pdm_are_shipped():
    shipped = {q.object.value for q in ox.parse(SHIPPED.read_bytes(), ox.RdfFormat.TURTLE)
               if q.predicate.value == "http://purl.org/dc/terms/source"}
    codes = {(lic["code"], lic["version"]) for lic in cc_licences(CC_DIR)}
    assert {v for _, v in codes} == {"1.0", "2.0", "2.5", "3.0", "4.0"}
    assert {("zero", "1.0"), ("mark", "1.0"), ("by", "4.0"), ("by-nc-nd", "4.0"), ("by-nd-nc", "1.0")} <= codes
    assert len(shipped) == len(codes) + len(RIGHTS_STATEMENTS)


def _rules(policy: str) -> dict:
    """rule kind -> {action: [duty actions]} of a shipped policy."""
    g = {}
    for q in ox.parse(SHIPPED.read_bytes(), ox.RdfFormat.TURTLE):
        g.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    out = {"permission": {}, "prohibition": {}}
    for kind in out:
        for rule in g.get(ox.NamedNode(policy), {}).get(ODRL + kind, []):
            duties = [g[d][ODRL + "action"][0].value for d in g[rule].get(ODRL + "duty", [])]
            for a in g[rule][ODRL + "action"]:
                out[kind][a.value] = sorted(duties)
    return out


@needs_cc
@pytest.mark.parametrize("lic", cc_licences(CC_DIR) if CC_DIR.is_dir() else [], ids=lambda x: f"{x['code']}-{x['version']}")
def test_each_licence_says_what_its_rdf_says(lic):
    """cc:permits -> permissions, cc:requires -> duties on sharing and adapting,
    cc:prohibits CommercialUse -> a prohibition, no DerivativeWorks -> a prohibition of
    modification and derivatives; reading, printing, indexing, mining and preservation are
    uses every CC licence leaves free."""
    rules = _rules(policy_iri(lic["iri"]))
    perm, proh = rules["permission"], rules["prohibition"]
    for free in (ODRL.read.value, ODRL.print.value, ODRL.archive.value, TDM + "mine"):
        assert perm[free] == []
    attribution = [a for a, c in ((ODRL.attribute.value, "Attribution"), (CC + "Notice", "Notice"))
                   if CC + c in lic["requires"]]
    if CC + "Reproduction" in lic["permits"]:
        assert perm[ODRL.reproduce.value] == sorted(attribution)
        assert perm[ODRL.distribute.value] == sorted(attribution)
    if CC + "DerivativeWorks" in lic["permits"]:
        sa = [CC + "ShareAlike"] if CC + "ShareAlike" in lic["requires"] else []
        assert perm[ODRL.modify.value] == sorted(attribution + sa)
        assert ODRL.modify.value not in proh
    else:
        assert ODRL.modify.value in proh and ODRL.derive.value in proh and ODRL.modify.value not in perm
    assert (ODRL.commercialize.value in proh) == (CC + "CommercialUse" in lic["prohibits"])
    assert (ODRL.commercialize.value in perm) == (lic["kind"] == "publicdomain")


def test_shipped_policies_pass_the_gate(store):
    from rightsgraph.loading import load_files
    load_files(store, [SHIPPED])      # raises LoadRejected with the report if a shape fails


def test_the_store_holds_them_as_system_data(store):
    from rightsgraph.system_graphs import ensure_system_graphs
    ensure_system_graphs(store)
    store_data = f"""<{EX}book> <http://www.w3.org/ns/odrl/2/partOf> <{EX}coll> .
        <{EX}coll> <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> ."""
    from rightsgraph.loading import load_data
    load_data(store, store_data.encode(), ox.RdfFormat.TURTLE, name="oa.ttl", graph=ox.NamedNode(EX + "g"))
    d = ask(PolicyIndex.from_store(store), ODRL.read)
    assert (d.decision, d.policies) == ("permit", ["https://w3id.org/rightsgraph/open-licence/cc/by/4.0"])


# ----------------------------------------------------------------------------- decisions

@pytest.mark.parametrize("link", [
    "https://creativecommons.org/licenses/by/4.0/", "http://creativecommons.org/licenses/by/4.0",
    "https://creativecommons.org/licenses/by/4.0/deed.zh", "https://creativecommons.org/licenses/by/4.0/legalcode",
])
def test_licence_iri_spellings_are_one_licence(link):
    assert canonical_licence_iri(link) == "http://creativecommons.org/licenses/by/4.0/"
    assert ask(_index(link), ODRL.read).decision == "permit"


def test_a_port_grants_what_its_unported_licence_grants():
    assert canonical_licence_iri("https://creativecommons.org/licenses/by-nc-sa/3.0/cn/") == \
        "http://creativecommons.org/licenses/by-nc-sa/3.0/"
    d = ask(_index("https://creativecommons.org/licenses/by-nc-sa/3.0/cn/"), ODRL.commercialize)
    assert (d.decision, d.reason) == ("deny", "prohibited")


def test_cc_by_reproduce_distribute_modify_with_attribution():
    idx = _index("https://creativecommons.org/licenses/by/4.0/")
    for action in (ODRL.read, ODRL.print):
        d = ask(idx, action)
        assert (d.decision, d.duties) == ("permit", [])
    for action in (ODRL.reproduce, ODRL.distribute, ODRL.modify):
        d = ask(idx, action)
        assert d.decision == "permit", action
        assert sorted(x["action"][0] for x in d.duties) == sorted([ODRL.attribute.value, CC + "Notice"])
    assert ask(idx, ODRL.commercialize).reason == "no-applicable-permission"   # not granted, not forbidden
    assert ask(idx, ODRL.sell).decision == "deny"


def test_nc_prohibits_commercial_use_nd_prohibits_modification():
    d = ask(_index("https://creativecommons.org/licenses/by-nc/4.0/"), ODRL.commercialize)
    assert (d.decision, d.rules) == ("deny", ["https://w3id.org/rightsgraph/open-licence/cc/by-nc/4.0#non-commercial"])
    nd = _index("https://creativecommons.org/licenses/by-nd/4.0/")
    for action in (ODRL.modify, ODRL.derive, ODRL["translate"]):
        assert ask(nd, action).reason == "prohibited"
    assert ask(nd, ODRL.distribute).decision == "permit"     # verbatim copies may be shared
    sa = ask(_index("https://creativecommons.org/licenses/by-sa/4.0/"), ODRL.modify)
    assert CC + "ShareAlike" in [x["action"][0] for x in sa.duties]


def test_cc0_and_public_domain_mark_free_everything_without_duties():
    for link in ("https://creativecommons.org/publicdomain/zero/1.0/", "https://creativecommons.org/publicdomain/mark/1.0/"):
        idx = _index(link)
        for action in (ODRL.read, ODRL.reproduce, ODRL.modify, ODRL.commercialize):
            d = ask(idx, action)
            assert (d.decision, d.duties) == ("permit", []), (link, action)


def test_cc_1_0_without_attribution():
    d = ask(_index("http://creativecommons.org/licenses/nc-sa/1.0/"), ODRL.distribute)
    assert d.decision == "permit" and [x["action"][0] for x in d.duties] == [CC + "Notice"]


def test_rights_statements():
    rights = "http://purl.org/dc/terms/rights"
    nkc = _index("http://rightsstatements.org/vocab/NKC/1.0/", rights)
    assert ask(nkc, ODRL.read).decision == "permit" and ask(nkc, ODRL.reproduce).decision == "permit"
    assert ask(nkc, ODRL.modify).decision == "deny"
    inc = _index("http://rightsstatements.org/vocab/InC/1.0/", rights)
    assert ask(inc, ODRL.read).reason == "no-applicable-permission"     # only what the law allows
    edu = _index("https://rightsstatements.org/page/InC-EDU/1.0/?language=en", rights)
    assert ask(edu, ODRL.read, {ODRL.purpose: RG.Education}).decision == "permit"
    d = ask(edu, ODRL.read)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    assert d.unresolved[0]["leftOperand"] == ODRL.purpose.value
    us = _index("http://rightsstatements.org/vocab/NoC-US/1.0/", rights)
    assert ask(us, ODRL.reproduce, {ODRL.spatial: "http://www.wikidata.org/entity/Q30"}).decision == "permit"
    assert ask(us, ODRL.reproduce, {ODRL.spatial: "http://www.wikidata.org/entity/Q148"}).decision == "deny"
    nc = _index("http://rightsstatements.org/vocab/NoC-NC/1.0/", rights)
    assert ask(nc, ODRL.commercialize).reason == "prohibited"
    oklr = _index("http://rightsstatements.org/vocab/NoC-OKLR/1.0/", rights)
    assert ask(oklr, ODRL.read).decision == "permit" and ask(oklr, ODRL.distribute).decision == "deny"
