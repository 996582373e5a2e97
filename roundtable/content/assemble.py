"""Turn validated front matter into the site: slugs, roundtables, the disclaimer cascade, order,
authors, and every cross-file check (unknown roundtables, duplicate slugs, missing images)."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from xml.etree import ElementTree

from roundtable import urls
from roundtable.content.discover import Sources
from roundtable.content.frontmatter import Document, Key
from roundtable.content.people import (
    Directory,
    family_problem,
    with_details,
)
from roundtable.content.served import active_type
from roundtable.errors import ContentError
from roundtable.model import (
    Author,
    Essay,
    Image,
    Person,
    Republication,
    Roundtable,
    Site,
    SiteConfig,
    Text,
    Topic,
    evolve,
    reading_key,
    text_digest,
)
from roundtable.render.images import NotAnImage, measure
from roundtable.render.markdown import is_safe_url
from roundtable.slugs import make_slug

if TYPE_CHECKING:
    from roundtable.content.schema import EssayFields, ImageFields, PersonFields, SourceFields

Placed = TypeVar("Placed", Roundtable, Essay)
"""A roundtable or an essay, and the same kind back."""

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 100
"""Keeps every output path well inside file systems' 255-byte names."""
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)]
)
"""Names a Windows checkout or host cannot hold as a folder."""
_SVG_ACTIVE_TAGS = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler"})
_SVG_LINK_ATTRIBUTES = frozenset({"href", "src", "values", "to", "from", "by"})
WORDS_PER_MINUTE = 230
"""An adult's silent reading speed for non-fiction, as reading-time labels usually assume."""
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


class SourceFile:
    """A source file, known by the hash of its bytes and parsed only when first asked.

    A file whose checked item is remembered is never parsed at all: its front matter is needed
    only to check it again.
    """

    def __init__(
        self,
        rel: str,
        digest: str,
        read: Callable[[], Document | ContentError],
        reread: Callable[[str], str],
    ) -> None:
        self.rel = rel
        """Path relative to the content folder."""
        self.digest = digest
        """Hash of the file's name and bytes: what the file is remembered by ("": nothing)."""
        self._read = read
        self.reread = reread
        """Reads the body again from the file, given the hash of its text (see text_of)."""
        self._document: Document | ContentError | None = None

    def document(self) -> Document | ContentError:
        """Return the front matter and body, or the mistake that stops them being read."""
        if self._document is None:
            self._document = self._read()
        return self._document


def assemble(
    config: SiteConfig,
    directory: Directory,
    sources: Sources,
    roundtable_docs: list[SourceFile],
    essay_docs: list[SourceFile],
    *,
    drafts: bool = False,
    check: Check | None = None,
) -> tuple[Site, list[ContentError]]:
    """Validate every document and gather the site; return it with every mistake found.

    `check` checks one document (DocumentChecker's, unless another is given: one that remembers
    what checking gave in earlier builds, say).
    """
    errors: list[ContentError] = list(_static_errors(sources))
    check = check or DocumentChecker(sources, directory).check

    def checked(kind: str, parsed: SourceFile) -> Roundtable | Essay | None:
        item, found = check(kind, parsed)
        errors.extend(found)
        return item

    read = [(p, checked("roundtable", p)) for p in roundtable_docs]
    roundtables = [
        evolve(r, lang=r.lang or config.language) for _, r in read if isinstance(r, Roundtable)
    ]
    unread = {_slug_of_file(p.rel) for p, r in read if r is None}
    essays = [e for e in (checked("essay", p) for p in essay_docs) if isinstance(e, Essay)]
    roundtables = _without_duplicates(roundtables, "roundtable", errors)
    _check_short_titles(roundtables, errors)
    essays = _without_duplicates(essays, "essay", errors)
    by_slug = {r.slug: r for r in roundtables}
    essays = [e for e in essays if _check_roundtable(e, by_slug, unread, errors)]
    essays = [_settled(e, by_slug, config) for e in essays]
    present = {r.path for r in roundtables} | {e.path for e in essays}
    documents = (_nfc(p.rel) for p in [*roundtable_docs, *essay_docs])
    left_out = tuple(sorted(rel for rel in documents if rel not in present))
    published = [e for e in essays if drafts or not e.draft]
    ordered_roundtables = sorted(roundtables, key=_newest_first)
    site = Site(
        config=config,
        roundtables=tuple(ordered_roundtables),
        essays=_reading_order(published, ordered_roundtables),
        authors=_gather_authors(published, config.language),
        static_files=sources.static,
        topics=_gather_topics(published),
        static_on_disk=sources.static_on_disk,
        left_out=left_out,
    )
    return site, errors


