"""Quantity (art. 10.1): what the library holds, by asset class and by rights basis.

    quantity_report(store)

Counted from the catalogue (rg:Resource), not from usage:
    journals   rg:resourceType rg:EJournal          titles = journals + books
    books      rg:EBook
    databases  rg:Database
    items      rg:DigitisedItem, rg:AudioVisual, rg:Dataset (single items, not titles)
    platforms  the web hosts the resources are served from (rg:titleUrl, KBART title_url)
Asset class: the derived class (reports.assets, the rules of ontology/rules/) where it has
been derived, else the class the catalogue asserts. Rights basis: that of the licences
covering the resource (rg:rightsBasis, through odrl:target and odrl:partOf), else of its
PREMIS rights statement (premis:basis); a resource with neither is "none". A resource
counts under each basis it rests on; the totals count it once.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlsplit

from ..namespaces import DERIVED_GRAPH_BASE, RG
from ..translation import both, gettext, pgettext

RGNS = str(RG)
ODRL = "http://www.w3.org/ns/odrl/2/"
PREMIS = "http://www.loc.gov/premis/rdf/v3/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
KINDS = {"EJournal": "journals", "EBook": "books", "Database": "databases", "DigitisedItem": "items",
         "AudioVisual": "items", "Dataset": "items"}
COLUMNS = ("resources", "titles", "journals", "books", "databases", "items", "platforms")
NONE = "none"


def _labels(store, iris) -> dict[str, dict]:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    out: dict = defaultdict(dict)
    for r in store.query(f"""SELECT ?c ?l WHERE {{ VALUES ?c {{ {values} }} ?c <{SKOS}prefLabel> ?l }}"""):
        out[r["c"].value][r["l"].language or "en"] = r["l"].value
    return out


def _resources(store) -> dict[str, dict]:
    res: dict[str, dict] = {}
    for r in store.query(f"""SELECT ?r ?type ?url WHERE {{ ?r a <{RGNS}Resource> .
            OPTIONAL {{ ?r <{RGNS}resourceType> ?type }} OPTIONAL {{ ?r <{RGNS}titleUrl> ?url }} }}"""):
        rec = res.setdefault(r["r"].value, {"kind": None, "hosts": set(), "class": None, "bases": set()})
        if r["type"] is not None:
            rec["kind"] = KINDS.get(r["type"].value[len(RGNS):], rec["kind"])
        if r["url"] is not None:
            host = urlsplit(r["url"].value).hostname
            if host:
                rec["hosts"].add(host)
    derived = DERIVED_GRAPH_BASE + "asset-classes"
    for r in store.query(f"""SELECT ?r ?c ?g WHERE {{ GRAPH ?g {{ ?r <{RGNS}assetClass> ?c }} ?r a <{RGNS}Resource> }}"""):
        rec = res[r["r"].value]
        if r["g"].value == derived:
            rec["derived"] = r["c"].value
        elif rec["class"] is None or r["c"].value < rec["class"]:    # several asserted: one, always the same
            rec["class"] = r["c"].value
    for rec in res.values():
        rec["class"] = rec.pop("derived", None) or rec["class"]
    for r in store.query(f"""SELECT DISTINCT ?r ?b WHERE {{ ?l a <{RGNS}Licence> ; <{ODRL}target> ?t ; <{RGNS}rightsBasis> ?b .
            ?r <{ODRL}partOf>* ?t . ?r a <{RGNS}Resource> }}"""):
        res[r["r"].value]["bases"].add(r["b"].value)
    for r in store.query(f"""SELECT DISTINCT ?r ?b WHERE {{ ?r a <{RGNS}Resource> ; <{PREMIS}rightsStatus> ?s .
            ?s <{PREMIS}basis> ?b }}"""):
        rec = res[r["r"].value]
        if not rec["bases"]:
            rec["bases"].add(r["b"].value)
    return res


def _row(members: list[dict]) -> dict:
    row = {c: 0 for c in COLUMNS}
    hosts = set()
    for m in members:
        row["resources"] += 1
        if m["kind"]:
            row[m["kind"]] += 1
        hosts |= m["hosts"]
    row["titles"] = row["journals"] + row["books"]
    row["platforms"] = len(hosts)
    return row


def quantity_report(store) -> dict:
    res = _resources(store)
    by_class: dict = defaultdict(list)
    by_basis: dict = defaultdict(list)
    for rec in res.values():
        by_class[rec["class"] or NONE].append(rec)
        for b in rec["bases"] or {NONE}:
            by_basis[b].append(rec)
    labels = _labels(store, [k for k in set(by_class) | set(by_basis) if k != NONE])
    none_label = both("none recorded")

    def rows(groups, key):
        return [{key: None if k == NONE else k, "label": none_label if k == NONE else labels.get(k, {}),
                 **_row(v)} for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    hosts: dict = defaultdict(int)
    for rec in res.values():
        for h in rec["hosts"]:
            hosts[h] += 1
    return {"total": _row(list(res.values())),
            "by_asset_class": rows(by_class, "asset_class"),
            "by_rights_basis": rows(by_basis, "rights_basis"),
            "platforms": [{"platform": h, "resources": n} for h, n in sorted(hosts.items(), key=lambda x: (-x[1], x[0]))]}


QUANTITY_COLUMNS = ["group", "key", "label", *COLUMNS]


def quantity_csv_rows(rep: dict, lang: str = "en") -> list[dict]:
    out = [{"group": "total", "key": "", "label": "", **rep["total"]}]
    for group, key in (("by_asset_class", "asset_class"), ("by_rights_basis", "rights_basis")):
        for r in rep[group]:
            out.append({"group": key, "key": r[key] or "", "label": r["label"].get(lang) or r["label"].get("en", ""),
                        **{c: r[c] for c in COLUMNS}})
    return out


def format_quantity(rep: dict, lang: str = "en") -> str:
    from ..text_columns import clip, ljust, rjust
    lang = "zh" if lang == "zh" else "en"
    head = (pgettext("quantity", "resources", lang), pgettext("quantity", "titles", lang),
            pgettext("quantity", "journals", lang), pgettext("quantity", "books", lang),
            pgettext("quantity", "databases", lang), pgettext("quantity", "items", lang),
            pgettext("quantity", "platforms", lang))
    lines = []

    def table(title, rows, key):
        lines.append(title)
        lines.append(f"  {'':<34}" + "".join(rjust(h, 10) for h in head))
        for r in rows:
            name = clip(r["label"].get(lang) or r["label"].get("en") or r[key] or "", 34)
            lines.append(f"  {ljust(name, 34)}" + "".join(f"{r[c]:>10}" for c in COLUMNS))
        lines.append("")
    t = rep["total"]
    lines.append(gettext("total: %(counts)s", lang, counts=", ".join(f"{h} {t[c]}" for h, c in zip(head, COLUMNS))))
    lines.append("")
    table(gettext("by asset class:", lang), rep["by_asset_class"], "asset_class")
    table(gettext("by rights basis:", lang), rep["by_rights_basis"], "rights_basis")
    return "\n".join(lines).rstrip()
