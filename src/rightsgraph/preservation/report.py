"""The preservation report (art. 7): what is preserved, in how many copies, when it was
last audited, what is damaged or missing now, what was repaired, and whether each
preserved resource has the right to be preserved.

Every figure comes from current-value facts (a copy's status) or from counts over one
event type, so the answer stays fast however many events the graphs hold.
"""

from __future__ import annotations

from ..namespaces import DCT, PREMIS, PROV, RG
from ..translation import gettext, pgettext
from .locations import locations
from .vocab import EVENTS_GRAPH_PREFIX, FAILURE, FIXITY_CHECK, OBJECTS_GRAPH, RECOVERY, REPLICATION, SUCCESS

STATUS_NAMES = {RG.Intact.value: "intact", RG.Damaged.value: "damaged", RG.Missing.value: "missing"}


def _one(store, q: str) -> int:
    rows = list(store.query(q))
    return int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0


def _event_graphs(store) -> str:
    """VALUES over the events graphs (one per month)."""
    return "VALUES ?g { " + " ".join(f"<{g.value}>" for g in store.graphs()
                                     if g.value.startswith(EVENTS_GRAPH_PREFIX)) + " }"


def _event_counts(store) -> dict:
    """Failed fixity checks, repairs (done, failed) and replications. Each query starts
    from the rare side: failures from the failure outcome, repairs and replications from
    their event type, the outcome looked up per event (OPTIONAL: a lookup, not a scan),
    so a million successful fixity checks are never read."""
    values = _event_graphs(store)
    failed = {r["t"].value: int(r["n"].value) for r in store.query(f"""SELECT ?t (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        {values} GRAPH ?g {{ ?e <{PREMIS.outcome.value}> <{FAILURE.value}> OPTIONAL {{ ?e a ?t }} }} }} GROUP BY ?t""")
        if r["t"] is not None}
    out = {"fixity_checks_failed": failed.get(FIXITY_CHECK.value, 0), "repairs_failed": failed.get(RECOVERY.value, 0)}
    for key, event_type in (("repairs", RECOVERY), ("replications", REPLICATION)):
        out[key] = _one(store, f"""SELECT (COUNT(?e) AS ?n) WHERE {{ {values} GRAPH ?g {{ ?e a <{event_type.value}>
            OPTIONAL {{ ?e <{PREMIS.outcome.value}> ?o }} FILTER(?o = <{SUCCESS.value}>) }} }}""")
    return out


