"""What the build makes of its outputs: every one of them, and which must be made again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from roundtable import urls
from roundtable.errors import ContentError
from roundtable.render.pages import Page

GroupRecord = tuple[str, tuple[str, ...]]
"""What a build remembers of a group of pages: the fingerprint of its inputs, its output files."""


@dataclass(frozen=True)
class Plan:
    """Every output of a build with its fingerprint, and which ones must be made again."""

    pages: list[Page]
    """The pages of every group whose inputs changed (the rest are as they were)."""
    copies: dict[str, Path]
    """Files copied as they are (assets, content files, resized images)."""
    manifest: dict[str, str]
    """Fingerprint of every output file."""
    before: dict[str, str]
    """Fingerprints of what the output (or the last build in memory) already holds."""
    asset_hashes: dict[str, str]
    """Short content hashes of the theme's assets, for cache-busting links."""
    theme_version: str
    """Hash of the theme's templates and assets."""
    images_made: int
    """Resized images made for this build."""
    groups: dict[str, GroupRecord]
    """Every group of pages: its inputs' fingerprint and its output files."""
    errors: list[ContentError]
    """Pictures that cannot be shown, and content files where the site makes a page or asset:
    reported with the site's other mistakes."""

    def stale(self) -> list[Page]:
        """Return the pages whose inputs changed since the output was made."""
        return [
            p for p in self.pages if _changed(urls.output_file(p.path), self.manifest, self.before)
        ]


def _changed(path: str, manifest: Mapping[str, str], before: Mapping[str, str]) -> bool:
    """Return True when an output file must be made again."""
    return before.get(path) != manifest[path]
