"""Where the files the product ships (ontology, shapes, demo data, templates) live on disk.

In a source checkout or editable install they are at the repository root; a wheel
install puts them under `<prefix>/share/rightsgraph` (pyproject's data-files: the
environment's prefix, or the user base for `pip install --user`). `RIGHTSGRAPH_HOME`
overrides both.
"""

from __future__ import annotations

import os
import site
import sys
from functools import lru_cache
from pathlib import Path


class ResourcesNotFound(FileNotFoundError):
    """The ontology/ and shapes/ folders are nowhere to be found (a broken install)."""

    def __init__(self, looked_in: list[Path]):
        self.looked_in = looked_in
        super().__init__(
            "cannot find the rightsgraph ontology/ and shapes/ folders; set RIGHTSGRAPH_HOME "
            f"to the folder that holds them (looked in: {', '.join(map(str, looked_in))})")


def _candidates() -> list[Path]:
    env = os.environ.get("RIGHTSGRAPH_HOME")
    if env:  # an explicit choice is the only place looked at: no silent fallback
        return [Path(env)]
    return [Path(__file__).resolve().parents[2],
            Path(sys.prefix) / "share" / "rightsgraph",
            Path(site.USER_BASE or "~/.local").expanduser() / "share" / "rightsgraph"]


@lru_cache(maxsize=None)
def home() -> Path:
    candidates = _candidates()
    for candidate in candidates:
        if (candidate / "ontology").is_dir() and (candidate / "shapes").is_dir():
            return candidate
    raise ResourcesNotFound(candidates)


def ontology_files() -> list[Path]:
    return sorted((home() / "ontology").glob("*.ttl"))


def shapes_files() -> list[Path]:
    return sorted((home() / "shapes").glob("*.ttl"))


def demo_dir() -> Path:
    return home() / "data" / "demo"


def conformance_dir() -> Path:
    """The public test material (W3C/ODRL suites and vocabularies) a source checkout ships in
    tests/conformance/suites/; `RIGHTSGRAPH_CONFORMANCE` points to another copy."""
    env = os.environ.get("RIGHTSGRAPH_CONFORMANCE")
    return Path(env) if env else home() / "tests" / "conformance" / "suites"
