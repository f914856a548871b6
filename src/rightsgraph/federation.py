"""SERVICE and LOAD: which other endpoints a request may make this service contact.

Off by default. An endpoint that federates wherever a caller asks lets anyone send
requests from the server's own address: to ports on 127.0.0.1 (the backing store, the
writer process, admin interfaces), to the network behind it, and its error messages tell
open ports from closed ones. `serve --allow-service URL` (repeatable, or
RIGHTSGRAPH_ALLOW_SERVICE with URLs separated by spaces) names the endpoints a query's
`SERVICE` and an update's `LOAD` may reach: an endpoint is allowed when it starts with one
of them. A variable endpoint (`SERVICE ?e`) is never allowed.

Any request whose text has the word SERVICE (or, in an update, LOAD) anywhere, in a
literal or a comment too, is read with rdflib's SPARQL parser, which finds the endpoints;
a text it cannot read is refused. The word test used to skip strings, IRIs and comments,
blanked by a pattern: an IRI with a `\\u` escape, which Oxigraph reads and the pattern did
not, made the rest of its line look like a comment, and a SERVICE there went unchecked to
the engine. No pattern decides what the engine will do; the parser does.
"""

from __future__ import annotations

import re

from .bilingual import compose
from .translation import LANGUAGES, both

_SERVICE = re.compile(r"(?<![?$:\w])SERVICE\b", re.IGNORECASE)
_LOAD = re.compile(r"(?<![?$:\w])LOAD\b", re.IGNORECASE)


class FederationRefused(ValueError):
    """The request would make this service contact an endpoint that is not allowed."""

    def __init__(self, endpoints: list[str], allowed):
        self.endpoints = endpoints
        where = (both("no endpoint is allowed (serve --allow-service URL)") if not allowed
                 else both("allowed: %(endpoints)s", endpoints=", ".join(allowed)))
        self.texts = compose(both("this endpoint does not contact other endpoints for a request: %(names)s; %(where)s"),
                             names=", ".join(endpoints), where=where)
        # one message for every reader: the protocol's plain-text error says it in both languages
        super().__init__("\n".join(self.texts[lang] for lang in LANGUAGES))


def _mentions(pattern: re.Pattern, text: str) -> bool:
    """Whether the keyword may be in `text`: only a cheap way past the parser for texts that
    cannot hold it, so it looks at the raw text (strings and comments included)."""
    return bool(pattern.search(text))


def query_endpoints(query: str, base_iri: str | None = None) -> list[str]:
    """The SERVICE endpoints of a query ("?var" for a variable one)."""
    if not _mentions(_SERVICE, query):
        return []
    from .sparql_parsing import prepare_query
    try:
        algebra = prepare_query(query, base_iri).algebra
    except Exception:  # noqa: BLE001 - unparsable: nothing can be said, so nothing is allowed
        return ["(a SERVICE this endpoint could not read)"]
    found: list[str] = []
    _walk(algebra, found)
    return found


def update_endpoints(update: str, base_iri: str | None = None) -> list[str]:
    """The SERVICE and LOAD endpoints of an update."""
    if not (_mentions(_SERVICE, update) or _mentions(_LOAD, update)):
        return []
    from .update_guard import analyse
    try:
        outside = analyse(update, base_iri).outside
    except ValueError:
        return ["(a SERVICE or LOAD this endpoint could not read)"]
    return [re.sub(r"^(SERVICE|LOAD) <(.*)>$", r"\2", o) for o in outside]


def check(endpoints: list[str], allowed) -> None:
    refused = [e for e in endpoints if e.startswith("?") or e.startswith("(")
               or not any(e.startswith(a) for a in allowed or ())]
    if refused:
        raise FederationRefused(refused, list(allowed or ()))


def _walk(node, found: list[str]) -> None:
    if isinstance(node, dict):      # rdflib CompValue
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = dict.get(node, "term")
            found.append(f"?{term}" if term.__class__.__name__ == "Variable" else str(term))
        for value in dict.values(node):
            _walk(value, found)
    elif isinstance(node, (list, tuple, set)):
        for value in node:
            _walk(value, found)


__all__ = ["FederationRefused", "query_endpoints", "update_endpoints", "check"]
