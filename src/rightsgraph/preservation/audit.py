"""Fixity audit: re-read every registered copy (or a cycle's sample), compare its size
and SHA-256 with the registered ones, and record a PREMIS fixity-check event per copy.

    result = audit(store)                      # all copies not yet checked by this run
    result = audit(store, cycle_days=30)       # a 30th of them, the longest unchecked first

Progress is durable: copies are checked in batches, and each batch commits its events,
the copies' new status and the run's counters as one change set. A run that was
interrupted (Ctrl-C, kill, power) is resumed by the next `audit`: it checks the copies
that are still due (last checked before the run started) until the run's quota is met.
Sampling needs no other state: a copy checked in this run is no longer due, and a daily
run of `cycle_days=N` checks each copy at least once every N days.
"""

from __future__ import annotations

import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from pyoxigraph import Literal, NamedNode, Quad

from .. import provenance
from ..namespaces import PROV, RDF, RG, XSD
from .catalog import CopyRow, copy_rows, count_copies, registered_names
from .commit import commit
from .events import event_quads
from .hashing import digest_many
from .registry import dt
from .vocab import FAILURE, FIXITY_CHECK, OBJECTS_GRAPH, SUCCESS, WARNING, events_graph

BATCH_COPIES = 5000
BATCH_BYTES = 2 * 1024 ** 3


@dataclass
class Finding:
    kind: str            # "changed" | "missing" | "unreadable" | "unexpected"
    path: str
    detail: str
    copy: str | None = None


@dataclass
class AuditResult:
    run: str
    resumed: bool
    quota: int
    checked: int = 0           # by this invocation
    run_checked: int = 0       # by the run so far
    intact: int = 0
    bytes: int = 0
    seconds: float = 0.0
    complete: bool = False
    interrupted: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def damaged(self) -> bool:
        return bool(self.findings)

    def to_json(self) -> dict:
        return {"run": self.run, "resumed": self.resumed, "quota": self.quota, "checked": self.checked,
                "run_checked": self.run_checked, "intact": self.intact, "bytes": self.bytes,
                "seconds": round(self.seconds, 3), "complete": self.complete, "interrupted": self.interrupted,
                "findings": [f.__dict__ for f in self.findings]}


def unfinished_run(store) -> tuple[NamedNode, NamedNode, dict] | None:
    rows = list(store.query(f"""SELECT ?run ?g ?t ?quota ?checked ?found WHERE {{ GRAPH ?g {{
        ?run a <{RG.AuditRun.value}> ; <{PROV.startedAtTime.value}> ?t ; <{RG.auditQuota.value}> ?quota ;
             <{RG.auditChecked.value}> ?checked ; <{RG.auditFindings.value}> ?found .
        FILTER NOT EXISTS {{ ?run <{PROV.endedAtTime.value}> ?end }} }} }} ORDER BY DESC(?t) LIMIT 1"""))
    if not rows:
        return None
    r = rows[0]
    return r["run"], r["g"], {"started": r["t"], "quota": r["quota"], "checked": r["checked"], "found": r["found"]}


def audit(store, *, cycle_days: int | None = None, new: bool = False, workers: int | None = None,
          progress: bool = False, agent: str | None = None, batch_copies: int = BATCH_COPIES,
          batch_bytes: int = BATCH_BYTES, stop: threading.Event | None = None) -> AuditResult:
    """Run (or resume) an audit; see the module doc. `stop` lets a caller interrupt it
    between batches (tests; a signal handler)."""
    agent = agent or provenance.default_agent()
    workers = workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    current = None if new else unfinished_run(store)
    if current is None:
        run, graph, state = _start_run(store, cycle_days, agent)
        resumed = False
    else:
        run, graph, state = current
        resumed = True
    started = datetime.fromisoformat(state["started"].value)
    quota = int(state["quota"].value)
    result = AuditResult(run.value, resumed, quota, run_checked=int(state["checked"].value))
    bar = _progress_bar(progress, quota, result.run_checked)
    seen_folders: set[tuple[str, str]] = set()
    try:
        while result.run_checked < quota:
            if stop is not None and stop.is_set():
                result.interrupted = True
                break
            rows = _due(store, started, min(quota - result.run_checked, batch_copies), batch_bytes)
            if not rows:
                break
            checks = list(zip(rows, digest_many([r.path for r in rows], ("sha256",), workers=workers)))
            unexpected = _unexpected_files(store, rows, seen_folders)
            state = _commit_batch(store, run, graph, state, checks, unexpected, agent, result)
            if bar is not None:
                bar.update(len(rows))
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if bar is not None:
            bar.close()
    if not result.interrupted:
        _finish_run(store, run, graph, agent)
        result.complete = True
    result.seconds = time.perf_counter() - t0
    return result


