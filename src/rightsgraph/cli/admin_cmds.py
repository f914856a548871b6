"""Administration: API tokens (`user`) and confidential graphs (`graph`)."""

from __future__ import annotations

from contextlib import contextmanager

import click

from ..text_columns import ljust
from ..translation import _, both

from . import errors, main
from .params import IRI


def accounts_of(ctx):
    from ..accounts import Accounts
    return Accounts(ctx.obj["state"].accounts_file)


@contextmanager
def _accounts_errors(ctx):
    """An account refused (exit 2), or an accounts file that is not what it should be (exit 3)."""
    from ..accounts import AccountError
    path = ctx.obj["state"].accounts_file
    try:
        yield
    except AccountError as exc:
        raise errors.CliError({"en": str(exc), "zh": str(exc)}, errors.EXIT_USAGE) from None
    except OSError as exc:
        raise (errors.cannot_write if isinstance(exc, PermissionError) else errors.cannot_read)(path, exc) from None
    except (ValueError, KeyError, TypeError) as exc:  # not the JSON accounts.py writes
        raise errors.CliError(both("%(path)s: not a rightsgraph accounts file (%(detail)s)", path=path, detail=exc),
                              errors.EXIT_BAD_INPUT) from None


@main.group()
def user():
    """API tokens and roles (reader, cataloguer, admin) for the HTTP service."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "cataloguer", "admin"]), default="reader", show_default=True)
@click.pass_context
def user_add(ctx, name, role):
    """Create an account and print its token (shown only this once)."""
    with _accounts_errors(ctx):
        token = accounts_of(ctx).add(name, role)
    click.echo(token)
    click.echo(_("%(name)s: %(role)s. Keep the token: only its SHA-256 digest is stored.", name=name, role=role),
               err=True)


@user.command("list")
@click.pass_context
def user_list(ctx):
    """Accounts with their roles (tokens are never shown again)."""
    with _accounts_errors(ctx):
        accounts = accounts_of(ctx).list()
    for a in accounts:
        state = _("revoked") if a.revoked else _("active")
        click.echo(f"{ljust(a.name, 24)} {a.role:<11} {ljust(state, 8)} " + _("since %(date)s", date=a.created))


@user.command("revoke")
@click.argument("name")
@click.pass_context
def user_revoke(ctx, name):
    """Revoke an account's token at once."""
    with _accounts_errors(ctx):
        accounts_of(ctx).revoke(name)
    click.echo(_("revoked %(name)s", name=name))


@main.group()
def graph():
    """Named graphs: confidentiality."""


@graph.command("confidential")
@click.argument("iri", type=IRI)
@click.option("--off", is_flag=True, help="Make the graph visible to readers again.")
@click.pass_context
def graph_confidential(ctx, iri, off):
    """Mark graph IRI confidential: invisible to readers in every door."""
    from ..confidentiality import set_confidential
    set_confidential(ctx.obj["store"](), iri, not off)
    click.echo(_("<%(graph)s> is visible to readers", graph=iri) if off else _("<%(graph)s> is confidential", graph=iri))
