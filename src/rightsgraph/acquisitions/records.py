"""Recording and reading acquisition records.

An acquisition (rg:Acquisition, a prov:Activity) names the licences and packages it is
about (rg:forLicence, rg:forPackage: sub-properties of prov:used) and, when the licence
asks for one, the days of notice a cancellation needs (rg:cancellationNoticeDays). Each
stage is a prov:Activity of its own (rg:AcquisitionStage) that is dct:isPartOf the
acquisition, with its stage type, prov:startedAtTime (a date alone is midnight UTC),
optionally prov:endedAtTime, the decision taken (rg:decisionOutcome, rg:decisionNote),
who took it (prov:wasAssociatedWith) and the stage before it (prov:wasInformedBy).
Every record goes through the SHACL gate like any write (shapes/preservation-shapes.ttl).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from pyoxigraph import Literal, NamedNode, Quad

from .. import provenance
from ..namespaces import DCT, FOAF, PROV, RDF, RG, XSD
from ..preservation.commit import commit
from ..preservation.messages import PreservationError
from ..preservation.vocab import require_iri
from .vocab import (ACQUISITIONS_GRAPH, DECISION_NAMES, DECISIONS, STAGE_NAMES, STAGE_ORDER, STAGES,
                    acquisition_node)


@dataclass
class StageRecord:
    acquisition: str
    stage: str            # the stage activity's IRI
    kind: str             # "trial" ...
    started: str
    previous: str | None


def acquisition_iri(ident: str) -> str:
    return acquisition_node(ident).value


def as_datetime(value: date | datetime | str, param: str = "date") -> datetime:
    """A date or date-time (ISO 8601); a date alone is midnight UTC."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        except ValueError:
            raise PreservationError("acq_date", param=param, value=value) from None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(0, 0), tzinfo=timezone.utc)


def _dt(value: datetime) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def record_stage(store, ident: str, stage: str, when: date | datetime | str, *, by: str | None = None,
                 decision: str | None = None, note: str | None = None, licence: str | None = None,
                 package: str | None = None, title: str | None = None, notice_days: int | None = None,
                 ended: date | datetime | str | None = None, agent: str | None = None) -> StageRecord:
    """Record one stage of acquisition `ident` (created by its first stage). Raises
    PreservationError naming the bad parameter; nothing is stored then."""
    agent = agent or provenance.default_agent()
    by = by or agent
    if stage not in STAGES:
        raise PreservationError("acq_stage", stage=stage, known=", ".join(STAGES))
    if decision is not None and decision not in DECISIONS:
        raise PreservationError("acq_decision", decision=decision, known=", ".join(DECISIONS))
    if notice_days is not None and notice_days < 0:
        raise PreservationError("acq_notice", value=notice_days)
    started = as_datetime(when)
    end = as_datetime(ended, "ended") if ended is not None else None
    if end is not None and end < started:
        raise PreservationError("acq_ended", started=started.date(), ended=end.date())
    if licence and not store.query(f"ASK {{ <{require_iri(licence, '--licence')}> a <{RG.Licence.value}> }}"):
        raise PreservationError("acq_licence", licence=licence)
    if package and not store.query(f"""ASK {{ {{ <{require_iri(package, '--package')}> a <{RG.Package.value}> }} UNION
            {{ <{package}> a <{RG.Collection.value}> }} }}"""):
        raise PreservationError("acq_package", package=package)
    acq, g = acquisition_node(ident), ACQUISITIONS_GRAPH
    existing = _acquisition_facts(store, acq)
    if existing is not None and any(s["stage"] == stage and s["started"] == started for s in _stages(store, acq.value)):
        raise PreservationError("acq_duplicate", acquisition=ident, stage=stage, date=started.date())
    add, remove = [], []
    if existing is None:
        add += [Quad(acq, RDF.type, RG.Acquisition, g), Quad(acq, RDF.type, PROV.Activity, g),
                Quad(acq, DCT.identifier, Literal(ident), g), Quad(acq, PROV.startedAtTime, _dt(started), g)]
    elif existing.get("start") is not None and started < datetime.fromisoformat(existing["start"].value):
        remove.append(Quad(acq, PROV.startedAtTime, existing["start"], g))     # an earlier stage, recorded late
        add.append(Quad(acq, PROV.startedAtTime, _dt(started), g))
    if title:
        if existing and existing.get("title") is not None:
            remove.append(Quad(acq, DCT["title"], existing["title"], g))
        add.append(Quad(acq, DCT["title"], Literal(title), g))
    if notice_days is not None:
        if existing and existing.get("notice") is not None:
            remove.append(Quad(acq, RG.cancellationNoticeDays, existing["notice"], g))
        add.append(Quad(acq, RG.cancellationNoticeDays, Literal(str(notice_days), datatype=XSD.integer), g))
    if licence:
        add.append(Quad(acq, RG.forLicence, NamedNode(licence), g))
    if package:
        add.append(Quad(acq, RG.forPackage, NamedNode(package), g))

    st = NamedNode(f"{acq.value}:stage:{uuid.uuid4()}")
    who = provenance.agent_node(by)
    add += [Quad(st, RDF.type, RG.AcquisitionStage, g), Quad(st, RDF.type, PROV.Activity, g),
            Quad(st, DCT.isPartOf, acq, g), Quad(st, RG.stageType, STAGES[stage], g),
            Quad(st, PROV.startedAtTime, _dt(started), g), Quad(st, PROV.wasAssociatedWith, who, g),
            Quad(who, RDF.type, PROV.Agent, g), Quad(who, FOAF.name, Literal(by), g)]
    if end is not None:
        add.append(Quad(st, PROV.endedAtTime, _dt(end), g))
    if decision:
        add.append(Quad(st, RG.decisionOutcome, DECISIONS[decision], g))
    if note:
        add.append(Quad(st, RG.decisionNote, Literal(note), g))
    previous = _previous_stage(store, acq, started, stage)
    if previous:
        add.append(Quad(st, PROV.wasInformedBy, NamedNode(previous), g))
    commit(store, add, remove, agent=agent, via="acquisition", name=f"acquisition {ident}")
    return StageRecord(acq.value, st.value, stage, started.isoformat(), previous)


