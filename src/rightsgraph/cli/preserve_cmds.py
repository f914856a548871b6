"""`rightsgraph preserve ...` and `rightsgraph report preservation`: thin doors over
rightsgraph.preservation (docs/preservation.md).

Exit codes, so that a scheduler (cron, a systemd timer) can alert:
0 done and everything intact; 1 damage found (changed, missing or unexpected files), or a
repair or replication failed or was refused by the licence; 2 usage; 3 the input was
rejected (unreadable path, invalid bag or OCFL object, shapes): nothing was stored.
"""

from __future__ import annotations

import json

import click

from ..translation import _

from . import main
from .licence_cmds import report

EXIT_DAMAGE, EXIT_REJECTED = 1, 3


def _lang(ctx) -> str:
    return ctx.obj["lang"]


def _fail(ctx, exc) -> None:
    """Print a preservation error or a rejected write in the user's language, and exit 3."""
    from ..loading import LoadRejected
    from ..preservation.messages import PreservationError
    lang = _lang(ctx)
    if isinstance(exc, PreservationError):
        click.echo(_("error: %(message)s", message=exc.text(lang)), err=True)
    elif isinstance(exc, LoadRejected):
        click.echo(exc.report.format_text(lang=lang, limit=20), err=True)
        click.echo(_("rejected; nothing was stored"), err=True)
    else:
        raise exc
    ctx.exit(EXIT_REJECTED)


def _errors():
    from ..loading import LoadRejected
    from ..preservation.messages import PreservationError
    return (PreservationError, LoadRejected)


@main.group()
def preserve():
    """Preserve content: storage locations, registration, fixity audits, replication, repair."""


@preserve.group()
def location():
    """Named storage locations (primary, replica-1 ...)."""


@location.command("add")
@click.argument("name")
@click.argument("root", type=click.Path(file_okay=False, exists=False))
@click.option("--role", type=click.Choice(["primary", "replica"]), default="replica", show_default=True)
@click.option("--agent", metavar="NAME|IRI", help="Who is acting, for the provenance record.")
@click.pass_context
def location_add(ctx, name, root, role, agent):
    """Add storage location NAME at the folder ROOT."""
    from ..preservation.locations import add_location
    try:
        loc = add_location(ctx.obj["store"](create=True), name, root, role, agent=agent)
    except _errors() as exc:
        _fail(ctx, exc)
    click.echo(f"{loc.name}: {loc.root} ({loc.role})")


@location.command("list")
@click.pass_context
def location_list(ctx):
    """The storage locations."""
    from ..preservation.locations import locations
    for loc in sorted(locations(ctx.obj["store"]()).values(), key=lambda x: x.name):
        click.echo(f"{loc.name:<16} {loc.role:<8} {loc.root}")


@preserve.command("add")
@click.argument("path", type=click.Path(exists=False))
@click.option("--resource", metavar="IRI", help="The resource (rg:Resource) this content is a representation of.")
@click.option("--kind", type=click.Choice(["file", "folder", "bag", "ocfl", "store-backup"]), default=None,
              help="What PATH is (default: detected; a store backup must be named).")
@click.option("--location", "location_name", metavar="NAME", help="Storage location holding PATH (default: the one whose root holds it).")
@click.option("--identify", type=click.Choice(["auto", "fido", "magic", "none"]), default="auto", show_default=True,
              help="Format identification: FIDO (PRONOM signatures), the magic-number fallback, none (later, with "
                   "`preserve identify`), or auto: FIDO for up to 100 files, later for more.")
@click.option("--workers", type=int, default=None, help="Threads computing digests (default: the CPUs).")
@click.option("--agent", metavar="NAME|IRI", help="Who is registering, for the provenance record.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def add(ctx, path, resource, kind, location_name, identify, workers, agent, as_json):
    """Register PATH (a file, folder, BagIt bag or OCFL object) as a preserved PREMIS object."""
    from ..decision_service import expand
    from ..preservation.registry import register
    try:
        reg = register(ctx.obj["store"](create=True), path, resource=expand(resource) if resource else None, kind=kind,
                       location=location_name, identify=identify, agent=agent, workers=workers,
                       progress=not as_json)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps(reg.__dict__, ensure_ascii=False, indent=2))
        return
    click.echo(_("registered <%(object)s>: %(kind)s, %(files)s files, %(bytes)s bytes at %(location)s; "
                 "%(identified)s formats identified", object=reg.representation, kind=reg.kind, files=reg.files,
                 bytes=reg.bytes, location=reg.location, identified=reg.identified))
    if reg.validation:
        click.echo(f"  {reg.validation}")
    if reg.deferred:
        click.echo("  " + _("formats not identified yet: run `rightsgraph preserve identify`"))


