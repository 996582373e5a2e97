"""`content/site.yml` → SiteConfig, validated."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from roundtable.errors import ContentError
from roundtable.frontmatter import FrontMatterError, parse
from roundtable.model import SiteConfig
from roundtable.schema import SiteFields, validate


def load_config(
    path: Path, display: str, base_url: str | None = None
) -> tuple[SiteConfig | None, list[ContentError]]:
    """Read site.yml; `base_url` (from the command line) replaces the file's."""
    try:
        doc = parse(display, path.read_bytes(), whole_file_is_yaml=True)
    except FileNotFoundError:
        return None, [
            ContentError(
                display, 0, "site.yml is missing (create it with 'title:' and 'base_url:')"
            )
        ]
    except FrontMatterError as exc:
        return None, [ContentError(display, exc.line, exc.message)]
    if base_url is not None:
        doc.fields["base_url"] = base_url
    fields, errors = validate(SiteFields, doc)
    if fields is None:
        return None, errors
    url_error = _check_base_url(fields.base_url)
    if url_error:
        return None, [doc.error(("base_url",), url_error)]
    return _to_config(fields), []


def _check_base_url(url: str) -> str | None:
    """Return what is wrong with a base URL, if anything."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"base_url: '{url}' is not an absolute http(s) URL (write e.g. https://example.org/forum/)"
    if parts.query or parts.fragment:
        return f"base_url: '{url}' has a query or fragment (remove everything after ? or #)"
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
    )
