"""Import COUNTER reports into the store, all or nothing, through the SHACL gate.

    result = import_reports(store, [Path("TR_2025.tsv"), Path("DR_2025.json")])

Every file is read and checked first (reader, checks); one bad cell in one file and
nothing is stored. Each report goes to its own named graph (cube.graph_iri: report type,
creator, institution and months). Importing the same report again replaces its graph, so
a month is never counted twice; so does a report of the same type, creator and
institution whose months cover an older one's. A report that overlaps an imported one
only in part is refused: replacing either would lose or double months.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .. import loading, provenance
from ..parsing import SourceFile
from . import cube, totals
from .checks import check_report
from .reader import CounterError, CounterReport, read_report
from ..translation import both


class UsageRejected(Exception):
    """The gate refused the cube: `report` is the ValidationReport; `where` names the rows."""

    def __init__(self, rejected: loading.LoadRejected, where: dict[str, str]):
        self.report = rejected.report
        self.where = where
        super().__init__(str(rejected))


class UsageConflict(CounterError):
    """The report overlaps an imported one in part."""


@dataclass
class ImportResult:
    graphs: dict = field(default_factory=dict)       # graph -> (report id, observations)
    replaced: list = field(default_factory=list)     # older graphs the import replaced
    observations: int = 0
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)


def read_checked(paths) -> list[tuple[Path, bytes, CounterReport]]:
    """Read and check every file; raise one CounterError per bad file (the first), after
    reading all, so the user sees each file's problems in one run."""
    out, errors = [], []
    for p in map(Path, paths):
        try:
            data = p.read_bytes()
        except OSError as exc:
            errors.append(CounterError(str(p), [("", both("cannot read the file: %(reason)s",
                                                          reason=exc.strerror or exc))]))
            continue
        try:
            report = read_report(p, data)
            check_report(report)
        except CounterError as exc:
            errors.append(exc)
            continue
        out.append((p, data, report))
    if errors:
        raise UsageImportError(errors)
    return out


class UsageImportError(Exception):
    """One or more files were refused; `errors` holds a CounterError per file."""

    def __init__(self, errors: list[CounterError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))

    def lines(self, lang: str = "en", limit: int = 50) -> list[str]:
        out = []
        for e in self.errors:
            out += e.lines(lang, limit)
        return out


def import_reports(store, paths, *, agent: str | None = None, via: str = "cli",
                   reports: list[tuple[str, bytes, CounterReport]] | None = None) -> ImportResult:
    """Import files (or already-read `reports`: (name, bytes, CounterReport)) as one unit."""
    t0 = time.perf_counter()
    started = provenance.now()
    loaded = reports if reports is not None else [(p.name, d, r) for p, d, r in read_checked(paths)]
    t_read = time.perf_counter()
    cubes, seen = [], {}
    for name, _, report in loaded:
        c = cube.to_cube(report)
        if c.graph in seen:
            raise UsageImportError([CounterError(name, [("", both("the same report as %(other)s (same type, creator, "
                                                                  "institution and months)",
                                                                  other=seen[c.graph]))])])
        seen[c.graph] = name
        cubes.append(c)
    replaced = _covered_graphs(store, [r for _, _, r in loaded], [c.graph for c in cubes],
                               [n for n, _, _ in loaded])
    staging = ox.Store()
    reparse = []
    for c in cubes:
        # the gate sees the part of the cube it must (cube.py: the observations left out
        # were checked there against every constraint that reads them); the commit
        # bulk-loads the whole cube
        staging.bulk_load(c.staged.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(c.graph))
        text = c.ntriples.encode("utf-8")
        reparse.append((SourceFile(Path("."), text, "", ox.RdfFormat.N_TRIPLES, display=c.graph),
                        ox.NamedNode(c.graph), c.graph))
    t_cube = time.perf_counter()
    sources = [provenance.SourceRecord(name, hashlib.sha256(data).hexdigest(), len(data)) for name, data, _ in loaded]
    targets = {ox.NamedNode(c.graph) for c in cubes} | {ox.NamedNode(g) for g in replaced}
    try:
        res = loading.commit_staged(store, staging, sources=sources, names=[n for n, _, _ in loaded],
                                    replace=targets, agent=agent, gate=None, started=started, via=via,
                                    reparse=reparse, loaded={ox.NamedNode(c.graph): c.triples for c in cubes})
    except loading.LoadRejected as exc:
        where = {}
        for c in cubes:
            where.update(c.where)
        raise UsageRejected(exc, _locate(exc.report, staging, where)) from None
    t_commit = time.perf_counter()
    totals.write_totals(store, cubes, replaced)
    out = ImportResult(graphs={c.graph: (r.header.report_id, c.observations) for c, (_, _, r) in zip(cubes, loaded)},
                       replaced=sorted(replaced), observations=sum(c.observations for c in cubes))
    out.timings = {"read": t_read - t0, "cube": t_cube - t_read, **res.timings,
                   "totals": time.perf_counter() - t_commit}
    out.seconds = time.perf_counter() - t0
    return out


