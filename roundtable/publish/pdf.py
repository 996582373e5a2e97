"""PDFs of every essay and of every roundtable (cover, introduction, contents, every essay with
its bios and disclaimer), printed by WeasyPrint from HTML the theme's pdf.html renders.

A PDF is a page like any other: its body is a Derived value whose inputs are the essays, the
roundtable, the site's settings and the bytes of the pictures it shows, so it is printed again
only when one of them changes. WeasyPrint reads nothing from the network: links resolve to the
site's addresses, and pictures are read from the content folder. Where WeasyPrint or the system
libraries it needs are missing, `--pdf` fails before anything is written, saying what to install.
"""

from __future__ import annotations

import hashlib
import logging
import posixpath
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from roundtable import urls
from roundtable.errors import CannotMake
from roundtable.model import Essay, Roundtable, Site
from roundtable.publish.citations import cite_this
from roundtable.render.pages import Derived, Page, Theme, render_document

TEMPLATE = "pdf.html"
SYSTEM_LIBRARIES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0"
"""The Debian and Ubuntu packages of the libraries WeasyPrint loads (Pango and HarfBuzz)."""


@dataclass(frozen=True)
class Printer:
    """What printing needs besides the site: the theme, the pictures, WeasyPrint's version."""

    theme: Theme
    """Templates (pdf.html, _pdf.css) and messages."""
    content: Path
    """The content folder, where pictures are read from."""
    version: str
    """WeasyPrint's version: a new one may print differently, so it is a fingerprint input."""


def printer(theme: Theme, content: Path) -> Printer:
    """Return a printer; raise CannotMake, saying what to install, where WeasyPrint cannot run."""
    try:
        import weasyprint
    except ImportError as exc:
        raise CannotMake(
            f"--pdf: WeasyPrint cannot be imported ({_first_line(exc)}) "
            "(install it: pip install -e '.[pdf]')"
        ) from None
    except OSError as exc:  # WeasyPrint is there, Pango is not
        raise CannotMake(
            f"--pdf: WeasyPrint cannot load its system libraries ({_first_line(exc)}) "
            f"(install them: apt-get install {SYSTEM_LIBRARIES})"
        ) from None
    return Printer(theme, content, str(weasyprint.__version__))


def _first_line(exc: Exception) -> str:
    """Return the first line of an exception's message, or its type when it has none."""
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def pdf_pages(site: Site, printer: Printer | None) -> Iterator[Page]:
    """Yield a PDF page for every essay and every roundtable; none without a printer."""
    if printer is None:
        return
    for roundtable in site.roundtables:
        essays = _reading_list(site, roundtable)
        pictures = _pictures(site, printer, (roundtable, *essays))
        make = partial(_roundtable_pdf, site, printer, roundtable, essays)
        body = Derived(make, (site.config, roundtable, essays, pictures, printer.version))
        yield Page(urls.pdf(urls.page_of(roundtable)), "", {}, body=body)
    for essay in site.essays:
        roundtable = site.roundtable_of(essay)
        pictures = _pictures(site, printer, (essay,))
        make = partial(_essay_pdf, site, printer, essay, roundtable)
        body = Derived(make, (site.config, essay, roundtable, pictures, printer.version))
        yield Page(urls.pdf(urls.page_of(essay)), "", {}, body=body)


def _reading_list(site: Site, roundtable: Roundtable) -> tuple[Essay, ...]:
    """Return a roundtable's essays in reading order, each in its language where it can be."""
    language = site.language_of(roundtable)
    versions = (
        site.in_language(work, language) or work for work in site.reading_list(roundtable.slug)
    )
    return tuple(v for v in versions if isinstance(v, Essay))


def _roundtable_pdf(
    site: Site, printer: Printer, roundtable: Roundtable, essays: tuple[Essay, ...]
) -> bytes:
    """Print a roundtable: cover, contents, introduction, then every essay."""
    path = urls.page_of(roundtable)
    context = {
        "lang": site.language_of(roundtable),
        "roundtable": roundtable,
        "essays": essays,
        "whole_roundtable": True,
        "cite": None,
        "created": roundtable.date,
    }
    return _print(site, printer, path, context)


def _essay_pdf(site: Site, printer: Printer, essay: Essay, roundtable: Roundtable) -> bytes:
    """Print one essay with its bios, disclaimer and citation."""
    context = {
        "lang": site.language_of(essay),
        "roundtable": roundtable,
        "essays": (essay,),
        "whole_roundtable": False,
        "cite": cite_this(site, essay),
        "created": essay.date or roundtable.date,
    }
    return _print(site, printer, urls.page_of(essay), context)


def _print(site: Site, printer: Printer, path: str, context: dict[str, Any]) -> bytes:
    """Render the PDF's HTML as if it were the page at `path`, and print it."""
    from weasyprint import HTML

    html = render_document(printer.theme, site, TEMPLATE, path, context)
    # Relative links and pictures resolve against the page's address, as in a browser, so a
    # link in the PDF leads to the site; the fetcher serves the site's pictures from content/.
    base = urls.absolute(site.config.base_url, path)
    fetcher = _content_fetcher(site, printer.content)
    # WeasyPrint logs every picture it could not use; the PDF is still right without them.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=base, url_fetcher=fetcher)
    return bytes(document.write_pdf())


def _content_fetcher(site: Site, content: Path) -> Any:
    """Return a WeasyPrint URL fetcher that reads the site's own files from content/ only."""
    base_url, static = site.config.base_url, frozenset(site.static_files)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ContentFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
        """Serves the site's content files by their published address; refuses anything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            rel = unquote(url.split("?")[0].split("#")[0].removeprefix(base_url))
            if url.startswith(base_url) and rel in static:
                body = site.static_source(content, rel).read_bytes()
                return URLFetcherResponse(url, body=body)
            raise ValueError(f"not a file of the site: {url}")

    return ContentFetcher()


def _pictures(
    site: Site, printer: Printer, items: Sequence[Essay | Roundtable]
) -> tuple[tuple[str, str], ...]:
    """Return the content files the items show as pictures, each with a hash of its bytes."""
    found: set[str] = set()
    for item in items:
        if item.image is not None:
            found.add(item.image.src)
        page = urls.page_of(item)
        for link in item.links:
            if link.is_image:
                found.add(posixpath.normpath(posixpath.join(page, unquote(link.url))))
    static = set(site.static_files)
    return tuple(
        (rel, _file_hash(site.static_source(printer.content, rel)))
        for rel in sorted(found & static)
    )


def _file_hash(path: Path) -> str:
    """Return a hash of a file's bytes, read once per version of the file."""
    stat = path.stat()
    return _hash_version(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _hash_version(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
