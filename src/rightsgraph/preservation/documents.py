"""The construction archive (national guide art. 6.4): documents attached to licences and
acquisitions (the signed contract, the acceptance report, the term sheet as received),
kept with their fixity and audited and repaired like content.

    attach(store, "signed/L01.pdf", of=LICENCE, doc_type="contract")
    documents(store, of=LICENCE)

A document is registered as a preserved object of kind "document" (one file) that is
rg:documentOf the licence or acquisition, with its rg:documentType. A file already
inside a storage location is registered where it is; any other file is first copied
(and verified) into `<location>/construction-archive/<what it documents>/`. A term sheet
attached to a licence is compared with the digest that the licence's term-sheet import
recorded (licences/registry.py), so the archive shows whether it keeps the file imported.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..namespaces import DCT, PREMIS, PROV, PROVENANCE_GRAPH, RDF, RG, absolute_iri
from .hashing import digest_file
from .locations import locations
from .messages import PreservationError
from .registry import Registered, register
from .vocab import OBJECTS_GRAPH, require_iri

DOC_TYPES = {"contract": RG.SignedContract, "acceptance-report": RG.AcceptanceReport,
             "term-sheet": RG.TermSheetAsReceived, "other": RG.OtherDocument}
DOC_TYPE_NAMES = {v.value: k for k, v in DOC_TYPES.items()}
ARCHIVE_FOLDER = "construction-archive"


@dataclass
class Attached:
    registered: Registered
    path: str
    of: str
    doc_type: str
    copied: bool                      # copied into the archive folder (else registered in place)
    term_sheet_check: str | None = None   # for a term sheet: "matches" or why not


def attach(store, path, *, of: str, doc_type: str, location: str | None = None, agent: str | None = None) -> Attached:
    """Attach the file `path` to the licence or acquisition `of`. Raises PreservationError;
    nothing is stored (and nothing copied is left behind) then."""
    from ..acquisitions.records import acquisition_iri
    if doc_type not in DOC_TYPES:
        raise PreservationError("doc_type", doc_type=doc_type, known=", ".join(DOC_TYPES))
    src = Path(path).absolute()
    if not src.is_file():
        raise PreservationError("package", detail=f"{src}: not a readable file")
    kind = _kind_of(store, of)
    if kind is None and "://" not in of and not of.startswith("urn:"):
        of = acquisition_iri(of)             # an acquisition given by its identifier
        kind = _kind_of(store, of)
    if kind is None:
        raise PreservationError("doc_of", of=of)
    known = locations(store)
    inside = [loc for loc in known.values() if loc.contains(src)]
    copied = False
    if inside and (location is None or location in {loc.name for loc in inside}):
        target = src                          # already in preserved storage: registered where it is
    else:
        loc = _archive_location(known, location)
        location = loc.name
        target = loc.root / ARCHIVE_FOLDER / _slug(of) / src.name
        copied = _copy_in(src, target)
    check = _term_sheet_check(store, of, target) if doc_type == "term-sheet" and kind == "licence" else None
    try:
        reg = register(store, target, resource=None, kind="document", location=location, agent=agent,
                       identify="auto", document_of=of, document_type=DOC_TYPES[doc_type].value)
    except BaseException:
        if copied:
            target.unlink(missing_ok=True)
        raise
    return Attached(reg, str(target), of, doc_type, copied, check)


def documents(store, *, of: str | None = None) -> list[dict]:
    """The documents of the construction archive (of one licence or acquisition), with
    their copies' status."""
    where = f"FILTER(?of = <{require_iri(of, '--of')}>)" if of else ""
    rows = store.query(f"""SELECT ?rep ?of ?type ?name ?size ?digest ?created
        (GROUP_CONCAT(STR(?status); separator=" ") AS ?statuses) WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?rep <{RG.documentOf.value}> ?of ; <{RG.documentType.value}> ?type ; <{DCT.created.value}> ?created .
        ?f <{DCT.isPartOf.value}> ?rep ; <{PREMIS.originalName.value}> ?name ; <{PREMIS.size.value}> ?size ;
           <{PREMIS.fixity.value}> ?fx . ?fx a <http://id.loc.gov/vocabulary/preservation/cryptographicHashFunctions/sha256> ;
           <{RDF.value.value}> ?digest .
        OPTIONAL {{ ?c <{RG.copyOf.value}> ?f ; <{RG.copyStatus.value}> ?status }} {where} }} }}
        GROUP BY ?rep ?of ?type ?name ?size ?digest ?created ORDER BY ?of ?created ?rep""")
    return [{"document": r["rep"].value, "of": r["of"].value, "type": DOC_TYPE_NAMES.get(r["type"].value, r["type"].value),
             "name": r["name"].value, "size": int(r["size"].value), "sha256": r["digest"].value,
             "attached": r["created"].value,
             "copies": sorted(s.rsplit("#", 1)[-1].lower() for s in r["statuses"].value.split())}
            for r in rows]


def _kind_of(store, iri: str) -> str | None:
    if not absolute_iri(iri):
        return None
    for kind, cls in (("licence", RG.Licence), ("acquisition", RG.Acquisition)):
        if store.query(f"ASK {{ <{iri}> a <{cls.value}> }}"):
            return kind
    return None


def _archive_location(known: dict, name: str | None):
    if name is not None:
        if name not in known:
            raise PreservationError("unknown_location", name=name, known=", ".join(sorted(known)) or "-")
        return known[name]
    primary = sorted((loc for loc in known.values() if loc.role == "primary"), key=lambda x: x.name)
    if not primary:
        raise PreservationError("no_primary")
    return primary[0]


def _slug(iri: str) -> str:
    tail = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-") or "document"


def _copy_in(src: Path, target: Path) -> bool:
    """Copy `src` to `target` through a temporary file, verified; an identical file
    already there is kept (True: this call wrote it)."""
    want = digest_file(src)
    if want.error:
        raise PreservationError("unreadable_file", path=src, error=want.error)
    if target.exists():
        have = digest_file(target)
        if have.digests == want.digests:
            return False
        raise PreservationError("target_exists", path=target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.rg-{uuid.uuid4().hex[:8]}.tmp"
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        got = digest_file(tmp)
        if got.digests != want.digests:
            raise PreservationError("copy_not_verified", path=target)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _term_sheet_check(store, licence: str, path: Path) -> str:
    """Whether `path` is the term sheet the licence was imported from (by SHA-256)."""
    digest = digest_file(path).digests["sha256"]
    rows = list(store.query(f"""SELECT ?name ?d ?t WHERE {{ GRAPH ?lg {{ <{licence}> a <{RG.Licence.value}> }}
        GRAPH <{PROVENANCE_GRAPH.value}> {{ ?act <{PROV.generated.value}> ?lg ; <{RG.loadChannel.value}> "termsheet" ;
            <{PROV.endedAtTime.value}> ?t ; <{PROV.used.value}> ?src .
            ?src <{PREMIS.originalName.value}> ?name ; <{PREMIS.fixity.value}> ?fx . ?fx <{RDF.value.value}> ?d }} }}
        ORDER BY DESC(?t) LIMIT 1"""))
    if not rows:
        return "no term-sheet import recorded for this licence"
    r = rows[0]
    if r["d"].value == digest:
        return f"matches the term sheet imported as {r['name'].value} on {r['t'].value[:10]}"
    return (f"differs from the term sheet imported as {r['name'].value} on {r['t'].value[:10]} "
            f"(sha256 {r['d'].value[:12]}…, this file {digest[:12]}…)")
