"""The one configured Markdown renderer, and the token-level rules that make content safe.

CommonMark plus tables, footnotes and typographer. Raw HTML is escaped unless the site opts in, and
then it goes through an allowlist sanitizer. Links and images keep only safe schemes; relative
links to other content files (`other-essay.md`, `../images/map.jpg`) become links to their pages.
"""

from __future__ import annotations

import json
import posixpath
import re
import unicodedata
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from roundtable import urls
from roundtable.content.placeholders import placeholder_lines
from roundtable.model import Link, RawHtml, text_digest
from roundtable.slugs import make_slug

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
DEFAULT_TABLE_LABEL = "Table {number}"
IMAGE_KEY = "image:"
"""Link targets under this prefix describe pictures: their size and resized copies (JSON)."""
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
XML_INVALID = {
    **{code: "\ufffd" for code in [*range(0x20), 0xFFFE, 0xFFFF] if chr(code) not in "\t\n\r"},
    **{0x0B: " ", 0x0C: " "},  # vertical tab and form feed: pasted from word processors
}
"""Characters XML 1.0 forbids: one in a body would make the Atom feed unreadable. Each becomes
one character (so line numbers hold), as CommonMark already does for U+0000."""
_FOOTNOTE_ID = re.compile(r"^fn(ref)?\d")
_TITLE_TOKENS = ("text", "code_inline")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
MAX_LINK_GROWTH = 1024 * 1024
"""Characters a body's links and images may add to what it writes (a link reference repeats
its URL and title at each use: one 0.9 MB essay using one a thousand times made a 2.6 GB site).
Real essays add a few thousand: references, and percent-encoded accents."""


class TooLarge(Exception):
    """A body would render far larger than it is written; `line` is 0-based in the body."""

    def __init__(self, source: str, line: int, message: str) -> None:
        super().__init__(source, line, message)  # as args: it crosses from worker processes
        self.source, self.line, self.message = source, line, message


@dataclass(frozen=True)
class Rendered:
    """A Markdown document as HTML, with what the site needs to know about it."""

    html: str
    """The body as HTML."""
    first_paragraph: str
    """Plain text of the first paragraph, cut near CARD_SUMMARY characters: the default summary."""
    lookups: Mapping[str, str | None]
    """Each content path a relative link was looked up as, and what it resolved to."""
    digest: str = ""
    """Hash of the HTML, so that fingerprints need not hash it on every build."""
    links: tuple[Link, ...] = ()
    """Every link and picture, with its line; and those dropped for their scheme."""
    raw_html: tuple[RawHtml, ...] = ()
    """Raw HTML written in the body, shown as text (a site without `allow_html` only)."""
    blank: bool = False
    """True when the body has no text."""
    placeholder_lines: tuple[tuple[int, str], ...] = ()
    """Lines of placeholder text from `new` (0-based, with the text)."""


def is_safe_url(url: str) -> bool:
    """Allow relative URLs and http(s)/mailto only, however the scheme is spelt."""
    squeezed = _INVISIBLE.sub("", url).lower()
    match = _SCHEME.match(squeezed)
    return match is None or match.group(1) in SAFE_SCHEMES


@cache
def renderer(allow_html: bool) -> MarkdownIt:
    """Return the site's Markdown renderer (one per setting, built once)."""
    return _configured(allow_html, is_safe_url)


@cache
def _refusing_renderer(allow_html: bool) -> tuple[MarkdownIt, list[str]]:
    """Return a renderer like the site's that notes each URL it refuses, and the notes."""
    refused: list[str] = []

    def validate(url: str) -> bool:
        safe = is_safe_url(url)
        if not safe:
            refused.append(url)
        return safe

    return _configured(allow_html, validate), refused


