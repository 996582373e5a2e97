"""Every URL and output path of the site, and nothing else.

A page is named by its path from the site root, folder-style ("essays/slug/"), or "" for the home
page. Links between pages are relative, so a site works under any base path and from any host;
only 404.html, which a server returns at any depth, links from the base path.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from urllib.parse import quote, urlsplit

from roundtable.model import Author, Essay, Person, Roundtable, Topic

HOME = ""
NOT_FOUND = "404.html"
ASSETS = "assets/"
FEED = "feed.xml"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH = "search/"
SEARCH_INDEX = "pagefind/"
"""Pagefind's bundle: its UI finds the site root as the folder above this one."""
TOPICS = "topics/"
ADMIN = "admin/"
"""The content editor (Decap CMS: its page, config.yml and bundle; publish/cms.py)."""


def roundtable(slug: str) -> str:
    """Return the page path of a roundtable."""
    return f"roundtables/{slug}/"


def essay(slug: str) -> str:
    """Return the page path of an essay."""
    return f"essays/{slug}/"


def author(slug: str) -> str:
    """Return the page path of an author."""
    return f"authors/{slug}/"


def topic(slug: str) -> str:
    """Return the page path of a topic (a tag)."""
    return f"{TOPICS}{slug}/"


def pdf(page: str) -> str:
    """Return the path of the PDF of an essay or roundtable page: 'essays/x/' → 'essays/x/x.pdf'.

    Named after the page, so a reader's downloads folder tells one PDF from another.
    """
    return f"{page}{posixpath.basename(page.rstrip('/'))}.pdf"


def feed(roundtable_slug: str | None = None) -> str:
    """Return the path of the site's Atom feed, or of one roundtable's."""
    return FEED if roundtable_slug is None else roundtable(roundtable_slug) + FEED


def citation(essay_slug: str, extension: str) -> str:
    """Return the path of an essay's citation file, by extension: 'bib' or 'ris'."""
    return f"{essay(essay_slug)}cite.{extension}"


def search_index(name: str) -> str:
    """Return the path of a file of the search index."""
    return SEARCH_INDEX + name


def asset(name: str) -> str:
    """Return the path of a theme asset."""
    return ASSETS + name


def image_variant(picture: str, width: int, suffix: str) -> str:
    """Return the path of a resized copy of a picture: ('images/a.png', 480, '.webp') →
    'images/a.480w.webp'."""
    return f"{posixpath.splitext(picture)[0]}.{width}w{suffix}"


_IMAGE_VARIANT = re.compile(r"\.[0-9]+w\.[^./]+$")
"""The shape of image_variant's names, whatever the picture and width."""


def output_file(page: str) -> str:
    """Return the file a page path is written to: folders get an index.html."""
    return page + "index.html" if page == HOME or page.endswith("/") else page


_SITE_FILES = frozenset({NOT_FOUND, FEED, SITEMAP, ROBOTS, output_file(HOME), output_file(TOPICS)})
"""Single files at fixed paths."""
GENERATED_FOLDERS = (ASSETS, SEARCH, SEARCH_INDEX, ADMIN)
"""Folders the build owns whole: nothing of the content may be published inside them."""


def is_generated(path: str) -> bool:
    """Return True for a path the build writes, or may write with other settings or content.

    Shapes, not the paths of this build: a content file at `pagefind/…` or `essays/x/cite.bib`
    is refused even while search is off or no essay `x` exists, so that turning search on or
    writing the essay never lets it stand in for the generated file.
    """
    parts = path.split("/")
    return (
        path.startswith(GENERATED_FOLDERS)
        or path in _SITE_FILES
        or bool(_IMAGE_VARIANT.search(path))
        or (len(parts) == 3 and path in _page_files(parts[1]))
    )


def _page_files(slug: str) -> set[str]:
    """Return every file the build may write in the folders of pages named by a slug."""
    pages = (roundtable(slug), essay(slug), author(slug), topic(slug))
    return {
        *(output_file(page) for page in pages),
        pdf(essay(slug)),
        pdf(roundtable(slug)),
        citation(slug, "bib"),
        citation(slug, "ris"),
        feed(slug),
    }


URL_PATH_SAFE = "/!$&'()*+,;=@"
"""Characters a site path keeps as they are in a URL, besides letters, digits and '-._~': RFC
3986's, but ':' (a relative link's first part would read as a scheme) and '%' (a file may have
one in its name)."""


def url_path(path: str) -> str:
    """Write a site path in a URL: a file named 'café menu.png' is 'caf%C3%A9%20menu.png'."""
    return quote(path, safe=URL_PATH_SAFE)


def absolute(base_url: str, path: str) -> str:
    """Return the absolute URL of a path, for feeds, canonical links and citations."""
    target_path, hash_, fragment = path.partition("#")
    return base_url + url_path(target_path) + hash_ + fragment


def base_path(base_url: str) -> str:
    """Return the path part of the base URL, e.g. '/forum/'."""
    return urlsplit(base_url).path or "/"


def relative(from_page: str, target: str) -> str:
    """Return a link from one page to a path, relative so it works under any base path."""
    target_path, hash_, fragment = target.partition("#")
    from_dir = (
        from_page
        if from_page.endswith("/") or from_page == HOME
        else posixpath.dirname(from_page) + "/"
    )
    link = _relpath(target_path, from_dir)
    if link == ".":
        link = "./"
    elif target_path == HOME or target_path.endswith("/"):
        link += "/"
    return url_path(link) + hash_ + fragment


@lru_cache(maxsize=65536)
def _relpath(target: str, from_dir: str) -> str:
    """Return posixpath.relpath('/' + target, '/' + from_dir), by counting folders.

    Site paths are already normal, so this is a walk up from the page's folder and down to the
    target; paths that are not (a '.', '..' or empty part) go through posixpath.
    """
    down = [part for part in target.split("/") if part]
    up = [part for part in from_dir.split("/") if part]
    if any(part in (".", "..") for part in (*down, *up)) or "//" in target + from_dir:
        return posixpath.relpath("/" + target, "/" + from_dir)
    common = 0
    for mine, theirs in zip(down, up, strict=False):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(up) - common) + down[common:]
    return "/".join(parts) or "."


def link(from_page: str, target: str, base_url: str) -> str:
    """Return a link from a page: relative, except from 404.html, which links from the base path."""
    if from_page == NOT_FOUND:
        return base_path(base_url) + target
    return relative(from_page, target)


def page_of(item: Roundtable | Essay | Person | Author | Topic) -> str:
    """Return the page path of a model object."""
    if isinstance(item, Roundtable):
        return roundtable(item.slug)
    if isinstance(item, Essay):
        return essay(item.slug)
    if isinstance(item, Topic):
        return topic(item.slug)
    if isinstance(item, Author):
        return author(item.person.slug)
    return author(item.slug)
