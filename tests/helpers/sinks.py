"""Find every place a built page could run script: the hardening tests' "script sinks".

A page is parsed with `html.parser` (as a browser would tokenise it, script bodies as raw text):
- no `<iframe>`, `<object>`, `<embed>`, `<frame>`, `<applet>`, `<base>` or refreshing `<meta>`;
- no `on*` attribute;
- no URL attribute whose scheme, after unescaping, stripping and lower-casing, is other than
  http, https or mailto (relative URLs and `#fragments` have none);
- every `<script>` is either the theme's own (the same `src` or text as in a clean build), or
  JSON-LD that parses as JSON and holds no raw `<`.
Atom feeds are checked too: their `type="html"` content is HTML that feed readers render.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

ACTIVE_ELEMENTS = frozenset({"iframe", "object", "embed", "frame", "frameset", "applet", "base"})
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "background", "cite"}
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")
"""A browser drops tabs and newlines anywhere in a URL and C0 controls and spaces at its ends."""
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class _Script:
    attrs: dict[str, str]
    text: str = ""


class PageParser(HTMLParser):
    """Collects the scripts of a page and every attribute that could run script."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[_Script] = []
        self._open_script: _Script | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ACTIVE_ELEMENTS:
            self.problems.append(f"<{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...> event handler")
            if name in URL_ATTRIBUTES and not is_safe(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "srcset":
                for candidate in value.split(","):
                    if not is_safe(candidate.strip().split(" ")[0]):
                        self.problems.append(f"<{tag} srcset={value!r}>")
        if tag == "script":
            self._open_script = _Script(values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._open_script is not None:
            self._open_script.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open_script is not None:
            self.scripts.append(self._open_script)
            self._open_script = None


def is_safe(url: str) -> bool:
    """Return True for a relative URL, a fragment, or an http(s)/mailto one."""
    squeezed = _IGNORED_BY_BROWSERS.sub("", url).lower()
    match = _SCHEME.match(squeezed)
    return match is None or match.group(1) in SAFE_SCHEMES


def theme_scripts(site: Path) -> set[str]:
    """Return the scripts of a clean build, by `src` or text: what the theme itself runs."""
    known = set()
    for page in sorted(site.rglob("*.html")):
        parser = PageParser()
        parser.feed(page.read_text(encoding="utf-8"))
        known.update(_script_identity(script) for script in parser.scripts)
    return known


def _script_identity(script: _Script) -> str:
    """Name a script by its source, or by its text when it is inline."""
    return "src:" + script.attrs["src"] if "src" in script.attrs else "text:" + script.text


def page_sinks(html: str, known_scripts: set[str]) -> list[str]:
    """Return every way this HTML could run script that the theme did not put there."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    problems = list(parser.problems)
    for script in parser.scripts:
        if script.attrs.get("type") == "application/ld+json":
            problems.extend(json_ld_problems(script.text))
        elif _script_identity(script) not in known_scripts:
            problems.append(f"<script> not from the theme: {_script_identity(script)[:80]!r}")
    return problems


def json_ld_problems(text: str) -> list[str]:
    """Return what is wrong with the text of a JSON-LD script element."""
    problems = []
    if "<" in text:
        problems.append(f"raw '<' in JSON-LD: {text[:80]!r}")
    try:
        json.loads(text)
    except ValueError:
        problems.append(f"JSON-LD that is not JSON (broken out of?): {text[:80]!r}")
    return problems


def feed_sinks(xml: bytes, known_scripts: set[str]) -> list[str]:
    """Return the script sinks in an Atom feed's HTML content and links."""
    problems = []
    root = ElementTree.fromstring(xml)
    for element in root.iter():
        if element.get("type") == "html" and element.text:
            problems.extend(page_sinks(element.text, known_scripts))
        if element.tag == ATOM + "link" and not is_safe(element.get("href", "")):
            problems.append(f"feed link {element.get('href')!r}")
    return problems


def site_sinks(site: Path, known_scripts: set[str]) -> list[str]:
    """Return every script sink in a built site, each prefixed with its file."""
    problems = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            found = page_sinks(path.read_text(encoding="utf-8"), known_scripts)
        elif path.suffix == ".xml" and path.name != "sitemap.xml":
            found = feed_sinks(path.read_bytes(), known_scripts)
        else:
            continue
        problems.extend(f"{rel}: {problem}" for problem in found)
    return problems
