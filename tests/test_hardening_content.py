"""Hardening, plan section A: hostile or broken content never runs in a reader's browser, never
reaches outside the project, and always fails with a located error rather than a traceback.

Items of ../shared/reliability-test-plan.md are named A1…A25 in the test names' docstrings;
docs/security.md maps each item to its tests.
"""

from __future__ import annotations

import json
import shutil
import tracemalloc
import unicodedata
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers.hostile import (
    build,
    known_scripts,
    new_project,
    outside,
    write_essay,
)
from helpers.payloads import ALIAS_BOMB, PATHOLOGICAL
from helpers.sinks import PageParser, page_sinks, site_sinks
from helpers.site import Run, page, tree_digest

from roundtable.content.frontmatter import FrontMatterError, parse
from roundtable.render.markdown import render, renderer

RAW_HTML = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "svg-onload": "<svg onload=alert(1)>",
    "iframe": "<iframe src=javascript:alert(1)>",
    "inline": "Some *text* <b onclick=alert(1)>bold</b> and <a href=javascript:alert(1)>x</a>.",
}
LINKS = {
    "plain": "[a](javascript:alert(1))",
    "mixed-case": "[a](JaVaScRiPt:alert(1))",
    "decimal-colon": "[a](javascript&#58;alert(1))",
    "hex-colon": "[a](javascript&#x3A;alert(1))",
    "entity-j": "[a](&#106;avascript:alert(1))",
    "space": "[a]( javascript:alert(1))",
    "tab": "[a](\tjavascript:alert(1))",
    "newline": "[a](\njavascript:alert(1))",
    "vbscript": "[a](vbscript:msgbox(1))",
    "file": "[a](file:///etc/passwd)",
    "data-html": "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "reference": "[x][r]\n\n[r]: javascript:alert(1)",
    "angle": "[a](<javascript:alert(1)>)",
}
IMAGES = {
    "javascript": "![x](javascript:alert(1))",
    "svg-data": "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "html-data": "![x](data:text/html,<script>alert(1)</script>)",
    "png-data": "![x](data:image/png;base64,iVBORw0KGgo=)",
}
AUTOLINKS = {
    "autolink": "<javascript:alert(1)>",
    "autolink-entities": "<&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)>",
    "bare": "javascript:alert(1) and www.example.com and http://a/b",
}
BREAKOUTS = {
    "title": "[l](/u '\"><script>alert()</script>')",
    # Absolute addresses: a relative one leads nowhere, which fails the build.
    "alt": '![" onerror="alert(1)](https://example.org/0 "x")',
    "destination": '[t](https://example.org/"><script>alert`1`</script>)',
    "link-text": "[<svg/onload=alert(1)//]()",
}
FENCES = {
    "fence-img": '```"><img src=x onerror=alert(1)>\ncode\n```',
    "fence-attr": '```js" onmouseover="alert(1)\ncode\n```',
}
HEADINGS = '# location\n\n# __proto__\n\n# constructor\n\n# Same\n\n# Same\n\n# RT main\n\n# fn1\n\n# "><script>alert(1)</script>\n\nText.[^1]\n\n[^1]: A note.\n'
BODIES = {
    **{f"html-{k}": v for k, v in RAW_HTML.items()},
    **{f"link-{k}": v for k, v in LINKS.items()},
    **{f"image-{k}": v for k, v in IMAGES.items()},
    **{f"auto-{k}": v for k, v in AUTOLINKS.items()},
    **{f"attr-{k}": v for k, v in BREAKOUTS.items()},
    **FENCES,
    "headings": HEADINGS,
}