def text_of(parsed: SourceFile, doc: Document) -> Text:
    """Return a document's body, known by the hash of its text and read again from its file
    when it is wanted: a build holds no Markdown between checking a file and converting it
    (200 MB at 10,000 essays)."""
    return Text(text_digest(doc.body), fetch=parsed.reread)


Check = Callable[[str, "SourceFile"], tuple["Roundtable | Essay | None", list[ContentError]]]
"""Checks one document of a kind ('roundtable' or 'essay'): the item it describes (None when
it cannot be made) and the mistakes found in it."""


class DocumentChecker:
    """Validates one document at a time against the content's other files and authors.yml."""

    def __init__(self, sources: Sources, directory: Directory) -> None:
        self.sources = sources
        self.directory = directory
        self.static = frozenset(sources.static)
        self.errors: list[ContentError] = []
        """The mistakes of the document being checked."""

    def check(
        self, kind: str, parsed: SourceFile
    ) -> tuple[Roundtable | Essay | None, list[ContentError]]:
        """Return the item a document describes (None when it cannot be made), and its mistakes."""
        self.errors = []
        doc = parsed.document()
        if isinstance(doc, ContentError):
            return None, [doc]
        item = self._roundtable(parsed, doc) if kind == "roundtable" else self._essay(parsed, doc)
        return item, self.errors

    def _roundtable(self, parsed: SourceFile, doc: Document) -> Roundtable | None:
        """Check a roundtable's document."""
        # Imported when a file is checked again: pydantic takes a tenth of a second to load.
        from roundtable.content.schema import RoundtableFields, validate

        fields, errors = validate(RoundtableFields, doc)
        self.errors.extend(errors)
        slug = self._file_slug(parsed, doc)
        if fields is None or slug is None:
            return None
        image = self._image(doc, fields.image)
        return Roundtable(
            slug=slug,
            title=fields.title,
            short_title=fields.short_title or fields.title,
            source=_nfc(doc.display),
            path=_nfc(parsed.rel),
            date=fields.date,
            editors=tuple(self._person(p) for p in fields.editors),
            summary=fields.summary,
            disclaimer=fields.disclaimer,
            image=image,
            lang=fields.lang or "",
            translation_of=fields.translation_of or "",
            lines=_key_lines(doc),
            body=text_of(parsed, doc),
            body_line=doc.body_line,
        )

    def _essay(self, parsed: SourceFile, doc: Document) -> Essay | None:
        """Check an essay's document."""
        # Imported when a file is checked again: pydantic takes a tenth of a second to load.
        from roundtable.content.schema import EssayFields, validate

        fields, errors = validate(EssayFields, doc)
        self.errors.extend(errors)
        if fields is None:
            return None
        slug = self._essay_slug(parsed, doc, fields.slug)
        authors = self._authors(doc, fields)
        republished = self._republication(doc, fields.source)
        if slug is None or authors is None or not self._tags_make_urls(doc, fields.tags):
            return None
        return Essay(
            slug=slug,
            title=fields.title,
            roundtable=fields.roundtable,
            authors=authors,
            source=_nfc(doc.display),
            path=_nfc(parsed.rel),
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
            lang=fields.lang or "",
            translation_of=fields.translation_of or "",
            republished=republished,
            translators=tuple(self._person(p) for p in fields.translator),
            reading_minutes=reading_minutes(doc.body),
            lines=_key_lines(doc),
            body=text_of(parsed, doc),
            body_line=doc.body_line,
        )

    def _file_slug(self, parsed: SourceFile, doc: Document) -> str | None:
        """Derive a slug from a file name, reporting names that make no usable URL."""
        slug = _slug_of_file(parsed.rel)
        if not slug:
            self.errors.append(
                doc.error(
                    (),
                    "the file name has no letters or digits to make a URL from "
                    "(rename it, e.g. my-essay.md)",
                )
            )
            return None
        problem = _slug_problem(slug)
        if problem:
            self.errors.append(doc.error((), f"the file name {problem} (rename the file)"))
            return None
        return slug

    def _essay_slug(self, parsed: SourceFile, doc: Document, explicit: str | None) -> str | None:
        """Return the essay's slug: its `slug:` field if valid, else from the file name."""
        if explicit is None:
            return self._file_slug(parsed, doc)
        slug = unicodedata.normalize("NFC", explicit)
        if not SLUG.match(slug):
            suggestion = make_slug(slug)[:MAX_SLUG_LENGTH].strip("-") or "my-essay"
            problem = (
                f"is not a valid URL name (use lower-case letters, digits and hyphens, "
                f"e.g. '{suggestion}')"
            )
        else:
            problem = _slug_problem(slug) or ""
        if not problem:
            return slug
        shown = explicit if len(explicit) <= 60 else explicit[:57] + "..."
        self.errors.append(doc.error(("slug",), f"slug: {shown!r} {problem}"))
        return None

    def _person(self, fields: PersonFields) -> Person:
        """Return a Person, with what the front matter leaves out taken from authors.yml."""
        return with_details(_person(fields), self.directory)

    def _tags_make_urls(self, doc: Document, tags: list[str]) -> bool:
        """Report tags that make no usable topic page URL."""
        problems = [(i, tag, _slug_problem(make_slug(tag))) for i, tag in enumerate(tags)]
        for index, tag, problem in problems:
            if not make_slug(tag):
                problem = "has no letters or digits to make a topic page from (reword it)"
            if problem:
                self.errors.append(doc.error(("tags", index), f"tags: '{tag}' {problem}"))
        return not any(problem or not make_slug(tag) for _, tag, problem in problems)

    def _authors(self, doc: Document, fields: EssayFields) -> tuple[Person, ...] | None:
        """Return the byline; a top-level affiliation or bio applies to a single author only."""
        for index, author in enumerate(fields.author):
            problem = family_problem(author.name, author.family)
            if problem:
                self.errors.append(doc.error(("author", index, "family"), f"author.{problem}"))
                return None
        people = [_person(p) for p in fields.author]
        if len(people) == 1:
            person = people[0]
            person = replace(
                person,
                affiliation=person.affiliation or fields.affiliation,
                bio=person.bio or fields.bio,
            )
            return (with_details(person, self.directory),)
        fix = (
            "an unsigned piece has no author to describe (add 'author: …', or remove the line)"
            if not people
            else "applies to a single author (give each author their own: '- name: …' then "
            "'{key}: …' under it)"
        )
        for key in ("affiliation", "bio"):
            if getattr(fields, key):
                self.errors.append(doc.error((key,), f"{key}: " + fix.format(key=key)))
                return None
        return tuple(with_details(person, self.directory) for person in people)

    def _republication(self, doc: Document, fields: SourceFields | None) -> Republication | None:
        """Return where a republished essay first appeared; a canonical link needs an address."""
        if fields is None:
            return None
        if fields.canonical and not fields.url:
            message = (
                "source.canonical: there is no source.url to point search engines at "
                "(add the original's address, or remove 'canonical: true')"
            )
            self.errors.append(doc.error(("source", "canonical"), message))
        return Republication(fields.name, fields.url or "", fields.date, fields.canonical)

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
            width, height = measure(self.sources.file(src))
        except NotAnImage as exc:
            self.errors.append(doc.error(key, f"image.src: '{fields.src}': {exc}"))
            return None
        return Image(src, fields.alt, fields.caption, fields.credit, width, height)


