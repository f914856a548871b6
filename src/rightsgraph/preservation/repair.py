"""Replication and repair: a copy is only ever written from a source verified just
before, to a temporary file beside the target that is verified again and then renamed
over it. A damaged file is replaced only by a verified good copy; with no good source
nothing is touched and a failed recovery event is recorded.

    replicate(store, "replica-1", library=IRI)   # every file without a copy there
    repair(store, library=IRI)                   # every copy found damaged or missing
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from .. import provenance
from ..namespaces import PREMIS, RDF, RG
from .catalog import CopyRow, copy_rows
from .commit import commit
from .events import event_quads
from .hashing import CHUNK, digest_file
from .locations import locations
from .messages import PreservationError, msg
from .registry import dt
from .rights import RightsChecker
from .vocab import FAILURE, OBJECTS_GRAPH, RECOVERY, REPLICATION, SUCCESS, copy_iri

BATCH = 2000


@dataclass
class Outcome:
    path: str
    ok: bool
    detail: str
    resource: str | None = None


@dataclass
class ActionResult:
    done: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)

    def to_json(self) -> dict:
        return {k: [o.__dict__ for o in getattr(self, k)] for k in ("done", "failed", "refused")}


def replicate(store, to: str, *, library: str | None, resource: str | None = None, agent: str | None = None,
              lang: str = "en") -> ActionResult:
    """Copy every registered file that has no copy at location `to` (of `resource` only,
    if given) from a verified intact copy, after the rights check."""
    agent = agent or provenance.default_agent()
    known = locations(store)
    if to not in known:
        raise PreservationError("unknown_location", name=to, known=", ".join(sorted(known)) or "-")
    target = known[to]
    where = f"FILTER NOT EXISTS {{ ?other <{RG.copyOf.value}> ?f ; <{PREMIS.storedAt.value}> <{target.iri}> }}"
    if resource:
        where += f" FILTER(?res = <{resource}>)"
    rows = copy_rows(store, where=where, order="ORDER BY ?f ?status")
    by_file: dict[str, list[CopyRow]] = {}
    for r in rows:
        by_file.setdefault(r.file, []).append(r)
    rights = RightsChecker(store, library)
    result = ActionResult()
    pending: list[Quad] = []
    for file, sources in by_file.items():
        first = sources[0]
        dest_path = target.root / first.object_path / first.name if first.object_path else target.root / first.name
        answer = rights.check(first.resource, "replicate")
        if not answer.permitted:
            result.refused.append(Outcome(str(dest_path), False, _refusal(answer, first.resource, "replicate", to, lang),
                                          first.resource))
            continue
        copied = _copy_verified(sources, dest_path)
        now = provenance.now()
        new_copy = copy_iri(NamedNode(file), to)
        if copied.ok:
            g = OBJECTS_GRAPH
            pending += [Quad(new_copy, RDF.type, RG.Copy, g), Quad(new_copy, RG.copyOf, NamedNode(file), g),
                        Quad(new_copy, PREMIS.storedAt, NamedNode(target.iri), g),
                        Quad(new_copy, RG.copyStatus, RG.Intact, g), Quad(new_copy, RG.lastChecked, dt(now), g),
                        Quad(NamedNode(first.representation), PREMIS.storedAt, NamedNode(target.iri), g)]
            pending += event_quads(REPLICATION, [NamedNode(copied.source)], SUCCESS, agent=agent, at=now,
                                   note=f"copied to {to}: {dest_path} ({answer.basis})",
                                   describe_agents=not pending, generated=[new_copy])
            result.done.append(Outcome(str(dest_path), True, f"from {copied.source_location}", first.resource))
        else:
            pending += event_quads(REPLICATION, [NamedNode(s.copy) for s in sources], FAILURE, agent=agent, at=now,
                                   note=copied.detail, describe_agents=not pending)
            result.failed.append(Outcome(str(dest_path), False, copied.detail, first.resource))
        if len(pending) > BATCH * 20:
            commit(store, pending, agent=agent, via="preservation", name="replication")
            pending = []
    if pending:
        commit(store, pending, agent=agent, via="preservation", name="replication")
    return result


def repair(store, *, library: str | None, resource: str | None = None, agent: str | None = None,
           lang: str = "en") -> ActionResult:
    """Restore every copy last found damaged or missing from an intact copy of the same file."""
    agent = agent or provenance.default_agent()
    where = f"FILTER(?status IN (<{RG.Damaged.value}>, <{RG.Missing.value}>))"
    if resource:
        where += f" FILTER(?res = <{resource}>)"
    broken = copy_rows(store, where=where, order="ORDER BY ?c")
    rights = RightsChecker(store, library)
    result = ActionResult()
    add, remove = [], []
    for row in broken:
        answer = rights.check(row.resource, "repair")
        if not answer.permitted:
            result.refused.append(Outcome(str(row.path), False,
                                          _refusal(answer, row.resource, "repair", row.location, lang), row.resource))
            continue
        sources = [s for s in copy_rows(store, where=f"FILTER(?f = <{row.file}> && ?c != <{row.copy}>)",
                                        order="ORDER BY ?status ?c")]
        copied = _copy_verified(sources, row.path, replace=True)
        now = provenance.now()
        c = NamedNode(row.copy)
        if copied.ok:
            remove += [Quad(c, RG.copyStatus, row.status, OBJECTS_GRAPH), Quad(c, RG.lastChecked, row.checked, OBJECTS_GRAPH)]
            add += [Quad(c, RG.copyStatus, RG.Intact, OBJECTS_GRAPH), Quad(c, RG.lastChecked, dt(now), OBJECTS_GRAPH)]
            add += event_quads(RECOVERY, [NamedNode(copied.source), c], SUCCESS, agent=agent, at=now,
                               note=f"restored {row.path} from {copied.source_location} (verified sha256 {row.sha256})",
                               describe_agents=not add)
            result.done.append(Outcome(str(row.path), True, f"from {copied.source_location}", row.resource))
        else:
            add += event_quads(RECOVERY, [c], FAILURE, agent=agent, at=now, note=copied.detail, describe_agents=not add)
            result.failed.append(Outcome(str(row.path), False, copied.detail, row.resource))
    if add:
        commit(store, add, remove, agent=agent, via="preservation", name="repair")
    return result


@dataclass
class _Copied:
    ok: bool
    detail: str
    source: str | None = None
    source_location: str | None = None


def _copy_verified(sources: list[CopyRow], dest: Path, replace: bool = False) -> _Copied:
    """Verify the sources in turn; copy the first intact one to a temporary file beside
    `dest`, verify that, then rename it into place."""
    checked = []
    for src in sources:
        d = digest_file(src.path)
        if d.error or d.digests["sha256"] != src.sha256 or d.size != src.size:
            checked.append(f"{src.location}: {d.error or 'digest differs'}")
            continue
        if dest.exists() and not replace:
            have = digest_file(dest)
            if not have.error and have.digests["sha256"] == src.sha256:
                return _Copied(True, "already there", src.copy, src.location)
            return _Copied(False, msg("copy_not_verified", path=dest) + f" ({dest} exists and differs)")
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.rg-{uuid.uuid4().hex[:8]}.tmp"
        try:
            written = _stream_copy(src.path, tmp)
            if written != src.sha256:
                checked.append(f"{src.location}: copy did not verify")
                tmp.unlink(missing_ok=True)
                continue
            os.replace(tmp, dest)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            checked.append(f"{src.location}: {exc.strerror or exc}")
            continue
        return _Copied(True, "copied", src.copy, src.location)
    return _Copied(False, msg("no_good_source", path=dest, checked="; ".join(checked) or "no other copy"))


def _stream_copy(src: Path, tmp: Path) -> str:
    """Copy `src` to `tmp`, fsync it, and return the SHA-256 of what is on disk now."""
    with open(src, "rb") as fin, open(tmp, "wb") as fout:
        while True:
            chunk = fin.read(CHUNK)
            if not chunk:
                break
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    d = digest_file(tmp)      # re-read what was written, not what was meant to be
    return d.digests["sha256"] if d.digests else ""


def _refusal(answer, resource, action, location, lang) -> str:
    clauses = ("; " + "; ".join(answer.clauses)) if answer.clauses else ""
    action_name = msg("action_replicate" if action == "replicate" else "action_repair", lang)
    return msg("refused", lang, action=action_name, resource=resource, location=location, reason=answer.reason,
               clauses=clauses)
