"""What a build reads, hashed: the shortcut when nothing changed, and each file known by its
bytes while its stat is unchanged."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from roundtable.content.discover import LINK, SPECIAL, UNLISTABLE, walk_files
from roundtable.errors import ContentError
from roundtable.incremental.cache import BuildCache, file_signature, key, source_digest
from roundtable.incremental.outputs import output_key, present_files
from roundtable.write import read_marker

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


def input_digest(options: BuildOptions, cache: BuildCache, known: FileDigests) -> str:
    """Hash everything a build reads: content, theme, options and the generator's own code.
    Equal to the last build's, with the output untouched, nothing differs.

    A file whose size, times and inode are those recorded at the last build is not read again;
    `known` keeps each file's hash for the rest of the build.
    """
    settings = [repr((options.content_display, options.drafts, options.base_url))]
    settings.append(repr((options.search_index, str(options.output), options.pdf)))
    settings.append(os.environ.get("SOURCE_DATE_EPOCH", ""))
    parts: list[str | bytes] = [*settings]
    theme = options.theme
    for folder in (options.content, *theme.template_dirs, *theme.asset_dirs, *theme.message_dirs):
        parts.append(str(folder))
        for rel, value in _folder_parts(folder, known):
            parts += [rel, value]
    if known.now != known.known:
        cache.put("meta", FILE_DIGESTS_KEY, known.now)
    return key("inputs", *parts)


FILE_DIGESTS_KEY = "file-digests"
"""The cache's name for what each source file's bytes hashed to, by path and stat."""


class FileDigests:
    """Content hashes of files, reused while a file's stat is what it was when it was hashed."""

    def __init__(self, known: Mapping[str, tuple[tuple[int, ...], str]]) -> None:
        self.known = known
        """Hashes of earlier builds, by path, with the stat the file had then."""
        self.now: dict[str, tuple[tuple[int, ...], str]] = {}
        """Hashes to remember for the next build (a file changed too recently is left out)."""
        self.hashed: dict[str, str] = {}
        """Every hash of this build, by path."""

    def digest(self, path: str) -> str:
        """Return the hash of a file's bytes, read only when its stat changed.

        A file is hashed once per build: the stages that read it later get the same hash, and
        the parser checks that the bytes it reads are the bytes that were hashed.
        """
        if path in self.hashed:
            return self.hashed[path]
        signature = file_signature(path)
        stored = self.known.get(path)
        if signature is not None and stored is not None and stored[0] == signature:
            self.now[path] = stored
            self.hashed[path] = stored[1]
            return stored[1]
        digest = self.hashed[path] = source_digest(Path(path).read_bytes())
        if signature is not None:
            self.now[path] = (signature, digest)
        return digest


def _folder_parts(folder: Path, known: FileDigests) -> Iterator[tuple[str, str | bytes]]:
    """Yield every file's relative path and hash (a symlink's target as bytes) in a folder."""
    for rel, kind, _ in walk_files(folder, everything=True):
        path = os.path.join(folder, rel)
        if kind in (SPECIAL, UNLISTABLE):  # never read (a FIFO waits forever): reported
            yield rel, kind.encode()
            continue
        try:
            yield rel, os.fsencode(os.readlink(path)) if kind == LINK else known.digest(path)
        except OSError as exc:  # gone or unreadable: reading it reports it, located, if it matters
            yield rel, f"unreadable: {exc.strerror}".encode()


class Unchanged(NamedTuple):
    """What the last build made, when nothing it read has changed since."""

    manifest: dict[str, str]
    """Fingerprint of every output file."""
    counts: tuple[int, int]
    """How many roundtables and essays the site has."""
    warnings: tuple[ContentError, ...]
    """What the site's check found worth a look."""


def known_inputs(options: BuildOptions, cache: BuildCache) -> tuple[FileDigests, str | None]:
    """Return the files' hashes as far as the last build knew them, and everything this build
    reads, hashed (only a build kept on disk can be compared with the last one: else None)."""
    hashed = FileDigests(cache.get("meta", FILE_DIGESTS_KEY) or {})
    kept = options.output is not None and cache.folder is not None
    return hashed, input_digest(options, cache, hashed) if kept else None


def unchanged_output(
    options: BuildOptions, cache: BuildCache, inputs: str | None
) -> Unchanged | None:
    """Return what the last build made when its inputs are the same and the output untouched."""
    if options.output is None or inputs is None:
        return None
    stored = cache.get("meta", inputs_key(options.output))
    output = cache.get("meta", output_key(options.output))
    if not stored or not output or stored[0] != inputs:
        return None
    if read_marker(options.output) != output[0]:
        return None
    manifest, counts, warnings = output[1], stored[1], stored[2] if len(stored) > 2 else []
    if len(present_files(options.output, manifest)) != len(manifest):
        return None  # someone deleted files by hand: make them again
    cache.save(prune=False)  # only the files' stat table may have changed
    return Unchanged(manifest, counts, tuple(warnings))


def inputs_key(output: Path) -> str:
    """Return the cache's name for the inputs digest of the build that made an output."""
    return f"inputs:{output.resolve()}"
