"""How long acquisitions take, and when a cancellation must be notified.

    stage_intervals(store)                          # days between consecutive stages
    timeliness(store, start="request", end="activation", year=2026)
    notice_deadlines(store, at=date.today(), days=90)

`timeliness` is what the usage report's timeliness indicator (art. 10) calls: for each
acquisition that reached both stages, the days from the first `start` stage to the first
`end` stage after it, with their count, median, mean and maximum.

`notice_deadlines` is what the risk report lists: for an acquisition whose licence term
ends, the last day a cancellation can be notified (the term's end minus the acquisition's
rg:cancellationNoticeDays; the end itself when none is recorded), unless a renewal or a
cancellation was already recorded during the current term.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

from ..namespaces import RG
from .records import _stages, acquisition_record
from .vocab import ACQUISITIONS_GRAPH, END_OF_TERM, STAGES


def _all(store) -> list[str]:
    return [r["a"].value for r in store.query(f"""SELECT ?a WHERE {{ GRAPH <{ACQUISITIONS_GRAPH.value}> {{
        ?a a <{RG.Acquisition.value}> }} }} ORDER BY ?a""")]


def stage_intervals(store, acquisition: str | None = None) -> list[dict]:
    """One row per pair of consecutive stages: acquisition, from, to, their dates, days."""
    out = []
    for acq in ([acquisition] if acquisition else _all(store)):
        stages = _stages(store, acq)
        for a, b in zip(stages, stages[1:]):
            out.append({"acquisition": acq, "from": a["stage"], "to": b["stage"],
                        "from_date": a["started"].date().isoformat(), "to_date": b["started"].date().isoformat(),
                        "days": (b["started"].date() - a["started"].date()).days})
    return out


def timeliness(store, *, start: str = "request", end: str = "activation", year: int | None = None,
               licence: str | None = None, package: str | None = None) -> dict:
    """Days from stage `start` to stage `end` per acquisition (only those that reached
    `end`; `year`: those whose `end` stage falls in it), with count, median, mean, max."""
    for s in (start, end):
        if s not in STAGES:
            raise ValueError(f"unknown stage {s!r} (one of {', '.join(STAGES)})")
    rows = []
    for acq in _all(store):
        rec = acquisition_record(store, acq)
        if licence and licence not in rec["licences"]:
            continue
        if package and package not in rec["packages"]:
            continue
        first = next((s for s in rec["stages"] if s["stage"] == start), None)
        if first is None:
            continue
        last = next((s for s in rec["stages"] if s["stage"] == end and s["date"] >= first["date"]), None)
        if last is None or (year is not None and not last["date"].startswith(f"{year:04d}-")):
            continue
        rows.append({"acquisition": acq, "identifier": rec["identifier"], "title": rec["title"],
                     "licences": rec["licences"], "packages": rec["packages"], "start_date": first["date"],
                     "end_date": last["date"],
                     "days": (date.fromisoformat(last["date"]) - date.fromisoformat(first["date"])).days})
    days = [r["days"] for r in rows]
    return {"start": start, "end": end, "year": year, "count": len(rows),
            "median_days": statistics.median(days) if days else None,
            "mean_days": round(statistics.fmean(days), 1) if days else None,
            "max_days": max(days) if days else None, "acquisitions": rows}


def notice_deadlines(store, *, at: date | None = None, days: int = 90) -> list[dict]:
    """Acquisitions whose cancellation must be notified within `days` days of `at`, or
    whose deadline passed while the term still runs, with nothing decided for the term's
    end; the earliest deadline first."""
    at = at or date.today()
    terms = {}
    for r in store.query(f"""SELECT ?l ?start ?end WHERE {{ ?l a <{RG.Licence.value}> ; <{RG.termEnd.value}> ?end .
            OPTIONAL {{ ?l <{RG.termStart.value}> ?start }} }}"""):
        terms[r["l"].value] = (date.fromisoformat(r["start"].value) if r["start"] is not None else None,
                               date.fromisoformat(r["end"].value))
    out = []
    for acq in _all(store):
        rec = acquisition_record(store, acq)
        if any(s["stage"] == "cancellation" and s["decision"] != "rejected" for s in rec["stages"]):
            continue   # cancelled
        for lic in rec["licences"]:
            if lic not in terms:
                continue
            term_start, term_end = terms[lic]
            if term_end < at:
                continue
            settled = [s for s in rec["stages"] if s["stage"] in END_OF_TERM
                       and (term_start is None or s["date"] >= term_start.isoformat())]
            if settled:
                continue
            notice = rec["notice_days"]
            deadline = term_end - timedelta(days=notice or 0)
            if deadline > at + timedelta(days=days):
                continue
            out.append({"acquisition": acq, "identifier": rec["identifier"], "title": rec["title"], "licence": lic,
                        "term_end": term_end.isoformat(), "notice_days": notice, "deadline": deadline.isoformat(),
                        "days_left": (deadline - at).days, "missed": deadline < at,
                        "current_stage": rec["current_stage"]})
    return sorted(out, key=lambda x: (x["deadline"], x["acquisition"]))


__all__ = ["stage_intervals", "timeliness", "notice_deadlines"]
