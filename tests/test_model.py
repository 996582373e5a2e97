"""The model's own helpers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from roundtable.model import Essay, Person, evolve


def an_essay() -> Essay:
    """Return a small essay."""
    author = Person(name="Ana Pérez", slug="ana-perez")
    return Essay(slug="one", title="One", roundtable="rt", authors=(author,), source="one.md")


def test_evolve_changes_fields_as_replace_does() -> None:
    essay = an_essay()
    changed = evolve(essay, title="Two", html="<p>x</p>")
    assert changed == replace(essay, title="Two", html="<p>x</p>")
    assert changed is not essay and essay.title == "One"  # the original is untouched


def test_evolve_returns_the_item_itself_when_nothing_changes() -> None:
    essay = an_essay()
    assert evolve(essay, title="One") is essay


def test_evolve_refuses_a_field_the_item_has_not() -> None:
    with pytest.raises(TypeError, match="no field 'titel'"):
        evolve(an_essay(), titel="Two")
