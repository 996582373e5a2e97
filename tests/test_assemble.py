"""Assembling the site: slugs, order, cross-file checks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, page, run_cli


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


def write_essay(project: Path, name: str, front: str) -> None:
    """Add an essay file with the given front matter lines."""
    (project / "content" / "essays" / name).write_text(
        f"---\n{front}\n---\nBody.\n", encoding="utf-8"
    )


def test_slugs_are_transliterated_from_file_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_essay(project, "¿Nuevos lazos? México.md", "title: N\nauthor: A\nroundtable: alpha")
    assert run_cli(["build"], project, capsys).status == 0
    assert (project / "site/essays/nuevos-lazos-mexico/index.html").is_file()


def test_invalid_explicit_slug_suggests_one(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_essay(project, "x.md", "title: N\nauthor: A\nroundtable: alpha\nslug: ../../etc/Pwned")
    run = run_cli(["build"], project, capsys)
    assert run.error_lines == [
        "content/essays/x.md:5: slug: '../../etc/Pwned' is not a valid URL name (use lower-case "
        "letters, digits and hyphens, e.g. 'etc-pwned')"
    ]


def test_ties_fall_back_to_date_then_title(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for essay in ("first", "second", "third", "pictured", "zeta-draft"):
        (project / "content/essays" / f"{essay}.md").unlink()
    alpha = project / "content/roundtables/alpha.md"  # its link to second.md would fail the build
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("second.md", "b.md"))
    write_essay(
        project, "b.md", "title: Bravo\nauthor: A\nroundtable: alpha\norder: 2\ndate: 2024-01-01"
    )
    write_essay(
        project, "a.md", "title: Alpha\nauthor: A\nroundtable: alpha\norder: 2\ndate: 2024-01-01"
    )
    write_essay(
        project, "c.md", "title: Charlie\nauthor: A\nroundtable: alpha\norder: 2\ndate: 2023-01-01"
    )
    write_essay(project, "d.md", "title: Delta\nauthor: A\nroundtable: alpha\norder: 1")
    write_essay(project, "e.md", "title: Echo\nauthor: A\nroundtable: alpha")
    assert run_cli(["build"], project, capsys).status == 0
    titles = [a.get_text() for a in page(project / "site", "roundtables/alpha/").select("ol a")]
    assert titles == ["Delta", "Charlie", "Alpha", "Bravo", "Echo"]


def test_affiliation_with_several_authors_is_an_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_essay(project, "x.md", "title: N\nauthor: [A, B]\naffiliation: U\nroundtable: alpha")
    run = run_cli(["build"], project, capsys)
    assert run.error_lines[0].startswith(
        "content/essays/x.md:4: affiliation: applies to a single author"
    )


def test_image_outside_content_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_essay(
        project,
        "x.md",
        "title: N\nauthor: A\nroundtable: alpha\nimage:\n  src: ../../etc/passwd\n  alt: x",
    )
    run = run_cli(["build"], project, capsys)
    assert run.error_lines[0].startswith(
        "content/essays/x.md:6: image.src: '../../etc/passwd' is not a file"
    )


def test_file_that_is_not_an_image_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/images/fake.png").write_text("not a png")
    write_essay(
        project,
        "x.md",
        "title: N\nauthor: A\nroundtable: alpha\nimage:\n  src: images/fake.png\n  alt: x",
    )
    run = run_cli(["build"], project, capsys)
    assert "not a readable image" in run.error_lines[0]


def test_symlinks_in_content_are_refused(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.symlink("/etc/hostname", project / "content/essays/leak.md")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/leak.md: symbolic links are not allowed in the content folder "
        "(replace the link with the real file)"
    ]


def test_editor_litter_and_hidden_files_are_ignored(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (".first.md.swp", "first.md~", ".#first.md", "4913", ".DS_Store"):
        (project / "content/essays" / name).write_text("junk")
    assert run_cli(["build"], project, capsys).status == 0
    assert not any(p.name in ("4913", ".DS_Store") for p in (project / "site").rglob("*"))


def test_static_files_are_copied_to_the_same_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/files").mkdir()
    (project / "content/files/report.pdf").write_bytes(b"%PDF-1.4 fake")
    assert run_cli(["build"], project, capsys).status == 0
    assert (project / "site/files/report.pdf").read_bytes() == b"%PDF-1.4 fake"


def test_a_roundtable_that_cannot_be_read_is_the_only_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its essays say nothing (issue 20: each said 'unknown roundtable', did you mean another)."""
    (project / "content/roundtables/alpha.md").write_text(
        "---\ntitle: Alpha\ndate: 2024-05-01\n summary: The alpha summary.\n---\nIntro.\n",
        encoding="utf-8",
    )
    (project / "content/roundtables/alphas.md").write_text(
        "---\ntitle: Alphas\n---\nIntro.\n", encoding="utf-8"
    )
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/roundtables/alpha.md:4: invalid YAML: mapping values are not allowed in this "
        "context (this line is indented more than 'date:' on line 3; line it up with 'date:')"
    ]


def test_a_duplicate_slug_is_reported_at_its_slug_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_essay(project, "another.md", "title: N\nauthor: A\nroundtable: alpha\nslug: second")
    write_essay(project, "zz.md", "title: N\nauthor: A\nroundtable: alpha\nslug: second")
    run = run_cli(["build"], project, capsys)
    assert run.error_lines == [
        "content/essays/another.md:5: duplicate essay slug 'second': content/essays/second.md "
        "has it too (rename one file or give it a different 'slug:')",
        "content/essays/zz.md:5: duplicate essay slug 'second': content/essays/second.md has it "
        "too (rename one file or give it a different 'slug:')",
    ]


def test_two_roundtables_with_one_short_title_are_an_error_naming_both(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both would say "Return to Alpha", and the search filter would merge them (issue 20)."""
    (project / "content/roundtables/gamma.md").write_text(
        "---\ntitle: Gamma Roundtable\nshort_title: alpha \n---\nIntro.\n", encoding="utf-8"
    )
    (project / "content/roundtables/delta.md").write_text(
        "---\ntitle: Alpha\n---\nIntro.\n", encoding="utf-8"
    )
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/roundtables/delta.md:2: title: 'Alpha' is also the short title of "
        "content/roundtables/alpha.md (readers tell roundtables apart by it: give each its own "
        "short_title)",
        "content/roundtables/gamma.md:3: short_title: 'alpha' is also the short title of "
        "content/roundtables/alpha.md (readers tell roundtables apart by it: give each its own "
        "short_title)",
    ]