@preserve.command()
@click.option("--object", "representation", metavar="IRI", help="Only this registered object.")
@click.option("--resource", metavar="IRI", help="Only the objects of this resource.")
@click.option("--tool", type=click.Choice(["fido", "magic"]), default="fido", show_default=True,
              help="FIDO (PRONOM signatures) or the magic-number fallback.")
@click.option("--workers", type=int, default=None, help="Processes running FIDO (default: the CPUs).")
@click.option("--agent", metavar="NAME|IRI", help="Who runs it, for the events.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def identify(ctx, representation, resource, tool, workers, agent, as_json):
    """Identify the formats (PRONOM) of the files of every registered object not identified
    yet, e.g. after a large registration; resumable, committed in batches."""
    from ..decision_service import expand
    from ..preservation.identify import identify as run_identify
    try:
        res = run_identify(ctx.obj["store"](), representation=expand(representation) if representation else None,
                           resource=expand(resource) if resource else None, tool=tool, workers=workers,
                           agent=agent, progress=not as_json)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps(res.to_json(), ensure_ascii=False, indent=2))
        return
    if not res.representations:
        click.echo(_("nothing to identify"))
        return
    click.echo(_("%(objects)s objects, %(files)s files read, %(identified)s identified by %(tool)s",
                 objects=res.representations, files=res.files, identified=res.identified, tool=res.tool))
    for puid, n in sorted(res.by_format.items(), key=lambda x: -x[1]):
        click.echo(f"  {puid}: {n}")


@preserve.command()
@click.option("--cycle-days", type=click.IntRange(min=1), default=None,
              help="Check only a share of the copies so that daily runs cover all of them in N days.")
@click.option("--new", "new_run", is_flag=True, help="Start a new run even if the last one was interrupted.")
@click.option("--workers", type=int, default=None, help="Threads computing digests (default: the CPUs).")
@click.option("--agent", metavar="NAME|IRI", help="Who runs the audit, for the events.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def audit(ctx, cycle_days, new_run, workers, agent, as_json):
    """Re-compute the checksums of the registered copies and record a fixity-check event
    for each; exits 1 when a copy is changed or missing or a folder holds unexpected files."""
    from ..preservation.audit import audit as run_audit
    try:
        res = run_audit(ctx.obj["store"](), cycle_days=cycle_days, new=new_run, workers=workers,
                        progress=not as_json, agent=agent)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps(res.to_json(), ensure_ascii=False, indent=2))
    else:
        if res.resumed:
            click.echo(_("resumed run <%(run)s>", run=res.run))
        rate = res.bytes / res.seconds / 1e6 if res.seconds else 0
        click.echo(_("checked %(checked)s copies (%(run_checked)s/%(quota)s in this run), %(intact)s intact, "
                     "%(findings)s findings; %(bytes)s bytes in %(seconds).1f s (%(rate).0f MB/s)",
                     checked=res.checked, run_checked=res.run_checked, quota=res.quota, intact=res.intact,
                     findings=len(res.findings), bytes=res.bytes, seconds=res.seconds, rate=rate))
        for f in res.findings:
            click.echo(f"  {_finding_label(f.kind)}: {f.path}" + (f" ({f.detail})" if f.kind == "changed" else ""))
        if res.interrupted:
            click.echo(_("interrupted: run `rightsgraph preserve audit` again to resume"), err=True)
    if res.damaged:
        ctx.exit(EXIT_DAMAGE)


def _library_option(f):
    return click.option("--library", metavar="IRI", envvar="RIGHTSGRAPH_LIBRARY",
                        help="The library acting, whose rights are checked (env RIGHTSGRAPH_LIBRARY).")(f)