def preservation_report(store, *, library: str | None = None, limit: int = 50,
                        hidden: frozenset[str] = frozenset(), decisions=None) -> dict:
    """`hidden`: graphs the asker may not see; the licence clauses cited for the preserved
    resources without a right are "(confidential)" when read from one (preservation/rights.py).
    `decisions`: the service's DecisionService (its compiled policies), if there is one."""
    g = OBJECTS_GRAPH.value
    kinds = {r["k"].value: int(r["n"].value) for r in store.query(f"""SELECT ?k (COUNT(?r) AS ?n) WHERE {{
        GRAPH <{g}> {{ ?r a <{PREMIS.Representation.value}> ; <{RG.packageKind.value}> ?k }} }} GROUP BY ?k""")}
    # in the objects graph only files have a premis:size, only copies a status
    files = list(store.query(f"""SELECT (COUNT(?f) AS ?n) (SUM(?s) AS ?bytes) WHERE {{ GRAPH <{g}> {{
        ?f <{PREMIS.size.value}> ?s }} }}"""))[0]
    status = {STATUS_NAMES.get(r["s"].value, r["s"].value): int(r["n"].value) for r in store.query(
        f"SELECT ?s (COUNT(?c) AS ?n) WHERE {{ GRAPH <{g}> {{ ?c <{RG.copyStatus.value}> ?s }} }} GROUP BY ?s")}
    names = {loc.iri: loc.name for loc in locations(store).values()}
    by_location = {}
    for r in store.query(f"""SELECT ?l ?s (COUNT(?c) AS ?n) WHERE {{ GRAPH <{g}> {{
            ?c <{RG.copyStatus.value}> ?s ; <{PREMIS.storedAt.value}> ?l }} }} GROUP BY ?l ?s"""):
        name = names.get(r["l"].value, r["l"].value)
        by_location.setdefault(name, {})[STATUS_NAMES.get(r["s"].value, r["s"].value)] = int(r["n"].value)
    per_file = {int(r["k"].value): int(r["n"].value) for r in store.query(f"""SELECT ?k (COUNT(?f) AS ?n) WHERE {{
        {{ SELECT ?f (COUNT(?c) AS ?k) WHERE {{ GRAPH <{g}> {{ ?c <{RG.copyOf.value}> ?f }} }} GROUP BY ?f }} }} GROUP BY ?k""")}
    failures = [{"copy": r["c"].value, "status": STATUS_NAMES.get(r["s"].value), "location": r["name"].value,
                 "file": r["path"].value, "object": r["rep"].value, "checked": r["t"].value}
                for r in store.query(f"""SELECT ?c ?s ?name ?path ?rep ?t WHERE {{ GRAPH <{g}> {{
                    ?c <{RG.copyStatus.value}> ?s ; <{RG.copyOf.value}> ?f ; <{PREMIS.storedAt.value}> ?l ;
                       <{RG.lastChecked.value}> ?t .
                    ?f <{PREMIS.originalName.value}> ?path ; <{DCT.isPartOf.value}> ?rep . ?l <{RG.locationName.value}> ?name
                    FILTER(?s != <{RG.Intact.value}>) }} }} ORDER BY ?t ?c LIMIT {int(limit)}""")]
    last = list(store.query(f"""SELECT ?run ?start ?end ?quota ?checked ?found ?cycle WHERE {{ GRAPH ?gr {{
        ?run a <{RG.AuditRun.value}> ; <{PROV.startedAtTime.value}> ?start ; <{RG.auditQuota.value}> ?quota ;
             <{RG.auditChecked.value}> ?checked ; <{RG.auditFindings.value}> ?found .
        OPTIONAL {{ ?run <{PROV.endedAtTime.value}> ?end }} OPTIONAL {{ ?run <{RG.cycleDays.value}> ?cycle }} }} }}
        ORDER BY DESC(?start) LIMIT 1"""))
    last_audit = None
    if last:
        r = last[0]
        last_audit = {"run": r["run"].value, "started": r["start"].value,
                      "ended": r["end"].value if r["end"] is not None else None,
                      "quota": int(r["quota"].value), "checked": int(r["checked"].value),
                      "findings": int(r["found"].value),
                      "cycle_days": int(r["cycle"].value) if r["cycle"] is not None else None}
    rep = {
        "objects": sum(kinds.values()), "objects_by_kind": kinds,
        "files": int(files["n"].value), "bytes": int(files["bytes"].value) if files["bytes"] is not None else 0,
        "copies": sum(status.values()), "copies_by_status": status, "copies_by_location": by_location,
        "files_by_number_of_copies": {str(k): v for k, v in sorted(per_file.items())},
        "last_audit": last_audit,
        "failures": failures,
        "events": _event_counts(store),
    }
    rep["rights"] = rights_coverage(store, library, hidden=hidden, decisions=decisions)
    return rep


def resource_preservation(store, resource: str) -> dict | None:
    """One catalogue resource's preservation (the resource page): its preserved objects and
    files, and its copies per storage location and state at the latest fixity check, with
    when that was; None when nothing of it is preserved. `resource`: an absolute IRI."""
    from pyoxigraph import NamedNode
    g, node = OBJECTS_GRAPH.value, NamedNode(resource)      # ValueError for anything but an IRI
    rows = list(store.query(f"""SELECT ?rep ?f ?name ?status (COUNT(?c) AS ?n) (MAX(?t) AS ?checked) WHERE {{ GRAPH <{g}> {{
        ?rep a <{PREMIS.Representation.value}> ; <{DCT.isPartOf.value}> {node} .
        OPTIONAL {{ ?f <{DCT.isPartOf.value}> ?rep .
                   ?c <{RG.copyOf.value}> ?f ; <{RG.copyStatus.value}> ?status ; <{PREMIS.storedAt.value}> ?l ;
                      <{RG.lastChecked.value}> ?t . ?l <{RG.locationName.value}> ?name }} }} }}
        GROUP BY ?rep ?f ?name ?status"""))
    if not rows:
        return None
    copies: dict = {}
    for r in rows:
        if r["name"] is None:
            continue
        key = (r["name"].value, STATUS_NAMES.get(r["status"].value, r["status"].value))
        n, last = copies.get(key, (0, ""))
        copies[key] = (n + int(r["n"].value), max(last, r["checked"].value))
    return {"objects": len({r["rep"].value for r in rows}),
            "files": len({r["f"].value for r in rows if r["f"] is not None}),
            "copies": [{"location": where, "status": status, "copies": n, "checked": last}
                       for (where, status), (n, last) in sorted(copies.items())]}


