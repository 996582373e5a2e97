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
import struct
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from roundtable import urls
from roundtable.errors import ContentError
from roundtable.model import Essay, Image, Roundtable, Site, Variant, evolve
from roundtable.regular_files import read_regular
from roundtable.render.markdown import content_path

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
WEBP_MOST = 16383
"""WebP's largest side: a larger copy (a long infographic, a panorama) is offered in its own
format only."""


class NotAnImage(Exception):
    """The file is missing, unreadable, or not a picture we can publish."""


@dataclass(frozen=True)
class Variants:
    """Variant files made (or found in the cache) for a build."""

    files: dict[str, Path]
    """Output path → the cached file to copy there."""
    count: int
    """How many were made now, rather than found in the cache."""
    failed: dict[str, str] = field(default_factory=dict)
    """Pictures that could not be decoded (content path → what is wrong)."""


TOO_LARGE = "the picture is larger than 50 megapixels (resize it below that)"
DAMAGED = (OSError, ValueError, SyntaxError, EOFError, IndexError, struct.error)
"""What Pillow raises on hostile bytes, reading a header or decoding (a cut-short file: OSError)."""


def measure(path: Path) -> tuple[int, int]:
    """Return (width, height) of an image file, reading only its header."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise NotAnImage(f"use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file")
    # Imported here, as below: most builds read no picture, and Pillow takes a while to load.
    from PIL import Image as PILImage

    try:
        with bombs_refused(), PILImage.open(path) as picture:
            width, height = picture.size
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise NotAnImage(TOO_LARGE) from None
    except DAMAGED as exc:  # UnidentifiedImageError is an OSError
        raise NotAnImage(f"the file is not a readable image: {exc.__class__.__name__}") from None
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"{width}×{height} pixels is too large (resize it below 50 megapixels)")
    return width, height


def plan_variants(image: Image) -> tuple[Variant, ...]:
    """Return the resized copies an image gets: each width below its own, in its format and WebP."""
    suffix = posixpath.splitext(image.src)[1]
    mime = RESIZABLE.get(suffix.lower())
    if mime is None or not image.width:
        return ()
    widths = [w for w in WIDTHS if w < image.width] + [image.width]
    variants = []
    for width in widths:
        if width < image.width:
            variants.append(
                Variant(urls.image_variant(image.src, width, suffix.lower()), width, mime)
            )
        fits_webp = width <= WEBP_MOST and image.height * width <= WEBP_MOST * image.width
        if mime != "image/webp" and fits_webp:
            variants.append(
                Variant(urls.image_variant(image.src, width, ".webp"), width, "image/webp")
            )
    return tuple(sorted(variants, key=lambda v: (v.mime, v.width)))


@contextmanager
def bombs_refused() -> Iterator[None]:
    """Within it, Pillow's warning of a picture too large to decode safely is an exception, and
    a picture cut short fails to decode.

    The second is Pillow's default, but a global one: importing WeasyPrint (for PDFs) turns it
    off for the whole process, and a truncated upload would then be published half grey.
    """
    from PIL import Image as PILImage
    from PIL import ImageFile

    accepted = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = accepted


def make_variants(images: list[tuple[Path, Image]], folder: Path) -> Variants:
    """Make (or find intact in the folder) every variant file of these images; note those that
    fail.

    A copy is named by its source's hash, its width and its own bytes' hash: it is reused only
    while its bytes still hash to its name (issue 24: a truncated or replaced copy in the
    cache was published as it was); a damaged one is removed and made again.
    """
    files: dict[str, Path] = {}
    failed: dict[str, str] = {}
    made = 0
    kept = _kept_copies(folder)
    for source, image in images:
        try:
            made += _make_copies(source, image, folder, kept, files)
        except NotAnImage as exc:
            failed[image.src] = str(exc)
    return Variants(files, made, failed)


def _make_copies(
    source: Path,
    image: Image,
    folder: Path,
    kept: Mapping[tuple[str, str], list[str]],
    files: dict[str, Path],
) -> int:
    """Make (or find intact) the variant files of one image; return how many were made."""
    read = read_regular(source)  # never a FIFO or a link swapped in since it was measured
    if read is None:
        raise NotAnImage("the picture cannot be read as a file (save it again)")
    digest = _digest(read.data)
    made = 0
    for variant in image.variants:
        stem = f"{digest}.{variant.width}"
        suffix = posixpath.splitext(variant.path)[1]
        cached = _intact(folder, kept.get((stem, suffix), []))
        if cached is None:
            cached = _resize(source, variant, folder / stem, suffix)
            made += 1
        files[variant.path] = cached
    return made


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

    resized = _resized(source, variant.width)
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


def _resized(source: Path, width: int) -> Any:
    """Decode a picture and return it at this width; NotAnImage when its bytes are damaged.

    The file is opened here, inside the guard: it may have changed since it was measured (an
    editor saving while `serve` rebuilds).
    """
    from PIL import Image as PILImage

    try:
        with bombs_refused(), PILImage.open(source) as picture:
            picture.load()
            height = max(round(picture.height * width / picture.width), 1)  # 1000×1: not 0
            return picture.resize((width, height), PILImage.Resampling.LANCZOS)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        raise NotAnImage(TOO_LARGE) from None
    except DAMAGED as exc:
        raise NotAnImage(
            f"the picture is damaged or cut short ({exc}; save it again from an editor)"
        ) from None


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


def picture_errors(
    site: Site, content: Path, pictures: Mapping[str, Image], failed: Mapping[str, str]
) -> list[ContentError]:
    """Return an error for each picture a page shows that cannot be published: at its hero
    image's line, or at each line of a body that shows it. Pictures no page shows are not
    read: they are published as they are."""
    reasons = _Reasons(site, content, pictures, failed)
    errors = []
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    for item in items:
        if item.image is not None and item.image.src in failed:
            message = f"image.src: '{item.image.src}': {failed[item.image.src]}"
            errors.append(ContentError(item.source, item.lines.get("image.src", 0), message))
        broken = {rel: reasons.of(rel) for rel in item.pictures}
        if any(broken.values()):
            errors.extend(_body_errors(item, broken))
    return errors


@dataclass
class _Reasons:
    """What is wrong with each picture a body shows, measured once each."""

    site: Site
    content: Path
    pictures: Mapping[str, Image]
    failed: Mapping[str, str]
    known: dict[str, str] = field(default_factory=dict)

    def of(self, rel: str) -> str:
        """Return what is wrong with a content file shown as a picture, or '' if nothing is."""
        if rel in self.failed:
            return self.failed[rel]
        shown = posixpath.splitext(rel)[1].lower() in IMAGE_SUFFIXES
        if rel in self.pictures or rel not in self.site.static_files or not shown:
            return ""  # fine, or a link to no file, which `check` reports
        if rel not in self.known:
            try:
                measure(self.site.static_source(self.content, rel))
                self.known[rel] = ""
            except NotAnImage as exc:
                self.known[rel] = str(exc)
        return self.known[rel]


def _body_errors(item: Essay | Roundtable, broken: Mapping[str, str]) -> list[ContentError]:
    """Return an error at each line of a body that shows a broken picture."""
    errors = []
    for link in item.links:
        reason = broken.get(content_path(link.written, item.path) or "") if link.is_image else None
        if reason:
            line = item.body_line + link.line
            message = f"picture '{link.written}': {reason}"
            errors.append(ContentError(item.source, line, message))
    return errors
