"""The reading stage with the cache's help: each file known by the hash of its bytes, each
document and the settings checked once per version of what they read."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from roundtable.content.assemble import DocumentChecker, SourceFile
from roundtable.content.discover import Sources, unreadable
from roundtable.content.frontmatter import Document
from roundtable.content.people import Directory
from roundtable.content.read import FILE_CHANGED, Reading, body_file, document_of
from roundtable.errors import ContentError
from roundtable.incremental.cache import BuildCache, file_signature, key, memoised, source_digest
from roundtable.incremental.inputs import FileDigests
from roundtable.model import NO_TEXT, Essay, Roundtable, Text, evolve


def remembered_reading(cache: BuildCache, known: FileDigests) -> Reading:
    """Return the reading stage's way to read with the cache: each file known by the hash of
    its bytes, parsed and checked again only when what that depends on changed."""
    return Reading(
        memo=partial(memoised, cache, "checked"),
        documents=partial(read_documents, known=known),
        checks=partial(RememberedChecks, cache),
    )


def read_documents(
    sources: Sources, paths: tuple[str, ...], known: FileDigests
) -> tuple[list[SourceFile], list[ContentError]]:
    """Know each file by the hash of its name and bytes; parse it only if it must be checked
    again. A file whose stat is as it was when it was last hashed is not read at all."""
    parsed: list[SourceFile] = []
    root = str(sources.root)  # joined as strings: pathlib costs more than the rest per file
    for rel in paths:
        reread = body_file(sources, rel)
        display = reread.display
        try:
            digest = known.digest(os.path.join(root, rel))
        except OSError as exc:
            # Read as the plain way reads it: a document whose mistake is that it cannot be read
            # (so assemble leaves it out, and counts its roundtable as one it could not read).
            error = unreadable(display, exc)
            parsed.append(SourceFile(rel, "", partial(_failed, error), reread))
            continue
        entry_key = key("source", display, digest)
        read = partial(_parse_file, os.path.join(root, rel), display, digest)
        parsed.append(SourceFile(rel, entry_key, read, reread))
    return parsed, []


def _failed(error: ContentError) -> ContentError:
    """Return the mistake that stops a file being read."""
    return error


def _parse_file(path: str, display: str, digest: str) -> Document | ContentError:
    """Parse the file whose bytes hashed to `digest`, reading it again (it must be checked
    again); one changed since it was hashed is a mistake of this build."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return unreadable(display, exc)
    if source_digest(data) != digest:
        return ContentError(display, 0, FILE_CHANGED)
    return document_of(display, data)


Checked = tuple["Roundtable | Essay | None", list[ContentError], str]
"""What checking one document gave: the item without its body (None when it failed), its
mistakes, and the hash of its body's text."""


class RememberedChecks:
    """The check of each document, remembered by the hash of its file and of everything else
    checking reads (authors.yml, the other files' stat): checked again only when one changed."""

    def __init__(self, cache: BuildCache, sources: Sources, people: Directory) -> None:
        self.checker = DocumentChecker(sources, people)
        self.cache = cache
        self.context = checking_context(sources, people)
        """What else checking reads, hashed; None when a check must not be remembered."""

    def __call__(
        self, kind: str, parsed: SourceFile
    ) -> tuple[Roundtable | Essay | None, list[ContentError]]:
        """Check a document, or recall what checking it gave when nothing it reads changed."""
        context = self.context if parsed.digest else None  # unread: nothing to remember
        entry_key = key("checked", kind, parsed.digest, context) if context else ""
        known: Checked | None = self.cache.get("checked", entry_key) if entry_key else None
        if known is None:
            item, errors = self.checker.check(kind, parsed)
            if entry_key:
                # Kept without its body, which is read again from the file if it is wanted.
                kept = evolve(item, body=NO_TEXT) if item is not None else None
                body = item.body.digest if item is not None else ""
                self.cache.put("checked", entry_key, (kept, errors, body))
            return item, errors
        item, errors, body = known
        if item is None:
            return None, list(errors)
        return evolve(item, body=Text(body, fetch=parsed.reread)), list(errors)


def checking_context(sources: Sources, directory: Directory) -> str | None:
    """Hash what checking a document reads besides it: authors.yml and the other files' stat.

    None when a file changed too recently for its stat to be trusted (see cache.file_signature).
    """
    parts = [repr(sorted(directory.items())), sources.display_root]
    for rel in sources.static:
        try:
            signature = file_signature(sources.file(rel))
        except OSError:
            return None  # checking reports it, located, where a document names it
        if signature is None:
            return None
        parts.append(repr((rel, signature)))
    return key("context", *parts)
