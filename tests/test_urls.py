"""URLs: relative links between pages work under any base path."""

from __future__ import annotations

import pytest

from roundtable import urls


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
