"""`rightsgraph entitlement`: do the holdings cover this DOI / ISSN / ISBN / title_id / URL
for this publication date (and volume, issue)? The question a link resolver asks; the
answer names the package, the licence and the coverage (holdings.py, docs/decisions.md).

Exit codes: 0 when answered; with --exit-code, 1 when held but not covered, 6 when not
held (for a --file: 1 if any is not covered, else 6 if any is not held); 2 for bad input.
"""

from __future__ import annotations

import json

import click

from ..decision_service import DecisionParamError
from ..identifiers import IdentifierError
from . import main
from .decide import EXIT_NOT_HELD, _store_opener
from .errors import EXIT_USAGE, CliError
from .identifier_options import given_identifiers, identifier_options, one_of, read_identifier_file, usage_error


@main.command()
@identifier_options
@click.option("--at", "at", default=None, help="When the question is asked, for embargoes (ISO 8601; default now).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when not covered, 6 when not held.")
@click.pass_context
def entitlement(ctx, doi, issn, isbn, title_id, url, id_file, date, volume, issue, at, as_json, exit_code):
    """Whether the holdings (KBART coverage) cover an identifier for a publication date."""
    from ..decision_service import DecisionService
    from ..identifier_decisions import entitlement_answer
    identifiers = given_identifiers({"doi": doi, "issn": issn, "isbn": isbn, "title_id": title_id, "url": url})
    one_of(None, identifiers, id_file, has_target=False)
    shared = {k: v for k, v in (("date", date), ("volume", volume), ("issue", issue), ("at", at)) if v is not None}
    lines = read_identifier_file(id_file) if id_file else None
    asks = [dict(shared, **identifiers)] if lines is None else [dict(shared, id=v) for v in lines]
    svc = DecisionService(_store_opener(ctx)())
    lang = (ctx.obj or {}).get("lang", "en")
    answers = []
    for ask in asks:
        try:
            answers.append(entitlement_answer(svc, ask))
        except IdentifierError as exc:
            raise usage_error(exc) from None
        except DecisionParamError as exc:
            raise CliError(exc.texts, EXIT_USAGE) from None
    if as_json:
        out = answers[0] if lines is None else {"entitlements": [dict(a, input=v) for a, v in zip(answers, lines)]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for i, a in enumerate(answers):
            text = a["zh" if lang == "zh" else "en"]
            click.echo(f"{lines[i]}\t{a['status']}\t{text}" if lines is not None else f"{a['status']}: {text}")
    if exit_code:
        statuses = {a["status"] for a in answers}
        if "not-covered" in statuses:
            ctx.exit(1)
        if "not-held" in statuses:
            ctx.exit(EXIT_NOT_HELD)
