"""sitemap.xml and robots.txt (publish/sitemap.py), called with values: a site in, entries out.

The entries are checked as they are made, and as the theme writes them: the sitemap page of a
site, rendered and parsed as XML, as a search engine reads it. A whole build's sitemap is
validated against the protocol's schema in test_feeds.py.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, replace
from pathlib import Path

from helpers.site import FIXTURES, REPO
from helpers.values import alpha, essay, site

from roundtable import urls
from roundtable.commands.cli import theme_for
from roundtable.content.read import read_site
from roundtable.model import Person, Roundtable, Site, Topic
from roundtable.publish.sitemap import sitemap_entries
from roundtable.render.pages import Page, page_groups, render_pages

BASE = "https://example.org/"
NAMESPACE = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
THEME = theme_for(REPO / "content")


@dataclass(frozen=True)
class Folders:
    """What the reading stage reads: the minimal fixture, as a build is asked to."""

    content: Path = FIXTURES / "minimal" / "content"
    content_display: str = "content"
    base_url: str | None = None
    drafts: bool = False


def minimal(drafts: bool = False, base_url: str | None = None) -> Site:
    """Read the minimal fixture site (its drafts only when asked)."""
    read, errors = read_site(Folders(base_url=base_url, drafts=drafts))
    assert errors == []
    return read


def pages(given: Site) -> dict[str, Page]:
    """Return every page of a site by its path."""
    return {page.path: page for group in page_groups(given) for page in group.make()}


def rendered(given: Site, path: str) -> bytes:
    """Render one page of the site as a build would."""
    (body,) = render_pages([pages(given)[path]], given, THEME, {}).values()
    return body


def sitemap(given: Site) -> list[tuple[str, str]]:
    """Return the (loc, lastmod) of each url of the site's sitemap.xml, parsed as XML."""
    root = ElementTree.fromstring(rendered(given, urls.SITEMAP))
    assert root.tag == f"{NAMESPACE}urlset"
    return [
        (url.findtext(f"{NAMESPACE}loc", ""), url.findtext(f"{NAMESPACE}lastmod", ""))
        for url in root
    ]


def test_each_page_is_listed_by_its_absolute_url_in_order_but_the_404_page() -> None:
    given = site(essay("first"), essay("second"))
    forum = replace(given, config=replace(given.config, base_url="https://example.org/forum/"))
    paths = ["", "essays/first/", urls.NOT_FOUND, "essays/second/", "search/"]
    assert [entry.url for entry in sitemap_entries(forum, paths)] == [
        "https://example.org/forum/",
        "https://example.org/forum/essays/first/",
        "https://example.org/forum/essays/second/",
        "https://example.org/forum/search/",
    ]


def test_a_page_is_dated_by_the_newest_content_it_shows() -> None:
    ana, bo = Person("Ana Pérez", "ana-perez"), Person("Bo Chen", "bo-chen")
    may = replace(alpha(), date=dt.date(2024, 5, 1))
    beta = Roundtable(
        "beta", "Beta", "Beta", "content/roundtables/beta.md", date=dt.date(2024, 6, 1)
    )
    gamma = Roundtable("gamma", "Gamma", "Gamma", "content/roundtables/gamma.md")
    essays = (
        replace(essay("late", date=dt.date(2024, 5, 3)), authors=(ana,)),
        replace(essay("undated"), authors=(ana, bo)),  # shown with its roundtable's date
        replace(essay("loose"), roundtable="gamma"),  # no date anywhere
    )
    given = replace(site(*essays), roundtables=(may, beta, gamma))
    paths = {
        "": "2024-06-01",
        "roundtables/alpha/": "2024-05-03",
        "roundtables/beta/": "2024-06-01",
        "roundtables/gamma/": "",
        "essays/late/": "2024-05-03",
        "essays/undated/": "2024-05-01",
        "essays/loose/": "",
        "authors/ana-perez/": "2024-05-03",
        "authors/bo-chen/": "2024-05-01",
        "search/": "",
    }
    entries = sitemap_entries(given, paths)
    assert {entry.url: entry.lastmod for entry in entries} == {
        BASE + path: lastmod for path, lastmod in paths.items()
    }


def test_every_page_a_reader_opens_is_listed_once_and_nothing_else() -> None:
    given = minimal()
    made = pages(given)
    assert {urls.ADMIN, urls.NOT_FOUND, urls.FEED, "essays/first/cite.bib"} <= made.keys()
    readers = {
        "https://example.org/forum/" + path
        for path, page in made.items()
        if page.template.endswith(".html") and path != urls.NOT_FOUND
    }
    listed = sitemap(given)
    assert sorted(loc for loc, _ in listed) == sorted(readers)
    assert dict(listed)["https://example.org/forum/essays/second/"] == "2024-05-02"


def test_drafts_are_listed_only_in_a_build_that_publishes_them() -> None:
    draft = "https://example.org/forum/essays/zeta-draft/"
    assert draft not in dict(sitemap(minimal()))
    assert draft in dict(sitemap(minimal(drafts=True)))


def test_topics_and_the_topics_index_are_listed_once_and_search_only_when_on() -> None:
    given = site(essay("first", tags=("Water",)), search=False)
    given = replace(given, topics=(Topic("Water", "water", ("first",)),))
    assert [loc for loc, _ in sitemap(given)] == [
        BASE,
        BASE + "roundtables/alpha/",
        BASE + "essays/first/",
        BASE + "topics/",
        BASE + "topics/water/",
    ]


def test_robots_txt_and_every_url_follow_the_base_url_a_build_is_given() -> None:
    preview = minimal(base_url="https://preview.example.net/pr-7/")
    assert all(loc.startswith("https://preview.example.net/pr-7/") for loc, _ in sitemap(preview))
    robots = rendered(preview, urls.ROBOTS).decode("utf-8")
    assert robots.splitlines()[-1] == "Sitemap: https://preview.example.net/pr-7/sitemap.xml"
