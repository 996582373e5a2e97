"""The typed model of a site: frozen values that every stage reads; imports nothing of ours."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Self, TypeVar

Item = TypeVar("Item", bound="Essay | Roundtable | Person | Image")


class Text:
    """Text known by its hash, read only when something reads it: a body's Markdown or HTML.

    A build knows every body by its hash, which is all fingerprints and cache keys need: it reads
    a body's Markdown from its file only to convert it (200 MB at 10,000 essays, never held at
    once), and, with a cache on disk, a body's HTML only to render a page that shows it.
    Code reads `str(text)`: text not in hand is fetched each time, and kept by no Text (a worker
    that renders half the pages keeps none). Equal hashes mean equal text. The text may be held as
    UTF-8 bytes: HTML with typographic quotes is a string of two bytes a character in Python,
    twice its UTF-8 (100 MB more at 10,000 essays).
    """

    __slots__ = ("_fetch", "_text", "digest")

    def __init__(
        self,
        digest: str,
        text: str | bytes | None = None,
        fetch: Callable[[str], str | bytes] | None = None,
    ) -> None:
        if text is None and fetch is None:
            raise ValueError("a Text needs its text or a way to fetch it")
        self.digest = digest
        """Hash of the text."""
        self._text = text
        self._fetch = fetch

    @classmethod
    def of(cls, text: str) -> Self:
        """Return text that is at hand, known by its own hash."""
        return cls(text_digest(text), text)

    def __str__(self) -> str:
        text = self._text
        if text is None:
            assert self._fetch is not None
            text = self._fetch(self.digest)  # not kept: a fetcher keeps what it must (the cache)
        return text if isinstance(text, str) else text.decode("utf-8")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Text) and type(other) is type(self) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.digest[:12]}…)"

    def __reduce__(self) -> tuple[type[Text], tuple[str, str]]:
        return (type(self), (self.digest, str(self)))  # a copy elsewhere carries its text


class Html(Text):
    """A body rendered to HTML: templates take it as markup (`__html__`)."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(self)


def text_digest(text: str) -> str:
    """Return the hash text is known by."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


NO_HTML = Html.of("")
"""The HTML of a body not yet rendered."""
NO_TEXT = Text.of("")
"""An empty body."""


@dataclass(frozen=True)
class SiteConfig:
    """`content/site.yml`: what is true of the whole site."""

    title: str
    """The site's name, shown in every page header."""
    base_url: str
    """Absolute URL the site is published at; always ends with `/`."""
    tagline: str = ""
    """One line under the title on the home page."""
    language: str = "en"
    """BCP 47 code of the site's default language."""
    organization: str = ""
    """The publisher, named in footers and citations."""
    disclaimer: str = ""
    """Default disclaimer for every essay (Markdown, inline)."""
    allow_html: bool = False
    """Let raw HTML in Markdown through an allowlist sanitizer instead of escaping it."""
    search: bool = True
    """Build the full-text search index (Pagefind) with the site."""
    cms: bool = True
    """Publish the content editor (Decap CMS) under /admin/."""
    repo: str = ""
    """The site's GitHub repository, 'owner/name', which the content editor commits to."""
    branch: str = "main"
    """The branch the content editor commits to."""
    cms_auth: str = ""
    """The OAuth server the content editor signs in to GitHub through; empty: Netlify's."""


@dataclass(frozen=True)
class Person:
    """An author or editor."""

    name: str
    """Display name, as the person writes it."""
    slug: str
    """ASCII key of the person's author page."""
    affiliation: str = ""
    """Institution, shown beside the name."""
    bio: str = ""
    """One or two sentences (Markdown, inline) shown at the end of an essay."""
    orcid: str = ""
    """ORCID iD, '0000-0002-1825-0097'; empty when unknown."""
    family: str = ""
    """Family name as citations write it ('Peña Ibáñez'); empty: the last word of the name."""
    organization: bool = False
    """An organisation signs ('World Politics Review'): citations never invert its name."""


@dataclass(frozen=True)
class Variant:
    """A resized copy of an image, for `srcset`."""

    path: str
    """Output path, e.g. 'images/map.960w.webp'."""
    width: int
    """Pixel width."""
    mime: str
    """Media type, e.g. 'image/webp'."""


