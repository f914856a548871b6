"""The shell examples in docs/ run as written (each page in order, on a fresh store)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

PAGES = ["loading.md", "querying.md", "decisions.md", "exchange.md", "licences.md", "usage.md", "preservation.md"]
FENCE = re.compile(r"^```sh(?: \{exit=(\d+)\})?\n(.*?)^```", re.S | re.M)


def _blocks(page: Path):
    return [(int(m.group(1) or 0), m.group(2)) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("page", [p for p in PAGES if (REPO / "docs" / p).exists()])
def test_doc_examples_run(page, tmp_path):
    bin_dir = Path(sys.executable).parent
    env = dict(os.environ, RIGHTSGRAPH_DATA=str(tmp_path / "store"), RIGHTSGRAPH_LANG="en",
               PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    blocks = _blocks(REPO / "docs" / page)
    assert blocks, f"{page} has no runnable examples"
    for expected, script in blocks:
        out = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == expected, f"{page}: `{script.strip()}` exited {out.returncode}\n{out.stderr}"
