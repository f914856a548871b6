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
                             f"metric type {m} is not allowed in {h.report_id} (R{h.release})",
                             f"{h.report_id}（R{h.release}）不允许指标类型 {m}"))
    groups: dict[tuple, dict[str, object]] = defaultdict(dict)
    for row in report.rows:
        if len(problems) >= MAX_PROBLEMS:
            break
        if row.metric not in allowed:
            problems.append((row.metric_at, f"metric type {row.metric!r} is not allowed in {h.report_id} "
                                            f"(R{h.release}: {', '.join(allowed)})",
                             f"{h.report_id}（R{h.release}）不允许指标类型 {row.metric!r}（允许：{'、'.join(allowed)}）"))
        _check_attributes(row, h.release, problems)
        for month, n in row.counts.items():
            if n < 0:
                problems.append((row.cells.get(month, row.where), f"negative count {n}", f"计数为负：{n}"))
            if months and month not in months:
                problems.append((row.cells.get(month, row.where),
                                 f"{month} is outside the reporting period {h.begin}..{h.end}",
                                 f"{month} 不在报告期 {h.begin}..{h.end} 之内"))
        if row.total is not None and row.total != sum(row.counts.values()):
            problems.append((row.total_at, f"Reporting_Period_Total {row.total} is not the sum of the months "
                                           f"({sum(row.counts.values())})",
                             f"Reporting_Period_Total {row.total} 不等于各月之和（{sum(row.counts.values())}）"))
        key = (row.item, tuple(sorted(row.attrs.items())))
        if row.metric in groups[key]:
            problems.append((row.metric_at, f"{row.metric} appears twice for the same item and attributes "
                                            f"(first at {groups[key][row.metric].where})",
                             f"同一条目与属性的 {row.metric} 出现两次（首次在 {groups[key][row.metric].where}）"))
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
                                     f"{lesser} {n} is above {greater} {top} for {month}",
                                     f"{month} 的 {lesser}（{n}）大于 {greater}（{top}）"))
    if problems:
        raise CounterError(report.source, problems[:MAX_PROBLEMS])


def _check_attributes(row, release: str, problems: list) -> None:
    lists = {"Access_Type": spec.ACCESS_TYPES[release], "Access_Method": spec.ACCESS_METHODS,
             "Data_Type": spec.DATA_TYPES[release], "Section_Type": spec.SECTION_TYPES}
    for name, allowed in lists.items():
        v = row.attrs.get(name)
        if v is not None and v not in allowed:
            problems.append((row.attr_at.get(name, row.where), f"{name} {v!r} is not a COUNTER R{release} value "
                                                               f"({', '.join(allowed)})",
                             f"{name} {v!r} 不是 COUNTER R{release} 的取值"))
    yop = row.attrs.get("YOP")
    if yop is not None and not re.fullmatch(r"\d{4}", yop):
        problems.append((row.attr_at.get("YOP", row.where), f"YOP {yop!r} is not a four-digit year "
                                                            "(0001 unknown, 9999 articles in press)",
                         f"YOP {yop!r} 不是四位年份（0001 表示未知，9999 表示在印）"))
