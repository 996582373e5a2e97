"""build_site(): the table of contents of a build, one line per stage."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from roundtable import urls
from roundtable.assemble import Parsed, assemble
from roundtable.config import load_config
from roundtable.convert import convert
from roundtable.discover import SITE_CONFIG, Sources, discover, display_path
from roundtable.errors import ContentError, raise_if_any
from roundtable.frontmatter import FrontMatterError, parse
from roundtable.model import Site, SiteConfig
from roundtable.render import Theme, hash_bytes, render_pages
from roundtable.write import publish

PLACEHOLDER_CONFIG = SiteConfig(title="", base_url="https://example.invalid/")
"""Lets the content be checked, and its errors reported, when site.yml itself is broken."""


@dataclass(frozen=True)
class BuildOptions:
    """What one build reads and where it writes."""

    content: Path
    """The content folder."""
    content_display: str
    """The content folder as the user named it, for messages."""
    output: Path | None
    """Where the site goes; None renders without writing (check)."""
    theme: Theme
    """Templates and assets."""
    drafts: bool = False
    """Publish essays marked `draft: true`."""
    base_url: str | None = None
    """Replaces site.yml's base_url."""


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made."""

    site: Site
    """The model the pages were rendered from."""
    files: dict[str, bytes]
    """Rendered files by output path."""
    copies: dict[str, Path]
    """Files copied as they are, by output path."""
    seconds: float
    """Wall time of the build."""

    @property
    def page_count(self) -> int:
        """Return the number of HTML pages."""
        return sum(1 for path in self.files if path.endswith(".html"))


def build_site(options: BuildOptions) -> BuildResult:
    """Read the content, check it all, render every page, and publish the site."""
    started = time.perf_counter()
    site, errors = gather_site(options)
    raise_if_any(errors)
    site = convert(site)
    assets = theme_assets(options.theme)
    hashes = {name: hash_bytes(path.read_bytes()) for name, path in assets.items()}
    files = render_pages(site, options.theme, hashes)
    copies = {
        **{urls.asset(name): path for name, path in assets.items()},
        **{rel: options.content / rel for rel in site.static_files},
    }
    if options.output is not None:
        publish(options.output, files, copies)
    return BuildResult(site, files, copies, time.perf_counter() - started)


def gather_site(options: BuildOptions) -> tuple[Site, list[ContentError]]:
    """Read and validate every source file; return the site model and every mistake found."""
    config_display = display_path(options.content_display, SITE_CONFIG)
    config, config_errors = load_config(
        options.content / SITE_CONFIG, config_display, options.base_url
    )
    sources, discover_errors = discover(options.content, options.content_display)
    roundtable_docs, roundtable_errors = read_documents(sources, sources.roundtables)
    essay_docs, essay_errors = read_documents(sources, sources.essays)
    site, site_errors = assemble(
        config or PLACEHOLDER_CONFIG, sources, roundtable_docs, essay_docs, drafts=options.drafts
    )
    errors = [*config_errors, *discover_errors, *roundtable_errors, *essay_errors, *site_errors]
    return site, errors


def read_documents(
    sources: Sources, paths: tuple[str, ...]
) -> tuple[list[Parsed], list[ContentError]]:
    """Read and split each file; collect a located error for each one that cannot be read."""
    parsed, errors = [], []
    for rel in paths:
        display = sources.display(rel)
        try:
            parsed.append(Parsed(rel, parse(display, (sources.root / rel).read_bytes())))
        except FrontMatterError as exc:
            errors.append(ContentError(display, exc.line, exc.message))
        except OSError as exc:
            errors.append(
                ContentError(
                    display, 0, f"cannot read the file: {exc.strerror} (check its permissions)"
                )
            )
    return parsed, errors


def theme_assets(theme: Theme) -> dict[str, Path]:
    """Return the theme's asset files by name; a site's own assets override the theme's."""
    assets: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                    assets[path.relative_to(folder).as_posix()] = path
    return dict(sorted(assets.items()))
