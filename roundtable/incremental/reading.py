"""Reading the content, each file parsed once per version of its bytes, and settings checked
once per version."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from roundtable.content.assemble import SourceFile, assemble
from roundtable.content.config import Loaded as ConfigLoaded
from roundtable.content.config import check_config
from roundtable.content.discover import (
    AUTHORS_FILE,
    SITE_CONFIG,
    Sources,
    discover,
    display_path,
    entry_error,
    odd_entries,
    read_settings,
    unreadable,
)
from roundtable.content.frontmatter import Document, FrontMatterError, body_of, parse
from roundtable.content.people import Loaded as PeopleLoaded
from roundtable.content.people import check_people
from roundtable.errors import BuildFailed, CacheDamaged, ContentError
from roundtable.incremental.cache import (
    BuildCache,
    Memo,
    key,
    memoised,
    source_digest,
)
from roundtable.incremental.checks import RememberedChecks
from roundtable.incremental.inputs import FILE_DIGESTS_KEY, FileDigests
from roundtable.model import Essay, Roundtable, Site, SiteConfig
from roundtable.render.pages import Theme

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


FILE_CHANGED = "the file changed while the site was being built (save it, then build again)"


def source_key(display: str, file_digest: str) -> str:
    """Return what a source file is known by: the hash of its name and of its bytes' hash."""
    return key("source", display, file_digest)


class FileBodies:
    """Reads a body's Markdown again from its file, for a build that let go of it. Printing a
    PDF looks for the pictures a body shows. A body is known by its file's name and the hash
    of its bytes."""

    def __init__(self, content: Path, content_display: str, markdown: dict[str, str]) -> None:
        self.content = content
        self.content_display = content_display
        self.markdown = markdown
        """Hash of each Markdown file's bytes, by path, as the build hashed them."""
        self._files: dict[str, tuple[str, str]] | None = None

    def unload(self, items: Iterable[Essay | Roundtable]) -> None:
        """Let go of the Markdown these items hold, if any: each body is read from its file
        whenever it is wanted, by whichever process wants it."""
        files = self._known()
        for item in items:
            if item.body.digest in files:
                item.body.unload(self.read)

    def read(self, digest: str) -> str:
        """Return the body known by this hash, read again from its file.

        A file changed since the build hashed it stops the build, as on the whole way (the next
        build reads it as it is now); a body the build does not know means its cache is wrong.
        """
        files = self._known()
        if digest not in files:
            raise CacheDamaged(f"no file is known whose body is {digest}")
        rel, file_digest = files[digest]
        try:
            data = (self.content / rel).read_bytes()
        except OSError as exc:
            raise BuildFailed([unreadable(self._display(rel), exc)]) from None
        if source_digest(data) != file_digest:
            raise BuildFailed([ContentError(self._display(rel), 0, FILE_CHANGED)])
        return body_of(data)

    def _known(self) -> dict[str, tuple[str, str]]:
        """Return each body's file and the hash of its bytes, by the hash the body is known by."""
        if self._files is None:
            self._files = {
                source_key(self._display(rel), file_digest): (rel, file_digest)
                for rel, file_digest in self.markdown.items()
            }
        return self._files

    def _display(self, rel: str) -> str:
        """Name a content file as the user named the content folder."""
        return display_path(self.content_display, rel)


def read_config(content: Path, shown: str, base_url: str | None, memo: Memo) -> ConfigLoaded:
    """Read and check site.yml; `--base-url` replaces its base_url."""
    display = display_path(shown, SITE_CONFIG)
    data, errors = read_settings(content / SITE_CONFIG, display)
    if errors:
        return None, errors
    return memoised(memo, "checked", check_config, data, display, base_url)


def read_people(content: Path, shown: str, memo: Memo) -> PeopleLoaded:
    """Read and check authors.yml, if there is one."""
    display = display_path(shown, AUTHORS_FILE)
    data, errors = read_settings(content / AUTHORS_FILE, display)
    if errors:
        return {}, errors
    return memoised(memo, "checked", check_people, data, display)


