"""Topics from tags, author pages from authors.yml, and reading time."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project, page, run_cli

from roundtable.content.assemble import reading_minutes


@pytest.fixture
def site(bilingual_site: Path) -> Path:
    """The bilingual fixture, built once for the session."""
    return bilingual_site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the bilingual fixture, to edit."""
    return copy_project(FIXTURES / "bilingual", tmp_path / "proj")


def titles(site: Path, path: str) -> list[str]:
    """Return the essay titles listed on a page, in order."""
    return [a.get_text() for a in page(site, path).select(".card__title a")]


# Topics


def test_topic_pages_list_essays_across_roundtables_newest_first(site: Path) -> None:
    assert titles(site, "topics/migration/") == ["The First Essay", "A Reprinted Essay"]
    assert titles(site, "topics/border/") == ["The Second Essay", "The First Essay"]
    assert titles(site, "topics/migracion/") == ["El primer ensayo"]


def test_topic_page_names_each_essays_roundtable_and_language(site: Path) -> None:
    text = page(site, "topics/migration/").get_text(" ", strip=True)
    assert "Alpha" in text and "Beta" in text
    spanish = page(site, "topics/migracion/")
    assert spanish.select_one(".card__title[lang=es]") is not None
    assert "Español" in spanish.get_text()


def test_topics_index_lists_every_topic_with_its_count(site: Path) -> None:
    index = page(site, "topics/")
    entries = [li.get_text(" ", strip=True) for li in index.select(".topic-list li")]
    assert entries == ["Border 2 essays", "Migración 1 essay", "Migration 2 essays"]
    home = page(site, "")
    assert [a["href"] for a in home.select(".topic-list a")] == [
        "topics/border/",
        "topics/migracion/",
        "topics/migration/",
    ]


def test_essay_links_its_topics_and_the_index(site: Path) -> None:
    tags = page(site, "essays/one/").select(".tags a")
    assert [(a.get_text(), a["href"]) for a in tags] == [
        ("Migration", "../../topics/migration/"),
        ("Border", "../../topics/border/"),
        ("All topics", "../../topics/"),
    ]
    assert page(site, "essays/letter/").select(".tags") == []


def test_site_without_tags_has_no_topic_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], project, capsys).status == 0
    assert not (project / "site/topics").exists()


def test_tags_that_make_one_url_are_one_topic(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two = project / "content/essays/two.md"
    two.write_text(two.read_text(encoding="utf-8").replace("[Border]", "[border]"))
    assert run_cli(["build"], project, capsys).status == 0
    assert titles(project / "site", "topics/border/") == ["The Second Essay", "The First Essay"]


def test_tag_without_letters_is_a_located_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    two = project / "content/essays/two.md"
    two.write_text(two.read_text(encoding="utf-8").replace("[Border]", "[Border, '¿?']"))
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/two.md:7: tags: '¿?' has no letters or digits to make a topic page "
        "from (reword it)"
    ]


# Authors


def test_author_page_has_bio_orcid_and_every_essay_with_translations(site: Path) -> None:
    author = page(site, "authors/ana-perez-garcia/")
    assert titles(site, "authors/ana-perez-garcia/") == [
        "The Second Essay",
        "El primer ensayo",
        "The First Essay",
    ]
    bio = author.select_one(".bio")
    assert bio is not None and bio.get_text() == "Ana Pérez García teaches at Universidad Uno."
    orcid = author.select_one(".orcid a")
    assert orcid is not None and orcid["href"] == "https://orcid.org/0000-0002-1825-0097"
    assert author.select_one(".subtitle") is not None
    assert "Universidad Uno" in author.select_one(".subtitle").get_text()  # type: ignore[union-attr]


def test_authors_yml_fills_what_front_matter_leaves_out(site: Path) -> None:
    english = page(site, "essays/one/").select_one(".bio")
    spanish = page(site, "essays/uno/").select_one(".bio")
    assert (
        english is not None and english.get_text() == "Ana Pérez García teaches at Universidad Uno."
    )
    assert (
        spanish is not None
        and spanish.get_text() == "Ana Pérez García enseña en la Universidad Uno."
    )
    byline = page(site, "essays/reprint/").select_one(".byline")
    assert byline is not None and "Two Institute" in byline.get_text()


def test_orcid_and_family_name_reach_metadata_and_citations(site: Path) -> None:
    essay = page(site, "essays/one/")
    orcid = essay.find("meta", attrs={"name": "citation_author_orcid"})
    assert orcid is not None and orcid["content"] == "https://orcid.org/0000-0002-1825-0097"
    assert '"sameAs": "https://orcid.org/0000-0002-1825-0097"' in str(essay)
    apa = essay.select_one("#rt-cite-2")
    assert apa is not None and apa.get_text().startswith("Pérez García, A. (2024, May 1).")
    ris = (site / "essays/one/cite.ris").read_text(encoding="utf-8")
    assert "AU  - Pérez García, Ana" in ris


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bo Chen:\n  afiliation: Two Institute\n",
            "content/authors.yml:2: Bo Chen: unknown field 'afiliation' (did you mean "
            "'affiliation'?)",
        ),
        (
            "Bo Chen:\n  orcid: 0000-0002-1825-0098\n",
            "content/authors.yml:2: Bo Chen: orcid: expected an ORCID iD, found "
            "'0000-0002-1825-0098' (write it as 0000-0002-1825-0097)",
        ),
        (
            "Bo Chen:\n  family: Wang\n",
            "content/authors.yml:2: Bo Chen: family: 'Wang' is not the end of the name (write "
            "the last words of 'Bo Chen')",
        ),
        (
            "Bo Chen: Two Institute\n",
            "content/authors.yml:1: Bo Chen: expected indented 'key: value' lines under the name "
            "(affiliation:, bio:, orcid:, family:, organization:)",
        ),
    ],
)
def test_mistakes_in_authors_yml_are_located(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (project / "content/authors.yml").write_text(text, encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [expected]


def test_front_matter_family_name_is_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/essays/six.md").write_text(
        "---\ntitle: Six\nauthor:\n  - name: Rosa Luz Alegría\n    family: Luz\n"
        "roundtable: beta\n---\nSix.\n",
        encoding="utf-8",
    )
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/six.md:5: author.family: 'Luz' is not the end of the name (write the "
        "last words of 'Rosa Luz Alegría')"
    ]


def test_authors_yml_is_not_published(site: Path) -> None:
    assert not (site / "authors.yml").exists()


# Reading time


@pytest.mark.parametrize(("words", "minutes"), [(0, 1), (100, 1), (230, 1), (400, 2), (2300, 10)])
def test_reading_time_is_words_at_230_a_minute(words: int, minutes: int) -> None:
    assert reading_minutes(" ".join(["word"] * words)) == minutes


def test_link_addresses_are_not_read() -> None:
    link = "[a](https://example.org/a/very/long/address/with/many/parts/and/more/parts) "
    assert reading_minutes(link * 100) == reading_minutes("a " * 100)


def test_reading_time_on_essay_pages_and_cards(site: Path) -> None:
    meta = page(site, "essays/one/").select_one(".page-header .meta")
    assert meta is not None and "1 min read" in meta.get_text()
    cards = page(site, "roundtables/alpha/").select(".card .reading-time")
    assert [c.get_text() for c in cards] == ["1 min read", "1 min read"]
    spanish = page(site, "roundtables/alfa/").select(".card .reading-time")
    assert [c.get_text() for c in spanish] == ["1 min de lectura", "1 min de lectura"]
