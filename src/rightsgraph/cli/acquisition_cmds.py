"""`rightsgraph acquisition ...`: acquisition workflow records (art. 6.1, 6.5) and their
timeliness; thin doors over rightsgraph.acquisitions (docs/preservation.md). Registered
by preserve_cmds. Exit codes: 0 done; 2 usage; 3 the input was rejected (unknown stage,
licence or package, bad date, shapes): nothing was stored."""

from __future__ import annotations

import json

import click

from ..text_columns import ljust
from ..translation import _, pgettext

from . import main
from .preserve_cmds import _errors, _fail



def stage_name(code: str) -> str:
    """An acquisition stage (acquisitions/records.py) as the user reads it."""
    return {
        "request": pgettext("acquisition stage", "request"), "trial": pgettext("acquisition stage", "trial"),
        "evaluation": pgettext("acquisition stage", "evaluation"),
        "negotiation": pgettext("acquisition stage", "negotiation"), "order": pgettext("acquisition stage", "order"),
        "acceptance": pgettext("acquisition stage", "acceptance"),
        "activation": pgettext("acquisition stage", "activation"),
        "renewal": pgettext("acquisition stage", "renewal"),
        "cancellation": pgettext("acquisition stage", "cancellation"),
    }.get(code, code)


def decision_name(code: str) -> str:
    return {"approved": pgettext("acquisition decision", "approved"),
            "rejected": pgettext("acquisition decision", "rejected"),
            "pending": pgettext("acquisition decision", "pending")}.get(code, code)


@main.group()
def acquisition():
    """Acquisition workflow records: stages, dates, decisions, who made them."""


@acquisition.command("record")
@click.argument("ident", metavar="ID")
@click.argument("stage", type=click.Choice(["request", "trial", "evaluation", "negotiation", "order", "acceptance",
                                            "activation", "renewal", "cancellation"]))
@click.option("--date", "when", required=True, metavar="YYYY-MM-DD", help="When the stage began (or a date-time).")
@click.option("--ended", metavar="YYYY-MM-DD", help="When it ended (a trial's last day).")
@click.option("--decision", type=click.Choice(["approved", "rejected", "pending"]))
@click.option("--note", metavar="TEXT", help="What was decided and why.")
@click.option("--by", metavar="NAME|IRI", help="Who took the decision (default: who runs the command).")
@click.option("--licence", metavar="IRI", help="The licence the acquisition is for.")
@click.option("--package", metavar="IRI", help="The package (or collection) the acquisition is for.")
@click.option("--title", metavar="TEXT", help="A title for the acquisition.")
@click.option("--notice-days", type=int, help="Days of notice a cancellation needs before the term ends.")
@click.option("--agent", metavar="NAME|IRI", help="Who records it, for the provenance record.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def record(ctx, ident, stage, when, ended, decision, note, by, licence, package, title, notice_days, agent, as_json):
    """Record STAGE of acquisition ID (its first stage creates it)."""
    from ..acquisitions import record_stage
    from ..decision_service import expand
    try:
        rec = record_stage(ctx.obj["store"](create=True), ident, stage, when, by=by, decision=decision, note=note,
                           licence=expand(licence, "") if licence else None,
                           package=expand(package, "") if package else None, title=title,
                           notice_days=notice_days, ended=ended, agent=agent)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps(rec.__dict__, ensure_ascii=False, indent=2))
    else:
        click.echo(_("recorded %(stage)s of %(id)s on %(date)s", stage=stage_name(stage), id=ident,
                     date=rec.started[:10]))


@acquisition.command("show")
@click.argument("ident", metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx, ident, as_json):
    """The stages of acquisition ID in order, with the days between them."""
    from ..acquisitions import acquisition_record
    try:
        rec = acquisition_record(ctx.obj["store"](), ident)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps(rec, ensure_ascii=False, indent=2))
        return
    click.echo(f"{rec['identifier']}" + (f": {rec['title']}" if rec["title"] else "") + f" <{rec['acquisition']}>")
    for label, values in ((_("licences"), rec["licences"]), (_("packages"), rec["packages"])):
        if values:
            click.echo(f"  {label}: " + ", ".join(values))
    if rec["notice_days"] is not None:
        click.echo("  " + _("cancellation notice: %(n)s days", n=rec["notice_days"]))
    for s in rec["stages"]:
        gap = s["days_since_previous"]
        after = "" if gap is None else _(" (+%(n)s days)", n=gap)
        decision = f" {decision_name(s['decision'])}" if s["decision"] else ""
        by = f" — {', '.join(s['by'])}" if s["by"] else ""
        click.echo(f"  {s['date']}  {ljust(stage_name(s['stage']), 12)}{decision}{after}{by}")
        if s["note"]:
            click.echo(f"              {s['note']}")
    for d in rec["documents"]:
        click.echo("  " + _("document: %(type)s %(name)s (%(date)s; copies %(copies)s)", type=d["type"],
                            name=d["name"], date=d["attached"][:10], copies=", ".join(d["copies"])))
    if rec["days_first_to_last"] is not None:
        click.echo("  " + _("days from first to last stage: %(n)s", n=rec["days_first_to_last"]))


@acquisition.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_(ctx, as_json):
    """Every acquisition with its latest stage."""
    from ..acquisitions import acquisitions
    rows = acquisitions(ctx.obj["store"]())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("no acquisitions recorded"))
    for r in rows:
        click.echo(f"{r['identifier']:<24} {ljust(stage_name(r['current_stage']), 12)} {r['date']}  {r['title'] or ''}")


@acquisition.command("timeliness")
@click.option("--from", "start", default="request", show_default=True,
              type=click.Choice(["request", "trial", "evaluation", "negotiation", "order", "acceptance", "activation",
                                 "renewal", "cancellation"]))
@click.option("--to", "end", default="activation", show_default=True,
              type=click.Choice(["request", "trial", "evaluation", "negotiation", "order", "acceptance", "activation",
                                 "renewal", "cancellation"]))
@click.option("--year", type=int, help="Only acquisitions that reached the --to stage in this year.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def timeliness_cmd(ctx, start, end, year, as_json):
    """Days from one stage to another (default: request to activation), per acquisition
    and as median, mean and maximum: the timeliness indicator of art. 10."""
    from ..acquisitions import timeliness
    rep = timeliness(ctx.obj["store"](), start=start, end=end, year=year)
    if as_json:
        click.echo(json.dumps(rep, ensure_ascii=False, indent=2))
        return
    click.echo(_("%(start)s to %(end)s: %(n)s acquisitions, median %(median)s days, mean %(mean)s, max %(max)s",
                 start=stage_name(start), end=stage_name(end), n=rep["count"], median=rep["median_days"],
                 mean=rep["mean_days"], max=rep["max_days"]))
    for r in rep["acquisitions"]:
        click.echo(f"  {r['identifier']:<24} {r['start_date']} .. {r['end_date']}  {r['days']}")