def read_documents(
    sources: Sources, paths: tuple[str, ...], cache: BuildCache, known: FileDigests
) -> tuple[list[SourceFile], list[ContentError]]:
    """Know each file by the hash of its bytes; parse it only if it must be checked again.

    A file whose stat is as it was when it was last hashed is not read at all; one that must be
    checked again has its front matter recalled from the cache by that hash (YAML parsed once per
    version of a file).
    """
    parsed, errors = [], []
    root = str(sources.root)  # joined as strings: pathlib costs more than the rest per file
    for rel in paths:
        try:
            digest = known.digest(os.path.join(root, rel))
        except OSError as exc:
            errors.append(unreadable(sources.display(rel), exc))
            continue
        entry_key = source_key(sources.display(rel), digest)
        parsed.append(
            SourceFile(rel, entry_key, partial(_document, sources, rel, entry_key, known, cache))
        )
    # Unread, the parsed front matter is still wanted: the next change to authors.yml needs it.
    cache.keep("sources", [p.digest for p in parsed])
    return parsed, errors


def _document(
    sources: Sources, rel: str, entry_key: str, known: FileDigests, cache: BuildCache
) -> Document | ContentError:
    """Return a file's front matter and body, recalled by the hash of its bytes or parsed."""
    outcome = cache.get("sources", entry_key)
    if outcome is None:
        outcome, lasting = _parse_file(sources, rel, entry_key, known)
        if lasting:
            cache.put("sources", entry_key, outcome)
    assert isinstance(outcome, Document | ContentError)
    return outcome


def _parse_file(
    sources: Sources, rel: str, entry_key: str, known: FileDigests
) -> tuple[Document | ContentError, bool]:
    """Parse the bytes that were hashed to `entry_key`; say whether the outcome may be kept."""
    path = os.path.join(sources.root, rel)  # as read_documents named it when hashing it
    display = sources.display(rel)
    if path in known.read:
        data, _ = known.read.pop(path)
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            return unreadable(sources.display(rel), exc), False
        digest = source_digest(data)
        if source_key(sources.display(rel), digest) != entry_key:
            return ContentError(display, 0, FILE_CHANGED), False
    try:
        return parse(display, data), True
    except FrontMatterError as exc:
        return ContentError(display, exc.line, exc.message), True


PLACEHOLDER_CONFIG = SiteConfig(title="", base_url="https://example.invalid/")
"""Lets the content be checked, and its errors reported, when site.yml itself is broken."""


def gather_site(
    options: BuildOptions, cache: BuildCache | None = None, known: FileDigests | None = None
) -> tuple[Site, list[ContentError]]:
    """Read and validate every source file; return the site model and every mistake found.

    `known` holds the files hashed earlier in the build.
    """
    cache = cache or BuildCache(None)
    known = known or FileDigests(cache.meta.get(FILE_DIGESTS_KEY, {}))
    shown = options.content_display
    config, config_errors = read_config(options.content, shown, options.base_url, cache)
    people, people_errors = read_people(options.content, shown, cache)
    sources, discover_errors = discover(options.content, options.content_display)
    roundtable_docs, roundtable_errors = read_documents(sources, sources.roundtables, cache, known)
    essay_docs, essay_errors = read_documents(sources, sources.essays, cache, known)
    checks = RememberedChecks(cache, sources, people)
    checks.prefetch(roundtable_docs, essay_docs)
    site, site_errors = assemble(
        config or PLACEHOLDER_CONFIG,
        people,
        sources,
        roundtable_docs,
        essay_docs,
        drafts=options.drafts,
        check=checks.check,
    )
    errors = [*config_errors, *people_errors, *discover_errors, *roundtable_errors, *essay_errors]
    errors += site_errors
    return site, [*errors, *theme_links(options.theme)]


def theme_links(theme: Theme) -> list[ContentError]:
    """Refuse symbolic links in templates/ and assets/ (Jinja would follow them anywhere),
    special files (reading one can wait forever) and folders that cannot be listed."""
    return [
        entry_error(os.path.relpath(folder / entry.rel), entry, "theme folders")
        for folder in (*theme.template_dirs, *theme.asset_dirs)
        if folder.is_dir()
        for entry in odd_entries(folder)
    ]
