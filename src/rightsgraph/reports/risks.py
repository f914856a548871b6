"""Risk report (national guide art. 8.3): what the library serves or holds without the
rights to do so, or without knowing.

    risk_report(store, at=date.today(), days=90)

- unlicensed: resources in service (in a licence's package, or carrying no other rights
  basis) that no licence in force covers on `at` (a licence is in force when it binds
  (not in negotiation or rejected, not terminated), has started, and has not ended, or
  has ended but keeps a surviving permission: perpetual access, archiving);
- expiring: licences in force whose term ends within `days` days, with any renewal;
- key_uses: for each binding licence, the key uses (ILL, TDM, archiving, perpetual
  access) that are silent, not reviewed, or not recorded at all;
- no_preservation: resources (by collection) with no archiving permission from a binding
  licence and no preservation act in a rights statement;
- copies_without_right / rights_without_copy: resources with registered preservation
  copies (preservation/) but no preservation right as in no_preservation, and resources
  with such a right but no registered copy;
- conflicts: licence terms that contradict each other (policy.find_conflicts), except a
  member licence deliberately narrowing its consortium master;
- cancellation_deadlines: acquisitions (acquisitions/) whose cancellation must be
  notified within `days` days (the licence term's end less the notice the acquisition
  records), or whose deadline passed while the term runs, with no renewal or
  cancellation recorded for the term.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ..namespaces import RG
from ..policy.lifecycle import NOT_BINDING, Lifecycle, lifecycle_binds, within_term
from ..store.plain_rows import plain_rows
from .assets import short
from .containment import Containment

RGNS = str(RG)
ODRL = "http://www.w3.org/ns/odrl/2/"


def _licences(store) -> dict:
    out = {}
    day = _days()
    for lic, status, start, end, term in plain_rows(store, f"""SELECT ?l ?status ?start ?end ?term WHERE {{
            ?l a <{RGNS}Licence> .
            OPTIONAL {{ ?l <{RGNS}licenceStatus> ?status }} OPTIONAL {{ ?l <{RGNS}termStart> ?start }}
            OPTIONAL {{ ?l <{RGNS}termEnd> ?end }} OPTIONAL {{ ?l <{RGNS}terminationDate> ?term }} }}"""):
        out[lic] = {"status": status, "start": day(start), "end": day(end), "terminated": day(term)}
    # surviving permissions: a permission without an end date (no dateTime lt/lteq constraint)
    # (the constraint first, and "is a licence" asked of `out`: a third less of the engine's
    # time at 10,000 licences, each in a graph of its own)
    ended = set(plain_rows(store, f"""SELECT DISTINCT ?l ?r WHERE {{ ?c <{ODRL}leftOperand> <{ODRL}dateTime> ;
            <{ODRL}operator> ?op . FILTER(?op IN (<{ODRL}lt>, <{ODRL}lteq>)) ?r <{ODRL}constraint> ?c .
            ?l <{ODRL}permission> ?r }}"""))
    surviving = defaultdict(set)
    for lic, rule, action in plain_rows(store, f"SELECT ?l ?r ?a WHERE {{ ?l <{ODRL}permission> ?r . ?r <{ODRL}action> ?a }}"):
        if lic in out and (lic, rule) not in ended:
            surviving[lic].add(action)
    for lic, info in out.items():
        info["surviving"] = sorted(surviving.get(lic, ()))
    return out


def _days():
    """date.fromisoformat, once per distinct lexical form (10,000 licences share a few
    hundred dates), None for an unbound value."""
    seen: dict = {None: None}

    def day(text: str | None):
        found = seen.get(text)
        if found is None and text is not None:
            found = seen[text] = date.fromisoformat(text)
        return found
    return day


def _lifecycle(info: dict) -> Lifecycle:
    return Lifecycle(status=info.get("status"), start=info.get("start"), end=info.get("end"),
                     terminated=info.get("terminated"))


def binds(info: dict, at: date) -> bool:
    return lifecycle_binds(_lifecycle(info), at)


def in_force(info: dict, at: date) -> bool:
    """Within its term by the decision engine's lifecycle rule (policy/lifecycle.py), or
    past its end with a permission to use the content that has no end date of its own:
    the engine's rule too, where a rule's own dates decide once the licence binds."""
    lc = _lifecycle(info)
    if within_term(lc, at):
        return True
    if not lifecycle_binds(lc, at) or (lc.start is not None and at < lc.start):
        return False
    return any(a in (ODRL + "read", ODRL + "use", ODRL + "display") for a in info["surviving"])


def risk_report(store, *, at: date | None = None, days: int = 90, limit: int = 5, index=None,
                pool=None, compile_meanwhile: bool = False) -> dict:
    """The whole report. `index`: the store's compiled policies (policy.PolicyIndex), or a
    function giving them, where the caller keeps them current (the service's
    DecisionService): built here otherwise, which at 10,000 licences takes longer than the
    rest of the report. `pool`: a serving/query_pool.QueryPool whose report worker computes
    the catalogue's part (seconds of Python at 10,000 licences) in a process of its own, on
    a snapshot of the store, so that a serving process is not slowed by it; the contradicting
    terms are then found here, from `index`, after the worker answered, or while it works
    with `compile_meanwhile` (when the policies are still to be compiled: after a start that
    takes longer than the rest of the report; after a write, bringing them up to date is
    better left until the pages answered meanwhile are done)."""
    at = at or date.today()

    def policies():
        if callable(index):
            return index()
        if index is None:
            from ..policy import PolicyIndex
            return PolicyIndex.from_store(store)
        return index
    if pool is not None and compile_meanwhile:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(1, thread_name_prefix="risk-report") as there:
            part = there.submit(pool.call, CATALOGUE_RISKS, at=at, days=days, limit=limit)
            compiled = policies()
            rep = part.result()
    else:
        rep = (pool.call(CATALOGUE_RISKS, at=at, days=days, limit=limit) if pool is not None
               else catalogue_risks(store, at=at, days=days, limit=limit))
        compiled = policies()
    rep["conflicts"] = conflict_risks(compiled, at)
    rep["summary"]["conflicts"] = len(rep["conflicts"])
    return rep


#: catalogue_risks by name, for serving/query_pool.QueryPool.call
CATALOGUE_RISKS = "rightsgraph.reports.risks:catalogue_risks"


def catalogue_risks(store, *, at: date, days: int = 90, limit: int = 5) -> dict:
    """Every section of the report but the contradicting terms (`conflicts` empty): what the
    catalogue, the licences' records and the preservation and acquisition records say."""
    at = at or date.today()
    lics = _licences(store)
    containment = Containment(store)              # odrl:partOf* of every resource, walked once
    covered = containment.licences_of()
    # a rights statement of its own, or an open licence (dct:license) on it or what it is part of
    stated = {r for (r,) in plain_rows(
        store, "SELECT DISTINCT ?r WHERE { ?r <http://www.loc.gov/premis/rdf/v3/rightsStatus> ?rs }")}
    open_licensed = {c for (c,) in plain_rows(store, "SELECT DISTINCT ?c WHERE { ?c <http://purl.org/dc/terms/license> ?x }")}
    other_basis = (containment.resources & stated) | containment.within(open_licensed)
    # the collection a resource is listed under: what it is directly part of (the first by
    # IRI when several), from the links the containment walk read already
    collection_of = {r: min(containment.parents(r)) for r in containment.resources if containment.parents(r)}
    all_resources = sorted(containment.resources)

    # 1. resources in service without a licence in force
    force = {lic: in_force(info, at) for lic, info in lics.items()}     # once per licence, not per resource
    groups = defaultdict(list)
    for r in all_resources:
        ls = covered.get(r, set())
        if any(force[l] for l in ls if l in force):
            continue
        if not ls and r in other_basis:
            continue   # rests on a rights statement or an open licence, not on a licence
        reason = ("licences not in force: " + ", ".join(sorted(ls))) if ls else "no licence and no rights statement"
        groups[(collection_of.get(r, "(none)"), reason)].append(r)
    unlicensed = [{"collection": c, "reason": why, "resources": len(rs), "examples": rs[:limit]}
                  for (c, why), rs in sorted(groups.items())]

    # 2. licences expiring within N days
    renewals = defaultdict(list)
    for new, old in plain_rows(store, f"SELECT ?n ?o WHERE {{ ?n <{RGNS}renews> ?o }}"):
        renewals[old].append(new)
    horizon = at + timedelta(days=days)
    expiring = []
    for lic, info in sorted(lics.items()):
        if info.get("end") and in_force(info, at) and at <= info["end"] <= horizon:
            ren = [n for n in renewals.get(lic, []) if n in lics and lics[n].get("status") not in NOT_BINDING]
            expiring.append({"licence": lic, "end": info["end"].isoformat(), "days_left": (info["end"] - at).days,
                             "renewal": ren, "renewal_in_negotiation": [n for n in renewals.get(lic, []) if n not in ren]})

    # 3. key uses silent / not reviewed / not recorded
    from ..licences.vocabulary import KEY_USES, STATUS_KEYS, TERMS_NS
    recorded = defaultdict(dict)
    for lic, term_type, status in plain_rows(store, f"""SELECT ?l ?type ?status WHERE {{ ?l <{RGNS}licenceTerm> ?t .
            ?t <{RGNS}termType> ?type ; <{RGNS}termStatus> ?status }}"""):
        key = term_type[len(TERMS_NS):]
        st = STATUS_KEYS.get(status, status)
        prev = recorded[lic].get(key)
        # several rows for one term: the most telling (a decided status beats silence)
        if prev is None or prev in ("silent", "not_reviewed", "not_applicable"):
            recorded[lic][key] = st
    key_uses = []
    for lic, info in sorted(lics.items()):
        if not binds(info, at) or (info.get("end") and at > info["end"] and not info["surviving"]):
            continue
        for key in KEY_USES:
            st = recorded.get(lic, {}).get(key)
            if st in ("silent", "not_reviewed") or st is None:
                key_uses.append({"licence": lic, "term": key, "status": st or "not recorded"})

    # 4. assets without any preservation right
    archived = set()
    for lic, target in plain_rows(store, f"""SELECT DISTINCT ?l ?t WHERE {{ ?l a <{RGNS}Licence> ; <{ODRL}permission> ?p .
            ?p <{ODRL}action> <{ODRL}archive> . {{ ?p <{ODRL}target> ?t }} UNION {{ ?l <{ODRL}target> ?t }} }}"""):
        if binds(lics.get(lic, {}), at):
            archived.add(target)
    preserved = containment.resources & {r for (r,) in plain_rows(store, """SELECT DISTINCT ?r WHERE {
            ?r <http://www.loc.gov/premis/rdf/v3/rightsStatus> ?rs . ?rs <http://www.loc.gov/premis/rdf/v3/act> ?act }""")}
    if archived:
        preserved |= containment.within(archived)
    nopres = defaultdict(list)
    for r in all_resources:
        if r not in preserved:
            nopres[collection_of.get(r, "(none)")].append(r)
    no_preservation = [{"collection": c, "resources": len(rs), "examples": rs[:limit]} for c, rs in sorted(nopres.items())]

    # 4b. preserved copies (preservation/) against the preservation rights of section 4
    from ..preservation.report import preserved_resources
    with_copies = set(preserved_resources(store))
    copies_without_right = [{"resource": r, "collection": collection_of.get(r, "(none)")}
                            for r in sorted(with_copies - preserved)]
    uncopied = defaultdict(list)
    for r in all_resources:
        if r in preserved and r not in with_copies:
            uncopied[collection_of.get(r, "(none)")].append(r)
    rights_without_copy = [{"collection": c, "resources": len(rs), "examples": rs[:limit]}
                           for c, rs in sorted(uncopied.items())]

    # 6. cancellation notice deadlines of acquisitions
    from ..acquisitions import notice_deadlines
    deadlines = notice_deadlines(store, at=at, days=days)
    return {"at": at.isoformat(), "days": days, "unlicensed": unlicensed, "expiring": expiring,
            "key_uses": key_uses, "no_preservation": no_preservation, "conflicts": [],
            "copies_without_right": copies_without_right, "rights_without_copy": rights_without_copy,
            "cancellation_deadlines": deadlines,
            "summary": {"unlicensed_resources": sum(g["resources"] for g in unlicensed),
                        "expiring_licences": len(expiring), "key_uses_unsettled": len(key_uses),
                        "resources_without_preservation": sum(g["resources"] for g in no_preservation),
                        "conflicts": 0,
                        "preserved_without_right": len(copies_without_right),
                        "rights_without_preserved_copy": sum(g["resources"] for g in rights_without_copy),
                        "cancellation_notices_due": len(deadlines)}}


