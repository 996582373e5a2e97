"""Turn validated front matter into the site: slugs, roundtables, the disclaimer cascade, order,
authors, and every cross-file check (unknown roundtables, duplicate slugs, missing images)."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from roundtable.discover import Sources
from roundtable.errors import ContentError
from roundtable.frontmatter import Document, Key
from roundtable.images import NotAnImage, measure
from roundtable.model import Author, Essay, Image, Person, Roundtable, Site, SiteConfig
from roundtable.schema import EssayFields, ImageFields, PersonFields, RoundtableFields, validate
from roundtable.slugs import make_slug

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Parsed:
    """A source file that was read: its document and where it lives in content/."""

    rel: str
    """Path relative to the content folder."""
    doc: Document
    """Front matter and body."""


def assemble(
    config: SiteConfig,
    sources: Sources,
    roundtable_docs: list[Parsed],
    essay_docs: list[Parsed],
    *,
    drafts: bool = False,
) -> tuple[Site, list[ContentError]]:
    """Validate every document and gather the site; return it with every mistake found."""
    errors: list[ContentError] = []
    checker = _Checker(sources, errors)
    roundtables = [r for r in (checker.roundtable(p) for p in roundtable_docs) if r]
    essays = [e for e in (checker.essay(p) for p in essay_docs) if e]
    _check_duplicates(roundtables, "roundtable", errors)
    _check_duplicates(essays, "essay", errors)
    by_slug = {r.slug: r for r in roundtables}
    essays = [e for e in essays if _check_roundtable(e, by_slug, checker.docs[e.source], errors)]
    essays = [_with_disclaimer(e, by_slug[e.roundtable], config) for e in essays]
    published = [e for e in essays if drafts or not e.draft]
    ordered_roundtables = sorted(roundtables, key=_newest_first)
    site = Site(
        config=config,
        roundtables=tuple(ordered_roundtables),
        essays=_reading_order(published, ordered_roundtables),
        authors=_gather_authors(published),
        static_files=sources.static,
    )
    return site, errors


class _Checker:
    """Validates one document at a time, collecting errors and remembering each document."""

    def __init__(self, sources: Sources, errors: list[ContentError]) -> None:
        self.sources = sources
        self.errors = errors
        self.docs: dict[str, Document] = {}
        self.static = frozenset(sources.static)

    def roundtable(self, parsed: Parsed) -> Roundtable | None:
        """Return the Roundtable a document describes, or None after recording its errors."""
        doc = parsed.doc
        self.docs[doc.display] = doc
        fields, errors = validate(RoundtableFields, doc)
        self.errors.extend(errors)
        slug = self._file_slug(parsed)
        if fields is None or slug is None:
            return None
        image = self._image(doc, fields.image)
        return Roundtable(
            slug=slug,
            title=fields.title,
            short_title=fields.short_title or fields.title,
            source=doc.display,
            path=parsed.rel,
            date=fields.date,
            editors=tuple(_person(p) for p in fields.editors),
            summary=fields.summary,
            disclaimer=fields.disclaimer,
            image=image,
            body=doc.body,
            body_line=doc.body_line,
        )

    def essay(self, parsed: Parsed) -> Essay | None:
        """Return the Essay a document describes, or None after recording its errors."""
        doc = parsed.doc
        self.docs[doc.display] = doc
        fields, errors = validate(EssayFields, doc)
        self.errors.extend(errors)
        if fields is None:
            return None
        slug = self._essay_slug(parsed, fields.slug)
        authors = self._authors(doc, fields)
        if slug is None or authors is None:
            return None
        return Essay(
            slug=slug,
            title=fields.title,
            roundtable=fields.roundtable,
            authors=authors,
            source=doc.display,
            path=parsed.rel,
            subtitle=fields.subtitle,
            date=fields.date,
            order=fields.order,
            summary=fields.summary,
            # "" marks `disclaimer: false` (omit) apart from None (not set: use the cascade).
            disclaimer=fields.disclaimer if fields.disclaimer is not False else "",
            image=self._image(doc, fields.image),
            tags=tuple(fields.tags),
            draft=fields.draft,
            extra=dict(fields.extra),
            body=doc.body,
            body_line=doc.body_line,
        )

    def _file_slug(self, parsed: Parsed) -> str | None:
        """Derive a slug from a file name, reporting names with no letters or digits."""
        slug = make_slug(posixpath.splitext(posixpath.basename(parsed.rel))[0])
        if not slug:
            self.errors.append(
                parsed.doc.error(
                    (),
                    "the file name has no letters or digits to make a URL from "
                    "(rename it, e.g. my-essay.md)",
                )
            )
            return None
        return slug

    def _essay_slug(self, parsed: Parsed, explicit: str | None) -> str | None:
        """Return the essay's slug: its `slug:` field if valid, else from the file name."""
        if explicit is None:
            return self._file_slug(parsed)
        slug = unicodedata.normalize("NFC", explicit)
        if SLUG.match(slug):
            return slug
        suggestion = make_slug(slug) or "my-essay"
        self.errors.append(
            parsed.doc.error(
                ("slug",),
                f"slug: '{explicit}' is not a valid URL name (use lower-case letters, digits and "
                f"hyphens, e.g. '{suggestion}')",
            )
        )
        return None

    def _authors(self, doc: Document, fields: EssayFields) -> tuple[Person, ...] | None:
        """Return the byline; a top-level affiliation or bio applies to a single author only."""
        people = [_person(p) for p in fields.author]
        if len(people) == 1:
            person = people[0]
            return (
                replace(
                    person,
                    affiliation=person.affiliation or fields.affiliation,
                    bio=person.bio or fields.bio,
                ),
            )
        for key in ("affiliation", "bio"):
            if getattr(fields, key):
                self.errors.append(
                    doc.error(
                        (key,),
                        f"{key}: applies to a single author (give each author "
                        f"their own: '- name: …' then '{key}: …' under it)",
                    )
                )
                return None
        return tuple(people)

    def _image(self, doc: Document, fields: ImageFields | None) -> Image | None:
        """Return the image with its size, reporting a path that is unsafe or missing."""
        if fields is None:
            return None
        key: Key = ("image", "src")
        src = _content_path(fields.src)
        if src is None or src not in self.static:
            self.errors.append(doc.error(key, _missing_image(fields.src)))
            return None
        try:
            width, height = measure(self.sources.root / src)
        except NotAnImage as exc:
            self.errors.append(doc.error(key, f"image.src: '{fields.src}': {exc}"))
            return None
        return Image(src, fields.alt, fields.caption, fields.credit, width, height)


