"""Register content as PREMIS 3 objects: the intellectual entity is the rg:Resource, the
registered file, folder, bag or OCFL object is a premis:Representation, and each file in
it a premis:File with its size, format (PRONOM) and fixity (SHA-256, plus the digests
the bag or OCFL inventory carries). Each file has one rg:Copy per storage location.

    register(store, "books/b1.pdf", resource="https://.../resource/b1")

Nothing is stored unless the whole path reads, validates (bags, OCFL) and passes the
shapes; an ingestion event (and for bags and OCFL objects a validation event) records it.
"""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from .. import provenance
from ..namespaces import DCT, PREMIS, PROV, RDF, RDFS, RG, XSD
from ..provenance import agent_node
from .commit import commit
from .events import event_quads
from .formats import Identifier
from .hashing import digest_many
from .locations import location_for
from .messages import PreservationError
from .nquads import NQuads, integer, iri, literal, typed
from .packages import SINGLE_FILE_KINDS, PackageError, read_package
from .vocab import (ALGORITHMS, FORMAT_IDENTIFICATION, ID_BASE, INGESTION, MIGRATION, OBJECTS_GRAPH,
                    SOFTWARE_AGENT, SUCCESS, VALIDATION, file_iri, pronom_iri, require_iri)

# FIDO needs ~60 ms a file: inline for small registrations, `preserve identify` after large ones
FIDO_INLINE_FILES = 100
XSD_DATETIME = XSD.dateTime.value
# the terms a registration writes, in N-Triples form
T_TYPE, T_NAME, T_SIZE = iri(RDF.type), iri(PREMIS.originalName), iri(PREMIS.size)
T_PART_OF, T_STORED_AT, T_CREATED = iri(DCT.isPartOf), iri(PREMIS.storedAt), iri(DCT.created)
T_OBJECT_PATH, T_KIND, T_FORMAT, T_LABEL = iri(RG.objectPath), iri(RG.packageKind), iri(DCT["format"]), iri(RDFS.label)
T_REPRESENTATION, T_FILE, T_FILE_FORMAT = iri(PREMIS.Representation), iri(PREMIS.File), iri(DCT.FileFormat)
T_FIXITY, T_FIXITY_CLASS, T_VALUE = iri(PREMIS.fixity), iri(PREMIS.Fixity), iri(RDF.value)
T_COPY, T_COPY_OF, T_STATUS, T_INTACT, T_CHECKED = (iri(RG.Copy), iri(RG.copyOf), iri(RG.copyStatus), iri(RG.Intact),
                                                   iri(RG.lastChecked))
TERMS_USED = {PREMIS.Representation, PREMIS.File, PREMIS.Fixity, RG.Copy, RG.Intact, DCT.FileFormat,
              *ALGORITHMS.values()}

STATUS = {"intact": RG.Intact, "damaged": RG.Damaged, "missing": RG.Missing}


@dataclass
class Registered:
    representation: str
    kind: str
    files: int
    bytes: int
    location: str
    validation: str | None
    identified: int
    deferred: bool = False      # formats left for `preserve identify`


