"""Transfer to a third-party archive (`rightsgraph preserve transfer`): a registered
object is handed to another archive (a national library, CLOCKSS, Portico ...) as a
BagIt bag, the exchange package such archives take in.

    result = transfer(store, OBJECT, archive=ARCHIVE_PARTY, out=OUTBOX, library=LIB)

1. the licence is asked first: odrl:distribute to the archive (odrl:recipient) with
   purpose preservation (rights.py), or a rights statement listing premis:act transfer; a
   refusal names the clause, and then nothing is written;
2. every file is copied from a copy verified just before, and verified again once
   written; the bag is made with the Library of Congress `bagit` library (SHA-256 and
   SHA-512 manifests, the object's IRI as External-Identifier) and validated by it;
3. a PREMIS transfer event is recorded (prov:used the object, rg:transferredTo the
   archive, the bag and its Payload-Oxum in the note). If anything fails, the partial
   bag is removed and nothing is stored.
"""

from __future__ import annotations

import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from .. import provenance
from ..namespaces import RG
from .catalog import CopyRow, copy_rows, representation_info
from .commit import commit
from .events import event_quads
from .messages import PreservationError
from .migrate import refusal
from .repair import _copy_verified
from .rights import RightsAnswer, RightsChecker
from .vocab import SUCCESS, TRANSFER, events_graph, require_iri


@dataclass
class TransferResult:
    source: str
    archive: str
    rights: RightsAnswer
    detail: str
    bag: str | None = None
    files: int = 0
    bytes: int = 0
    event: str | None = None

    @property
    def refused(self) -> bool:
        return not self.rights.permitted

    def to_json(self) -> dict:
        return {"source": self.source, "archive": self.archive, "refused": self.refused, "detail": self.detail,
                "bag": self.bag, "files": self.files, "bytes": self.bytes, "event": self.event,
                "rights": self.rights.to_json()}


def transfer(store, source: str, *, archive: str, out, library: str | None, agent: str | None = None,
             lang: str = "en") -> TransferResult:
    import bagit
    agent = agent or provenance.default_agent()
    require_iri(archive, "--archive")
    info = representation_info(store, source)
    if info is None:
        raise PreservationError("unknown_object", object=source)
    answer = RightsChecker(store, library).check(info.resource, "transfer", recipient=archive)
    if not answer.permitted:
        return TransferResult(info.iri, archive, answer,
                              refusal(answer, info.resource or info.iri, "transfer", f"<{archive}>", lang))
    out = Path(out).absolute()
    if not out.is_dir():
        raise PreservationError("location_root", root=out)
    bag = out / _bag_name(info)
    if bag.exists():
        raise PreservationError("target_exists", path=bag)
    by_file: dict[str, list[CopyRow]] = {}
    for row in copy_rows(store, where=f"FILTER(?rep = <{info.iri}>)", order="ORDER BY ?name ?status ?lname"):
        by_file.setdefault(row.file, []).append(row)
    bag.mkdir()
    try:
        total = 0
        for rows in by_file.values():
            copied = _copy_verified(rows, bag / rows[0].name)
            if not copied.ok:
                raise PreservationError("package", detail=copied.detail)
            total += rows[0].size
        info_fields = {"External-Identifier": info.iri, "External-Description": info.resource or info.kind,
                       "Source-Organization": library or "-", "Bag-Group-Identifier": archive,
                       "Internal-Sender-Identifier": info.name}
        made = bagit.make_bag(str(bag), bag_info=info_fields, checksums=["sha256", "sha512"])
        made.validate()
    except bagit.BagError as exc:
        shutil.rmtree(bag, ignore_errors=True)
        raise PreservationError("package", detail=f"{bag}: the bag does not validate: {exc}") from None
    except BaseException:
        shutil.rmtree(bag, ignore_errors=True)
        raise
    now = provenance.now()
    event = NamedNode(f"urn:uuid:{uuid.uuid4()}")
    oxum = made.info.get("Payload-Oxum", "")
    quads = event_quads(TRANSFER, [NamedNode(info.iri)], SUCCESS, agent=agent, at=now, iri=event.value,
                        note=f"BagIt bag {bag} ({len(by_file)} files, {total} bytes, Payload-Oxum {oxum}) "
                             f"for <{archive}>; rights: {answer.basis}")
    quads.append(Quad(event, RG.transferredTo, NamedNode(archive), events_graph(now)))
    try:
        commit(store, quads, agent=agent, via="preservation", started=now, name="transfer")
    except BaseException:
        shutil.rmtree(bag, ignore_errors=True)      # nothing recorded: nothing handed over
        raise
    return TransferResult(info.iri, archive, answer, f"bag {bag}: {len(by_file)} files, {total} bytes",
                          str(bag), len(by_file), total, event.value)


def _bag_name(info) -> str:
    """A folder name for the bag: the object's name and the end of its IRI."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", info.name).strip("-") or "object"
    return f"{stem}-{info.iri.rsplit(':', 1)[-1][:8]}"
