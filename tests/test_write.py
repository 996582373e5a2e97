"""Publishing: the output is replaced whole, and only where that is safe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, run_cli, tree_digest

from roundtable import write
from roundtable.write import Previous, UnsafeOutput, publish


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


@pytest.mark.parametrize("output", [".", "content", "content/site", "/", "templates-parent"])
def test_dangerous_outputs_are_refused(
    project: Path, output: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if output == "templates-parent":
        output = str(project.parent)
    run = run_cli(["build", "--output", output], project, capsys)
    assert run.status == 2 and run.err.startswith("error: ")


def test_a_folder_we_did_not_build_is_never_replaced(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "mine").mkdir()
    (project / "mine" / "thesis.docx").write_text("precious")
    run = run_cli(["build", "--output", "mine"], project, capsys)
    assert run.status == 2 and "not built by roundtable" in run.err
    assert (project / "mine" / "thesis.docx").read_text() == "precious"


def test_output_symlink_is_refused(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "elsewhere").mkdir()
    (project / "site").symlink_to(tmp_path / "elsewhere")
    assert run_cli(["build"], project, capsys).status == 2
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_paths_that_leave_the_output_are_refused(tmp_path: Path) -> None:
    for rel in ("../escape.html", "/abs.html", "a/../../b.html", "a\\b.html"):
        with pytest.raises(UnsafeOutput):
            publish(tmp_path / "site", {rel: b"x"}, {}, {rel: "f"}, Previous({}, "id"))
    assert not (tmp_path / "escape.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["whole", "incremental"])
def test_failure_mid_write_keeps_the_old_site(
    project: Path, how: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    for essay in (project / "content/essays").glob("*.md"):
        essay.write_text(essay.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    if how == "whole":
        shutil.rmtree(project / ".roundtable-cache")
    calls = {"n": 0}
    real = write.write_file

    def full_disk(path: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(28, "No space left on device", path)
        return real(path, data)

    monkeypatch.setattr(write, "write_file", full_disk)
    run = run_cli(["build"], project, capsys)
    monkeypatch.undo()
    assert run.status == 1 and "No space left on device" in run.err and "Traceback" not in run.err
    assert tree_digest(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == [".roundtable-cache", "content", "site"]
    assert run_cli(["build"], project, capsys).status == 0  # and the next build recovers
    assert "A new line." in (project / "site/essays/first/index.html").read_text(encoding="utf-8")
