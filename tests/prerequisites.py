"""The programs outside Python that some tests need, and one rule for when one is missing.

A test asks `need("nginx", why="...")`. Outside CI a missing program skips the test, and
pytest's summary (`-ra`) gives the reason and what to install. Under CI (`CI=true`) it fails
the test instead: a CI machine that lost nginx or npm must not pass by skipping.

`python -m tests.prerequisites` (which `dev.py test` runs) lists what is missing.
Everything else the tests read (the conformance suites) ships in the repository.
The module is also a pytest plugin (tests/conftest.py registers it): see pytest_runtest_makereport.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
COMUNICA = REPO / "var" / "node" / "node_modules" / ".bin" / "comunica-sparql"


def in_ci() -> bool:
    """CI services set CI=true; an empty value, 0, false or no means a developer's machine."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _nginx() -> str | None:
    # The same lookup `serve --public-sparql oxigraph` uses, so the tests find what the product finds.
    from rightsgraph.serving.public_tier import PublicTierError, find_nginx
    try:
        return find_nginx()
    except PublicTierError:
        return None


def _oxigraph() -> str | None:
    from rightsgraph.serving.public_tier import PublicTierError, find_oxigraph
    try:
        return find_oxigraph()
    except PublicTierError:
        return None


def _comunica() -> str | None:
    return str(COMUNICA) if COMUNICA.exists() else shutil.which("comunica-sparql")


@dataclass(frozen=True)
class Prerequisite:
    name: str
    install: str            # what to install, in words a newcomer can act on
    used_by: str            # which tests go without it
    locate: Callable[[], str | None]


PREREQUISITES = {p.name: p for p in (
    Prerequisite("nginx", "the Debian package nginx-light (apt-get install nginx-light; .ci/run installs it)",
                 "the public read tier tests (tests/integration/test_public_tier.py)", _nginx),
    Prerequisite("comunica-sparql",
                 "@comunica/query-sparql into var/node/: `make test` does it with npm" if shutil.which("npm") else
                 "Node.js with npm (apt-get install nodejs npm); `make test` then installs @comunica/query-sparql "
                 "into var/node/", "the Comunica client test (tests/integration/test_clients.py)", _comunica),
    Prerequisite("pgrep", "the Debian package procps (apt-get install procps)",
                 "the public read tier test that counts Oxigraph processes", lambda: shutil.which("pgrep")),
    Prerequisite("oxigraph", "the oxigraph server, a rightsgraph dependency (`make setup`, or pip install oxigraph)",
                 "every test run against a remote store (`oxigraph serve`)", _oxigraph),
    Prerequisite("chromium", "the Debian package chromium (apt-get install chromium fonts-noto-cjk; .ci/run installs it)",
                 "the browser tests (tests/browser/)", lambda: shutil.which("chromium")),
    Prerequisite("chromedriver", "the Debian package chromium-driver (apt-get install chromium-driver)",
                 "the browser tests (tests/browser/)", lambda: shutil.which("chromedriver")),
    Prerequisite("virtuoso-t", "the Debian package virtuoso-opensource-7-bin (apt-get install "
                 "virtuoso-opensource-7-bin; .ci/run installs it)",
                 "the remote-store tests on a second engine, Virtuoso 7", lambda: shutil.which("virtuoso-t")),
)}


def locate(name: str) -> str | None:
    """The path of the program `name`, or None."""
    return PREREQUISITES[name].locate()


class MissingPrerequisite(pytest.skip.Exception):
    """The skip `need` raises, so the summary can group it by test file (below)."""


def need(name: str, why: str) -> str:
    """The path of the program `name`; without it, skip the calling test (fail it under CI)."""
    found = locate(name)
    if found:
        return found
    reason = f"{name} not found, needed because {why}; install {PREREQUISITES[name].install}"
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing prerequisite fails the run)", pytrace=False)
    raise MissingPrerequisite(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Report a missing prerequisite at the test's file, without a line: the summary then says
    `SKIPPED [48] tests/integration/test_public_tier.py: nginx not found ...` once, rather
    than naming this helper's line, or one line per test when a fixture needed the program."""
    report = yield
    if report.skipped and call.excinfo is not None and call.excinfo.errisinstance(MissingPrerequisite):
        report.longrepr = (os.fspath(item.path), None, str(call.excinfo.value.msg))
    return report


def missing() -> list[Prerequisite]:
    return [p for p in PREREQUISITES.values() if not p.locate()]


def main() -> int:
    """Print what is missing; exit 1 under CI if anything is, since those tests will fail."""
    absent = missing()
    if not absent:
        print("test prerequisites: all found (" + ", ".join(PREREQUISITES) + ")", file=sys.stderr)
        return 0
    outcome = "FAIL (CI=true)" if in_ci() else "be skipped"
    for p in absent:
        print(f"missing {p.name}: {p.used_by} will {outcome}; install {p.install}", file=sys.stderr)
    return 1 if in_ci() else 0


if __name__ == "__main__":
    sys.exit(main())
