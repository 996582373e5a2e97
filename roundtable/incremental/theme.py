"""The theme as a build reads it, and the folders a build keeps its work in between builds."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.bccache import Bucket

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


def compiled_templates(options: BuildOptions) -> CompiledTemplates | None:
    """Return what keeps templates compiled between builds: a folder of the build cache, if any.

    Pages render the same with or without it (Jinja checks each against its source).
    """
    if options.cache_dir is None:
        return None
    folder = options.cache_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return CompiledTemplates(folder)


@dataclass(frozen=True, eq=True)
class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in a folder between builds (skips compiling them again).

    Jinja reuses one only while its template's source is the same; a file damaged on disk fails
    our checksum and is compiled afresh; a file that cannot be written is simply not kept.
    """

    folder: Path

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from its file, when there is one and it is intact."""
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        checksum, blob = data[:4], data[4:]
        if zlib.crc32(blob).to_bytes(4, "little") != checksum:
            return
        try:
            bucket.bytecode_from_string(blob)
        except Exception:  # Damaged beyond the checksum's reach: compile the template again.
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the bucket's compiled template (whole or not at all)."""
        blob = bucket.bytecode_to_string()
        path = self._path(bucket)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(zlib.crc32(blob).to_bytes(4, "little") + blob)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _path(self, bucket: Bucket) -> Path:
        """Return the file of a bucket (its key hashes the template's name and file)."""
        return self.folder / f"{bucket.key}.jinja"


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
