"""The Markdown stage (render/convert.py), called with values: a site in, a site out.

No files, no cache, no earlier build: what the stage does is a function of the site it is
given. Reuse across builds is incremental/bodies.py's, and is tested through builds.
"""

from __future__ import annotations

import pytest
from helpers.values import alpha, essay
from helpers.values import site as alpha_site

from roundtable.errors import BuildFailed
from roundtable.model import Essay, Site
from roundtable.render.convert import convert

INTRODUCTION = "An introduction, with [the first essay](../essays/first.md)."


def site(*essays: Essay, allow_html: bool = False) -> Site:
    """A site of roundtable alpha, whose introduction links to the first essay, and these essays."""
    return alpha_site(*essays, roundtable=alpha(INTRODUCTION), allow_html=allow_html)


def test_every_body_is_converted_and_links_to_content_files_become_page_urls() -> None:
    given = site(essay("first", "See [the second](second.md)."), essay("second", "*Hello*."))
    made = convert(given)
    first, second = made.essays
    assert str(second.html) == "<p><em>Hello</em>.</p>\n"
    assert 'href="../second/"' in str(first.html)
    assert [link.written for link in first.links] == ["second.md"]
    assert 'href="../../essays/first/"' in str(made.roundtables[0].html)


def test_a_summary_is_the_first_paragraph_unless_one_is_given() -> None:
    made = convert(
        site(
            essay("first", "Opening *words*.\n\nMore."),
            essay("second", "Opening.", summary="Given."),
        )
    )
    assert [e.summary for e in made.essays] == ["Opening words.", "Given."]


def test_raw_html_is_text_and_noted_unless_the_site_allows_it() -> None:
    body = "Before.\n\n<script>alert(1)</script>\n"
    shown = convert(site(essay("first", body))).essays[0]
    assert "<script>" not in str(shown.html) and "&lt;script&gt;" in str(shown.html)
    assert [raw.line for raw in shown.raw_html] == [2]


def test_a_link_to_a_missing_file_is_kept_as_written_for_the_check_to_report() -> None:
    made = convert(site(essay("first", "See [gone](gone.md).")))
    (link,) = made.essays[0].links
    assert (link.written, link.line) == ("gone.md", 0)


def test_the_same_site_gives_the_same_values() -> None:
    given = site(essay("first", "A [link](second.md)."), essay("second", "Text."))
    assert convert(given) == convert(given)
    assert [str(e.html) for e in convert(given).essays] == [
        str(e.html) for e in convert(given).essays
    ]


def test_a_body_that_would_render_far_larger_than_written_is_a_located_error() -> None:
    bomb = "[a]: https://example.org/" + "x" * 200 + "\n\n" + "[a] " * 60_000
    with pytest.raises(BuildFailed) as failed:
        convert(site(essay("first", "Fine."), essay("bomb", bomb)))
    (error,) = failed.value.errors
    assert error.path == "content/essays/bomb.md" and error.line >= 5
