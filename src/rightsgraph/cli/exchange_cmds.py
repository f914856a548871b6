"""Consortium exchange commands: `kbart import|export`, `harvest`, and the body of
`export --shareable` (docs/exchange.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..translation import _, gettext

from . import main
from .errors import EXIT_BAD_INPUT, EXIT_PEER, EXIT_REJECTED, EXIT_USAGE
from .output import write_file, write_output
from .params import IRI, OUTPUT_FILE


def _nothing(lang: str | None = None) -> str:
    return gettext("nothing was imported", lang)


def _print_rejection(exc, lang: str, limit: int, report_path: Path | None) -> None:
    rep = exc.report
    click.echo(rep.format_text(lang=lang, limit=limit), err=True)
    if report_path:
        write_file(report_path, rep.to_graph_turtle())
        click.echo(_("full report: %(path)s", path=report_path), err=True)


# ------------------------------------------------------------------------------ KBART
@main.group()
def kbart():
    """KBART (NISO RP-9) title lists: import into a package, export a package."""


@kbart.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package", required=True, metavar="IRI", help="The rg:Package the titles belong to (created if absent).")
@click.option("--package-title", metavar="TEXT", help="Title of the package when it is created (default: the file name).")
@click.option("--graph", metavar="IRI", help="Graph to import into (default: "
              "https://w3id.org/rightsgraph/graph/kbart/<percent-encoded package IRI>).")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows and list the skipped ones "
              "(default: any invalid row refuses the whole file).")
@click.option("--add", is_flag=True, help="Add to the graph instead of replacing it (default: the file replaces "
              "the package's previous title list).")
@click.option("--agent", metavar="NAME|IRI", help="Who is importing, for the provenance record (default: OS user).")
@click.option("--report", "report_path", type=OUTPUT_FILE,
              help="Write the full sh:ValidationReport (Turtle) here when the SHACL gate refuses the data.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0), help="Problems to print.")
@click.pass_context
def kbart_import(ctx, file, package, package_title, graph, skip_invalid, add, agent, report_path, limit):
    """Import the KBART FILE into PACKAGE: one rg:Resource per row, validated, all or nothing."""
    from ..exchange.kbart import KbartFileError, KbartRejected, import_kbart
    from ..loading import LoadRejected, ProtectedGraph
    lang = ctx.obj["lang"]
    try:
        result = import_kbart(ctx.obj["store"](create=True), file, package=package, graph=graph, package_title=package_title,
                              skip_invalid=skip_invalid, replace=not add, agent=agent)
    except ValueError as exc:   # KbartFileError, malformed package IRI
        click.echo(_("error: %(message)s", message=exc.text(lang) if isinstance(exc, KbartFileError) else exc),
                   err=True)
        click.echo(_nothing(lang), err=True)
        ctx.exit(EXIT_BAD_INPUT if isinstance(exc, (KbartFileError, ProtectedGraph)) else EXIT_USAGE)
    except KbartRejected as exc:
        for e in exc.errors[:limit]:
            click.echo(e.format(exc.source, lang), err=True)
        if len(exc.errors) > limit:
            click.echo(_("... %(n)s more", n=len(exc.errors) - limit), err=True)
        rows = len({e.line for e in exc.errors})
        click.echo(_("rejected: %(rows)s invalid row(s); nothing was imported (--skip-invalid imports the others)",
                     rows=rows), err=True)
        ctx.exit(EXIT_REJECTED)
    except LoadRejected as exc:
        _print_rejection(exc, lang, limit, report_path)
        click.echo(_("rejected by the SHACL gate; nothing was imported"), err=True)
        ctx.exit(EXIT_REJECTED)
    for e in result.skipped[:limit]:
        click.echo(_("skipped %(row)s", row=e.format(str(file), lang)), err=True)
    if result.skipped:
        click.echo(_("skipped %(n)s invalid row(s)", n=len({e.line for e in result.skipped})), err=True)
    if result.missing_columns:
        click.echo(_("note: the header lacks %(columns)s (read as empty)", columns=", ".join(result.missing_columns)),
                   err=True)
    click.echo(_("imported %(n)s title(s) into <%(package)s> (%(triples)s triples in <%(graph)s>) in %(seconds).2f s",
                 n=result.imported, package=package, triples=result.load.triples, graph=result.graph.value,
                 seconds=result.seconds))


@kbart.command("export")
@click.option("--package", required=True, type=IRI, help="The package whose KBART rows to write.")
@click.option("--output", "-o", type=OUTPUT_FILE, help="File (default: stdout).")
@click.pass_context
def kbart_export(ctx, package, output):
    """Write PACKAGE's titles as a KBART file (UTF-8, tab-separated, the 25 Phase II columns
    then the extra columns that were imported)."""
    from ..exchange.kbart import export_kbart
    data = export_kbart(ctx.obj["store"](), package)
    rows = data.count(b"\n") - 1
    if output:
        write_file(output, data)
        click.echo(_("wrote %(n)s row(s) to %(path)s", n=rows, path=output), err=True)
    else:
        sys.stdout.buffer.write(data)
    if rows == 0:
        click.echo(_("warning: <%(package)s> has no KBART titles", package=package), err=True)


# ------------------------------------------------------------------------------ export --shareable
def export_shareable(ctx, graphs, fmt, output, shareable, endpoint, publisher, licence):
    """`rightsgraph export --shareable` (called from store_cmds.export)."""
    from ..exchange.shareable import export_shareable as build
    from ..exchange.void import DEFAULT_LICENCE
    from ..provenance import default_agent
    if not shareable:
        click.echo(_("error: --format jsonld needs --shareable"), err=True)
        ctx.exit(EXIT_USAGE)
    try:
        data = build(ctx.obj["store"](), fmt=fmt, graphs=list(graphs) or None, endpoint=endpoint,
                     publisher=publisher or os.environ.get("RIGHTSGRAPH_PUBLISHER") or default_agent(),
                     licence=licence or DEFAULT_LICENCE)
    except ValueError as exc:
        click.echo(_("error: %(message)s", message=exc), err=True)
        ctx.exit(EXIT_USAGE)
    write_output(data, output)


# ------------------------------------------------------------------------------ harvest
@main.command()
@click.argument("endpoint", type=IRI)
@click.option("--graph", "graphs", multiple=True, type=IRI, help="Harvest only these graphs of the peer.")
@click.option("--token", envvar="RIGHTSGRAPH_PEER_TOKEN", metavar="TOKEN",
              help="Bearer token for the peer (env RIGHTSGRAPH_PEER_TOKEN).")
@click.option("--timeout", default=120.0, show_default=True, type=click.FloatRange(min=0, min_open=True), help="Seconds to wait for each answer of the peer.")
@click.option("--prune", is_flag=True, help="Drop local copies of graphs the peer no longer shares.")
@click.option("--include-harvested", is_flag=True, help="Also take the graphs the peer itself harvested elsewhere.")
@click.option("--agent", metavar="NAME|IRI", help="Who is harvesting, for the provenance record (default: OS user).")
@click.option("--report", "report_path", type=OUTPUT_FILE,
              help="Write the full sh:ValidationReport (Turtle) here when the gate refuses the data.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0), help="Violations to print.")
@click.pass_context
def harvest(ctx, endpoint, graphs, token, timeout, prune, include_harvested, agent, report_path, limit):
    """Copy the graphs a peer shares (its SPARQL query ENDPOINT), validated; only changed ones."""
    from ..exchange.harvest import HarvestError, harvest as run
    from ..loading import LoadRejected
    lang = ctx.obj["lang"]
    try:
        rep = run(ctx.obj["store"](create=True), endpoint, graphs=list(graphs) or None, token=token, timeout=timeout,
                  prune=prune, include_harvested=include_harvested, agent=agent)
    except HarvestError as exc:
        click.echo(_("error: harvest %(detail)s", detail=exc), err=True)
        click.echo(_("local copies unchanged"), err=True)
        ctx.exit(EXIT_PEER)
    except LoadRejected as exc:
        _print_rejection(exc, lang, limit, report_path)
        click.echo(_("error: harvest %(endpoint)s: the peer's data failed validation; local copies unchanged",
                     endpoint=endpoint), err=True)
        ctx.exit(EXIT_REJECTED)
    for o in rep.outcomes:
        if o.status != "unchanged":
            click.echo(f"{o.status:>9}  <{o.source}>  " + _("%(n)s triples", n=o.triples) + f" -> <{o.local}>")
    pruned = _(" (pruned)") if prune and rep.count("gone") else ""
    click.echo(_("harvested %(endpoint)s (%(peer)s peer): %(new)s new, %(changed)s changed, %(unchanged)s unchanged, "
                 "%(gone)s gone%(pruned)s in %(seconds).2f s", endpoint=endpoint, peer=rep.peer, new=rep.count("new"),
                 changed=rep.count("changed"), unchanged=rep.count("unchanged"), gone=rep.count("gone"),
                 pruned=pruned, seconds=rep.seconds))
