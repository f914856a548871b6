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