def _content_path(value: str) -> str | None:
    """Normalise a path relative to content/, or None when it points outside it."""
    value = unicodedata.normalize("NFC", value.strip())
    if "\\" in value or "\x00" in value or value.startswith(("/", "~")) or ":" in value:
        return None
    path = posixpath.normpath(value)
    if path.startswith("..") or path == ".":
        return None
    return path


def _missing_image(src: str) -> str:
    """Explain where an image path must point."""
    return (
        f"image.src: '{src}' is not a file in the content folder (give the path from "
        "content/, e.g. images/photo.jpg)"
    )


def _person(fields: PersonFields) -> Person:
    """Return a Person with the slug of their author page."""
    return Person(
        name=fields.name,
        slug=make_slug(fields.name) or "author",
        affiliation=fields.affiliation,
        bio=fields.bio,
    )


def _check_duplicates(
    items: Iterable[Roundtable | Essay], kind: str, errors: list[ContentError]
) -> None:
    """Report every slug used by two files, naming both."""
    first: dict[str, str] = {}
    for item in items:
        if item.slug in first:
            errors.append(
                ContentError(
                    item.source,
                    1,
                    f"duplicate {kind} slug '{item.slug}': "
                    f"{first[item.slug]} has it too (rename one file or give it a "
                    "different 'slug:')",
                )
            )
        else:
            first[item.slug] = item.source


def _check_roundtable(
    essay: Essay, roundtables: Mapping[str, Roundtable], doc: Document, errors: list[ContentError]
) -> bool:
    """Report an essay whose roundtable does not exist, with the closest slug."""
    if essay.roundtable in roundtables:
        return True
    close = difflib.get_close_matches(essay.roundtable, list(roundtables), n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else "roundtables: "
        + (", ".join(sorted(roundtables)) or "none yet; add content/roundtables/<slug>.md")
    )
    errors.append(doc.error(("roundtable",), f"unknown roundtable '{essay.roundtable}' ({hint})"))
    return False


def _with_disclaimer(essay: Essay, roundtable: Roundtable, config: SiteConfig) -> Essay:
    """Resolve the disclaimer cascade: the essay's, else its roundtable's, else the site's."""
    if essay.disclaimer is not None:
        return replace(essay, disclaimer=essay.disclaimer or None)
    if roundtable.disclaimer is not None:
        return replace(essay, disclaimer=roundtable.disclaimer or None)
    return replace(essay, disclaimer=config.disclaimer or None)


def _newest_first(roundtable: Roundtable) -> tuple[bool, int, str, str]:
    """Sort key: dated roundtables newest first, then by title and slug."""
    ordinal = -roundtable.date.toordinal() if roundtable.date else 0
    return (roundtable.date is None, ordinal, roundtable.title.casefold(), roundtable.slug)


def _reading_key(essay: Essay) -> tuple[bool, int, bool, dt.date, str, str]:
    """Sort key within a roundtable: order, then date, then title (and slug for full ties)."""
    return (
        essay.order is None,
        essay.order or 0,
        essay.date is None,
        essay.date or dt.date.min,
        essay.title.casefold(),
        essay.slug,
    )


def _reading_order(essays: list[Essay], roundtables: list[Roundtable]) -> tuple[Essay, ...]:
    """Group essays by roundtable (in home-page order), each group in reading order."""
    rank = {r.slug: i for i, r in enumerate(roundtables)}
    return tuple(sorted(essays, key=lambda e: (rank[e.roundtable], _reading_key(e))))


def _gather_authors(essays: list[Essay]) -> tuple[Author, ...]:
    """Return one Author per person, with their essays newest first."""
    written: dict[str, list[tuple[Essay, Person]]] = {}
    for essay in essays:
        for person in essay.authors:
            written.setdefault(person.slug, []).append((essay, person))
    authors = []
    for pairs in written.values():
        pairs.sort(key=lambda pair: (pair[0].date or dt.date.min, pair[0].slug), reverse=True)
        authors.append(Author(_latest_details(pairs), tuple(e.slug for e, _ in pairs)))
    return tuple(sorted(authors, key=lambda a: (a.person.name.casefold(), a.person.slug)))


def _latest_details(pairs: list[tuple[Essay, Person]]) -> Person:
    """Return the person as their newest essay describes them, filling gaps from older ones."""
    person = pairs[0][1]
    for _, older in pairs[1:]:
        person = replace(
            person,
            affiliation=person.affiliation or older.affiliation,
            bio=person.bio or older.bio,
        )
    return person