@dataclass(frozen=True)
class Image:
    """A picture from `content/` with its description and credit."""

    src: str
    """Path relative to `content/`, with forward slashes."""
    alt: str
    """Text for readers who cannot see the picture."""
    caption: str = ""
    """What the picture shows, for everyone."""
    credit: str = ""
    """Who made it."""
    width: int = 0
    """Pixel width, read from the file; 0 when unknown."""
    height: int = 0
    """Pixel height, read from the file; 0 when unknown."""
    variants: tuple[Variant, ...] = ()
    """Resized copies, smallest first, in the original format and in WebP."""

    def srcset(self, mime: str) -> tuple[Variant, ...]:
        """Return the variants of one media type, smallest first."""
        return tuple(v for v in self.variants if v.mime == mime)


@dataclass(frozen=True)
class Republication:
    """Where an essay first appeared, when the site republishes it."""

    name: str
    """The outlet, e.g. 'The Dallas Morning News'."""
    url: str = ""
    """The original's address; empty when it is not online ('Latin America Advisor, Oct. 11')."""
    date: dt.date | None = None
    """When it first appeared."""
    canonical: bool = False
    """Point search engines at the original instead of this copy."""


@dataclass(frozen=True)
class Link:
    """A link or picture in a body, as it is published."""

    url: str
    """The href or src, after content links were rewritten."""
    line: int
    """0-based line within the body."""
    is_image: bool
    """True for a picture, whose alt text must not be empty."""
    alt: str = ""
    """A picture's alt text."""
    written: str = ""
    """The link as the editor wrote it, for messages."""
    dropped: bool = False
    """True when its scheme is not allowed: it is published as plain text, not as a link."""


@dataclass(frozen=True)
class RawHtml:
    """A tag written in a body, which a site without `allow_html` shows as text."""

    line: int
    """0-based line within the body."""
    tag: str
    """The element's name in lower case ('b', 'br'), '!--' for a comment, '' for anything else
    (`<!DOCTYPE>`, `<?php`)."""


@dataclass(frozen=True)
class Roundtable:
    """A set of essays on one theme, introduced by its editors."""

    slug: str
    """ASCII key; essays name their roundtable by it."""
    title: str
    """Full title, e.g. 'Rethinking U.S.–Mexico Security Cooperation'."""
    short_title: str
    """Used in 'Return to <short_title>'."""
    source: str
    """The file it came from, as the user names it."""
    path: str = ""
    """The file it came from, relative to the content folder."""
    date: dt.date | None = None
    """Publication date."""
    editors: tuple[Person, ...] = ()
    """Who put the roundtable together."""
    summary: str = ""
    """Plain-text summary for the home page and metadata."""
    disclaimer: str | None = None
    """Default disclaimer for its essays; None defers to the site's."""
    image: Image | None = None
    """Hero image."""
    lang: str = ""
    """BCP 47 code of its language; empty: the site's."""
    translation_of: str = ""
    """Slug of the roundtable this one translates; empty for an original."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """File line of each front-matter key, for located warnings."""
    body: Text = NO_TEXT
    """The introduction, in Markdown."""
    body_line: int = 1
    """File line on which the body starts, for locating mistakes in it."""
    html: Html = NO_HTML
    """The introduction rendered to HTML."""
    pictures: tuple[str, ...] = ()
    """Content files its introduction shows as pictures (only these are decoded and resized)."""
    links: tuple[Link, ...] = ()
    """Every link and picture of its introduction, known once it is converted."""
    raw_html: tuple[RawHtml, ...] = ()
    """Raw HTML written in its introduction, shown as text: known once it is converted."""
    blank: bool = False
    """True when its introduction has no text: known once it is converted."""
    placeholder_lines: tuple[tuple[int, str], ...] = ()
    """Lines of placeholder text from `new` in its introduction (0-based, with the text): known
    once it is converted."""


@dataclass(frozen=True)
class Essay:
    """One author's (or several authors') contribution to a roundtable."""

    slug: str
    """ASCII key and URL segment, unique across the site."""
    title: str
    """The essay's title."""
    roundtable: str
    """Slug of the roundtable it belongs to."""
    authors: tuple[Person, ...]
    """Who wrote it, in byline order; empty for an unsigned piece."""
    source: str
    """The file it came from, as the user names it."""
    path: str = ""
    """The file it came from, relative to the content folder."""
    subtitle: str = ""
    """A second line under the title."""
    date: dt.date | None = None
    """Publication date."""
    order: int | None = None
    """Position in the roundtable; None sorts after numbered essays."""
    summary: str = ""
    """Plain-text summary; the first paragraph when not given."""
    disclaimer: str | None = None
    """The disclaimer shown at the end, after the cascade; None shows none."""
    image: Image | None = None
    """Hero image."""
    tags: tuple[str, ...] = ()
    """Topics."""
    draft: bool = False
    """Drafts are left out unless the build asks for them."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """A theme's own fields, passed through untouched."""
    lang: str = ""
    """BCP 47 code of its language; empty: its roundtable's, else the site's."""
    translation_of: str = ""
    """Slug of the essay this one translates; empty for an original."""
    republished: Republication | None = None
    """Where it first appeared, for a republished piece."""
    translators: tuple[Person, ...] = ()
    """Who translated it, for a piece written in another language first."""
    reading_minutes: int = 0
    """Minutes a reader takes, from the words of the body."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """File line of each front-matter key, for located warnings."""
    body: Text = NO_TEXT
    """The essay in Markdown."""
    body_line: int = 1
    """File line on which the body starts, for locating mistakes in it."""
    html: Html = NO_HTML
    """The essay rendered to HTML."""
    pictures: tuple[str, ...] = ()
    """Content files its body shows as pictures (only these are decoded and resized)."""
    links: tuple[Link, ...] = ()
    """Every link and picture of its body, known once it is converted."""
    raw_html: tuple[RawHtml, ...] = ()
    """Raw HTML written in its body, shown as text: known once it is converted."""
    blank: bool = False
    """True when its body has no text: known once it is converted."""
    placeholder_lines: tuple[tuple[int, str], ...] = ()
    """Lines of placeholder text from `new` in its body (0-based, with the text): known once it
    is converted."""


@dataclass(frozen=True)
class Author:
    """A person and everything they wrote on the site: the author page's subject."""

    person: Person
    """Name, affiliation and bio (from their most recent essay)."""
    essays: tuple[str, ...]
    """Slugs of their essays, newest first."""


