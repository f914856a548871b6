"""Redo journal that makes a change set crash-safe on the embedded store.

Oxigraph commits each call (a load, an update, an `extend`) atomically, but a write of
rightsgraph is several calls: empty a graph, load the new data, write the provenance
record. A process killed between two of them left the graph empty, or data without its
provenance. So before touching the store, the whole change set is written to
`<store>.journal/<id>/` and made durable; the folder's rename from `<id>.tmp` is the
commit point. The change is then applied and the folder removed. Whoever opens the store
next finds any folder left behind and applies it again: every step of a change set is
idempotent (store/changeset.py), so the store ends in the new state. A crash before the
rename leaves only a `.tmp` folder, which is discarded: the store is in the old state.

An entry that cannot be applied (its files damaged on disk, a disk full at every try) is
not skipped: skipping it could leave a graph emptied by the killed process and lose the
write. The store refuses to open, naming the entry, until an administrator restores a
backup or sets the entry aside (`rightsgraph recover --set-aside`): it is then moved,
whole, to `<store>.journal-set-aside/` for inspection, and the store opens as it is.

Layout of one entry: `plan.json` (graphs to clear, files, the provenance record),
`remove.nq` and `add.nq` (exact quads, blank-node identifiers kept), `files/` (copies of
the files to bulk-load, so the source may change or go away meanwhile).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from ..provenance import LoadRecord
from .changeset import ChangeSet, FileLoad


def journal_dir(store_path: Path) -> Path:
    return store_path.parent / (store_path.name + ".journal")


def write(root: Path, change: ChangeSet) -> Path:
    """Make `change` durable in a new journal entry; returns the entry's folder. The
    returned entry's files are the journal's own copies."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
    tmp = root / (name + ".tmp")
    (tmp / "files").mkdir(parents=True)
    files = []
    for i, f in enumerate(change.files):
        copy = tmp / "files" / f"{i}.rdf"
        if f.data is not None:
            copy.write_bytes(f.data)
        else:
            shutil.copyfile(f.path, copy)
        fsync_path(copy)
        files.append({"name": copy.name, "format": f.fmt.media_type, "graph": _graph_out(f.graph),
                      "base": f.base_iri})
    for part, quads in (("remove", change.remove), ("add", change.add)):
        if quads:
            path = tmp / f"{part}.nq"
            path.write_bytes(ox.serialize(quads, format=RdfFormat.N_QUADS))
            fsync_path(path)
    plan = {"clear": [_graph_out(g) for g in change.clear], "files": files,
            "record": change.record.to_json() if change.record else None}
    (tmp / "plan.json").write_text(json.dumps(plan))
    fsync_path(tmp / "plan.json")
    fsync_path(tmp)
    entry = root / name
    tmp.rename(entry)          # the commit point
    fsync_path(root)
    return entry


def read(entry: Path) -> ChangeSet:
    plan = json.loads((entry / "plan.json").read_text())
    files = [FileLoad(entry / "files" / f["name"], RdfFormat.from_media_type(f["format"]), _graph_in(f["graph"]),
                      f["base"]) for f in plan["files"]]
    parts = {p: list(ox.parse(path=str(entry / f"{p}.nq"), format=RdfFormat.N_QUADS))
             if (entry / f"{p}.nq").exists() else [] for p in ("remove", "add")}
    record = LoadRecord.from_json(plan["record"]) if plan["record"] else None
    return ChangeSet(clear=[_graph_in(g) for g in plan["clear"]], remove=parts["remove"], add=parts["add"],
                     files=files, record=record)


def pending(root: Path) -> list[Path]:
    """Committed entries not yet applied, oldest first; unfinished (`.tmp`) ones are
    discarded: their change never reached the store."""
    if not root.is_dir():
        return []
    entries = []
    for p in sorted(root.iterdir()):
        if p.name.endswith(".tmp"):
            shutil.rmtree(p, ignore_errors=True)
        elif (p / "plan.json").is_file():
            entries.append(p)
    return entries


def discard(entry: Path) -> None:
    shutil.rmtree(entry)
    try:
        entry.parent.rmdir()       # an empty journal leaves no folder behind in the data dir
    except OSError:
        fsync_path(entry.parent)       # other entries remain
    else:
        fsync_path(entry.parent.parent)


def set_aside_dir(store_path: Path) -> Path:
    return store_path.parent / (store_path.name + ".journal-set-aside")


def set_aside(entry: Path, store_path: Path) -> Path:
    """Move an entry that cannot be applied out of the journal, whole; returns where."""
    target = set_aside_dir(store_path)
    target.mkdir(parents=True, exist_ok=True)
    moved = target / entry.name
    entry.rename(moved)
    fsync_path(target)
    try:
        entry.parent.rmdir()
    except OSError:
        pass
    return moved


def describe(entry: Path) -> str:
    """What an entry would have changed, as far as its plan can be read (for the admin)."""
    try:
        plan = json.loads((entry / "plan.json").read_text())
    except (OSError, ValueError) as exc:
        return f"plan unreadable: {exc}"
    named = {g for g in plan.get("clear", []) if g} | {f.get("graph") for f in plan.get("files", []) if f.get("graph")}
    parts = ["graphs " + ", ".join(f"<{g}>" for g in sorted(named))] if named else []
    if any(g is None for g in plan.get("clear", [])) or any(not f.get("graph") for f in plan.get("files", [])):
        parts.append("the default graph")
    if plan.get("record"):
        parts.append("with a provenance record")
    return "; ".join(parts) or "quads only"


def _graph_out(graph) -> str | None:
    return graph.value if isinstance(graph, NamedNode) else None


def _graph_in(value: str | None):
    return NamedNode(value) if value is not None else ox.DefaultGraph()


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


__all__ = ["journal_dir", "write", "read", "pending", "discard", "set_aside", "set_aside_dir", "describe"]