def conflict_risks(index, at: date) -> list[dict]:
    """Licence terms that contradict each other (policy.find_conflicts) among licences that
    bind on `at` (the decisions' lifecycle rule), except a member licence narrowing its
    consortium master on purpose and a term an amendment has replaced."""
    from ..policy import find_conflicts
    rules = {r.id: (p, r) for p in index.policies.values() for r in p.rules}
    conflicts = []
    for c in find_conflicts(index):
        pa = [rules.get(x) for x in c.rules]
        if any(x is None for x in pa):
            continue
        (p1, r1), (p2, r2) = pa
        if any(p.lifecycle is not None and not lifecycle_binds(p.lifecycle, at) for p in (p1, p2)):
            continue
        if r2 in r1.overridden_by or r1 in r2.overridden_by:
            continue   # a member licence narrowing its master on purpose
        if any(at >= eff for eff, _ in r1.replaced) or any(at >= eff for eff, _ in r2.replaced):
            continue   # replaced by an amendment
        conflicts.append(c.to_json())
    return conflicts


def format_risks(rep: dict) -> str:
    """The risk report as text, in the command line's language (the gettext catalogue)."""
    from ..translation import _
    s = rep["summary"]
    lines = [_("risks on %(at)s (expiring within %(days)s days)", at=rep["at"], days=rep["days"]), ""]
    lines.append(_("resources in service with no licence in force: %(n)s", n=s["unlicensed_resources"]))
    for g in rep["unlicensed"]:
        lines.append(f"  {g['collection']}: {g['resources']} ({g['reason']})")
    lines.append(_("licences expiring: %(n)s", n=s["expiring_licences"]))
    for e in rep["expiring"]:
        ren = (_("renewal %(licences)s", licences=", ".join(e["renewal"])) if e["renewal"] else _("no renewal"))
        lines.append("  " + _("%(licence)s ends %(end)s (%(days)s days); %(renewal)s",
                              licence=e["licence"], end=e["end"], days=e["days_left"], renewal=ren))
    lines.append(_("key uses silent, not reviewed or not recorded: %(n)s", n=s["key_uses_unsettled"]))
    for k in rep["key_uses"]:
        lines.append(f"  {k['licence']}: {k['term']} {k['status']}")
    lines.append(_("resources without any preservation right: %(n)s", n=s["resources_without_preservation"]))
    for g in rep["no_preservation"]:
        lines.append(f"  {g['collection']}: {g['resources']}")
    lines.append(_("preserved copies without a preservation right: %(n)s", n=s["preserved_without_right"]))
    for x in rep["copies_without_right"]:
        lines.append(f"  {x['resource']} ({x['collection']})")
    lines.append(_("preservation rights with no preserved copy: %(n)s", n=s["rights_without_preserved_copy"]))
    for g in rep["rights_without_copy"]:
        lines.append(f"  {g['collection']}: {g['resources']}")
    lines.append(_("contradicting terms: %(n)s", n=s["conflicts"]))
    for c in rep["conflicts"]:
        lines.append(f"  {c['kind']}: {' vs '.join(c['rules'])}")
    lines.append(_("cancellation notices due: %(n)s", n=s["cancellation_notices_due"]))
    for d in rep["cancellation_deadlines"]:
        when = (_("missed %(n)s days ago", n=-d["days_left"]) if d["missed"]
                else _("%(n)s days left", n=d["days_left"]))
        notice = (_("%(n)s days' notice", n=d["notice_days"]) if d["notice_days"] is not None
                  else _("no notice period recorded"))
        lines.append("  " + _("%(identifier)s: notify by %(deadline)s (%(when)s; %(licence)s ends %(end)s, "
                              "%(notice)s; now at %(stage)s)", identifier=d["identifier"], deadline=d["deadline"],
                              when=when, licence=d["licence"], end=d["term_end"], notice=notice,
                              stage=d["current_stage"]))
    return "\n".join(lines)


__all__ = ["risk_report", "format_risks", "short"]
