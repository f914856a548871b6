"""RDF syntaxes: choosing a parser by file extension or name, and their media types."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import RdfFormat

# Names accepted by `--format`, with the media type and file extensions of each.
FORMATS: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "trig": RdfFormat.TRIG,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
ALIASES = {"ttl": "turtle", "nt": "ntriples", "nq": "nquads", "json-ld": "jsonld",
           "rdf": "rdfxml", "xml": "rdfxml", "owl": "rdfxml", "n-triples": "ntriples",
           "n-quads": "nquads", "rdf/xml": "rdfxml"}
EXTENSIONS = {".ttl": "turtle", ".turtle": "turtle", ".nt": "ntriples", ".nq": "nquads",
              ".trig": "trig", ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdfxml",
              ".xml": "rdfxml", ".owl": "rdfxml"}
QUAD_FORMATS = (RdfFormat.N_QUADS, RdfFormat.TRIG)


class UnknownFormat(ValueError):
    pass


def format_by_name(name: str) -> RdfFormat:
    key = ALIASES.get(name.lower(), name.lower())
    if key not in FORMATS:
        raise UnknownFormat(f"unknown RDF format {name!r}; use one of: {', '.join(FORMATS)}")
    return FORMATS[key]


def format_for_path(path: str | Path, explicit: str | None = None) -> RdfFormat:
    """The parser for `path`: `explicit` (a --format value) wins, else the extension."""
    if explicit:
        return format_by_name(explicit)
    suffixes = Path(path).suffixes
    ext = suffixes[-2] if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if ext.lower() not in EXTENSIONS:
        raise UnknownFormat(f"{path}: cannot tell the RDF syntax from the extension {ext or '(none)'!r}; "
                            f"give --format ({', '.join(FORMATS)})")
    return FORMATS[EXTENSIONS[ext.lower()]]


def is_quad_format(fmt: RdfFormat) -> bool:
    return fmt in QUAD_FORMATS
