"""The search index, made again shard by shard: only the shards whose pages changed.

Pagefind takes about 2 ms a page (20 s at 10,000 pages, and 200 KB of memory a page): each
shard's bundle is kept in the output for as long as every page it indexed has the fingerprint
it had when the bundle was made, so an edit runs Pagefind over one roundtable's shard only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from roundtable import urls
from roundtable.incremental.cache import key
from roundtable.publish import search
from roundtable.publish.search import UI_FILES, Pagefind, shard_folder, shard_list


@dataclass(frozen=True)
class Shard:
    """The pages one shard indexes, and what its bundle's files are known by."""

    number: int
    """Its place among the shards (its folder's name)."""
    pages: tuple[str, ...]
    """The indexed pages it holds, by output path."""
    fingerprint: str
    """The fingerprint of every file of its bundle: its pages' and Pagefind's."""


def with_search_index(
    rendered: MutableMapping[str, bytes],
    manifest: dict[str, str],
    before: Mapping[str, str],
    output: Path | None,
    earlier: Mapping[str, bytes],
    pagefind: Pagefind,
    groups: Mapping[str, tuple[str, tuple[str, ...]]],
) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
    """Add the search index to a build's files and manifest; shards whose pages did not change
    are kept as they are.

    `rendered` holds the pages this build rendered; the others are unchanged since the build
    that made `before`, and are read from `earlier` (a server's last build) or the output.
    `groups` holds every group of pages by name, with its output files.
    """
    shards = site_shards(groups, manifest, pagefind)
    index = dict(manifest)
    stale = []
    for shard in shards:
        kept = _kept_files(shard, before)
        if kept:
            index |= kept
        else:
            stale.append(shard)
    ui_fingerprint = key("search-ui", pagefind.identity)
    ui = {urls.search_index(name) for name in UI_FILES}
    if all(before.get(path) == ui_fingerprint for path in ui):
        index |= dict.fromkeys(ui, ui_fingerprint)
    elif not stale and shards:
        stale.append(shards[0])  # its run gives the search box's files, deleted by hand
    made = _index_shards(stale, rendered, earlier, output, pagefind)
    for shard, files in zip(stale, made, strict=True):
        rendered.update(files)
        index |= {path: ui_fingerprint if path in ui else shard.fingerprint for path in files}
    listing = shard_list(shard.number for shard in shards)
    rendered.update(listing)
    index |= {path: key("search-shards", body) for path, body in listing.items()}
    return rendered, index


def site_shards(
    groups: Mapping[str, tuple[str, tuple[str, ...]]],
    manifest: Mapping[str, str],
    pagefind: Pagefind,
) -> list[Shard]:
    """Return the shards of the site's index, each with its pages and fingerprint."""
    held = search.site_shards({name: files for name, (_digest, files) in groups.items()})
    return [
        Shard(number, pages, _fingerprint(number, pages, manifest, pagefind))
        for number, pages in held.items()
    ]


def _fingerprint(
    number: int, pages: Iterable[str], manifest: Mapping[str, str], pagefind: Pagefind
) -> str:
    """Return what a shard's bundle depends on: its pages' fingerprints, the program, its place."""
    held = sorted(f"{path}={manifest[path]}" for path in pages)
    return key("search", pagefind.identity, str(number), *held)


def _kept_files(shard: Shard, before: Mapping[str, str]) -> dict[str, str]:
    """Return a shard's files in the output when they are what its pages make; else none."""
    folder = urls.search_index(shard_folder(shard.number))
    kept = {path: fp for path, fp in before.items() if path.startswith(folder)}
    if folder + "pagefind-entry.json" not in kept:
        return {}
    return kept if all(fp == shard.fingerprint for fp in kept.values()) else {}


def _index_shards(
    shards: list[Shard],
    rendered: Mapping[str, bytes],
    earlier: Mapping[str, bytes],
    output: Path | None,
    pagefind: Pagefind,
) -> list[dict[str, bytes]]:
    """Run Pagefind over each shard's pages."""
    pages = {shard.number: shard.pages for shard in shards}
    made = search.index_shards(
        pages, partial(_page, rendered=rendered, earlier=earlier, output=output), pagefind
    )
    return [made[shard.number] for shard in shards]


def _page(
    path: str, rendered: Mapping[str, bytes], earlier: Mapping[str, bytes], output: Path | None
) -> bytes:
    """Return a page: rendered now, kept from a server's last build, or in the output folder."""
    if path in rendered:
        return rendered[path]
    if path in earlier:
        return earlier[path]
    if output is None:
        raise FileNotFoundError(f"{path}: neither rendered nor kept from the last build")
    return (output / path).read_bytes()
