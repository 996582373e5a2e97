"""What editors can say of a piece (issue 20): unsigned pieces, organisations as authors,
translators, republished pieces without an address, figures with a caption and credit in the
body (on the page and in the PDF), one date for an essay everywhere, and summaries cut at a
sentence."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pypdf
import pytest
from bs4 import BeautifulSoup
from helpers.site import FIXTURES, copy_project, page, run_cli, run_subprocess

from roundtable import urls

ATOM = "{http://www.w3.org/2005/Atom}"
LONG_PARAGRAPH = (
    "Precursor chemicals reach Mexican ports in mixed cargo, declared as industrial solvents. "
    "Customs officers open fewer than one container in a hundred. "
    "The ones they open are chosen by paperwork that traffickers have learned to write. "
    "Brokers in three countries now sell the paperwork as a service. "
    "Each seizure tells investigators which broker was used, but not who paid for the load. "
    "Without that, prosecutors reach the drivers and the warehouse hands, and the money that "
    "bought the chemicals is already somewhere else. "
    "This brief sets out what a shared customs record would change, what it would cost, and "
    "which of its parts both governments could build this year without a new treaty. "
    "It ends with three steps that need no new money at all."
)
"""A first paragraph of some 850 characters, as unsigned briefs often open."""

ESSAYS = {
    "unsigned-brief.md": f"""---
title: The Paper Trail of Precursors
roundtable: beta
order: 1
tags: [Customs]
---
{LONG_PARAGRAPH}

![A red rectangle](../images/pic.png)
*Containers wait for inspection at the port.* Photo: Test Agency

The rest of the brief.
""",
    "signed-by-a-review.md": """---
title: A Review Signs
author:
  name: World Politics Review
  organization: true
roundtable: beta
order: 2
date: 2024-06-03
translator: Jane Q. Doe
source:
  name: Latin America Advisor
  date: 2024-05-30
---
Translated from the Spanish.
""",
    "from-the-desk.md": """---
title: From the Desk
author: Hemisphere Desk
roundtable: beta
order: 3
date: 2024-06-04
---
A note from the desk.
""",
}
AUTHORS = "Hemisphere Desk:\n  organization: true\n  bio: The forum's news desk.\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture with an unsigned brief and two pieces signed by organisations."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("bylines") / "proj")
    for name, text in ESSAYS.items():
        (project / "content/essays" / name).write_text(text, encoding="utf-8")
    (project / "content/authors.yml").write_text(AUTHORS, encoding="utf-8")
    # With a PDF of each essay where WeasyPrint runs (test_pdf says when it does not).
    run = run_subprocess(["build", "--pdf"] if weasyprint_runs() else ["build"], project)
    assert run.status == 0, run.err
    return project / "site"


def weasyprint_runs() -> bool:
    """Return True when WeasyPrint can be loaded here."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def json_ld(document: BeautifulSoup) -> dict[str, Any]:
    """Return a page's schema.org data."""
    script = document.find("script", type="application/ld+json")
    assert script is not None
    data: dict[str, Any] = json.loads(script.get_text())
    return data


def meta(document: BeautifulSoup, name: str) -> list[str]:
    """Return the content of every <meta name=…> of a page."""
    return [str(tag["content"]) for tag in document.find_all("meta", attrs={"name": name})]


def cite(document: BeautifulSoup, style: int) -> str:
    """Return the text of a page's Chicago (1) or APA (2) citation."""
    found = document.select_one(f"#rt-cite-{style}")
    assert found is not None
    return found.get_text()


# Unsigned pieces


def test_an_unsigned_piece_has_no_byline(site: Path) -> None:
    document = page(site, "essays/unsigned-brief/")
    assert document.select(".byline") == []
    assert "unknown" not in document.get_text().lower()
    card = page(site, "roundtables/beta/").select(".card")[0]
    assert card.select(".card__byline") == []


def test_an_unsigned_piece_has_no_author_page_or_contributor_entry(site: Path) -> None:
    authors = sorted(p.name for p in (site / "authors").iterdir() if p.is_dir())
    people = ["ana-perez", "bo-chen", "cy-dee", "eve-ochoa", "hemisphere-desk"]
    assert authors == [*people, "world-politics-review"]
    contributors = page(site, "roundtables/beta/").select(".contributors li")
    assert [li.get_text(" ", strip=True) for li in contributors] == [
        "World Politics Review",
        "Hemisphere Desk",
    ]


