"""The conformance material ships in the repository (tests/conformance/suites/), so a fresh
clone runs every suite; RIGHTSGRAPH_CONFORMANCE points elsewhere, and a copy that lacks
something stops the run with one message instead of skipping."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from ..conftest import CONFORMANCE_MATERIAL, REPO

SUITES = REPO / "tests" / "conformance" / "suites"


def test_the_material_the_tests_read_is_committed():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout: what is committed cannot be checked")
    for rel in CONFORMANCE_MATERIAL:
        assert (SUITES / rel).exists(), rel
        tracked = subprocess.run(["git", "ls-files", "--", f"tests/conformance/suites/{rel}"], cwd=REPO,
                                 capture_output=True, text=True, check=True).stdout
        assert tracked.strip(), f"tests/conformance/suites/{rel} is not committed"


def test_every_licence_the_readme_names_is_there():
    readme = (SUITES / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(licenses/[^`]+)`", readme))
    assert named, "the README names no licence file"
    for rel in sorted(named):
        assert (SUITES / rel).is_file(), rel


def _collect(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q", *args],
                          cwd=REPO, env=dict(os.environ, **env), capture_output=True, text=True, timeout=300)


def test_an_override_missing_material_stops_the_run_naming_what_is_missing(tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(SUITES, copy)
    (copy / "vocab" / "premis3.owl").unlink()
    out = _collect("tests/test_kbart.py", env={"RIGHTSGRAPH_CONFORMANCE": str(copy)})
    assert out.returncode == pytest.ExitCode.USAGE_ERROR, out.stdout + out.stderr
    assert (f"conformance material missing in {copy} (from RIGHTSGRAPH_CONFORMANCE): vocab/premis3.owl"
            in out.stderr), out.stderr
    assert "Traceback" not in out.stderr


def test_an_override_with_the_same_layout_is_read(tmp_path):
    """A copy whose FORCE index lacks one case collects one case fewer: the override is what is read."""
    copy = tmp_path / "copy"
    shutil.copytree(SUITES, copy)
    index = copy / "odrl" / "solidlab-test-suite" / "index.ttl"
    lines = index.read_text(encoding="utf-8").splitlines(keepends=True)
    (case,) = {line.split()[0] for line in lines if "testcase-001-alice.ttl" in line}
    index.write_text("".join(line for line in lines if not line.startswith(case + " ")), encoding="utf-8")
    out = _collect("tests/conformance/test_force_suite.py", "-k", "test_force_case",
                   env={"RIGHTSGRAPH_CONFORMANCE": str(copy)})
    default = _collect("tests/conformance/test_force_suite.py", "-k", "test_force_case",
                       env={"RIGHTSGRAPH_CONFORMANCE": ""})
    assert out.returncode == 0 and default.returncode == 0, out.stdout + out.stderr
    assert "68/" in default.stdout and "67/" in out.stdout, (default.stdout[-300:], out.stdout[-300:])
