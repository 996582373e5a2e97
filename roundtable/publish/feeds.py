"""Atom 1.0 feeds: the whole site's and each roundtable's, newest essay first.

Dates come from the content, never from the clock, so a feed only changes when the content does.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from roundtable import urls
from roundtable.model import Essay, Roundtable, Site

FEED_LIMIT = 50
"""Entries per feed: readers only look for what is new, and each entry carries a whole essay."""


@dataclass(frozen=True)
class FeedEntry:
    """One essay, as a feed entry."""

    title: str
    """The essay's title."""
    url: str
    """Absolute URL of the essay: its link, its id, and the base of its relative links."""
    published: str
    """RFC 3339 timestamp of its date (the roundtable's when the essay has none)."""
    authors: tuple[tuple[str, str], ...]
    """Each author's name and the absolute URL of their page."""
    summary: str
    """Plain text."""
    content: str
    """The essay's HTML, escaped by the template."""
    categories: tuple[str, ...]
    """The essay's tags."""


@dataclass(frozen=True)
class Feed:
    """An Atom feed's head and its entries."""

    title: str
    """The site's or the roundtable's title."""
    subtitle: str
    """The tagline or the roundtable's summary."""
    url: str
    """Absolute URL of the feed itself: its rel=self link and its id."""
    page_url: str
    """Absolute URL of the page the feed follows."""
    updated: str
    """RFC 3339 timestamp of the newest entry."""
    entries: tuple[FeedEntry, ...]
    """Newest first."""


def site_feed(site: Site) -> Feed:
    """Return the feed of every essay on the site."""
    return Feed(
        title=site.config.title,
        subtitle=site.config.tagline,
        url=urls.absolute(site.config.base_url, urls.feed()),
        page_url=urls.absolute(site.config.base_url, urls.HOME),
        updated=_updated(site, site.essays, [r.date for r in site.roundtables]),
        entries=_entries(site, site.essays),
    )


def roundtable_feed(site: Site, roundtable: Roundtable) -> Feed:
    """Return the feed of one roundtable's essays."""
    essays = site.essays_in(roundtable.slug)
    return Feed(
        title=roundtable.title,
        subtitle=roundtable.summary,
        url=urls.absolute(site.config.base_url, urls.feed(roundtable.slug)),
        page_url=urls.absolute(site.config.base_url, urls.page_of(roundtable)),
        updated=_updated(site, essays, [roundtable.date]),
        entries=_entries(site, essays),
    )


def _entries(site: Site, essays: tuple[Essay, ...]) -> tuple[FeedEntry, ...]:
    """Return the newest dated essays as entries; an essay with no date cannot be placed."""
    dated = [(date, essay) for essay in essays if (date := site.date_of(essay))]
    dated.sort(key=lambda pair: pair[0], reverse=True)  # stable: reading order breaks ties
    return tuple(_entry(site, essay, date) for date, essay in dated[:FEED_LIMIT])


def _entry(site: Site, essay: Essay, date: dt.date) -> FeedEntry:
    """Return one essay as a feed entry."""
    base_url = site.config.base_url
    return FeedEntry(
        title=essay.title,
        url=urls.absolute(base_url, urls.page_of(essay)),
        published=_timestamp(date),
        authors=tuple(
            (person.name, urls.absolute(base_url, urls.page_of(person))) for person in essay.authors
        )
        # Atom wants an author for every entry: an unsigned piece is the publisher's.
        or ((site.config.organization or site.config.title, base_url),),
        summary=essay.summary,
        content=str(essay.html),
        categories=essay.tags,
    )


def _updated(site: Site, essays: tuple[Essay, ...], fallbacks: list[dt.date | None]) -> str:
    """Return the newest essay's date, else the newest roundtable date, else SOURCE_DATE_EPOCH."""
    dates = [date for essay in essays if (date := site.date_of(essay))]
    dates = dates or [date for date in fallbacks if date]
    if dates:
        return _timestamp(max(dates))
    # Atom requires <updated>: with no date anywhere, the reproducible-builds convention.
    # The pipeline puts the variable in every page's fingerprint, so a change re-renders feeds.
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    epoch = min(int(raw), LAST_EPOCH) if raw.isdigit() else 0
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


LAST_EPOCH = 253402300799
"""9999-12-31T23:59:59Z: later epochs are clamped (a timestamp has four digits of year)."""


def _timestamp(date: dt.date) -> str:
    """Return a date as an RFC 3339 timestamp at midnight UTC."""
    return f"{date.isoformat()}T00:00:00Z"
