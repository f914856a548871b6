"""Administration: API tokens (`user`) and confidential graphs (`graph`)."""

from __future__ import annotations

import click

from . import main


def accounts_of(ctx):
    from ..accounts import Accounts
    return Accounts(ctx.obj["state"].accounts_file)


@main.group()
def user():
    """API tokens and roles (reader, cataloguer, admin) for the HTTP service."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "cataloguer", "admin"]), default="reader", show_default=True)
@click.pass_context
def user_add(ctx, name, role):
    """Create an account and print its token (shown only this once)."""
    from ..accounts import AccountError
    try:
        token = accounts_of(ctx).add(name, role)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(token)
    click.echo(f"{name}: {role}. Keep the token: only its SHA-256 digest is stored.", err=True)


@user.command("list")
@click.pass_context
def user_list(ctx):
    """Accounts with their roles (tokens are never shown again)."""
    for a in accounts_of(ctx).list():
        click.echo(f"{a.name:<24} {a.role:<11} {'revoked' if a.revoked else 'active':<8} since {a.created}")


@user.command("revoke")
@click.argument("name")
@click.pass_context
def user_revoke(ctx, name):
    """Revoke an account's token at once."""
    from ..accounts import AccountError
    try:
        accounts_of(ctx).revoke(name)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"revoked {name}")


@main.group()
def graph():
    """Named graphs: confidentiality."""


@graph.command("confidential")
@click.argument("iri")
@click.option("--off", is_flag=True, help="Make the graph visible to readers again.")
@click.pass_context
def graph_confidential(ctx, iri, off):
    """Mark graph IRI confidential: invisible to readers in every door."""
    from ..confidentiality import set_confidential
    set_confidential(ctx.obj["store"](), iri, not off)
    click.echo(f"<{iri}> is {'visible to readers' if off else 'confidential'}")
