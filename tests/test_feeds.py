"""Feeds, sitemap and robots.txt: what feed readers and search engines read from a built site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import feedparser
import pytest
import xmlschema
from helpers.site import FIXTURES, copy_project, html_files, page, run_subprocess

from roundtable.model import Essay, Person, Roundtable, Site, SiteConfig
from roundtable.publish import feeds

BASE = "https://example.org/forum/"
SITEMAP_XSD = FIXTURES / "schemas" / "sitemap.xsd"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once for this module."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("feeds") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    return project / "site"


def parse_feed(path: Path) -> feedparser.FeedParserDict:
    """Parse an Atom file, failing on any XML or feed error."""
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_site_feed_lists_every_published_essay_newest_first(built: Path) -> None:
    feed = parse_feed(built / "feed.xml")
    # 'pictured' has no date and takes its roundtable's (May 1), after 'first' in reading order.
    titles = [entry.title for entry in feed.entries]
    assert titles == ["Third Essay", "Second Essay", "First Essay", "¿Nuevos lazos? México"]
    assert feed.feed.title == "Test Forum"
    assert feed.feed.updated == "2024-05-03T00:00:00Z"
    assert feed.feed.id == BASE + "feed.xml"
    links = {link.rel: link.href for link in feed.feed.links}
    assert links == {"self": BASE + "feed.xml", "alternate": BASE}


def test_entries_carry_authors_dates_summary_and_full_content(built: Path) -> None:
    entries = {entry.title: entry for entry in parse_feed(built / "feed.xml").entries}
    second = entries["Second Essay"]
    assert second.id == second.link == BASE + "essays/second/"
    assert [author.name for author in second.authors] == ["Bo Chen", "Ana Pérez"]
    assert second.authors[0].href == BASE + "authors/bo-chen/"
    assert second.published == second.updated == "2024-05-02T00:00:00Z"
    assert second.summary == "An explicit summary."
    assert second.content[0].type == "text/html"
    assert "<p>Body of the second essay.</p>" in second.content[0].value


def test_relative_links_in_content_resolve_to_the_essay_page(built: Path) -> None:
    first = parse_feed(built / "feed.xml").entries[2]
    assert 'href="https://example.org/forum/essays/second/#a-heading"' in first.content[0].value


def test_roundtable_feeds_hold_their_own_essays(built: Path) -> None:
    alpha = parse_feed(built / "roundtables/alpha/feed.xml")
    assert alpha.feed.title == "Alpha Roundtable"
    assert alpha.entries[0].title == "Third Essay"
    assert len(alpha.entries) == 4
    beta = parse_feed(built / "roundtables/beta/feed.xml")
    assert beta.entries == []
    assert beta.feed.updated == "2024-06-01T00:00:00Z"  # no essays: the roundtable's own date


def test_drafts_stay_out_of_feeds(built: Path) -> None:
    assert b"A Draft" not in (built / "feed.xml").read_bytes()


def test_every_page_links_the_site_feed_and_roundtable_pages_their_own(built: Path) -> None:
    for html in html_files(built):
        document = page(built, html.relative_to(built).as_posix())
        feeds_linked = document.select('head link[rel="alternate"][type="application/atom+xml"]')
        targets = {(html.parent / str(link["href"])).resolve() for link in feeds_linked}
        assert (built / "feed.xml").resolve() in targets or html.name == "404.html", html
    for path in ("essays/second/", "roundtables/alpha/"):
        links = page(built, path).select('link[type="application/atom+xml"]')
        assert [link["title"] for link in links] == ["Test Forum", "Alpha Roundtable"]


def test_feed_without_any_date_uses_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    site = Site(SiteConfig(title="T", base_url=BASE), (), (), ())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert feeds.site_feed(site).updated == "2023-11-14T22:13:20Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert feeds.site_feed(site).updated == "1970-01-01T00:00:00Z"


def test_undated_essay_in_undated_roundtable_is_left_out() -> None:
    roundtable = Roundtable("r", "R", "R", "r.md")
    essay = Essay("e", "E", "r", (Person("A", "a"),), "e.md")
    dated = Essay("d", "D", "r", (Person("A", "a"),), "d.md", date=dt.date(2024, 1, 2))
    site = Site(SiteConfig(title="T", base_url=BASE), (roundtable,), (essay, dated), ())
    assert [entry.title for entry in feeds.roundtable_feed(site, roundtable).entries] == ["D"]


def test_sitemap_validates_and_lists_every_page_but_404(built: Path) -> None:
    schema = xmlschema.XMLSchema(SITEMAP_XSD)
    schema.validate(built / "sitemap.xml")
    entries = schema.to_dict(built / "sitemap.xml")["url"]
    locs = [entry["loc"] for entry in entries]
    expected = {
        BASE + html.parent.relative_to(built).as_posix() + "/"
        for html in html_files(built)
        if html.name == "index.html"
    }
    assert set(locs) == {loc.replace(f"{BASE}./", BASE) for loc in expected}
    assert len(locs) == len(set(locs))
    lastmods = {entry["loc"]: entry.get("lastmod") for entry in entries}
    assert lastmods[BASE + "essays/second/"] == "2024-05-02"
    assert lastmods[BASE + "roundtables/alpha/"] == "2024-05-03"
    assert lastmods[BASE] == "2024-06-01"


def test_robots_txt_names_the_sitemap(built: Path) -> None:
    robots = (built / "robots.txt").read_text(encoding="utf-8")
    assert robots.splitlines() == ["User-agent: *", "Disallow:", "", f"Sitemap: {BASE}sitemap.xml"]
