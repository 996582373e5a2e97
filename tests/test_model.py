"""The model's own helpers."""

from __future__ import annotations

import pickle
from dataclasses import replace

import jinja2
import pytest

from roundtable.model import Essay, Html, Person, evolve


def an_essay() -> Essay:
    """Return a small essay."""
    author = Person(name="Ana Pérez", slug="ana-perez")
    return Essay(slug="one", title="One", roundtable="rt", authors=(author,), source="one.md")


def test_evolve_changes_fields_as_replace_does() -> None:
    essay = an_essay()
    changed = evolve(essay, title="Two", html=Html.of("<p>x</p>"))
    assert changed == replace(essay, title="Two", html=Html.of("<p>x</p>"))
    assert changed is not essay and essay.title == "One"  # the original is untouched


def test_evolve_returns_the_item_itself_when_nothing_changes() -> None:
    essay = an_essay()
    assert evolve(essay, title="One") is essay


def test_evolve_refuses_a_field_the_item_has_not() -> None:
    with pytest.raises(TypeError, match="no field 'titel'"):
        evolve(an_essay(), titel="Two")


def test_html_is_fetched_only_when_read_and_not_kept() -> None:
    """A worker that renders half the pages must not end up holding half the site's HTML."""
    fetched: list[str] = []
    text = "<p>Body &amp; soul</p>"

    def fetch(digest: str) -> str:
        fetched.append(digest)
        return text

    html = Html(Html.of(text).digest, fetch=fetch)
    assert html == Html.of(text) and fetched == []  # compared by hash, not read
    assert str(html) == text and str(html) == text
    assert fetched == [html.digest, html.digest]


def test_html_is_markup_to_templates_and_travels_with_its_text() -> None:
    html = Html(Html.of("<em>a</em>").digest, fetch=lambda digest: "<em>a</em>")
    env = jinja2.Environment(autoescape=True)
    assert env.from_string("{{ h|safe }} {{ h }}").render(h=html) == "<em>a</em> <em>a</em>"
    copied = pickle.loads(pickle.dumps(html))
    assert str(copied) == "<em>a</em>" and copied == html


def test_html_needs_its_text_or_a_way_to_fetch_it() -> None:
    with pytest.raises(ValueError, match="needs its text"):
        Html("0" * 40)


def test_html_may_be_held_as_utf8_and_reads_as_text() -> None:
    """Converted HTML is kept as UTF-8 (half the memory of a string with curly quotes)."""
    text = "<p>“Quoted”, naïve — 東京</p>"
    held = Html("d1", text.encode("utf-8"))
    fetched = Html("d2", fetch=lambda digest: text.encode("utf-8"))
    assert str(held) == str(fetched) == text
    assert jinja2.Template("{{ h }}", autoescape=True).render(h=held) == text
    assert str(pickle.loads(pickle.dumps(held))) == text
