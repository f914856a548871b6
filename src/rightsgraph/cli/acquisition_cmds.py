"""`rightsgraph acquisition ...`: acquisition workflow records (art. 6.1, 6.5) and their
timeliness; thin doors over rightsgraph.acquisitions (docs/preservation.md). Registered
by preserve_cmds. Exit codes: 0 done; 2 usage; 3 the input was rejected (unknown stage,
licence or package, bad date, shapes): nothing was stored."""

from __future__ import annotations

import json

import click

from . import main
from .preserve_cmds import _errors, _fail, _lang

STAGE_ZH = {"request": "需求", "trial": "试用", "evaluation": "评估", "negotiation": "谈判", "order": "订购",
            "acceptance": "验收", "activation": "开通", "renewal": "续订", "cancellation": "停订"}
DECISION_ZH = {"approved": "同意", "rejected": "否决", "pending": "待定"}


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
        en = _lang(ctx) == "en"
        click.echo(f"recorded {stage} of {ident} on {rec.started[:10]}" if en
                   else f"已记录 {ident} 的{STAGE_ZH[stage]}阶段（{rec.started[:10]}）")


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
    en = _lang(ctx) == "en"
    click.echo(f"{rec['identifier']}" + (f": {rec['title']}" if rec["title"] else "") + f" <{rec['acquisition']}>")
    for label, values in (("licences" if en else "许可协议", rec["licences"]), ("packages" if en else "资源包", rec["packages"])):
        if values:
            click.echo(f"  {label}: " + ", ".join(values))
    if rec["notice_days"] is not None:
        click.echo(f"  {'cancellation notice' if en else '停订通知期'}: {rec['notice_days']} {'days' if en else '天'}")
    for s in rec["stages"]:
        gap = s["days_since_previous"]
        after = "" if gap is None else (f" (+{gap} days)" if en else f"（间隔 {gap} 天）")
        stage = s["stage"] if en else STAGE_ZH.get(s["stage"], s["stage"])
        decision = "" if not s["decision"] else (f" {s['decision']}" if en else f" {DECISION_ZH[s['decision']]}")
        by = f" — {', '.join(s['by'])}" if s["by"] else ""
        click.echo(f"  {s['date']}  {stage:<12}{decision}{after}{by}")
        if s["note"]:
            click.echo(f"              {s['note']}")
    for d in rec["documents"]:
        click.echo(f"  {'document' if en else '档案文件'}: {d['type']} {d['name']} ({d['attached'][:10]}; "
                   f"{'copies' if en else '副本'} {', '.join(d['copies'])})")
    if rec["days_first_to_last"] is not None:
        click.echo(f"  {'days from first to last stage' if en else '首末阶段相隔天数'}: {rec['days_first_to_last']}")


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
    en = _lang(ctx) == "en"
    if not rows:
        click.echo("no acquisitions recorded" if en else "尚无采购记录")
    for r in rows:
        stage = r["current_stage"] if en else STAGE_ZH.get(r["current_stage"], r["current_stage"])
        click.echo(f"{r['identifier']:<24} {stage:<12} {r['date']}  {r['title'] or ''}")


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
    en = _lang(ctx) == "en"
    click.echo((f"{start} to {end}: {rep['count']} acquisitions, median {rep['median_days']} days, "
                f"mean {rep['mean_days']}, max {rep['max_days']}") if en else
               (f"{STAGE_ZH[start]}至{STAGE_ZH[end]}：{rep['count']} 项采购，中位数 {rep['median_days']} 天，"
                f"平均 {rep['mean_days']} 天，最长 {rep['max_days']} 天"))
    for r in rep["acquisitions"]:
        click.echo(f"  {r['identifier']:<24} {r['start_date']} .. {r['end_date']}  {r['days']}")
