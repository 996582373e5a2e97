"""URLs: relative links between pages work under any base path."""

from __future__ import annotations

import pytest

from roundtable import urls
from roundtable.model import Author, Essay, Person, Roundtable, Topic


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("essays/a/", "roundtables/r/", "../../roundtables/r/"),
        ("essays/a/", "", "../../"),
        ("", "essays/a/", "essays/a/"),
        ("", "", "./"),
        ("essays/a/", "essays/a/", "./"),
        ("essays/a/", "assets/style.css", "../../assets/style.css"),
        ("essays/a/", "roundtables/r/#rt-essays", "../../roundtables/r/#rt-essays"),
    ],
)
def test_relative_links(source: str, target: str, expected: str) -> None:
    assert urls.link(source, target, "https://e.org/forum/") == expected


def test_not_found_page_links_from_base_path() -> None:
    assert urls.link(urls.NOT_FOUND, "essays/a/", "https://e.org/forum/") == "/forum/essays/a/"


def test_output_files_and_absolute_urls() -> None:
    assert urls.output_file("") == "index.html"
    assert urls.output_file("essays/a/") == "essays/a/index.html"
    assert urls.output_file("404.html") == "404.html"
    assert urls.absolute("https://e.org/forum/", "essays/a/") == "https://e.org/forum/essays/a/"


def test_file_paths_of_pages() -> None:
    assert urls.pdf("essays/a/") == "essays/a/a.pdf"
    assert urls.pdf("roundtables/r/") == "roundtables/r/r.pdf"
    assert urls.pdf("essays/tax/") == "essays/tax/tax.pdf"
    assert urls.pdf("essays/TAX/") == "essays/TAX/TAX.pdf"
    assert urls.feed() == "feed.xml"
    assert urls.feed("r") == "roundtables/r/feed.xml"
    assert urls.citation("a", "bib") == "essays/a/cite.bib"
    assert urls.search_index("pagefind.js") == "pagefind/pagefind.js"
    assert urls.asset("style.css") == "assets/style.css"


def test_page_of_each_kind_of_item() -> None:
    person = Person(name="Ana Ruiz", slug="ana-ruiz")
    assert urls.page_of(Roundtable(slug="r", title="R", short_title="R", source="r.md")) == (
        "roundtables/r/"
    )
    essay = Essay(slug="a", title="A", roundtable="r", authors=(person,), source="a.md")
    assert urls.page_of(essay) == "essays/a/"
    assert urls.page_of(Topic(name="Trade", slug="trade", essays=("a",))) == "topics/trade/"
    assert urls.page_of(Author(person=person, essays=("a",))) == "authors/ana-ruiz/"
    assert urls.page_of(person) == "authors/ana-ruiz/"


def test_urls_encode_file_names_but_keep_path_punctuation() -> None:
    assert urls.url_path("images/café menu (1)+2.png") == "images/caf%C3%A9%20menu%20(1)+2.png"
    assert urls.url_path("a:b") == "a%3Ab"


def test_absolute_urls_keep_the_fragment_and_encode_the_path() -> None:
    base = "https://e.org/forum/"
    assert urls.absolute(base, "essays/a/#note-1#x") == "https://e.org/forum/essays/a/#note-1#x"
    assert urls.absolute(base, "a b.png#c d") == "https://e.org/forum/a%20b.png#c d"


def test_not_found_page_links_from_the_host_root_without_base_path() -> None:
    assert urls.link(urls.NOT_FOUND, "essays/a/", "https://e.org") == "/essays/a/"


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("essays/a/cite.bib", "essays/b/", "../b/"),
        ("sitemap.xml", "essays/b/", "essays/b/"),
        ("essays/a/", "essays/a", "./"),
        ("essays/a/", "images/x y.png#f", "../../images/x%20y.png#f"),
    ],
)
def test_relative_links_from_files_and_to_files(source: str, target: str, expected: str) -> None:
    assert urls.relative(source, target) == expected
