"""Streaming digests of files, several algorithms in one read, on several threads.

hashlib releases the GIL while it hashes a chunk (and the OS while it reads), so threads
use every core for files of any real size; one reusable buffer per call keeps memory flat
whatever the file size.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

CHUNK = 1024 * 1024


@dataclass
class Digest:
    path: Path
    size: int | None = None
    digests: dict[str, str] | None = None       # algorithm -> hex
    error: str | None = None                    # "missing", or why the file could not be read


def digest_file(path: str | os.PathLike, algorithms: Iterable[str] = ("sha256",),
                on_bytes: Callable[[int], None] | None = None) -> Digest:
    """Read `path` once, feeding every algorithm; never raises for an unreadable file."""
    p = Path(path)
    hashes = {a: hashlib.new(a) for a in algorithms}
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    size = 0
    try:
        with open(p, "rb", buffering=0) as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    break
                chunk = view[:n]
                for h in hashes.values():
                    h.update(chunk)
                size += n
                if on_bytes is not None:
                    on_bytes(n)
    except FileNotFoundError:
        return Digest(p, error="missing")
    except IsADirectoryError:
        return Digest(p, error="is a directory")
    except OSError as exc:
        return Digest(p, error=exc.strerror or str(exc))
    return Digest(p, size, {a: h.hexdigest() for a, h in hashes.items()})


def digest_many(paths: Iterable, algorithms: Iterable[str] = ("sha256",), *, workers: int | None = None,
                on_bytes: Callable[[int], None] | None = None) -> Iterator[Digest]:
    """Digests of `paths`, in order, computed on `workers` threads (default: the CPUs)."""
    algorithms = tuple(algorithms)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        for p in paths:
            yield digest_file(p, algorithms, on_bytes)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fixity") as pool:
        yield from pool.map(lambda p: digest_file(p, algorithms, on_bytes), paths)
