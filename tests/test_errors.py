"""Broken sites: each case in fixtures/broken/ must fail with exactly its expected lines, exit 1,
no traceback, and leave the previous build untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, run_cli, run_subprocess, tree_digest

CASES = sorted(p.name for p in (FIXTURES / "broken").iterdir() if p.is_dir())


def broken_project(case: str, dest: Path) -> Path:
    """Return the minimal project with a broken case's files laid over it."""
    project = copy_project(FIXTURES / "minimal", dest)
    shutil.copytree(FIXTURES / "broken" / case, project, dirs_exist_ok=True)
    (project / "expected.txt").unlink()
    return project


@pytest.mark.parametrize("case", CASES)
def test_broken_site_reports_located_errors_and_keeps_old_site(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = copy_project(FIXTURES / "minimal", tmp_path / "good")
    assert run_cli(["build", "--output", str(tmp_path / "site")], good, capsys).status == 0
    before = tree_digest(tmp_path / "site")

    project = broken_project(case, tmp_path / "proj")
    run = run_cli(["build", "--output", str(tmp_path / "site")], project, capsys)

    expected = (
        (FIXTURES / "broken" / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    )
    assert run.status == 1
    assert run.error_lines == expected
    assert "Traceback" not in run.err
    assert tree_digest(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".roundtable-cache",
        "good",
        "proj",
        "site",
    ]


def test_errors_print_without_traceback_in_a_real_process(tmp_path: Path) -> None:
    project = broken_project("many-errors", tmp_path / "proj")
    run = run_subprocess([], project)
    assert run.status == 1
    assert run.err.splitlines()[-2:] == ["2 errors.", "Build failed (site/ is unchanged)."]
    assert "Traceback" not in run.err and run.out == ""


def test_error_paths_use_the_content_folder_as_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = broken_project("unknown-key", tmp_path / "proj")
    run = run_cli(["build", "--content", "./content/"], project, capsys)
    assert run.error_lines[0].startswith("content/essays/first.md:4: ")
    run = run_cli(["build", "--content", str(project / "content")], tmp_path, capsys)
    assert run.error_lines[0].startswith(f"{project}/content/essays/first.md:4: ")
