"""A token that names an embedded store's content while that content stays as it was.

Caches that take long to build from the store (the compiled policies: 20 s at 1M triples
and 10,000 licences) are worth keeping across restarts only if the next process can tell,
without reading the store, that nothing changed since. A token file inside the store's
folder says exactly that, by its presence:

- it is written (new random token, write-then-rename, fsync) only when no write is under
  way and none happened since the caller read the state it cached (`EmbeddedStore.issue_content_token`);
- every write removes it (and fsyncs the folder) *before* it touches the store, so a write
  killed half-way, or a journal replayed at the next open, leaves no token behind;
- it lives inside the RocksDB folder, which RocksDB ignores but never copies: a backup, a
  published snapshot or a restored store has no token, so nothing cached is trusted there.

A cache saved with token T is valid exactly when the store's token file still says T.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from .journal import fsync_path

FILE = "rightsgraph-content-token"


def read(folder: Path) -> str | None:
    try:
        token = (folder / FILE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return token or None


def write(folder: Path) -> str:
    token = uuid.uuid4().hex
    tmp = folder / (FILE + ".tmp")
    with open(tmp, "w", encoding="ascii") as f:
        f.write(token)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / FILE)
    fsync_path(folder)
    return token


def remove(folder: Path) -> None:
    """Remove the token, durably, before a write changes the store."""
    try:
        os.unlink(folder / FILE)
    except FileNotFoundError:
        return
    fsync_path(folder)
