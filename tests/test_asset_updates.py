"""After a term-sheet import, the derived asset classes are what running every rule over the
whole catalogue gives, though only the resources the import can affect were derived again
(reports/asset_updates.py): a librarian editing a licence's end date, status, package or
licensee sees the classes follow at once."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import NamedNode

from rightsgraph.licences.registry import import_sheet
from rightsgraph.reports import asset_updates
from rightsgraph.reports.assets import DERIVED_GRAPH, derive_asset_classes

from .conftest import REPO, load_demo_world

SHEETS = REPO / "data" / "demo" / "termsheets"
EDITS = {   # sheet, then (line, its replacement) pairs
    "an end date for a perpetual licence": ("L02", (r"^status: active$", "status: active\nend: 2030-12-31")),
    "a licence concluded": ("L06", (r"^status: in_negotiation$", "status: active")),
    "a licence rejected": ("L05", (r"^status: expired$", "status: rejected")),
    "another package": ("L04", (r"^target: pkg:northstar-caj$", "target: pkg:northstar-reference")),
    "the consortium as licensee": ("L08", (r"^licensee: party:lib-e$", "licensee: party:dalc")),
    "a new perpetual licence": ("L10", (r"^licence: lic:L10$", "licence: lic:L99"),
                                (r"^rule_prefix: rule:L10-$", "rule_prefix: rule:L99-"), (r"^end: .*$", "")),
}


def _classes(store) -> dict[str, str]:
    return {q.subject.value: q.object.value for q in store.quads(DERIVED_GRAPH)}


@pytest.fixture
def world(tmp_path):
    from rightsgraph.store.embedded import EmbeddedStore
    return load_demo_world(EmbeddedStore(tmp_path / "store"))


def test_the_demo_world_imported_sheet_by_sheet_has_the_classes_of_a_full_derivation(world):
    incremental = _classes(world)
    assert len(incremental) > 900
    derive_asset_classes(world)
    assert _classes(world) == incremental


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_sheet_reimported_gives_the_classes_of_a_full_derivation(world, edit, tmp_path, monkeypatch):
    name, *lines = EDITS[edit]
    edited = (SHEETS / f"{name}.yaml").read_text(encoding="utf-8")
    for pattern, replacement in lines:
        edited, n = re.subn(pattern, replacement, edited, flags=re.M)
        assert n == 1, pattern
    sheet = tmp_path / f"{name}-edited.yaml"
    sheet.write_text(edited, encoding="utf-8")
    before = _classes(world)

    def everything(store):
        raise AssertionError("the import derived every class again")
    monkeypatch.setattr(asset_updates, "derive_asset_classes", everything)
    import_sheet(world, sheet)
    monkeypatch.undo()
    after = _classes(world)
    assert after != before, "the edit should move some resources to another class"
    derive_asset_classes(world)
    assert _classes(world) == after


def test_a_triple_another_graph_still_holds_changes_nothing(world):
    """The union decides: re-importing a sheet unchanged re-derives nothing."""
    g = NamedNode("https://w3id.org/rightsgraph/graph/licence/L01")
    quads = list(world.quads(g))
    assert asset_updates.update_asset_classes(world, g, quads, quads) == 0


PARTIES = "https://w3id.org/rightsgraph/graph/data/parties"
RIGHTS = "https://w3id.org/rightsgraph/graph/data/rights"
RG = "https://w3id.org/rightsgraph/ns#"
BASIS = "http://www.loc.gov/premis/rdf/v3/basis"


@pytest.mark.parametrize("graph, update", [
    # a library is recorded as a consortium too: its licences' resources are consortium-licensed
    (PARTIES, f"INSERT DATA {{ GRAPH <{PARTIES}> {{ <https://demo.rightsgraph.org/party/lib-e> a <{RG}Consortium> }} }}"),
    # a rights statement's basis changes from copyright to statute: legal deposit
    (RIGHTS, f"DELETE {{ GRAPH <{RIGHTS}> {{ ?rs <{BASIS}> ?b }} }} INSERT {{ GRAPH <{RIGHTS}> {{ ?rs <{BASIS}> "
             f"<http://id.loc.gov/vocabulary/preservation/rightsBasis/lic> }} }} WHERE {{ GRAPH <{RIGHTS}> {{ "
             f"VALUES ?rs {{ <https://demo.rightsgraph.org/rights/lib-a-university-journal> }} ?rs <{BASIS}> ?b }} }}"),
], ids=["a party's type", "a rights statement's basis"])
def test_a_change_to_a_party_or_a_rights_statement_reaches_the_resources_it_decides(world, graph, update):
    from rightsgraph.updating import apply_update
    g = NamedNode(graph)
    before_quads = list(world.quads(g))
    before = _classes(world)
    apply_update(world, update)
    assert asset_updates.update_asset_classes(world, g, before_quads, world.quads(g)) > 0
    after = _classes(world)
    assert after != before
    derive_asset_classes(world)
    assert _classes(world) == after
