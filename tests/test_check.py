"""`check`: the build's validation plus links, anchors, alt text, empty bodies and warnings."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, run_cli, tree_digest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project (roundtable beta has no essays: one warning)."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


def add(project: Path, name: str, text: str) -> None:
    """Write a content file."""
    (project / "content" / name).write_text(text, encoding="utf-8")


CHECK_FAILED = "Check failed (fix these errors, then check again)."

ESSAY = "---\ntitle: Linked\nauthor: A\nroundtable: alpha\n---\n"


def test_clean_site_passes_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/roundtables/beta.md").unlink()
    before = tree_digest(project)
    run = run_cli(["check", "--strict"], project, capsys)
    assert run.status == 0, run.err
    assert run.out.strip() == "Checked 12 pages (1 roundtable, 4 essays): no problems found."
    assert tree_digest(project) == before


def test_broken_links_anchors_alt_and_empty_bodies(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add(
        project,
        "essays/linked.md",
        ESSAY + "Intro.\n\nSee [gone](missing.md) and\n[bad anchor](first.md#nope).\n\n"
        "![](../images/pic.png)\n\n[ok](first.md#a-heading) [here](#also-bad) [ext](https://example.org/x)\n",
    )
    add(project, "essays/empty.md", "---\ntitle: Empty\nauthor: A\nroundtable: alpha\n---\n\n")
    run = run_cli(["check"], project, capsys)
    assert run.status == 1
    assert run.located_lines == [
        "content/essays/empty.md:6: the essay has no text (write it below the closing '---')",
        "content/essays/linked.md:8: link 'missing.md' leads to no page or file of the site "
        "(link to the Markdown file, e.g. other-essay.md)",
        "content/essays/linked.md:9: link 'first.md#nope': no heading or anchor '#nope' on that page "
        "(check the heading's spelling)",
        "content/essays/linked.md:11: image '../images/pic.png' has no alt text "
        "(describe it: ![what it shows](../images/pic.png))",
        "content/essays/linked.md:13: link '#also-bad': no heading or anchor '#also-bad' on that page "
        "(check the heading's spelling)",
        "content/roundtables/beta.md: warning: the roundtable has no essays yet (its page will say so)",
    ]


def test_warnings_fail_only_under_strict(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add(
        project,
        "essays/later.md",
        ESSAY.replace("---\n", "---\ndate: 2999-01-01\n", 1)[:-4] + "---\nBody.\n",
    )
    run = run_cli(["check"], project, capsys)
    assert run.status == 0
    assert (
        "content/essays/later.md:2: warning: date 2999-01-01 is in the future (check the year)"
        in run.err
    )
    assert run.out.strip().endswith(": 0 errors, 2 warnings.")
    strict = run_cli(["check", "--strict"], project, capsys)
    assert strict.status == 1
    assert strict.err.splitlines()[-1] == (
        "Checked 15 pages (2 roundtables, 5 essays): 0 errors, 2 warnings; check failed, as "
        "--strict counts warnings as errors."
    )


def test_check_reports_build_errors_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add(
        project,
        "essays/typo.md",
        ESSAY.replace("author: A", "author: A\nafiliation: X") + "Body.\n",
    )
    run = run_cli(["check"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/typo.md:4: unknown field 'afiliation' (did you mean 'affiliation'?)"
    ]
    assert run.err.splitlines()[-1] == (CHECK_FAILED)
    assert not (project / "site").exists()


def test_build_refuses_what_check_refuses_leaving_the_site_as_it_was(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One path: a broken link, a bad anchor and a missing picture fail `build` (and an
    incremental build after a good one) with the lines `check` prints; the site is untouched."""
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    add(
        project,
        "essays/linked.md",
        ESSAY + "See [gone](missing.md), [bad](first.md#nope) and ![a map](../images/none.png).\n",
    )
    checked = run_cli(["check"], project, capsys)
    built = run_cli(["build"], project, capsys)
    assert checked.status == built.status == 1
    problems = [line for line in checked.error_lines if "linked.md" in line]
    assert len(problems) == 3, checked.err
    assert [line for line in built.error_lines if "linked.md" in line] == problems
    assert tree_digest(project / "site") == before
    assert run_cli(["build", "--no-cache"], project, capsys).status == 1


