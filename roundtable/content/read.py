"""Reading the content, a stage: site.yml, authors.yml and every Markdown file, assembled into
a site, with every mistake found.

It reads the plain way unless it is given another `Reading`: incremental/ gives one that
remembers, between builds, what parsing a file and checking its document gave.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

from roundtable.content.assemble import Check, DocumentChecker, SourceFile, assemble
from roundtable.content.config import Loaded as ConfigLoaded
from roundtable.content.config import check_config
from roundtable.content.discover import (
    AUTHORS_FILE,
    SITE_CONFIG,
    Sources,
    discover,
    display_path,
    read_settings,
    unreadable,
)
from roundtable.content.frontmatter import Document, FrontMatterError, body_of, parse
from roundtable.content.people import Directory, check_people
from roundtable.content.people import Loaded as PeopleLoaded
from roundtable.errors import BuildFailed, ContentError
from roundtable.model import Site, SiteConfig, text_digest
from roundtable.regular_files import read_regular

Value = TypeVar("Value")
"""What a stage makes."""


class Memo(Protocol):
    """Gives what a stage makes of its arguments: made now, or remembered from another build."""

    def __call__(self, stage: Callable[..., Value], *args: object) -> Value: ...


def computed(stage: Callable[..., Value], *args: object) -> Value:
    """Make what a stage makes of its arguments, now: the memo that remembers nothing."""
    return stage(*args)


Documents = Callable[[Sources, tuple[str, ...]], tuple[list[SourceFile], list[ContentError]]]
"""Reads the Markdown files at these paths of the content."""

Checks = Callable[[Sources, Directory], Check]
"""Makes the check of each document of these sources, with these people."""


def read_documents(
    sources: Sources, paths: tuple[str, ...]
) -> tuple[list[SourceFile], list[ContentError]]:
    """Read each file of these paths, parsed when first asked (the plain way: no memo)."""
    return [
        SourceFile(rel, "", partial(_parsed, sources, rel), body_file(sources, rel))
        for rel in paths
    ], []


def _parsed(sources: Sources, rel: str) -> Document | ContentError:
    """Return a file's front matter and body, or the mistake that stops them being read."""
    display = sources.display(rel)
    try:
        data = Path(os.path.join(sources.root, rel)).read_bytes()
    except OSError as exc:
        return unreadable(display, exc)
    return document_of(display, data)


def document_of(display: str, data: bytes) -> Document | ContentError:
    """Return the front matter and body of a file's bytes, or the mistake that stops them."""
    try:
        return parse(display, data)
    except FrontMatterError as exc:
        return ContentError(display, exc.line, exc.message)


FILE_CHANGED = "the file changed while the site was being built (save it, then build again)"


@dataclass(frozen=True)
class BodyFile:
    """Reads a body again from its file, in whichever process converts it."""

    path: str
    display: str
    """The file, as the user named the content folder."""

    def __call__(self, digest: str) -> str:
        """Return the body, whose text hashes to `digest`: else the file changed since it was
        read (edited, emptied, deleted, replaced by something not a file), which stops the
        build; the next one reads it as it is now."""
        read = read_regular(self.path)  # never waits on a FIFO put in the file's place
        try:
            body = body_of(read.data) if read is not None else None
        except FrontMatterError:
            body = None
        if body is None or text_digest(body) != digest:
            raise BuildFailed([ContentError(self.display, 0, FILE_CHANGED)])
        return body


def body_file(sources: Sources, rel: str) -> BodyFile:
    """Return what reads the body of a content file again."""
    return BodyFile(os.path.join(sources.root, rel), sources.display(rel))


def document_checks(sources: Sources, people: Directory) -> Check:
    """Return the plain check of each document (no memo)."""
    return DocumentChecker(sources, people).check


@dataclass(frozen=True)
class Reading:
    """How the stage reads: by default, every file parsed and checked now."""

    memo: Memo = computed
    """Gives what checking site.yml and authors.yml makes of their bytes."""
    documents: Documents = read_documents
    """Reads the Markdown files."""
    checks: Checks = document_checks
    """Makes the check of each document."""


PLACEHOLDER_CONFIG = SiteConfig(title="", base_url="https://example.invalid/")
"""Lets the content be checked, and its errors reported, when site.yml itself is broken."""


class Folders(Protocol):
    """What the stage reads (BuildOptions has it all): the content folder and its name as the
    user wrote it, a base_url that replaces site.yml's, and whether drafts count."""

    @property
    def content(self) -> Path: ...

    @property
    def content_display(self) -> str: ...

    @property
    def base_url(self) -> str | None: ...

    @property
    def drafts(self) -> bool: ...


def read_site(folders: Folders, reading: Reading = Reading()) -> tuple[Site, list[ContentError]]:
    """Read and validate every source file; return the site model and every mistake found."""
    content, shown = folders.content, folders.content_display
    config, config_errors = read_config(content, shown, folders.base_url, reading.memo)
    people, people_errors = read_people(content, shown, reading.memo)
    sources, discover_errors = discover(content, shown)
    roundtable_docs, roundtable_errors = reading.documents(sources, sources.roundtables)
    essay_docs, essay_errors = reading.documents(sources, sources.essays)
    check = reading.checks(sources, people)
    site, site_errors = assemble(
        config or PLACEHOLDER_CONFIG,
        people,
        sources,
        roundtable_docs,
        essay_docs,
        drafts=folders.drafts,
        check=check,
    )
    errors = [*config_errors, *people_errors, *discover_errors, *roundtable_errors, *essay_errors]
    errors += site_errors
    return site, errors


def read_config(
    content: Path, shown: str, base_url: str | None, memo: Memo = computed
) -> ConfigLoaded:
    """Read and check site.yml; `--base-url` replaces its base_url."""
    display = display_path(shown, SITE_CONFIG)
    data, errors = read_settings(content / SITE_CONFIG, display)
    if errors:
        return None, errors
    return memo(check_config, data, display, base_url)


def read_people(content: Path, shown: str, memo: Memo = computed) -> PeopleLoaded:
    """Read and check authors.yml, if there is one."""
    display = display_path(shown, AUTHORS_FILE)
    data, errors = read_settings(content / AUTHORS_FILE, display)
    if errors:
        return {}, errors
    return memo(check_people, data, display)
