"""Named storage locations (primary, replica 1..n): a premis:StorageLocation with a name,
a root folder on this machine and a role. A registered file has one copy per location."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from ..namespaces import PREMIS, RDF, RG, RDFS
from .commit import commit
from .messages import PreservationError
from .vocab import OBJECTS_GRAPH, location_iri

ROLES = {"primary": RG.PrimaryLocation, "replica": RG.ReplicaLocation}


@dataclass(frozen=True)
class Location:
    iri: str
    name: str
    root: Path
    role: str          # "primary" | "replica"

    def contains(self, path: Path) -> bool:
        try:
            path.resolve().relative_to(self.root)
            return True
        except ValueError:
            return False


def locations(store) -> dict[str, Location]:
    rows = store.query(f"""SELECT ?l ?name ?root ?role WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?l a <{PREMIS.StorageLocation.value}> ; <{RG.locationName.value}> ?name ;
           <{RG.locationRoot.value}> ?root ; <{RG.locationRole.value}> ?role }} }}""")
    by_role = {v.value: k for k, v in ROLES.items()}
    return {r["name"].value: Location(r["l"].value, r["name"].value, Path(r["root"].value),
                                      by_role.get(r["role"].value, "replica")) for r in rows}


def add_location(store, name: str, root: str | os.PathLike, role: str = "replica", *,
                 agent: str | None = None) -> Location:
    known = locations(store)
    if name in known:
        raise PreservationError("location_exists", name=name, root=known[name].root)
    folder = Path(root)
    if not folder.is_dir():
        raise PreservationError("location_root", root=folder)
    loc = Location(location_iri(name).value, name, folder.resolve(), role)
    node, g = NamedNode(loc.iri), OBJECTS_GRAPH
    commit(store, [
        Quad(node, RDF.type, PREMIS.StorageLocation, g),
        Quad(node, RDFS.label, Literal(name), g),
        Quad(node, RG.locationName, Literal(name), g),
        Quad(node, RG.locationRoot, Literal(str(loc.root)), g),
        Quad(node, RG.locationRole, ROLES[role], g),
    ], agent=agent, via="preservation", name=f"location {name}")
    return loc


def location_for(store, path: Path, name: str | None = None) -> Location:
    """The location named `name`, or the one whose root holds `path` (the deepest)."""
    known = locations(store)
    if name is not None:
        if name not in known:
            raise PreservationError("unknown_location", name=name, known=", ".join(sorted(known)) or "-")
        loc = known[name]
        if not loc.contains(path):
            raise PreservationError("outside_location", path=path, name=name, root=loc.root)
        return loc
    holding = [loc for loc in known.values() if loc.contains(path)]
    if not holding:
        raise PreservationError("no_location", path=path)
    return max(holding, key=lambda loc: len(loc.root.parts))
