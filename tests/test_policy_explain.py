"""Explanations a librarian can read: each answer names the licence, the clause number and
its verbatim text (as the term sheet records them), in Chinese and English, and a denial says
what would have permitted."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest

from rightsgraph.licences.registry import import_sheet
from rightsgraph.loading import load_files
from rightsgraph.namespaces import ODRL, RG
from rightsgraph.policy import PolicyIndex, decide
from rightsgraph.policy.explain import redacted

DATA = Path(__file__).resolve().parent / "data" / "licences"
EX = "http://example.org/lic/"
AT = datetime(2025, 6, 1, 10, tzinfo=timezone.utc)
TITLE_EN, TITLE_ZH = "Library A - Example journals 2024-2026", "京海大学图书馆—示例期刊 2024—2026"


@pytest.fixture
def journals(store):
    load_files(store, [DATA / "world.ttl"])
    import_sheet(store, DATA / "journals.yaml")
    return PolicyIndex.from_store(store)


def _x(index, action, who, ctx=None, at=AT):
    d = decide(index, EX + "art1", action, EX + who, ctx, at=at)
    return d, d.to_json()["explanation"]


def test_a_prohibition_names_licence_clause_text_and_what_would_permit(journals):
    d, x = _x(journals, ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.Email})
    assert d.reason == "prohibited"
    assert x["en"].startswith(f"Prohibited by {TITLE_EN}, clause 4.3: “Articles shall not be supplied by e-mail.”")
    assert "permitted when delivery channel is secure electronic transmission" in x["en"]
    assert "clause 4.2" in x["en"]
    assert x["zh"].startswith(f"禁止：《{TITLE_ZH}》第 4.3 条：“Articles shall not be supplied by e-mail.”")
    assert "传递渠道属于安全电子传输" in x["zh"]
    (because,) = x["because"]
    assert (because["clause"], because["text"], because["kind"], because["source"]) == (
        "4.3", "Articles shall not be supplied by e-mail.", "prohibition", "licence")
    (alt,) = x["would_permit"]
    assert alt["rule"] == EX + "journals-2024-ill_secure_electronic" and alt["clause"] == "4.2"
    assert alt["needs"][0]["leftOperand"] == ODRL.deliveryChannel.value
    assert alt["needs"][0]["given"] == [RG.Email.value]


def test_a_permit_names_its_clause_and_the_duty_still_to_do(journals):
    d, x = _x(journals, ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.SecureElectronicTransmission})
    assert d.decision == "permit"
    assert x["en"] == f"Permitted by {TITLE_EN}, clause 4.2. Still to do: attribute."
    assert x["zh"] == f"允许：依据《{TITLE_ZH}》第 4.2 条。尚须履行：注明出处。"
    assert x["would_permit"] == []


def test_a_condition_that_fails_is_named_with_the_value_it_needs(journals):
    d, x = _x(journals, ODRL.print, "bob", {ODRL["count"]: 11, ODRL.virtualLocation: RG.OnPremises})
    assert d.reason == "constraint-unsatisfied"
    assert "permits it only when number of uses is at most 10" in x["en"]
    assert "仅在使用次数不超过10时允许" in x["zh"]
    d, x = _x(journals, ODRL.read, "bob")           # a walk-in user who did not say where
    assert "only when location is on the premises" in x["en"] and "访问位置为馆内" in x["zh"]


def test_nothing_applicable_says_silence_is_not_permission(journals):
    d, x = _x(journals, ODRL.sell, "alice")
    assert d.reason == "no-applicable-permission"
    assert "silence is never permission" in x["en"] and "未提及绝不视为允许" in x["zh"]
    assert x["because"] == [] and x["would_permit"] == []


def test_a_derived_rule_cites_the_definition_clause_too(store, tmp_path):
    """Walk-ins are authorised users on the premises (one definition): a walk-in's print is
    explained by the print clause and by the walk-in clause."""
    load_files(store, [DATA / "world.ttl"])
    sheet = tmp_path / "walkin.yaml"
    sheet.write_text(f"""
licence: {EX}walkin-lic
title: {{en: Walk-in licence, zh: 到馆许可}}
licensor: {EX}pub
licensee: {EX}libA
target: {EX}pkg
status: active
start: 2024-01-01
end: 2026-12-31
parties: {{users: {EX}libA-users, walk_in: {EX}libA-walkin}}
terms:
  - term: walk_in
    status: permitted_explicit
    covers: all
    clause: "3.1.4"
    text: Walk-in users who are physically present may use the Licensed Materials.
  - term: print_copy
    status: permitted_explicit
    clause: "3.2.1"
    text: Authorized Users may print a copy of an article.
