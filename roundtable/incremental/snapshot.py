"""The last build's site, kept whole: a save that changes only Markdown bodies starts from it.

An editor's save usually changes one essay's body. Reading, checking and converting every other
file again would only make the site the last build made. So a build kept on disk leaves its
site behind (bodies and HTML known by their hashes, with every item's fingerprint), with the
hash of everything else it read. The next build takes it when that hash is the same and every
changed Markdown file keeps its front matter: it parses and converts those files alone and puts
them in place. Anything else (a front matter, a file added or gone, site.yml, authors.yml, an
image, the theme, an option) takes the whole way, and so does a snapshot that cannot be read.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from roundtable.content.assemble import with_body
from roundtable.content.discover import display_path
from roundtable.content.frontmatter import Document, FrontMatterError, parse
from roundtable.incremental.cache import BuildCache, key
from roundtable.incremental.fingerprint import known_digest, remember_digest
from roundtable.incremental.reading import FileBodies, source_key
from roundtable.model import (
    NO_HTML,
    NO_TEXT,
    Essay,
    Html,
    Roundtable,
    Site,
    Text,
    evolve,
)

Placed = TypeVar("Placed", Essay, Roundtable)
"""An essay or a roundtable, and the same kind back."""


class Folders(Protocol):
    """Where a build reads and writes (BuildOptions)."""

    @property
    def content(self) -> Path: ...

    @property
    def content_display(self) -> str: ...

    @property
    def output(self) -> Path | None: ...


@dataclass(frozen=True)
class Snapshot:
    """A build's site and what it was made from."""

    frame: str
    """Hash of everything the build read but the bytes of the content's Markdown files."""
    markdown: dict[str, str]
    """Hash of each Markdown file's bytes, by its path relative to the content folder."""
    fronts: dict[str, str]
    """Hash of each essay's and roundtable's front matter, by path (where it is known)."""
    summarised: frozenset[str]
    """Paths of the items whose summary is their body's first paragraph (none given)."""
    site: Site
    """The site as converted, before its pages were rendered; kept without bodies and HTML."""
    texts: dict[str, Texts] = field(default_factory=dict)
    """Each item's body, HTML and item hash, by path (see `Texts`)."""


Texts = tuple[str, str, str | None]
"""The hash of an item's body and of its HTML, and the item's own hash if it was made (the
fingerprint of the pages that show it)."""


@dataclass(frozen=True)
class Changes:
    """What the content's Markdown files hold now, as the build hashed them."""

    frame: str
    """Hash of everything the build reads but the bytes of the content's Markdown files."""
    markdown: dict[str, str]
    """Hash of each Markdown file's bytes, by its path relative to the content folder."""
    content: Path
    """The content folder."""
    content_display: str
    """The content folder as the user named it, for the names items are known by."""
    read: Mapping[str, tuple[bytes, str]]
    """The bytes of the files read to hash them, by path (content folder joined as a string)."""


def front_digest(doc: Document) -> str:
    """Return the hash of a file's front matter and where its body starts."""
    return key("front matter", doc.front, str(doc.body_line))


def load(cache: BuildCache, options: Folders) -> Snapshot | None:
    """Return the snapshot the last build of this output left, or None."""
    assert options.output is not None
    blob = cache.read_blob(_name(options.output))
    if blob is None:
        return None
    try:
        snapshot = pickle.loads(blob)
        if not isinstance(snapshot, Snapshot):
            return None
        bodies = FileBodies(options.content, options.content_display, snapshot.markdown)
        clothe = partial(
            _clothed,
            texts=snapshot.texts,
            read_body=bodies.read,
            fetch_html=partial(cache.fetch, "html"),
        )
        site = snapshot.site
        site = replace(
            site,
            roundtables=tuple(clothe(r) for r in site.roundtables),
            essays=tuple(clothe(e) for e in site.essays),
        )
    except Exception:  # Damaged beyond the checksum's reach: take the whole way.
        return None
    return replace(snapshot, site=site)


def pickled(snapshot: Snapshot) -> bytes:
    """Return a snapshot's bytes, to keep once the build's cache entries are saved."""
    site = snapshot.site
    texts = {i.path: (i.body.digest, i.html.digest, known_digest(i)) for i in _items(site)}
    bare = replace(
        site,
        roundtables=tuple(_bare(r) for r in site.roundtables),
        essays=tuple(_bare(e) for e in site.essays),
    )
    return pickle.dumps(replace(snapshot, site=bare, texts=texts), protocol=pickle.HIGHEST_PROTOCOL)


def keep(cache: BuildCache, output: Path, blob: bytes) -> None:
    """Leave a pickled snapshot for the next build of the same output."""
    cache.write_blob(_name(output), blob)


