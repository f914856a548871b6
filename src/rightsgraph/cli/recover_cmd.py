"""`rightsgraph recover`: finish, or set aside, the writes a crash left in the journal.

Opening the store finishes them by itself (store/journal.py); this command is for the
one case it cannot: an entry that fails every time (its files damaged on disk). Then the
store stays closed until the administrator chooses: restore a backup, or `--set-aside`
to open the store as it is, the entry moved whole to `<store>.journal-set-aside/`.
"""

from __future__ import annotations

import click

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
    state, lang = ctx.obj["state"], ctx.obj["lang"]
    if state.store_url:
        raise errors.CliError({"en": "recover works on the embedded store (--data-dir); a remote store "
                                     "recovers by itself",
                               "zh": "recover 仅用于嵌入式存储库（--data-dir）；远程存储库自行恢复"},
                              errors.EXIT_USAGE)
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
    click.echo(f"完成了 {finished} 个崩溃前已提交的写入" if lang == "zh"
               else f"finished {finished} write(s) committed before a crash")
    for moved, reason in aside:
        what = journal.describe(moved)
        click.echo(f"已搁置 {moved}（{what}）：{reason}" if lang == "zh" else f"set aside {moved} ({what}): {reason}")
    if aside:
        click.echo("请检查这些图，必要时重新加载或从备份恢复。" if lang == "zh"
                   else "check those graphs; load them again or restore a backup if needed.")
