"""Reading the content, each file parsed once per version of its bytes, and settings checked
once per version."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from roundtable.content.assemble import (
    FILE_CHANGED,
    Parsed,
    source_key,
)
from roundtable.content.config import Loaded as ConfigLoaded
from roundtable.content.config import check_config
from roundtable.content.discover import (
    AUTHORS_FILE,
    SITE_CONFIG,
    Sources,
    display_path,
    read_settings,
    unreadable,
)
from roundtable.content.frontmatter import Document, FrontMatterError, parse
from roundtable.content.people import Loaded as PeopleLoaded
from roundtable.content.people import check_people
from roundtable.errors import ContentError
from roundtable.incremental.cache import (
    BuildCache,
    Memo,
    memoised,
    source_digest,
)
from roundtable.incremental.inputs import FileDigests


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
) -> tuple[list[Parsed], list[ContentError]]:
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
            Parsed(rel, entry_key, partial(_document, sources, rel, entry_key, known, cache))
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