def _acquisition_facts(store, acq: NamedNode) -> dict | None:
    rows = list(store.query(f"""SELECT ?start ?title ?notice WHERE {{ GRAPH <{ACQUISITIONS_GRAPH.value}> {{
        <{acq.value}> a <{RG.Acquisition.value}> . OPTIONAL {{ <{acq.value}> <{PROV.startedAtTime.value}> ?start }}
        OPTIONAL {{ <{acq.value}> <{DCT["title"].value}> ?title }}
        OPTIONAL {{ <{acq.value}> <{RG.cancellationNoticeDays.value}> ?notice }} }} }}"""))
    if not rows:
        return None
    r = rows[0]
    return {"start": r["start"], "title": r["title"], "notice": r["notice"]}


def _previous_stage(store, acq: NamedNode, started: datetime, stage: str) -> str | None:
    """The stage this one follows: the latest recorded at or before its date (the usual
    order breaks ties: a trial and its evaluation on the same day)."""
    best = None
    for s in _stages(store, acq.value):
        key = (s["started"], STAGE_ORDER[s["stage"]])
        if key <= (started, STAGE_ORDER[stage]) and (best is None or key > best[0]):
            best = (key, s["iri"])
    return best[1] if best else None


def _stages(store, acq: str) -> list[dict]:
    rows = store.query(f"""SELECT ?s ?type ?start ?end ?dec ?note ?who ?name WHERE {{
        GRAPH <{ACQUISITIONS_GRAPH.value}> {{
          ?s <{DCT.isPartOf.value}> <{acq}> ; a <{RG.AcquisitionStage.value}> ; <{RG.stageType.value}> ?type ;
             <{PROV.startedAtTime.value}> ?start .
          OPTIONAL {{ ?s <{PROV.endedAtTime.value}> ?end }} OPTIONAL {{ ?s <{RG.decisionOutcome.value}> ?dec }}
          OPTIONAL {{ ?s <{RG.decisionNote.value}> ?note }}
          OPTIONAL {{ ?s <{PROV.wasAssociatedWith.value}> ?who OPTIONAL {{ ?who <{FOAF.name.value}> ?name }} }} }} }}""")
    out = {}
    for r in rows:
        s = out.setdefault(r["s"].value, {
            "iri": r["s"].value, "stage": STAGE_NAMES.get(r["type"].value, r["type"].value),
            "started": datetime.fromisoformat(r["start"].value),
            "ended": r["end"].value if r["end"] is not None else None,
            "decision": DECISION_NAMES.get(r["dec"].value) if r["dec"] is not None else None,
            "note": r["note"].value if r["note"] is not None else None, "by": []})
        if r["who"] is not None:
            who = r["name"].value if r["name"] is not None else r["who"].value
            if who not in s["by"]:
                s["by"].append(who)
    return sorted(out.values(), key=lambda s: (s["started"], STAGE_ORDER.get(s["stage"], 99), s["iri"]))


