"""Commands over the store: init, load, query, export, info, serve, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..translation import _

from . import errors, main, opening
from .errors import EXIT_BAD_INPUT, EXIT_REJECTED, EXIT_USAGE
from .output import write_file, write_output
from .params import IRI, OUTPUT_FILE


@main.command()
@click.pass_context
def init(ctx):
    """Create an empty store (the ontology and shapes only) in --data-dir, or make sure the
    --store is ready. Nothing happens to a store that exists."""
    state = ctx.obj["state"]
    existed = bool(state.store_url) or opening.store_exists(state.data_dir)
    state.store(create=True)
    if existed:
        click.echo(_("the store in %(where)s is ready", where=state.where))
    else:
        click.echo(_("created an empty store in %(where)s", where=state.where))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--graph", type=IRI, help="Named graph to load into (default: one graph per file, "
              "https://w3id.org/rightsgraph/graph/data/<file name>).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--format", "fmt", metavar="NAME",
              help="turtle, ntriples, nquads, trig, jsonld or rdfxml (default: from the extension).")
@click.option("--agent", metavar="NAME|IRI", help="Who is loading, for the provenance record (default: OS user).")
@click.option("--report", "report_path", type=OUTPUT_FILE,
              help="Write the full sh:ValidationReport (Turtle) here when validation fails.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help="Violations to print (the report file has all).")
@click.pass_context
def load(ctx, files, graph, replace, fmt, agent, report_path, limit):
    """Validate FILES against the shapes and load them, all or nothing."""
    from ..loading import LoadRejected, ProtectedGraph, load_files
    from ..parsing import RdfSyntaxError
    from ..rdf_formats import UnknownFormat
    lang = ctx.obj["lang"]
    try:
        result = load_files(ctx.obj["store"](create=True), files, graph=graph, replace=replace, fmt=fmt,
                            agent=agent, progress=sys.stderr.isatty())
    except (RdfSyntaxError, UnknownFormat, ProtectedGraph) as exc:
        detail = exc.text(lang) if isinstance(exc, RdfSyntaxError) else str(exc)
        click.echo(_("error: %(message)s", message=detail), err=True)
        click.echo(_("nothing was loaded"), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    except LoadRejected as exc:
        rep = exc.report
        click.echo(rep.format_text(lang=lang, limit=limit), err=True)
        if report_path:
            write_file(report_path, rep.to_graph_turtle())
            click.echo(_("full report: %(path)s", path=report_path), err=True)
        n = sum(1 for r in rep.results if r.severity.endswith("Violation"))
        click.echo(_("rejected: %(n)s violation(s); nothing was loaded", n=n), err=True)
        ctx.exit(EXIT_REJECTED)
    for g, n in sorted(result.graphs.items(), key=lambda kv: kv[0].value):
        click.echo(_("loaded %(n)s triples into <%(graph)s>", n=n, graph=g.value))
    warnings = [r for r in result.report.results if not r.severity.endswith("Violation")]
    if warnings:
        click.echo(result.report.format_text(lang=lang, limit=limit), err=True)
    click.echo(_("%(triples)s triples from %(files)s file(s) in %(seconds).2f s", triples=result.triples,
                 files=len(result.sources), seconds=result.seconds))


@main.command()
@click.argument("sparql", required=False)
@click.option("--file", "-f", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xml", "csv", "tsv", "turtle", "ntriples",
                                                     "rdfxml", "jsonld"]), default="table", show_default=True)
@click.option("--default-graph", multiple=True, type=IRI, help="Use these graphs as the default graph.")
@click.option("--named-graph", multiple=True, type=IRI, help="Restrict GRAPH to these graphs.")
@click.pass_context
def query(ctx, sparql, query_file, fmt, default_graph, named_graph):
    """Run a SPARQL query (argument, --file or stdin). The default graph is the union of all graphs."""
    from .. import query as q
    try:
        text = sparql or (query_file.read() if query_file else sys.stdin.buffer.read().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise errors.not_utf8(query_file.name if query_file else "<stdin>", exc) from None
    try:
        result = q.run(ctx.obj["store"](), text, default_graphs=list(default_graph) or None,
                       named_graphs=list(named_graph) or None)
    except q.QuerySyntaxError as exc:
        click.echo(_("error: malformed query: %(detail)s", detail=exc), err=True)
        ctx.exit(EXIT_BAD_INPUT)
    if fmt == "table":
        click.echo(q.table(result))
        return
    media = q.FORMAT_NAMES[fmt]
    offered = q.GRAPH_TYPES if result.kind == "graph" else q.TABULAR_TYPES
    if media not in offered:
        click.echo(_("error: a %(kind)s result cannot be written as %(format)s", kind=result.kind, format=fmt), err=True)
        ctx.exit(EXIT_USAGE)
    sys.stdout.buffer.write(q.serialize(result, media))


@main.command()
@click.option("--graph", "graphs", multiple=True, type=IRI, help="Graphs to export (default: all).")
@click.option("--format", "fmt", type=click.Choice(["trig", "nquads", "jsonld"]), default="trig", show_default=True,
              help="jsonld only with --shareable.")
@click.option("--output", "-o", type=OUTPUT_FILE, help="File (default: stdout).")
@click.option("--user-graphs", is_flag=True, help="Only the data graphs (not ontology, shapes, provenance, derived): "
              "a file `load` accepts in another store. To back up a store, use `backup` (docs/backup.md).")
@click.option("--shareable", is_flag=True, help="Only the graphs this library shares (not confidential, no system "
              "graphs), with a VoID/DCAT description and their provenance: docs/exchange.md.")
@click.option("--endpoint", type=IRI, metavar="URL", help="With --shareable: the SPARQL endpoint named in the description.")
@click.option("--publisher", metavar="NAME|IRI", help="With --shareable: who publishes the dataset (default: OS user).")
@click.option("--licence", type=IRI, help="With --shareable: licence of the metadata (default: CC0 1.0).")
@click.pass_context
def export(ctx, graphs, fmt, output, user_graphs=False, shareable=False, endpoint=None, publisher=None, licence=None):
    """Write graphs as TriG or N-Quads (with --shareable: what the library shares, also as JSON-LD)."""
    if shareable or fmt == "jsonld":
        from .exchange_cmds import export_shareable
        return export_shareable(ctx, graphs, fmt, output, shareable, endpoint, publisher, licence)
    from ..exporting import confidential_among, export_graphs, user_graphs as data_graphs
    store = ctx.obj["store"]()
    write_output(export_graphs(store, graphs=list(graphs) or None, fmt=fmt, user_graphs_only=user_graphs), output)
    for g in confidential_among(store, data_graphs(store)) if user_graphs else []:
        click.echo(_("note: <%(graph)s> is confidential here; the file does not carry the mark (docs/backup.md)",
                     graph=g), err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def info(ctx, as_json):
    """Graphs, triple counts and the latest loads."""
    import json
    from ..info import store_summary
    summary = store_summary(ctx.obj["store"]())
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    c = summary["counts"]
    click.echo(_("%(triples)s triples; %(resources)s resources, %(licences)s licences, %(parties)s parties, "
                 "%(policies)s policies", triples=summary["total_triples"], **c))
    click.echo("\n" + _("graphs:"))
    for g in summary["graphs"]:
        click.echo(f"  {g['triples']:>9}  <{g['graph']}>  {g['modified'] or ''}")
    click.echo("\n" + _("latest loads:"))
    for ld in summary["loads"]:
        click.echo(f"  {ld['ended']}  {ld['agent']}  " + _("%(n)s triples", n=ld["triples"]) + f"  {ld['files']}")


def _prepare(data_dir, store_url, lang, load_demo: bool, create: bool, failures) -> None:
    """Open and bootstrap the store (and load the demo), in a child process (serving/service.py
    says why)."""
    from . import _Context
    errors.set_lang(lang)
    state = _Context(data_dir, store_url, lang)
    try:
        store = state.store(create=create)
        if load_demo:
            from ..demo import load_demo as load
            loaded = load(store)
            print(f"demo data: {'loaded ' + str(loaded) + ' triples' if loaded else 'already loaded'}",
                  file=sys.stderr)
            if load_demo == "with-content":    # the preserved content and its tour (docs/preservation.md)
                from ..demo import load_demo_content
                load_demo_content(store, say=lambda line: print(line, file=sys.stderr))
    except Exception as exc:  # noqa: BLE001 - reported by the parent, which exits with its code
        state.failed = True
        if errors.debug():
            import traceback
            traceback.print_exc()
        failure = errors.from_exception(exc, state.where, remote=bool(store_url))
        failures.put((failure.texts, failure.exit_code))
    finally:
        state.close()


def _prepare_in_child(state, load_demo: bool = False, create: bool = False) -> None:
    from ..serving.service import run_in_child
    failure, exit_code = run_in_child(_prepare, state.data_dir, state.store_url, state.lang, load_demo, create)
    if failure is not None:
        raise errors.CliError(*failure)
    if exit_code != 0:
        raise errors.unexpected(RuntimeError(f"opening {state.where} ended with exit code {exit_code}"))


def _served_defaults() -> dict:
    import os
    # warm up at start (web/warm_up.py); the home page's wait for its first risk report
    # (docs/web.md): the environment may set it, as tests of pages do
    return {"RG_WARM_UP": True,
            "RG_HOME_RISKS_FIRST_WAIT": float(os.environ.get("RIGHTSGRAPH_HOME_RISKS_FIRST_WAIT", "3"))}


def _plan(ctx, host, port, threads=8, settings=None, workers=1, public_sparql="rightsgraph", connections=None):
    """The service to run, checked (serving/service.py)."""
    from ..serving import service
    state = ctx.obj["state"]
    plan = service.Plan(data_dir=None if state.store_url else opening.data_dir_of(state.data_dir),
                        open_store=state.store, host=host, port=port, threads=threads, workers=workers,
                        settings=dict(_served_defaults(), **(settings or {}), RG_ACCOUNTS_FILE=str(state.accounts_file)),
                        connections=connections or {}, public_tier=public_sparql == "oxigraph")
    try:
        service.check(plan)
    except service.ServiceRefused as exc:
        raise errors.CliError(exc.texts, EXIT_USAGE if exc.usage else 1) from None
    return plan


def _serve(ctx, plan, create=False):
    from ..serving import service
    state = ctx.obj["state"]
    if not state.store_url and not create:
        opening.require_store(state.data_dir, create_hint="serve")
    _prepare_in_child(state, create=create)
    url = f"http://{'127.0.0.1' if plan.host in ('0.0.0.0', '::', '') else plan.host}:{plan.port}/"
    click.echo(_("rightsgraph serving %(where)s at %(url)s", where=state.where, url=url), err=True)
    if state.store_url:
        service.run(plan)
        return
    with opening.server_record(state.data_dir, url):  # names this server to commands finding the store locked
        service.run(plan)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help="Server processes answering requests. With the embedded store and N > 1: N readers on "
                   "published snapshots plus one writer process (docs/service.md).")
@click.option("--anonymous-read/--no-anonymous-read", default=True, show_default=True,
              envvar="RIGHTSGRAPH_ANONYMOUS_READ", help="Let requests without a token read public graphs.")
@click.option("--max-body", default=16 * 1024 * 1024, show_default=True, type=click.IntRange(min=1), envvar="RIGHTSGRAPH_MAX_BODY",
              help="Largest request body in bytes (413 above).")
@click.option("--query-timeout", default=30.0, show_default=True, type=click.FloatRange(min=0), envvar="RIGHTSGRAPH_QUERY_TIMEOUT",
              help="Seconds a SPARQL query may run before it is stopped (503); 0 turns the limit off.")
@click.option("--query-workers", default=2, show_default=True, type=click.IntRange(min=1), envvar="RIGHTSGRAPH_QUERY_WORKERS",
              help="Processes that run SPARQL queries (embedded store).")
@click.option("--max-rows", default=100_000, show_default=True, type=click.IntRange(min=1), envvar="RIGHTSGRAPH_MAX_ROWS",
              help="Largest query result in rows or triples (413 above).")
@click.option("--cors", "cors_origins", default="", envvar="RIGHTSGRAPH_CORS",
              help="Allow browser clients from these origins ('*' or space-separated); off by default.")
@click.option("--public-sparql", type=click.Choice(["rightsgraph", "oxigraph"]), default="rightsgraph",
              show_default=True, envvar="RIGHTSGRAPH_PUBLIC_SPARQL",
              help="Who answers anonymous GET /sparql queries. 'oxigraph': nginx in front, Oxigraph's own "
                   "server on a public copy of the store (no confidential graphs): Oxigraph's throughput, "
                   "a fraction of a second behind commits (docs/service.md). Needs nginx.")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL", envvar="RIGHTSGRAPH_ALLOW_SERVICE",
              help="An endpoint that SPARQL SERVICE and LOAD may reach (prefix; repeatable). None by default: "
                   "the service contacts no other endpoint for a request.")
@click.option("--publisher", default=None, envvar="RIGHTSGRAPH_PUBLISHER", type=IRI,
              help="Publisher of the dataset, for its VoID description (/.well-known/void).")
@click.option("--metadata-licence", default=None, envvar="RIGHTSGRAPH_METADATA_LICENCE", type=IRI,
              help="Licence of the metadata in the VoID description (default CC0 1.0).")
@click.option("--session-hours", default=8.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              envvar="RIGHTSGRAPH_SESSION_HOURS", help="A browser session (/signin) ends this long after sign-in.")
@click.option("--session-idle-minutes", default=60.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              envvar="RIGHTSGRAPH_SESSION_IDLE_MINUTES", help="... or after this long without a page request.")
@click.option("--header-timeout", default=20.0, show_default=True, type=click.FloatRange(min=1),
              envvar="RIGHTSGRAPH_HEADER_TIMEOUT",
              help="Seconds a client may take to send a request's header; the connection is closed after that "
                   "(slow senders cannot hold the service's threads: the server reads requests before handing them on).")
@click.option("--idle-timeout", default=120.0, show_default=True, type=click.FloatRange(min=1),
              envvar="RIGHTSGRAPH_IDLE_TIMEOUT", help="Seconds an idle connection is kept open.")
@click.option("--max-connections", default=1000, show_default=True, type=click.IntRange(min=1),
              envvar="RIGHTSGRAPH_MAX_CONNECTIONS",
              help="Open connections a server process accepts; further clients wait until one closes.")
@click.option("--create", is_flag=True, help="Start on a new empty store when --data-dir has none "
              "(without it, a missing store is an error: a mistyped --data-dir would serve an empty store).")
@click.pass_context
def serve(ctx, host, port, threads, workers, anonymous_read, max_body, query_timeout, query_workers, max_rows,
          cors_origins, allow_service, public_sparql, publisher, metadata_licence, session_hours,
          session_idle_minutes, header_timeout, idle_timeout, max_connections, create):
    """Run the HTTP service (SPARQL endpoint, Graph Store, API, web page) under waitress."""
    plan = _plan(ctx, host, port, threads, {
        "RG_ANONYMOUS_READ": anonymous_read, "RG_MAX_BODY": max_body, "RG_QUERY_TIMEOUT": query_timeout,
        "RG_QUERY_WORKERS": query_workers, "RG_MAX_ROWS": max_rows, "RG_CORS_ORIGINS": cors_origins,
        "RG_ALLOW_SERVICE": tuple(allow_service),
        "RG_SESSION_HOURS": session_hours, "RG_SESSION_IDLE_MINUTES": session_idle_minutes,
        **({"RG_PUBLISHER": publisher} if publisher else {}),
        **({"RG_METADATA_LICENCE": metadata_licence} if metadata_licence else {})},
        workers=workers, public_sparql=public_sparql,
        connections={"header_timeout": header_timeout, "idle_timeout": idle_timeout,
                     "max_connections": max_connections, "max_body": max_body})
    _serve(ctx, plan, create=create)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-serve", is_flag=True, help="Only load the demo data (serving also sets up its preserved content).")
@click.pass_context
def demo(ctx, host, port, no_serve):
    """Load the demo library world (once, creating the store if needed) and serve it."""
    plan = None if no_serve else _plan(ctx, host, port)
    _prepare_in_child(ctx.obj["state"], load_demo="with-content" if not no_serve else True, create=True)
    if plan is not None:
        _serve(ctx, plan)
