"""Format migration (`rightsgraph preserve migrate`): a new representation made from a
registered one, e.g. TIFF masters to JPEG 2000, Word to PDF/A.

    result = migrate(store, SOURCE, "primary/b1-pdfa", library=LIB, command="convert {source} {target}")

1. the licence is asked first: odrl:reproduce with purpose preservation (rights.py), or a
   rights statement listing premis:act migration; a refusal names the clause, and then
   nothing runs and nothing is stored;
2. with `command`, a verified copy of the source is handed to the converter (the
   library's own tool: rightsgraph does not convert formats itself). The command is run
   without a shell; `{source}` and `{target}` in its arguments become the source
   copy's path and the target path;
3. the target is registered as a new representation of the same resource, with
   prov:wasDerivedFrom the source and a PREMIS migration event (prov:used the source,
   prov:generated the new one), in one commit. Without a command the target must already
   hold the migrated files.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .catalog import copy_rows, representation_info
from .hashing import digest_file
from .messages import PreservationError, msg
from .packages import SINGLE_FILE_KINDS
from .registry import register
from .rights import RightsAnswer, RightsChecker


@dataclass
class MigrationResult:
    source: str
    resource: str | None
    rights: RightsAnswer
    detail: str                          # the refusal, or what was registered
    representation: str | None = None    # the new one
    files: int = 0

    @property
    def refused(self) -> bool:
        return not self.rights.permitted

    def to_json(self) -> dict:
        return {"source": self.source, "resource": self.resource, "refused": self.refused,
                "detail": self.detail, "representation": self.representation, "files": self.files,
                "rights": self.rights.to_json()}


def migrate(store, source: str, target, *, library: str | None, command: str | None = None,
            agent: str | None = None, lang: str = "en", identify: str = "auto") -> MigrationResult:
    info = representation_info(store, source)
    if info is None:
        raise PreservationError("unknown_object", object=source)
    answer = RightsChecker(store, library).check(info.resource, "migrate")
    if not answer.permitted:
        return MigrationResult(info.iri, info.resource, answer,
                               refusal(answer, info.resource or info.iri, "migrate", str(target), lang))
    target = Path(target).absolute()
    tool = "files supplied"
    if command:
        if target.exists():
            raise PreservationError("target_exists", path=target)
        folder = verified_folder(store, info.iri)
        _run(command, folder / info.name if info.kind in SINGLE_FILE_KINDS else folder, target)
        tool = f"command: {command}"
    reg = register(store, target, resource=info.resource,
                   kind=info.kind if info.kind in ("store-backup", "document") else None,
                   agent=agent, identify=identify, derived_from=info.iri,
                   migration_note=f"migrated from <{info.iri}> ({tool}); rights: {answer.basis}")
    return MigrationResult(info.iri, info.resource, answer,
                           f"registered <{reg.representation}>, migrated from <{info.iri}>: {reg.files} files "
                           f"at {reg.location}",
                           reg.representation, reg.files)


def verified_folder(store, representation: str) -> Path:
    """The folder of a copy of `representation` whose every file verifies now (size and
    SHA-256); the locations are tried in turn."""
    by_location: dict[str, list] = {}
    for row in copy_rows(store, where=f"FILTER(?rep = <{representation}>)", order="ORDER BY ?lname ?name"):
        by_location.setdefault(row.location, []).append(row)
    tried = []
    for location, rows in by_location.items():
        bad = next((r for r in rows if _differs(r)), None)
        if bad is None:
            return rows[0].folder
        tried.append(f"{location}: {bad.path} does not verify")
    raise PreservationError("no_intact_object", object=representation, checked="; ".join(tried) or "no copy")


def _differs(row) -> bool:
    d = digest_file(row.path)
    return bool(d.error) or d.digests["sha256"] != row.sha256 or d.size != row.size


def _run(command: str, source: Path, target: Path) -> None:
    try:
        args = [a.replace("{source}", str(source)).replace("{target}", str(target)) for a in shlex.split(command)]
    except ValueError as exc:
        raise PreservationError("command_failed", command=command, detail=str(exc)) from None
    try:
        done = subprocess.run(args, capture_output=True, text=True, errors="replace")
    except OSError as exc:
        raise PreservationError("command_failed", command=command, detail=exc.strerror or str(exc)) from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PreservationError("command_failed", command=command,
                                detail=f"exit {done.returncode}" + (": " + " / ".join(tail) if tail else ""))
    if not target.exists():
        raise PreservationError("command_failed", command=command, detail=f"{target} was not written")


def refusal(answer: RightsAnswer, subject: str, action: str, where: str, lang: str) -> str:
    clauses = ("; " + "; ".join(answer.clauses)) if answer.clauses else ""
    return msg("refused", lang, action=msg("action_" + action, lang), resource=subject, location=where,
               reason=answer.reason, clauses=clauses)
