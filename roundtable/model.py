"""The typed model of a site: frozen values that every stage reads; imports nothing of ours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


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
    body: str = ""
    """The introduction, in Markdown."""
    body_line: int = 1
    """File line on which the body starts, for locating mistakes in it."""
    html: str = ""
    """The introduction rendered to HTML."""


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
    """Who wrote it, in byline order."""
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
    body: str = ""
    """The essay in Markdown."""
    body_line: int = 1
    """File line on which the body starts, for locating mistakes in it."""
    html: str = ""
    """The essay rendered to HTML."""


@dataclass(frozen=True)
class Author:
    """A person and everything they wrote on the site: the author page's subject."""

    person: Person
    """Name, affiliation and bio (from their most recent essay)."""
    essays: tuple[str, ...]
    """Slugs of their essays, newest first."""


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
    """Other files under `content/`, relative paths copied as they are."""

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