def _finding_label(kind: str) -> str:
    """An audit finding's kind (preservation/audit.py) in the user's language."""
    return {"changed": _("changed"), "missing": _("missing"), "unreadable": _("unreadable"),
            "unexpected": _("unexpected")}.get(kind, kind)


def _print_action(ctx, res, as_json):
    if as_json:
        click.echo(json.dumps(res.to_json(), ensure_ascii=False, indent=2))
    else:
        for o in res.done:
            click.echo(_("done: %(path)s (%(detail)s)", path=o.path, detail=o.detail))
        for o in res.failed:
            click.echo(_("failed: %(detail)s", detail=o.detail))
        for o in res.refused:
            click.echo(o.detail)
        if not (res.done or res.failed or res.refused):
            click.echo(_("nothing to do"))
    if res.failed or res.refused:
        ctx.exit(EXIT_DAMAGE)


@preserve.command()
@click.argument("to")
@_library_option
@click.option("--resource", metavar="IRI", help="Only this resource's files.")
@click.option("--agent", metavar="NAME|IRI")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def replicate(ctx, to, library, resource, agent, as_json):
    """Copy every registered file that has no copy at location TO there, from a verified
    copy, after asking the decision engine whether the licence allows it (odrl:archive)."""
    from ..decision_service import expand
    from ..preservation.repair import replicate as do_replicate
    _need_library(ctx, library)
    try:
        res = do_replicate(ctx.obj["store"](), to, library=expand(library), agent=agent,
                           resource=expand(resource) if resource else None, lang=_lang(ctx))
    except _errors() as exc:
        _fail(ctx, exc)
    _print_action(ctx, res, as_json)


@preserve.command()
@_library_option
@click.option("--resource", metavar="IRI", help="Only this resource's copies.")
@click.option("--agent", metavar="NAME|IRI")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def repair(ctx, library, resource, agent, as_json):
    """Restore every copy the last audit found damaged or missing from an intact copy
    (verified before and after copying); nothing is overwritten without one."""
    from ..decision_service import expand
    from ..preservation.repair import repair as do_repair
    _need_library(ctx, library)
    try:
        res = do_repair(ctx.obj["store"](), library=expand(library), agent=agent,
                        resource=expand(resource) if resource else None, lang=_lang(ctx))
    except _errors() as exc:
        _fail(ctx, exc)
    _print_action(ctx, res, as_json)


@preserve.command()
@click.argument("source", metavar="OBJECT")
@click.argument("target", type=click.Path(exists=False))
@_library_option
@click.option("--command", "command", metavar="CMD",
              help="Converter to run after the rights check, without a shell: {source} and {target} in its "
                   "arguments become a verified copy of OBJECT and TARGET. Without it, TARGET must already hold "
                   "the migrated files.")
@click.option("--identify", type=click.Choice(["auto", "fido", "magic", "none"]), default="auto", show_default=True)
@click.option("--agent", metavar="NAME|IRI")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def migrate(ctx, source, target, library, command, identify, agent, as_json):
    """Register TARGET as a format migration of OBJECT (its IRI, or a resource with one
    registered object), after asking the decision engine whether the licence allows it
    (odrl:reproduce, purpose preservation); exits 1 when the licence refuses."""
    from ..decision_service import expand
    from ..preservation.migrate import migrate as do_migrate
    _need_library(ctx, library)
    try:
        res = do_migrate(ctx.obj["store"](), expand(source), target, library=expand(library), command=command,
                         agent=agent, lang=_lang(ctx), identify=identify)
    except _errors() as exc:
        _fail(ctx, exc)
    click.echo(json.dumps(res.to_json(), ensure_ascii=False, indent=2) if as_json else res.detail)
    if res.refused:
        ctx.exit(EXIT_DAMAGE)


@preserve.command()
@click.argument("source", metavar="OBJECT")
@click.option("--archive", required=True, metavar="IRI", help="The archive (a party) the object is handed to.")
@click.option("--out", required=True, type=click.Path(file_okay=False, exists=False),
              help="Folder the BagIt bag is written into (the archive's drop folder).")
