"""COUNTER's rules on a parsed report, before anything becomes RDF: each problem names the
cell (row and column, or JSON path). The shapes (shapes/usage-shapes.ttl) state the same
rules on the data cube, so RDF that reaches the store another way is held to them too.

    check_report(report)   # raises reader.CounterError listing every problem
"""

from __future__ import annotations

import re
from collections import defaultdict

from . import counter_spec as spec
from .reader import CounterError, CounterReport
from ..translation import both

MAX_PROBLEMS = 200


def check_report(report: CounterReport) -> None:
    h = report.header
    allowed = spec.allowed_metrics(h.report_id, h.release)
    in_scope = [m for m in h.metric_types if m in allowed] or list(allowed)
    months = set(report.months())
    problems: list[tuple[str, str, str]] = []
    for m in h.metric_types:
        if m not in allowed:
            problems.append((h.at.get("Metric_Types", "Report_Header.Report_Filters.Metric_Type"),
                             both("metric type %(m)s is not allowed in %(report_id)s (R%(release)s)",
                                  m=m, report_id=h.report_id, release=h.release)))
    groups: dict[tuple, dict[str, object]] = defaultdict(dict)
    for row in report.rows:
        if len(problems) >= MAX_PROBLEMS:
            break
        if row.metric not in allowed:
            problems.append((row.metric_at, both("metric type %(metric)s is not allowed in %(report_id)s "
                                                 "(R%(release)s: %(allowed)s)",
                                                 metric=repr(row.metric), report_id=h.report_id, release=h.release,
                                                 # the Chinese lists them with 、 (typography)
                                                 allowed=", ".join(allowed), allowed_listed="、".join(allowed))))
        _check_attributes(row, h.release, problems)
        for month, n in row.counts.items():
            if n < 0:
                problems.append((row.cells.get(month, row.where), both("negative count %(n)s", n=n)))
            if months and month not in months:
                problems.append((row.cells.get(month, row.where),
                                 both("%(month)s is outside the reporting period %(begin)s..%(end)s",
                                      month=month, begin=h.begin, end=h.end)))
        if row.total is not None and row.total != sum(row.counts.values()):
            problems.append((row.total_at, both("Reporting_Period_Total %(total)s is not the sum of the months "
                                                "(%(sum)s)",
                                                total=row.total, sum=sum(row.counts.values()))))
        key = (row.item, tuple(sorted(row.attrs.items())))
        if row.metric in groups[key]:
            problems.append((row.metric_at, both("%(metric)s appears twice for the same item and attributes (first "
                                                 "at %(where)s)",
                                                 metric=row.metric, where=groups[key][row.metric].where)))
        groups[key][row.metric] = row
    for rows in groups.values():
        for lesser, greater in spec.NOT_ABOVE:
            # both rows must be there: R5 puts title-level metrics on rows without a
            # Section_Type, apart from the item-level rows they would be compared with
            if lesser not in rows or greater not in rows or greater not in in_scope:
                continue
            low, high = rows[lesser], rows[greater]
            for month, n in low.counts.items():
                top = high.counts.get(month, 0)
                if n > top:
                    problems.append((low.cells.get(month, low.where),
                                     both("%(lesser)s %(n)s is above %(greater)s %(top)s for %(month)s",
                                          lesser=lesser, n=n, greater=greater, top=top, month=month)))
    if problems:
        raise CounterError(report.source, problems[:MAX_PROBLEMS])


def _check_attributes(row, release: str, problems: list) -> None:
    lists = {"Access_Type": spec.ACCESS_TYPES[release], "Access_Method": spec.ACCESS_METHODS,
             "Data_Type": spec.DATA_TYPES[release], "Section_Type": spec.SECTION_TYPES}
    for name, allowed in lists.items():
        v = row.attrs.get(name)
        if v is not None and v not in allowed:
            problems.append((row.attr_at.get(name, row.where), both("%(name)s %(v)s is not a COUNTER R%(release)s "
                                                                    "value (%(allowed)s)",
                                                                    name=name, v=repr(v), release=release,
                                                                    allowed=", ".join(allowed))))
    yop = row.attrs.get("YOP")
    if yop is not None and not re.fullmatch(r"\d{4}", yop):
        problems.append((row.attr_at.get("YOP", row.where), both("YOP %(yop)s is not a four-digit year (0001 "
                                                                 "unknown, 9999 articles in press)",
                                                                 yop=repr(yop))))