@pytest.fixture(scope="module")
def hostile_bodies(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The minimal site plus one essay per hostile Markdown body, built once."""
    project = new_project(tmp_path_factory.mktemp("bodies") / "proj")
    for name, body in BODIES.items():
        write_essay(project, f"{name}.md", body=f"Before.\n\n{body}\n\nAfter.\n", title=name)
    return project, build(project)


def essay_html(project: Path, name: str) -> str:
    """Return the built page of an essay."""
    return (project / "site" / "essays" / name / "index.html").read_text(encoding="utf-8")


def essay_text(project: Path, name: str) -> str:
    """Return the visible text of an essay's body."""
    body = page(project / "site", f"essays/{name}/").select_one(".prose, article, main")
    assert body is not None
    return str(body.get_text(" "))


def test_a1_a6_a24_hostile_markdown_builds_with_no_script_sink(
    hostile_bodies: tuple[Path, Run],
) -> None:
    """A1–A6, A24: every hostile body builds (exit 0), and no page has a script sink."""
    project, run = hostile_bodies
    assert run.status == 0, run.err
    assert site_sinks(project / "site", set(known_scripts())) == []


def test_a1_raw_html_is_escaped_text(hostile_bodies: tuple[Path, Run]) -> None:
    """A1: raw HTML shows as text, and the renderer has HTML off."""
    project, _ = hostile_bodies
    assert renderer(False).options["html"] is False
    for name, payload in RAW_HTML.items():
        html = essay_html(project, f"html-{name}")
        assert escape(payload.split(" ")[0], quote=False) in html, name
        assert page_sinks(html, set(known_scripts())) == []


@pytest.mark.parametrize("name", list(LINKS))
def test_a2_dangerous_link_schemes_never_become_links(
    hostile_bodies: tuple[Path, Run], name: str
) -> None:
    """A2: javascript:, vbscript:, file: and data: links, in every spelling: text kept, no href."""
    project, _ = hostile_bodies
    document = BeautifulSoup(essay_html(project, f"link-{name}"), "html.parser")
    prose = document.select_one(".prose")
    assert prose is not None
    hrefs = [str(a.get("href", "")) for a in prose.find_all("a")]
    assert not [h for h in hrefs if any(s in h.lower() for s in ("script", "file:", "data:"))]
    text = prose.get_text(" ")
    assert any(word in text for word in ("alert(1)", "msgbox", "passwd", "PHNjcmlwdD5")), text


def test_a2_dropped_link_is_a_warning_under_check(tmp_path: Path) -> None:
    """A2: a link or image dropped for its scheme is a check warning (an error under --strict),
    one per link, on its own line."""
    project = new_project(tmp_path / "proj")
    (project / "content/roundtables/beta.md").unlink()  # no other warning
    body = "Text [a](javascript:alert(1)).\n\nA [fine](https://example.org) link,\n" + (
        "then ![pic](data:image/png;base64,AAAA) and <VBScript:msgbox>.\n"
    )
    write_essay(project, "x.md", body=body)
    assert build(project).status == 0  # the build publishes them as text
    assert build(project, command="check").status == 0
    run = build(project, "--strict", command="check")
    assert run.status == 1
    dropped = [line for line in run.err.splitlines() if "plain text" in line]
    # The body starts on line 6, below five lines of front matter.
    assert [line.split(": ", 1)[0] for line in dropped] == ["content/essays/x.md:6"] + [
        "content/essays/x.md:9"
    ] * 2, run.err
    assert "'javascript:alert(1)'" in dropped[0] and "example.org" not in run.err


def test_a3_image_sources_policy(hostile_bodies: tuple[Path, Run]) -> None:
    """A3, the policy: only relative and http(s) images; data: images are never emitted, even
    PNG, and remote images are allowed (a tracking pixel is the site's editors' call)."""
    project, _ = hostile_bodies
    for name in IMAGES:
        main = BeautifulSoup(essay_html(project, f"image-{name}"), "html.parser").select_one("main")
        assert main is not None
        assert [img["src"] for img in main.find_all("img")] == [], name
    remote = render("![x](https://tracker.example/p.gif)", allow_html=False).html
    assert '<img src="https://tracker.example/p.gif" alt="x"' in remote


def test_a4_autolinks_and_bare_schemes_are_never_links(hostile_bodies: tuple[Path, Run]) -> None:
    """A4: `<javascript:…>` in any spelling is text; linkify is off, so bare URLs stay text."""
    project, _ = hostile_bodies
    assert renderer(False).options["linkify"] is False
    for name in AUTOLINKS:
        main = BeautifulSoup(essay_html(project, f"auto-{name}"), "html.parser").select_one("main")
        assert main is not None
        hrefs = [str(a.get("href", "")) for a in main.select(".prose a, article a")]
        assert not [h for h in hrefs if "script" in h.lower()], name
        assert "alert(1)" in main.get_text(), name


def test_a5_titles_and_alt_text_cannot_break_out_of_attributes(
    hostile_bodies: tuple[Path, Run],
) -> None:
    """A5: a link title holding `">` stays inside the quoted attribute."""
    project, _ = hostile_bodies
    main = BeautifulSoup(essay_html(project, "attr-title"), "html.parser").select_one("main")
    assert main is not None
    link = main.find("a", href="/u")
    assert link is not None and link["title"] == '"><script>alert()</script>'
    for name in BREAKOUTS:
        assert page_sinks(essay_html(project, f"attr-{name}"), set(known_scripts())) == [], name


def test_a6_code_fence_info_string_stays_in_the_class(hostile_bodies: tuple[Path, Run]) -> None:
    """A6: the info string is escaped into class="language-…" and adds no attribute."""
    project, _ = hostile_bodies
    for name in FENCES:
        main = BeautifulSoup(essay_html(project, name), "html.parser").select_one("main")
        assert main is not None
        code = main.find("code")
        assert code is not None and set(code.attrs) == {"class"}, code
        assert main.find("img") is None


def test_a24_heading_ids_are_unique_escaped_and_apart_from_the_theme(
    hostile_bodies: tuple[Path, Run],
) -> None:
    """A24: ids are unique, escaped, and never take the theme's (rt-…) or a footnote's id."""
    project, _ = hostile_bodies
    document = BeautifulSoup(essay_html(project, "headings"), "html.parser")
    ids = [str(element["id"]) for element in document.find_all(id=True)]
    assert len(ids) == len(set(ids)), ids
    headings = [str(h["id"]) for h in document.select("main h2")]
    assert headings[:3] == ["location", "proto", "constructor"]
    assert "same" in headings and "same-1" in headings
    assert "section-rt-main" in headings and "section-fn1" in headings
    assert all(h.replace("-", "").isalnum() for h in headings)


def test_a24_many_identical_headings_get_unique_anchors() -> None:
    """A24: 20,000 identical headings (mdit-py-plugins' anchors took half a minute; how long
    they take now: bench/pathological.py)."""
    html = render("## a\n\n" * 20_000, allow_html=False).html
    assert 'id="a-19999"' in html


# --- Front matter in every sink (A7, A8, A9) ------------------------------------------------

XSS = '"><script>alert(1)</script><img src=x onerror=alert(1)>'
LD_BREAKOUT = "x</script><script>alert(1)</script>\u2028\u2029<!--"
TEMPLATE = "{{ 7*7 }}"
SSTI = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
HOSTILE_ESSAY: dict[str, Any] = {
    "title": LD_BREAKOUT,
    "subtitle": XSS,
    "author": [
        {
            "name": "<script>alert(1)</script>",
            "affiliation": XSS,
            "bio": XSS + " [b](javascript:x)",
        },
        {"name": SSTI, "bio": "{% for x in range(10**9) %}{{ x }}{% endfor %}"},
    ],
    "roundtable": "alpha",
    "summary": XSS,
    "disclaimer": "</p><script>alert(1)</script>",
    "tags": [XSS, TEMPLATE],
    "image": {"src": "images/pic.png", "alt": XSS, "caption": XSS, "credit": XSS},
    "date": "2024-06-01",
    "extra": {"anything": XSS},
}


@pytest.fixture(scope="module")
def hostile_fields(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """The minimal site with hostile values in every front-matter field and site.yml."""
    project = new_project(tmp_path_factory.mktemp("fields") / "proj")
    (project / "content/site.yml").write_text(
        "title: '<script>alert(1)</script> & \"Forum\"'\nbase_url: https://example.org/forum/\n"
        f"tagline: '{XSS}'\norganization: '{TEMPLATE}'\ndisclaimer: '{XSS}'\n",
        encoding="utf-8",
    )
    (project / "content/roundtables/alpha.md").write_text(
        "---\ntitle: 'R &<>\"'' {{ 7*7 }} </title><script>alert(1)</script>'\n"
        f"short_title: '{XSS}'\nsummary: '{XSS}'\neditors: ['{XSS}']\ndate: 2024-05-01\n"
        "---\nIntro with {{ config }} and {% for x in range(10**9) %}.\n",
        encoding="utf-8",
    )
    write_essay(
        project,
        "hostile.md",
        body=f"{TEMPLATE}\n\n{{% for x in range(10**9) %}}{{{{ config }}}}{{% endfor %}}\n",
        **HOSTILE_ESSAY,
    )
    return project, build(project)


def test_a7_front_matter_html_is_escaped_in_every_sink(
    hostile_fields: tuple[Path, Run],
) -> None:
    """A7: every page and feed of a site whose every field is hostile has no script sink."""
    project, run = hostile_fields
    assert run.status == 0, run.err
    assert site_sinks(project / "site", set(known_scripts())) == []


def test_a7_escaped_values_read_back_exactly(hostile_fields: tuple[Path, Run]) -> None:
    """A7: <title>, meta content, Open Graph and body text show the values as written."""
    project, _ = hostile_fields
    essay = page(project / "site", "essays/hostile/")
    assert essay.title is not None and LD_BREAKOUT.split("\u2028")[0] in essay.title.get_text()
    description = essay.find("meta", attrs={"name": "description"})
    assert description is not None and description["content"] == XSS
    og_title = essay.find("meta", property="og:title")
    assert og_title is not None and str(og_title["content"]).startswith("x</script>")
    assert essay.select_one(".disclaimer") is not None
    assert "</p><script>alert(1)</script>" in essay.select_one(".disclaimer").get_text()
    home = page(project / "site", "")
    assert '"><script>alert(1)</script>' in home.get_text()


def test_a8_json_ld_cannot_close_its_script_element(
    hostile_fields: tuple[Path, Run],
) -> None:
    """A8: JSON-LD holds no raw '<' and parses back to the title, U+2028/U+2029 and all."""
    project, _ = hostile_fields
    parser = PageParser()
    parser.feed(essay_html(project, "hostile"))
    scripts = [s.text for s in parser.scripts if s.attrs.get("type") == "application/ld+json"]
    assert scripts, "the essay page has no JSON-LD"
    for text in scripts:
        assert "<" not in text and "</script" not in text.lower()
        assert LD_BREAKOUT in set(_strings(json.loads(text)))


def _strings(value: object) -> Iterator[str]:
    """Yield every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_a9_template_syntax_in_content_is_shown_literally(
    hostile_fields: tuple[Path, Run],
) -> None:
    """A9: `{{ 7*7 }}` and friends are text, and nothing is evaluated (the loop of 10**9
    among them, evaluated, would keep this test from ending)."""
    project, _ = hostile_fields
    essay = page(project / "site", "essays/hostile/")
    text = essay.get_text(" ")
    assert "{{ 7*7 }}" in text and "{% for x in range(10**9) %}{{ config }}{% endfor %}" in text
    assert SSTI in text and "49" not in text
    assert "{{ 7*7 }}" in page(project / "site", "roundtables/alpha/").get_text()
    assert "{{ 7*7 }}" in page(project / "site", "").get_text()


# --- Paths from front matter (A10, A11, A12) ------------------------------------------------

TRAVERSALS = [
    "../../canary/pwned",
    "..",
    "/etc/cron.d/x",
    "%2e%2e%2fcanary",
    "..%2F..%2Fcanary",
    "a\\..\\..\\canary",
    ".git",
    ".htaccess",
    "con",
    "nul",
    "aux",
    "x\x00y",
    " ",
    "a" * 300,
    "a/b",
    "a?b",
    "a#b",
    "Ａ",  # a fullwidth A: NFC keeps it, the allowlist refuses it
    "e\u0301",  # e + combining acute: NFC makes it é, still refused
]


@pytest.fixture
def built_once(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], dict[str, str]]]:
    """A built project with a canary folder beside it; yields it with both digests."""
    project = new_project(tmp_path / "proj")
    (tmp_path / "canary").mkdir()
    run = build(project)
    assert run.status == 0, run.err
    yield project, tree_digest(project / "site"), outside(tmp_path, "proj")


def assert_untouched(project: Path, site: dict[str, str], rest: dict[str, str]) -> None:
    """The previous site is intact and nothing outside the project changed."""
    assert tree_digest(project / "site") == site
    assert outside(project.parent, "proj") == rest
    assert list((project.parent / "canary").iterdir()) == []
    assert sorted(p.name for p in project.iterdir()) == [".roundtable-cache", "content", "site"]


def test_a10_traversal_through_slug_is_refused_at_its_line(
    built_once: tuple[Path, dict[str, str], dict[str, str]],
) -> None:
    """A10: each hostile slug is refused at its line (all reported in one run); nothing moves."""
    project, site, rest = built_once
    for number, slug in enumerate(TRAVERSALS):
        write_essay(project, f"t{number:02}.md", slug=slug)
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err
    for number in range(len(TRAVERSALS)):
        lines = [line for line in run.error_lines if f"essays/t{number:02}.md:5: " in line]
        assert len(lines) == 1 and "slug" in lines[0], (TRAVERSALS[number], run.err)
    assert_untouched(project, site, rest)


def test_a11_traversal_through_roundtable_and_template_fields(
    built_once: tuple[Path, dict[str, str], dict[str, str]],
) -> None:
    """A11: `roundtable:` is a name looked up among roundtables, never a path; `template:` and
    `layout:` are not fields at all."""
    project, site, rest = built_once
    for number, value in enumerate(TRAVERSALS):
        write_essay(project, f"r{number:02}.md", roundtable=value)
    write_essay(project, "tpl.md", template="../../secrets.txt", layout="../../x")
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err
    for number in range(len(TRAVERSALS)):
        lines = [line for line in run.error_lines if f"essays/r{number:02}.md:4: " in line]
        assert len(lines) == 1 and "roundtable" in lines[0], (TRAVERSALS[number], run.err)
    assert any("tpl.md:5: unknown field 'template'" in line for line in run.error_lines)
    assert any("tpl.md:6: unknown field 'layout'" in line for line in run.error_lines)
    assert_untouched(project, site, rest)


def test_a12_image_field_abuse_is_refused_at_its_line(
    built_once: tuple[Path, dict[str, str], dict[str, str]],
) -> None:
    """A12: image paths outside content/, through a symlink, remote, or SVG: each refused."""
    project, site, rest = built_once
    (project / "content/images/link.png").symlink_to("/etc/passwd")
    (project / "content/images/x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    sources = [
        "../../../etc/passwd",
        "/etc/passwd",
        "~/.ssh/id_rsa",
        "images/../../config.yml",
        "images/link.png",
        "http://tracker.example/x.png",
        "images/x.svg",
        "images\\..\\..\\x.png",
    ]
    for number, src in enumerate(sources):
        write_essay(project, f"i{number}.md", image={"src": src, "alt": "x"})
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err
    for number, src in enumerate(sources):
        lines = [line for line in run.error_lines if f"essays/i{number}.md:6: image.src" in line]
        assert len(lines) == 1, (src, run.err)
    assert "content/images/link.png: symbolic links are not allowed" in run.err
    assert_untouched(project, site, rest)


# --- Collisions and names (A13, A14) ---------------------------------------------------------


def test_a13_duplicate_case_and_normalisation_collisions_name_both_files(tmp_path: Path) -> None:
    """A13 (and C43): same slug, case-only and NFC/NFD twins: one error per pair, naming both;
    a logical check, so it holds on this case-sensitive file system."""
    project = new_project(tmp_path / "proj")
    write_essay(project, "one.md", slug="same")
    write_essay(project, "two.md", slug="same")
    write_essay(project, "Trade-Policy.md")
    write_essay(project, "trade-policy.md")
    write_essay(project, unicodedata.normalize("NFC", "café.md"))
    write_essay(project, unicodedata.normalize("NFD", "café.md"))
    write_essay(project, "a b.md")
    write_essay(project, "a-b.md")
    (project / "content/roundtables/Alpha.md").write_text("---\ntitle: Twin\n---\n")
    (project / "content/images/Pic.png").write_bytes(
        (project / "content/images/pic.png").read_bytes()
    )
    run = build(project)
    assert run.status == 1 and not (project / "site").exists()
    errors = "\n".join(run.error_lines)
    for first, second, slug in [
        ("one.md", "two.md", "same"),
        ("trade-policy.md", "Trade-Policy.md", "trade-policy"),
        ("café.md", "café.md", "cafe"),
        ("a-b.md", "a b.md", "a-b"),
    ]:
        assert f"duplicate essay slug '{slug}'" in errors
        assert first in errors and second in errors
    assert "duplicate roundtable slug 'alpha'" in errors
    assert "content/images/pic.png: the same name as content/images/Pic.png" in errors


def test_a14_nfd_file_names_and_unicode_titles_build_like_nfc(tmp_path: Path) -> None:
    """A14 (and E61): an NFD-named essay with emoji, RTL and combining marks in its title gives
    byte-identical output to its NFC-named copy, under an ASCII slug."""
    title = "Éssai 🌎 عربي e\u0301\u0327 économique"
    digests = []
    for form in ("NFC", "NFD"):
        project = new_project(tmp_path / form)
        write_essay(project, unicodedata.normalize(form, "Éssai-économique.md"), title=title)
        run = build(project)
        assert run.status == 0, run.err
        assert (project / "site/essays/essai-economique/index.html").is_file()
        digests.append(tree_digest(project / "site"))
    assert digests[0] == digests[1]


# --- YAML and framing (A15–A22) --------------------------------------------------------------


def test_a15_invalid_yaml_is_reported_at_its_exact_line(
    built_once: tuple[Path, dict[str, str], dict[str, str]],
) -> None:
    """A15: unquoted colon, unterminated quote, tab indent, unclosed list: exact lines."""
    project, site, rest = built_once
    essays = project / "content/essays"
    head = "---\ntitle: T\nauthor: A\nroundtable: alpha\n"
    (essays / "colon.md").write_text(head + "subtitle: Trade: A Primer\n---\n")
    (essays / "quote.md").write_text(head + 'subtitle: "unterminated\nsummary: s\n---\n')
    (essays / "tab.md").write_text(head + "image:\n\tsrc: images/pic.png\n---\n")
    (essays / "list.md").write_text(head + "tags: [a, b\nsummary: s\n---\n")
    run = build(project)
    assert run.status == 1
    located = sorted(line.split(": ")[0] for line in run.error_lines)
    assert located == [
        "content/essays/colon.md:5",
        "content/essays/list.md:5",
        "content/essays/quote.md:5",
        "content/essays/tab.md:6",
    ], run.err
    assert all("invalid YAML" in line for line in run.error_lines)
    assert_untouched(project, site, rest)


def test_a16_front_matter_framing_is_never_silently_skipped(tmp_path: Path) -> None:
    """A16: no closing `---`, a blank line first, no front matter, an empty block: each an
    error; a closing `...` and `---` inside the body are accepted."""
    project = new_project(tmp_path / "proj")
    essays = project / "content/essays"
    (essays / "unclosed.md").write_text("---\ntitle: T\n")
    (essays / "blank-first.md").write_text("\n---\ntitle: T\n---\n")
    (essays / "none.md").write_text("Just text.\n")
    (essays / "empty.md").write_text("---\n---\nBody.\n")
    write_essay(project, "dots.md", body="Body.\n")
    dots = essays / "dots.md"
    dots.write_text(dots.read_text().replace("---\nBody", "...\nBody"))
    write_essay(project, "rule.md", body="Above.\n\n---\n\nBelow the rule.\n")
    run = build(project)
    assert run.status == 1
    assert {line.split(": ")[0] for line in run.error_lines} == {
        "content/essays/unclosed.md:1",
        "content/essays/blank-first.md:1",
        "content/essays/none.md:1",
        "content/essays/empty.md:1",
    }, run.err
    (essays / "unclosed.md").unlink()
    (essays / "blank-first.md").unlink()
    (essays / "none.md").unlink()
    (essays / "empty.md").unlink()
    assert build(project).status == 0
    rule = page(project / "site", "essays/rule/")
    assert rule.select_one("main hr") is not None and "Below the rule." in rule.get_text()
    assert (project / "site/essays/dots/index.html").is_file()


LINE_ENDINGS = {
    "bom-lf": lambda b: b"\xef\xbb\xbf" + b,
    "bom-crlf": lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"),
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "cr": lambda b: b.replace(b"\n", b"\r"),
}


def test_a17_bom_and_line_endings_build_byte_identical_sites(tmp_path: Path) -> None:
    """A17 (and E61): BOM and CRLF/CR twins of every source give the LF site, byte for byte,
    with no \\r or \\ufeff in any value."""
    reference = new_project(tmp_path / "lf")
    assert build(reference).status == 0
    expected = tree_digest(reference / "site")
    for name, convert in LINE_ENDINGS.items():
        project = new_project(tmp_path / name)
        for source in (project / "content").rglob("*"):
            if source.suffix in (".md", ".yml"):
                source.write_bytes(convert(source.read_bytes()))
        run = build(project)
        assert run.status == 0, (name, run.err)
        assert tree_digest(project / "site") == expected, name
    text = (reference / "site/essays/first/index.html").read_text(encoding="utf-8")
    assert "\r" not in text and "\ufeff" not in text


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch ../canary/pwned"]',
        '!!python/object/new:os.system ["touch ../canary/pwned"]',
        "!!python/name:os.system",
        '!!python/object/apply:subprocess.check_output [["touch", "../canary/pwned"]]',
    ],
)
def test_a18_unsafe_yaml_tags_are_refused_at_their_line(tmp_path: Path, tag: str) -> None:
    """A18: Python tags are a located error, and nothing runs."""
    project = new_project(tmp_path / "proj")
    (tmp_path / "canary").mkdir()
    write_essay(project, "x.md")
    essay = project / "content/essays/x.md"
    essay.write_text(essay.read_text().replace("---\nBody", f"extra: {tag}\n---\nBody"))
    run = build(project)
    assert run.status == 1
    assert run.error_lines == [
        f"content/essays/x.md:5: extra: tag {tag.split(' ')[0]} is not allowed here "
        "(write the value plainly)"
    ], run.err
    assert list((tmp_path / "canary").iterdir()) == []


def test_a19_alias_bomb_is_rejected_small() -> None:
    """A19: billion laughs (9 levels of 9): refused without a blow-up in memory (nor in time:
    bench/pathological.py)."""
    raw = ("---\n" + ALIAS_BOMB + "\n---\n").encode()
    tracemalloc.start()
    with pytest.raises(FrontMatterError, match="aliases"):
        parse("bomb.md", raw)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 100 * 2**20


def test_a19_oversized_front_matter_and_files_are_refused(tmp_path: Path) -> None:
    """A19: a 100 KB front matter block (cap 64 KB) and a 5 MB one (file cap 1 MB): located."""
    project = new_project(tmp_path / "proj")
    essays = project / "content/essays"
    (essays / "big.md").write_text("---\ntitle: T\nsummary: " + "x" * 100_000 + "\n---\n")
    (essays / "huge.md").write_text("---\ntitle: T\nsummary: " + "x" * 5_000_000 + "\n---\n")
    run = build(project)
    assert run.error_lines == [
        "content/essays/big.md:2: front matter is larger than 64 KB (move long text into the body)",
        "content/essays/huge.md:1: the file is larger than 1 MB (split it into several files)",
    ]


@pytest.mark.parametrize("spelling", ["author: B", '"author": B', "'author': B", "? author\n: B"])
def test_a20_duplicate_keys_in_any_spelling(spelling: str) -> None:
    """A20: a key given twice, quoted or not, is an error naming both lines."""
    raw = f"---\ntitle: T\nauthor: A\nroundtable: r\n{spelling}\n---\n".encode()
    with pytest.raises(FrontMatterError) as info:
        parse("x.md", raw)
    assert info.value.line == 5
    assert "duplicate key 'author' (it is also on line 3; keep one)" in info.value.message


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("author", "No", "author: expected a name or a list of names, found false"),
        ("slug", "2024", "slug: expected text, found the number 2024"),
        ("roundtable", "yes", "roundtable: expected text, found true"),
        ("title", "10:00", "title: expected text, found the number 600"),
        ("date", "2024-02-30", "date: '2024-02-30' is not a real date"),
        ("date", "2024-03-01 10:00:00", "date: expected a date without a time"),
        ("date", "2024-03-01T10:00:00+05:00", "date: expected a date without a time"),
        ("disclaimer", "null", "disclaimer: expected text, found nothing"),
        ("tags", '"a, b"', "tags: expected a list, found 'a, b'"),
        ("order", "1.5", "order: expected a whole number, found the number 1.5"),
        ("draft", "'yes'", "draft: expected true or false, found 'yes'"),
    ],
)
def test_a21_coercion_traps_are_schema_errors(
    tmp_path: Path, field: str, value: str, needle: str
) -> None:
    """A21: Norway, numbers, sexagesimal times, impossible dates, times with or without a zone
    (dates are days: no time zone can shift them), null and comma strings."""
    project = new_project(tmp_path / "proj")
    base = {"title": "T", "author": "A", "roundtable": "alpha"}
    lines = [f"{k}: {v}" for k, v in base.items() if k != field] + [f"{field}: {value}"]
    (project / "content/essays/x.md").write_text("---\n" + "\n".join(lines) + "\n---\nBody.\n")
    run = build(project)
    assert run.status == 1
    assert [line for line in run.error_lines if needle in line], run.err
    assert all(line.startswith("content/essays/x.md:") for line in run.error_lines)


# --- Pathological Markdown (A23) -------------------------------------------------------------


@pytest.fixture(scope="module")
def pathological(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """One good essay plus every pathological body, built together."""
    project = new_project(tmp_path_factory.mktemp("patho") / "proj")
    for name, body in PATHOLOGICAL.items():
        write_essay(project, f"{name}.md", body=body)
    write_essay(project, "typo.md", afiliation="U")
    return project, build(project, "--no-cache")


def test_a23_pathological_markdown_is_refused_with_located_errors(
    pathological: tuple[Path, Run],
) -> None:
    """A23: every file either renders or is refused with a located error (how fast those that
    render do: bench/pathological.py); the good files' errors (here: one planted typo) are
    still reported in the same run."""
    _, run = pathological
    assert run.status == 1 and "Traceback" not in run.err
    refused = {line.split(":")[0].split("/")[-1][:-3] for line in run.error_lines}
    assert refused == {
        "brackets-50k",
        "apostrophes",
        "emphasis-mix",
        "lines-30k",
        "nested-lists",
        "prose-20mb",
        "typo",
    }, run.err
    for line in run.error_lines:
        assert "(split it into several files)" in line or "did you mean" in line, line


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_a23_whatever_is_accepted_renders(name: str) -> None:
    """A23: a body the limits accept renders to HTML (within the per-file budget:
    bench/pathological.py)."""
    body = PATHOLOGICAL[name]
    raw = ("---\ntitle: T\n---\n" + body).encode()
    try:
        doc = parse("x.md", raw)
    except FrontMatterError as exc:
        assert "split it" in exc.message
        return
    assert render(doc.body, allow_html=False).html, name


def test_a23_worst_case_within_every_limit_renders() -> None:
    """A23: a body just under every limit at once (lines, [ < and quotes, punctuation)."""
    from roundtable.content import frontmatter

    costly = "[<\"'" * (frontmatter.MAX_COSTLY_MARKS // 4 - 10)
    lines = "- a\n" * (frontmatter.MAX_BODY_LINES - 100)
    rest = frontmatter.MAX_PUNCTUATION - len(costly) - len(lines) // 2 - 1_000
    body = costly + "\n\n" + lines + "\n" + "*_" * (rest // 2)
    raw = ("---\ntitle: T\n---\n" + body).encode()
    assert len(raw) < frontmatter.MAX_FILE_BYTES
    doc = parse("x.md", raw)
    assert render(doc.body, allow_html=False).html


# --- Odd files (A25) --------------------------------------------------------------------------


def test_a25_undecodable_and_odd_files_are_located_errors(tmp_path: Path) -> None:
    """A25: invalid UTF-8, UTF-16 with BOM, a PNG named .md and an empty file: each reported."""
    project = new_project(tmp_path / "proj")
    essays = project / "content/essays"
    (essays / "latin1.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (essays / "utf16.md").write_bytes("---\ntitle: T\n---\n".encode("utf-16"))
    shutil.copyfile(project / "content/images/pic.png", essays / "picture.md")
    (essays / "empty.md").write_bytes(b"")
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err
    assert sorted(run.error_lines) == [
        "content/essays/empty.md:1: missing front matter (start the file with a line '---', "
        "then the fields, then another '---')",
        "content/essays/latin1.md:2: the file is not valid UTF-8 (byte 0xe9; save it as UTF-8 "
        "in your editor)",
        "content/essays/picture.md:1: the file is not valid UTF-8 (byte 0x89; save it as UTF-8 "
        "in your editor)",
        "content/essays/utf16.md:1: the file is not valid UTF-8 (byte 0xff; save it as UTF-8 "
        "in your editor)",
    ]


# --- Static files that would run script (A12, section 4 rule 6) ------------------------------

ACTIVE_SVGS = {
    "script": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "prefixed-script": '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>',
    "onload": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "link": '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="&#106;avascript:alert(1)"><text>t</text></a></svg>',
    "animate": '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:alert(1)"/></a></svg>',
    "foreign": '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject></svg>',
    "entity": '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
}


def test_static_files_that_would_run_script_are_refused(tmp_path: Path) -> None:
    """Static files are published on the site's origin: pages, scripts, XML and SVGs with
    script are refused (a plain SVG, and a picture embedded in one, are fine)."""
    project = new_project(tmp_path / "proj")
    files = project / "content/files"
    files.mkdir()
    for name in ("page.html", "PAGE.HTM", "app.js", "feed.xml", "style.xsl"):
        (files / name).write_text("<script>alert(1)</script>")
    for name, svg in ACTIVE_SVGS.items():
        (files / f"{name}.svg").write_text(svg)
    (files / "fine.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/png;base64,AAAA"/>'
        '<a href="https://example.org/"><text>ok</text></a></svg>'
    )
    (files / "notes.txt").write_text("<script>alert(1)</script>")
    run = build(project)
    assert run.status == 1
    refused = sorted(line.split(": ")[0] for line in run.error_lines)
    assert refused == sorted(
        [f"content/files/{n}" for n in ("page.html", "PAGE.HTM", "app.js", "feed.xml", "style.xsl")]
        + [f"content/files/{name}.svg" for name in ACTIVE_SVGS]
    ), run.err
    for name in ("page.html", "PAGE.HTM", "app.js", "feed.xml", "style.xsl"):
        (files / name).unlink()
    for name in ACTIVE_SVGS:
        (files / f"{name}.svg").unlink()
    assert build(project).status == 0
    assert (project / "site/files/fine.svg").is_file()


def test_a13_static_file_at_a_generated_path_is_a_collision(tmp_path: Path) -> None:
    """A13: a contributor's file cannot stand in for a file the site generates."""
    project = new_project(tmp_path / "proj")
    (project / "content/robots.txt").write_text("User-agent: *\nDisallow: /\n")
    (project / "content/assets").mkdir()
    (project / "content/assets/style.css").write_text("body { display: none }")
    run = build(project)
    assert run.status == 1
    assert "content/robots.txt" in run.err and "content/assets/style.css" in run.err
