"""Acquisition workflow records (art. 6.1, 6.5) on the demo world: stages as PROV-O
activities with dates, decisions and who took them, linked to the licence and package;
the days between stages (for the timeliness indicator); cancellation notice deadlines
in the risk report; bad input refused by name with nothing stored."""

from __future__ import annotations

import json
from datetime import date

import pytest

from rightsgraph.acquisitions import (acquisition_iri, acquisition_record, acquisitions, notice_deadlines,
                                      record_stage, stage_intervals, timeliness)
from rightsgraph.preservation.messages import PreservationError

from .conftest import run_cli

DEMO = "https://demo.rightsgraph.org/"
L01, PKG = DEMO + "licence/L01", DEMO + "package/aldgate-stm-journals"     # L01: 2025-01-01 .. 2027-12-31
PROV = "http://www.w3.org/ns/prov#"
RG = "https://w3id.org/rightsgraph/ns#"

WORKFLOW = [("request", "2024-06-03", "Zhang Min", "approved", "Chemistry faculty asks for the STM journals"),
            ("trial", "2024-06-17", "Li Wei", "approved", None),
            ("evaluation", "2024-07-29", "Acquisitions committee", "approved", "heavy trial use"),
            ("negotiation", "2024-09-02", "Li Wei", "approved", "consortium price, 8% discount"),
            ("order", "2024-11-20", "Director Wang", "approved", "signed"),
            ("acceptance", "2024-12-20", "Li Wei", "approved", None),
            ("activation", "2025-01-01", "Systems team", None, None)]


def record_workflow(store, ident="2025-aldgate"):
    for i, (stage, when, by, decision, note) in enumerate(WORKFLOW):
        extra = {"licence": L01, "package": PKG, "title": "Aldgate STM journals", "notice_days": 90} if i == 0 else {}
        record_stage(store, ident, stage, when, by=by, decision=decision, note=note, **extra)


def test_stages_are_prov_activities_in_order_with_days_between(demo_store):
    record_workflow(demo_store)
    rec = acquisition_record(demo_store, "2025-aldgate")
    assert [s["stage"] for s in rec["stages"]] == [w[0] for w in WORKFLOW]
    assert [s["days_since_previous"] for s in rec["stages"]] == [None, 14, 42, 35, 79, 30, 12]
    assert rec["licences"] == [L01] and rec["packages"] == [PKG] and rec["notice_days"] == 90
    assert rec["stages"][3]["note"] == "consortium price, 8% discount" and rec["stages"][4]["by"] == ["Director Wang"]
    acq = acquisition_iri("2025-aldgate")
    # PROV-O: each stage is part of the acquisition and informed by the one before
    assert demo_store.query(f"""ASK {{ ?trial <{RG}stageType> <{RG}TrialStage> ; <{PROV}wasInformedBy> ?req ;
        <http://purl.org/dc/terms/isPartOf> <{acq}> ; <{PROV}wasAssociatedWith> ?who .
        ?who <http://xmlns.com/foaf/0.1/name> "Li Wei" . ?req <{RG}stageType> <{RG}RequestStage> .
        <{acq}> a <{PROV}Activity> ; <{RG}forLicence> <{L01}> ; <{PROV}startedAtTime> ?start
        FILTER(STRSTARTS(STR(?start), "2024-06-03T00:00:00")) }}""")
    assert [i["days"] for i in stage_intervals(demo_store, acq)] == [14, 42, 35, 79, 30, 12]


def test_a_stage_recorded_late_takes_its_place_by_date(demo_store):
    record_stage(demo_store, "late", "evaluation", "2025-03-10", by="A")
    record_stage(demo_store, "late", "request", "2025-02-01", by="B")        # backfilled
    rec = acquisition_record(demo_store, "late")
    assert [s["stage"] for s in rec["stages"]] == ["request", "evaluation"]
    assert rec["stages"][1]["days_since_previous"] == 37
    start = next(iter(demo_store.query(f"""SELECT ?t WHERE {{ <{acquisition_iri('late')}> <{PROV}startedAtTime> ?t }}""")))
    assert start["t"].value.startswith("2025-02-01")                          # the acquisition began earlier


