"""`rightsgraph licence import|show|compare|list` and `rightsgraph report assets|risks`:
thin doors over rightsgraph.licences and rightsgraph.reports (docs/licences.md).

Exit codes: 0 done; 1 the term sheet or the data it compiles to was rejected (nothing
stored); 2 usage; 3 the file cannot be read, or the licence is not in the store.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..translation import _, current_lang


def _header_label(field: str) -> str:
    """A header field of the compare table (licences/registry.py compare) in the user's language."""
    return {"status": _("status"), "start": _("start"), "end": _("end"), "licensee": _("licensee"),
            "cost": _("cost"), "currency": _("currency")}.get(field, field)


def _term_label(row: dict) -> str:
    """The term's name in the user's language (the term vocabulary has both, licences/vocabulary.py)."""
    from ..licences.vocabulary import TERMS
    term = TERMS.get(row["term"])
    return getattr(term, current_lang(), None) or row["label"] if term else row["label"]

from . import errors, main
from .errors import EXIT_BAD_INPUT, EXIT_REJECTED
from .params import IRI, LICENCE_NAME


@main.group()
def licence():
    """Licences as term sheets: import, show, compare."""


@licence.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--graph", type=IRI, help="Named graph (default .../graph/licence/<licence name>); replaced.")
@click.option("--agent", metavar="NAME|IRI", help="Who is importing, for the provenance record.")
@click.pass_context
def import_(ctx, sheet, graph, agent):
    """Compile a YAML or CSV term SHEET into ODRL + licence metadata and load it through the gate."""
    from ..licences.registry import import_sheet
    from ..licences.termsheet import TermSheetError, read_sheet
    from ..loading import LoadRejected
    lang = ctx.obj["lang"]
    try:
        parsed = read_sheet(sheet)
    except OSError as exc:
        detail = f"{sheet}: {exc.strerror or exc}"
        click.echo(_("error: %(message)s", message=detail), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    except UnicodeDecodeError as exc:
        raise errors.not_utf8(sheet, exc) from None
    except TermSheetError as exc:
        detail = f"{sheet}: {exc.text(current_lang())}"
        click.echo(_("error: %(message)s", message=detail), err=True)
        click.echo(_("nothing was stored"), err=True)
        ctx.exit(EXIT_REJECTED)
    try:
        _sheet, g, result = import_sheet(ctx.obj["store"](create=True), sheet, graph=graph, agent=agent, sheet=parsed)
    except LoadRejected as exc:
        click.echo(exc.report.format_text(lang=lang, limit=50), err=True)
        click.echo(_("rejected; nothing was stored"), err=True)
        ctx.exit(EXIT_REJECTED)
    rules = sum(1 for r in parsed["terms"] if r.get("rule"))
    click.echo(_("imported <%(licence)s>: %(terms)s terms, %(rules)s ODRL rules, %(triples)s triples into "
                 "<%(graph)s>", licence=parsed["licence"], terms=len(parsed["terms"]), rules=rules,
                 triples=result.triples, graph=g.value))


@licence.command()
@click.argument("iri", type=LICENCE_NAME)   # an IRI, prefixed or local name: resolve_licence matches it
@click.option("--format", "fmt", type=click.Choice(["yaml", "csv"]), default="yaml", show_default=True)
@click.pass_context
def show(ctx, iri, fmt):
    """Render LICENCE (an IRI, lic:L01 or L01) in the store as a term sheet."""
    from ..licences.registry import resolve_licence
    from ..licences.termsheet import licence_from_store, to_csv, to_yaml
    try:
        store = ctx.obj["store"]()
        sheet = licence_from_store(store, resolve_licence(store, iri))
    except KeyError as exc:
        click.echo(_("error: %(message)s", message=exc.args[0]), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    click.echo(to_yaml(sheet) if fmt == "yaml" else to_csv(sheet), nl=False)


@licence.command("list")
@click.pass_context
def list_(ctx):
    """The licences in the store."""
    from ..licences.registry import licence_iris
    for lic in licence_iris(ctx.obj["store"]()):
        click.echo(lic)


@licence.command()
@click.argument("licences", nargs=-1, required=True, type=LICENCE_NAME)
@click.option("--json", "as_json", is_flag=True, help="JSON instead of a table.")
@click.pass_context
def compare(ctx, licences, as_json):
    """Compare LICENCES (two or more IRIs) term by term."""
    from ..licences.registry import compare as do_compare, resolve_licence
    if len(licences) < 2:
        raise click.UsageError(_("give two or more licences"))
    try:
        store = ctx.obj["store"]()
        # the JSON keeps the data form (status keys); the table is worded in the user's language
        res = do_compare(store, [resolve_licence(store, x) for x in licences], lang=None if as_json else current_lang())
    except KeyError as exc:
        click.echo(_("error: %(message)s", message=exc.args[0]), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    names = [x.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] for x in res["licences"]]
    from ..text_columns import ljust, width
    w = max(map(width, names)) + 2
    for f, vals in res["header"].items():
        click.echo(f"{_header_label(f)}: " + " | ".join(f"{n} {v or '-'}" for n, v in zip(names, vals)))
    click.echo("")
    for row in res["rows"]:
        click.echo(("* " if row["differs"] else "  ") + f"{row['term']} ({_term_label(row)})")
        for n, v in zip(names, row["values"]):
            shown = _("(not recorded)") if v == "(not recorded)" else v
            click.echo(f"      {ljust(n, w)}{shown}")
    click.echo("\n" + _("* the licences differ on this term"))


@main.group()
def report():
    """Reports for the national guide: asset inventory (art. 9) and risks (art. 8.3)."""


@report.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--sample", type=click.IntRange(min=0), default=0, help="Add a random spot-check sample of N resources.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample (same seed, same sample).")
@click.pass_context
def assets(ctx, as_json, sample, seed):
    """Inventory by asset class (derived from the rights held), collection and licence."""
    from ..reports.assets import asset_report, format_assets
    rep = asset_report(ctx.obj["store"](), sample=sample, seed=seed)
    click.echo(json.dumps(rep, ensure_ascii=False, indent=2) if as_json else format_assets(rep))


@report.command()
@click.option("--days", type=click.IntRange(min=0), default=90, show_default=True, help="Licences ending within this many days.")
@click.option("--at", "at", default=None, help="Date of the report (YYYY-MM-DD; default today).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def risks(ctx, days, at, as_json):
    """Resources without a licence in force, expiring licences, unsettled key uses,
    assets without preservation rights, contradicting terms."""
    from ..reports.risks import format_risks, risk_report
    try:
        when = date.fromisoformat(at) if at else None
    except ValueError:
        raise click.BadParameter(f"not a date: {at}", param_hint="--at") from None
    rep = risk_report(ctx.obj["store"](), at=when, days=days)
    click.echo(json.dumps(rep, ensure_ascii=False, indent=2) if as_json else format_risks(rep))
