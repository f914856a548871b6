"""Term sheets in and out of the store, through the validated gate.

    import_sheet(store, "termsheet.yaml")      # compile + load_data (SHACL gate) + asset classes
    licence_from_store(store, iri)             # (termsheet.py) the term sheet back
    compare(store, [iri1, iri2])               # term by term
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from pyoxigraph import NamedNode, RdfFormat

from .. import provenance
from ..loading import commit_staged
from ..parsing import SourceFile, parse_into
from ..namespaces import GRAPH_BASE
from ..translation import gettext
from .termsheet import compile_sheet, licence_from_store, read_sheet, to_turtle
from .vocabulary import TERMS

LICENCE_GRAPH_BASE = GRAPH_BASE + "licence/"


def graph_for_licence(iri: str) -> NamedNode:
    local = iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1] or "licence"
    return NamedNode(LICENCE_GRAPH_BASE + local)


def import_sheet(store, path: str | Path, *, graph: str | None = None, agent: str | None = None,
                 sheet: dict | None = None):
    """Compile a term sheet and load it through the gate (replacing the licence's graph).
    Raises TermSheetError (the sheet) or LoadRejected (the shapes); nothing is stored then."""
    sheet = sheet or read_sheet(path)
    data = to_turtle(compile_sheet(sheet)).encode("utf-8")
    g = NamedNode(graph) if graph else graph_for_licence(sheet["licence"])
    # the provenance record names the term sheet as received (its digest), not the Turtle
    # compiled from it: the construction archive (art. 6.4) can then match the file kept
    try:
        received = Path(path).read_bytes()
    except OSError:
        if sheet is None:
            raise
        received = data     # a sheet made in memory (no file was received): the compiled Turtle
    source = provenance.SourceRecord(Path(path).name, hashlib.sha256(received).hexdigest(), len(received))
    staging = ox.Store()
    parse_into(staging, SourceFile(Path(path), data, hashlib.sha256(data).hexdigest(), RdfFormat.TURTLE,
                                   display=Path(path).name), g, g.value)
    before = list(store.quads(g))
    result = commit_staged(store, staging, sources=[source], names=[Path(path).name], replace=True, agent=agent,
                           gate=None, started=provenance.now(), via="termsheet")
    from ..reports.asset_updates import update_asset_classes
    update_asset_classes(store, g, before, store.quads(g))
    return sheet, g, result


def licence_iris(store) -> list[str]:
    rows = store.query("SELECT DISTINCT ?l WHERE { ?l a <https://w3id.org/rightsgraph/ns#Licence> } ORDER BY ?l")
    return [r["l"].value for r in rows]


def resolve_licence(store, name: str) -> str:
    """The IRI of a licence named by its IRI, a prefixed name (`lic:L01`, `ex:journals-2024`)
    or its local name (`L01`). A prefix the product knows (rg:, odrl: ...) expands as usual;
    any other prefix, or none, is matched against the licences in the store by local name.
    KeyError (naming the candidates) when no licence or more than one matches."""
    from ..namespaces import PREFIXES
    from .termsheet import STANDARD_PREFIXES
    name = name.strip()
    if "://" in name or name.startswith("urn:"):
        return name
    prefix, _, local = name.rpartition(":")
    known = {**STANDARD_PREFIXES, **PREFIXES}
    if prefix in known:
        return known[prefix] + local
    ends = ("/" + local, "#" + local, ":" + local)
    found = [iri for iri in licence_iris(store) if iri.endswith(ends)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise KeyError(f"no licence named {name!r} in the store (rightsgraph licence list shows them)")
    raise KeyError(f"{name!r} names {len(found)} licences: {', '.join(found)}; give the full IRI")


def term_keys(sheets: list[dict]) -> list[str]:
    """The term types any of the term sheets records, in the vocabulary's order."""
    keys = list(dict.fromkeys(r["term"] for s in sheets for r in s["terms"]))
    order = {k: i for i, k in enumerate(TERMS)}
    return sorted(keys, key=lambda k: order.get(k, 999))


def compare(store, licences: list[str], lang: str | None = None) -> dict:
    """Term by term: {licences: [...], rows: [{term, label, values: [cell per licence]}]}.
    A cell lists the licence's rows for that term ("permitted_explicit for users max 50").
    `lang` None: the data form (status keys, for JSON); "en" / "zh": worded for a reader in
    that language (statuses, "for", "max" ..., and the header's licence status)."""
    sheets = [licence_from_store(store, lic) for lic in licences]
    rows = []
    for k in term_keys(sheets):
        cells = []
        for s in sheets:
            vals = [_cell(r, lang) for r in s["terms"] if r["term"] == k]
            cells.append("; ".join(vals) if vals else "(not recorded)")
        rows.append({"term": k, "label": TERMS[k].en if k in TERMS else k, "values": cells,
                     "differs": len(set(cells)) > 1})
    header = {f: [s.get(f) for s in sheets] for f in ("status", "start", "end", "licensee", "cost", "currency")}
    if lang is not None:
        header["status"] = [gettext(_LICENCE_STATUSES[v], lang) if v in _LICENCE_STATUSES else v
                            for v in header["status"]]
    return {"licences": licences, "rows": rows, "header": header}


def _(message: str) -> str:  # marks a msgid for extraction; translated where a cell is worded
    return message


# the words of web/wording.py, for the command line's table
_TERM_STATUSES = {
    "permitted_explicit": _("permitted (explicit)"), "permitted_interpreted": _("permitted (interpreted)"),
    "prohibited_explicit": _("prohibited (explicit)"), "prohibited_interpreted": _("prohibited (interpreted)"),
    "silent": _("silent"), "not_applicable": _("not applicable"), "not_reviewed": _("not reviewed"),
}
_LICENCE_STATUSES = {
    "in_negotiation": _("in negotiation"), "not_yet_active": _("not yet active"), "active": _("active"),
    "expired": _("expired"), "terminated": _("terminated"), "rejected": _("rejected"),
}


def _short(iri):
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] if isinstance(iri, str) else iri


