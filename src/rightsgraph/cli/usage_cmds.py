"""`rightsgraph usage import|list|remove|harvest`, `usage sushi add|list|remove`,
`rightsgraph payments import` and
`rightsgraph report usage|cost-per-use|demand` (docs/usage.md).

Exit codes: 0 done; 1 a report or payment file was refused (nothing stored); 3 a file
cannot be read, a data set is not in the store or a SUSHI provider is not known;
`usage harvest` adds 4-7 (see its help).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..bilingual import in_lang
from ..file_positions import in_language
from ..translation import _, gettext

from . import main

EXIT_REJECTED, EXIT_BAD_INPUT = 1, 3


def _nothing(lang: str | None = None) -> str:
    return gettext("nothing was imported", lang)


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
            click.echo(_("error: %(path)s: no such file", path=m), err=True)
        click.echo(_nothing(lang), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    try:
        result = import_reports(ctx.obj["store"](create=True), files, agent=agent)
    except UsageImportError as exc:
        for line in exc.lines(lang, limit):
            click.echo(line, err=True)
        click.echo(_("rejected; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    except UsageRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=limit), err=True)
        for node, where in list(exc.where.items())[:limit]:
            click.echo(f"  {node}: {in_language(where, lang)}", err=True)
        click.echo(_("rejected by the SHACL gate; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    for g, (rid, n) in result.graphs.items():
        click.echo(_("imported %(report)s: %(n)s observations into <%(graph)s>", report=rid, n=n, graph=g))
    for g in result.replaced:
        click.echo(_("replaced <%(graph)s> (its months are covered)", graph=g))


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
        click.echo(f"{r['report']:<6} R{r['release']:<4} {r['begin']}..{r['end']}  "
                   + _("%(n)8s obs", n=r["observations"]) + f"  {r['created_by'] or '-'}  <{r['graph']}>")


@usage.command("remove")
@click.argument("graph")
@click.pass_context
def usage_remove(ctx, graph):
    """Remove the imported report in GRAPH (see `usage list`)."""
    from ..usage.importing import remove_report
    try:
        n = remove_report(ctx.obj["store"](), graph)
    except KeyError as exc:
        click.echo(_("error: %(message)s", message=exc.args[0]), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    click.echo(_("removed <%(graph)s> (%(n)s triples)", graph=graph, n=n))


# ------------------------------------------------------------------------------ SUSHI
EXIT_SERVER, EXIT_SERVER_REFUSED, EXIT_NO_USAGE, EXIT_NOT_READY = 4, 5, 6, 7


def _credentials(ctx):
    from ..usage.sushi_credentials import CREDENTIALS_FILE, SushiCredentials
    return SushiCredentials(ctx.obj["state"].accounts_file.parent / CREDENTIALS_FILE)


def _secret(value: str | None, what: str) -> str:
    """A secret given as '-' is read from standard input (hidden on a terminal), so it
    stays out of the shell history and the process list."""
    import sys
    if value != "-":
        return value or ""
    if sys.stdin.isatty():
        return click.prompt(what, hide_input=True, err=True)
    return sys.stdin.readline().strip()


@usage.group("sushi")
def sushi():
    """COUNTER_SUSHI servers and the library's credentials on them.

    Kept in sushi-credentials.json beside the store (mode 0600), never in the graph;
    requestor_id and api_key are never printed."""


@sushi.command("add")
@click.argument("name")
@click.option("--url", required=True, help="The server's base URL, before /reports (R5.1: with or without /r51).")
@click.option("--customer-id", required=True, help="customer_id the platform gave the library.")
@click.option("--requestor-id", metavar="ID|-", help="requestor_id, if the platform gave one ('-': read it from stdin).")
@click.option("--api-key", metavar="KEY|-", help="api_key, if the platform gave one ('-': read it from stdin).")
@click.option("--platform", metavar="NAME", help="platform, for servers that serve several.")
@click.option("--release", type=click.Choice(["5", "5.1"]), default="5.1", show_default=True,
              help="COUNTER release the server speaks (R5.1 paths are /r51/reports/...).")
@click.pass_context
def sushi_add(ctx, name, url, customer_id, requestor_id, api_key, platform, release):
    """Store (or replace) the SUSHI server NAME and the library's credentials on it."""
    from ..usage.sushi_credentials import CredentialsError, SushiProvider
    lang = ctx.obj["lang"]
    provider = SushiProvider(name, url, customer_id, _secret(requestor_id, "requestor_id"),
                             _secret(api_key, "api_key"), platform or "", release)
    try:
        replaced = _credentials(ctx).add(provider)
    except CredentialsError as exc:
        click.echo(_("error: %(message)s", message=exc.text(lang)), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    is_set = {True: _("set"), False: _("not set")}
    told = dict(name=name, url=url, release=release, customer_id=customer_id,
                requestor_id=is_set[bool(provider.requestor_id)], api_key=is_set[bool(provider.api_key)])
    click.echo(_("replaced SUSHI provider %(name)s: %(url)s (R%(release)s), customer_id %(customer_id)s, requestor_id "
                 "%(requestor_id)s, api_key %(api_key)s", **told) if replaced else
               _("stored SUSHI provider %(name)s: %(url)s (R%(release)s), customer_id %(customer_id)s, requestor_id "
                 "%(requestor_id)s, api_key %(api_key)s", **told))


@sushi.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def sushi_list(ctx, as_json):
    """The stored SUSHI servers (secrets shown only as set / not set)."""
    from ..usage.sushi_credentials import CredentialsError
    try:
        rows = [p.public() for p in _credentials(ctx).list()]
    except CredentialsError as exc:
        click.echo(_("error: %(message)s", message=exc.text(ctx.obj["lang"])), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['name']:<16} R{r['release']:<4} {r['url']}  customer_id {r['customer_id']}  "
                   f"requestor_id {r['requestor_id']}  api_key {r['api_key']}"
                   + (f"  platform {r['platform']}" if r["platform"] else ""))


