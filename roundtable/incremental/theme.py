"""The theme as a build reads it, and the folders a build keeps its work in between builds."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from roundtable.incremental.fingerprint import theme_digest
from roundtable.render.pages import Theme, hash_bytes

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


@dataclass(frozen=True)
class ThemeFiles:
    """The theme as one build reads it: its assets and the version of all its files."""

    assets: dict[str, Path]
    """Asset files by name (a site's own override the theme's)."""
    asset_hashes: dict[str, str]
    """Short content hashes of the assets, for cache-busting links."""
    version: str
    """Hash of the templates, messages and assets: keys every cached lookup of theme files."""


def read_theme(theme: Theme) -> ThemeFiles:
    """Hash the theme's files, once a build, before anything looks them up."""
    assets = theme_assets(theme)
    hashes = {name: hash_bytes(path.read_bytes()) for name, path in assets.items()}
    version = theme_digest(theme.template_dirs, hashes, theme.message_dirs)
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


def compiled_templates(options: BuildOptions) -> Path | None:
    """Return where compiled templates are kept between builds: in the build cache, if any."""
    if options.cache_dir is None:
        return None
    folder = options.cache_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def image_folder(options: BuildOptions) -> Iterator[Path]:
    """Give the folder resized images are kept in: the build cache's, or one for this build.

    Without a cache (check, --no-cache) they still need a home until they are copied out: a
    new folder only this user can write, removed after the build (the shared, predictable one
    it used to be let anyone plant the pictures a build published: issue 24). An in-memory
    build without a cache (check) keeps only their names.
    """
    if options.cache_dir is not None:
        yield options.cache_dir / "images"
        return
    folder = tempfile.mkdtemp(prefix="roundtable-images-")
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
