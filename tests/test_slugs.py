"""Slugs: the ASCII names of pages and anchors, made from titles in any language."""

from __future__ import annotations

import pytest

from roundtable.slugs import make_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("¿Nuevos lazos? México", "nuevos-lazos-mexico"),
        ("São Paulo — 2024", "sao-paulo-2024"),
        ("Ñandú  y   pingüino", "nandu-y-pinguino"),
        ("?!…", ""),
    ],
)
def test_slug_is_lower_case_ascii(text: str, slug: str) -> None:
    assert make_slug(text) == slug
