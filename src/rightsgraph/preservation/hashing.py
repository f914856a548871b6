"""Streaming digests of files, several algorithms in one read, on several threads.

hashlib releases the GIL while it hashes a chunk (and the OS while it reads), so threads
use every core for files of any real size; one reusable buffer per thread keeps memory
flat whatever the file size (and a small file costs no 1 MiB allocation). Many small
files are handed to the threads in runs, so the cost of a task is paid per run, not per
file.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

CHUNK = 1024 * 1024
MAX_RUN = 64              # files per task when there are many
_local = threading.local()


@dataclass
class Digest:
    path: Path | str
    size: int | None = None
    digests: dict[str, str] | None = None       # algorithm -> hex
    error: str | None = None                    # "missing", or why the file could not be read


def _buffer() -> tuple[bytearray, memoryview]:
    pair = getattr(_local, "pair", None)
    if pair is None:
        buf = bytearray(CHUNK)
        pair = _local.pair = (buf, memoryview(buf))
    return pair


def digest_file(path: str | os.PathLike, algorithms: Iterable[str] = ("sha256",),
                on_bytes: Callable[[int], None] | None = None) -> Digest:
    """Read `path` once, feeding every algorithm; never raises for an unreadable file."""
    hashes = [hashlib.new(a) for a in algorithms]
    buf, view = _buffer()
    size = 0
    try:
        with open(path, "rb", buffering=0) as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    break
                chunk = view[:n]
                for h in hashes:
                    h.update(chunk)
                size += n
                if on_bytes is not None:
                    on_bytes(n)
    except FileNotFoundError:
        return Digest(path, error="missing")
    except IsADirectoryError:
        return Digest(path, error="is a directory")
    except OSError as exc:
        return Digest(path, error=exc.strerror or str(exc))
    return Digest(path, size, {h.name: h.hexdigest() for h in hashes})


def digest_many(paths: Iterable, algorithms: Iterable[str] = ("sha256",), *, workers: int | None = None,
                on_bytes: Callable[[int], None] | None = None) -> Iterator[Digest]:
    """Digests of `paths`, in order, computed on `workers` threads (default: the CPUs)."""
    algorithms = tuple(algorithms)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        for p in paths:
            yield digest_file(p, algorithms, on_bytes)
        return
    paths = list(paths)
    # at least 16 runs per thread keeps the threads evenly busy when sizes vary
    run = max(1, min(MAX_RUN, len(paths) // (workers * 16)))
    runs = [paths[i:i + run] for i in range(0, len(paths), run)]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fixity") as pool:
        for done in pool.map(lambda ps: [digest_file(p, algorithms, on_bytes) for p in ps], runs):
            yield from done