def _nfc(name: str) -> str:
    """Return a file name in Unicode NFC, so a macOS-style (NFD) checkout builds the same site."""
    return unicodedata.normalize("NFC", name)


def _slug_problem(slug: str) -> str | None:
    """Say why a well-formed slug still cannot name a folder everywhere, if it cannot."""
    if len(slug) > MAX_SLUG_LENGTH:
        return f"makes a URL name longer than {MAX_SLUG_LENGTH} characters (shorten it)"
    if slug in WINDOWS_DEVICES:
        return f"makes the URL name '{slug}', which Windows reserves (choose another)"
    return None


def _static_errors(sources: Sources) -> Iterator[ContentError]:
    """Refuse static files that would run script on the site, or collide on some systems."""
    first: dict[str, str] = {}
    for rel in sources.static:
        folded = _nfc(rel).casefold()
        if folded in first:
            yield ContentError(
                sources.display(rel),
                0,
                f"the same name as {sources.display(first[folded])} on Windows and macOS, or "
                "once Unicode is normalised (rename one of them)",
            )
        first.setdefault(folded, rel)
        problem = _generated_path(rel) or _active_content(sources.file(rel))
        if problem:
            yield ContentError(sources.display(rel), 0, problem)


def _generated_path(rel: str) -> str | None:
    """Say why a static file's path is the site's, if it is: it must not replace what is made."""
    if not urls.is_generated(rel):
        return None
    return (
        "the site generates, or may generate, a file at this path: a page, feed, citation, PDF, "
        "resized picture, the search index, assets or admin/ (rename or move this file)"
    )


