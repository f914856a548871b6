"""`rightsgraph check` and `rightsgraph evaluate`: thin doors over rightsgraph.policy.

Exit codes (docs/decisions.md, "CLI exit codes"): an evaluation that ran exits 0 whether it
permits or denies, so scripts can read the answer from the output; with ``--exit-code``,
permit exits 0, deny 1 (like ``grep``/``git diff --exit-code``), and a target or identifier that
names nothing the library holds ("not-held") 6 (for a --file: 1 if any is denied, else 6 if any
is not held). Errors (unreadable files, no store, bad arguments, a malformed identifier, an
unknown action, party or left operand) exit 2.
"""

from __future__ import annotations

import json
import sys

import click

from ..translation import _, both

from ..decision_service import DecisionParamError, check_terms, read_params
from ..policy import PolicyIndex, decide, evaluate_files
from ..policy.known_terms import KnownTerms, not_held_answer
from ..policy.requests import IncompleteRequest
from ..input_limits import InputRefused
from .localized import LocalizedCommand
from .errors import EXIT_BAD_INPUT, EXIT_NOT_HELD, EXIT_USAGE, CliError, current_lang
from ..identifiers import IdentifierError
from . import errors
from .identifier_options import given_identifiers, identifier_options, one_of, read_identifier_file, usage_error



def _param_error(exc: DecisionParamError) -> click.ClickException:
    """The parameter error (it names the parameter and the value) as our one-line error in
    the command line's language."""
    return CliError(exc.texts, EXIT_USAGE)


def _print_not_held(answer: dict, as_json: bool):
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    click.echo(f"{answer['decision']} ({answer['reason']})")
    click.echo("  " + answer["explanation"][current_lang()])


