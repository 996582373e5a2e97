"""Markdown: CommonMark + tables, footnotes, typographer; unsafe content never becomes markup."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from roundtable.render.markdown import is_safe_url, render, render_inline, renderer, shortened


def html(text: str, allow_html: bool = False) -> str:
    """Render a body with no link context."""
    return render(text, allow_html=allow_html).html


def test_renderer_escapes_raw_html_by_default() -> None:
    assert renderer(False).options["html"] is False
    out = html("<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)>")
    assert "<script" not in out and "<img" not in out and "&lt;script&gt;" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "javascript&#58;alert(1)",
        " javascript:x",
        "vbscript:msgbox",
        "data:text/html;base64,PHNjcmlwdD4=",
        "data:image/png;base64,AAAA",
        "jav&#x09;ascript:alert(1)",
        "file:///etc/passwd",
    ],
)
def test_dangerous_links_and_images_are_not_emitted(url: str) -> None:
    document = BeautifulSoup(html(f"[a]({url}) ![b]({url}) <{url}>"), "html.parser")
    for element in document.find_all(["a", "img"]):
        value = (element.get("href") or element.get("src") or "").lower()
        assert not value.startswith(("javascript", "vbscript", "data", "file")), element


def test_safe_url_allowlist() -> None:
    assert is_safe_url("https://x.org") and is_safe_url("mailto:a@b.c") and is_safe_url("../a/")
    assert not is_safe_url("java\tscript:x") and not is_safe_url("\x01javascript:x")


def test_opted_in_html_is_sanitized() -> None:
    out = html('<b onclick="x()">bold</b><script>bad()</script><a href="javascript:x">l</a>', True)
    assert "<b>bold</b>" in out and "onclick" not in out and "<script" not in out
    assert "javascript" not in out


def test_tables_footnotes_typographer() -> None:
    out = html('"Quoted" -- and---dashes.[^1]\n\n| a |\n|---|\n| 1 |\n\n[^1]: Note.')
    assert "“Quoted” – and—dashes." in out
    assert "<table>" in out and 'class="footnotes"' in out


def test_headings_are_demoted_below_the_title_and_get_ids() -> None:
    out = html("# Intro\n\n## Sub\n\n# Intro")
    assert '<h2 id="intro">' in out and '<h3 id="sub">' in out and '<h2 id="intro-1">' in out


def test_first_paragraph_is_plain_text() -> None:
    result = render(
        "## Head\n\nSome *emphasis* and `code`.[^1]\n\nSecond.\n\n[^1]: n", allow_html=False
    )
    assert result.first_paragraph == "Some emphasis and code."


def test_content_links_resolve_relative_to_the_source_file() -> None:
    targets = {"essays/b.md": "essays/b/", "images/p.png": "images/p.png"}
    out = render(
        "[b](b.md#x) [ext](https://e.org) ![p](../images/p.png) [gone](c.md)",
        allow_html=False,
        source="essays/a.md",
        page="essays/a/",
        targets=targets,
    ).html
    assert 'href="../b/#x"' in out and 'src="../../images/p.png"' in out
    assert 'href="https://e.org"' in out and 'href="c.md"' in out


def test_inline_markdown_for_bios() -> None:
    assert render_inline("*A* <b>x</b>") == "<em>A</em> &lt;b&gt;x&lt;/b&gt;"


def test_a_picture_over_an_italic_line_is_a_figure_with_caption_and_credit() -> None:
    out = html("![A map](map.png)\n*Where the routes cross.* Map: [Ana](https://example.org)\n")
    assert out == (
        '<figure class="figure"><img src="map.png" alt="A map"><figcaption>Where the routes '
        'cross. <span class="credit">Map: <a href="https://example.org">Ana</a></span>'
        "</figcaption>\n</figure>\n"
    )


def test_a_line_break_after_the_picture_makes_a_figure_too() -> None:
    assert "<figcaption>Caption.</figcaption>" in html("![A map](map.png)  \n*Caption.*")


def test_a_figure_may_have_a_caption_without_credit() -> None:
    document = BeautifulSoup(
        html("![A map](map.png)\n*Where the routes **cross**.*"), "html.parser"
    )
    assert document.figure is not None and document.figure.figcaption is not None
    assert (
        str(document.figure.figcaption)
        == "<figcaption>Where the routes <strong>cross</strong>.</figcaption>"
    )


@pytest.mark.parametrize(
    "text",
    [
        "![A map](map.png)\n\n*An italic paragraph of its own.*",  # a blank line: not a caption
        "![A map](map.png) *beside the picture*",
        "![A map](map.png)\nPlain text under it.",
        "- ![A map](map.png)\n  *In a tight list.*",
    ],
)
def test_other_pictures_stay_pictures(text: str) -> None:
    assert "<figure" not in html(text) and "<figcaption" not in html(text)


def test_a_figure_survives_the_sanitizer_of_opted_in_html() -> None:
    out = html("![A map](map.png)\n*Caption.* Credit", allow_html=True)
    assert '<figure class="figure">' in out and '<span class="credit">Credit</span>' in out


def test_a_figure_is_not_the_first_paragraph() -> None:
    result = render("![A map](map.png)\n*Caption.*\n\nThe essay starts here.", allow_html=False)
    assert result.first_paragraph == "The essay starts here."


LONG = (
    "U.S. officials met their Mexican counterparts on Oct. 11 in Mexico City to discuss the "
    "flow of fentanyl precursors. The talks, led by Dr. Ana Ruiz, ended without an agreement. "
    "Both sides said they would meet again in January. “We are closer than ever,” one "
    "official said. Others were less sure, and said so in public, which irritated the hosts a "
    "great deal more than anyone had expected at the time."
)


def test_a_long_first_paragraph_is_cut_at_a_sentence_near_300_characters() -> None:
    summary = render(LONG, allow_html=False).first_paragraph
    assert summary == LONG[: LONG.index(" Others")]


@pytest.mark.parametrize(
    ("near", "expected"),
    [
        (160, LONG[: LONG.index(" Both")]),  # 'U.S.', 'Oct.' and 'Dr.' end no sentence
        (100, LONG[: LONG.index(" The talks")]),
        (1000, LONG),
    ],
)
def test_shortened_keeps_whole_sentences(near: int, expected: str) -> None:
    assert shortened(LONG, near) == expected


def test_shortened_cuts_one_long_sentence_at_a_word() -> None:
    sentence = "word " * 100
    assert shortened(sentence, 160) == ("word " * 32).strip() + "…"
