"""`check`: everything a build validates, plus what only a careful reader would notice:
links and anchors that lead nowhere, images without alt text, empty bodies, future dates and
roundtables without essays."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from roundtable import urls
from roundtable.content.placeholders import placeholders_left
from roundtable.errors import ContentError
from roundtable.model import Essay, Link, RawHtml, Roundtable, Site


@dataclass(frozen=True)
class Findings:
    """What check found beyond the build's own errors."""

    errors: list[ContentError]
    """Mistakes: a broken link, a missing alt text, an empty body."""
    warnings: list[ContentError]
    """Things to look at: a future date, a roundtable with no essays."""


def check_site(
    site: Site,
    outputs: Collection[str],
    page: Callable[[str], bytes | None],
    today: dt.date,
) -> Findings:
    """Inspect a site about to be published for broken links and other reader-facing problems.

    `outputs` are the paths of every file the site has; `page` gives the bytes of a page among
    them (None for a file copied as it is), to look for the anchor a link names. A link to a
    file the site left out for a mistake (`Site.left_out`) is not broken, only waiting for that
    file to be mended.
    """
    items: list[Roundtable | Essay] = [*site.roundtables, *site.essays]
    resolver = _Resolver(outputs, page, [item.path for item in items], site.left_out)
    errors: list[ContentError] = []
    warnings = _warnings(site, today)
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
    if isinstance(item, Essay) and item.blank:
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
    problems.extend((warning, False) for warning in raw_html_warnings(item))
    page = urls.page_of(item)
    for link in item.links:
        message = _link_problem(link, page, resolver, item.path)
        if message:
            line = item.body_line + link.line
            problems.append((ContentError(item.source, line, message), not link.dropped))
    return problems


def _link_problem(link: Link, page: str, resolver: _Resolver, source: str) -> str | None:
    """Say what is wrong with one link or image in the file `source`, if anything."""
    if link.dropped:
        return (
            f"'{link.written}' is published as plain text, not as a link: only http, https, "
            "mailto and relative links are kept (link to a web page or another content file)"
        )
    if link.is_image and not link.alt.strip():
        written = link.written
        return f"image '{written}' has no alt text (describe it: ![what it shows]({written}))"
    relative = relative_parts(link.url)
    if relative is None:
        return None
    path, fragment = relative
    kind = "image" if link.is_image else "link"
    target = page if not path else _join(page, unquote(path))
    if target is None or not resolver.exists(target):
        if resolver.left_out(source, unquote(path)):
            return None
        nearest = nearest_file(unquote(path), source, resolver.markdown_files)
        fix = _fix(link, nearest)
        return f"{kind} '{link.written}' leads to no page or file of the site ({fix})"
    if fragment and not resolver.has_anchor(target, unquote(fragment)):
        return (
            f"{kind} '{link.written}': no heading or anchor '#{fragment}' on that page "
            "(check the heading's spelling)"
        )
    return None


def relative_parts(url: str) -> tuple[str, str] | None:
    """Return the path and fragment of a URL relative to its page, as urlsplit finds them;
    None for one with a scheme, a host or a path from the site's root.

    A link without ':' has no scheme, and without a leading '/' neither host nor root: split at
    '#' and '?' as urlsplit splits it, without its cost (a third of checking 150,000 links).
    """
    if ":" in url or url.startswith("/") or not url.isprintable() or url != url.strip():
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("/"):
            return None
        return parts.path, parts.fragment
    before, _, fragment = url.partition("#")
    return before.partition("?")[0], fragment


def _fix(link: Link, nearest: str | None) -> str:
    """Say how to mend a link or image that leads nowhere."""
    if link.is_image:
        return "check the path from this file, e.g. ../images/photo.jpg"
    if nearest:
        return f"did you mean '{nearest}'?"
    return "link to the Markdown file, e.g. other-essay.md"


