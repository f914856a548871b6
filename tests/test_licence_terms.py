"""Licence terms as data: the vocabulary, term sheets compiled to ODRL (each usage term's
mapping checked with a decision), the round trip store -> term sheet, and bad input."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SKOS

from rightsgraph.licences.registry import import_sheet
from rightsgraph.licences.termsheet import (TermSheetError, canonical, compile_sheet, licence_from_store,
                                            parse_csv, parse_yaml, read_sheet, to_csv, to_turtle, to_yaml)
from rightsgraph.licences.vocabulary import STATUSES, TERM_LIST, TERMS, TERMS_NS, turtle
from rightsgraph.loading import LoadRejected, load_files
from rightsgraph.namespaces import ODRL, RG, TDM
from rightsgraph.policy import PolicyIndex, decide

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "licences"
EX = "http://example.org/lic/"
AT = datetime(2025, 6, 1, 10, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- vocabulary

def test_vocabulary_file_is_generated_from_the_table():
    assert (REPO / "ontology" / "licence-terms.ttl").read_text(encoding="utf-8") == turtle(), \
        "run: python -m rightsgraph.licences.vocabulary > ontology/licence-terms.ttl"


def test_vocabulary_is_bilingual_and_complete():
    g = rdflib.Graph().parse(REPO / "ontology" / "licence-terms.ttl")
    concepts = set(g.subjects(SKOS.inScheme, rdflib.URIRef(TERMS_NS + "LicenceTermScheme")))
    assert len(concepts) == len(TERM_LIST) >= 40
    csv_keys = {line.split(",")[0] for line in
                (REPO.parent / "shared" / "design" / "licence_terms_to_odrl.csv").read_text().splitlines()[1:]
                if line} if (REPO.parent / "shared" / "design").is_dir() else set(TERMS)
    assert csv_keys <= set(TERMS), csv_keys - set(TERMS)
    for c in concepts:
        for p in (SKOS.prefLabel, SKOS.definition):
            assert sorted(o.language for o in g.objects(c, p)) == ["en", "zh"], (c, p)
        assert (c, SKOS.topConceptOf, rdflib.URIRef(TERMS_NS + "LicenceTermScheme")) in g


def test_status_values_are_the_ontology_scheme():
    g = rdflib.Graph().parse(REPO / "ontology" / "rightsgraph.ttl")
    scheme = set(g.subjects(SKOS.inScheme, rdflib.URIRef(RG.TermStatusScheme.value)))
    assert {rdflib.URIRef(v) for v in STATUSES.values()} == scheme
    shapes = rdflib.Graph().parse(REPO / "shapes" / "licence-shapes.ttl")
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    lists = [set(rdflib.collection.Collection(shapes, lst)) for ps in shapes.subjects(SH.path, rdflib.URIRef(RG.termStatus.value))
             for lst in shapes.objects(ps, SH["in"])]
    assert lists == [scheme]


def test_usage_terms_map_to_odrl_actions():
    odrl = rdflib.Graph().parse(REPO / "ontology" / "odrl22.ttl")
    actions = {str(s) for s in odrl.subjects(rdflib.RDF.type, rdflib.URIRef(ODRL.Action.value))}
    for t in TERM_LIST:
        if t.kind == "usage":
            assert t.action in actions or t.action == TDM.mine.value, t.key


# ----------------------------------------------------------------------------- decisions

@pytest.fixture
def world(store):
    load_files(store, [DATA / "world.ttl"])
    return store


@pytest.fixture
def journals(world):
    import_sheet(world, DATA / "journals.yaml")
    return PolicyIndex.from_store(world)


def _d(index, target, action, who, ctx=None, at=AT):
    return decide(index, EX + target, action, EX + who, ctx, at=at)


def test_ill_secure_permitted_email_prohibited_print_silent(journals):
    d = _d(journals, "art1", ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.SecureElectronicTransmission})
    assert (d.decision, d.reason) == ("permit", "permitted")
    assert [x["action"] for x in d.duties] == [[ODRL.attribute.value]]     # attribution: yes
    d = _d(journals, "art1", ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.Email})
    assert (d.decision, d.reason) == ("deny", "prohibited")
    assert d.rules == [EX + "journals-2024-ill_electronic"]
    # ILL print/fax is silent: silence is never permission
    d = _d(journals, "art1", ODRL.distribute, "libA", {ODRL.deliveryChannel: RG.Print})
    assert d.decision == "deny"


ON_SITE = {ODRL.virtualLocation: RG.OnPremises}


def test_walk_in_users_may_print_but_not_download(journals):
    assert _d(journals, "art1", ODRL.read, "bob", ON_SITE).decision == "permit"
    assert _d(journals, "art1", ODRL.print, "bob", {ODRL["count"]: 3, **ON_SITE}).decision == "permit"
    assert _d(journals, "art1", ODRL.print, "bob", {ODRL["count"]: 11, **ON_SITE}).decision == "deny"
    d = _d(journals, "art1", ODRL.reproduce, "bob", ON_SITE)
    assert (d.decision, d.reason) == ("deny", "prohibited")
    # walk-ins are physically present: from anywhere else, or when the request does not say
    d = _d(journals, "art1", ODRL.read, "bob", {ODRL.virtualLocation: RG.RemoteAccess})
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")
    d = _d(journals, "art1", ODRL.read, "bob")
    assert d.decision == "deny" and d.unresolved[0]["leftOperand"] == ODRL.virtualLocation.value
    # authorised users: 50 prints, and no prohibition on download (but no permission either)
    assert _d(journals, "art1", ODRL.print, "alice", {ODRL["count"]: 40}).decision == "permit"
    assert _d(journals, "art1", ODRL.reproduce, "alice").reason == "no-applicable-permission"


def test_after_cancellation_only_the_perpetual_access_years(journals):
    later = datetime(2028, 3, 1, tzinfo=timezone.utc)
    year = RG.publicationYear
    # during the term: read, whatever the year
    assert _d(journals, "art1", ODRL.read, "alice", {year: 2019}).decision == "permit"
    # after the licence ended: only content of the paid years 2024-2026
    assert _d(journals, "art2", ODRL.read, "alice", {year: 2025}, at=later).decision == "permit"
    assert _d(journals, "art1", ODRL.read, "alice", {year: 2021}, at=later).decision == "deny"
    d = _d(journals, "art1", ODRL.read, "alice", None, at=later)
    assert (d.decision, d.reason) == ("deny", "constraint-unsatisfied")     # the year must be given
    # walk-in access ended with the term
    assert _d(journals, "art2", ODRL.read, "bob", {year: 2025}, at=later).decision == "deny"


def test_not_reviewed_and_not_applicable_grant_nothing(journals):
    assert _d(journals, "art1", TDM.mine, "alice").reason == "no-applicable-permission"
    assert _d(journals, "art1", ODRL.read, "alice", {RG.concurrentUsers: 1}).decision == "permit"  # via authorised users


def test_archiving_survives_and_commercial_use_is_prohibited(journals):
    assert _d(journals, "art1", ODRL.archive, "libA", at=datetime(2031, 1, 1, tzinfo=timezone.utc)).decision == "permit"
    assert _d(journals, "art1", ODRL.commercialize, "libA").reason == "prohibited"


@pytest.mark.parametrize("key", [t.key for t in TERM_LIST if t.kind == "usage"])
def test_every_usage_term_compiles_and_decides(world, key, tmp_path):
    """Each usage term, permitted, becomes a rule the engine applies (with the term's own
    context), and prohibited, a rule that denies."""
    t = TERMS[key]
    # eq and isPartOf (channels, along their hierarchy) hold for the right operand itself
    ctx = {lo: ro for lo, op, ro in t.fixed if op.endswith(("eq", "isPartOf")) and not op.endswith("neq")}
    if any(op.endswith("neq") for _, op, _ in t.fixed):
        ctx[ODRL.deliveryChannel.value] = RG.SecureElectronicTransmission.value
    if t.party == "walk_in":
        ctx[ODRL.virtualLocation.value] = RG.OnPremises.value
    who = {"users": "alice", "walk_in": "bob", "library": "libA"}[t.party]
    extra = {"users": 5} if key == "concurrent_users" else {}
    if key == "concurrent_users":
        ctx[RG.concurrentUsers.value] = 2
    for status, expected in (("permitted_explicit", "permit"), ("prohibited_explicit", "deny")):
        if t.survives and status.startswith("prohibited"):
            continue   # a prohibited surviving term compiles to no rule (docs/licences.md)
        raw = {"licence": EX + f"t-{key}", "title": {"en": key}, "licensor": EX + "pub", "licensee": EX + "libA",
               "target": EX + "pkg", "status": "active", "start": "2024-01-01", "end": "2026-12-31",
               "parties": {"users": EX + "libA-users", "walk_in": EX + "libA-walkin"},
               "terms": [{"term": key, "status": status, **extra}]}
        sheet = canonical(raw)
        import_sheet(world, tmp_path / "x.yaml", sheet=sheet)
        idx = PolicyIndex.from_store(world)
        d = decide(idx, EX + "art1", t.action, EX + who, ctx, at=AT)
        assert d.decision == expected, (key, status, d)
        assert d.policies == [EX + f"t-{key}"]


# ----------------------------------------------------------------------------- round trip

def test_round_trip_yaml(journals, world):
    sheet = read_sheet(DATA / "journals.yaml")
    back = licence_from_store(world, EX + "journals-2024")
    assert back == sheet
    assert canonical(parse_yaml(to_yaml(back))) == sheet


def test_round_trip_csv(world, tmp_path):
    sheet = read_sheet(DATA / "journals.yaml")
    csv_path = tmp_path / "journals.csv"
    csv_path.write_text(to_csv(sheet), encoding="utf-8")
    assert read_sheet(csv_path) == sheet
    import_sheet(world, csv_path)
    assert licence_from_store(world, EX + "journals-2024") == sheet


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "data" / "demo" / "termsheets").glob("*.yaml")))
def test_demo_term_sheets_round_trip(store, name):
    for f in ("parties.ttl", "collections.ttl"):
        load_files(store, [REPO / "data" / "demo" / f])
    path = REPO / "data" / "demo" / "termsheets" / name
    sheet, _, _ = import_sheet(store, path)
    assert licence_from_store(store, sheet["licence"]) == sheet


def test_compiled_sheet_is_what_the_store_holds(world):
    sheet = read_sheet(DATA / "journals.yaml")
    ttl = to_turtle(compile_sheet(sheet))
    g = rdflib.Graph().parse(data=ttl, format="turtle")
    assert (rdflib.URIRef(EX + "journals-2024"), rdflib.RDF.type, rdflib.URIRef(RG.Licence.value)) in g
    # the silent and not-reviewed terms are recorded, with no rule
    statuses = {str(o) for o in g.objects(None, rdflib.URIRef(RG.termStatus.value))}
    assert RG.Silent.value in statuses and RG.NotReviewed.value in statuses
    implemented = {str(s) for s in g.subjects(rdflib.URIRef(RG.implementedBy.value), None)}
    silent_terms = {str(s) for s in g.subjects(rdflib.URIRef(RG.termStatus.value), rdflib.URIRef(RG.Silent.value))}
    assert not implemented & silent_terms


def test_licence_written_in_odrl_renders_as_interpreted_terms(store, tmp_path):
    load_files(store, [REPO / "data" / "demo" / f for f in ("parties.ttl", "collections.ttl")])
    # a licence loaded as plain ODRL (no term records): the rules are mapped back to terms
    ttl = (REPO / "data" / "demo" / "licences.ttl").read_text(encoding="utf-8")
    import re
    ttl = re.sub(r"\s*rg:licenceTerm [^.]*?(?= \.\n)", "", ttl)
    p = tmp_path / "plain.ttl"
    p.write_text(ttl, encoding="utf-8")
    load_files(store, [p])
    sheet = licence_from_store(store, "https://demo.rightsgraph.org/licence/L01")
    terms = {(r["term"], r["status"]) for r in sheet["terms"]}
    by_rule = {r["rule"].rsplit("/", 1)[1]: r["term"] for r in sheet["terms"]}
    assert by_rule == {"L01-read-authorised": "authorized_users", "L01-read-walk-in": "walk_in",
                       "L01-print-authorised": "print_copy", "L01-print-walk-in": "print_copy",
                       "L01-ill-secure": "ill_secure_electronic", "L01-tdm-authorised": "tdm",
                       "L01-archive": "archiving_rights", "L01-ill-email": "ill_electronic",
                       "L01-commercialize": "commercial_use"}
    assert sheet["unmapped"] == []
    assert ("ill_secure_electronic", "permitted_interpreted") in terms
    assert ("ill_electronic", "prohibited_interpreted") in terms
    assert ("archiving_rights", "permitted_interpreted") in terms


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("name,message", [
    ("bad-unknown-term.yaml", "terms[1].term: unknown term 'telepathic_access'"),
    ("bad-status.yaml", "terms[1] (walk_in).status: invalid term status 'maybe'"),
    ("bad-dates.yaml", "end: 2023-06-30 is before start 2024-01-01"),
    ("bad-term-dates.yaml", "terms[0] (print_copy).until: 2025-01-01 is before from 2025-06-01"),
])
def test_bad_sheets_are_rejected_naming_the_row(world, name, message):
    before = len(list(world.quads()))
    with pytest.raises(TermSheetError) as exc:
        import_sheet(world, DATA / name)
    assert message in str(exc.value)
    assert len(list(world.quads())) == before


def test_bad_csv_row_is_named():
    head = "".join(f"{k},,,{v}\n" for k, v in (("licence", "http://x.org/l"), ("title_en", "X"), ("licensor", "http://x.org/p"),
                                                ("licensee", "http://x.org/b"), ("target", "http://x.org/t"),
                                                ("status", "active"), ("start", "2024-01-01"), ("party:walk_in", "http://x.org/w")))
    text = "field,term,status,value\n" + head + "term,walk_in,permitted_explicit,\nterm,telepathy,silent,\n"
    with pytest.raises(TermSheetError, match=r"row 11\.term: unknown term 'telepathy'") as err:
        canonical(parse_csv(text))
    assert err.value.text("zh").startswith("第 11 行.term") and "'telepathy'" in err.value.text("zh")


def test_invalid_licence_status_is_rejected():
    with pytest.raises(TermSheetError, match="status: invalid licence status 'signed'"):
        canonical({"licence": EX + "x", "title": "x", "licensor": EX + "p", "licensee": EX + "l",
                   "target": EX + "t", "status": "signed", "start": "2024-01-01"})


def test_shapes_reject_what_the_sheet_cannot_catch(world, tmp_path):
    """A licensee that is not a party passes the sheet but not the gate: nothing is stored."""
    raw = parse_yaml((DATA / "journals.yaml").read_text())
    raw["licensee"] = "ex:pkg"        # a package, not a party
    before = len(list(world.quads()))
    with pytest.raises(LoadRejected):
        import_sheet(world, tmp_path / "x.yaml", sheet=canonical(raw))
    assert len(list(world.quads())) == before


def test_silent_term_with_a_rule_is_refused_by_the_shapes(world):
    ttl = f"""@prefix rg: <{RG}> . @prefix odrl: <{ODRL}> .
    <{EX}t1> a rg:LicenceTerm ; rg:termType <{TERMS_NS}tdm> ; rg:termStatus rg:Silent ; rg:implementedBy <{EX}r1> ."""
    from pyoxigraph import NamedNode, RdfFormat
    from rightsgraph.loading import load_data
    with pytest.raises(LoadRejected) as exc:
        load_data(world, ttl.encode(), RdfFormat.TURTLE, name="x.ttl", graph=NamedNode(EX + "g"))
    assert any("silence is never permission" in exc.value.report.message(r) for r in exc.value.report.results)


# ----------------------------------------------------------------------------- templates

def test_templates_cover_the_framework():
    tpl = REPO / "data" / "templates"
    frame = read_sheet(tpl / "licence-framework.yaml")
    assert sorted(r["term"] for r in frame["terms"]) == sorted(TERMS)
    assert all(r["status"] == "not_reviewed" for r in frame["terms"])
    assert read_sheet(tpl / "licence-framework.csv") == frame
    text = (tpl / "licence-framework.yaml").read_text(encoding="utf-8")
    for group in ("Service rights", "Use rights", "Long-term preservation rights", "General terms"):
        assert group in text
    assert read_sheet(tpl / "amendment.yaml")["amends"]
    assert read_sheet(tpl / "member-licence.yaml")["master"]


def test_framework_template_imports_once_its_parties_exist(store, tmp_path):
    """Filled in with real parties, the template goes through the gate: every term is
    recorded, and as all are not reviewed, no rule is compiled and nothing is granted."""
    ttl = """@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix foaf: <http://xmlns.com/foaf/0.1/> .
    @prefix dct: <http://purl.org/dc/terms/> . @prefix ex: <https://library.example.org/id/> .
    ex:publisher a rg:Publisher ; foaf:name "P"@en . ex:library a rg:Library ; foaf:name "L"@en .
    ex:package a rg:Package ; dct:title "Pk"@en .
    ex:library-authorised-users a rg:UserCategory ; foaf:name "U"@en ; rg:userCategoryType rg:AuthorisedUsers .
    ex:library-walk-in-users a rg:UserCategory ; foaf:name "W"@en ; rg:userCategoryType rg:WalkInUsers ."""
    (tmp_path / "p.ttl").write_text(ttl)
    load_files(store, [tmp_path / "p.ttl"])
    sheet, _, _ = import_sheet(store, REPO / "data" / "templates" / "licence-framework.yaml")
    back = licence_from_store(store, sheet["licence"])
    assert back == sheet and len(back["terms"]) == len(TERMS)
    assert not any(r.get("rule") for r in back["terms"])


def test_shapes_check_what_the_provisions_record(world, tmp_path):
    """Written directly in RDF (not through a term sheet), a notice period that is not a
    duration or a covered term outside the vocabulary is refused by the gate, naming it."""
    bad = tmp_path / "bad-provisions.ttl"
    bad.write_text("""@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix ex: <http://example.org/lic/> .
    ex:t1 a rg:LicenceTerm ; rg:termType <https://w3id.org/rightsgraph/licence-terms#cancellation_notice> ;
        rg:termStatus rg:PermittedExplicit ; rg:noticePeriod "sixty days" .
    ex:t2 a rg:LicenceTerm ; rg:termType <https://w3id.org/rightsgraph/licence-terms#surviving_provisions> ;
        rg:termStatus rg:PermittedExplicit ; rg:coversTermType <http://example.org/not-a-term> .""")
    with pytest.raises(LoadRejected) as exc:
        load_files(world, [bad])
    text = exc.value.report.format_text(lang="en", limit=20)
    assert "rg:noticePeriod" in text and "rg:coversTermType" in text