def test_an_unsigned_piece_is_cited_by_its_title(site: Path) -> None:
    document = page(site, "essays/unsigned-brief/")
    assert cite(document, 1) == (
        "“The Paper Trail of Precursors,” Beta Roundtable, Test Institute, June 1, 2024, "
        "https://example.org/forum/essays/unsigned-brief/."
    )
    assert cite(document, 2) == (
        "The Paper Trail of Precursors. (2024, June 1). Beta Roundtable. Test Institute. "
        "https://example.org/forum/essays/unsigned-brief/"
    )
    bib = (site / "essays/unsigned-brief/cite.bib").read_text(encoding="utf-8")
    assert "author" not in bib
    ris = (site / "essays/unsigned-brief/cite.ris").read_text(encoding="utf-8")
    assert "AU  -" not in ris


def test_an_unsigned_piece_claims_no_person_in_its_metadata(site: Path) -> None:
    document = page(site, "essays/unsigned-brief/")
    assert "author" not in json_ld(document)
    assert meta(document, "citation_author") == []
    assert document.find("meta", property="article:author") is None


def test_an_unsigned_piece_in_the_feed_is_the_publishers(site: Path) -> None:
    feed = ElementTree.parse(site / urls.feed("beta")).getroot()
    entries = feed.findall(f"{ATOM}entry")
    entry = next(e for e in entries if "unsigned-brief" in (e.findtext(f"{ATOM}id") or ""))
    names = [author.findtext(f"{ATOM}name") for author in entry.findall(f"{ATOM}author")]
    assert names == ["Test Institute"]


def test_an_unsigned_piece_cannot_take_an_affiliation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    brief = "---\ntitle: Brief\nroundtable: beta\naffiliation: Desk\n---\nBody.\n"
    (project / "content/essays/brief.md").write_text(brief, encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/brief.md:4: affiliation: an unsigned piece has no author to describe "
        "(add 'author: …', or remove the line)"
    ]


