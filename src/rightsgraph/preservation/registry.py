"""Register content as PREMIS 3 objects: the intellectual entity is the rg:Resource, the
registered file, folder, bag or OCFL object is a premis:Representation, and each file in
it a premis:File with its size, format (PRONOM) and fixity (SHA-256, plus the digests
the bag or OCFL inventory carries). Each file has one rg:Copy per storage location.

    register(store, "books/b1.pdf", resource="https://.../resource/b1")

Nothing is stored unless the whole path reads, validates (bags, OCFL) and passes the
shapes; an ingestion event (and for bags and OCFL objects a validation event) records it.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from .. import provenance
from ..namespaces import DCT, PREMIS, RDF, RDFS, RG, XSD
from .commit import commit
from .events import event_quads
from .formats import Identifier
from .hashing import digest_many
from .locations import location_for
from .messages import PreservationError
from .packages import PackageError, read_package
from .vocab import (ALGORITHMS, FORMAT_IDENTIFICATION, ID_BASE, INGESTION, OBJECTS_GRAPH, SUCCESS,
                    VALIDATION, copy_iri, file_iri, pronom_iri)

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


def dt(value) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def register(store, path, *, resource: str | None, kind: str | None = None, location: str | None = None,
             identify: str = "fido", agent: str | None = None, workers: int | None = None,
             progress: bool = False) -> Registered:
    """Register `path` (see module doc). Raises PreservationError; nothing is stored then."""
    started = provenance.now()
    agent = agent or provenance.default_agent()
    p = Path(path).absolute()
    if kind != "store-backup" and not resource:
        raise PreservationError("resource_needed")
    if resource and not bool(store.query(f"ASK {{ <{resource}> a <{RG.Resource.value}> }}")):
        raise PreservationError("no_resource", resource=resource)
    loc = location_for(store, p, location)
    try:
        package = read_package(p, kind, validate_workers=workers or 1)
    except PackageError as exc:
        raise PreservationError("package", detail=str(exc)) from None
    folder = p.parent if package.is_single_file else p
    object_path = folder.resolve().relative_to(loc.root).as_posix()
    object_path = "" if object_path == "." else object_path
    existing = _registered_at(store, loc.iri, object_path, package.files if package.is_single_file else None)
    if existing:
        raise PreservationError("already_registered", path=p, object=existing)

    rep = NamedNode(f"{ID_BASE}object:{uuid.uuid4()}")
    g = OBJECTS_GRAPH
    # the algorithms to compute: ours (sha256) and any a manifest carries, in one read
    algorithms = ["sha256"] + sorted({a for d in package.manifest.values() for a in d if a in ALGORITHMS} - {"sha256"})
    paths = [folder / f for f in package.files]
    digests = list(_with_progress(paths, algorithms, workers, progress, "register"))
    identifier = Identifier(prefer_fido=identify == "fido") if identify != "none" else None
    now = provenance.now()
    quads = [
        Quad(rep, RDF.type, PREMIS.Representation, g),
        Quad(rep, PREMIS.originalName, Literal(p.name), g),
        Quad(rep, RG.objectPath, Literal(object_path), g),
        Quad(rep, RG.packageKind, Literal(package.kind), g),
        Quad(rep, PREMIS.storedAt, NamedNode(loc.iri), g),
        Quad(rep, DCT.created, dt(now), g),
    ]
    if resource:
        quads.append(Quad(rep, DCT.isPartOf, NamedNode(resource), g))
    total, identified = 0, 0
    for rel, d in zip(package.files, digests):
        if d.error:
            raise PreservationError("unreadable_file", path=folder / rel, error=d.error)
        for alg, expected in package.manifest.get(rel, {}).items():
            if alg in d.digests and d.digests[alg] != expected.lower():
                raise PreservationError("changed_while_reading", path=folder / rel, algorithm=alg,
                                        expected=expected, found=d.digests[alg])
        f = file_iri(rep.value, rel)
        total += d.size
        quads += [
            Quad(f, RDF.type, PREMIS.File, g),
            Quad(f, PREMIS.originalName, Literal(rel), g),
            Quad(f, PREMIS.size, Literal(str(d.size), datatype=XSD.integer), g),
            Quad(f, DCT.isPartOf, rep, g),
        ]
        for alg, hexdigest in d.digests.items():
            fx = NamedNode(f"{f.value}:fixity:{alg}")
            quads += [Quad(f, PREMIS.fixity, fx, g), Quad(fx, RDF.type, PREMIS.Fixity, g),
                      Quad(fx, RDF.type, ALGORITHMS[alg], g), Quad(fx, RDF.value, Literal(hexdigest), g)]
        if identifier is not None:
            fmt = identifier.identify(folder / rel)
            if fmt is not None:
                identified += 1
                quads += [Quad(f, DCT["format"], pronom_iri(fmt.puid), g),
                          Quad(pronom_iri(fmt.puid), RDF.type, DCT.FileFormat, g),
                          Quad(pronom_iri(fmt.puid), RDFS.label, Literal(fmt.name), g)]
        c = copy_iri(f, loc.name)
        quads += [
            Quad(c, RDF.type, RG.Copy, g),
            Quad(c, RG.copyOf, f, g),
            Quad(c, PREMIS.storedAt, NamedNode(loc.iri), g),
            Quad(c, RG.copyStatus, RG.Intact, g),
            Quad(c, RG.lastChecked, dt(now), g),
        ]
    quads += event_quads(INGESTION, [rep], SUCCESS, agent=agent, at=now,
                         note=f"registered {len(package.files)} file(s), {total} bytes, at location {loc.name}")
    if package.validation:
        quads += event_quads(VALIDATION, [rep], SUCCESS, agent=agent, at=now, note=package.validation)
    if identifier is not None:
        quads += event_quads(FORMAT_IDENTIFICATION, [rep], SUCCESS, agent=agent, at=now,
                             note=f"{identified} of {len(package.files)} file(s) identified by {identifier.tool}")
    commit(store, quads, agent=agent, via="preservation", started=started, name=str(p))
    return Registered(rep.value, package.kind, len(package.files), total, loc.name, package.validation, identified)


def _registered_at(store, location: str, object_path: str, single: list[str] | None) -> str | None:
    """The representation already registered at this place (for a single file: the same file)."""
    rows = store.query(f"""SELECT ?r ?kind ?name WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?r a <{PREMIS.Representation.value}> ; <{PREMIS.storedAt.value}> <{location}> ;
           <{RG.objectPath.value}> {Literal(object_path)} ; <{RG.packageKind.value}> ?kind .
        OPTIONAL {{ ?f <{DCT.isPartOf.value}> ?r ; <{PREMIS.originalName.value}> ?name }} }} }}""")
    for row in rows:
        if single is None or row["kind"].value != "file" or (row["name"] and row["name"].value in single):
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
            total += p.stat().st_size
        except OSError:
            pass
    with tqdm(total=total, unit="B", unit_scale=True, desc=desc, leave=False, disable=None) as bar:
        lock = threading.Lock()

        def advance(n):
            with lock:
                bar.update(n)
        yield from digest_many(paths, algorithms, workers=workers, on_bytes=advance)