def test_a_bad_duty_notice_or_cover_names_the_row():
    base = {"licence": EX + "x", "title": "x", "licensor": EX + "pub", "licensee": EX + "libA", "target": EX + "pkg",
            "status": "active", "start": "2024-01-01", "parties": {"users": EX + "u", "walk_in": EX + "w"}}
    for row, message in (
            ({"term": "backup_copy", "status": "permitted_explicit", "duty": "delete within thirty days"},
             "terms[0] (backup_copy).duty: an action, optionally `within` a duration"),
            ({"term": "backup_copy", "status": "permitted_explicit", "duty": "delete within 30D"},
             "terms[0] (backup_copy).duty.within: an ISO 8601 duration"),
            ({"term": "cancellation_notice", "status": "permitted_explicit", "notice": "60"},
             "terms[0] (cancellation_notice).notice: an ISO 8601 duration"),
            ({"term": "walk_in", "status": "permitted_explicit", "covers": ["telepathy"]},
             "terms[0] (walk_in).covers: `all` or usage terms of the vocabulary, not telepathy"),
            ({"term": "print_copy", "status": "permitted_explicit", "channel": ["rg:Post"]},
             "terms[0] (print_copy).channel: only interlibrary-loan and course-pack terms"),
            ({"term": "surviving_provisions", "status": "permitted_explicit"},
             "terms[0] (surviving_provisions).coverage: the publication years")):
        with pytest.raises(TermSheetError, match=re_escape(message)):
            canonical({**base, "terms": [row]})


def re_escape(text):
    import re
    return re.escape(text)