def dt(value) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def register(store, path, *, resource: str | None, kind: str | None = None, location: str | None = None,
             identify: str = "auto", agent: str | None = None, workers: int | None = None,
             progress: bool = False, derived_from: str | None = None,
             migration_note: str | None = None, document_of: str | None = None,
             document_type: str | None = None) -> Registered:
    """Register `path` (see module doc). Raises PreservationError; nothing is stored then.

    `identify`: "fido", "magic" (the fallback table), "none" (later, with identify.py), or
    "auto": FIDO when the path holds at most FIDO_INLINE_FILES files, else none.
    `derived_from`: the representation this one was migrated from (migrate.py): recorded
    as prov:wasDerivedFrom with a migration event, in the same commit.
    `document_of`, `document_type`: a construction-archive document (documents.py)."""
    started = provenance.now()
    agent = agent or provenance.default_agent()
    p = Path(path).absolute()
    if kind not in ("store-backup", "document") and not resource:
        raise PreservationError("resource_needed")
    if resource and not bool(store.query(f"ASK {{ <{require_iri(resource, '--resource')}> a <{RG.Resource.value}> }}")):
        raise PreservationError("no_resource", resource=resource)
    loc = location_for(store, p, location)
    try:
        package = read_package(p, kind, validate_workers=workers or 1)
    except PackageError as exc:
        raise PreservationError("package", detail=str(exc)) from None
    folder = p.parent if package.is_single_file else p
    object_path = folder.resolve().relative_to(loc.root).as_posix()
    object_path = "" if object_path == "." else object_path
    existing = _registered_at(store, loc.iri, object_path, package.files if package.kind in SINGLE_FILE_KINDS else None)
    if existing:
        raise PreservationError("already_registered", path=p, object=existing)
    for rel in package.files:
        if not _utf8(rel):
            raise PreservationError("file_name", path=os.path.join(os.fsdecode(folder), rel))
    if identify == "auto":
        identify = "fido" if len(package.files) <= FIDO_INLINE_FILES else "none"

    rep = NamedNode(f"{ID_BASE}object:{uuid.uuid4()}")
    # the algorithms to compute: ours (sha256) and any a manifest carries, in one read
    algorithms = ["sha256"] + sorted({a for d in package.manifest.values() for a in d if a in ALGORITHMS} - {"sha256"})
    base = os.fspath(folder)
    digests = list(_with_progress([os.path.join(base, f) for f in package.files], algorithms, workers, progress,
                                  "register"))
    identifier = Identifier(prefer_fido=identify == "fido") if identify != "none" else None
    now = provenance.now()
    doc, outside = _describe(rep, p.name, object_path, package, loc, resource, digests, identifier, folder, now)
    total = sum(d.size for d in digests)
    doc.extend(event_quads(INGESTION, [rep], SUCCESS, agent=agent, at=now,
                           note=f"registered {len(package.files)} file(s), {total} bytes, at location {loc.name}"))
    if package.validation:
        doc.extend(event_quads(VALIDATION, [rep], SUCCESS, agent=agent, at=now, note=package.validation,
                               describe_agents=False))
    if document_of:
        doc.add(iri(rep), iri(RG.documentOf), iri(document_of), iri(OBJECTS_GRAPH))
        doc.add(iri(rep), iri(RG.documentType), iri(document_type), iri(OBJECTS_GRAPH))
        outside.nodes |= {NamedNode(document_of), NamedNode(document_type)}
    if derived_from:
        source = NamedNode(derived_from)
        doc.add(iri(rep), iri(PROV.wasDerivedFrom), iri(source), iri(OBJECTS_GRAPH))
        doc.extend(event_quads(MIGRATION, [source], SUCCESS, agent=agent, at=now, describe_agents=False,
                               generated=[rep], note=migration_note))
        outside.nodes.add(source)
    if identifier is not None:
        doc.extend(event_quads(FORMAT_IDENTIFICATION, [rep], SUCCESS, agent=agent, at=now, describe_agents=False,
                               note=f"{outside.identified} of {len(package.files)} file(s) identified by {identifier.tool}"))
    outside.nodes |= {agent_node(agent), SOFTWARE_AGENT}
    commit(store, doc, agent=agent, via="preservation", started=started, name=str(p),
           context_nodes=sorted(outside.nodes, key=str))
    return Registered(rep.value, package.kind, len(package.files), total, loc.name, package.validation,
                      outside.identified, deferred=identifier is None)


@dataclass
class _Outside:
    nodes: set
    identified: int = 0