def acquisition_record(store, ident: str) -> dict:
    """The acquisition with its stages in order and the days between them."""
    acq = acquisition_node(ident)
    rows = list(store.query(f"""SELECT ?id ?title ?notice ?lic ?pkg WHERE {{ GRAPH <{ACQUISITIONS_GRAPH.value}> {{
        <{acq.value}> a <{RG.Acquisition.value}> ; <{DCT.identifier.value}> ?id .
        OPTIONAL {{ <{acq.value}> <{DCT["title"].value}> ?title }}
        OPTIONAL {{ <{acq.value}> <{RG.cancellationNoticeDays.value}> ?notice }}
        OPTIONAL {{ <{acq.value}> <{RG.forLicence.value}> ?lic }}
        OPTIONAL {{ <{acq.value}> <{RG.forPackage.value}> ?pkg }} }} }}"""))
    if not rows:
        raise PreservationError("acq_unknown", acquisition=ident)
    stages = _stages(store, acq.value)
    out_stages, prev = [], None
    for s in stages:
        out_stages.append({"stage": s["stage"], "date": s["started"].date().isoformat(), "ended": s["ended"],
                           "decision": s["decision"], "note": s["note"], "by": s["by"], "iri": s["iri"],
                           "days_since_previous": (s["started"].date() - prev).days if prev else None})
        prev = s["started"].date()
    r = rows[0]
    from ..preservation.documents import documents
    return {
        "acquisition": acq.value, "identifier": r["id"].value,
        "title": r["title"].value if r["title"] is not None else None,
        "licences": sorted({x["lic"].value for x in rows if x["lic"] is not None}),
        "packages": sorted({x["pkg"].value for x in rows if x["pkg"] is not None}),
        "notice_days": int(r["notice"].value) if r["notice"] is not None else None,
        "stages": out_stages,
        "current_stage": out_stages[-1]["stage"] if out_stages else None,
        "days_first_to_last": (stages[-1]["started"].date() - stages[0]["started"].date()).days if stages else None,
        "documents": documents(store, of=acq.value),
    }


def acquisitions(store) -> list[dict]:
    """Every acquisition with its latest stage."""
    out = []
    for r in store.query(f"""SELECT ?a ?id WHERE {{ GRAPH <{ACQUISITIONS_GRAPH.value}> {{
            ?a a <{RG.Acquisition.value}> ; <{DCT.identifier.value}> ?id }} }} ORDER BY ?id"""):
        rec = acquisition_record(store, r["a"].value)
        last = rec["stages"][-1] if rec["stages"] else {}
        out.append({"acquisition": rec["acquisition"], "identifier": rec["identifier"], "title": rec["title"],
                    "licences": rec["licences"], "packages": rec["packages"], "stages": len(rec["stages"]),
                    "current_stage": rec["current_stage"], "date": last.get("date"), "decision": last.get("decision")})
    return out


__all__ = ["record_stage", "acquisition_record", "acquisitions", "acquisition_iri", "as_datetime", "StageRecord"]