def _active_content(path: Path) -> str | None:
    """Say why a static file could run script in a reader's browser, if it could."""
    if path.suffix.lower() == ".svg":
        return _svg_problem(path, path.stat().st_mtime_ns, path.stat().st_size)
    served = active_type(path.name)
    if served:
        return (
            f"a file named like this is served as {served}, which a browser runs as part of "
            "the site (write the page as an essay, publish the file elsewhere, or rename it)"
        )
    return None


@lru_cache(maxsize=1024)
def _svg_problem(path: Path, mtime_ns: int, size: int) -> str | None:
    """Say why an SVG could run script when opened on its own, if it could.

    Opened through a link, an SVG is a document like a page; in `<img>` it never runs script.
    Keyed by modification time and size, so the dev server reads each version once.
    """
    fix = "export it again without scripts, or use a PNG"
    data = path.read_bytes()
    if re.search(rb"<!doctype|<!entity|<\?xml-stylesheet", data, re.IGNORECASE):
        return f"the SVG declares entities or a stylesheet program ({fix})"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"the SVG is not well-formed XML ({exc}; {fix})"
    for element in root.iter():
        if _local(element.tag).lower() in _SVG_ACTIVE_TAGS:
            return f"the SVG holds a <{_local(element.tag)}> element ({fix})"
        for name, value in element.attrib.items():
            attribute = _local(name).lower()
            if attribute.startswith("on"):
                return f"the SVG has an event handler '{attribute}' ({fix})"
            if attribute in _SVG_LINK_ATTRIBUTES and not _safe_svg_link(value):
                return f"the SVG links to '{value[:40]}' ({fix})"
    return None


def _local(name: str) -> str:
    """Return an XML name without its namespace: '{http://www.w3.org/2000/svg}a' → 'a'."""
    return name.rsplit("}", 1)[-1]


def _safe_svg_link(value: str) -> bool:
    """Allow what markdown links may be, plus embedded pictures (`data:image/...`)."""
    return is_safe_url(value) or value.strip().lower().startswith("data:image/")


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
        orcid=fields.orcid,
        family=fields.family,
        organization=fields.organization,
    )