def _configured(allow_html: bool, validate: Callable[[str], bool]) -> MarkdownIt:
    """Return a Markdown renderer with the site's rules, keeping the links `validate` allows."""
    md = MarkdownIt("js-default", {"typographer": True, "html": allow_html, "linkify": False})
    md.validateLink = validate  # type: ignore[method-assign, assignment]
    md.use(footnote_plugin)
    md.core.ruler.after("block", "demote_headings", _demote_headings)
    md.core.ruler.after("inline", "bound_links", _bound_links)
    md.core.ruler.after("bound_links", "figures", _make_figures)
    md.core.ruler.push("heading_ids", _give_headings_ids)
    md.core.ruler.push("content_links", _rewrite_content_links)
    md.add_render_rule("table_open", _open_table_region)
    md.add_render_rule("table_close", _close_table_region)
    md.add_render_rule("image", _render_picture)
    return md


def render(
    text: str,
    *,
    allow_html: bool,
    source: str = "",
    page: str = "",
    targets: Mapping[str, str] = {},
    table_label: str = DEFAULT_TABLE_LABEL,
) -> Rendered:
    """Render a document body; `source` and `page` let relative links to content files resolve.

    `table_label` names each table for screen readers, in the page's language ('Tabla {number}').
    """
    md, refused = _refusing_renderer(allow_html)
    refused.clear()
    env: dict[str, Any] = {"source": source, "page": page, "targets": targets}
    env["table_label"] = table_label
    tokens = md.parse(text.translate(XML_INVALID), env)
    found = _links(md, refused, tokens)
    html = md.renderer.render(tokens, md.options, env)
    if allow_html:
        html = sanitize(html)
    lookups = env.get("lookups", {})
    raw = () if allow_html else tuple(raw_html(text))
    summary = shortened(_first_paragraph(tokens), CARD_SUMMARY)
    blank = not text.strip()
    return Rendered(
        html, summary, lookups, text_digest(html), found, raw, blank, placeholder_lines(text)
    )


def _links(md: MarkdownIt, refused: list[str], tokens: list[Token]) -> tuple[Link, ...]:
    """Return every link and picture of a parsed body with its line, and those dropped for
    their scheme."""
    found = []
    any_refused = bool(refused)  # most bodies: no paragraph is parsed a second time
    for token in tokens:
        line = token.map[0] if token.map else 0
        if any_refused and token.type == "inline":
            found.extend(_dropped_links(md, refused, token))
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                href = str(child.attrGet("href") or "")
                found.append(Link(href, line, False, written=child.meta.get("written", href)))
            elif child.type == "image":
                src = str(child.attrGet("src") or "")
                written = child.meta.get("written", src)
                found.append(Link(src, line, True, child.content, written))
    return tuple(found)


def _dropped_links(md: MarkdownIt, refused: list[str], token: Token) -> list[Link]:
    """Return the links and images of an inline token that were refused for their scheme.

    markdown-it asks whether a URL may be linked without saying where it is: the token's text
    is parsed again by `md`, which notes each refusal in `refused`, and the line is where the
    URL first appears in it.
    """
    refused.clear()
    md.inline.parse(token.content, md, {}, [])
    start = token.map[0] if token.map else 0
    dropped = {}  # by URL and line: a refused image is tried again as a link
    for url in refused:
        written = md.normalizeLinkText(url)
        line = start + token.content[: max(token.content.find(written), 0)].count("\n")
        dropped[url, line] = Link(url, line, False, "", written, dropped=True)
    return list(dropped.values())


def render_inline(text: str) -> str:
    """Render one line of Markdown (a bio, a disclaimer) to HTML, raw HTML escaped."""
    return str(renderer(False).renderInline(text.translate(XML_INVALID)))


def sanitize(html: str) -> str:
    """Keep only allowlisted tags, attributes and URL schemes in opted-in raw HTML."""
    attributes = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = {"id", "class", "lang", "title"}
    attributes["div"] = {"role", "tabindex", "aria-label"}  # our table regions
    return nh3.clean(html, attributes=attributes, url_schemes=set(SAFE_SCHEMES))


