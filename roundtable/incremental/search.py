"""The search index, made again only when an indexed page changed.

Pagefind takes seconds (about 20 at 10,000 pages): when every page it reads has the fingerprint
it had when the index in the output was made, that index is kept as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path

from roundtable import urls
from roundtable.incremental.cache import key
from roundtable.publish.search import Pagefind, is_indexed, search_index


def with_search_index(
    rendered: MutableMapping[str, bytes],
    manifest: dict[str, str],
    before: Mapping[str, str],
    output: Path | None,
    earlier: Mapping[str, bytes],
    pagefind: Pagefind,
) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
    """Add the search index to a build's files and manifest; kept as it is if no page changed.

    `rendered` holds the pages this build rendered; the others are unchanged since the build
    that made `before`, and are read from `earlier` (a server's last build) or the output.
    """
    fingerprint = _index_fingerprint(manifest, pagefind)
    kept = {path: fp for path, fp in before.items() if path.startswith(urls.SEARCH_INDEX)}
    if kept and all(fp == fingerprint for fp in kept.values()):
        return rendered, manifest | kept
    pages = {path: body for path, body in rendered.items() if is_indexed(path)}
    for path in manifest:
        if is_indexed(path) and path not in pages:
            pages[path] = earlier[path] if path in earlier else _read(output, path)
    index = search_index(pages, pagefind)
    rendered.update(index)
    return rendered, manifest | dict.fromkeys(index, fingerprint)


def _index_fingerprint(manifest: Mapping[str, str], pagefind: Pagefind) -> str:
    """Return what the index depends on: every indexed page's fingerprint, and the program."""
    pages = sorted(f"{path}={fp}" for path, fp in manifest.items() if is_indexed(path))
    return key("search", pagefind.identity, *pages)


def _read(output: Path | None, path: str) -> bytes:
    """Return an unchanged page from the output folder, where the last build wrote it."""
    if output is None:
        raise FileNotFoundError(f"{path}: neither rendered nor kept from the last build")
    return (output / path).read_bytes()