def preserved_resources(store) -> list[str]:
    return sorted(r["res"].value for r in store.query(f"""SELECT DISTINCT ?res WHERE {{ GRAPH <{OBJECTS_GRAPH.value}> {{
        ?rep a <{PREMIS.Representation.value}> ; <{DCT.isPartOf.value}> ?res }} }}"""))


def rights_coverage(store, library: str | None, limit: int = 50, hidden: frozenset[str] = frozenset(),
                    decisions=None) -> dict:
    """Preserved resources with and without the right to keep preservation copies (the
    decision engine's answer for odrl:archive, or a rights statement's premis:act)."""
    from .rights import RightsChecker
    checker = RightsChecker(store, library, hidden, decisions)
    without = []
    resources = preserved_resources(store)
    for res in resources:
        answer = checker.check(res, "replicate")
        if not answer.permitted:
            without.append({"resource": res, "reason": answer.reason, "clauses": answer.clauses})
    return {"library": library, "preserved_resources": len(resources),
            "with_right": len(resources) - len(without), "without_right": len(without),
            "without_right_examples": without[:limit]}


def format_report(rep: dict, lang: str = "en") -> str:
    lang = "zh" if lang == "zh" else "en"
    lines = [gettext("preservation report", lang), ""]
    lines.append(gettext("objects: %(n)s", lang, n=rep["objects"]) + " "
                 + ", ".join(f"{k} {v}" for k, v in sorted(rep["objects_by_kind"].items())))
    lines.append(gettext("files: %(n)s (%(bytes)s bytes)", lang, n=rep["files"], bytes=rep["bytes"]))
    lines.append(gettext("copies: %(n)s", lang, n=rep["copies"]) + " "
                 + ", ".join(f"{k} {v}" for k, v in sorted(rep["copies_by_status"].items())))
    for loc, st in sorted(rep["copies_by_location"].items()):
        lines.append(f"  {loc}: " + ", ".join(f"{k} {v}" for k, v in sorted(st.items())))
    lines.append(gettext("files by number of copies: %(counts)s", lang,
                         counts=", ".join(f"{k}: {v}" for k, v in rep["files_by_number_of_copies"].items())))
    la = rep["last_audit"]
    if la:
        lines.append(gettext("last audit: %(started)s .. %(ended)s, %(checked)s/%(quota)s checked, %(findings)s "
                             "findings", lang, started=la["started"],
                             ended=la["ended"] or pgettext("audit", "unfinished", lang),
                             checked=la["checked"], quota=la["quota"], findings=la["findings"]))
    else:
        lines.append(gettext("last audit: none", lang))
    lines.append(gettext("damaged or missing copies: %(n)s", lang, n=len(rep["failures"])))
    for f in rep["failures"]:
        lines.append(f"  {f['status']}: {f['location']} {f['file']} ({f['object']})")
    ev = rep["events"]
    lines.append(gettext("repairs: %(repairs)s (%(failed)s failed); replications: %(replications)s; "
                         "failed fixity checks: %(fixity)s", lang, repairs=ev["repairs"], failed=ev["repairs_failed"],
                         replications=ev["replications"], fixity=ev["fixity_checks_failed"]))
    r = rep["rights"]
    lines.append(gettext("preserved resources with a preservation right: %(with_right)s/%(preserved)s "
                         "(library %(library)s)", lang, with_right=r["with_right"],
                         preserved=r["preserved_resources"], library=r["library"] or "-"))
    for x in r["without_right_examples"]:
        lines.append(f"  {x['resource']}: {x['reason']}" + (f" ({'; '.join(x['clauses'])})" if x["clauses"] else ""))
    return "\n".join(lines)