def _key_lines(doc: Document) -> dict[str, int]:
    """Return the file line of each top-level front-matter key, and of `image.src` (where a
    hero image that cannot be decoded is reported, as one that cannot be measured is)."""
    lines = {str(key[0]): line for key, line in doc.lines.items() if len(key) == 1}
    if ("image", "src") in doc.lines:
        lines["image.src"] = doc.lines["image", "src"]
    return lines


def reading_minutes(body: str) -> int:
    """Return the minutes a body takes to read, at least one; link addresses are not read."""
    words = len(_LINK_TARGET.sub("]", body).split())  # split, not a regex: 20 times faster
    return max(1, round(words / WORDS_PER_MINUTE))


def _without_duplicates(items: list[Placed], kind: str, errors: list[ContentError]) -> list[Placed]:
    """Report every slug used by two files, naming both, at the `slug:` line that made it; return
    the items without those reported (each slug then names one page, for the links' check)."""
    first: dict[str, Placed] = {}
    reported: set[int] = set()
    for item in items:
        other = first.setdefault(item.slug, item)
        if other is item:
            continue
        # A slug from a file name has no line; one written in `slug:` is where to change it.
        written_first = "slug" in other.lines and "slug" not in item.lines
        here, there = (other, item) if written_first else (item, other)
        reported.add(id(here))
        first[item.slug] = there  # the file that keeps the slug: a third is reported against it
        errors.append(
            ContentError(
                here.source,
                here.lines.get("slug", 0),
                f"duplicate {kind} slug '{item.slug}': {there.source} has it too (rename one "
                "file or give it a different 'slug:')",
            )
        )
    return [item for item in items if id(item) not in reported]


def _check_short_titles(roundtables: Iterable[Roundtable], errors: list[ContentError]) -> None:
    """Report two roundtables in one language with the same short title, naming both.

    Readers tell roundtables apart by it: both essays' pages would say "Return to …" alike,
    and the search filter would merge them (issue 20).
    """
    first: dict[tuple[str, str], Roundtable] = {}
    for roundtable in roundtables:
        key = (roundtable.lang, " ".join(roundtable.short_title.casefold().split()))
        other = first.setdefault(key, roundtable)
        if other is roundtable:
            continue
        field = "short_title" if "short_title" in roundtable.lines else "title"
        errors.append(
            ContentError(
                roundtable.source,
                roundtable.lines.get(field, 0),
                f"{field}: '{roundtable.short_title}' is also the short title of {other.source} "
                "(readers tell roundtables apart by it: give each its own short_title)",
            )
        )


def _slug_of_file(rel: str) -> str:
    """Return the slug a file's name makes ('' when it makes none)."""
    return make_slug(posixpath.splitext(posixpath.basename(rel))[0])


def _check_roundtable(
    essay: Essay,
    roundtables: Mapping[str, Roundtable],
    unread: set[str],
    errors: list[ContentError],
) -> bool:
    """Report an essay whose roundtable does not exist, with the closest slug.

    An essay whose roundtable's file has mistakes is left out without a word: that file's own
    errors say what to fix, and "did you mean" another roundtable would mislead (issue 20).
    """
    if essay.roundtable in roundtables:
        return True
    if essay.roundtable in unread:
        return False
    close = difflib.get_close_matches(essay.roundtable, list(roundtables), n=1, cutoff=0.6)
    hint = (
        f"did you mean '{close[0]}'?"
        if close
        else "roundtables: "
        + (", ".join(sorted(roundtables)) or "none yet; add content/roundtables/<slug>.md")
    )
    message = f"unknown roundtable '{essay.roundtable}' ({hint})"
    errors.append(ContentError(essay.source, essay.lines.get("roundtable", 1), message))
    return False


def _settled(essay: Essay, roundtables: Mapping[str, Roundtable], config: SiteConfig) -> Essay:
    """Return an essay with its language (else its roundtable's) and disclaimer resolved."""
    lang = essay.lang or roundtables[essay.roundtable].lang
    roundtable = _same_language(roundtables[essay.roundtable], lang, roundtables)
    return evolve(essay, lang=lang, disclaimer=_disclaimer(essay, roundtable, config))


