"""ODRL JSON-LD offline: the standard remote ``@context`` resolved from a bundled copy.

ODRL policies in JSON-LD name the W3C context by its address
(``"@context": "http://www.w3.org/ns/odrl.jsonld"``). pyoxigraph's JSON-LD parser has no
document loader in Python ("No LoadDocumentCallback has been set to load remote contexts"),
and a library service must not fetch contexts from the network anyway. So this module is
the document loader: before parsing, every ``@context`` that names a context we ship is
replaced by that context's content (what a JSON-LD processor does with a remote context,
JSON-LD 1.1 API 4.1.2), and a remote context we do not ship is an error that names it.

    quads = parse_jsonld(data, base_iri, name="policy.jsonld")      # -> [pyoxigraph Quad]
    doc = resolve_contexts(json.loads(data), name="policy.jsonld")   # -> the document, offline
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

_ODRL_CONTEXT_FILE = Path(__file__).resolve().parents[1] / "exchange" / "odrl-context.jsonld"
# The addresses under which the W3C publishes the ODRL 2.2 context (both schemes, with and
# without the file extension); all resolve to the same document.
ODRL_CONTEXT_URLS = ("http://www.w3.org/ns/odrl.jsonld", "https://www.w3.org/ns/odrl.jsonld",
                     "http://www.w3.org/ns/odrl/2/", "https://www.w3.org/ns/odrl/2/")


class RemoteContextError(ValueError):
    """A JSON-LD document names a remote context that is not bundled (never fetched)."""


@lru_cache(maxsize=1)
def _bundled() -> dict:
    ctx = json.loads(_ODRL_CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    return {url: ctx for url in ODRL_CONTEXT_URLS}


def bundled_context(url: str) -> dict | None:
    """The content of a bundled context, by the address documents name it with."""
    return _bundled().get(url)


def resolve_contexts(doc, name: str = "document"):
    """The document with every known remote ``@context`` inlined, at any depth (scoped
    contexts too). Raises RemoteContextError (its message without the file name; callers
    name the file) for a remote context we do not ship."""
    if isinstance(doc, list):
        return [resolve_contexts(x, name) for x in doc]
    if not isinstance(doc, dict):
        return doc
    out = {}
    for k, v in doc.items():
        if k == "@context":
            out[k] = _resolve_context_value(v, name)
        else:
            out[k] = resolve_contexts(v, name)
    return out


def _resolve_context_value(value, name):
    if isinstance(value, list):
        return [_resolve_context_value(v, name) for v in value]
    if isinstance(value, str):
        ctx = bundled_context(value)
        if ctx is None:
            raise RemoteContextError(
                f"JSON-LD context {value!r} is not available offline (only the ODRL 2.2 context "
                f"{ODRL_CONTEXT_URLS[0]} is bundled); inline that context in the file")
        return ctx
    if isinstance(value, dict):
        # a context definition may itself hold scoped contexts
        return {k: (_resolve_context_value(v, name) if k == "@context" else resolve_contexts(v, name))
                for k, v in value.items()}
    return value


def parse_jsonld(data: bytes | str, base_iri: str | None = None, name: str = "document") -> list:
    """Quads of a JSON-LD document whose remote contexts are bundled (see module doc).
    Raises RemoteContextError, or SyntaxError for JSON that is not valid JSON-LD."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SyntaxError(f"{name}: not valid JSON: {exc}") from None
    try:
        resolved = json.dumps(resolve_contexts(doc, name)).encode("utf-8")
    except RemoteContextError as exc:
        raise RemoteContextError(f"{name}: {exc}") from None
    return list(ox.parse(resolved, ox.RdfFormat.JSON_LD, base_iri=base_iri))


def inline_known_contexts(data: bytes, name: str = "document") -> bytes:
    """The JSON-LD bytes with bundled remote contexts inlined, for parsers that cannot load
    them (the load door). Data that is not JSON is returned unchanged for the parser to
    report."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return data
    return json.dumps(resolve_contexts(doc, name)).encode("utf-8")