def _open_table_region(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Wrap a table in a labelled, focusable region, so a wide table scrolls on a phone."""
    env["tables"] = env.get("tables", 0) + 1
    template = str(env.get("table_label", DEFAULT_TABLE_LABEL))
    label = escapeHtml(template.replace("{number}", str(env["tables"])))
    return f'<div class="table-scroll" role="region" aria-label="{label}" tabindex="0">\n<table>\n'


def _close_table_region(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Close the table and its region."""
    return "</table>\n</div>\n"


def _heading_id(title: str) -> str:
    """Return the anchor of a heading: ASCII, lower-case, hyphenated.

    Ids the theme and the footnotes use ('rt-main', 'fn1') are kept apart, so a heading can
    neither take the skip link's target nor a footnote's.
    """
    slug = make_slug(title) or "section"
    if slug.startswith("rt-") or _FOOTNOTE_ID.match(slug):
        return f"section-{slug}"
    return slug


def _give_headings_ids(state: StateCore) -> None:
    """Give each heading a unique id: 'intro', 'intro-1', 'intro-2', …

    A counter per id, not a search from 1 for each repeat (as mdit-py-plugins' anchors do),
    which made 20,000 identical headings take half a minute.
    """
    taken: set[str] = set()
    repeats: dict[str, int] = {}
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        children = state.tokens[index + 1].children or []
        base = _heading_id("".join(c.content for c in children if c.type in _TITLE_TOKENS))
        slug = base
        while slug in taken:
            repeats[base] = repeats.get(base, 0) + 1
            slug = f"{base}-{repeats[base]}"
        taken.add(slug)
        token.attrSet("id", slug)


def _demote_headings(state: StateCore) -> None:
    """Shift headings so the highest is <h2>: the page title is the only <h1>."""
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = max(0, 2 - min(int(t.tag[1]) for t in headings))
    for token in headings:
        token.tag = f"h{min(6, int(token.tag[1]) + shift)}"


def _rewrite_content_links(state: StateCore) -> None:
    """Point relative links and images at the pages and files they name in content/."""
    for token in _inline_children(state.tokens):
        attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
        if attr is None:
            continue
        value = str(token.attrGet(attr) or "")
        token.meta["written"] = value
        token.attrSet(attr, _content_link(value, state.env))
        if token.type == "image":
            _add_sizes(token, value, state.env)


def _inline_children(tokens: list[Token]) -> list[Token]:
    """Return every token nested in the inline tokens of a document."""
    return [child for token in tokens if token.children for child in token.children]


def _content_link(url: str, env: MutableMapping[str, Any]) -> str:
    """Return the page-relative link for a URL that names a content file; others unchanged."""
    resolved = _resolved(url, env)
    if resolved is None:
        return url
    _, hash_, fragment = url.partition("#")
    target = env["targets"].get(resolved)
    env.setdefault("lookups", {})[resolved] = target  # the cache checks these stay the same
    if target is None:
        return url
    return urls.relative(env["page"], target) + hash_ + fragment


BODY_IMAGE_SIZES = "(min-width: 48em) 42rem, 100vw"
"""How wide a picture in the text is shown: the prose column, or the screen on a phone."""


def _add_sizes(token: Token, url: str, env: MutableMapping[str, Any]) -> None:
    """Give a picture from content/ its size, lazy loading and resized copies (`srcset`)."""
    resolved = _resolved(url, env)
    if resolved is None:
        return
    info = env["targets"].get(IMAGE_KEY + resolved)
    env.setdefault("lookups", {})[IMAGE_KEY + resolved] = info
    if info is None:
        return
    picture = json.loads(info)
    token.attrSet("width", str(picture["width"]))
    token.attrSet("height", str(picture["height"]))
    token.attrSet("loading", "lazy")
    token.attrSet("decoding", "async")
    srcset = [f"{urls.relative(env['page'], path)} {width}w" for path, width in picture["srcset"]]
    srcset.append(f"{token.attrGet('src')} {picture['width']}w")
    token.attrSet("srcset", ", ".join(srcset))
    token.attrSet("sizes", BODY_IMAGE_SIZES)
    webp = [f"{urls.relative(env['page'], path)} {width}w" for path, width in picture["webp"]]
    token.meta["webp"] = ", ".join(webp)


def _render_picture(
    self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: dict[str, Any]
) -> str:
    """Render an image; one with WebP copies inside <picture>, for browsers that take them."""
    html = str(self.image(tokens, idx, options, env))
    webp = tokens[idx].meta.get("webp")
    if not webp:
        return html
    source = f'<source type="image/webp" srcset="{escapeHtml(webp)}" sizes="{BODY_IMAGE_SIZES}">'
    return f"<picture>{source}{html}</picture>"


def _make_figures(state: StateCore) -> None:
    """Make a figure of each picture whose next line is an italic caption, maybe with a credit:

        ![Trucks queue at the bridge](../images/border.jpg)
        *Trucks queue to cross into El Paso.* Photo: Ana López

    The picture, then <figcaption> with the caption and, after it, <span class="credit">.
    """
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        parts = _figure_parts(tokens, index)
        if parts is not None:
            tokens[index : index + 3] = _figure_tokens(tokens[index], tokens[index + 1], *parts)
        index += 1


FigureParts = tuple[list[Token], list[Token]]
"""A caption's inline tokens and a credit's (empty when there is none)."""


def _figure_parts(tokens: list[Token], index: int) -> FigureParts | None:
    """Return the caption and credit of a paragraph that is a picture and its caption, if it is."""
    if tokens[index].type != "paragraph_open" or tokens[index].hidden:
        return None  # a tight list's paragraphs are hidden: a figure there would lose its <li>
    children = tokens[index + 1].children or []
    kinds = [child.type for child in children[:3]]
    if kinds not in (["image", "softbreak", "em_open"], ["image", "hardbreak", "em_open"]):
        return None
    end = _closing_em(children, 2)
    rest = children[end + 1 :]
    while rest and (rest[0].type == "softbreak" or not rest[0].content.strip()):
        rest = rest[1:]
    if rest and rest[0].type == "text":
        rest[0].content = rest[0].content.lstrip()
    return children[3:end], rest


def _closing_em(children: list[Token], start: int) -> int:
    """Return the index of the em_close that closes the em_open at `start`."""
    depth = 0
    for index in range(start, len(children)):
        if children[index].type in ("em_open", "em_close"):
            depth += children[index].nesting
        if depth == 0:
            return index
    return len(children) - 1  # markdown-it closes every em it opens


def _figure_tokens(
    opening: Token, inline: Token, caption: list[Token], credit: list[Token]
) -> list[Token]:
    """Return the tokens of a figure: the picture, then its caption and credit."""
    line = opening.map[0] if opening.map else 0
    end = opening.map[1] if opening.map else line + 1
    picture_text, _, caption_text = inline.content.partition("\n")
    figure = Token(
        "figure_open", "figure", 1, attrs={"class": "figure"}, map=[line, end], block=True
    )
    picture = Token("inline", "", 0, content=picture_text, map=[line, line + 1])
    picture.children = (inline.children or [])[:1]
    if credit:
        opened = Token("credit_open", "span", 1, attrs={"class": "credit"})
        closed = Token("credit_close", "span", -1)
        credit = [Token("text", "", 0, content=" "), opened, *credit, closed]
    words = Token("inline", "", 0, content=caption_text, map=[line + 1, end])
    words.children = [*caption, *credit]
    return [
        figure,
        picture,
        Token("figcaption_open", "figcaption", 1, map=[line + 1, end], block=True),
        words,
        Token("figcaption_close", "figcaption", -1, block=True),
        Token("figure_close", "figure", -1, block=True),
    ]


def _resolved(url: str, env: MutableMapping[str, Any]) -> str | None:
    """Return the content path a relative URL names from the source file, if it can."""
    return content_path(url, env.get("source", ""))


def content_path(url: str, source: str) -> str | None:
    """Return the content path a relative URL names from a content file, if it can."""
    if not source or _SCHEME.match(url) or url.startswith(("/", "#")):
        return None
    # As content files are named: markdown-it gives the URL percent-encoded ('caf%C3%A9.png').
    path = posixpath.join(posixpath.dirname(source), unquote(url.partition("#")[0]))
    return unicodedata.normalize("NFC", posixpath.normpath(path))


def _bound_links(state: StateCore) -> None:
    """Stop a body whose links and pictures would repeat more than MAX_LINK_GROWTH characters
    beyond its own length, before rendering spends the memory (tokens share a reference's
    strings; the HTML would not)."""
    allowed = len(state.src) + MAX_LINK_GROWTH
    total = 0
    for block in state.tokens:
        for token in block.children or ():
            if token.type not in ("link_open", "image"):
                continue
            url = str(token.attrGet("href") or token.attrGet("src") or "")
            total += len(url) + len(str(token.attrGet("title") or ""))
            if total > allowed:
                line = _reference_line(state, url, block.map[0] if block.map else 0)
                raise TooLarge(
                    state.env.get("source", ""),
                    line,
                    f"links and pictures would add more than {MAX_LINK_GROWTH:,} characters "
                    "to the page (a long link reference used many times? write the link "
                    "once, or shorten its address)",
                )


def _reference_line(state: StateCore, url: str, otherwise: int) -> int:
    """Return the body line of the link reference that gives this URL, else `otherwise`."""
    for reference in state.env.get("references", {}).values():
        if state.md.normalizeLink(reference["href"]) == url:
            return int(reference["map"][0])
    return otherwise


CARD_SUMMARY = 300
"""Characters a summary made from the first paragraph is cut near, for cards and feeds."""
DESCRIPTION = 160
"""Characters a page's meta description is cut near, about what search results show."""
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"'“‘«(¿¡]?[A-Z0-9À-ÞĀ-Ž])")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Sra|St|Gen|Gov|Sen|Rep|Pres|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Co|Corp|Ltd|Jr)\.|\b[A-Z]\.)$"
)
"""What ends with a full stop without ending a sentence: 'U.S.', 'Dr.', 'Oct.', 'J.'."""


