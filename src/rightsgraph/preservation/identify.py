"""Format identification after registration (`rightsgraph preserve identify`).

FIDO needs about 60 ms a file (pure Python, ~1,500 PRONOM signatures), so a large
registration records sizes and digests first and leaves formats to this step, which
runs FIDO on every core (a process per CPU: FIDO holds the GIL) and commits what it
found in batches:

    result = identify(store)                        # every representation not yet identified
    result = identify(store, resource=IRI, tool="magic")

A representation counts as identified once a format-identification event (LoC eventType
`for`) is recorded about it; that event is written after its last batch. Until then each
run picks up the files that still have no dct:format, so an interrupted run loses at
most one batch of work.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from .. import provenance
from ..namespaces import DCT, PREMIS, PROV, RG
from .catalog import copy_rows
from .commit import commit
from .events import event_quads
from .formats import Format, Identifier
from .messages import PreservationError
from .nquads import NQuads, iri, literal
from .vocab import FORMAT_IDENTIFICATION, OBJECTS_GRAPH, SUCCESS, pronom_iri, require_iri

BATCH_FILES = 2000
POOL_MIN_FILES = 32          # fewer files: identify in this process, no pool start-up


@dataclass
class IdentifyResult:
    representations: int = 0
    files: int = 0
    identified: int = 0
    tool: str = ""
    by_format: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict:
        return dict(self.__dict__)


def pending_representations(store, *, representation: str | None = None, resource: str | None = None) -> list[str]:
    """Representations without a format-identification event (of the one given, or of a resource)."""
    where = ""
    if representation:
        where += f" FILTER(?rep = <{representation}>)"
    if resource:
        where += f" ?rep <{DCT.isPartOf.value}> <{resource}> ."
    rows = store.query(f"""SELECT ?rep WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{ ?rep a <{PREMIS.Representation.value}> . {where} }}
        FILTER NOT EXISTS {{ ?e a <{FORMAT_IDENTIFICATION.value}> ; <{PROV.used.value}> ?rep }} }} ORDER BY ?rep""")
    return [r["rep"].value for r in rows]


def identify(store, *, representation: str | None = None, resource: str | None = None, tool: str = "fido",
             workers: int | None = None, agent: str | None = None, batch: int = BATCH_FILES,
             progress: bool = False) -> IdentifyResult:
    """Identify the formats of the files of every representation not identified yet."""
    agent = agent or provenance.default_agent()
    for value, param in ((representation, "--object"), (resource, "--resource")):
        if value:
            require_iri(value, param)
    if representation and not bool(store.query(
            f"ASK {{ GRAPH <{OBJECTS_GRAPH.value}> {{ <{representation}> a <{PREMIS.Representation.value}> }} }}")):
        raise PreservationError("unknown_object", object=representation)
    reps = pending_representations(store, representation=representation, resource=resource)
    local = Identifier(prefer_fido=tool == "fido") if reps else None
    result = IdentifyResult(tool=local.tool if local else "")
    # FIDO holds the GIL: a process per CPU; the magic table needs no pool
    workers = (workers or os.cpu_count() or 1) if local and local.tool.startswith("fido") else 1
    pool = None
    bar = _bar(progress)
    try:
        for rep in reps:
            todo = _files_without_format(store, rep)
            total = _file_count(store, rep)
            if bar is not None:
                bar.total = (bar.total or 0) + len(todo)
                bar.refresh()
            if pool is None and workers > 1 and len(todo) >= POOL_MIN_FILES:
                pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(tool,))
            for i in range(0, len(todo), batch):
                part = todo[i:i + batch]
                found = _identify_paths([p for _f, p in part], local, pool, workers)
                _commit_formats(store, [(f, fmt) for (f, _p), fmt in zip(part, found) if fmt is not None], agent)
                result.files += len(part)
                for fmt in found:
                    if fmt is not None:
                        result.identified += 1
                        result.by_format[fmt.puid] = result.by_format.get(fmt.puid, 0) + 1
                if bar is not None:
                    bar.update(len(part))
            have = total - len(_files_without_format(store, rep))
            now = provenance.now()
            commit(store, event_quads(FORMAT_IDENTIFICATION, [rep], SUCCESS, agent=agent, at=now,
                                      note=f"{have} of {total} file(s) identified by {result.tool}"),
                   agent=agent, via="preservation", name="format identification")
            result.representations += 1
    finally:
        if pool is not None:
            pool.shutdown()
        if bar is not None:
            bar.close()
    return result


def _files_without_format(store, rep: str) -> list[tuple[str, str]]:
    """(file IRI, path of one copy) for the files of `rep` with no dct:format; the copy
    read is the one last found intact, else any."""
    rows = copy_rows(store, where=f"""FILTER(?rep = <{rep}>)
        FILTER NOT EXISTS {{ ?f <{DCT['format'].value}> ?fmt }}""", order="ORDER BY ?f ?status")
    best: dict[str, tuple[str, bool]] = {}
    for r in rows:
        intact = r.status.value == RG.Intact.value
        if r.file not in best or (intact and not best[r.file][1]):
            best[r.file] = (str(r.path), intact)
    return [(f, path) for f, (path, _intact) in best.items()]


def _file_count(store, rep: str) -> int:
    rows = store.query(f"""SELECT (COUNT(?f) AS ?n) WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?f a <{PREMIS.File.value}> ; <{DCT.isPartOf.value}> <{rep}> }} }}""")
    return int(next(iter(rows))["n"].value)


def _commit_formats(store, found: list[tuple[str, Format]], agent: str) -> None:
    if not found:
        return
    g = iri(OBJECTS_GRAPH)
    doc = NQuads()
    seen = {}
    fmt_p, type_p = iri(DCT["format"]), iri("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    for f, fmt in found:
        puid = iri(pronom_iri(fmt.puid))
        doc.add(f"<{f}>", fmt_p, puid, g)
        seen[puid] = fmt.name
    for puid, name in seen.items():
        doc.add(puid, type_p, iri(DCT.FileFormat), g)
        doc.add(puid, iri("http://www.w3.org/2000/01/rdf-schema#label"), literal(name), g)
    commit(store, doc, agent=agent, via="preservation", name="format identification")


# -- the worker side: one Identifier per process, made once ---------------------------------

_worker: Identifier | None = None


def _init_worker(tool: str) -> None:
    global _worker
    _worker = Identifier(prefer_fido=tool == "fido")


def _identify_chunk(paths: list[str]) -> list[Format | None]:
    return [_worker.identify(p) for p in paths]


def _identify_paths(paths: list[str], local: Identifier, pool, workers: int) -> list[Format | None]:
    if pool is None:
        return [local.identify(p) for p in paths]
    size = max(1, len(paths) // (workers * 4))
    chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
    out: list = []
    for part in pool.map(_identify_chunk, chunks):
        out += part
    return out


def _bar(progress: bool):
    if not progress:
        return None
    from tqdm import tqdm
    return tqdm(total=0, unit="file", desc="format identification", leave=False, disable=None)