def _print_decision(d, as_json: bool, report: bool):
    if report:
        click.echo(d.report_turtle())
        return
    if as_json:
        click.echo(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{d.decision} ({d.reason})")
    # the licence, clause and why, in the user's language (policy/explain.py)
    why = d.explanation().get(current_lang())
    if why:
        click.echo(f"  {why}")
    for label, items in ((_("rules"), d.rules), (_("policies"), d.policies)):
        if items:
            click.echo(f"  {label}: " + ", ".join(items))
    for du in d.duties:
        click.echo("  " + _("duty to fulfil: %(duty)s (%(actions)s; %(state)s)",
                            duty=du["duty"], actions=", ".join(du["action"]), state=du["state"]))
    for lo in dict.fromkeys(u["leftOperand"] for u in d.unresolved):
        click.echo("  " + _("unresolved: %(operand)s: the context did not supply it (--context or its own option)",
                            operand=lo))


def _exit(ctx, d, exit_code: bool):
    if exit_code and d.decision != "permit":
        ctx.exit(1)


@click.command(cls=LocalizedCommand)
@click.option("--target", default=None, help="Asset IRI (or name it by identifier: --doi, --issn, ...).")
@click.option("--action", required=True, help="Action IRI or ODRL name (read, print, odrl:distribute...).")
@click.option("--assignee", default=None, help="Party IRI asking.")
@click.option("--at", "at", default=None, help="Time of the use (ISO 8601; default now, UTC).")
@click.option("--purpose", default=None, help="odrl:purpose value (IRI).")
@click.option("--recipient", default=None, help="odrl:recipient value (IRI).")
@click.option("--delivery-channel", default=None, help="odrl:deliveryChannel value (IRI, e.g. rg:Email).")
@click.option("--spatial", default=None, help="odrl:spatial value (IRI).")
@click.option("--context", "contexts", multiple=True, metavar="LEFTOPERAND=VALUE",
              help="Any left operand, repeatable (e.g. count=3, odrl:language=en).")
@identifier_options
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.option("--report", is_flag=True, help="Print the FORCE compliance report as Turtle.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when the decision is deny, 6 when the identifier is not held.")
@click.pass_context
def check(ctx, target, action, assignee, at, purpose, recipient, delivery_channel, spatial,
          contexts, doi, issn, isbn, title_id, url, id_file, date, volume, issue, as_json, report, exit_code):
    """Decide whether ASSIGNEE may perform ACTION on TARGET (or on what an identifier names)
    under the stored policies."""
    identifiers = given_identifiers({"doi": doi, "issn": issn, "isbn": isbn, "title_id": title_id, "url": url})
    one_of(target, identifiers, id_file)
    # The same parameter reading as the HTTP API and the SPARQL door (decision_service).
    params = {"target": target, "action": action, "assignee": assignee, "at": at, "purpose": purpose,
              "recipient": recipient, "delivery-channel": delivery_channel, "spatial": spatial,
              "context": list(contexts), "report": report}
    params = {k: v for k, v in params.items() if v is not None}
    if target is None:
        holdings = {k: v for k, v in (("date", date), ("volume", volume), ("issue", issue)) if v is not None}
        lines = read_identifier_file(id_file) if id_file else None
        _check_by_identifier(ctx, dict(params, **holdings), identifiers, lines, as_json, report, exit_code)
        return
    if date or volume or issue:
        raise errors.CliError(both("--date, --volume and --issue go with an identifier (--issn ...), "
                                   "not --target (give the year as --context rg:publicationYear=YYYY)"),
                              errors.EXIT_USAGE)
    try:
        kwargs = read_params(params)
    except DecisionParamError as exc:
        raise _param_error(exc) from None
    open_store = _store_opener(ctx)
    # the store's lifetime belongs to the main command (it may hand out a shared instance)
    store = open_store()
    index = PolicyIndex.from_store(store)
    try:
        held = check_terms(KnownTerms.of(index, store), kwargs)
    except DecisionParamError as exc:
        raise _param_error(exc) from None
    if not held:
        _print_not_held(not_held_answer(kwargs["target"]), as_json)
        if exit_code:
            ctx.exit(EXIT_NOT_HELD)
        return
    d = decide(index, **kwargs)
    _print_decision(d, as_json, report)
    _exit(ctx, d, exit_code)


def _store_opener(ctx):
    try:
        return (ctx.obj or {})["store"]
    except (KeyError, TypeError):
        click.echo(_("error: no store configured"), err=True)
        ctx.exit(EXIT_USAGE)


def _check_by_identifier(ctx, params: dict, identifiers: dict, lines, as_json, report, exit_code):
    """`check --issn ...` / `check --file ids.txt`: DecisionService.answer, as over HTTP."""
    from ..decision_service import DecisionService
    svc = DecisionService(_store_opener(ctx)())
    lang = (ctx.obj or {}).get("lang", "en")
    asks = [dict(params, **identifiers)] if lines is None else [dict(params, id=v) for v in lines]
    answers = []
    for ask in asks:
        try:
            answers.append(svc.answer(ask))
        except IdentifierError as exc:
            raise usage_error(exc) from None
        except DecisionParamError as exc:
            raise _param_error(exc) from None
    if lines is not None and as_json:
        click.echo(json.dumps({"decisions": [dict(a, input=v) for a, v in zip(answers, lines)]},
                              ensure_ascii=False, indent=2))
    for i, a in enumerate(answers):
        if lines is not None and as_json:
            break
        if report:
            click.echo(a.get("report", ""))
        elif as_json:
            click.echo(json.dumps(a, ensure_ascii=False, indent=2))
        else:
            _print_identifier_answer(a, lines[i] if lines is not None else None, lang)
    if exit_code:
        verdicts = {a["decision"] for a in answers}
        if verdicts - {"permit", "not-held"}:
            ctx.exit(1)
        if "not-held" in verdicts:
            ctx.exit(EXIT_NOT_HELD)


def _print_identifier_answer(a: dict, line: str | None, lang: str):
    head = f"{line}\t" if line is not None else ""
    click.echo(f"{head}{a['decision']} ({a['reason']})" + (f" {a['resource']}" if line is not None and a.get("resource") else ""))
    if line is not None:
        return
    if a.get("resource"):
        click.echo("  " + _("resource") + f": {a['resource']}")
    for label, items in ((_("rules"), a.get("rules")), (_("policies"), a.get("policies"))):
        if items:
            click.echo(f"  {label}: " + ", ".join(items))
    for other in a.get("results", []):
        if other["resource"] != a.get("resource"):
            click.echo("  " + _("also: %(resource)s: %(decision)s (%(reason)s)", resource=other["resource"],
                                decision=other["decision"], reason=other["reason"]))
    click.echo("  " + _("holdings") + f": {a['entitlement'][lang if lang in ('en', 'zh') else 'en']}")


@click.command(cls=LocalizedCommand)
@click.option("--policy", "policy_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Policy file (Turtle, N-Triples, RDF/XML, JSON-LD of the W3C examples...).")
@click.option("--request", "request_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="odrl:Request or sotw:EvaluationRequest file.")
@click.option("--sotw", "sotw_path", default=None, type=click.Path(exists=True, dir_okay=False),
              help="State of the world file.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON instead of the report.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the decision is deny.")
@click.option("--match-orphan-duty-reports", is_flag=True,
              help="FORCE-suite compatibility: let a lone DutyReport about an unknown duty stand "
                   "for duties without a report (off by default; see docs/decisions.md).")
@click.pass_context
def evaluate(ctx, policy_path, request_path, sotw_path, as_json, exit_code, match_orphan_duty_reports):
    """Evaluate one request against policy files: the FORCE compliance report as Turtle."""
    try:
        d = evaluate_files(policy_path, request_path, sotw_path,
                           match_orphan_duty_reports=match_orphan_duty_reports)
    except IncompleteRequest as exc:
        raise CliError(exc.texts, EXIT_USAGE) from None
    except InputRefused as exc:
        raise CliError(exc.messages, EXIT_BAD_INPUT) from None  # the messages name the file
    except (ValueError, SyntaxError, OSError) as exc:
        click.echo(_("error: %(message)s", message=exc), err=True)
        ctx.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(d.report_turtle())
    _exit(ctx, d, exit_code)

