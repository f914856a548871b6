"""What a path to register holds: one file, a folder, a BagIt bag or an OCFL object.

Bags are validated with the Library of Congress `bagit` library and OCFL objects with
`ocfl-py`, before anything is registered; their manifests' digests (SHA-512, MD5 ...)
are kept beside the SHA-256 that rightsgraph computes itself.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("file", "folder", "bag", "ocfl", "store-backup", "document")
SINGLE_FILE_KINDS = ("file", "document")
OCFL_DECLARATION = "0=ocfl_object_"


class PackageError(ValueError):
    """The path cannot be registered (unreadable, not what it claims to be, invalid)."""


@dataclass
class Package:
    root: Path                       # the folder (or the single file) registered
    kind: str
    files: list[str]                 # paths relative to root ('/' separators), sorted
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)   # path -> {alg: hex}
    validation: str | None = None    # what validated it ("bagit 1.9.0: valid")

    @property
    def is_single_file(self) -> bool:
        return self.root.is_file()


def detect_kind(path: Path) -> str:
    if path.is_file():
        return "file"
    if (path / "bagit.txt").is_file():
        return "bag"
    if any(p.name.startswith(OCFL_DECLARATION) for p in path.iterdir()):
        return "ocfl"
    return "folder"


def read_package(path: str | os.PathLike, kind: str | None = None, *, validate_workers: int = 1) -> Package:
    """Read (and for bags and OCFL objects, validate) what `path` holds. Raises PackageError."""
    p = Path(path)
    if not p.exists():
        raise PackageError(f"{p}: no such file or folder")
    if not os.access(p, os.R_OK):
        raise PackageError(f"{p}: not readable")
    try:
        found = detect_kind(p)
    except OSError as exc:
        raise PackageError(f"{p}: cannot be read: {exc.strerror or exc}") from None
    kind = kind or found
    if kind not in KINDS:
        raise PackageError(f"{p}: unknown kind {kind!r} (one of {', '.join(KINDS)})")
    if kind in SINGLE_FILE_KINDS:
        if not p.is_file():
            raise PackageError(f"{p}: --kind {kind} given, but it is a folder")
        return Package(p, kind, [p.name])
    if not p.is_dir():
        raise PackageError(f"{p}: --kind {kind} needs a folder")
    if kind == "bag":
        return _bag(p, validate_workers)
    if kind == "ocfl":
        return _ocfl(p)
    return Package(p, kind, _walk(p))


def _walk(root: Path) -> list[str]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        for name in filenames:
            out.append(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return sorted(out)


def _raise(exc: OSError):
    raise PackageError(f"{exc.filename}: cannot be read: {exc.strerror or exc}")


def _bag(root: Path, workers: int) -> Package:
    import bagit
    try:
        bag = bagit.Bag(str(root))
        bag.validate(processes=max(1, workers))
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in (exc.details or [])[:10])
        raise PackageError(f"{root}: not a valid BagIt bag: {exc.message}{': ' + details if details else ''}") from None
    except (bagit.BagError, OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{root}: cannot read the BagIt bag: {exc}") from None
    manifest = {path.replace(os.sep, "/"): dict(digests) for path, digests in bag.entries.items()}
    files = _walk(root)
    return Package(root, "bag", files, manifest, f"bagit {bagit.VERSION}: valid BagIt {'.'.join(map(str, bag.version_info))} bag")


def _ocfl(root: Path) -> Package:
    try:
        import ocfl
        from ocfl.validator import Validator
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise PackageError(f"{root}: OCFL support needs ocfl-py ({exc})") from None
    logging.getLogger().setLevel(max(logging.getLogger().level, logging.WARNING))  # ocfl-py logs at INFO
    validator = Validator(log_warnings=False, log_errors=True, check_digests=True)
    try:
        ok = validator.validate_object(str(root))
    except Exception as exc:  # noqa: BLE001 - ocfl-py raises many kinds on a broken object
        raise PackageError(f"{root}: cannot read the OCFL object: {exc}") from None
    if not ok:
        errors = "; ".join(line.strip() for line in str(validator).splitlines() if line.strip())[:1000]
        raise PackageError(f"{root}: not a valid OCFL object: {errors}")
    try:
        inv = json.loads((root / "inventory.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"{root}: cannot read inventory.json: {exc}") from None
    alg = inv.get("digestAlgorithm", "sha512")
    manifest: dict[str, dict[str, str]] = {}
    for digest, paths in inv.get("manifest", {}).items():
        for path in paths:
            manifest[path] = {alg: digest.lower()}
    for fixity_alg, table in (inv.get("fixity") or {}).items():
        for digest, paths in table.items():
            for path in paths:
                manifest.setdefault(path, {})[fixity_alg.lower()] = digest.lower()
    version = getattr(ocfl, "__version__", None) or "ocfl-py"
    return Package(root, "ocfl", _walk(root), manifest,
                   f"ocfl-py {version}: valid OCFL object {inv.get('id', '')} ({inv.get('head', '')})")