_MARKDOWN_FOR = {
    **dict.fromkeys(("b", "strong"), "**bold**"),
    **dict.fromkeys(("i", "em", "cite"), "*italics*"),
    "a": "[the words](https://example.org/page)",
    "img": "![what it shows](../images/photo.jpg)",
    "br": "a backslash \\ at the end of the line",
    "p": "a blank line between paragraphs",
    **dict.fromkeys([f"h{level}" for level in range(1, 7)], "## Heading"),
    **dict.fromkeys(("ul", "li"), "a line per item starting with '- '"),
    "ol": "a line per item starting with '1. '",
    "blockquote": "'> ' in front of each quoted line",
    "sup": "[^1] for a footnote, and '[^1]: the note' below",
    "hr": "a line '***'",
    "code": "`code` in backticks",
    "pre": "a line '```' before and after",
    "table": "a Markdown table: | heading | heading |",
    **dict.fromkeys(("div", "span", "font"), "the text alone, without the tags"),
}
"""How to write in Markdown what an HTML element does."""


def raw_html_warnings(item: Roundtable | Essay) -> list[ContentError]:
    """Return a warning for each line of a body with raw HTML, which is published as text."""
    return [_raw_html_warning(item, raw) for raw in item.raw_html]


def _raw_html_warning(item: Roundtable | Essay, raw: RawHtml) -> ContentError:
    """Say that raw HTML is shown as text, tags and all, and how to write it in Markdown."""
    line = item.body_line + raw.line
    if raw.tag == "!--":
        message = "an HTML comment is published as text (delete it: Markdown has no comments)"
        return ContentError(item.source, line, message)
    shown = f"<{raw.tag}>" if raw.tag else "HTML"
    markdown = _MARKDOWN_FOR.get(raw.tag)
    fix = f"write it in Markdown: {markdown}" if markdown else "write it in Markdown instead"
    return ContentError(
        item.source,
        line,
        f"raw {shown} is published as text, tags and all ({fix}; docs/editing.md shows how)",
    )


def nearest_file(written: str, source: str, known: Iterable[str]) -> str | None:
    """Return the Markdown file closest to a broken link to one, as the file `source` would
    write it; None when the link is to no Markdown file or none is close."""
    if not written.endswith(".md"):
        return None
    folder = posixpath.dirname(source) or "."
    # Compared without '.md', which every candidate shares and would make any two look alike.
    stems = [posixpath.relpath(path, folder)[:-3] for path in known if path != source]
    close = difflib.get_close_matches(posixpath.normpath(written)[:-3], stems, n=1, cutoff=0.6)
    return close[0] + ".md" if close else None


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
    """Return the site's warnings: future dates, placeholders left from `new`, roundtables
    with no essays, unpaired translations."""
    items: list[Roundtable | Essay] = [*site.roundtables, *site.essays]
    found = [_future(item) for item in items if item.date and item.date > today]
    found.extend(warning for item in items for warning in placeholders_left(item))
    for roundtable in site.roundtables:
        if not site.reading_list(roundtable.slug):
            found.append(
                ContentError(
                    roundtable.source, 0, "the roundtable has no essays yet (its page will say so)"
                )
            )
    found.extend(_translation_warnings(site))
    return found


def _future(item: Roundtable | Essay) -> ContentError:
    """Return the warning for a date in the future, at the `date:` line."""
    line = item.lines.get("date", 0)
    return ContentError(item.source, line, f"date {item.date} is in the future (check the year)")


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

    def __init__(
        self,
        outputs: Collection[str],
        page: Callable[[str], bytes | None],
        markdown_files: list[str],
        left_out: Collection[str] = (),
    ) -> None:
        self.outputs = outputs
        self.left_out_files = frozenset(left_out)
        """Markdown files left out of the site for a mistake."""
        self.page = page
        self.ids: dict[str, frozenset[str]] = {}
        """The ids of each page looked into, by output path."""
        self.markdown_files = markdown_files
        """Each essay and roundtable file, relative to content/: what a broken link may have
        meant."""

    def _file(self, target: str) -> str | None:
        """Return the output file a site path is served from, if any."""
        for candidate in (urls.output_file(target), target, target.rstrip("/") + "/index.html"):
            if candidate in self.outputs:
                return candidate
        return None

    def left_out(self, source: str, written: str) -> bool:
        """Return True when a path written in the file `source` names a Markdown file left out
        of the site for a mistake."""
        named = posixpath.normpath(posixpath.join(posixpath.dirname(source), written))
        return named in self.left_out_files

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
