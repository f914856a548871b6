"""Every snapshot of the embedded store, made, named and removed by one set of rules.

A snapshot is an Oxigraph backup (hard links: instant, no copy) in a folder of its own,
opened read-only or as a scratch store. Snapshots live in two places of the data directory:

- `published/`: the state after each commit, made by the process that writes (the writer
  of `serve --workers N`), named in `published/CURRENT` and read by every reader process
  and the public read tier. Shared, so kept by age: the newest KEEP besides CURRENT, and
  none younger than GRACE_SECONDS (a reader may still be opening it).
- `snapshots/<use>-<pid>/`: one process's own: the query workers' state of the last write
  (`query`), an update tried on a copy before it is committed (`update`), the public read
  tier's copies without confidential graphs (`public`). A process removes its folder when
  it stops; the folders of a process that no longer runs (killed with SIGKILL, say) are
  removed by the next process that opens a folder of its own there, or starts a server.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from pathlib import Path

PUBLISHED = "published"
PRIVATE = "snapshots"
CHANGES = ".changes.json"   # beside each published snapshot: the one before it and the graphs changed since
KEEP = 4            # published snapshots kept besides CURRENT, for readers still on an older one
GRACE_SECONDS = 30  # and never removed younger than this


def new_name() -> str:
    """A snapshot name that sorts by creation time."""
    return f"{time.time_ns()}-{uuid.uuid4().hex[:6]}"


# -- published snapshots ------------------------------------------------------------------

def published_dir(store_path: Path) -> Path:
    """The published snapshots of the store at `store_path` (`<data dir>/store`)."""
    return Path(store_path).parent / PUBLISHED


def current_published(root: Path) -> str | None:
    """The name of the newest published snapshot in `root` (None before the first)."""
    try:
        return (root / "CURRENT").read_text().strip() or None
    except OSError:
        return None


def publish(store, graphs=None) -> Path:
    """Write a snapshot of the embedded `store` and make it CURRENT; prune old ones.
    `graphs`: the named graphs changed since the previous snapshot (None: not known),
    written beside the snapshot so that readers moving to it can tell their caches what
    changed."""
    root = published_dir(store.path)
    root.mkdir(parents=True, exist_ok=True)
    target = root / new_name()
    mark = store.write_mark()
    store.backup(target)
    # the snapshot holds the content this token names if no write came between (store/content_stamp.py):
    # readers then share the compiled policies saved for it (policy/index_cache.py)
    token = store.issue_content_token(mark)
    changes = {"after": current_published(root), "graphs": None if graphs is None else sorted(graphs),
               "content_token": token}
    (root / f"{target.name}{CHANGES}").write_text(json.dumps(changes))
    tmp = root / f"CURRENT.{os.getpid()}.tmp"
    tmp.write_text(target.name)
    tmp.replace(root / "CURRENT")
    snaps = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name)
    now = time.time()
    for old in snaps[:-KEEP - 1]:
        if now - old.stat().st_mtime > GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
            (root / f"{old.name}{CHANGES}").unlink(missing_ok=True)
    return target


def publisher(store):
    """A write listener (write_generation.on_change) publishing a snapshot after each write,
    with the graphs the writes since the previous one changed."""
    from .. import write_generation
    state = {"gen": write_generation.generation()}

    def on_write() -> None:
        graphs = write_generation.graphs_since(state["gen"])
        state["gen"] = write_generation.generation()
        publish(store, graphs)
    return on_write


def content_token_of(root: Path, name: str | None) -> str | None:
    """The store's content token when snapshot `name` was published, if it had one."""
    if name is None:
        return None
    try:
        return json.loads((root / f"{name}{CHANGES}").read_text()).get("content_token")
    except (OSError, ValueError):
        return None


def changed_between(root: Path, old: str | None, new: str) -> frozenset | None:
    """The graphs changed from published snapshot `old` to `new` (following each snapshot's
    record back to `old`), or None when a step is not known."""
    out: set = set()
    name = new
    for _ in range(10_000):
        if name == old:
            return frozenset(out)
        try:
            changes = json.loads((root / f"{name}{CHANGES}").read_text())
        except (OSError, ValueError):
            return None
        if changes.get("graphs") is None or old is None:
            return None
        out.update(changes["graphs"])
        name = changes.get("after")
        if name is None:
            return None
    return None


# -- a process's own snapshots -------------------------------------------------------------

def process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed process not yet reaped (its parent died too, and the init of a container may
    reap late) still answers kill(pid, 0), but runs nothing any more."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False    # no /proc (not Linux): trust kill()
    return stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X")


def remove_orphans(data_dir: str | os.PathLike) -> int:
    """Remove the private snapshot folders in `data_dir` whose process no longer runs; how many."""
    removed = 0
    for folder in (Path(data_dir) / PRIVATE).glob("*-*"):
        pid = folder.name.rsplit("-", 1)[1]
        if pid.isdigit() and not process_running(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


class PrivateSnapshots:
    """This process's snapshots for one use, in `<data dir>/snapshots/<use>-<pid>` (a second
    folder for the same use in one process: `<use>.2-<pid>`, and so on). Made by the process
    that will read them; removed by `close()` (also at exit), or after this process is
    killed by the next `remove_orphans` of the data directory."""

    def __init__(self, data_dir: str | os.PathLike, use: str):
        remove_orphans(data_dir)
        root, pid = Path(data_dir) / PRIVATE, os.getpid()
        root.mkdir(parents=True, exist_ok=True)
        for n in range(1, 10_000):
            self.folder = root / (f"{use}-{pid}" if n == 1 else f"{use}.{n}-{pid}")
            try:
                self.folder.mkdir()
                break
            except FileExistsError:
                continue
        self._owner = os.getpid()   # a forked child inherits the object and the atexit hook
        self._closed = False
        atexit.register(self.close)

    def new_path(self, label: str = "") -> Path:
        """A path for a new snapshot (not made yet: for a backup that makes the folder)."""
        return self.folder / (f"{label}-{new_name()}" if label else new_name())

    def take(self, store, label: str = "") -> Path:
        """A snapshot of the embedded `store`, as it is now."""
        path = self.new_path(label)
        store.backup(path)
        return path

    def keep_only(self, in_use) -> None:
        """Remove every snapshot here but those named in `in_use` (paths as str or Path)."""
        keep = {str(p) for p in in_use if p is not None}
        for p in self.folder.iterdir():
            if str(p) not in keep:
                shutil.rmtree(p, ignore_errors=True)

    @contextlib.contextmanager
    def scratch(self):
        """A path for a snapshot used for the length of the block, then removed."""
        path = self.new_path("scratch")
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        if self._closed or os.getpid() != self._owner:
            return      # only the process that made the folder removes it
        self._closed = True
        shutil.rmtree(self.folder, ignore_errors=True)


_shared: dict[tuple[str, str, int], PrivateSnapshots] = {}
_shared_lock = threading.Lock()


def shared_snapshots(data_dir: str | os.PathLike, use: str) -> PrivateSnapshots:
    """One folder for `use` in `data_dir` shared by this process's callers (for scratch
    snapshots), made on first use and removed at exit."""
    key = (str(Path(data_dir).resolve()), use, os.getpid())
    with _shared_lock:
        if key not in _shared:
            _shared[key] = PrivateSnapshots(data_dir, use)
        return _shared[key]
