"""ASCII slugs for URLs and anchors: "¿Nuevos lazos? México" → "nuevos-lazos-mexico"."""

from __future__ import annotations

from functools import lru_cache

from slugify import slugify


@lru_cache(maxsize=65536)
def make_slug(text: str) -> str:
    """Return the lower-case ASCII slug of a text; '' when it has no letters or digits."""
    # An explicit backend: 'auto' retries importing the optional `unidecode` on every call,
    # which costs a file-system search each time (a third of a 10,000-essay build's parse time).
    return str(slugify(text, backend="text-unidecode"))
