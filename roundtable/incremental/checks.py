"""Checking documents, remembered between builds: a document is checked again only when it, or
what checking it reads (authors.yml, the content's other files), changed.

An entry is kept by the hash of the document's file and of that context. An edited body keeps
its front matter's outcome (checking reads the body only for its reading time): the `fronts`
table points from a front matter's hash to the entry it was checked in.
"""

from __future__ import annotations

from functools import partial

from roundtable.content.assemble import DocumentChecker, SourceFile, text_of, with_body
from roundtable.content.discover import Sources
from roundtable.content.frontmatter import Document
from roundtable.content.people import Directory
from roundtable.errors import BuildFailed, ContentError
from roundtable.incremental import cache
from roundtable.incremental.cache import Memo
from roundtable.model import NO_TEXT, Essay, Roundtable, Text, evolve

Checked = tuple["Roundtable | Essay | None", list[ContentError], str]
"""What checking one document gave: the item (None when it failed), its mistakes, and the key of
its front matter in the `fronts` table ("" when it was not read)."""


class RememberedChecks:
    """DocumentChecker's checks, each remembered by what it read."""

    def __init__(self, memo: Memo, sources: Sources, directory: Directory) -> None:
        self.checker = DocumentChecker(sources, directory)
        self.memo = memo
        self.context = checking_context(sources, directory)
        self.keys: dict[tuple[str, str], str] = {}
        """Keys already made, by kind and document hash (front matter keys by 'front' and kind,
        and file): prefetching makes them first."""

    def check(
        self, kind: str, parsed: SourceFile
    ) -> tuple[Roundtable | Essay | None, list[ContentError]]:
        """Check a document, or recall what checking it gave when nothing it reads changed."""
        entry_key = self._key(kind, parsed)
        if not entry_key:
            return self.checker.check(kind, parsed)
        known: Checked | None = self.memo.get("checked", entry_key)
        if known is None:
            return self._checked_again(kind, parsed, entry_key)
        item, errors, front = known
        self.memo.keep("fronts", [front])
        if item is None:
            return None, list(errors)
        return evolve(item, body=Text(parsed.digest, fetch=partial(_body, parsed))), list(errors)

    def prefetch(self, roundtable_docs: list[SourceFile], essay_docs: list[SourceFile]) -> None:
        """Load what checking these documents gave in earlier builds, and, for the documents
        that must be checked again, their parsed front matter."""
        keys = {self._key("roundtable", p): ("roundtable", p) for p in roundtable_docs}
        keys.update((self._key("essay", p), ("essay", p)) for p in essay_docs)
        self.memo.prefetch("checked", [k for k in keys if k])
        again = [kp for k, kp in keys.items() if not k or self.memo.get("checked", k) is None]
        self.memo.prefetch("sources", [p.digest for _, p in again if p.digest])
        fronts = [self._front_key(kind, p) for kind, p in again]
        self.memo.prefetch("fronts", [front for front in fronts if front])
        earlier = [self.memo.get("fronts", front) for front in fronts if front]
        self.memo.prefetch("checked", [entry_key for entry_key in earlier if entry_key])

    def _checked_again(
        self, kind: str, parsed: SourceFile, entry_key: str
    ) -> tuple[Roundtable | Essay | None, list[ContentError]]:
        """Check a changed document and remember the outcome; one whose front matter is as it was
        (an edited body) takes the outcome of that front matter instead of being validated."""
        front = self._front_key(kind, parsed)
        pointer = self.memo.get("fronts", front) if front else None
        earlier: Checked | None = self.memo.get("checked", pointer) if pointer else None
        if earlier is None:
            item, errors = self.checker.check(kind, parsed)
        else:
            item = _with_body(earlier[0], parsed) if earlier[0] is not None else None
            errors = list(earlier[1])
        # The body is kept once, with the parsed file: the item is recalled without it.
        kept = evolve(item, body=NO_TEXT) if item is not None else None
        self.memo.put("checked", entry_key, (kept, errors, front))
        if front:
            self.memo.put("fronts", front, entry_key)
        return item, errors

    def _key(self, kind: str, parsed: SourceFile) -> str:
        """Return the key of checking a document; empty when it must not be remembered."""
        if self.context is None or not parsed.digest:
            return ""
        known = self.keys.get((kind, parsed.digest))
        if known is None:
            known = self.keys[kind, parsed.digest] = cache.key(
                "checked", kind, parsed.digest, self.context
            )
        return known

    def _front_key(self, kind: str, parsed: SourceFile) -> str:
        """Return the key of checking a document's front matter; empty when it must not be
        remembered, or the document cannot be read.

        Checking reads the front matter, the file's name and everything in the context; the body
        only for its length (reading time). Same front matter, same outcome.
        """
        doc = parsed.document()
        if self.context is None or not isinstance(doc, Document):
            return ""
        known = self.keys.get((f"front {kind}", parsed.rel))
        if known is None:
            parts = (parsed.rel, doc.display, doc.front, str(doc.body_line), self.context)
            known = self.keys[f"front {kind}", parsed.rel] = cache.key("front", kind, *parts)
        return known


def checking_context(sources: Sources, directory: Directory) -> str | None:
    """Hash what checking a document reads besides it: authors.yml and the other files' stat.

    None when a file changed too recently for its stat to be trusted (see cache.file_signature).
    """
    parts = [repr(sorted(directory.items())), sources.display_root]
    for rel in sources.static:
        try:
            signature = cache.file_signature(sources.file(rel))
        except OSError:
            return None  # checking reports it, located, where a document names it
        if signature is None:
            return None
        parts.append(repr((rel, signature)))
    return cache.key("context", *parts)


def _with_body(item: Roundtable | Essay, parsed: SourceFile) -> Roundtable | Essay:
    """Return an item checked from the same front matter, with this file's body."""
    doc = parsed.document()
    assert isinstance(doc, Document)
    return with_body(item, text_of(parsed, doc))


def _body(parsed: SourceFile, _digest: str) -> str:
    """Read the body of a file whose checked item was recalled (to convert it again); the file's
    hash, which the body is known by, is the one the parsed file checks its bytes against."""
    doc = parsed.document()
    if isinstance(doc, ContentError):
        raise BuildFailed([doc])  # it changed, or went, since the build started
    return doc.body
