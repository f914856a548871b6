"""Asset classes (national guide art. 9): derived from the rights the library holds by the
SPARQL CONSTRUCT rules in ontology/rules/, an inventory by class, collection and licence,
and a reproducible random sample for spot checks.

    derive_asset_classes(store)          # -> {resource: class}; rewrites the derived graph
    asset_report(store, sample=20, seed=1)
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from .. import package_data
from ..namespaces import DERIVED_GRAPH_BASE, RG
from ..store.changeset import ChangeSet

DERIVED_GRAPH = NamedNode(DERIVED_GRAPH_BASE + "asset-classes")
RGNS = str(RG)
ODRL = "http://www.w3.org/ns/odrl/2/"


def rule_files() -> list[Path]:
    return sorted((package_data.home() / "ontology" / "rules").glob("*.rq"))


def derive_asset_classes(store) -> dict[str, str]:
    """Run the rules, keep the lowest-numbered rule's class per resource, and replace the
    derived graph with the result (written by the system, not through user loads)."""
    chosen: dict[str, tuple[str, str]] = {}
    for path in rule_files():
        rank = path.stem
        for t in store.query(path.read_text(encoding="utf-8")):
            r, c = t.subject.value, t.object.value
            if r not in chosen or rank < chosen[r][0]:
                chosen[r] = (rank, c)
    store.commit(ChangeSet(clear=[DERIVED_GRAPH], add=[
        Quad(NamedNode(r), RG.assetClass, NamedNode(c), DERIVED_GRAPH) for r, (_, c) in sorted(chosen.items())]))
    return {r: c for r, (_, c) in chosen.items()}


def _label(store, iris) -> dict:
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in iris)
    out = {}
    for row in store.query(f"""SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }}
            {{ ?s <http://purl.org/dc/terms/title> ?t }} UNION {{ ?s <http://xmlns.com/foaf/0.1/name> ?t }}
            FILTER(LANG(?t) = "en" || LANG(?t) = "") }}"""):
        out.setdefault(row["s"].value, row["t"].value)
    return out


def short(iri: str) -> str:
    for p, ns in (("rg", RGNS),):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return iri


def asset_report(store, *, sample: int = 0, seed: int = 0, derive: bool = True) -> dict:
    """Inventory by asset class, collection and licence (counts, cost where known), and a
    reproducible spot-check sample (`random.Random(seed)` over the sorted resource IRIs)."""
    classes = derive_asset_classes(store) if derive else {
        r["r"].value: r["c"].value for r in store.query(
            f"SELECT ?r ?c WHERE {{ GRAPH <{DERIVED_GRAPH.value}> {{ ?r <{RGNS}assetClass> ?c }} }}")}
    from .containment import Containment
    containment = Containment(store)              # the resources, and odrl:partOf* of each
    resources_ = sorted(containment.resources)
    asserted = defaultdict(set)
    for row in store.query(f"""SELECT ?r ?c WHERE {{ GRAPH ?g {{ ?r <{RGNS}assetClass> ?c }}
                               FILTER(?g != <{DERIVED_GRAPH.value}>) ?r a <{RGNS}Resource> }}"""):
        asserted[row["r"].value].add(row["c"].value)
    collection_of = defaultdict(list)
    for row in store.query(f"SELECT ?r ?c WHERE {{ ?r a <{RGNS}Resource> ; <{ODRL}partOf> ?c }}"):
        collection_of[row["r"].value].append(row["c"].value)
    # licences: target, cost, currency, status; the resources each covers
    lic_info = {}
    for row in store.query(f"""SELECT ?l ?t ?cost ?cur ?status WHERE {{ ?l a <{RGNS}Licence> ; <{ODRL}target> ?t .
            OPTIONAL {{ ?l <{RGNS}cost> ?cost }} OPTIONAL {{ ?l <{RGNS}currency> ?cur }}
            OPTIONAL {{ ?l <{RGNS}licenceStatus> ?status }} }}"""):
        lic_info[row["l"].value] = {
            "target": row["t"].value, "cost": row["cost"].value if row["cost"] else None,
            "currency": row["cur"].value if row["cur"] else None,
            "status": short(row["status"].value) if row["status"] else None}
    licences_of = {r: sorted(ls) for r, ls in containment.licences_of().items()}
    covered = defaultdict(set)                     # licence -> the resources it covers
    for r, ls in licences_of.items():
        for lic in ls:
            covered[lic].add(r)

    by_class = defaultdict(lambda: {"resources": 0, "licences": set()})
    for r in resources_:
        c = classes.get(r, "unclassified")
        by_class[c]["resources"] += 1
        by_class[c]["licences"].update(licences_of.get(r, ()))
    class_rows = []
    for c, v in sorted(by_class.items(), key=lambda x: (-x[1]["resources"], x[0])):
        costs = defaultdict(Decimal)
        for lic in v["licences"]:
            info = lic_info.get(lic, {})
            if info.get("cost") and info.get("currency"):
                costs[info["currency"]] += Decimal(info["cost"])
        class_rows.append({"class": short(c), "resources": v["resources"], "licences": len(v["licences"]),
                           "cost": {k: f"{costs[k]:.2f}" for k in sorted(costs)}})
    by_coll = defaultdict(lambda: defaultdict(int))
    for r in resources_:
        for coll in collection_of.get(r, ["(none)"]):
            by_coll[coll][short(classes.get(r, "unclassified"))] += 1
    labels = _label(store, [c for c in by_coll if c != "(none)"] + list(lic_info))
    coll_rows = [{"collection": c, "title": labels.get(c), "resources": sum(v.values()), "classes": dict(sorted(v.items()))}
                 for c, v in sorted(by_coll.items())]
    lic_rows = [{"licence": lic, "title": labels.get(lic), "status": info["status"],
                 "resources": len(covered.get(lic, ())), "cost": info["cost"], "currency": info["currency"]}
                for lic, info in sorted(lic_info.items())]
    mismatches = [{"resource": r, "derived": short(classes[r]), "recorded": sorted(short(x) for x in asserted[r])}
                  for r in resources_ if r in classes and asserted.get(r) and classes[r] not in asserted[r]]
    out = {
        "resources": len(resources_),
        "by_class": class_rows,
        "by_collection": coll_rows,
        "by_licence": lic_rows,
        "unclassified": [r for r in resources_ if r not in classes],
        "mismatches": mismatches,
        "derived_graph": DERIVED_GRAPH.value,
    }
    if sample:
        rng = random.Random(seed)
        picked = sorted(rng.sample(resources_, min(sample, len(resources_))))
        titles = _label(store, picked)
        out["sample"] = {"seed": seed, "size": len(picked), "items": [
            {"resource": r, "title": titles.get(r), "class": short(classes.get(r, "unclassified")),
             "collections": collection_of.get(r, []), "licences": sorted(licences_of.get(r, []))}
            for r in picked]}
    return out


def format_assets(rep: dict) -> str:
    """The asset report as text, in the command line's language (the gettext catalogue)."""
    from ..translation import _
    lines = [_("%(n)s resources", n=rep["resources"]), "", _("by asset class:")]
    for row in rep["by_class"]:
        cost = ", ".join(f"{v} {k}" for k, v in row["cost"].items()) or "-"
        lines.append(f"  {row['class']:<24} {row['resources']:>6}  " +
                     _("licences %(n)s  cost %(cost)s", n=f"{row['licences']:>3}", cost=cost))
    lines += ["", _("by collection:")]
    for row in rep["by_collection"]:
        cls = ", ".join(f"{k} {v}" for k, v in row["classes"].items())
        lines.append(f"  {row['collection']}  {row['resources']}  ({cls})")
    lines += ["", _("by licence:")]
    for row in rep["by_licence"]:
        cost = f"{row['cost']} {row['currency']}" if row["cost"] else "-"
        lines.append(f"  {row['licence']}  {row['status']}  " +
                     _("%(n)s resources  %(cost)s", n=row["resources"], cost=cost))
    if rep["mismatches"]:
        lines += ["", _("recorded asset class differs from the derived one: %(n)s", n=len(rep["mismatches"]))]
        for m in rep["mismatches"][:10]:
            lines.append("  " + _("%(resource)s: derived %(derived)s, recorded %(recorded)s", resource=m["resource"],
                                  derived=m["derived"], recorded=", ".join(m["recorded"])))
    if rep["unclassified"]:
        lines += ["", _("no rights basis found (unclassified): %(n)s", n=len(rep["unclassified"]))]
    if "sample" in rep:
        s = rep["sample"]
        lines += ["", _("spot-check sample (seed %(seed)s, %(size)s items):", seed=s["seed"], size=s["size"])]
        for it in s["items"]:
            lines.append(f"  {it['resource']}  {it['class']}  {it['title'] or ''}")
    return "\n".join(lines)
