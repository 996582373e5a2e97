"""`new`: editors start from a filled-in file that builds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, run_cli

from roundtable.content.frontmatter import parse


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


def test_new_essay_is_filled_in_and_builds(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(
        ["new", "essay", "¿Nuevos lazos? México", "--roundtable", "alpha", "--author", "Zoë Q"],
        project,
        capsys,
    )
    assert run.status == 0
    made = "content/essays/nuevos-lazos-mexico.md"
    assert run.out.strip() == (
        f"Created {made} (replace its placeholders; check lists those left)."
    )
    doc = parse("x", (project / made).read_bytes())
    assert doc.fields == {
        "title": "¿Nuevos lazos? México",
        "author": "Zoë Q",
        "roundtable": "alpha",
        "date": dt.date.today(),
        "order": 4,  # after first (1), second (2), pictured (3)
    }
    text = (project / made).read_text(encoding="utf-8")
    for hint in (
        "# affiliation:",
        "# bio:",
        "# subtitle:",
        "# summary:",
        "# disclaimer:",
        "# image:",
        "#   alt:",
        "# tags:",
        "# slug:",
        "# draft:",
    ):
        assert hint in text
    built = run_cli(["build"], project, capsys)
    assert built.status == 0, built.err
    assert (project / "site/essays/nuevos-lazos-mexico/index.html").is_file()


def test_new_essay_refuses_to_overwrite(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["new", "essay", "First", "--roundtable", "alpha"], project, capsys)
    assert run.status == 2 and "already exists" in run.err
    assert "First Essay" in (project / "content/essays/first.md").read_text(encoding="utf-8")


def test_new_essay_suggests_a_roundtable(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["new", "essay", "X", "--roundtable", "alpah"], project, capsys)
    assert run.status == 2
    assert run.err.strip() == "error: unknown roundtable 'alpah' (did you mean 'alpha'?)"
    assert not (project / "content/essays/x.md").exists()


def test_new_roundtable_builds_with_an_empty_page(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(["new", "roundtable", "Trade and Water"], project, capsys)
    assert run.status == 0 and run.out.strip() == (
        "Created content/roundtables/trade-and-water.md (replace its placeholders; check lists "
        "those left)."
    )
    assert run_cli(["build"], project, capsys).status == 0
    assert (project / "site/roundtables/trade-and-water/index.html").is_file()


def test_check_warns_of_every_placeholder_new_writes_and_strict_refuses_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Left in, they were published: an author page for "Author Name" (issue 20)."""
    (project / "content/roundtables/beta.md").unlink()
    assert run_cli(["new", "essay", "Fresh", "--roundtable", "alpha"], project, capsys).status == 0
    assert run_cli(["new", "roundtable", "Trade"], project, capsys).status == 0
    run = run_cli(["check"], project, capsys)
    assert run.status == 0
    placeholders = [line for line in run.located_lines if "placeholder" in line]
    assert placeholders == [
        "content/essays/fresh.md:3: warning: author: 'Author Name' is the placeholder 'new' "
        "writes (write the author's name)",
        "content/essays/fresh.md:22: warning: 'Write the essay here: a blank line between "
        "paragraphs.' is placeholder text from 'new' (replace it with your own)",
        "content/essays/fresh.md:24: warning: '## A section heading' is placeholder text from "
        "'new' (replace it with your own)",
        "content/essays/fresh.md:26: warning: 'Use `##` for section headings, *italics* for "
        "emphasis, and [links](https://example.org).' is placeholder text from 'new' (replace it "
        "with your own)",
        "content/roundtables/trade.md:15: warning: 'Introduce the roundtable here: the question "
        "it asks and why it matters now.' is placeholder text from 'new' (replace it with your "
        "own)",
    ]
    assert run_cli(["check", "--strict"], project, capsys).status == 1