def _start_run(store, cycle_days: int | None, agent: str):
    now = provenance.now()
    total = count_copies(store)
    quota = total if not cycle_days else math.ceil(total / cycle_days)
    run = NamedNode(f"urn:uuid:{uuid.uuid4()}")
    g = events_graph(now)
    state = {"started": Literal(now.isoformat(), datatype=XSD.dateTime),
             "quota": Literal(str(quota), datatype=XSD.integer),
             "checked": Literal("0", datatype=XSD.integer), "found": Literal("0", datatype=XSD.integer)}
    quads = [Quad(run, RDF.type, RG.AuditRun, g), Quad(run, RDF.type, PROV.Activity, g),
             Quad(run, PROV.startedAtTime, state["started"], g),
             Quad(run, PROV.wasAssociatedWith, provenance.agent_node(agent), g),
             Quad(run, RG.auditQuota, state["quota"], g), Quad(run, RG.auditChecked, state["checked"], g),
             Quad(run, RG.auditFindings, state["found"], g)]
    if cycle_days:
        quads.append(Quad(run, RG.cycleDays, Literal(str(cycle_days), datatype=XSD.integer), g))
    commit(store, quads, agent=agent, via="preservation", name="audit run")
    return run, g, state


def _due(store, started: datetime, limit: int, max_bytes: int) -> list[CopyRow]:
    rows = copy_rows(store, where=f"FILTER(?checked < {dt(started)})", order="ORDER BY ?checked ?c", limit=limit)
    out, total = [], 0
    for r in rows:
        if out and total + r.size > max_bytes:
            break
        out.append(r)
        total += r.size
    return out


def _check(row: CopyRow, d) -> tuple[NamedNode, NamedNode, str | None, Finding | None]:
    """(status, outcome, note, finding) of one copy."""
    where = str(row.path)
    if d.error == "missing":
        return RG.Missing, FAILURE, f"missing: {where}", Finding("missing", where, "no file", row.copy)
    if d.error:
        return RG.Damaged, FAILURE, f"unreadable: {where}: {d.error}", Finding("unreadable", where, d.error, row.copy)
    found = d.digests["sha256"]
    if found != row.sha256 or d.size != row.size:
        detail = f"sha256 {found} ({d.size} bytes), registered {row.sha256} ({row.size} bytes)"
        return RG.Damaged, FAILURE, f"changed: {where}: {detail}", Finding("changed", where, detail, row.copy)
    return RG.Intact, SUCCESS, None, None


def _unexpected_files(store, rows: list[CopyRow], seen: set) -> list[tuple[CopyRow, list[str]]]:
    """Files in a registered folder (per location) that were never registered; each
    folder is listed once per run invocation. Single registered files share their folder
    with others (so do documents), so only folders, bags and OCFL objects are listed."""
    out = []
    for row in rows:
        key = (row.representation, row.location)
        if key in seen or row.kind in ("file", "document"):
            continue
        seen.add(key)
        folder = row.folder
        if not folder.is_dir():
            continue
        known = registered_names(store, row.representation)
        extra = []
        for dirpath, _dirs, files in os.walk(folder):
            rel = os.path.relpath(dirpath, folder)
            for name in files:
                p = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
                if p not in known:
                    extra.append(p)
        if extra:
            out.append((row, sorted(extra)))
    return out


def _commit_batch(store, run, graph, state, checks, unexpected, agent, result: AuditResult) -> dict:
    now = provenance.now()
    g = OBJECTS_GRAPH
    add, remove = [], []
    stamp = dt(now)
    found_here = 0
    for i, (row, d) in enumerate(checks):
        status, outcome, note, finding = _check(row, d)
        c = NamedNode(row.copy)
        remove += [Quad(c, RG.copyStatus, row.status, g), Quad(c, RG.lastChecked, row.checked, g)]
        add += [Quad(c, RG.copyStatus, status, g), Quad(c, RG.lastChecked, stamp, g)]
        add += event_quads(FIXITY_CHECK, [c], outcome, agent=agent, at=now, note=note, part_of=run,
                           describe_agents=i == 0)
        if finding:
            result.findings.append(finding)
            found_here += 1
        else:
            result.intact += 1
            result.bytes += d.size
    for row, extra in unexpected:
        shown = ", ".join(extra[:20]) + (f" … ({len(extra)} in all)" if len(extra) > 20 else "")
        add += event_quads(FIXITY_CHECK, [NamedNode(row.representation), NamedNode(row.location_iri)], WARNING,
                           agent=agent, at=now, part_of=run, describe_agents=False,
                           note=f"unexpected files in {row.folder}: {shown}")
        result.findings += [Finding("unexpected", str(row.folder / p), "not registered") for p in extra]
        found_here += len(extra)
    checked = int(state["checked"].value) + len(checks)
    found = int(state["found"].value) + found_here
    new_state = dict(state, checked=Literal(str(checked), datatype=XSD.integer),
                     found=Literal(str(found), datatype=XSD.integer))
    remove += [Quad(run, RG.auditChecked, state["checked"], graph), Quad(run, RG.auditFindings, state["found"], graph)]
    add += [Quad(run, RG.auditChecked, new_state["checked"], graph),
            Quad(run, RG.auditFindings, new_state["found"], graph)]
    commit(store, add, remove, agent=agent, via="preservation", started=now, name="fixity audit")
    result.checked += len(checks)
    result.run_checked = checked
    return new_state


def _finish_run(store, run, graph, agent) -> None:
    commit(store, [Quad(run, PROV.endedAtTime, dt(provenance.now()), graph)], agent=agent, via="preservation",
           name="audit run")


def _progress_bar(progress: bool, total: int, done: int):
    if not progress:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=done, unit="copy", desc="fixity audit", leave=False, disable=None)


__all__ = ["audit", "AuditResult", "Finding", "unfinished_run"]