@_library_option
@click.option("--agent", metavar="NAME|IRI")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def transfer(ctx, source, archive, out, library, agent, as_json):
    """Hand OBJECT to a third-party archive as a validated BagIt bag in --out, after asking
    the decision engine whether the licence allows it (odrl:distribute to the archive,
    purpose preservation); exits 1 when the licence refuses."""
    from ..decision_service import expand
    from ..preservation.transfer import transfer as do_transfer
    _need_library(ctx, library)
    try:
        res = do_transfer(ctx.obj["store"](), expand(source), archive=expand(archive), out=out,
                          library=expand(library), agent=agent, lang=_lang(ctx))
    except _errors() as exc:
        _fail(ctx, exc)
    click.echo(json.dumps(res.to_json(), ensure_ascii=False, indent=2) if as_json else res.detail)
    if res.refused:
        ctx.exit(EXIT_DAMAGE)


@preserve.command()
@click.argument("path", type=click.Path(exists=False, dir_okay=False))
@click.option("--to", "of", required=True, metavar="IRI|ID",
              help="The licence (IRI) or acquisition (IRI or identifier) the document belongs to.")
@click.option("--type", "doc_type", required=True,
              type=click.Choice(["contract", "acceptance-report", "term-sheet", "other"]))
@click.option("--location", "location_name", metavar="NAME",
              help="Storage location to keep it in (default: where it already is, else the primary one).")
@click.option("--agent", metavar="NAME|IRI")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def attach(ctx, path, of, doc_type, location_name, agent, as_json):
    """Attach a document (signed contract, acceptance report, the term sheet as received)
    to a licence or acquisition: kept in the construction archive with its fixity, and
    audited and repaired like content."""
    from ..decision_service import expand
    from ..preservation.documents import attach as do_attach
    try:
        res = do_attach(ctx.obj["store"](create=True), path, of=expand(of, "") if ":" in of else of, doc_type=doc_type,
                        location=location_name, agent=agent)
    except _errors() as exc:
        _fail(ctx, exc)
    if as_json:
        click.echo(json.dumps({"document": res.registered.representation, "path": res.path, "of": res.of,
                               "type": res.doc_type, "copied": res.copied, "term_sheet": res.term_sheet_check},
                              ensure_ascii=False, indent=2))
        return
    click.echo(_("attached <%(document)s> to <%(of)s>: %(type)s, %(path)s", document=res.registered.representation,
                 of=res.of, type=res.doc_type, path=res.path)
               + (_(" (copied into the construction archive)") if res.copied else ""))
    if res.term_sheet_check:
        click.echo("  " + _("term sheet") + f": {res.term_sheet_check}")


@preserve.command()
@click.option("--of", "of", metavar="IRI|ID", help="Only the documents of this licence or acquisition.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def documents(ctx, of, as_json):
    """The construction archive: documents attached to licences and acquisitions."""
    from ..acquisitions.records import acquisition_iri
    from ..decision_service import expand
    from ..preservation.documents import documents as list_documents
    store = ctx.obj["store"]()
    target = None
    if of:
        target = expand(of, "") if ":" in of else acquisition_iri(of)
    rows = list_documents(store, of=target)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(_("no documents"))
    for r in rows:
        click.echo(f"{r['of']}  {r['type']:<18} {r['name']}  " + _("%(n)s bytes", n=r["size"])
                   + f"  {r['attached'][:10]}  " + _("copies") + f": {', '.join(r['copies'])}")


def _need_library(ctx, library):
    if not library:
        from ..preservation.messages import msg
        raise click.UsageError(msg("library_needed", _lang(ctx)))


@report.command("preservation")
@_library_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def report_preservation(ctx, library, as_json):
    """Objects, copies per object, last audit, failures, repairs, coverage of preservation rights."""
    from ..decision_service import expand
    from ..preservation.report import format_report, preservation_report
    rep = preservation_report(ctx.obj["store"](), library=expand(library) if library else None)
    click.echo(json.dumps(rep, ensure_ascii=False, indent=2) if as_json else format_report(rep, _lang(ctx)))


__all__ = ["preserve"]
