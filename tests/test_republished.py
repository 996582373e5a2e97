"""Republished pieces: where an essay first appeared, and the canonical link to the original."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, page, run_cli


@pytest.fixture
def site(bilingual_site: Path) -> Path:
    """The bilingual fixture, built once for the session."""
    return bilingual_site


def test_note_names_the_outlet_and_date_with_a_link(site: Path) -> None:
    note = page(site, "essays/reprint/").select_one(".republished")
    assert note is not None
    assert note.get_text() == "This essay first appeared in The Daily Example on January 5, 2023."
    link = note.a
    assert link is not None and link["href"] == "https://news.example.com/2023/01/reprint"


def test_canonical_link_points_at_the_original_when_asked(site: Path) -> None:
    canonical = page(site, "essays/reprint/").find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == "https://news.example.com/2023/01/reprint"
    assert '"isBasedOn": "https://news.example.com/2023/01/reprint"' in str(
        page(site, "essays/reprint/")
    )


def test_without_canonical_the_page_stays_canonical(site: Path) -> None:
    document = page(site, "essays/letter/")
    note = document.select_one(".republished")
    assert (
        note is not None and note.get_text() == "This essay first appeared in The Weekly Example."
    )
    canonical = document.find("link", rel="canonical")
    assert canonical is not None and canonical["href"] == "https://example.org/forum/essays/letter/"


def test_essays_first_published_here_have_no_note(site: Path) -> None:
    assert page(site, "essays/one/").select(".republished") == []


def test_the_note_reads_in_the_essays_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    letter = project / "content/essays/letter.md"
    letter.write_text(
        letter.read_text(encoding="utf-8")
        .replace("date: 2023-01-11", "date: 2023-01-11\nlang: es")
        .replace(
            "url: https://weekly.example.com/letter",
            "url: https://weekly.example.com/letter\n  date: 2023-01-09",
        ),
        encoding="utf-8",
    )
    assert run_cli(["build"], project, capsys).status == 0
    note = page(project / "site", "essays/letter/").select_one(".republished")
    assert note is not None
    assert note.get_text() == (
        "Este ensayo se publicó originalmente en The Weekly Example el 9 de enero de 2023."
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "source:\n  name: X\n  url: news.example.com/x\n",
            "content/essays/letter.md:8: source.url: expected a web address, found "
            "'news.example.com/x' (write the full address, starting with https://)",
        ),
        (
            "source:\n  name: X\n  url: https://x.example/\n  canonnical: true\n",
            "content/essays/letter.md:9: unknown field 'source.canonnical' (did you mean "
            "'canonical'?)",
        ),
        (
            "source:\n  url: https://x.example/\n",
            "content/essays/letter.md:6: missing required field 'source.name' (add a line "
            "'name: …')",
        ),
    ],
)
def test_mistakes_in_source_are_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, expected: str
) -> None:
    project = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    letter = project / "content/essays/letter.md"
    text = letter.read_text(encoding="utf-8")
    start = text.index("source:")
    letter.write_text(text[:start] + source + text[text.index("---", start) :], encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [expected]