@sushi.command("remove")
@click.argument("name")
@click.pass_context
def sushi_remove(ctx, name):
    """Forget the SUSHI server NAME and its credentials."""
    from ..usage.sushi_credentials import CredentialsError
    lang = ctx.obj["lang"]
    try:
        _credentials(ctx).remove(name)
    except CredentialsError as exc:
        click.echo(_("error: %(message)s", message=exc.text(lang)), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    click.echo(_("removed SUSHI provider %(name)s", name=name))


def _report_id(ctx, param, values):
    from ..usage import counter_spec as spec
    by_upper = {r.upper(): r for r in spec.REPORT_IDS}
    out = []
    for v in values:
        if v.upper() not in by_upper:
            raise click.BadParameter(_("%(value)r is not a COUNTER report (%(reports)s)", value=v,
                                       reports=", ".join(spec.REPORT_IDS)))
        out.append(by_upper[v.upper()])
    return out


def _month(ctx, param, value):
    import re
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise click.BadParameter(_("%(value)r is not a month (YYYY-MM)", value=value))
    return value


@usage.command("harvest")
@click.argument("provider")
@click.option("--report", "reports", multiple=True, required=True, callback=_report_id, metavar="ID",
              help="Report or Standard View (TR, TR_J1, DR, PR, IR ...); repeat for several.")
@click.option("--begin", required=True, callback=_month, metavar="YYYY-MM", help="First month.")
@click.option("--end", required=True, callback=_month, metavar="YYYY-MM", help="Last month.")
@click.option("--attributes", metavar="A|B", help="attributes_to_show for master reports "
              "(default: Access_Type|Access_Method, and Data_Type|Section_Type in R5).")
@click.option("--retries", type=click.IntRange(0, 20), default=5, show_default=True,
              help="Times to ask again when the server is busy or the report queued.")
@click.option("--wait", type=click.FloatRange(0, 3600), default=5.0, show_default=True,
              help="Seconds before the first retry; doubled each time (the server's Retry-After wins).")
@click.option("--save", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Keep each report as received (JSON) in DIR.")
@click.option("--agent", metavar="NAME|IRI", help="Who is harvesting, for the provenance record.")
@click.option("--limit", default=50, show_default=True, help="Problems to print.")
@click.pass_context
def usage_harvest(ctx, provider, reports, begin, end, attributes, retries, wait, save, agent, limit):
    """Harvest COUNTER reports from the SUSHI server PROVIDER and import them (all or nothing).

    \b
    Exit codes: 0 imported; 1 a report broke COUNTER's rules (nothing imported);
    3 unknown provider; 4 the server was unreachable or busy after the retries, or did not
    answer SUSHI; 5 the server refused the request (credentials, dates, report: SUSHI 1030,
    2000, 2010, 2011, 2020, 3000, 3010, 3020, 3070); 6 no usage for these months (3030,
    3032); 7 a report is not ready yet (3031, or still queued: 1011): harvest it again
    later (the reports that were ready are imported)."""
    from ..usage.importing import UsageImportError, UsageRejected
    from ..usage.sushi import SushiError, describe, harvest
    from ..usage.sushi_credentials import CredentialsError
    lang = ctx.obj["lang"]
    if begin > end:
        raise click.BadParameter(_("--begin %(begin)s is after --end %(end)s", begin=begin, end=end),
                                 param_hint="--begin/--end")
    try:
        prov = _credentials(ctx).get(provider)
    except CredentialsError as exc:
        click.echo(_("error: %(message)s", message=exc.text(lang)), err=True)
        ctx.exit(EXIT_BAD_INPUT)

    def say(texts):  # the harvest's progress, told in both languages (usage/sushi.py)
        click.echo(in_lang(texts, lang), err=True)

    def saved(h):
        if save and h.data is not None:
            save.mkdir(parents=True, exist_ok=True)
            (save / f"{prov.name}_{h.report_id}_{begin}_{end}.json").write_bytes(h.data)

    try:
        result = harvest(ctx.obj["store"](create=True), prov, reports, begin, end, attributes=attributes, retries=retries,
                         wait=wait, agent=agent, progress=say, on_fetched=saved)
    except SushiError as exc:
        click.echo(_("error: %(message)s", message=exc.text(lang)), err=True)
        click.echo(_nothing(), err=True)
        ctx.exit(EXIT_SERVER_REFUSED if exc.kind == "refused" else EXIT_SERVER)
    except UsageImportError as exc:
        for line in exc.lines(lang, limit):
            click.echo(line, err=True)
        click.echo(_("rejected; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    except UsageRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=limit), err=True)
        click.echo(_("rejected by the SHACL gate; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    for h in result.reports:
        for code, message, data in h.exceptions:
            told = describe(code, message, data)
            if h.outcome == "report":
                click.echo(_("%(report)s: warning: %(message)s", report=h.report_id, message=told[lang]), err=True)
            else:
                click.echo(f"{h.report_id}: {told[lang]}", err=True)
    if result.imported is not None:
        for g, (rid, n) in result.imported.graphs.items():
            click.echo(_("imported %(report)s: %(n)s observations into <%(graph)s>", report=rid, n=n, graph=g))
        for g in result.imported.replaced:
            click.echo(_("replaced <%(graph)s> (its months are covered)", graph=g))
    if result.imported is None:
        click.echo(_nothing(), err=True)
    if any(h.outcome == "not_ready" for h in result.reports):
        ctx.exit(EXIT_NOT_READY)
    if result.imported is None:
        ctx.exit(EXIT_NO_USAGE)


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
        click.echo(_("error: %(path)s: no such file", path=file), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    try:
        res = import_payments(ctx.obj["store"](create=True), file, agent=agent)
    except CounterError as exc:
        for line in exc.lines(lang):
            click.echo(line, err=True)
        click.echo(_("rejected; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    except LoadRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=50), err=True)
        click.echo(_("rejected by the SHACL gate; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    click.echo(_("imported %(n)s payments into <%(graph)s> (confidential)", n=res.payments, graph=res.graph))


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


def _chart_option(f):
    return click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.svg",
                        help="Also draw the report as an SVG chart into FILE.svg (labels in Chinese and English).")(f)


def _write_chart(ctx, name: str, rep: dict, path: Path | None, top: int = 10) -> None:
    if path is None:
        return
    from ..reports.charts import ChartError, chart
    lang = ctx.obj["lang"]
    try:
        svg = chart(name, rep, top=top, lang=lang)
    except ChartError as exc:
        click.echo(_("no chart: %(reason)s", reason=exc.text(lang)), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    try:
        path.write_text(svg, encoding="utf-8")
    except OSError as exc:
        click.echo(_("error: %(message)s", message=_("cannot write %(path)s: %(reason)s", path=path,
                                                      reason=exc.strerror or exc)), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    click.echo(_("chart written to %(path)s", path=path), err=True)


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
@_chart_option
@click.pass_context
def report_usage(ctx, year, platform, package, licence, fmt, as_json, chart):
    """COUNTER usage month by month and year over year (art. 10.4)."""
    from ..usage.indicators import format_usage, usage_report
    rep = usage_report(ctx.obj["store"](), year=year, platform=platform, package=package, licence=licence)
    _emit(rep, fmt, as_json, format_usage, rep["months"], ["month"] + rep["metrics"])
    _write_chart(ctx, "usage", rep, chart)


@report.command("cost-per-use")
@_filters
@click.option("--top", type=click.IntRange(0), default=0,
              help="Only the N titles with the highest and the N with the lowest cost per use.")
@_chart_option
@click.pass_context
def report_cost_per_use(ctx, year, platform, package, licence, fmt, as_json, top, chart):
    """Cost per use per licence, package and title (art. 10.2-10.3)."""
    from ..usage.indicators import CPU_COLUMNS, cost_per_use_report, format_cost_per_use
    rep = cost_per_use_report(ctx.obj["store"](), year=year, platform=platform, package=package,
                              licence=licence, top=top)
    _emit(rep, fmt, as_json, format_cost_per_use, rep["licences"] + rep["packages"] + rep["titles"], CPU_COLUMNS)
    _write_chart(ctx, "cost-per-use", rep, chart, top or 10)


@report.command("quantity")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def report_quantity(ctx, fmt, as_json):
    """What the library holds: titles, items, databases, platforms by asset class and rights basis (art. 10.1)."""
    from ..usage.quantity import QUANTITY_COLUMNS, format_quantity, quantity_csv_rows, quantity_report
    lang = ctx.obj["lang"]
    rep = quantity_report(ctx.obj["store"]())
    _emit(rep, fmt, as_json, lambda r: format_quantity(r, lang), quantity_csv_rows(rep, lang), QUANTITY_COLUMNS)


@report.command("timeliness")
@click.option("--year", type=int, help="Only the licences activated in this year (YYYY).")
@click.option("--at", "at", metavar="YYYY-MM-DD", help="Count activations up to this day (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.pass_context
def report_timeliness(ctx, year, at, fmt, as_json):
    """Days from order to activation, and from publication to availability (art. 10.1)."""
    from datetime import date

    from ..usage.timeliness import TIMELINESS_COLUMNS, format_timeliness, timeliness_csv_rows, timeliness_report
    lang = ctx.obj["lang"]
    try:
        day = date.fromisoformat(at) if at else None
    except ValueError:
        raise click.BadParameter(_("%(value)r is not a date (YYYY-MM-DD)", value=at), param_hint="--at") from None
    rep = timeliness_report(ctx.obj["store"](), year=year, at=day)
    _emit(rep, fmt, as_json, lambda r: format_timeliness(r, lang), timeliness_csv_rows(rep), TIMELINESS_COLUMNS)


@report.command("demand")
@_filters
@click.option("--limit", type=click.IntRange(0), default=0, help="At most N titles per list.")
@_chart_option
@click.pass_context
def report_demand(ctx, year, platform, package, licence, fmt, as_json, limit, chart):
    """Turnaways per title and titles asked for but not held (art. 10.5, user demand)."""
    from ..usage.indicators import DEMAND_COLUMNS, demand_report, format_demand
    if package or licence:
        raise click.UsageError(_("demand is about what the library does not hold: filter by --year and --platform"))
    rep = demand_report(ctx.obj["store"](), year=year, platform=platform, limit=limit)
    _emit(rep, fmt, as_json, format_demand, rep["turnaways"] + [r for r in rep["not_held"] if not r["turnaways"]],
          DEMAND_COLUMNS)
    _write_chart(ctx, "demand", rep, chart, limit or 15)
