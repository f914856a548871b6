"""PREMIS rights statements take part in decisions (rights basis, rights granted with act,
restriction and term of grant), and a resource's publication year comes from the data."""

from __future__ import annotations

from datetime import datetime, timezone

import pyoxigraph as ox

from rightsgraph.namespaces import ODRL, RG
from rightsgraph.policy import PolicyIndex, decide

EX = "http://example.org/pr/"
PREFIXES = f"""@prefix ex: <{EX}> . @prefix premis: <http://www.loc.gov/premis/rdf/v3/> .
@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix evtype: <http://id.loc.gov/vocabulary/preservation/eventType/> .
@prefix rbasis: <http://id.loc.gov/vocabulary/preservation/rightsBasis/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix dct: <http://purl.org/dc/terms/> .
"""


def index(ttl: str) -> PolicyIndex:
    return PolicyIndex.from_quads(ox.parse(PREFIXES + ttl, ox.RdfFormat.TURTLE))


def at(y, m=6, d=1):
    return datetime(y, m, d, 10, tzinfo=timezone.utc)


def test_flat_statement_grants_its_acts_for_its_period():
    idx = index("""
        ex:item premis:rightsStatus ex:st .
        ex:st a rg:RightsStatement ; premis:basis rbasis:cop ; premis:act evtype:rep , evtype:mig , evtype:fix ;
            rg:rightsStart "2020-01-01"^^xsd:date ; rg:rightsEnd "2029-05-31"^^xsd:date .""")
    d = decide(idx, EX + "item", ODRL.archive, None, at=at(2025))
    assert (d.decision, d.policies) == ("permit", [EX + "st"])
    assert decide(idx, EX + "item", ODRL.transform, None, at=at(2025)).decision == "permit"
    assert decide(idx, EX + "item", ODRL.archive, None, at=at(2030)).reason == "constraint-unsatisfied"
    assert decide(idx, EX + "item", ODRL.read, None, at=at(2025)).reason == "no-applicable-permission"
    assert decide(idx, EX + "item", ODRL.reproduce, None, at=at(2025)).decision == "deny"


def test_rights_granted_with_a_restriction_the_engine_enforces():
    """Legal deposit: dissemination on the premises only (the restriction as an ODRL
    constraint on the premis:Rule); from 2030 dissemination is withdrawn (a premis:prohibits
    rule with its own term of grant)."""
    idx = index("""
        ex:book premis:rightsStatus ex:deposit .
        ex:deposit a rg:RightsStatement ; premis:basis ex:law ; rg:rightsStart "2021-01-01"^^xsd:date .
        ex:law a premis:Statute ;
            premis:allows ex:reading ;
            premis:prohibits ex:withdrawal .
        ex:reading a premis:Rule ; premis:act evtype:dis ; premis:restriction "Reading room only"@en ;
            odrl:constraint [ odrl:leftOperand odrl:virtualLocation ; odrl:operator odrl:eq ; odrl:rightOperand rg:OnPremises ] .
        ex:withdrawal a premis:Rule ; premis:act <http://id.loc.gov/vocabulary/preservation/actionsGranted/dis> ;
            premis:startDate "2030-01-01"^^xsd:date .""")
    ok = decide(idx, EX + "book", ODRL.read, EX + "anyone", {ODRL.virtualLocation: RG.OnPremises}, at=at(2026))
    assert (ok.decision, ok.rules) == ("permit", [EX + "reading"])
    far = decide(idx, EX + "book", ODRL.read, EX + "anyone", {ODRL.virtualLocation: RG.RemoteAccess}, at=at(2026))
    assert (far.decision, far.reason) == ("deny", "constraint-unsatisfied")
    unknown = decide(idx, EX + "book", ODRL.read, EX + "anyone", at=at(2026))
    assert unknown.decision == "deny" and unknown.unresolved[0]["leftOperand"] == ODRL.virtualLocation.value
    # a premis:prohibits rule with its own term of grant
    later = decide(idx, EX + "book", ODRL.read, EX + "anyone", {ODRL.virtualLocation: RG.OnPremises}, at=at(2031))
    assert (later.decision, later.reason, later.rules) == ("deny", "policy-void-by-conflict",
                                                            [EX + "reading", EX + "withdrawal"])


def test_an_act_without_an_odrl_meaning_grants_nothing():
    idx = index("""ex:item premis:rightsStatus ex:st .
        ex:st a rg:RightsStatement ; premis:basis rbasis:oth ; premis:act evtype:fix .""")
    assert ex_policies(idx) == []
    assert decide(idx, EX + "item", ODRL.read, None).reason == "no-applicable-permission"


def ex_policies(idx):
    return [p for p in idx.policies if p.startswith(EX)]


def test_publication_year_comes_from_the_data():
    """Perpetual access to the paid years: a book's year is its dct:issued when the request
    gives none; a journal's dct:issued (when it began) is not the year of its content."""
    idx = index("""
        ex:book dct:issued "2021"^^xsd:gYear ; odrl:partOf ex:pkg .
        ex:later dct:issued "2024-03-01"^^xsd:date ; odrl:partOf ex:pkg .
        ex:journal dct:issued "1998"^^xsd:gYear ; rg:resourceType rg:EJournal ; odrl:partOf ex:pkg .
        ex:lic a odrl:Agreement ; odrl:permission [ odrl:target ex:pkg ; odrl:action odrl:read ;
            odrl:constraint [ odrl:leftOperand rg:publicationYear ; odrl:operator odrl:gteq ; odrl:rightOperand 2020 ] ,
                            [ odrl:leftOperand rg:publicationYear ; odrl:operator odrl:lteq ; odrl:rightOperand 2022 ] ] .""")
    assert decide(idx, EX + "book", ODRL.read).decision == "permit"
    assert decide(idx, EX + "later", ODRL.read).reason == "constraint-unsatisfied"
    # the request's own year wins
    assert decide(idx, EX + "later", ODRL.read, None, {RG.publicationYear: 2021}).decision == "permit"
    d = decide(idx, EX + "journal", ODRL.read)
    assert d.decision == "deny" and d.unresolved[0]["leftOperand"] == RG.publicationYear.value
    assert decide(idx, EX + "journal", ODRL.read, None, {RG.publicationYear: 2020}).decision == "permit"
