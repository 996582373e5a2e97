"""What the site needs to know about a picture file: that it is one, and its size."""

from __future__ import annotations

from pathlib import Path

from PIL import Image as PILImage
from PIL import UnidentifiedImageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif")
MAX_PIXELS = 50_000_000
"""Pillow's own bomb guard warns at 89 MP; a hero image never needs more than this."""


class NotAnImage(Exception):
    """The file is missing, unreadable, or not a picture we can publish."""


def measure(path: Path) -> tuple[int, int]:
    """Return (width, height) of an image file, reading only its header."""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise NotAnImage(f"use a {', '.join(s[1:] for s in IMAGE_SUFFIXES)} file")
    try:
        with PILImage.open(path) as picture:
            width, height = picture.size
    except (UnidentifiedImageError, OSError) as exc:
        raise NotAnImage(f"the file is not a readable image: {exc.__class__.__name__}") from None
    if width * height > MAX_PIXELS:
        raise NotAnImage(f"{width}×{height} pixels is too large (resize it below 50 megapixels)")
    return width, height
