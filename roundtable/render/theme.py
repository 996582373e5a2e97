"""The theme as one build reads it: its asset files, their hashes, and its version."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from roundtable.content.discover import entry_error, odd_entries
from roundtable.errors import ContentError
from roundtable.render.pages import Theme, hash_bytes


@dataclass(frozen=True)
class ThemeFiles:
    """The theme as one build reads it: its assets and the version of all its files."""

    assets: dict[str, Path]
    """Asset files by name (a site's own override the theme's)."""
    asset_hashes: dict[str, str]
    """Short content hashes of the assets, for cache-busting links."""
    version: str
    """Hash of the templates, messages and assets: names the theme's words and pages."""


def read_theme(theme: Theme) -> ThemeFiles:
    """Hash the theme's files, once a build, before anything looks them up."""
    assets = theme_assets(theme)
    hashes = {name: hash_bytes(path.read_bytes()) for name, path in assets.items()}
    version = theme_version(theme.template_dirs, hashes, theme.message_dirs)
    return ThemeFiles(assets, hashes, version)


def theme_assets(theme: Theme) -> dict[str, Path]:
    """Return the theme's asset files by name; a site's own assets override the theme's."""
    assets: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                    assets[path.relative_to(folder).as_posix()] = path
    return dict(sorted(assets.items()))


def theme_version(
    template_dirs: tuple[Path, ...],
    asset_hashes: Mapping[str, str],
    message_dirs: tuple[Path, ...] = (),
) -> str:
    """Hash every template and messages file (by name and bytes, in lookup order) and asset hash.

    The messages files give every fixed word of a page, so an edited word renders every page
    again (the page's language, the other input of its words, is in its context).
    """
    digest = hashlib.blake2b(b"theme", digest_size=20)
    parts: list[bytes] = []
    for folder in (*template_dirs, *message_dirs):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    parts += [f"{name}={value}".encode() for name, value in sorted(asset_hashes.items())]
    for part in parts:
        digest.update(len(part).to_bytes(8, "little") + part)
    return digest.hexdigest()


@contextmanager
def image_folder(cache_dir: Path | None) -> Iterator[Path]:
    """Give the folder resized images are kept in: the build cache's, or one for this build.

    Without a cache (check, --no-cache) they still need a home until they are copied out: a
    new folder only this user can write, removed after the build (the shared, predictable one
    it used to be let anyone plant the pictures a build published: issue 24).
    """
    if cache_dir is not None:
        yield cache_dir / "images"
        return
    folder = tempfile.mkdtemp(prefix="roundtable-images-")
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def theme_links(theme: Theme) -> list[ContentError]:
    """Refuse symbolic links in templates/ and assets/ (Jinja would follow them anywhere),
    special files (reading one can wait forever) and folders that cannot be listed."""
    return [
        entry_error(os.path.relpath(folder / entry.rel), entry, "theme folders")
        for folder in (*theme.template_dirs, *theme.asset_dirs)
        if folder.is_dir()
        for entry in odd_entries(folder)
    ]
