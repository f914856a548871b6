"""A missing program skips its tests with what to install, and fails them under CI=true
(tests/prerequisites.py). Each case runs a real pytest session in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import REPO

# A test file that needs a program declared in place: present or absent as the case requires.
NEEDS = '''
from tests.prerequisites import PREREQUISITES, Prerequisite, need

PREREQUISITES["frobnicator"] = Prerequisite(
    "frobnicator", "the package frobnicator-tools", "this test", lambda: {found!r})


def test_uses_the_frobnicator():
    assert need("frobnicator", why="it frobnicates") == {found!r}
'''


def _pytest(tmp_path, source: str, ci: str | None, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")      # not the repository's configuration
    (tmp_path / "test_needs.py").write_text(source)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.prerequisites",
                           "-rs", *args,
                           str(tmp_path / "test_needs.py")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", [None, "", "false", "0"])
def test_outside_ci_a_missing_program_skips_and_says_what_to_install(tmp_path, ci):
    out = _pytest(tmp_path, NEEDS.format(found=None), ci)
    assert out.returncode == 0, out.stdout
    assert "1 skipped" in out.stdout
    assert ("SKIPPED [1] test_needs.py: frobnicator not found, needed because it frobnicates; "
            "install the package frobnicator-tools") in out.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_under_ci_a_missing_program_fails_the_run_with_the_reason(tmp_path, ci):
    out = _pytest(tmp_path, NEEDS.format(found=None), ci)
    assert out.returncode == 1, out.stdout
    assert "1 failed" in out.stdout and "skipped" not in out.stdout
    assert "frobnicator not found, needed because it frobnicates; install the package frobnicator-tools " \
           "(CI=true: a missing prerequisite fails the run)" in out.stdout
    assert "Traceback" not in out.stdout


def test_a_present_program_is_returned(tmp_path):
    out = _pytest(tmp_path, NEEDS.format(found="/opt/frob/bin/frobnicator"), "true")
    assert out.returncode == 0 and "1 passed" in out.stdout, out.stdout


def test_the_public_tier_tests_are_collected_whether_or_not_nginx_is_installed():
    """They used to be skipped at module level, so without nginx nobody saw how many they were."""
    out = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                          "tests/integration/test_public_tier.py"], cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert " tests collected" in out.stdout
    collected = int(out.stdout.rsplit(" tests collected", 1)[0].split()[-1])
    assert collected >= 34 + 1        # at least the W3C protocol suite through the tier, and its own tests


def test_prerequisites_report_lists_each_missing_program_with_its_remedy():
    out = subprocess.run([sys.executable, "-m", "tests.prerequisites"], cwd=REPO, capture_output=True,
                         text=True, timeout=60, env={k: v for k, v in os.environ.items() if k != "CI"})
    assert out.returncode == 0
    from .prerequisites import missing
    absent = missing()
    for p in absent:
        assert f"missing {p.name}: {p.used_by} will be skipped; install {p.install}" in out.stderr
    if not absent:
        assert "all found" in out.stderr
