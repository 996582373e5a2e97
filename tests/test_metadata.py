"""Head metadata on essay pages: Highwire tags, OpenGraph and Twitter cards, JSON-LD."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers.site import FIXTURES, copy_project, html_files, page, run_subprocess

BASE = "https://example.org/forum/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once for this module."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("metadata") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    return project / "site"


def meta_names(document: BeautifulSoup, prefix: str) -> list[tuple[str, str]]:
    """Return the (name, content) of every <meta name> starting with a prefix, in order."""
    return [
        (str(tag["name"]), str(tag["content"]))
        for tag in document.select("head meta[name]")
        if str(tag["name"]).startswith(prefix)
    ]


def meta_properties(document: BeautifulSoup) -> dict[str, list[str]]:
    """Return every <meta property> value by property."""
    found: dict[str, list[str]] = {}
    for tag in document.select("head meta[property]"):
        found.setdefault(str(tag["property"]), []).append(str(tag["content"]))
    return found


def json_ld(document: BeautifulSoup) -> dict[str, Any]:
    """Parse the page's one JSON-LD script."""
    scripts = document.select('script[type="application/ld+json"]')
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].string or "")
    return data


def test_highwire_tags_for_a_two_author_essay(built: Path) -> None:
    assert meta_names(page(built, "essays/second/"), "citation_") == [
        ("citation_title", "Second Essay"),
        ("citation_author", "Bo Chen"),
        ("citation_author_institution", "Dos Institute"),
        ("citation_author", "Ana Pérez"),
        ("citation_author_institution", "Uno University"),
        ("citation_publication_date", "2024/05/02"),
        ("citation_inbook_title", "Alpha Roundtable"),
        ("citation_publisher", "Test Institute"),
        ("citation_language", "en"),
        ("citation_abstract_html_url", BASE + "essays/second/"),
        ("citation_fulltext_html_url", BASE + "essays/second/"),
        ("citation_abstract", "An explicit summary."),
    ]


def test_author_without_affiliation_has_no_institution_tag(built: Path) -> None:
    tags = meta_names(page(built, "essays/third/"), "citation_author")
    assert tags == [("citation_author", "Cy Dee")]


def test_json_ld_describes_the_article(built: Path) -> None:
    data = json_ld(page(built, "essays/second/"))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["headline"] == "Second Essay"
    assert data["url"] == data["mainEntityOfPage"] == BASE + "essays/second/"
    assert data["datePublished"] == "2024-05-02"
    assert data["description"] == "An explicit summary."
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Bo Chen",
            "url": BASE + "authors/bo-chen/",
            "affiliation": {"@type": "Organization", "name": "Dos Institute"},
        },
        {
            "@type": "Person",
            "name": "Ana Pérez",
            "url": BASE + "authors/ana-perez/",
            "affiliation": {"@type": "Organization", "name": "Uno University"},
        },
    ]
    assert data["isPartOf"] == {
        "@type": "CreativeWork",
        "name": "Alpha Roundtable",
        "url": BASE + "roundtables/alpha/",
    }
    assert data["publisher"] == {"@type": "Organization", "name": "Test Institute", "url": BASE}


def test_opengraph_and_twitter_card_use_the_hero_image(built: Path) -> None:
    pictured = page(built, "essays/pictured/")
    og = meta_properties(pictured)
    assert og["og:type"] == ["article"]
    assert og["og:title"] == ["¿Nuevos lazos? México"]
    assert og["og:url"] == [BASE + "essays/pictured/"]
    assert og["og:site_name"] == ["Test Forum"]
    assert og["og:image"] == [BASE + "images/pic.png"]
    assert og["og:image:alt"] == ["A red rectangle"]
    assert og["article:published_time"] == ["2024-05-01"]  # the roundtable's date
    assert og["article:section"] == ["Alpha Roundtable"]
    assert dict(meta_names(pictured, "twitter:"))["twitter:card"] == "summary_large_image"
    assert json_ld(pictured)["image"] == BASE + "images/pic.png"


def test_essay_without_image_gets_a_summary_card(built: Path) -> None:
    second = page(built, "essays/second/")
    assert dict(meta_names(second, "twitter:")) == {"twitter:card": "summary"}
    og = meta_properties(second)
    assert "og:image" not in og
    assert og["article:author"] == [BASE + "authors/bo-chen/", BASE + "authors/ana-perez/"]


def test_every_page_has_title_description_canonical_and_opengraph(built: Path) -> None:
    for html in html_files(built):
        document = page(built, html.relative_to(built).as_posix())
        assert document.title and document.title.get_text(strip=True), html
        description = document.select_one('meta[name="description"]')
        assert description and str(description["content"]).strip(), html
        canonical = document.select_one('link[rel="canonical"]')
        assert canonical and str(canonical["href"]).startswith(BASE), html
        assert meta_properties(document).get("og:url") == [canonical["href"]], html


def test_a_title_cannot_close_the_json_ld_script(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    essay = project / "content/essays/second.md"
    hostile = "Trade </script><script>alert(1)</script> & <!-- Tariffs"
    essay.write_text(
        essay.read_text(encoding="utf-8").replace("title: Second Essay", f"title: '{hostile}'"),
        encoding="utf-8",
    )
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    raw = (project / "site/essays/second/index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in raw
    document = page(project / "site", "essays/second/")
    assert json_ld(document)["headline"] == hostile
    assert len(document.find_all("script")) == 2  # the JSON-LD and cite.js, nothing injected
    assert dict(meta_names(document, "citation_title"))["citation_title"] == hostile
