"""What a static host may serve a file as, and which of those types a browser runs as a document.

A contributor's file is published on the site's own origin: whatever a browser opens as HTML,
XML or script runs with the site's cookies and storage. A `.rng` file, served as
`application/xml` by common hosts, ran embedded XHTML script in Chromium (issue 24). So the
question is not "is this extension on a list" but "could some host serve it as an active type".
"""

from __future__ import annotations

import mimetypes
from collections import defaultdict
from functools import cache
from pathlib import Path, PurePosixPath

HOST_TYPES: dict[str, str] = {
    # nginx 1.24, conf/mime.types
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".xml": "text/xml",
    ".mml": "text/mathml",
    ".htc": "text/x-component",
    ".atom": "application/atom+xml",
    ".rss": "application/rss+xml",
    ".xhtml": "application/xhtml+xml",
    ".xspf": "application/xspf+xml",
    ".kml": "application/vnd.google-earth.kml+xml",
    ".svg": "image/svg+xml",
    ".svgz": "image/svg+xml",
    ".js": "application/javascript",
    # mime-db 1.52: the table of Node's `mime-types` (Express, `serve`, hosts' command lines)
    ".xsl": "application/xml",
    ".xsd": "application/xml",
    ".rng": "application/xml",
    ".xht": "application/xhtml+xml",
    ".xslt": "application/xslt+xml",
    ".rdf": "application/rdf+xml",
    ".owl": "application/rdf+xml",
    ".mathml": "application/mathml+xml",
    ".xul": "application/vnd.mozilla.xul+xml",
    ".xlf": "application/x-xliff+xml",
    ".wsdl": "application/wsdl+xml",
    ".mjs": "text/javascript",
    ".cjs": "application/node",
}
"""Active types that common static hosts give extensions, whatever Python's table says. Only
the types that matter here are copied (those `is_active` accepts); the full tables are
https://github.com/nginx/nginx/blob/master/conf/mime.types and
https://github.com/jshttp/mime-db/blob/master/db.json. Apache's table is in APACHE_TYPES."""

_SCRIPT_TYPES = frozenset(
    {
        "text/html",
        "text/javascript",
        "text/ecmascript",
        "text/mathml",  # read as an XML document by browsers that render MathML
        "text/x-component",  # Internet Explorer's HTML components: script
        "application/javascript",
        "application/x-javascript",
        "application/ecmascript",
        "application/node",  # JavaScript (CommonJS); runs if a page ever names it in <script>
    }
)


def is_active(mime: str) -> bool:
    """Return True for a type a browser opens as a page or runs as a script: HTML, any XML."""
    base = mime.split(";", 1)[0].strip().lower()
    return base in _SCRIPT_TYPES or base.endswith(("/xml", "+xml"))


def active_type(name: str) -> str | None:
    """Return the active type a host may serve a file name as, or None.

    The type is that of the last extension some table knows, compression aside, as Apache
    reads names: 'page.html.en' is HTML, 'data.xml.gz' is XML, 'talk.es.pdf' a PDF.
    """
    for suffix in reversed(PurePosixPath(name.lower()).suffixes):
        if suffix in mimetypes.encodings_map:
            continue
        types = _types().get(suffix)
        if types:
            return next((mime for mime in sorted(types) if is_active(mime)), None)
    return None


APACHE_TYPES = Path(__file__).with_name("active-types.txt")
"""The active rows of Apache's table, kept with the package rather than read from the machine's
`/etc/mime.types`: a file must be refused on every machine, or published on every machine."""


@cache
def _types() -> dict[str, set[str]]:
    """Return every type a table gives each extension: Python's own, Apache's, the hosts'."""
    table = mimetypes.MimeTypes()  # Python's built-in table only: it reads no machine's files
    types: dict[str, set[str]] = defaultdict(set)
    for strict in (True, False):
        for suffix, mime in table.types_map[strict].items():
            types[suffix.lower()].add(mime)
    for line in APACHE_TYPES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            suffix, mime = line.split()
            types[suffix].add(mime)
    for suffix, mime in HOST_TYPES.items():
        types[suffix].add(mime)
    return dict(types)
