"""Shared set-up for the preservation tests: a store with one or two resources, storage
locations in tmp folders, and files to preserve."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat

RES = "https://lib.example/res/1"
RES2 = "https://lib.example/res/2"
WORLD = f"""@prefix rg: <https://w3id.org/rightsgraph/ns#> . @prefix dct: <http://purl.org/dc/terms/> .
<{RES}> a rg:Resource ; dct:title "Book one"@en ; rg:resourceType rg:EBook .
<{RES2}> a rg:Resource ; dct:title "Book two"@en ; rg:resourceType rg:EBook .
""".encode()


def small_world(store) -> None:
    from rightsgraph.loading import load_data
    load_data(store, WORLD, RdfFormat.TURTLE, name="world.ttl", graph=NamedNode("https://lib.example/graph/world"))


def make_folder(root: Path, name: str, files: dict[str, bytes]) -> Path:
    folder = root / name
    for rel, data in files.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return folder


def flip_byte(path: Path, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def quads_count(store) -> int:
    return store.count()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
