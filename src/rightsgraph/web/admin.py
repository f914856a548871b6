"""Administration over HTTP (admin role): `POST /admin/backup` streams a backup of the
running service as a tar of the backup folder (docs/backup.md). `rightsgraph backup DIR
--server URL --token T` unpacks it and verifies every checksum.

Where the backup comes from:
- one process (`serve`): the store itself, checkpointed under the write lock;
- `serve --workers N`: the reader answering the request takes the newest published
  snapshot. The writer publishes one under its write lock after every commit, before it
  acknowledges the write (store/snapshots.py), so the snapshot holds every acknowledged
  write and no half-done one. Readers stream it themselves: the backup does not pass
  through the writer, whose forwarding would hold it in memory, and writes go on.
- a remote store (`serve --store URL`): an N-Quads dump of every graph (backup.py).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from ..backup import BackupError, StoreChanged, create_backup, data_dir_of, tar_stream
from ..store.base import StoreError
from ..translation import both
from .auth import require
from .errors import error_lang

bp = Blueprint("admin", __name__, url_prefix="/admin")
SCRATCH_PREFIX = ".backup-"
STALE_SECONDS = 24 * 3600   # scratch folders of a server that died mid-transfer


def _text(status: int, messages: dict[str, str]) -> Response:
    lang = error_lang()
    return Response(messages[lang] + "\n", status=status, content_type="text/plain; charset=utf-8",
                    headers={"Content-Language": lang})


@bp.route("/backup", methods=["POST"])
def backup():
    denied = require("admin")
    if denied is not None:
        return denied
    store = current_app.extensions["rightsgraph.store"]
    data_dir = data_dir_of(store, current_app.config.get("RG_ACCOUNTS_FILE"))
    # Beside the store, so that Oxigraph's checkpoint hard-links instead of copying.
    scratch_root = data_dir if data_dir is not None and data_dir.is_dir() else None
    _remove_stale_scratch(scratch_root)
    scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=scratch_root))
    folder = scratch / "backup"
    try:
        manifest = create_backup(store, folder, data_dir=data_dir, source=request.url_root)
    except BackupError as exc:  # a remote store written during its dump: 409, try again
        shutil.rmtree(scratch, ignore_errors=True)
        return _text(409 if isinstance(exc, StoreChanged) else 500, exc.messages)
    except (StoreError, OSError) as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        return _text(502 if isinstance(exc, StoreError) else 500,
                     both("the backup failed: %(reason)s", reason=exc))
    name = f"rightsgraph-backup-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.tar"
    return Response(_Streamed(tar_stream(folder), scratch), content_type="application/x-tar",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "X-Backup-Quads": str(manifest.quads)})


class _Streamed:
    """The tar stream; the scratch folder goes when the server closes the response, even
    if the client left before the first byte (a generator's own `finally` would not run)."""

    def __init__(self, chunks, scratch: Path):
        self._chunks, self._scratch = chunks, scratch

    def __iter__(self):
        return iter(self._chunks)

    def close(self) -> None:
        self._chunks.close()
        shutil.rmtree(self._scratch, ignore_errors=True)


def _remove_stale_scratch(root: Path | None) -> None:
    if root is None:
        return
    now = time.time()
    for old in root.glob(SCRATCH_PREFIX + "*"):
        try:
            if old.is_dir() and now - old.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