""", encoding="utf-8")
    import_sheet(store, sheet)
    idx = PolicyIndex.from_store(store)
    d = decide(idx, EX + "art1", ODRL.print, EX + "bob", {ODRL.virtualLocation: RG.OnPremises}, at=AT)
    assert d.rules == [EX + "walkin-lic-print_copy-walk_in"]
    x = d.to_json()["explanation"]
    assert "clause 3.2.1: “Authorized Users may print a copy of an article.”" in x["en"]
    assert "with clause 3.1.4: “Walk-in users who are physically present" in x["en"]
    assert "并依第 3.1.4 条" in x["zh"]


def test_open_licence_and_rights_statement_sources():
    shipped = Path(__file__).resolve().parents[1] / "data" / "open-licences" / "open-licences.ttl"
    data = """@prefix ex: <http://example.org/x/> . @prefix premis: <http://www.loc.gov/premis/rdf/v3/> .
    @prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
    ex:oa <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by-nc/4.0/> .
    ex:dep premis:rightsStatus ex:st .
    ex:st a rg:RightsStatement ; rg:rightsNote "Legal deposit: reading room only."@en , "呈缴本：仅限阅览室阅读。"@zh ;
        premis:allows ex:reading .
    ex:reading premis:act <http://id.loc.gov/vocabulary/preservation/eventType/dis> ;
        premis:restriction "Reading room only"@en ;
        odrl:constraint [ odrl:leftOperand odrl:virtualLocation ; odrl:operator odrl:eq ; odrl:rightOperand rg:OnPremises ] ."""
    quads = list(ox.parse(shipped.read_bytes(), ox.RdfFormat.TURTLE)) + list(ox.parse(data, ox.RdfFormat.TURTLE))
    idx = PolicyIndex.from_quads(quads)
    d = decide(idx, "http://example.org/x/oa", ODRL.commercialize, None, at=AT)
    x = d.to_json()["explanation"]
    assert x["because"][0]["source"] == "open-licence"
    assert x["en"].startswith("Prohibited by Creative Commons Attribution-NonCommercial 4.0 International "
                              "(CC BY-NC 4.0: NonCommercial")
    assert "知识共享 署名-非商业性使用 4.0 国际" in x["zh"]
    d = decide(idx, "http://example.org/x/dep", ODRL.read, None, {ODRL.virtualLocation: RG.RemoteAccess}, at=AT)
    x = d.to_json()["explanation"]
    assert x["because"][0]["source"] == "rights-statement"
    assert "Legal deposit: reading room only." in x["en"] and "only when location is on the premises" in x["en"]
    assert "仅限阅览室阅读" in x["zh"]


def test_redacted_for_a_confidential_licence(journals):
    d, x = _x(journals, ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.Email})
    hidden = redacted(x, {EX + "journals-2024"})
    assert "4.3" not in str(hidden) and "e-mail" not in str(hidden)
    assert hidden["en"].startswith("Decided by a confidential licence") and hidden["because"] == []
    assert redacted(x, {EX + "other"}) is x


def test_redacted_keeps_a_visible_answer_but_not_a_confidential_alternative():
    """A denial decided by a public licence may cite a confidential one as what would have
    permitted: that alternative is left out, the rest of the sentence stays."""
    data = """@prefix ex: <http://example.org/c/> . @prefix odrl: <http://www.w3.org/ns/odrl/2/> .
    @prefix rg: <https://w3id.org/rightsgraph/ns#> .
    ex:public a odrl:Set ; odrl:prohibition [ odrl:target ex:a ; odrl:action odrl:distribute ;
        odrl:constraint [ odrl:leftOperand odrl:deliveryChannel ; odrl:operator odrl:eq ; odrl:rightOperand rg:Email ] ] .
    ex:secret a odrl:Set ; <http://purl.org/dc/terms/title> "Secret deal"@en ;
        odrl:permission [ odrl:target ex:a ; odrl:action odrl:distribute ;
        odrl:constraint [ odrl:leftOperand odrl:deliveryChannel ; odrl:operator odrl:eq ; odrl:rightOperand rg:Post ] ] ."""
    idx = PolicyIndex.from_quads(ox.parse(data, ox.RdfFormat.TURTLE))
    d = decide(idx, "http://example.org/c/a", ODRL.distribute, None, {ODRL.deliveryChannel: RG.Email}, at=AT)
    x = d.to_json()["explanation"]
    assert "Secret deal" in x["en"] and "Secret deal" in x["zh"]
    hidden = redacted(x, {"http://example.org/c/secret"})
    assert "Secret deal" not in str(hidden) and hidden["would_permit"] == []
    assert hidden["en"].startswith("Prohibited by public") and hidden["zh"].startswith("禁止：《public》")