def test_timeliness_from_request_to_activation(demo_store):
    record_workflow(demo_store)                                                # 212 days
    record_stage(demo_store, "2026-db", "request", "2025-09-01", by="X")
    record_stage(demo_store, "2026-db", "activation", "2025-10-31", by="Y")    # 60 days
    record_stage(demo_store, "2026-open", "request", "2025-11-01", by="Z")     # not activated yet
    rep = timeliness(demo_store)
    assert rep["count"] == 2 and sorted(r["days"] for r in rep["acquisitions"]) == [60, 212]
    assert (rep["median_days"], rep["mean_days"], rep["max_days"]) == (136.0, 136.0, 212)
    assert timeliness(demo_store, year=2025)["count"] == 2 and timeliness(demo_store, year=2024)["count"] == 0
    assert timeliness(demo_store, start="trial", end="order")["acquisitions"][0]["days"] == 156
    assert [a["current_stage"] for a in acquisitions(demo_store)] == ["activation", "activation", "request"]


@pytest.mark.parametrize("case", ["stage", "date", "licence", "package", "notice", "ended", "decision"])
def test_bad_input_is_refused_by_name_and_nothing_stored(demo_store, case):
    before = demo_store.count()
    kwargs = {"stage": ("order", "2025-01-01", {}), "date": ("order", "1 March", {}),
              "licence": ("order", "2025-01-01", {"licence": DEMO + "licence/none"}),
              "package": ("order", "2025-01-01", {"package": DEMO + "resource/0002"}),
              "notice": ("order", "2025-01-01", {"notice_days": -1}),
              "ended": ("trial", "2025-02-01", {"ended": "2025-01-01"}),
              "decision": ("order", "2025-01-01", {"decision": "maybe"})}[case]
    stage = "purchase" if case == "stage" else kwargs[0]
    with pytest.raises(PreservationError) as exc:
        record_stage(demo_store, "bad", stage, kwargs[1], by="T", **kwargs[2])
    words = {"stage": "purchase", "date": "--date", "licence": "--licence", "package": "--package",
             "notice": "--notice-days", "ended": "--ended", "decision": "--decision"}[case]
    assert words in exc.value.text("en") and exc.value.text("zh") != exc.value.text("en")
    assert demo_store.count() == before


def test_cancellation_notice_deadlines_in_the_risk_report(demo_store):
    from rightsgraph.reports.risks import format_risks, risk_report
    record_workflow(demo_store)                                  # L01 ends 2027-12-31, 90 days' notice
    due = notice_deadlines(demo_store, at=date(2027, 9, 1), days=60)
    assert [(d["identifier"], d["deadline"], d["days_left"], d["missed"]) for d in due] == \
        [("2025-aldgate", "2027-10-02", 31, False)]
    assert notice_deadlines(demo_store, at=date(2027, 6, 1), days=60) == []            # not yet
    assert notice_deadlines(demo_store, at=date(2027, 11, 1), days=60)[0]["missed"]    # term runs, too late
    rep = risk_report(demo_store, at=date(2027, 9, 1), days=60)
    assert rep["summary"]["cancellation_notices_due"] == 1
    assert "notify by 2027-10-02 (31 days left" in format_risks(rep)
    record_stage(demo_store, "2025-aldgate", "renewal", "2027-09-15", by="Committee", decision="approved")
    assert notice_deadlines(demo_store, at=date(2027, 9, 20), days=60) == []           # settled for this term


def test_cli_record_show_list_timeliness(tmp_path):
    data = tmp_path / "data"
    cli = lambda *a: run_cli(*a, data_dir=data)   # noqa: E731
    assert cli("demo", "--no-serve").returncode == 0
    r = cli("acquisition", "record", "2025-aldgate", "request", "--date", "2024-06-03", "--by", "Zhang Min",
            "--licence", L01, "--package", PKG, "--notice-days", "90", "--title", "Aldgate STM journals")
    assert r.returncode == 0, r.stderr
    assert cli("acquisition", "record", "2025-aldgate", "activation", "--date", "2025-01-01",
               "--decision", "approved", "--note", "live for all members").returncode == 0
    shown = cli("acquisition", "show", "2025-aldgate")
    assert "activation" in shown.stdout and "(+212 days)" in shown.stdout and "Zhang Min" in shown.stdout
    assert json.loads(cli("acquisition", "show", "2025-aldgate", "--json").stdout)["days_first_to_last"] == 212
    assert "2025-aldgate" in cli("acquisition", "list").stdout
    assert json.loads(cli("acquisition", "timeliness", "--json").stdout)["median_days"] == 212
    r = cli("--lang", "zh", "acquisition", "record", "x", "order", "--date", "2025-01-01", "--licence", "lic:nope")
    assert r.returncode == 3 and "库中没有此许可协议" in r.stderr and "Traceback" not in r.stderr
    r = cli("acquisition", "show", "nothing-here")
    assert r.returncode == 3 and "no acquisition recorded" in r.stderr