def known_fronts(
    site: Site, cache: BuildCache, markdown: Mapping[str, str], last: Snapshot | None
) -> dict[str, str]:
    """Return the hash of each item's front matter: of the files parsed in this build (their
    documents are in the cache), else the last snapshot's for a file whose bytes are the same."""
    fronts = {}
    for item in _items(site):
        doc = cache.get("sources", item.body.digest)
        if isinstance(doc, Document):
            fronts[item.path] = front_digest(doc)
        elif last is not None and last.markdown.get(item.path) == markdown.get(item.path):
            fronts[item.path] = last.fronts.get(item.path, "")
    return fronts


def changed_items(
    last: Snapshot, now: Changes
) -> dict[str, tuple[Essay | Roundtable, Document, str]] | None:
    """Return each item whose file changed with its new document and file hash, or None when
    something else changed too (the build must then take the whole way)."""
    if last.frame != now.frame or last.markdown.keys() != now.markdown.keys():
        return None
    items = {item.path: item for item in _items(last.site)}
    changed = {}
    for rel, digest in now.markdown.items():
        if last.markdown[rel] == digest:
            continue
        item, doc = items.get(rel), _document(now, rel, digest)
        if item is None or doc is None or last.fronts.get(rel) != front_digest(doc):
            return None  # a draft, a new front matter, or a mistake to report: read it all
        changed[rel] = (item, doc, digest)
    return changed


def with_new_bodies(
    last: Snapshot, now: Changes, changed: Mapping[str, tuple[Essay | Roundtable, Document, str]]
) -> list[Essay | Roundtable]:
    """Return the changed items with their new bodies, ready to convert (as checking the same
    front matter with this body, then settling it, would have made them)."""
    fresh: list[Essay | Roundtable] = []
    for rel, (item, doc, digest) in changed.items():
        body = Text(source_key(display_path(now.content_display, rel), digest), doc.body)
        # The summary as the front matter gives it: converting fills an empty one again.
        summary = "" if rel in last.summarised else item.summary
        fresh.append(with_body(evolve(item, summary=summary, html=NO_HTML), body))
    return fresh


def spliced(site: Site, items: list[Essay | Roundtable]) -> Site:
    """Return the site with these items in the places of those with the same paths."""
    by_path = {item.path: item for item in items}
    return replace(
        site,
        roundtables=tuple(_replaced(r, by_path) for r in site.roundtables),
        essays=tuple(_replaced(e, by_path) for e in site.essays),
    )


def _items(site: Site) -> list[Essay | Roundtable]:
    """Return the site's roundtables and essays."""
    return [*site.roundtables, *site.essays]


def _replaced(item: Placed, by_path: Mapping[str, Essay | Roundtable]) -> Placed:
    """Return the item with this item's path, if there is one, else the item."""
    replacement = by_path.get(item.path, item)
    assert isinstance(replacement, type(item))
    return replacement


def _document(now: Changes, rel: str, digest: str) -> Document | None:
    """Parse the bytes of a changed file that were hashed to `digest`; None when it cannot be."""
    hashed = now.read.get(os.path.join(now.content, rel))
    if hashed is None or hashed[1] != digest:
        return None
    try:
        return parse(display_path(now.content_display, rel), hashed[0])
    except FrontMatterError:
        return None


def _name(output: Path) -> str:
    """Return the name an output folder's snapshot is kept under in the cache: one file per
    output, which each build replaces (a snapshot of other code fails the frame's check)."""
    folder = str(output.resolve()).encode("utf-8", "surrogateescape")
    return "snapshot-" + hashlib.blake2b(folder, digest_size=16).hexdigest()


def _bare(item: Placed) -> Placed:
    """Return an item to pickle: without its body and HTML (the snapshot's `texts` name them),
    which would pickle the text they hold, or a way to read it."""
    return evolve(item, body=NO_TEXT, html=NO_HTML)


def _clothed(
    item: Placed,
    texts: Mapping[str, Texts],
    read_body: Callable[[str], str],
    fetch_html: Callable[[str], str],
) -> Placed:
    """Return an unpickled item with its body and HTML back, each read when first needed, and
    its hash noted again (it is equal to the item hashed by the last build)."""
    body, html, digest = texts[item.path]
    clothed = evolve(
        item,
        body=NO_TEXT if body == NO_TEXT.digest else Text(body, fetch=read_body),
        html=NO_HTML if html == NO_HTML.digest else Html(html, fetch=fetch_html),
    )
    if digest is not None:
        remember_digest(clothed, digest)
    return clothed
