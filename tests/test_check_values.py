"""The links' check (content/check.check_site), called with values: a converted site, the paths
the site will publish, and its pages' bytes. No files are read."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from helpers.values import essay as essay_of
from helpers.values import site
from hypothesis import given
from hypothesis import strategies as st

from roundtable.content.check import check_site, relative_parts
from roundtable.model import Essay, Link

TODAY = dt.date(2026, 1, 1)


def essay(slug: str, *links: Link) -> Essay:
    """An essay of roundtable alpha whose body (from line 5) holds these links."""
    return essay_of(slug, links=links)


def link(url: str, line: int = 0, written: str = "") -> Link:
    """A link written on a line of the body (0-based)."""
    return Link(url=url, line=line, is_image=False, written=written or url)


OUTPUTS = {"index.html", "essays/first/index.html", "roundtables/alpha/index.html"}
PAGES = {"essays/first/index.html": b'<h2 id="a-heading">A heading</h2>'}


def test_links_to_pages_and_their_anchors_pass() -> None:
    found = check_site(
        site(essay("first"), essay("second", link("../first/#a-heading"))),
        OUTPUTS | {"essays/second/index.html"},
        PAGES.get,
        TODAY,
    )
    assert found.errors == []


def test_a_link_to_nothing_and_a_missing_anchor_are_located_errors() -> None:
    second = essay("second", link("gone.md", 2), link("../first/#nowhere", 3))
    found = check_site(site(essay("first"), second), OUTPUTS, PAGES.get, TODAY)
    assert [(e.path, e.line) for e in found.errors] == [
        ("content/essays/second.md", 7),
        ("content/essays/second.md", 8),
    ]
    assert "leads to no page or file" in found.errors[0].message
    assert "no heading or anchor '#nowhere'" in found.errors[1].message


def test_a_link_to_a_file_left_out_for_its_own_mistake_waits_for_that_file() -> None:
    second = essay("second", link("broken.md", 2), link("gone.md", 3))
    found = check_site(site(second, left_out=("essays/broken.md",)), OUTPUTS, PAGES.get, TODAY)
    assert [(e.line, "gone.md" in e.message) for e in found.errors] == [(8, True)]


@given(st.text(alphabet=st.sampled_from("ab/.#?:% \t\n\x00é-_~[]@!&=+;,"), max_size=30))
def test_a_link_is_split_as_urlsplit_splits_it(url: str) -> None:
    """The check's quick split of a relative link agrees with urlsplit on every string (and
    refuses what it refuses, such as '//[': links reach the check with brackets escaped)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        with pytest.raises(ValueError):
            relative_parts(url)
        return
    absolute = bool(parts.scheme or parts.netloc or url.startswith("/"))
    expected = None if absolute else (parts.path, parts.fragment)
    assert relative_parts(url) == expected
