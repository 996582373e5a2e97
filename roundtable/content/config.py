"""`content/site.yml` → SiteConfig, validated."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from roundtable.content.frontmatter import FrontMatterError, parse
from roundtable.errors import ContentError
from roundtable.model import SiteConfig

if TYPE_CHECKING:
    from roundtable.content.schema import SiteFields

Loaded = tuple[SiteConfig | None, list[ContentError]]
"""The settings (None when they cannot be used) and every mistake in the file."""


def check_config(data: bytes | None, display: str, base_url: str | None = None) -> Loaded:
    """Parse and validate site.yml's bytes (None: there is no site.yml).

    `base_url` (from the command line) replaces the file's.
    """
    if data is None:
        return None, [
            ContentError(
                display, 0, "site.yml is missing (create it with 'title:' and 'base_url:')"
            )
        ]
    # Imported here: pydantic takes a tenth of a second to load, and a warm build recalls this.
    from roundtable.content.schema import SiteFields, validate

    try:
        doc = parse(display, data, whole_file_is_yaml=True)
    except FrontMatterError as exc:
        return None, [ContentError(display, exc.line, exc.message)]
    if base_url is not None:
        doc.fields["base_url"] = base_url
    fields, errors = validate(SiteFields, doc)
    if fields is None:
        return None, errors
    url_error = base_url_problem(fields.base_url)
    if url_error:
        return None, [doc.error(("base_url",), f"base_url: {url_error}")]
    return _to_config(fields), []


def base_url_problem(url: str) -> str | None:
    """Return what is wrong with a base URL, if anything."""
    example = "write e.g. https://example.org/forum/"
    try:
        parts = urlsplit(url)
        _ = parts.port  # read for its check: a port that is no number in 0-65535
    except ValueError as exc:  # an unclosed '[' (IPv6 host), a bad port
        return f"'{url}' is not a valid URL: {exc} ({example})"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"'{url}' is not an absolute http(s) URL ({example})"
    if parts.query or parts.fragment:
        return f"'{url}' has a query or fragment (remove everything after ? or #)"
    return None


def _to_config(fields: SiteFields) -> SiteConfig:
    """Build the config value, normalising base_url to end with a slash."""
    base_url = fields.base_url if fields.base_url.endswith("/") else fields.base_url + "/"
    return SiteConfig(
        title=fields.title,
        base_url=base_url,
        tagline=fields.tagline,
        language=fields.language,
        organization=fields.organization,
        disclaimer=fields.disclaimer,
        allow_html=fields.allow_html,
        search=fields.search,
        cms=fields.cms,
        repo=fields.repo,
        branch=fields.branch,
        cms_auth=fields.cms_auth or "",
    )
