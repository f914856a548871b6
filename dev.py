#!/usr/bin/env python3
"""Set up and run rightsgraph from a checkout with nothing but Python (>= 3.11) and pip.

    python3 dev.py demo    # set up, load the demo world, serve it at http://127.0.0.1:8000/
    python3 dev.py test    # set up and run the whole test suite
    python3 dev.py catalogues   # the web pages' gettext catalogues: extract, update, compile

`make demo` and `make test` call this script. It keeps a virtual environment in .venv/,
reinstalls when pyproject.toml changes, and installs Comunica (a Node.js SPARQL client
the tests use) into var/node/ when npm is available. Before the tests it lists the programs
they need that are missing (tests/prerequisites.py: nginx, Comunica ...): the tests that need
them are skipped, or fail when CI=true. The conformance suites ship in tests/conformance/suites/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
COMUNICA = ROOT / "var" / "node" / "node_modules" / ".bin" / "comunica-sparql"


def run(*cmd, cwd: Path = ROOT) -> None:
    subprocess.run([str(c) for c in cmd], check=True, cwd=cwd)


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"rightsgraph needs Python >= 3.11 (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    pyproject = ROOT / "pyproject.toml"
    if not STAMP.exists() or STAMP.stat().st_mtime < pyproject.stat().st_mtime:
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
        STAMP.touch()


def setup_comunica() -> None:
    if COMUNICA.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        return      # reported with the other missing prerequisites
    node_dir = COMUNICA.parents[2]
    node_dir.mkdir(parents=True, exist_ok=True)
    run(npm, "install", "--no-audit", "--no-fund", "--silent", "@comunica/query-sparql@4", cwd=node_dir)


def report_prerequisites() -> None:
    """Print the programs the tests need that are missing (the venv's Python sees the venv's tools)."""
    subprocess.run([str(BIN / "python"), "-m", "tests.prerequisites"], cwd=ROOT)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "demo":
        setup()
        data = os.environ.get("DATA", "var/demo-store")
        os.execv(str(BIN / "rightsgraph"), [str(BIN / "rightsgraph"), "--data-dir", data, "demo",
                                             "--host", "127.0.0.1", "--port", "8000"])
    if command == "test":
        setup()
        setup_comunica()
        report_prerequisites()
        return subprocess.run([str(BIN / "python"), "-m", "pytest", "-q", *argv[1:]], cwd=ROOT).returncode
    if command == "setup":
        setup()
        return 0
    if command == "catalogues":     # the web pages' gettext catalogues: extract, update, compile
        setup()
        return subprocess.run([str(BIN / "python"), "-m", "rightsgraph.web.catalogues"], cwd=ROOT).returncode
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
