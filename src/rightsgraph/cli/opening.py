"""Open the store the command line names, or say clearly why not.

Only commands that store data (load, kbart/licence/usage/payments import, harvests, acquisition
stages, preservation registration, init, demo,
serve --create) may create the embedded store: a read on a mistyped --data-dir must be an
error, not an answer (every `check` a deny) from a new, empty store. A running `serve`
records its pid and address in the data directory, so that a command finding the store
locked can say which server holds it and how to reach it.
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from . import errors

STORE_MARK = "CURRENT"        # an Oxigraph (RocksDB) store directory has it once created
SERVER_RECORD = "server.json"  # {"pid": …, "url": …} while a server holds the store


def data_dir_of(data_dir) -> Path:
    from ..store.embedded import default_data_dir
    return Path(data_dir or default_data_dir())


def store_exists(data_dir) -> bool:
    return (data_dir_of(data_dir) / "store" / STORE_MARK).is_file()


def require_store(data_dir, create_hint: str = "init") -> None:
    """Raise the 'no store here' error unless `data_dir` holds a store."""
    if not store_exists(data_dir):
        where = data_dir_of(data_dir)
        raise errors.no_store(where, where / "store", exists=(where / "store").exists(), create_hint=create_hint)


def open_embedded(data_dir, *, create: bool):
    """The embedded store in `data_dir`; created only when `create`."""
    from ..store.base import StoreError
    from ..store.embedded import JournalEntryFailed, open_store
    where = data_dir_of(data_dir)
    if not create:
        require_store(where)
    try:
        return open_store(where)
    except JournalEntryFailed as exc:
        raise errors.journal_entry_failed(where, exc) from None
    except StoreError as exc:
        if _is_lock_error(exc):
            raise errors.store_locked(where, running_server(where)) from None
        raise errors.store_unusable(str(where), exc.__cause__ or exc, remote=False) from None


def _is_lock_error(exc: BaseException) -> bool:
    # RocksDB: "IO error: While lock file: <dir>/LOCK: Resource temporarily unavailable"
    return "lock file" in str(exc.__cause__ or exc).lower()


def remove_new_store(data_dir) -> None:
    """Undo the creation of a store by a command that then failed, so that a mistyped
    --data-dir is not left holding an empty store: its folder, and the data directory if
    nothing else is in it."""
    where = data_dir_of(data_dir)
    shutil.rmtree(where / "store", ignore_errors=True)
    try:
        where.rmdir()
    except OSError:
        pass  # not empty (accounts, other files): keep it


def open_remote(url: str):
    from ..store.remote import RemoteStore
    check_store_url(url)
    return RemoteStore.from_url(url)


def check_store_url(url: str) -> None:
    """--store: an http(s) base URL, or query=URL,update=URL,gsp=URL (each http(s))."""
    if "=" in url:
        try:
            parts = dict(p.split("=", 1) for p in url.split(","))
        except ValueError:
            raise errors.bad_store_url(url) from None
        urls = [parts.get(k, "") for k in ("query", "update", "gsp")]
        if set(parts) != {"query", "update", "gsp"}:
            raise errors.bad_store_url(url)
    else:
        urls = [url]
    for u in urls:
        s = urlsplit(u.strip())
        if s.scheme not in ("http", "https") or not s.netloc:
            raise errors.bad_store_url(url)


# ------------------------------------------------------------------ who holds the store
def running_server(data_dir) -> dict | None:
    """The server recorded in `data_dir` if its process still runs."""
    from ..store.snapshots import process_running
    try:
        record = json.loads((data_dir_of(data_dir) / SERVER_RECORD).read_text(encoding="utf-8"))
        pid, url = int(record["pid"]), str(record["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"pid": pid, "url": url} if process_running(pid) else None


@contextmanager
def server_record(data_dir, url: str):
    """Record this process as the server of `data_dir` while the block runs."""
    path = data_dir_of(data_dir) / SERVER_RECORD
    owner = os.getpid()
    path.write_text(json.dumps({"pid": owner, "url": url}), encoding="utf-8")
    try:
        yield
    finally:
        # the server's forked processes leave through here too: only the recording process
        # removes the record
        if os.getpid() == owner and running_server(data_dir) == {"pid": owner, "url": url}:
            path.unlink(missing_ok=True)
