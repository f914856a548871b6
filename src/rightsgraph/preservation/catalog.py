"""Reading what is registered: copies with everything needed to verify them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from ..namespaces import DCT, PREMIS, RDF, RG
from .vocab import HASH, OBJECTS_GRAPH


@dataclass
class CopyRow:
    copy: str
    file: str
    name: str            # path inside the representation
    size: int
    sha256: str
    status: NamedNode
    checked: Literal     # rg:lastChecked as stored (removed exactly when replaced)
    location: str        # location name
    location_iri: str
    root: Path
    object_path: str
    representation: str
    kind: str
    resource: str | None

    @property
    def path(self) -> Path:
        return self.root / self.object_path / self.name if self.object_path else self.root / self.name

    @property
    def folder(self) -> Path:
        return self.root / self.object_path if self.object_path else self.root


def copy_rows(store, *, where: str = "", order: str = "", limit: int | None = None,
              substitutions: dict | None = None) -> list[CopyRow]:
    """Copies with their file, fixity, location and representation. `where` adds graph
    patterns or FILTERs over ?c ?f ?rep ?l ?status ?checked."""
    q = f"""SELECT ?c ?f ?name ?size ?digest ?status ?checked ?lname ?l ?root ?opath ?rep ?kind ?res WHERE {{
        GRAPH <{OBJECTS_GRAPH.value}> {{
          ?c a <{RG.Copy.value}> ; <{RG.copyOf.value}> ?f ; <{PREMIS.storedAt.value}> ?l ;
             <{RG.copyStatus.value}> ?status ; <{RG.lastChecked.value}> ?checked .
          ?f <{PREMIS.originalName.value}> ?name ; <{PREMIS.size.value}> ?size ;
             <{PREMIS.fixity.value}> ?fx ; <{DCT.isPartOf.value}> ?rep .
          ?fx a <{HASH.sha256.value}> ; <{RDF.value.value}> ?digest .
          ?rep <{RG.objectPath.value}> ?opath ; <{RG.packageKind.value}> ?kind .
          OPTIONAL {{ ?rep <{DCT.isPartOf.value}> ?res }}
          ?l <{RG.locationRoot.value}> ?root ; <{RG.locationName.value}> ?lname .
        }} {where} }} {order} {f"LIMIT {int(limit)}" if limit is not None else ""}"""
    out = []
    for r in store.query(q, substitutions=substitutions) if substitutions else store.query(q):
        out.append(CopyRow(r["c"].value, r["f"].value, r["name"].value, int(r["size"].value), r["digest"].value,
                           r["status"], r["checked"], r["lname"].value, r["l"].value, Path(r["root"].value),
                           r["opath"].value, r["rep"].value, r["kind"].value,
                           r["res"].value if r["res"] is not None else None))
    return out


def registered_names(store, representation: str) -> set[str]:
    rows = store.query(f"""SELECT ?name WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?f <{DCT.isPartOf.value}> <{representation}> ; a <{PREMIS.File.value}> ;
           <{PREMIS.originalName.value}> ?name }} }}""")
    return {r["name"].value for r in rows}


def count_copies(store) -> int:
    rows = store.query(f"SELECT (COUNT(?c) AS ?n) WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{ ?c a <{RG.Copy.value}> }} }}")
    return int(next(iter(rows))["n"].value)


@dataclass
class RepresentationInfo:
    iri: str
    name: str
    kind: str
    object_path: str
    resource: str | None
    files: int


def representation_info(store, ref: str) -> RepresentationInfo | None:
    """The representation `ref` names: its IRI, or a resource with exactly one registered
    representation (with several, PreservationError "ambiguous_object" lists them)."""
    from .vocab import require_iri
    require_iri(ref, "OBJECT")
    rows = list(store.query(f"""SELECT ?rep ?name ?kind ?opath ?res (COUNT(?f) AS ?n) WHERE {{
        GRAPH <{OBJECTS_GRAPH.value}> {{
          ?rep a <{PREMIS.Representation.value}> ; <{PREMIS.originalName.value}> ?name ;
               <{RG.packageKind.value}> ?kind ; <{RG.objectPath.value}> ?opath .
          OPTIONAL {{ ?rep <{DCT.isPartOf.value}> ?res }}
          OPTIONAL {{ ?f a <{PREMIS.File.value}> ; <{DCT.isPartOf.value}> ?rep }}
          FILTER(?rep = <{ref}> || ?res = <{ref}>) }} }} GROUP BY ?rep ?name ?kind ?opath ?res"""))
    if not rows:
        return None
    if len(rows) > 1:
        from .messages import PreservationError
        raise PreservationError("ambiguous_object", object=ref, count=len(rows),
                                objects=", ".join(f"<{r['rep'].value}>" for r in rows[:10]))
    r = rows[0]
    return RepresentationInfo(r["rep"].value, r["name"].value, r["kind"].value, r["opath"].value,
                              r["res"].value if r["res"] is not None else None, int(r["n"].value))
