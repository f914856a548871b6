"""Locate the shared conformance material (env RIGHTSGRAPH_CONFORMANCE, default ../shared/conformance)."""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CONFORMANCE = Path(os.environ.get("RIGHTSGRAPH_CONFORMANCE", REPO.parent / "shared" / "conformance"))
ODRL_DIR = CONFORMANCE / "odrl"


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"conformance material absent: {path} (set RIGHTSGRAPH_CONFORMANCE)")
    return path
