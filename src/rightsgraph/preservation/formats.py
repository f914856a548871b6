"""File format identification against PRONOM.

FIDO (opf-fido, the Open Preservation Foundation's identifier) matches PRONOM signatures,
and is what `identify` uses when it can be imported. Where it cannot, a short table of
magic numbers for the formats a library holds most is the documented fallback
(docs/preservation.md): it answers only when the bytes say so, never from the name alone.

FIDO costs about 0.7 s to start and tens of milliseconds per file, so one Identifier
is made per registration and reused, and registration can defer identification
(`preserve add --identify none`, then `preserve identify`).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    puid: str            # PRONOM unique identifier, e.g. fmt/18
    name: str
    basis: str           # "signature", "container", "extension" (FIDO) or "magic" (fallback)
    tool: str            # "fido 1.6.1" or "rightsgraph magic table"


# Fallback: leading bytes -> (PUID, name). Generic PUIDs where versions differ.
_MAGIC = [
    (b"%PDF-", "fmt/14", "Acrobat PDF (Portable Document Format)"),
    (b"\x89PNG\r\n\x1a\n", "fmt/11", "Portable Network Graphics"),
    (b"\xff\xd8\xff", "fmt/43", "JPEG File Interchange Format"),
    (b"GIF89a", "fmt/4", "Graphics Interchange Format 89a"),
    (b"II*\x00", "fmt/353", "Tagged Image File Format"),
    (b"MM\x00*", "fmt/353", "Tagged Image File Format"),
    (b"PK\x03\x04", "x-fmt/263", "ZIP Format"),
    (b"<?xml", "fmt/101", "Extensible Markup Language"),
    (b"\x1f\x8b", "x-fmt/266", "GZIP Format"),
]


class Identifier:
    """Identify files one at a time (thread-safe: FIDO keeps per-file state, so calls
    are serialised)."""

    def __init__(self, prefer_fido: bool = True):
        self._lock = threading.Lock()
        self._fido = _load_fido() if prefer_fido else None
        self.tool = self._fido[1] if self._fido else "rightsgraph magic table"

    def identify(self, path: str | os.PathLike) -> Format | None:
        if self._fido is None:
            return _by_magic(path, self.tool)
        fido, tool, found = self._fido
        with self._lock:
            found.clear()
            fido.identify_file(str(path))
            matches = list(found)
        if not matches:
            return None
        puid, name, basis = matches[0]
        return Format(puid, name, basis, tool)


def _load_fido():
    try:
        from fido import CONFIG_DIR, __version__
        from fido.fido import Fido
        from fido.versions import get_local_versions
    except Exception:  # noqa: BLE001 - any failure to import means: use the fallback
        return None
    versions = get_local_versions(CONFIG_DIR)
    found: list = []
    holder = {}

    def handle(_filename, matches, _seconds, matchtype):
        fido = holder["fido"]
        for fmt, _sig in matches:
            name = fmt.find("name")
            found.append((fido.get_puid(fmt), name.text if name is not None else "", matchtype))

    fido = Fido(quiet=True, handle_matches=handle, nocontainer=False,
                format_files=[versions.pronom_signature, versions.fido_extension_signature],
                containersignature_file=versions.pronom_container_signature)
    holder["fido"] = fido
    return fido, f"fido {__version__} ({versions.pronom_signature})", found


def _by_magic(path, tool: str) -> Format | None:
    try:
        with open(path, "rb") as f:
            head = f.read(16)
    except OSError:
        return None
    for magic, puid, name in _MAGIC:
        if head.startswith(magic):
            return Format(puid, name, "magic", tool)
    return None
