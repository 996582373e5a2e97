"""The reading stage with the cache's help: each file parsed once per version of its bytes, each
document and the settings checked once per version of what they read."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from roundtable.content.assemble import DocumentChecker, SourceFile
from roundtable.content.discover import Sources, display_path, unreadable
from roundtable.content.frontmatter import Document, body_of
from roundtable.content.people import Directory
from roundtable.content.read import Reading, document_of
from roundtable.errors import BuildFailed, CacheDamaged, ContentError
from roundtable.incremental.cache import BuildCache, file_signature, key, memoised, source_digest
from roundtable.incremental.inputs import FileDigests
from roundtable.model import NO_TEXT, Essay, Roundtable, Text, evolve

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

        A file changed since the build hashed it stops the build (the next
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


def read_documents(
    sources: Sources, paths: tuple[str, ...], cache: BuildCache, known: FileDigests
) -> tuple[list[SourceFile], list[ContentError]]:
    """Know each file by the hash of its bytes; parse it only if it must be checked again.

    A file whose stat is as it was when it was last hashed is not read at all; one that must be
    checked again has its front matter recalled from the cache by that hash (YAML parsed once per
    version of a file).
    """
    parsed: list[SourceFile] = []
    root = str(sources.root)  # joined as strings: pathlib costs more than the rest per file
    for rel in paths:
        try:
            digest = known.digest(os.path.join(root, rel))
        except OSError as exc:
            # Read as the plain way reads it: a document whose mistake is that it cannot be read
            # (so assemble leaves it out, and counts its roundtable as one it could not read).
            error = unreadable(sources.display(rel), exc)
            parsed.append(SourceFile(rel, "", partial(_failed, error)))
            continue
        entry_key = source_key(sources.display(rel), digest)
        parsed.append(
            SourceFile(rel, entry_key, partial(_document, sources, rel, entry_key, known, cache))
        )
    # Unread, the parsed front matter is still wanted: the next change to authors.yml needs it.
    cache.keep("sources", [p.digest for p in parsed if p.digest])
    return parsed, []


def _failed(error: ContentError) -> ContentError:
    """Return the mistake that stops a file being read."""
    return error


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
    return document_of(display, data), True


def remembered_reading(cache: BuildCache, known: FileDigests) -> Reading:
    """Return the reading stage's way to read with the cache: each file known by the hash of
    its bytes, parsed and checked again only when what that depends on changed."""
    return Reading(
        memo=partial(memoised, cache, "checked"),
        documents=partial(read_documents, cache=cache, known=known),
        checks=partial(RememberedChecks, cache),
    )


class RememberedChecks:
    """The check of each document, remembered by the hash of its file and of everything else
    checking reads (authors.yml, the other files' stat): checked again only when one changed."""

    def __init__(
        self,
        cache: BuildCache,
        sources: Sources,
        people: Directory,
        roundtables: list[SourceFile],
        essays: list[SourceFile],
    ) -> None:
        self.checker = DocumentChecker(sources, people)
        self.cache = cache
        context = checking_context(sources, people)
        documents = [("roundtable", p) for p in roundtables] + [("essay", p) for p in essays]
        self.keys = {
            (kind, p.rel): key("checked", kind, p.digest, context)
            for kind, p in documents
            if p.digest and context is not None
        }
        """The key of each document's check, by kind and file; none for one never remembered."""
        cache.prefetch("checked", self.keys.values())
        again = [p.digest for kind, p in documents if self._recalled(kind, p) is None]
        cache.prefetch("sources", [digest for digest in again if digest])

    def __call__(
        self, kind: str, parsed: SourceFile
    ) -> tuple[Roundtable | Essay | None, list[ContentError]]:
        """Check a document, or recall what checking it gave when nothing it reads changed."""
        known = self._recalled(kind, parsed)
        if known is None:
            item, errors = self.checker.check(kind, parsed)
            if (kind, parsed.rel) in self.keys:
                # The body is kept once, with the parsed file: the item is kept without it.
                kept = evolve(item, body=NO_TEXT) if item is not None else None
                self.cache.put("checked", self.keys[kind, parsed.rel], (kept, errors))
            return item, errors
        item, errors = known
        if item is None:
            return None, list(errors)
        return evolve(item, body=Text(parsed.digest, fetch=partial(_body, parsed))), list(errors)

    def _recalled(
        self, kind: str, parsed: SourceFile
    ) -> tuple[Roundtable | Essay | None, list[ContentError]] | None:
        """Return what checking this document gave in an earlier build, if it is remembered."""
        entry_key = self.keys.get((kind, parsed.rel))
        return self.cache.get("checked", entry_key) if entry_key else None


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


def _body(parsed: SourceFile, _digest: str) -> str:
    """Read the body of a file whose checked item was recalled (to convert it again); the file's
    hash, which the body is known by, is the one the parsed file checks its bytes against."""
    doc = parsed.document()
    if isinstance(doc, ContentError):
        raise BuildFailed([doc])  # it changed, or went, since the build started
    return doc.body
