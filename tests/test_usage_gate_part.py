"""What the SHACL gate sees of a usage cube (usage/cube.py, docs/usage.md "What the gate
sees"): a part of it, chosen so that the gate's result on that part is its result on the
whole cube. Checked on every COUNTER sample of the suite, and on cubes built from bad
reports without the importer's checks, where the shapes alone would stand between them and
the store; and the store still receives the whole cube."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

SUITE = Path(__file__).resolve().parent / "conformance" / "suites" / "counter"
TRJ1 = SUITE / "r51" / "TRJ1_sample_r51.tsv"        # rows 16-17: Title 3, Total / Unique_Item_Requests
RG = "https://w3id.org/rightsgraph/ns#"
QB = "http://purl.org/linked-data/cube#"
# the tabular and JSON samples (the CSV and Excel copies hold the same reports: test_usage_samples)
SAMPLES = sorted(p for d in ("r5", "r51", "other") for p in (SUITE / d).iterdir() if p.suffix in (".tsv", ".json"))


def _results(text: str, graph: str, store) -> list[tuple]:
    """The gate's results on `text`, an observation (blank node) named by its series and month."""
    from rightsgraph.system_graphs import default_gate, ontology_store
    staging = ox.Store()
    staging.bulk_load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    report = default_gate().validate(staging, context=store, ontology=ontology_store())

    def name(term):
        if isinstance(term, ox.BlankNode):
            row = next(iter(staging.query(f"""SELECT ?s ?m WHERE {{ GRAPH ?g {{ ?s <{QB}observation> ?o .
                OPTIONAL {{ ?o <{RG}usageMonth> ?m }} FILTER(STR(?o) = "{term.value}") }} }}""")), None)
            if row is None:
                return ("blank", None)
            return ("observation", row["s"].value, row["m"].value if row["m"] else None)
        return str(term)
    return sorted((name(r.focus_node), r.result_path, name(r.value) if isinstance(r.value, ox.BlankNode)
                   else str(r.value), str(r.source_shape), r.source_constraint_component, r.severity,
                   str(r.source_constraint))
                  for r in report.results)


def _cube(path: Path):
    from rightsgraph.usage import cube
    from rightsgraph.usage.reader import read_report
    return cube.to_cube(read_report(path))      # not checked: the gate alone judges it


def _edit(tmp_path: Path, old: str, new: str) -> Path:
    text = TRJ1.read_text(encoding="utf-8-sig")
    assert old in text
    out = tmp_path / TRJ1.name
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_gate_judges_the_part_as_it_judges_the_whole(store, sample):
    from rightsgraph.usage.reader import CounterError
    try:
        c = _cube(sample)
    except CounterError:
        pytest.skip("not readable as a COUNTER report (a validator case)")
    assert _results(c.staged, c.graph, store) == _results(c.ntriples, c.graph, store)


def test_the_part_is_smaller_and_the_store_receives_the_whole(store):
    from rightsgraph.usage.importing import import_reports
    c = _cube(TRJ1)
    staged = c.staged.count(f"<{QB}observation>")
    assert c.observations > 2 * c.series and staged == c.series     # one observation per series
    res = import_reports(store, [TRJ1])
    g = ox.NamedNode(c.graph)
    assert store.count(g) == c.triples
    n = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{c.graph}> {{ ?s <{QB}observation> ?o . "
                              f"?o <{RG}usageMonth> ?m ; <{RG}usageCount> ?c }} }}")))["n"].value
    assert int(n) == c.observations == res.observations
    # the provenance record counts what the graph received, not what the gate saw
    loaded = [int(r["n"].value) for r in store.query(f"""SELECT ?n WHERE {{ GRAPH ?p {{
        ?gen <http://www.w3.org/ns/prov#entity> <{c.graph}> ; <http://rdfs.org/ns/void#triples> ?n }} }}""")]
    assert loaded == [c.triples]


@pytest.mark.parametrize("old,new,component", [
    # Unique_Item_Requests above Total_Item_Requests in January (926 > 526): the whole group is staged
    ("Unique_Item_Requests\t3792\t226", "Unique_Item_Requests\t4492\t926", "SPARQLConstraintComponent"),
    # ... in a later month than the first, which only the importer's own check looks at otherwise
    ("Unique_Item_Requests\t3792\t226\t372", "Unique_Item_Requests\t4292\t226\t872", "SPARQLConstraintComponent"),
    # a negative count in a later month
    ("Unique_Item_Requests\t3792\t226\t372", "Unique_Item_Requests\t3048\t226\t-372", "MinInclusiveConstraintComponent"),
])
def test_bad_cubes_get_the_same_results_from_the_part(store, tmp_path, old, new, component):
    c = _cube(_edit(tmp_path, old, new))
    part, whole = _results(c.staged, c.graph, store), _results(c.ntriples, c.graph, store)
    assert part == whole
    assert any(r[4].endswith(component) for r in whole), whole


def test_a_month_outside_the_reporting_period_is_staged(store, tmp_path):
    # the header now ends in November; the December column stays
    c = _cube(_edit(tmp_path, "End_Date=2022-12-31", "End_Date=2022-11-30"))
    part, whole = _results(c.staged, c.graph, store), _results(c.ntriples, c.graph, store)
    assert part == whole
    assert any("MonthInReportingPeriod" in r[6] for r in whole), whole