def shortened(text: str, near: int) -> str:
    """Return the sentences of `text` that fit in about `near` characters (a quarter more at
    most); a first sentence too long for that is cut at a word, with an ellipsis."""
    text = " ".join(text.split())
    limit = near + near // 4
    if len(text) <= limit:
        return text
    runs = [run for run in _sentence_runs(text) if len(run) <= limit]
    if runs:
        return min(runs, key=lambda run: abs(len(run) - near))
    cut = text[: near + 1].rsplit(" ", 1)[0].rstrip(" ,;:—–-")
    return cut + "…"


def _sentence_runs(text: str) -> list[str]:
    """Return each run of whole sentences from the start of `text`, shortest first."""
    runs = []
    for match in _SENTENCE_END.finditer(text):
        run = text[: match.start()] + match.group(0).rstrip()
        if not _ABBREVIATION.search(text[: match.start() + 1]):
            runs.append(run)
    return runs


def _first_paragraph(tokens: list[Token]) -> str:
    """Return the plain text of the first top-level paragraph."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and token.level == 0:
            return _plain_text(tokens[index + 1].children or [])
    return ""


def _plain_text(children: list[Token]) -> str:
    """Return the words of inline tokens, without markup or footnote marks."""
    words = []
    for child in children:
        if child.type in ("text", "code_inline"):
            words.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            words.append(" ")
        elif child.type == "image":
            words.append(child.content)
    return "".join(words).strip()


_TAG_NAME = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*|!--)")


@cache
def _html_finder() -> MarkdownIt:
    """Return a parser like the site's that reads raw HTML as HTML, to find where it is."""
    return MarkdownIt("js-default", {"html": True}).use(footnote_plugin)


def raw_html(text: str) -> list[RawHtml]:
    """Return the first tag on each line of a body that holds raw HTML (not in code)."""
    if "<" not in text:
        return []  # most bodies: not parsed a second time
    found: dict[int, RawHtml] = {}
    for token in _html_finder().parse(text):
        line = token.map[0] if token.map else 0
        if token.type == "html_block":
            found.setdefault(line, _raw(line, token.content))
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "html_inline":
                found.setdefault(line, _raw(line, child.content))
    return sorted(found.values(), key=lambda raw: raw.line)


def _raw(line: int, html: str) -> RawHtml:
    """Name the element a piece of raw HTML starts with."""
    name = _TAG_NAME.match(html.lstrip())
    return RawHtml(line, name.group(1).lower() if name else "")
