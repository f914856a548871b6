"""`rightsgraph recover`: finish, or set aside, the writes a crash left in the journal.

Opening the store finishes them by itself (store/journal.py); this command is for the
one case it cannot: an entry that fails every time (its files damaged on disk). Then the
store stays closed until the administrator chooses: restore a backup, or `--set-aside`
to open the store as it is, the entry moved whole to `<store>.journal-set-aside/`.
"""

from __future__ import annotations

import click

from ..translation import _, both

from . import errors, main
from .opening import data_dir_of, require_store


@main.command()
@click.option("--set-aside", is_flag=True,
              help="Move journal entries that cannot be applied to <store>.journal-set-aside/ (kept for "
                   "inspection) and open the store as it is.")
@click.pass_context
def recover(ctx, set_aside):
    """Finish the writes a crash left in the embedded store's journal (opening the store does
    this by itself; an entry that fails every time keeps the store closed until a backup is
    restored or --set-aside is given)."""
    from ..store import journal
    from ..store.embedded import JournalEntryFailed, open_store
    state = ctx.obj["state"]
    if state.store_url:
        raise errors.CliError(both("recover works on the embedded store (--data-dir); a remote store "
                                   "recovers by itself"), errors.EXIT_USAGE)
    where = data_dir_of(state.data_dir)
    require_store(where)
    pending = len(journal.pending(journal.journal_dir(where / "store")))
    try:
        store = open_store(where, set_aside_journal=set_aside)
    except JournalEntryFailed as exc:
        raise errors.journal_entry_failed(where, exc) from None
    except Exception as exc:  # noqa: BLE001 - told as the other commands tell it
        raise errors.from_exception(exc, str(where)) from None
    aside = store.set_aside_entries
    store.close()
    finished = pending - len(aside)
    click.echo(_("finished %(n)s write(s) committed before a crash", n=finished))
    for moved, reason in aside:
        what = journal.describe(moved)
        click.echo(_("set aside %(entry)s (%(what)s): %(reason)s", entry=moved, what=what, reason=reason))
    if aside:
        click.echo(_("check those graphs; load them again or restore a backup if needed."))
