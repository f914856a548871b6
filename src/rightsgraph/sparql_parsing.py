"""rdflib's SPARQL parser, one caller at a time.

rdflib parses SPARQL with pyparsing, whose parser elements keep state while they parse:
two threads parsing at once corrupt each other ("postParse2() missing 1 required
positional argument", RDFLib/rdflib#1282). The service analyses queries and updates on
many request threads, so every parse goes through the one lock here. A parse takes well
under a millisecond for the texts the service reads; the lock costs nothing measurable.
"""
from __future__ import annotations

import threading

_LOCK = threading.Lock()


def prepare_query(query: str, base_iri: str | None = None):
    """rdflib's prepared query (its `.algebra` is the translated algebra)."""
    from rdflib.plugins.sparql import prepareQuery
    with _LOCK:
        return prepareQuery(query, base=base_iri)


def translate_update(update: str, base_iri: str | None = None):
    """rdflib's translated update (its `.algebra` lists the operations)."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate
    with _LOCK:
        return translateUpdate(parseUpdate(update), base=base_iri)
