"""Acquisition workflow records (national guide art. 6.1, 6.5): each acquisition of a
licence or package is a PROV-O activity whose stages (request, trial, evaluation,
negotiation, order, acceptance, activation, renewal or cancellation) are activities of
their own, with their date, decision and who made it. docs/preservation.md.

    record_stage(store, "2026-aldgate", "trial", date(2026, 3, 1), by="Li Wei", licence=IRI)
    acquisition_record(store, "2026-aldgate")        # the stages, days between them
    timeliness(store, start="request", end="activation")   # for the usage report's indicator
    notice_deadlines(store, at=date.today())          # for the risk report
"""

from .records import acquisition_iri, acquisition_record, acquisitions, record_stage
from .timeliness import notice_deadlines, stage_intervals, timeliness
from .vocab import STAGES

__all__ = ["record_stage", "acquisition_record", "acquisitions", "acquisition_iri", "stage_intervals",
           "timeliness", "notice_deadlines", "STAGES"]
