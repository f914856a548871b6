"""Where the files the product ships (ontology, shapes, demo data) live on disk.

In a source checkout or editable install they are at the repository root; a wheel
install puts them under `<prefix>/share/rightsgraph` (see pyproject's data-files).
`RIGHTSGRAPH_HOME` overrides both.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def home() -> Path:
    env = os.environ.get("RIGHTSGRAPH_HOME")
    candidates = [Path(env)] if env else []
    candidates += [Path(__file__).resolve().parents[2], Path(sys.prefix) / "share" / "rightsgraph"]
    for candidate in candidates:
        if (candidate / "ontology").is_dir() and (candidate / "shapes").is_dir():
            return candidate
    raise FileNotFoundError(
        "cannot find the rightsgraph ontology/ and shapes/ folders; set RIGHTSGRAPH_HOME "
        f"to the folder that holds them (looked in: {', '.join(map(str, candidates))})")


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
