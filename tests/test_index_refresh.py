"""A write reaches decisions by refreshing the compiled policies from the graphs it changed
(policy/index_refresh.py), not by rebuilding them: the refreshed index must be the rebuilt
one, term for term and answer for answer, after every kind of write a library makes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from rightsgraph import write_generation
from rightsgraph.decision_service import DecisionService
from rightsgraph.licences.registry import import_sheet
from rightsgraph.loading import load_files
from rightsgraph.namespaces import ODRL, TDM
from rightsgraph.policy import PolicyIndex, decide
from rightsgraph.policy.index_refresh import refreshed
from rightsgraph.policy.operators import IRI
from rightsgraph.updating import apply_update

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "licences"
EX = "http://example.org/lic/"
WHEN = [datetime(2024, 3, 1, tzinfo=timezone.utc), datetime(2025, 7, 1, tzinfo=timezone.utc),
        datetime(2027, 1, 1, tzinfo=timezone.utc)]
ACTIONS = [a.value for a in (ODRL.print, ODRL.read, ODRL.distribute, ODRL.reproduce, TDM.mine, ODRL.archive)]
CONTEXTS = [{}, {ODRL["count"].value: 60}, {ODRL.deliveryChannel.value: IRI("https://w3id.org/rightsgraph/ns#Email")}]


def shape(index: PolicyIndex) -> dict:
    """What decisions read from an index, in an order-free form."""
    def rule(r):
        return (str(r.id), r.kind, tuple(sorted(map(str, r.targets))), tuple(sorted(map(str, r.assignees))),
                tuple(sorted(map(str, r.action_iris))), str(r.term_type),
                tuple(sorted((str(e), str(p.id)) for e, p in r.replaced)),
                tuple(sorted(str(x.id) for x in r.overridden_by)), len(r.constraints), len(r.duties))

    def pairs(lst):
        return sorted((str(p.id), str(r.id)) for p, r in lst)

    return {
        "policies": {str(k): (p.kind, p.conflict, repr(p.lifecycle), sorted(rule(r) for r in p.effective_rules),
                              sorted(rule(r) for r in p.effective_obligations))
                     for k, p in index.policies.items()},
        "by_target": {str(t): pairs(v) for t, v in index.by_target.items() if v},
        "by_target_party": {(str(t), str(a)): pairs(v) for t, inner in index.by_target_party.items()
                            for a, v in inner.items() if v},
        "part_of": {str(k): sorted(map(str, v)) for k, v in index.part_of.items() if v},
        "types": {str(k): sorted(map(str, v)) for k, v in index.types.items() if v},
        "issued": {str(k): v for k, v in index.issued.items()},
        "serials": sorted(map(str, index.serials)),
        "rule_terms": {str(k): sorted(map(str, v)) for k, v in index.rule_terms.items() if v},
    }


def answers(index: PolicyIndex, store) -> list:
    resources = [r["r"].value for r in store.query(
        "SELECT DISTINCT ?r WHERE { GRAPH ?g { ?r ?p ?o } FILTER(STRSTARTS(STR(?r), 'http://example.org/lic/')) }")]
    out = []
    for target in sorted(resources)[:40]:
        for action in ACTIONS:
            for who in (EX + "alice", EX + "bob", EX + "libA", None):
                for ctx in CONTEXTS:
                    for when in WHEN:
                        d = decide(index, target, action, who, dict(ctx), at=when)
                        out.append((target, action, who, str(ctx), when.isoformat(), d.decision, d.reason,
                                    sorted(map(str, d.policies or ())), sorted(map(str, d.rules or ()))))
    return out


def same_as_rebuilt(index: PolicyIndex, store) -> list:
    rebuilt = PolicyIndex.from_store(store)
    a, b = shape(index), shape(rebuilt)
    for key in a:
        assert a[key] == b[key], key
    mine = answers(index, store)
    assert mine == answers(rebuilt, store)
    return mine


@pytest.fixture
def service(store, monkeypatch):
    load_files(store, [DATA / "world.ttl"])
    svc = DecisionService(store)
    svc.known_terms(svc.index())
    builds = []
    real = PolicyIndex.from_store.__func__

    def counted(cls, st, **kw):
        builds.append(1)
        return real(cls, st, **kw)
    monkeypatch.setattr(PolicyIndex, "from_store", classmethod(counted))
    svc.builds = builds
    return svc


def refreshed_index(svc) -> PolicyIndex:
    """The service's index after a write, checked to be a refresh; and the known actions,
    left operands and parties it counted again from the refresh, checked against a count
    over the whole index."""
    from rightsgraph.policy import known_terms
    from rightsgraph.policy.known_terms import KnownTerms
    before = len(svc.builds)
    cached = getattr(svc, "_known", None)
    index = svc.index()
    assert len(svc.builds) == before, "the write was not refreshed but rebuilt"
    counted = []
    real = known_terms._Tally.of.__func__
    known_terms._Tally.of = classmethod(lambda cls, idx: counted.append(1) or real(cls, idx))
    try:
        known = svc.known_terms(index)
    finally:
        known_terms._Tally.of = classmethod(real)
    if cached is not None and cached[0] is index._refresh_delta.base():
        assert counted == [], "the known terms were counted over the whole index again"
    whole = KnownTerms(index)
    assert (known.actions, known.left_operands, known.named) == (whole.actions, whole.left_operands, whole.named)
    return index


@pytest.mark.parametrize("sheets", [
    ["journals.yaml"],
    ["journals.yaml", "amendment.yaml"],            # an amendment replaces terms of another licence
    ["master.yaml", "local-b.yaml"],                # a member licence overrides its master's terms
    ["negotiation.yaml", "terminated.yaml", "journals.yaml"],
])
def test_a_licence_import_is_refreshed_into_the_index_as_a_rebuild_would_give_it(service, store, sheets):
    verdicts = set()
    for sheet in sheets:
        import_sheet(store, DATA / sheet)
        verdicts |= {a[5] for a in same_as_rebuilt(refreshed_index(service), store)}
    assert {"permit", "deny"} <= verdicts        # the questions reach the licences' terms


def test_an_amended_licence_replaced_and_its_amendment_dropped_stay_linked_right(service, store):
    import_sheet(store, DATA / "journals.yaml")
    import_sheet(store, DATA / "amendment.yaml")
    service.index()
    import_sheet(store, DATA / "journals.yaml")        # the amended licence again: new rule objects
    same_as_rebuilt(refreshed_index(service), store)
    amendment = [g.value for g in store.graphs() if "amendment" in g.value]
    assert amendment
    apply_update(store, f"DROP GRAPH <{amendment[0]}>")
    same_as_rebuilt(refreshed_index(service), store)
    import_sheet(store, DATA / "master.yaml")
    import_sheet(store, DATA / "local-b.yaml")
    service.index()
    member = [g.value for g in store.graphs() if "licence/" in g.value and "master" not in g.value
              and "journals" not in g.value]
    apply_update(store, f"DROP GRAPH <{member[0]}>")      # the member licence: the master's rules relinked
    same_as_rebuilt(refreshed_index(service), store)


def test_sparql_updates_to_rules_constraints_parties_and_collections_are_refreshed(service, store):
    import_sheet(store, DATA / "journals.yaml")
    service.index()
    # a constraint's right operand changed in place (a blank node of the licence graph)
    apply_update(store, f"""PREFIX odrl: <{ODRL}>
        DELETE {{ GRAPH ?g {{ ?c odrl:rightOperand ?v }} }} INSERT {{ GRAPH ?g {{ ?c odrl:rightOperand 70 }} }}
        WHERE {{ GRAPH ?g {{ ?c odrl:leftOperand odrl:count ; odrl:rightOperand ?v }} }}""")
    index = refreshed_index(service)
    same_as_rebuilt(index, store)
    # a resource moved out of the collection a licence targets, a party into a group
    apply_update(store, f"""PREFIX odrl: <{ODRL}>
        DELETE WHERE {{ GRAPH ?g {{ <{EX}art1> odrl:partOf ?c }} }} ;
        INSERT DATA {{ GRAPH <http://example.org/lic/extra> {{ <{EX}bob> odrl:partOf <{EX}alice> }} }}""")
    same_as_rebuilt(refreshed_index(service), store)
    # a rule added to the default graph
    apply_update(store, f"""PREFIX odrl: <{ODRL}>
        INSERT DATA {{ <{EX}p-extra> a odrl:Set ; odrl:permission [ odrl:target <{EX}art1> ; odrl:action odrl:read ] }}""")
    same_as_rebuilt(refreshed_index(service), store)


def test_a_change_to_the_action_hierarchy_is_rebuilt_not_refreshed(service, store):
    before = len(service.builds)
    apply_update(store, f"""PREFIX odrl: <{ODRL}>
        INSERT DATA {{ GRAPH <http://example.org/lic/vocab> {{ <{EX}skim> odrl:includedIn odrl:read }} }}""")
    index = service.index()
    assert len(service.builds) == before + 1
    assert f"{EX}skim" in {str(a) for a in index.action_ancestors(f"{EX}skim")}
    assert refreshed(index, store, []) is index       # nothing changed: the same index


def test_a_write_that_does_not_name_its_graphs_is_rebuilt(service, store):
    before = len(service.builds)
    store.update(f"INSERT DATA {{ GRAPH <http://example.org/lic/x> {{ <{EX}x> <{ODRL}partOf> <{EX}y> }} }}")
    write_generation.bump()
    service.index()
    assert len(service.builds) == before + 1


def test_a_reader_process_on_snapshots_refreshes_from_the_graphs_the_writer_published(store, monkeypatch):
    """`serve --workers N`: the writer publishes a snapshot after each write with the graphs
    it changed; a reader moving to it refreshes its index from those graphs."""
    from rightsgraph.store.snapshot_store import SnapshotStore
    from rightsgraph.store.snapshots import publish, publisher
    load_files(store, [DATA / "world.ttl"])
    publish(store)
    reader = SnapshotStore(store.path)
    # (here writer and reader share one process: the writer's listener starts after the
    # reader's first bump, as it would in a process of its own)
    monkeypatch.setattr(write_generation, "_listeners", [publisher(store)])
    svc = DecisionService(reader)
    svc.index()
    builds = []
    real = PolicyIndex.from_store.__func__
    monkeypatch.setattr(PolicyIndex, "from_store", classmethod(lambda cls, st, **kw: builds.append(1) or real(cls, st, **kw)))
    import_sheet(store, DATA / "journals.yaml")
    index = svc.index()
    assert builds == [], "the reader rebuilt its index instead of refreshing it"
    same_as_rebuilt(index, reader)
    d = decide(index, EX + "art1", ODRL.read.value, EX + "alice", {}, at=WHEN[1])
    assert d.decision == "permit", (d.reason, d.policies)
    # a snapshot published without saying what changed: the reader rebuilds
    before = len(builds)
    publish(store)
    svc.index()
    assert len(builds) == before + 1


def test_a_party_named_only_by_a_dropped_policy_is_unknown_again(service, store):
    """The known parties follow a refresh both ways: counted in when a policy names a new
    party, out when the only policy naming it goes (an unknown party is an error, not a deny)."""
    from rightsgraph.policy.known_terms import UnknownTerm
    visitor = EX + "visiting-scholar-7"
    apply_update(store, f"""PREFIX odrl: <{ODRL}>
        INSERT DATA {{ GRAPH <http://example.org/lic/visitors> {{
          <{EX}p-visitors> a odrl:Set ; odrl:permission <{EX}p-visitors-read> .
          <{EX}p-visitors-read> odrl:target <{EX}art1> ; odrl:assignee <{visitor}> ; odrl:action odrl:read }} }}""")
    refreshed_index(service)
    assert visitor in service.known_terms().named
    service.known_terms().check_party(visitor)
    apply_update(store, "DROP GRAPH <http://example.org/lic/visitors>")
    refreshed_index(service)
    assert visitor not in service.known_terms().named
    with pytest.raises(UnknownTerm):
        service.known_terms().check_party(visitor)