def _covered_graphs(store, reports: list[CounterReport], graphs: list[str], names: list[str]) -> set[str]:
    """Imported data sets the new reports replace (same identity, months covered); refuse
    partial overlaps."""
    existing = _datasets(store)
    out = set()
    for report, graph, name in zip(reports, graphs, names):
        key = cube.identity(report)
        new = set(report.months())
        for g, (ident, months) in existing.items():
            if g == graph or ident != key or not months & new:
                continue
            if months <= new:
                out.add(g)
            else:
                first, last = min(months), max(months)
                raise UsageImportError([UsageConflict(name, [("Reporting_Period",
                    both("overlaps the imported %(report)s for %(first)s..%(last)s (<%(g)s>) in part: importing it "
                         "would count the shared months twice; import a report covering all those months, or remove "
                         "that one first (rightsgraph usage remove)",
                         report=key[0], first=first, last=last, g=g))])])
    return out


def _datasets(store) -> dict[str, tuple]:
    rows = store.query(f"""SELECT ?g ?rt ?by ?iid ?iname ?b ?e WHERE {{ GRAPH ?g {{
        ?g a <{cube.RG}UsageDataSet> ; <{cube.RG}reportType> ?rt ; <{cube.RG}beginMonth> ?b ; <{cube.RG}endMonth> ?e .
        OPTIONAL {{ ?g <{cube.RG}createdBy> ?by }} OPTIONAL {{ ?g <{cube.RG}institutionId> ?iid }}
        OPTIONAL {{ ?g <{cube.RG}institutionName> ?iname }} }} }}""")
    from .reader import month_range
    out = {}
    for r in rows:
        rid = r["rt"].value[len(cube.C):]
        inst = r["iid"].value if r["iid"] else (r["iname"].value if r["iname"] else "")
        ident = (rid, r["by"].value if r["by"] else "", inst)
        out[r["g"].value] = (ident, set(month_range(r["b"].value, r["e"].value)))
    return out


def _locate(report, staging: ox.Store, where: dict[str, str]) -> dict[str, str]:
    """Focus node -> the row it came from (observations: through their series)."""
    out = {}
    for r in report.results:
        node = r.focus_node
        key = getattr(node, "value", str(node))
        if key in where:
            out[str(node)] = where[key]
            continue
        if isinstance(node, ox.BlankNode):
            for q in staging.quads_for_pattern(None, ox.NamedNode(cube.QB + "observation"), node, None):
                if q.subject.value in where:
                    out[str(node)] = where[q.subject.value]
    return out


def remove_report(store, graph: str) -> int:
    """Remove one imported usage data set (its graph); returns the triples removed."""
    from .. import write_generation
    g = ox.NamedNode(graph)
    if not graph.startswith(cube.USAGE_GRAPH_BASE):
        raise KeyError(f"<{graph}> is not a usage data set graph")
    n = store.count(g)
    if not n:
        raise KeyError(f"no usage data set <{graph}> in the store")
    store.clear_graph(g)
    store.update(provenance.stale_graph_facts_update([g]))
    totals.drop_totals(store, graph)
    write_generation.bump()
    return n


def list_reports(store) -> list[dict]:
    rows = store.query(f"""SELECT ?g ?rt ?rel ?by ?iname ?b ?e (COUNT(?o) AS ?n) WHERE {{ GRAPH ?g {{
        ?g a <{cube.RG}UsageDataSet> ; <{cube.RG}reportType> ?rt ; <{cube.RG}counterRelease> ?rel ;
           <{cube.RG}beginMonth> ?b ; <{cube.RG}endMonth> ?e .
        OPTIONAL {{ ?g <{cube.RG}createdBy> ?by }} OPTIONAL {{ ?g <{cube.RG}institutionName> ?iname }}
        OPTIONAL {{ ?g <{cube.QB}slice> ?s . ?s <{cube.QB}observation> ?o }} }} }}
        GROUP BY ?g ?rt ?rel ?by ?iname ?b ?e ORDER BY ?rt ?b ?g""")
    return [{"graph": r["g"].value, "report": r["rt"].value[len(cube.C):], "release": r["rel"].value,
             "created_by": r["by"].value if r["by"] else None,
             "institution": r["iname"].value if r["iname"] else None,
             "begin": r["b"].value, "end": r["e"].value, "observations": int(r["n"].value)} for r in rows]