def _cell(r: dict, lang: str | None = None) -> str:
    if lang is None:       # the data form (JSON): status keys and fixed English words
        parts = [r["status"]]
        if r.get("value"):
            parts.append(r["value"])
        if r.get("for"):
            parts.append(f"for {_short(r['for'])}")
        if r.get("limit") is not None:
            parts.append(f"max {r['limit']}")
        if r.get("users") is not None:
            parts.append(f"{r['users']} users")
        if r.get("coverage"):
            parts.append(f"years {r['coverage']}")
        if r.get("rule") and (r.get("from") or r.get("until")):
            parts.append(f"{r.get('from') or '…'}..{r.get('until') or 'no end'}")
        if r.get("attribution"):
            parts.append("attribution")
        return " ".join(parts)
    status = r["status"]
    parts = [gettext(_TERM_STATUSES[status], lang) if status in _TERM_STATUSES else (status or "")]
    if r.get("value"):
        parts.append(str(r["value"]))
    if r.get("for"):
        parts.append(gettext("for %(party)s", lang, party=_short(r["for"])))
    if r.get("limit") is not None:
        parts.append(gettext("at most %(n)s", lang, n=r["limit"]))
    if r.get("users") is not None:
        parts.append(gettext("%(n)s concurrent users", lang, n=r["users"]))
    if r.get("coverage"):
        parts.append(gettext("years %(y)s", lang, y=r["coverage"]))
    if r.get("rule") and (r.get("from") or r.get("until")):
        parts.append(f"{r.get('from') or '…'}..{r.get('until') or gettext('no end', lang)}")
    if r.get("attribution"):
        parts.append(gettext("attribution required", lang))
    return " ".join(parts)
