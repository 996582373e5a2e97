"""Pictures: check that a file is one, read its size, and make resized copies for `srcset`.

Resized copies are made once per version of a picture: they are kept in the build cache under
the hash of the source bytes (and of their own, checked before one is reused), so an unchanged
picture costs nothing but reading its copies on the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from roundtable.model import Essay, Image, Roundtable, Site, Variant, evolve
from roundtable.regular_files import read_regular

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
RESIZABLE = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
"""Formats we resize; GIF (animation) and AVIF are published as they are."""
WIDTHS = (480, 960, 1600)
"""Widths offered in `srcset`: a phone, a column, a wide screen."""
MAX_PIXELS = 50_000_000
"""Pillow's own bomb guard warns at 89 MP; a hero image never needs more than this."""
QUALITY = {"image/jpeg": 82, "image/webp": 80}


class NotAnImage(Exception):
    """The file is missing, unreadable, or not a picture we can publish."""


@dataclass(frozen=True)
class Made:
    """Variant files made (or found in the cache) for a build."""

    files: dict[str, Path]
    """Output path → the cached file to copy there."""
    count: int
    """How many were made now, rather than found in the cache."""


def measure(path: Path) -> tuple[int, int]:
    """Return (width, height) of an image file, reading only its header."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise NotAnImage(f"use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file")
    # Imported here, as below: most builds read no picture, and Pillow takes a while to load.
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        with PILImage.open(path) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError) as exc:
        raise NotAnImage(f"the file is not a readable image: {exc.__class__.__name__}") from None
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"{width}×{height} pixels is too large (resize it below 50 megapixels)")
    return width, height


def plan_variants(image: Image) -> tuple[Variant, ...]:
    """Return the resized copies an image gets: each width below its own, in its format and WebP."""
    stem, suffix = posixpath.splitext(image.src)
    mime = RESIZABLE.get(suffix.lower())
    if mime is None or not image.width:
        return ()
    widths = [w for w in WIDTHS if w < image.width] + [image.width]
    variants = []
    for width in widths:
        if width < image.width:
            variants.append(Variant(f"{stem}.{width}w{suffix.lower()}", width, mime))
        if mime != "image/webp":
            variants.append(Variant(f"{stem}.{width}w.webp", width, "image/webp"))
    return tuple(sorted(variants, key=lambda v: (v.mime, v.width)))


def make_variants(images: list[tuple[Path, Image]], folder: Path) -> Made:
    """Make (or find intact in the folder) every variant file of these images.

    A copy is named by its source's hash, its width and its own bytes' hash: it is reused only
    while its bytes still hash to its name (issue 24: a truncated or replaced copy in the
    cache was published as it was); a damaged one is removed and made again.
    """
    files: dict[str, Path] = {}
    made = 0
    kept = _kept_copies(folder)
    for source, image in images:
        digest = _digest(source.read_bytes())
        for variant in image.variants:
            stem = f"{digest}.{variant.width}"
            suffix = posixpath.splitext(variant.path)[1]
            cached = _intact(folder, kept.get((stem, suffix), []))
            if cached is None:
                cached = _resize(source, variant, folder / stem, suffix)
                made += 1
            files[variant.path] = cached
    return Made(files, made)


def _digest(data: bytes) -> str:
    """Return the hash a picture, or a resized copy, is named by."""
    return hashlib.sha256(data).hexdigest()[:24]


def _kept_copies(folder: Path) -> dict[tuple[str, str], list[str]]:
    """Return the names of the copies in the folder by their stem (source hash and width) and
    suffix: `<source>.<width>.<bytes>.<format>`."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return {}  # no folder yet (the first build), or one that cannot be read
    kept: dict[tuple[str, str], list[str]] = {}
    for name in names:
        parts = name.split(".")
        if len(parts) == 4:
            kept.setdefault((f"{parts[0]}.{parts[1]}", f".{parts[3]}"), []).append(name)
    return kept


def _intact(folder: Path, names: list[str]) -> Path | None:
    """Return the first copy among these whose bytes hash to its name; remove the others."""
    for name in names:
        path = folder / name
        read = read_regular(path)
        if read is not None and _digest(read.data) == name.split(".")[2]:
            return path
        _discard(path)
    return None


def _discard(path: Path) -> None:
    """Remove a damaged copy: a file, a link, or a folder in a file's place."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


def _resize(source: Path, variant: Variant, stem: Path, suffix: str) -> Path:
    """Write one resized copy into the folder, whole or not at all; return its path."""
    from PIL import Image as PILImage

    with PILImage.open(source) as picture:
        picture.load()
        height = round(picture.height * variant.width / picture.width)
        resized = picture.resize((variant.width, height), PILImage.Resampling.LANCZOS)
    if variant.mime == "image/jpeg" and resized.mode not in ("RGB", "L"):
        resized = resized.convert("RGB")
    fmt = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}[variant.mime]
    options = {"quality": QUALITY[variant.mime]} if variant.mime in QUALITY else {"optimize": True}
    encoded = io.BytesIO()
    resized.save(encoded, fmt, **options)
    data = encoded.getvalue()
    destination = stem.with_name(f"{stem.name}.{_digest(data)}{suffix}")
    stem.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=stem.parent, prefix=".", suffix=".tmp")
    try:
        with open(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return destination


def with_variants(site: Site) -> Site:
    """Return the site with the resized copies of every hero image planned."""
    essays = tuple(_planned(e) for e in site.essays)
    roundtables = tuple(_planned(r) for r in site.roundtables)
    return replace(site, essays=essays, roundtables=roundtables)


def _planned(item: Essay | Roundtable) -> Any:
    """Return an essay or roundtable whose image knows its variants."""
    if item.image is None:
        return item
    return evolve(item, image=evolve(item.image, variants=plan_variants(item.image)))


def hero_images(site: Site, content: Path) -> list[tuple[Path, Image]]:
    """Return each distinct hero image with its source file."""
    found: dict[str, tuple[Path, Image]] = {}
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    for item in items:
        if item.image is not None and item.image.variants:
            found.setdefault(
                item.image.src, (site.static_source(content, item.image.src), item.image)
            )
    return [found[src] for src in sorted(found)]


def content_pictures(site: Site, content: Path) -> dict[str, Image]:
    """Return every resizable picture among the content's files, measured, with its variants."""
    pictures = {}
    for rel in site.static_files:
        if posixpath.splitext(rel)[1].lower() not in RESIZABLE:
            continue
        try:
            width, height = measure(site.static_source(content, rel))
        except NotAnImage:
            continue  # published as it is; a hero image that is not one is reported elsewhere
        image = Image(rel, "", width=width, height=height)
        pictures[rel] = replace(image, variants=plan_variants(image))
    return pictures


def describe(image: Image) -> str:
    """Return what Markdown needs to know of a picture: its size and its copies, as JSON."""
    webp = image.srcset("image/webp")
    original = [v for v in image.variants if v.mime != "image/webp"]
    return json.dumps(
        {
            "width": image.width,
            "height": image.height,
            "srcset": [[v.path, v.width] for v in original],
            "webp": []
            if image.src.lower().endswith(".webp")
            else [[v.path, v.width] for v in webp],
        }
    )