def test_an_empty_author_line_is_still_a_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    brief = "---\ntitle: Brief\nauthor:\nroundtable: beta\n---\nBody.\n"
    (project / "content/essays/brief.md").write_text(brief, encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines[0].startswith("content/essays/brief.md:3: author: expected a name")


# Organisations


def test_an_organisation_is_cited_whole(site: Path) -> None:
    document = page(site, "essays/signed-by-a-review/")
    assert cite(document, 1).startswith("World Politics Review, “A Review Signs,”")
    assert cite(document, 2).startswith("World Politics Review (2024, June 3). A Review Signs")
    bib = (site / "essays/signed-by-a-review/cite.bib").read_text(encoding="utf-8")
    assert "author = {{World Politics Review}}" in bib
    ris = (site / "essays/signed-by-a-review/cite.ris").read_text(encoding="utf-8")
    assert "AU  - World Politics Review\n" in ris


def test_an_organisation_in_authors_yml_is_cited_whole(site: Path) -> None:
    document = page(site, "essays/from-the-desk/")
    assert cite(document, 2).startswith("Hemisphere Desk (2024, June 4).")
    assert json_ld(document)["author"][0]["@type"] == "Organization"


def test_an_organisation_is_a_schema_org_organization_with_a_byline(site: Path) -> None:
    document = page(site, "essays/signed-by-a-review/")
    author = json_ld(document)["author"]
    assert author == [
        {
            "@type": "Organization",
            "name": "World Politics Review",
            "url": "https://example.org/forum/authors/world-politics-review/",
        }
    ]
    byline = document.select_one(".byline")
    assert byline is not None and byline.get_text(strip=True) == "World Politics Review"


# Translators and republished pieces without an address


def test_the_translator_is_credited_under_the_byline_and_in_citations(site: Path) -> None:
    document = page(site, "essays/signed-by-a-review/")
    credit = document.select_one(".page-header .byline + .translators")
    assert credit is not None and credit.get_text() == "Translated by Jane Q. Doe"
    assert "“A Review Signs,” trans. Jane Q. Doe, Beta Roundtable," in cite(document, 1)
    assert "A Review Signs (J. Q. Doe, Trans.). Beta Roundtable." in cite(document, 2)
    assert json_ld(document)["translator"] == [{"@type": "Person", "name": "Jane Q. Doe"}]
    bib = (site / "essays/signed-by-a-review/cite.bib").read_text(encoding="utf-8")
    assert "translator = {Doe, Jane Q.}" in bib


def test_a_source_without_an_address_is_named_without_a_link(site: Path) -> None:
    note = page(site, "essays/signed-by-a-review/").select_one(".republished")
    assert note is not None
    assert note.get_text() == (
        "This essay first appeared in Latin America Advisor on May 30, 2024."
    )
    assert note.find("a") is None and note.find("cite") is not None


def test_a_canonical_link_needs_the_sources_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    text = ESSAYS["signed-by-a-review.md"].replace(
        "  date: 2024-05-30\n", "  date: 2024-05-30\n  canonical: true\n"
    )
    (project / "content/essays/review.md").write_text(text, encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/review.md:13: source.canonical: there is no source.url to point search "
        "engines at (add the original's address, or remove 'canonical: true')"
    ]


# Figures


def test_a_picture_with_a_caption_line_is_a_figure_with_caption_and_credit(site: Path) -> None:
    figure = page(site, "essays/unsigned-brief/").select_one(".prose figure")
    assert figure is not None and figure.img is not None
    assert figure.img["alt"] == "A red rectangle"
    caption = figure.figcaption
    assert caption is not None
    assert caption.get_text() == "Containers wait for inspection at the port. Photo: Test Agency"
    credit = caption.select_one(".credit")
    assert credit is not None and credit.get_text() == "Photo: Test Agency"


def test_the_pdf_sets_the_caption_as_a_figure_caption(site: Path) -> None:
    pdf = site / "essays/unsigned-brief/unsigned-brief.pdf"
    if not pdf.exists():
        pytest.skip("WeasyPrint cannot run here")
    fonts = {}

    def note(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip() and font:
            fonts[text.strip()] = str(font.get("/BaseFont"))

    for sheet in pypdf.PdfReader(pdf).pages:
        sheet.extract_text(visitor_text=note)
    caption = "Containers wait for inspection at the port. Photo: Test Agency"
    assert fonts[caption].endswith("DejaVu-Sans")  # the PDF's figcaption, not the body's serif
    assert fonts["The rest of the brief."].endswith("Liberation-Serif")


# One date


def test_an_undated_essay_shows_the_date_it_is_cited_with(site: Path) -> None:
    document = page(site, "essays/unsigned-brief/")
    shown = document.select_one(".page-header .meta")
    assert shown is not None
    assert shown.get_text().startswith("Published with the roundtable on June 1, 2024 · ")
    time = shown.find("time")
    assert time is not None and time["datetime"] == "2024-06-01"
    assert meta(document, "citation_publication_date") == ["2024/06/01"]
    assert json_ld(document)["datePublished"] == "2024-06-01"
    assert "June 1, 2024" in cite(document, 1)


def test_a_dated_essay_shows_its_own_date_without_a_label(site: Path) -> None:
    shown = page(site, "essays/signed-by-a-review/").select_one(".page-header .meta")
    assert shown is not None and shown.get_text().startswith("June 3, 2024 · ")


def test_lists_show_the_roundtables_date_for_an_undated_essay(site: Path) -> None:
    cards = page(site, "topics/customs/").select(".card .meta time")
    assert [time["datetime"] for time in cards] == ["2024-06-01"]


# Summaries


SENTENCE_END = re.compile(r"[.!?…]$")


def test_a_summary_from_the_first_paragraph_is_cut_at_a_sentence_near_300(site: Path) -> None:
    card = page(site, "roundtables/beta/").select_one(".card__summary")
    assert card is not None
    summary = card.get_text()
    assert 240 <= len(summary) <= 375 and LONG_PARAGRAPH.startswith(summary)
    assert summary.endswith("paperwork as a service.")


def test_the_meta_description_is_cut_at_a_sentence_near_160(site: Path) -> None:
    document = page(site, "essays/unsigned-brief/")
    description = meta(document, "description")[0]
    assert 120 <= len(description) <= 200 and SENTENCE_END.search(description)
    assert LONG_PARAGRAPH.startswith(description)
    og = document.find("meta", property="og:description")
    assert og is not None and og["content"] == description
