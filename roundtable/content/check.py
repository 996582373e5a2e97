"""`check`: everything a build validates, plus what only a careful reader would notice:
links and anchors that lead nowhere, images without alt text, empty bodies, future dates and
roundtables without essays."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from roundtable import urls
from roundtable.errors import ContentError
from roundtable.model import Essay, Link, Roundtable, Site


@dataclass(frozen=True)
class Findings:
    """What check found beyond the build's own errors."""

    errors: list[ContentError]
    """Mistakes: a broken link, a missing alt text, an empty body."""
    warnings: list[ContentError]
    """Things to look at: a future date, a roundtable with no essays."""


def check_site(
    site: Site, outputs: Collection[str], page: Callable[[str], bytes | None], today: dt.date
) -> Findings:
    """Inspect a site about to be published for broken links and other reader-facing problems.

    `outputs` are the paths of every file the site has; `page` gives the bytes of a page among
    them (None for a file copied as it is), to look for the anchor a link names.
    """
    resolver = _Resolver(outputs, page)
    errors: list[ContentError] = []
    warnings = _warnings(site, today)
    items: list[Roundtable | Essay] = [*site.roundtables, *site.essays]
    for item in items:
        for problem, is_error in _body_problems(item, resolver):
            (errors if is_error else warnings).append(problem)
    return Findings(sorted(errors), sorted(warnings))


def _body_problems(
    item: Roundtable | Essay, resolver: _Resolver
) -> list[tuple[ContentError, bool]]:
    """Return the broken links, alt-less images and emptiness of one body (errors), and the
    links dropped for their scheme (warnings), each with True for an error."""
    problems = []
    if isinstance(item, Essay) and not str(item.body).strip():
        problems.append(
            (
                ContentError(
                    item.source,
                    item.body_line,
                    "the essay has no text (write it below the closing '---')",
                ),
                True,
            )
        )
    page = urls.page_of(item)
    for link in item.links:
        message = _link_problem(link, page, resolver)
        if message:
            line = item.body_line + link.line
            problems.append((ContentError(item.source, line, message), not link.dropped))
    return problems


def _link_problem(link: Link, page: str, resolver: _Resolver) -> str | None:
    """Say what is wrong with one link or image, if anything."""
    if link.dropped:
        return (
            f"'{link.written}' is published as plain text, not as a link: only http, https, "
            "mailto and relative links are kept (link to a web page or another content file)"
        )
    if link.is_image and not link.alt.strip():
        written = link.written
        return f"image '{written}' has no alt text (describe it: ![what it shows]({written}))"
    parts = urlsplit(link.url)
    if parts.scheme or parts.netloc or link.url.startswith("/"):
        return None
    kind = "image" if link.is_image else "link"
    target = page if not parts.path else _join(page, unquote(parts.path))
    if target is None or not resolver.exists(target):
        return f"{kind} '{link.written}' leads to no page or file of the site " + (
            "(check the path from this file, e.g. ../images/photo.jpg)"
            if link.is_image
            else "(link to the Markdown file, e.g. other-essay.md)"
        )
    if parts.fragment and not resolver.has_anchor(target, unquote(parts.fragment)):
        return (
            f"{kind} '{link.written}': no heading or anchor '#{parts.fragment}' on that page "
            "(check the heading's spelling)"
        )
    return None


def _join(page: str, path: str) -> str | None:
    """Resolve a relative URL against a page path; None when it climbs above the site."""
    base = page if page.endswith("/") or page == "" else posixpath.dirname(page) + "/"
    joined = posixpath.normpath(posixpath.join("/" + base, path))
    if not joined.startswith("/"):
        return None
    target = joined.lstrip("/")
    if path.endswith("/") and target:
        target += "/"
    return target


def _warnings(site: Site, today: dt.date) -> list[ContentError]:
    """Return the site's warnings: future dates, roundtables with no essays, unpaired
    translations."""
    found = []
    for essay in site.essays:
        if essay.date and essay.date > today:
            found.append(
                ContentError(
                    essay.source, 0, f"date {essay.date} is in the future (check the year)"
                )
            )
    for roundtable in site.roundtables:
        if roundtable.date and roundtable.date > today:
            found.append(
                ContentError(
                    roundtable.source,
                    0,
                    f"date {roundtable.date} is in the future (check the year)",
                )
            )
        if not site.reading_list(roundtable.slug):
            found.append(
                ContentError(
                    roundtable.source, 0, "the roundtable has no essays yet (its page will say so)"
                )
            )
    found.extend(_translation_warnings(site))
    return found


def _translation_warnings(site: Site) -> Iterator[ContentError]:
    """Yield a warning for each translation that pairs with nothing, or with the wrong thing."""
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    for item in items:
        if item.translation_of:
            problem = _translation_problem(site, item)
            if problem:
                line = item.lines.get("translation_of", 0)
                yield ContentError(item.source, line, f"translation_of: {problem}")


def _translation_problem(site: Site, item: Essay | Roundtable) -> str | None:
    """Say what is wrong with a translation's pairing, if anything."""
    kind = "essay" if isinstance(item, Essay) else "roundtable"
    peers = [e.slug for e in site.essays] if kind == "essay" else [r.slug for r in site.roundtables]
    wanted = item.translation_of
    if wanted not in peers or wanted == item.slug:
        close = difflib.get_close_matches(wanted, [p for p in peers if p != item.slug], n=1)
        hint = f"did you mean '{close[0]}'?" if close else "give the slug of the original"
        return f"no published {kind} '{wanted}' to translate ({hint})"
    original = site.original(item)
    target = site.essay(wanted) if isinstance(item, Essay) else site.roundtable(wanted)
    if target.translation_of and original.slug != wanted:
        return f"'{wanted}' is itself a translation (name the original, '{original.slug}')"
    if site.language_of(original) == site.language_of(item):
        return (
            f"'{wanted}' is in the same language, {site.language_of(item)} "
            "(set lang: to this translation's language)"
        )
    if isinstance(item, Essay) and isinstance(original, Essay):
        group = {r.slug for r in site.versions(site.roundtable(original.roundtable))}
        if item.roundtable not in group:
            return (
                f"the original is in roundtable '{original.roundtable}', this translation in "
                f"'{item.roundtable}' (use roundtable: {original.roundtable}, or a translation "
                "of it)"
            )
    return None


class _Resolver:
    """Answers whether a site path exists, and which ids a page has."""

    def __init__(self, outputs: Collection[str], page: Callable[[str], bytes | None]) -> None:
        self.outputs = outputs
        self.page = page
        self.ids: dict[str, frozenset[str]] = {}
        """The ids of each page looked into, by output path."""

    def _file(self, target: str) -> str | None:
        """Return the output file a site path is served from, if any."""
        for candidate in (urls.output_file(target), target, target.rstrip("/") + "/index.html"):
            if candidate in self.outputs:
                return candidate
        return None

    def exists(self, target: str) -> bool:
        """Return True when a site path names a page or file."""
        return self._file(target) is not None

    def has_anchor(self, target: str, anchor: str) -> bool:
        """Return True when the page at a site path has an element with this id."""
        name = self._file(target)
        if name is None:
            return False
        if name not in self.ids:
            page = self.page(name)
            self.ids[name] = _ids(page) if page is not None else frozenset()
        return anchor in self.ids[name]


def _ids(page: bytes) -> frozenset[str]:
    """Return every id in an HTML page."""
    collector = _IdCollector()
    collector.feed(page.decode("utf-8"))
    return frozenset(collector.ids)


class _IdCollector(HTMLParser):
    """Collects the id attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(value for name, value in attrs if name == "id" and value)
