"""Running SPARQL queries and writing their results in any SPARQL result format or RDF
syntax. Shared by the CLI (`rightsgraph query`) and the HTTP endpoint (`/sparql`)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .input_limits import InputRefused, check_sparql
from .store.base import Store

# Media types we answer with, in order of preference when the client does not care.
TABULAR_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/trig": RdfFormat.TRIG,
    "application/n-quads": RdfFormat.N_QUADS,
}
# Short names for the CLI's --format.
FORMAT_NAMES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
                "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
                "jsonld": "application/ld+json"}


class QuerySyntaxError(ValueError):
    """The query is not valid SPARQL 1.1, or is refused by input_limits."""


@dataclass
class Result:
    kind: str          # "bindings", "boolean" or "graph"
    value: object      # pyoxigraph QuerySolutions, QueryBoolean or QueryTriples


def run(store: Store, sparql: str, *, default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None, base_iri: str | None = None,
        custom_functions: dict | None = None) -> Result:
    """Run a query; protocol-given graphs override FROM / FROM NAMED (SPARQL 1.1 Protocol).
    Relative IRIs resolve against `base_iri` (over HTTP: the endpoint's URL)."""
    try:  # before Oxigraph: a deep enough query overflows its stack and kills the process
        check_sparql(sparql)
    except InputRefused as exc:
        raise QuerySyntaxError(str(exc)) from None
    kwargs = {"base_iri": base_iri} if base_iri else {}
    if custom_functions:
        kwargs["custom_functions"] = custom_functions
    if default_graphs or named_graphs:
        kwargs["default_graph"] = [NamedNode(g) for g in default_graphs or []] or [ox.DefaultGraph()]
        kwargs["named_graphs"] = [NamedNode(g) for g in named_graphs or []]
    try:
        value = store.query(sparql, **kwargs)
    except SyntaxError as exc:
        raise QuerySyntaxError(str(exc)) from None
    except RuntimeError as exc:
        # a function this endpoint does not define (Oxigraph checks them before evaluating):
        # the client's mistake, a 400 like any other unusable query, not a server error
        if "custom function" in str(exc):
            raise QuerySyntaxError(str(exc)) from None
        raise
    if isinstance(value, ox.QueryBoolean):
        return Result("boolean", value)
    if isinstance(value, ox.QueryTriples):
        return Result("graph", value)
    return Result("bindings", value)


def negotiate(accept: str | None, kind: str) -> str | None:
    """The media type to answer with for an Accept header, or None if nothing fits: werkzeug's
    reading of the header (qualities, wildcards, specificity), as for every door. Media-type
    parameters other than q are not matched (`application/sparql-results+json;
    charset=utf-8` is JSON results); a wildcard gets the default first."""
    offered = GRAPH_TYPES if kind == "graph" else TABULAR_TYPES
    default = "text/turtle" if kind == "graph" else "application/sparql-results+json"
    return best_media(accept, [default, *(m for m in offered if m != default)])


def best_media(accept: str | None, choices: list[str]) -> str | None:
    """The first of `choices` (the default) for no Accept header, else the one the header
    prefers (werkzeug's reading: qualities, wildcards, specificity, ties to the earlier
    choice), matched without media-type parameters; None when it accepts none of them."""
    if not accept:
        return choices[0]
    asked = MIMEAccept([(value.split(";", 1)[0].strip().lower(), quality)
                        for value, quality in parse_accept_header(accept, MIMEAccept)])
    return asked.best_match(choices)


def serialize(result: Result, media_type: str) -> bytes:
    if result.kind == "graph":
        return result.value.serialize(format=GRAPH_TYPES[media_type])
    return result.value.serialize(format=TABULAR_TYPES[media_type])


def content_type(media_type: str) -> str:
    return media_type if "charset" in media_type else f"{media_type}; charset=utf-8"


def table(result: Result, limit: int | None = None) -> str:
    """A plain-text table of SELECT results (what a person reads in a terminal)."""
    if result.kind == "boolean":
        return "true" if bool(result.value) else "false"
    if result.kind == "graph":
        return result.value.serialize(format=RdfFormat.TURTLE).decode()
    variables = [v.value for v in result.value.variables]
    rows = []
    for i, sol in enumerate(result.value):
        if limit is not None and i >= limit:
            break
        rows.append([_cell(sol[v]) for v in variables])
    from .text_columns import ljust, width
    widths = [max([width(v)] + [width(r[i]) for r in rows]) for i, v in enumerate(variables)]
    line = lambda cells: " | ".join(ljust(c, w) for c, w in zip(cells, widths))  # noqa: E731
    out = [line(variables), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


class TooManyRows(ValueError):
    """A result larger than the endpoint's row limit."""


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(term) -> dict:
    """An RDF term in the SPARQL 1.1 Query Results JSON form."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def serialize_limited(result: Result, media_type: str, max_rows: int | None) -> bytes:
    """Serialise a result, refusing one with more than `max_rows` rows (or triples):
    a truncated answer would look complete to a client."""
    if result.kind == "boolean" or not max_rows:
        return serialize(result, media_type)
    import json
    if result.kind == "graph":
        triples = []
        for t in result.value:
            triples.append(t)
            if len(triples) > max_rows:
                raise TooManyRows(f"the result has more than {max_rows} triples, the endpoint's limit: "
                                  "narrow the query or page it with LIMIT/OFFSET")
        return ox.serialize(triples, format=GRAPH_TYPES[media_type])
    variables = [v.value for v in result.value.variables]
    rows = []
    for sol in result.value:
        if len(rows) >= max_rows:
            raise TooManyRows(f"the result has more than {max_rows} rows, the endpoint's limit: "
                              "page it with LIMIT/OFFSET")
        rows.append({v: json_term(sol[v]) for v in variables if sol[v] is not None})
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}},
                      ensure_ascii=False, separators=(",", ":")).encode()
    fmt = TABULAR_TYPES[media_type]
    if fmt == QueryResultsFormat.JSON:
        return body
    return ox.parse_query_results(body, QueryResultsFormat.JSON).serialize(format=fmt)
