"""`rightsgraph check` and `rightsgraph evaluate`: thin doors over rightsgraph.policy.

Exit codes (docs/decisions.md, "CLI exit codes"): an evaluation that ran exits 0 whether it
permits or denies, so scripts can read the answer from the output; with ``--exit-code``,
permit exits 0 and deny (or not-held) 1 (like ``grep``/``git diff --exit-code``). Errors
(unreadable files, no store, bad arguments, an unknown action, party or left operand) exit 2.
"""

from __future__ import annotations

import json
import sys

import click

from ..decision_service import DecisionParamError, check_terms, read_params
from ..policy import PolicyIndex, decide, evaluate_files
from ..policy.known_terms import KnownTerms, not_held_answer
from ..policy.requests import IncompleteRequest
from .errors import EXIT_USAGE, CliError, current_lang


def _param_error(exc: DecisionParamError) -> click.ClickException:
    """A bilingual message (unknown terms, prefixes) as our one-line error; click's
    own form (naming the option) for the rest."""
    if "zh" in exc.texts:
        return CliError(exc.texts, EXIT_USAGE)
    return click.BadParameter(str(exc))


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
    for label, items in (("rules", d.rules), ("policies", d.policies)):
        if items:
            click.echo(f"  {label}: " + ", ".join(items))
    for du in d.duties:
        click.echo(f"  duty to fulfil: {du['duty']} ({', '.join(du['action'])}; {du['state']})")
    for lo in dict.fromkeys(u["leftOperand"] for u in d.unresolved):
        click.echo(f"  unresolved: {lo}: the context did not supply it (--context or its own option)")


def _exit(ctx, d, exit_code: bool):
    if exit_code and d.decision != "permit":
        ctx.exit(1)


@click.command()
@click.option("--target", required=True, help="Asset IRI.")
@click.option("--action", required=True, help="Action IRI or ODRL name (read, print, odrl:distribute...).")
@click.option("--assignee", default=None, help="Party IRI asking.")
@click.option("--at", "at", default=None, help="Time of the use (ISO 8601; default now, UTC).")
@click.option("--purpose", default=None, help="odrl:purpose value (IRI).")
@click.option("--recipient", default=None, help="odrl:recipient value (IRI).")
@click.option("--delivery-channel", default=None, help="odrl:deliveryChannel value (IRI, e.g. rg:Email).")
@click.option("--spatial", default=None, help="odrl:spatial value (IRI).")
@click.option("--context", "contexts", multiple=True, metavar="LEFTOPERAND=VALUE",
              help="Any left operand, repeatable (e.g. count=3, odrl:language=en).")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@click.option("--report", is_flag=True, help="Print the FORCE compliance report as Turtle.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the decision is deny.")
@click.pass_context
def check(ctx, target, action, assignee, at, purpose, recipient, delivery_channel, spatial,
          contexts, as_json, report, exit_code):
    """Decide whether ASSIGNEE may perform ACTION on TARGET under the stored policies."""
    # The same parameter reading as the HTTP API and the SPARQL door (decision_service).
    params = {"target": target, "action": action, "assignee": assignee, "at": at, "purpose": purpose,
              "recipient": recipient, "delivery-channel": delivery_channel, "spatial": spatial,
              "context": list(contexts), "report": report}
    try:
        kwargs = read_params({k: v for k, v in params.items() if v is not None})
    except DecisionParamError as exc:
        raise _param_error(exc) from None
    try:
        open_store = (ctx.obj or {})["store"]
    except (KeyError, TypeError):
        click.echo("error: no store configured", err=True)
        ctx.exit(EXIT_USAGE)
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
            ctx.exit(1)
        return
    d = decide(index, **kwargs)
    _print_decision(d, as_json, report)
    _exit(ctx, d, exit_code)


@click.command()
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
    except (ValueError, SyntaxError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(d.to_json(), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(d.report_turtle())
    _exit(ctx, d, exit_code)