def _describe(rep, name, object_path, package, loc, resource, digests, identifier, folder, now):
    """The N-Quads of the representation, its files, their fixity, formats and copies.
    Every node is minted under the new representation's IRI, except those in the
    returned `nodes` (the location, the resource, formats and the terms used)."""
    g = iri(OBJECTS_GRAPH)
    doc = NQuads()
    r, loc_node, stamp = iri(rep), iri(loc.iri), typed(now.isoformat(), XSD_DATETIME)
    head = [(r, T_TYPE, T_REPRESENTATION), (r, T_NAME, literal(name)), (r, T_OBJECT_PATH, literal(object_path)),
            (r, T_KIND, literal(package.kind)), (r, T_STORED_AT, loc_node), (r, T_CREATED, stamp)]
    if resource:
        head.append((r, T_PART_OF, iri(resource)))
    doc.many(g, head)
    outside = _Outside({NamedNode(loc.iri), *TERMS_USED} | ({NamedNode(resource)} if resource else set()))
    copy_suffix = ":at:" + quote(loc.name, safe="")
    fixity_types = {a: iri(ALGORITHMS[a]) for a in ALGORITHMS}
    formats_seen: dict[str, str] = {}
    lines = []
    for rel, d in zip(package.files, digests):
        if d.error:
            raise PreservationError("unreadable_file", path=folder / rel, error=d.error)
        for alg, expected in package.manifest.get(rel, {}).items():
            if alg in d.digests and d.digests[alg] != expected.lower():
                raise PreservationError("changed_while_reading", path=folder / rel, algorithm=alg,
                                        expected=expected, found=d.digests[alg])
        fv = file_iri(rep.value, rel).value
        f, c = f"<{fv}>", f"<{fv}{copy_suffix}>"
        lines += [(f, T_TYPE, T_FILE), (f, T_NAME, literal(rel)), (f, T_SIZE, integer(d.size)), (f, T_PART_OF, r),
                  (c, T_TYPE, T_COPY), (c, T_COPY_OF, f), (c, T_STORED_AT, loc_node), (c, T_STATUS, T_INTACT),
                  (c, T_CHECKED, stamp)]
        for alg, hexdigest in d.digests.items():
            fx = f"<{fv}:fixity:{alg}>"
            lines += [(f, T_FIXITY, fx), (fx, T_TYPE, T_FIXITY_CLASS), (fx, T_TYPE, fixity_types[alg]),
                      (fx, T_VALUE, f'"{hexdigest}"')]
        if identifier is not None:
            fmt = identifier.identify(folder / rel)
            if fmt is not None:
                outside.identified += 1
                puid = iri(pronom_iri(fmt.puid))
                lines.append((f, T_FORMAT, puid))
                formats_seen[puid] = fmt.name
    for puid, fname in formats_seen.items():
        lines += [(puid, T_TYPE, T_FILE_FORMAT), (puid, T_LABEL, literal(fname))]
        outside.nodes.add(NamedNode(puid[1:-1]))
    doc.many(g, lines)
    return doc, outside


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:      # a name that is not UTF-8 on disk (os.fsdecode surrogates)
        return False


def _registered_at(store, location: str, object_path: str, single: list[str] | None) -> str | None:
    """The representation already registered at this place (for a single file: the same file)."""
    rows = store.query(f"""SELECT ?r ?kind ?name WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?r a <{PREMIS.Representation.value}> ; <{PREMIS.storedAt.value}> <{location}> ;
           <{RG.objectPath.value}> {Literal(object_path)} ; <{RG.packageKind.value}> ?kind .
        OPTIONAL {{ ?f <{DCT.isPartOf.value}> ?r ; <{PREMIS.originalName.value}> ?name }} }} }}""")
    for row in rows:
        if single is None or row["kind"].value not in SINGLE_FILE_KINDS or (row["name"] and row["name"].value in single):
            return row["r"].value
    return None


def _with_progress(paths, algorithms, workers, progress: bool, desc: str):
    if not progress:
        yield from digest_many(paths, algorithms, workers=workers)
        return
    from tqdm import tqdm
    total = 0
    for p in paths:
        try:
            total += os.stat(p).st_size
        except OSError:
            pass
    with tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False, disable=None) as bar:
        lock = threading.Lock()

        def advance(n):
            with lock:
                bar.update(n)
        yield from digest_many(paths, algorithms, workers=workers, on_bytes=advance)
