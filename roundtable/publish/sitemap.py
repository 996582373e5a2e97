"""sitemap.xml and robots.txt: every published page by absolute URL, for search engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from roundtable import urls
from roundtable.model import Site


class SitemapEntry(NamedTuple):
    """One page in the sitemap (a tuple: a big site has thousands, hashed on every build)."""

    url: str
    """Absolute URL."""
    lastmod: str
    """W3C date of the newest content on the page; empty when none is dated."""


def sitemap_entries(site: Site, paths: Iterable[str]) -> tuple[SitemapEntry, ...]:
    """Return a sitemap entry for each page path, except the 404 page, which is no page."""
    dates = _page_dates(site)
    return tuple(
        SitemapEntry(urls.absolute(site.config.base_url, path), _w3c(dates.get(path)))
        for path in paths
        if path != urls.NOT_FOUND
    )


def _page_dates(site: Site) -> dict[str, dt.date]:
    """Return the newest date shown on each page that shows one."""
    dates: dict[str, dt.date] = {}
    for roundtable in site.roundtables:
        if roundtable.date:
            _keep_newest(dates, [urls.page_of(roundtable), urls.HOME], roundtable.date)
    for essay in site.essays:
        if date := site.date_of(essay):
            pages = [urls.page_of(essay), urls.roundtable(essay.roundtable), urls.HOME]
            _keep_newest(dates, pages + [urls.page_of(person) for person in essay.authors], date)
    return dates


def _keep_newest(dates: dict[str, dt.date], pages: list[str], date: dt.date) -> None:
    """Record a date for each page unless the page already has a newer one."""
    for page in pages:
        dates[page] = max(date, dates.get(page, date))


def _w3c(date: dt.date | None) -> str:
    """Return a date as the sitemap protocol writes it (YYYY-MM-DD), or ''."""
    return date.isoformat() if date else ""