@dataclass(frozen=True)
class Topic:
    """A tag, as a page listing the essays that carry it across roundtables."""

    name: str
    """The tag as editors write it (its first spelling in reading order)."""
    slug: str
    """ASCII key of its page."""
    essays: tuple[str, ...]
    """Slugs of its essays, newest first."""


def reading_key(essay: Essay) -> tuple[bool, int, bool, dt.date, str, str]:
    """Sort key within a roundtable: order, then date, then title (and slug for full ties)."""
    return (
        essay.order is None,
        essay.order or 0,
        essay.date is None,
        essay.date or dt.date.min,
        essay.title.casefold(),
        essay.slug,
    )


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, gathered and validated."""

    config: SiteConfig
    """`site.yml`."""
    roundtables: tuple[Roundtable, ...]
    """Newest first."""
    essays: tuple[Essay, ...]
    """Grouped by roundtable, each group in reading order."""
    authors: tuple[Author, ...]
    """Sorted by name."""
    static_files: tuple[str, ...] = ()
    """Other files under `content/`, copied as they are: relative paths, in Unicode NFC."""
    topics: tuple[Topic, ...] = ()
    """Every tag, sorted by name."""
    static_on_disk: Mapping[str, str] = field(default_factory=dict)
    """The name on disk of each static file named otherwise than in NFC (a macOS-style, NFD
    checkout), by its NFC name: the file is read from there, and published under the other."""
    left_out: tuple[str, ...] = ()
    """Markdown files (relative to `content/`) left out for a mistake, their own or their
    roundtable's: empty unless the build is about to fail. A link to one is not broken."""

    def static_source(self, content: Path, rel: str) -> Path:
        """Return the file on disk that a static file (by its NFC name) is copied from."""
        return content / self.static_on_disk.get(rel, rel)

    # cached_property writes to the instance __dict__ directly, so it works on frozen
    # dataclasses; the indexes keep lookups O(1) on sites with thousands of essays.
    @cached_property
    def _roundtables_by_slug(self) -> dict[str, Roundtable]:
        return {r.slug: r for r in self.roundtables}

    @cached_property
    def _essays_by_slug(self) -> dict[str, Essay]:
        return {e.slug: e for e in self.essays}

    @cached_property
    def _essays_by_roundtable(self) -> dict[str, tuple[Essay, ...]]:
        groups: dict[str, list[Essay]] = {r.slug: [] for r in self.roundtables}
        for essay in self.essays:
            groups[essay.roundtable].append(essay)
        return {slug: tuple(group) for slug, group in groups.items()}

    def roundtable(self, slug: str) -> Roundtable:
        """Return the roundtable with this slug."""
        return self._roundtables_by_slug[slug]

    def essay(self, slug: str) -> Essay:
        """Return the essay with this slug."""
        return self._essays_by_slug[slug]

    def essays_in(self, roundtable: str) -> tuple[Essay, ...]:
        """Return a roundtable's essays in reading order."""
        return self._essays_by_roundtable.get(roundtable, ())

    def language_of(self, item: Essay | Roundtable) -> str:
        """Return the BCP 47 code an essay or roundtable is written in."""
        return item.lang or self.config.language

    def versions(self, item: Essay | Roundtable) -> tuple[Essay | Roundtable, ...]:
        """Return an item and its translations: the original first, then by language."""
        return self._versions.get(self._original_slug(item), (item,))

    def original(self, item: Essay | Roundtable) -> Essay | Roundtable:
        """Return the essay or roundtable an item translates, or the item itself."""
        return self.versions(item)[0]

    def in_language(self, item: Essay | Roundtable, language: str) -> Essay | Roundtable | None:
        """Return the version of an item in a language, if there is one."""
        return next((v for v in self.versions(item) if self.language_of(v) == language), None)

    def roundtable_of(self, essay: Essay) -> Roundtable:
        """Return the roundtable an essay is read in: the one it names, in the essay's language."""
        named = self.roundtable(essay.roundtable)
        shown = self.in_language(named, self.language_of(essay))
        return shown if isinstance(shown, Roundtable) else named

    def date_of(self, essay: Essay) -> dt.date | None:
        """Return the one date an essay is shown, cited and listed with: its own, else that of
        the roundtable it is read in."""
        return essay.date or self.roundtable_of(essay).date

    @cached_property
    def _reading_lists(self) -> dict[str, tuple[Essay, ...]]:
        return {}

    def reading_list(self, roundtable: str) -> tuple[Essay, ...]:
        """Return the essays of a roundtable and its translations, each once, in reading order.

        A translated essay is listed as its original; a page shows the version in its own
        language where there is one (see `in_language`). Made once per roundtable: every page
        of a roundtable asks for it.
        """
        known = self._reading_lists.get(roundtable)
        if known is None:
            known = self._reading_lists[roundtable] = self._make_reading_list(roundtable)
        return known

    @cached_property
    def _reading_lists_in(self) -> dict[tuple[str, str], tuple[Essay, ...]]:
        """Reading lists in a language, by (roundtable, language)."""
        return {}

    def reading_list_in(self, roundtable: str, language: str) -> tuple[Essay, ...]:
        """Return a roundtable's reading list, each essay in `language` where it is translated.

        Every essay page of a roundtable shows this list: it is made once per language.
        """
        known = self._reading_lists_in.get((roundtable, language))
        if known is None:
            known = tuple(
                _essay(self.in_language(work, language) or work)
                for work in self.reading_list(roundtable)
            )
            self._reading_lists_in[(roundtable, language)] = known
        return known

    def _make_reading_list(self, roundtable: str) -> tuple[Essay, ...]:
        """Return the essays of a roundtable and its translations, each once, in reading order."""
        group = {r.slug for r in self.versions(self.roundtable(roundtable))}
        works: dict[str, Essay] = {}
        for slug in sorted(group):
            for essay in self.essays_in(slug):
                original = self.original(essay)
                assert isinstance(original, Essay)
                work = original if original.roundtable in group else essay
                works.setdefault(work.slug, work)
        return tuple(sorted(works.values(), key=reading_key))

    def _original_slug(self, item: Essay | Roundtable) -> tuple[str, str]:
        """Return the kind and slug of the original of an item (itself when it is one)."""
        kind = "essay" if isinstance(item, Essay) else "roundtable"
        known = self._essays_by_slug if kind == "essay" else self._roundtables_by_slug
        seen = {item.slug}
        while item.translation_of in known and item.translation_of not in seen:
            seen.add(item.translation_of)
            item = known[item.translation_of]
        return kind, item.slug

    @cached_property
    def _versions(self) -> dict[tuple[str, str], tuple[Essay | Roundtable, ...]]:
        groups: dict[tuple[str, str], list[Essay | Roundtable]] = {}
        items: tuple[Essay | Roundtable, ...] = (*self.roundtables, *self.essays)
        for item in items:
            groups.setdefault(self._original_slug(item), []).append(item)
        return {
            key: tuple(sorted(items, key=lambda v: (v.slug != key[1], self.language_of(v), v.slug)))
            for key, items in groups.items()
        }


def _essay(item: Essay | Roundtable) -> Essay:
    """Narrow a version of an essay to Essay (versions of an essay are essays)."""
    assert isinstance(item, Essay)
    return item


def evolve(item: Item, **changes: Any) -> Item:
    """Return an essay, roundtable, person or image with some fields changed: the item itself
    when nothing changes (so what was made from it still holds), else dataclasses.replace's."""
    unknown = set(changes) - set(item.__dataclass_fields__)
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {min(unknown)!r}")
    if all(getattr(item, name) == value for name, value in changes.items()):
        return item
    return replace(item, **changes)