def test_build_prints_the_warnings_check_prints(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Warnings do not fail a build, but it says them, also when nothing changed."""
    warning = "content/roundtables/beta.md: warning: the roundtable has no essays yet"
    for _ in range(2):
        run = run_cli(["build"], project, capsys)
        assert run.status == 0 and run.out.startswith("Built ")
        assert [line for line in run.err.splitlines() if line.startswith(warning)], run.err


def test_broken_links_to_markdown_files_suggest_the_nearest(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/roundtables/beta.md").unlink()
    add(
        project,
        "essays/linked.md",
        ESSAY + "[a](secnd.md), [b](../roundtables/alfa.md#x), [c](nothing-near.md)\n",
    )
    run = run_cli(["check"], project, capsys)
    assert run.error_lines == [
        "content/essays/linked.md:6: link '../roundtables/alfa.md#x' leads to no page or file of "
        "the site (did you mean '../roundtables/alpha.md'?)",
        "content/essays/linked.md:6: link 'nothing-near.md' leads to no page or file of the site "
        "(link to the Markdown file, e.g. other-essay.md)",
        "content/essays/linked.md:6: link 'secnd.md' leads to no page or file of the site "
        "(did you mean 'second.md'?)",
    ]
    assert run.err.splitlines()[-2:] == ["3 errors.", CHECK_FAILED]


def test_raw_html_is_a_warning_at_its_line_saying_how_to_write_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shown as literal tags unless allow_html: check said nothing before (issue 20)."""
    (project / "content/roundtables/beta.md").unlink()
    add(
        project,
        "essays/pasted.md",
        ESSAY + "Some <b>bold</b> and <i>it</i>,\nthen a break<br>\n\n<div>\nblock\n</div>\n\n"
        "`<b>code</b>`, <https://example.org> and a < b.\n\n<!-- a note -->\n",
    )
    run = run_cli(["check"], project, capsys)
    assert run.status == 0
    assert run.located_lines == [
        "content/essays/pasted.md:6: warning: raw <b> is published as text, tags and all (write "
        "it in Markdown: **bold**; docs/editing.md shows how)",
        "content/essays/pasted.md:7: warning: raw <br> is published as text, tags and all (write "
        "it in Markdown: a backslash \\ at the end of the line; docs/editing.md shows how)",
        "content/essays/pasted.md:9: warning: raw <div> is published as text, tags and all (write "
        "it in Markdown: the text alone, without the tags; docs/editing.md shows how)",
        "content/essays/pasted.md:15: warning: an HTML comment is published as text (delete it: "
        "Markdown has no comments)",
    ]
    assert run_cli(["check", "--strict"], project, capsys).status == 1
    (project / "content/site.yml").write_text(
        (project / "content/site.yml").read_text(encoding="utf-8") + "allow_html: true\n",
        encoding="utf-8",
    )
    assert run_cli(["check", "--strict"], project, capsys).status == 0


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_front_matter_mistake_hides_no_other_mistake(
    project: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """One run reports the broken file and every other file's broken links and pictures; a
    link to the broken file is not reported (it is mended with that file); the site stays."""
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    add(
        project,
        "essays/broken.md",
        "---\ntitle: [unclosed\nauthor: A\nroundtable: alpha\n---\nX.\n",
    )
    add(project, "essays/linked.md", ESSAY + "To [broken](broken.md) and [gone](gone.md).\n")
    add(project, "essays/shown.md", ESSAY.replace("Linked", "Shown") + "![A](../images/no.png)\n")
    run = run_cli([command], project, capsys)
    assert run.status == 1 and "Traceback" not in run.err
    assert [line.split(" (")[0] for line in run.error_lines] == [
        "content/essays/broken.md:2: invalid YAML: did not find expected ',' or ']'",
        "content/essays/linked.md:6: link 'gone.md' leads to no page or file of the site",
        "content/essays/shown.md:6: image '../images/no.png' leads to no page or file of the site",
    ], run.err
    assert tree_digest(project / "site") == before


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_roundtable_file_that_cannot_be_read_is_one_mistake(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    """A roundtable file that cannot be read is reported alone, by `check` (which remembers
    nothing) as by `build` (which reads through the cache): its essays are not said to name an
    unknown roundtable."""
    assert run_cli(["build"], project, capsys).status == 0
    (project / "content/essays/first.md").touch()  # one file to read again, besides alpha's
    read_bytes = Path.read_bytes

    def refused(path: Path) -> bytes:
        if path.name == "alpha.md":
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    (project / "content/roundtables/alpha.md").touch()
    run = run_cli([command], project, capsys)
    assert run.status == 1 and "Traceback" not in run.err
    assert [line.split(" (")[0] for line in run.error_lines] == [
        "content/roundtables/alpha.md: cannot read the file: Permission denied"
    ], run.err


def test_a_picture_that_cannot_be_shown_hides_no_broken_link(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/images/damaged.png").write_bytes(b"not a picture")
    add(project, "essays/shown.md", ESSAY + "![A](../images/damaged.png) [gone](gone.md)\n")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert [line.split(": ", 1)[0] for line in run.error_lines] == [
        "content/essays/shown.md:6",
        "content/essays/shown.md:6",
    ], run.err
    assert any("damaged.png" in line for line in run.error_lines)
    assert any("'gone.md'" in line for line in run.error_lines)


def test_a_roundtable_with_a_mistake_gives_no_false_errors_or_warnings_in_its_essays_links(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Essays left out with their roundtable are not broken link targets, and the run prints no
    warning about what the left-out files would give (issue 20: report a file's mistake once)."""
    alpha = project / "content/roundtables/alpha.md"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("date: ", "date: not-a-", 1))
    beta = project / "content/roundtables/beta.md"
    beta.write_text(
        beta.read_text(encoding="utf-8") + "\nSee [the first essay](../essays/first.md).\n"
    )
    run = run_cli(["check"], project, capsys)
    assert run.status == 1
    assert [line.split(": ")[0] for line in run.located_lines] == ["content/roundtables/alpha.md:4"]


def test_three_files_with_one_slug_leave_one_page(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A slug written first and taken by two file names: both later files are reported, so only
    one page would carry the slug."""
    first = project / "content/essays/first.md"
    first.write_text(first.read_text(encoding="utf-8").replace("title:", "slug: same\ntitle:", 1))
    for folder in ("sub1", "sub2"):
        (project / "content/essays" / folder).mkdir()
        add(project, f"essays/{folder}/same.md", ESSAY + "Text.\n")
    run = run_cli(["check"], project, capsys)
    assert run.status == 1
    assert sorted({line.split(": ")[0] for line in run.error_lines}) == [
        "content/essays/first.md:2",
        "content/essays/sub2/same.md",
    ], run.err
