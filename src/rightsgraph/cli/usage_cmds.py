"""`rightsgraph usage import|list|remove`, `rightsgraph payments import` and
`rightsgraph report usage|cost-per-use|demand` (docs/usage.md).

Exit codes: 0 done; 1 a report or payment file was refused (nothing stored); 3 a file
cannot be read or a data set is not in the store.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import main

EXIT_REJECTED, EXIT_BAD_INPUT = 1, 3


def _nothing(lang: str) -> str:
    return "nothing was imported" if lang == "en" else "未导入任何数据"


@main.group()
def usage():
    """COUNTER usage (R5, R5.1): import reports, list and remove them."""


@usage.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agent", metavar="NAME|IRI", help="Who is importing, for the provenance record (default: OS user).")
@click.option("--limit", default=50, show_default=True, help="Problems to print.")
@click.pass_context
def usage_import(ctx, files, agent, limit):
    """Import COUNTER report FILES (TSV, CSV, xlsx or SUSHI JSON), all or nothing.

    Each report goes to its own graph; importing a report again replaces it."""
    from ..usage.importing import UsageImportError, UsageRejected, import_reports
    lang = ctx.obj["lang"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        for m in missing:
            click.echo(f"error: {m}: no such file" if lang == "en" else f"错误：{m}：文件不存在", err=True)
        click.echo(_nothing(lang), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    try:
        result = import_reports(ctx.obj["store"](), files, agent=agent)
    except UsageImportError as exc:
        for line in exc.lines(lang, limit):
            click.echo(line, err=True)
        click.echo(f"rejected; {_nothing(lang)}" if lang == "en" else f"已拒绝；{_nothing(lang)}", err=True)
        ctx.exit(EXIT_REJECTED)
    except UsageRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=limit), err=True)
        for node, where in list(exc.where.items())[:limit]:
            click.echo(f"  {node}: {where}", err=True)
        click.echo(f"rejected by the SHACL gate; {_nothing(lang)}" if lang == "en"
                   else f"未通过 SHACL 校验；{_nothing(lang)}", err=True)
        ctx.exit(EXIT_REJECTED)
    for g, (rid, n) in result.graphs.items():
        click.echo(f"imported {rid}: {n} observations into <{g}>" if lang == "en"
                   else f"已导入 {rid}：{n} 个观测，存入 <{g}>")
    for g in result.replaced:
        click.echo(f"replaced <{g}> (its months are covered)" if lang == "en" else f"已替换 <{g}>（其月份已被覆盖）")


@usage.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def usage_list(ctx, as_json):
    """The imported COUNTER reports."""
    from ..usage.importing import list_reports
    rows = list_reports(ctx.obj["store"]())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['report']:<6} R{r['release']:<4} {r['begin']}..{r['end']}  {r['observations']:>8} obs  "
                   f"{r['created_by'] or '-'}  <{r['graph']}>")


@usage.command("remove")
@click.argument("graph")
@click.pass_context
def usage_remove(ctx, graph):
    """Remove the imported report in GRAPH (see `usage list`)."""
    from ..usage.importing import remove_report
    try:
        n = remove_report(ctx.obj["store"](), graph)
    except KeyError as exc:
        click.echo(f"error: {exc.args[0]}", err=True)
        ctx.exit(EXIT_BAD_INPUT)
    click.echo(f"removed <{graph}> ({n} triples)")


# ------------------------------------------------------------------------------ payments
@main.group()
def payments():
    """Payments and invoices (fund, currency), kept in confidential graphs."""


@payments.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agent", metavar="NAME|IRI", help="Who is importing, for the provenance record.")
@click.pass_context
def payments_import(ctx, file, agent):
    """Import the payments CSV FILE (replaces the payments imported from a file of that name)."""
    from ..loading import LoadRejected
    from ..usage.payments import import_payments
    from ..usage.reader import CounterError
    lang = ctx.obj["lang"]
    if not file.is_file():
        click.echo(f"error: {file}: no such file", err=True)
        ctx.exit(EXIT_BAD_INPUT)
    try:
        res = import_payments(ctx.obj["store"](), file, agent=agent)
    except CounterError as exc:
        for line in exc.lines(lang):
            click.echo(line, err=True)
        click.echo(f"rejected; {_nothing(lang)}" if lang == "en" else f"已拒绝；{_nothing(lang)}", err=True)
        ctx.exit(EXIT_REJECTED)
    except LoadRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=50), err=True)
        click.echo(f"rejected by the SHACL gate; {_nothing(lang)}", err=True)
        ctx.exit(EXIT_REJECTED)
    click.echo(f"imported {res.payments} payments into <{res.graph}> (confidential)" if lang == "en"
               else f"已导入 {res.payments} 笔付款，存入 <{res.graph}>（保密）")


# ------------------------------------------------------------------------------ reports
from .licence_cmds import report  # noqa: E402  (the `report` group: assets, risks)


def _filters(f):
    f = click.option("--year", type=int, help="Calendar year (YYYY).")(f)
    f = click.option("--platform", metavar="NAME", help="Only this platform (as the COUNTER reports name it).")(f)
    f = click.option("--package", metavar="IRI", help="Only the titles of this package.")(f)
    f = click.option("--licence", metavar="IRI", help="Only the titles this licence covers.")(f)
    f = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                     show_default=True)(f)
    f = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(f)
    return f


def _emit(rep: dict, fmt: str, as_json: bool, text, csv_rows, columns) -> None:
    from ..usage.indicators import to_csv
    if as_json or fmt == "json":
        click.echo(json.dumps(rep, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        click.echo(to_csv(csv_rows, columns), nl=False)
    else:
        click.echo(text(rep))


@report.command("usage")
@_filters
@click.pass_context
def report_usage(ctx, year, platform, package, licence, fmt, as_json):
    """COUNTER usage month by month and year over year (art. 10.4)."""
    from ..usage.indicators import format_usage, usage_report
    rep = usage_report(ctx.obj["store"](), year=year, platform=platform, package=package, licence=licence)
    _emit(rep, fmt, as_json, format_usage, rep["months"], ["month"] + rep["metrics"])


@report.command("cost-per-use")
@_filters
@click.option("--top", type=int, default=0, help="Only the N titles with the highest and the N with the lowest cost per use.")
@click.pass_context
def report_cost_per_use(ctx, year, platform, package, licence, fmt, as_json, top):
    """Cost per use per licence, package and title (art. 10.2-10.3)."""
    from ..usage.indicators import CPU_COLUMNS, cost_per_use_report, format_cost_per_use
    rep = cost_per_use_report(ctx.obj["store"](), year=year, platform=platform, package=package,
                              licence=licence, top=top)
    _emit(rep, fmt, as_json, format_cost_per_use, rep["licences"] + rep["packages"] + rep["titles"], CPU_COLUMNS)


@report.command("demand")
@_filters
@click.option("--limit", type=int, default=0, help="At most N titles per list.")
@click.pass_context
def report_demand(ctx, year, platform, package, licence, fmt, as_json, limit):
    """Turnaways per title and titles asked for but not held (art. 10.5, user demand)."""
    from ..usage.indicators import DEMAND_COLUMNS, demand_report, format_demand
    if package or licence:
        raise click.UsageError("demand is about what the library does not hold: filter by --year and --platform")
    rep = demand_report(ctx.obj["store"](), year=year, platform=platform, limit=limit)
    _emit(rep, fmt, as_json, format_demand, rep["turnaways"] + [r for r in rep["not_held"] if not r["turnaways"]],
          DEMAND_COLUMNS)
