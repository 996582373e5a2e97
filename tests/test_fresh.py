"""The build without incremental/: `Fresh` makes everything, and makes what a build that
remembers makes, byte for byte. Deleting the package's folder leaves a working build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.site import FIXTURES, REPO, copy_project, run_cli, sample_project, tree_digest

MARKER = ".roundtable-build"


def without_marker(site: Path) -> dict[str, str]:
    """Return every output file's hash but the marker's (which names the build, not the site)."""
    return {path: digest for path, digest in tree_digest(site).items() if path != MARKER}


@pytest.mark.parametrize("fixture", ["minimal", "bilingual"])
def test_a_fresh_build_equals_a_remembering_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fixture: str
) -> None:
    remembering = copy_project(FIXTURES / fixture, tmp_path / "remembering")
    fresh = copy_project(FIXTURES / fixture, tmp_path / "fresh")
    assert run_cli(["build"], remembering, capsys).status == 0
    assert (remembering / ".roundtable-cache").is_dir()
    assert run_cli(["build", "--no-cache"], fresh, capsys).status == 0
    assert not (fresh / ".roundtable-cache").exists()
    assert without_marker(fresh / "site") == without_marker(remembering / "site")


def test_deleting_the_incremental_package_leaves_a_working_build(tmp_path: Path) -> None:
    """A copy of the generator without roundtable/incremental/ builds the sample site (with
    its search index) as the whole generator does, and checks it the same way."""
    code = tmp_path / "code"
    shutil.copytree(
        REPO / "roundtable",
        code / "roundtable",
        ignore=shutil.ignore_patterns("incremental", "__pycache__"),
    )
    for folder in ("templates", "assets"):
        shutil.copytree(REPO / folder, code / folder)
    shutil.copy(REPO / "build.py", code)
    assert not (code / "roundtable" / "incremental").exists()
    whole = sample_project(tmp_path / "whole")
    cut = sample_project(tmp_path / "cut")
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": "1700000000"}

    def build(project: Path, generator: Path, *args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(generator / "build.py"), *args]
        return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)

    where = "import roundtable, importlib.util as u; print(roundtable.__file__)\n"
    where += "print(u.find_spec('roundtable.incremental'))"
    found = subprocess.run(
        [sys.executable, "-c", where], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert found.stdout.split() == [str(code / "roundtable" / "__init__.py"), "None"]

    made = build(cut, code, "build", "--no-cache")
    assert made.returncode == 0, made.stderr
    assert "No module named" not in made.stderr
    assert build(whole, REPO, "build").returncode == 0
    assert without_marker(cut / "site") == without_marker(whole / "site")
    checked = build(cut, code, "check")
    assert checked.returncode == 0 and "no problems found" in checked.stdout, checked.stderr
