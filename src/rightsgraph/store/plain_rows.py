"""Query solutions as tuples of plain strings, read from the engine's TSV serialisation.

Building a pyoxigraph term for every value of a large result costs about ten times what
the engine took to find it: a report reading the 100,000s of typed IRIs, licence terms and
dates of a 10,000-licence catalogue spent most of its seconds there. Serialised once as
SPARQL TSV (in the engine, in Rust) and split here, the same solutions cost a fraction.

Each value is what the term's `.value` gives, so that rows read either way can be compared:
an IRI without its brackets, a blank node's label, a literal's lexical form (its language
tag or datatype dropped, escapes decoded; a number or boolean in TSV's short form as
written), and None where a variable is unbound.
"""

from __future__ import annotations

import re
from typing import Iterator

import pyoxigraph as ox

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def plain_rows(store, sparql: str) -> Iterator[tuple[str | None, ...]]:
    """The solutions of a SELECT query, each a tuple of strings in the query's variable order."""
    text = store.query(sparql).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
    lines = text.split("\n")
    for line in lines[1:-1]:      # a header, then one line per solution, each ended by "\n"
        yield tuple(_plain(t) for t in line.split("\t"))


def _plain(term: str) -> str | None:
    if not term:
        return None
    first = term[0]
    if first == "<":
        return term[1:-1]
    if first == '"':
        end = term.rindex('"')    # after it only @lang or ^^<datatype>, which hold no quote
        lexical = term[1:end]
        return _ESCAPE.sub(_unescape, lexical) if "\\" in lexical else lexical
    if term.startswith("_:"):
        return term[2:]
    return term                   # a number or boolean in short form


def _unescape(m: re.Match) -> str:
    code = m.group(1)
    if len(code) > 1:             # \uXXXX, \UXXXXXXXX
        return chr(int(code[1:], 16))
    return _ESCAPED.get(code, m.group(0))
