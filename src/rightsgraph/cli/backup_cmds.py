"""`rightsgraph backup` and `rightsgraph restore` (docs/backup.md).

Exit codes: 0 done; 1 a remote store changed during its backup (nothing written, try
again); 2 refused (target not empty, store in use or missing, bad arguments); 3 the
backup is not valid (missing, extra or corrupted file, wrong quad counts); 4 the server
or store could not be reached or refused the request.
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from ..bilingual import in_lang
from ..translation import _, both, gettext

from . import main

EXIT_CHANGED = 1
EXIT_REFUSED = 2
EXIT_INVALID = 3
EXIT_UNREACHABLE = 4


def _fail(ctx, lang: str, texts: dict[str, str], code: int):
    """`error: …` in the user's language (texts: {"en": ..., "zh": ...}, from `both`)."""
    click.echo(gettext("error: %(message)s", lang, message=in_lang(texts, lang)), err=True)
    ctx.exit(code)


def _exit_code(exc) -> int:
    from ..backup import BackupInvalid, StoreChanged
    if isinstance(exc, BackupInvalid):
        return EXIT_INVALID
    if isinstance(exc, StoreChanged):
        return EXIT_CHANGED
    return EXIT_REFUSED


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--verify", is_flag=True,
              help="Check the backup in DIRECTORY (every file's SHA-256, the quads per graph) without restoring it.")
@click.option("--server", metavar="URL", envvar="RIGHTSGRAPH_SERVER",
              help="Back up a running rightsgraph server over HTTP (its store is locked while it runs); "
                   "needs an admin token (env RIGHTSGRAPH_SERVER).")
@click.option("--token", metavar="TOKEN", envvar="RIGHTSGRAPH_TOKEN",
              help="Admin token for --server (env RIGHTSGRAPH_TOKEN).")
@click.pass_context
def backup(ctx, directory, verify, server, token):
    """Write a consistent, verifiable copy of the store, provenance, accounts and settings to
    DIRECTORY (a new folder), or check one with --verify."""
    from ..backup import BackupError, verify_backup
    lang = ctx.obj["lang"]
    t0 = time.perf_counter()
    try:
        if verify:
            manifest = verify_backup(directory)
            click.echo(_("%(dir)s: verified: %(summary)s", dir=directory, summary=manifest.summary(lang)))
            return
        if server:
            manifest = _backup_server(ctx, lang, server, token, directory)
        else:
            manifest = _backup_local(ctx, lang, directory)
    except BackupError as exc:
        _fail(ctx, lang, exc.messages, _exit_code(exc))
    except OSError as exc:  # the file system: permissions, a full disk
        _fail(ctx, lang, both("%(detail)s; nothing was written", detail=exc), EXIT_REFUSED)
    click.echo(_("backup written to %(dir)s: %(summary)s (%(seconds).2f s)", dir=directory,
                 summary=manifest.summary(lang), seconds=time.perf_counter() - t0))


def _backup_local(ctx, lang, directory):
    from ..backup import create_backup
    from ..store.base import StoreError
    state = ctx.obj["state"]
    if state.store_url:
        from ..store.remote import RemoteStore
        store = RemoteStore.from_url(state.store_url)
        try:
            return create_backup(store, directory, data_dir=_data_dir(state), source=state.store_url)
        except (StoreError, OSError) as exc:  # requests' errors are OSErrors
            _fail(ctx, lang, both("cannot use the store at %(where)s: %(detail)s", where=state.store_url, detail=exc), EXIT_UNREACHABLE)
        finally:
            store.close()
    data_dir = _data_dir(state)
    if not (data_dir / "store" / "CURRENT").is_file():
        _fail(ctx, lang, both("no store in %(dir)s (give --data-dir, or RIGHTSGRAPH_DATA)", dir=data_dir),
              EXIT_REFUSED)
    from ..store.embedded import open_store
    try:
        store = open_store(data_dir)
    except StoreError as exc:
        if "lock" in str(exc).lower():
            _fail(ctx, lang, both("the store in %(dir)s is in use by a running server: back it up through the "
                                  "server, rightsgraph backup DIR --server URL --token ADMIN-TOKEN", dir=data_dir),
                  EXIT_REFUSED)
        _fail(ctx, lang, both("cannot use the store at %(where)s: %(detail)s", where=data_dir, detail=exc),
              EXIT_REFUSED)
    try:
        return create_backup(store, directory, data_dir=data_dir, source=str(data_dir.resolve()))
    finally:
        store.close()


def _data_dir(state) -> Path:
    from ..store.embedded import default_data_dir
    return Path(state.data_dir or default_data_dir())


def _backup_server(ctx, lang, server, token, directory):
    """POST /admin/backup streams the backup as a tar; it is unpacked and verified here."""
    import urllib.error
    import urllib.request
    from ..backup import receive_backup
    if not token:
        raise click.UsageError(_("--server needs --token (an admin token; env RIGHTSGRAPH_TOKEN)"))
    url = server.rstrip("/") + "/admin/backup"
    req = urllib.request.Request(url, method="POST", data=b"",
                                 headers={"Authorization": f"Bearer {token}", "Accept-Language": lang})
    try:
        with urllib.request.urlopen(req, timeout=600) as resp:
            return receive_backup(resp, directory)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()[:500]
        _fail(ctx, lang, both("%(url)s answered HTTP %(code)s: %(detail)s", url=url, code=exc.code, detail=detail),
              EXIT_CHANGED if exc.code == 409 else EXIT_UNREACHABLE)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        _fail(ctx, lang, both("%(url)s: cannot reach the server: %(reason)s", url=url, reason=reason),
              EXIT_UNREACHABLE)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--data-dir", "target", type=click.Path(file_okay=False, path_type=Path),
              help="Data directory to restore into (default: the global --data-dir / RIGHTSGRAPH_DATA).")
@click.option("--force", is_flag=True,
              help="Restore into a directory (or store) that holds data: the backup is verified first, and "
                   "the old data is set aside in .before-restore-<time>/, not deleted.")
@click.pass_context
def restore(ctx, directory, target, force):
    """Verify the backup in DIRECTORY and bring everything in it back: data, confidential graphs,
    provenance, accounts and settings. Stop the server on the target first."""
    from ..backup import BackupError, restore_backup, restore_remote
    from ..store.base import StoreError
    lang = ctx.obj["lang"]
    state = ctx.obj["state"]
    data_dir = Path(target) if target else _data_dir(state)
    t0 = time.perf_counter()
    try:
        if state.store_url:
            from ..store.remote import RemoteStore
            store = RemoteStore.from_url(state.store_url)
            try:
                result = restore_remote(directory, store, data_dir=data_dir, force=force)
            except (StoreError, OSError) as exc:  # requests' errors are OSErrors
                _fail(ctx, lang, both("cannot use the store at %(where)s: %(detail)s",
                                      where=state.store_url, detail=exc), EXIT_UNREACHABLE)
            finally:
                store.close()
        else:
            result = restore_backup(directory, data_dir, force=force)
    except BackupError as exc:
        _fail(ctx, lang, exc.messages, _exit_code(exc))
    except OSError as exc:  # the file system: permissions, a full disk
        _fail(ctx, lang, both("%(detail)s; nothing was restored", detail=exc), EXIT_REFUSED)
    m = result.manifest
    click.echo(_("restored %(dir)s into %(target)s: %(summary)s (%(seconds).2f s)", dir=directory,
                 target=result.target, summary=m.summary(lang), seconds=time.perf_counter() - t0))
    if result.set_aside:
        click.echo(_("the data that was there is kept in %(path)s: remove it when satisfied", path=result.set_aside),
                   err=True)
