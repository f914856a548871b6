"""rdflib's SPARQL parser, one caller at a time.

rdflib parses SPARQL with pyparsing, whose parser elements keep state while they parse:
two threads parsing at once corrupt each other ("postParse2() missing 1 required
positional argument", RDFLib/rdflib#1282). The service analyses queries and updates on
many request threads, so every parse goes through the one lock here. A parse takes well
under a millisecond for the texts the service reads; the lock costs nothing measurable.

The bodies of INSERT DATA / DELETE DATA are found here without rdflib (`data_block_spans`),
so that they never reach it: its translation of them is quadratic in their size.
"""
from __future__ import annotations

import functools
import re
import threading

from .store.base import SPARQL_OPAQUE, may_name_dataset

_LOCK = threading.Lock()


def prepare_query(query: str, base_iri: str | None = None):
    """rdflib's prepared query (its `.algebra` is the translated algebra)."""
    from rdflib.plugins.sparql import prepareQuery
    with _LOCK:
        return prepareQuery(query, base=base_iri)


def dataset_clauses(query: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(FROM IRIs, FROM NAMED IRIs) of a query that names its own dataset, else None: the one
    reader of dataset clauses (the embedded store's union default graph, a reader's dataset
    in web/sparql.py). Parsed by rdflib, and only when a scan finds the word FROM outside the
    query's strings, IRIs and comments (store/base.may_name_dataset): most queries cost a
    regex search. A query rdflib cannot parse but the scan flags is taken to name a dataset
    it cannot read, ((), ()): Oxigraph then applies its own FROM, or reports the error."""
    if not may_name_dataset(query):
        return None
    return _parsed_dataset(query)


@functools.lru_cache(maxsize=256)
def _parsed_dataset(query: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    try:
        clauses = prepare_query(query).algebra.get("datasetClause") or []
    except Exception:  # noqa: BLE001 - pyparsing's errors have no common type; Oxigraph reports them
        return (), ()
    if not clauses:
        return None         # `from` was a prefix (from:x), not the keyword
    return (tuple(str(c["default"]) for c in clauses if "default" in c),
            tuple(str(c["named"]) for c in clauses if "named" in c))


def translate_update(update: str, base_iri: str | None = None):
    """rdflib's translated update (its `.algebra` lists the operations)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    with _LOCK:
        return translateUpdate(parseUpdate(update), base=base_iri)


# -- data blocks --------------------------------------------------------------------------
# rdflib parses about 25 KB of SPARQL a second, and its translation of INSERT DATA is
# quadratic (1,000 triples: 8 s; 5,000: 270 s). INSERT DATA / DELETE DATA read nothing, so
# their bodies are emptied before rdflib sees the update. Finding a body's end needs only
# the SPARQL terminals that can hold a brace or look like one (SPARQL 1.1 grammar 19.8):
# strings, IRIs, comments and escaped characters of prefixed names (ex:a\'b): store/base.py.
_OPAQUE = SPARQL_OPAQUE
_TOP = re.compile(rf"(?P<opaque>{_OPAQUE})|(?P<open>\{{)|(?P<close>\}})|(?P<word>[A-Za-z][\w\-.:]*)", re.S)
_INNER = re.compile(rf"(?P<opaque>{_OPAQUE})|(?P<open>\{{)|(?P<close>\}})", re.S)


def without_data_blocks(update: str) -> str:
    """`update` with the bodies of its INSERT DATA and DELETE DATA operations emptied."""
    out, keep_from = [], 0
    for start, end in data_block_spans(update):
        out += [update[keep_from:start], " "]
        keep_from = end
    out.append(update[keep_from:])
    return "".join(out)


def data_block_spans(update: str) -> list[tuple[int, int]]:
    """(start, end) of the body of each INSERT DATA and DELETE DATA, in order: the text
    between its braces."""
    spans, pos, depth = [], 0, 0
    keyword, body_start = None, None   # keyword: None, "verb" (INSERT/DELETE), "data"
    while True:
        m = (_TOP if depth == 0 else _INNER).search(update, pos)
        if m is None:
            break
        pos, kind = m.end(), m.lastgroup
        if kind == "opaque":
            if not m.group().startswith("#"):  # a comment may sit between keywords
                keyword = None
        elif kind == "word":
            word = m.group().upper()
            keyword = "verb" if word in ("INSERT", "DELETE") else \
                "data" if word == "DATA" and keyword == "verb" else None
        elif kind == "open":
            if depth == 0 and keyword == "data":
                body_start = m.end()
            depth, keyword = depth + 1, None
        else:
            depth = max(depth - 1, 0)
            if depth == 0 and body_start is not None:
                spans.append((body_start, m.start()))
                body_start = None
    return spans