def _same_language(
    named: Roundtable, lang: str, roundtables: Mapping[str, Roundtable]
) -> Roundtable:
    """Return the roundtable an essay names in the essay's language, if it has been translated.

    A Spanish essay may name the English roundtable; its disclaimer is then the Spanish one's.
    """
    original = roundtables.get(named.translation_of, named)
    if original.lang == lang:
        return original
    for candidate in roundtables.values():
        if candidate.lang == lang and original.slug in (candidate.slug, candidate.translation_of):
            return candidate
    return named


def _disclaimer(essay: Essay, roundtable: Roundtable, config: SiteConfig) -> str | None:
    """Resolve the disclaimer cascade: the essay's, else its roundtable's, else the site's."""
    if essay.disclaimer is not None:
        return essay.disclaimer or None
    if roundtable.disclaimer is not None:
        return roundtable.disclaimer or None
    return config.disclaimer or None


def _newest_first(roundtable: Roundtable) -> tuple[bool, int, str, str]:
    """Sort key: dated roundtables newest first, then by title and slug."""
    ordinal = -roundtable.date.toordinal() if roundtable.date else 0
    return (roundtable.date is None, ordinal, roundtable.title.casefold(), roundtable.slug)


def _reading_order(essays: list[Essay], roundtables: list[Roundtable]) -> tuple[Essay, ...]:
    """Group essays by roundtable (in home-page order), each group in reading order."""
    rank = {r.slug: i for i, r in enumerate(roundtables)}
    return tuple(sorted(essays, key=lambda e: (rank[e.roundtable], reading_key(e))))


def _gather_authors(essays: list[Essay], language: str) -> tuple[Author, ...]:
    """Return one Author per person, with their essays newest first.

    The author page is in the site's language, so it describes them as their essays in that
    language do, where there are any.
    """
    written: dict[str, list[tuple[Essay, Person]]] = {}
    for essay in essays:
        for person in essay.authors:
            written.setdefault(person.slug, []).append((essay, person))
    authors = []
    for pairs in written.values():
        pairs.sort(key=lambda pair: (pair[0].date or dt.date.min, pair[0].slug), reverse=True)
        preferred = sorted(pairs, key=lambda pair: pair[0].lang != language)
        authors.append(Author(_latest_details(preferred), tuple(e.slug for e, _ in pairs)))
    return tuple(sorted(authors, key=lambda a: (a.person.name.casefold(), a.person.slug)))


def _latest_details(pairs: list[tuple[Essay, Person]]) -> Person:
    """Return the person as their newest essay describes them, filling gaps from older ones."""
    person = pairs[0][1]
    for _, older in pairs[1:]:
        person = evolve(
            person,
            affiliation=person.affiliation or older.affiliation,
            bio=person.bio or older.bio,
        )
    return person


def _gather_topics(essays: list[Essay]) -> tuple[Topic, ...]:
    """Return one Topic per tag (spellings that make the same URL are one), essays newest first."""
    names: dict[str, str] = {}
    tagged: dict[str, dict[str, Essay]] = {}
    for essay in essays:
        for tag in dict.fromkeys(essay.tags):
            slug = make_slug(tag)
            names.setdefault(slug, tag)
            # Keyed by the essay's slug: comparing whole essays made 10,000 of them take seconds.
            tagged.setdefault(slug, {}).setdefault(essay.slug, essay)
    topics = [
        Topic(
            names[slug],
            slug,
            tuple(e.slug for e in sorted(group.values(), key=_newest_essay_first)),
        )
        for slug, group in tagged.items()
    ]
    return tuple(sorted(topics, key=lambda t: (t.name.casefold(), t.slug)))


def _newest_essay_first(essay: Essay) -> tuple[int, str]:
    """Sort key: dated essays newest first, then undated ones, each by slug."""
    return (-(essay.date or dt.date.min).toordinal(), essay.slug)
