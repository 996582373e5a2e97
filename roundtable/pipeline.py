"""build_site(): the table of contents of a build, one line per stage.

find the content -> read it -> assemble the site -> convert Markdown -> list the outputs ->
say which changed (plan) -> render the pages that changed -> check everything (the mistakes met
on the way, links and pictures included) -> the search index -> write atomically. `check` runs
the same stages in memory and stops before writing. What a build reuses of earlier builds it
asks at one door, `Reuse`: incremental/ answers it, or `Fresh`, which makes everything.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import jinja2

from roundtable import urls
from roundtable.content.check import check_site
from roundtable.content.read import Reading, read_site
from roundtable.errors import BuildFailed, CacheDamaged, ContentError
from roundtable.fresh import Fresh
from roundtable.model import Image, Site
from roundtable.options import BuildOptions
from roundtable.plan import GroupRecord, Plan
from roundtable.publish import pdf
from roundtable.publish.outputs import Outputs, list_outputs
from roundtable.publish.search import Pagefind, find_pagefind
from roundtable.render.i18n import table_labels
from roundtable.render.images import content_pictures, with_variants
from roundtable.render.pages import TemplateFailed, render_pages
from roundtable.render.theme import ThemeFiles, image_folder, read_theme, theme_links
from roundtable.workers import core_count, cycle_collection_paused
from roundtable.write import staging

if TYPE_CHECKING:
    from roundtable.incremental.cache import BuildCache


class Reuse(Protocol):
    """What a build asks of earlier builds, at one door: `incremental.door.Remembered` answers
    from the cache, `fresh.Fresh` by making everything (no earlier build known)."""

    def unchanged(self) -> tuple[dict[str, str], tuple[int, int], tuple[ContentError, ...]] | None:
        """Return the last build's manifest, counts and warnings when nothing changed since."""

    def reading(self) -> Reading:
        """Return how the reading stage reads the files."""

    def convert(
        self, site: Site, workers: int, pictures: Mapping[str, Image], labels: Mapping[str, str]
    ) -> Site:
        """Return the site with every body converted."""

    def plan(self, outputs: Outputs, site: Site, theme: ThemeFiles) -> Plan:
        """Return every output with its fingerprint, and which must be made again."""

    def templates(self) -> jinja2.BytecodeCache | None:
        """Return where compiled templates are kept, if anywhere."""

    def pages(self, plan: Plan, rendered: Mapping[str, bytes]) -> Callable[[str], bytes | None]:
        """Return what reads a page of the site about to be published."""

    def search(
        self, pagefind: Pagefind | None, plan: Plan, rendered: MutableMapping[str, bytes]
    ) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
        """Add the search index to the files and the manifest."""

    def write(
        self, plan: Plan, rendered: MutableMapping[str, bytes], manifest: dict[str, str]
    ) -> dict[str, bytes]:
        """Publish the files (in memory: return them)."""

    def remember(self, counts: tuple[int, int], warnings: list[ContentError]) -> None:
        """Keep what the next build starts from."""


@dataclass(frozen=True)
class BuildResult:
    """What a successful build made."""

    site: Site | None
    """The model the pages were rendered from; None when nothing had changed."""
    files: dict[str, bytes]
    """Rendered files by output path: all of them in memory, only the changed ones on disk."""
    copies: dict[str, Path]
    """Files copied as they are, by output path."""
    manifest: dict[str, str] = field(default_factory=dict)
    """Fingerprint of every output file: what the next build compares against."""
    rendered: int = 0
    """How many pages this build had to render."""
    images_made: int = 0
    """How many resized images this build had to make (the rest came from the cache)."""
    seconds: float = 0.0
    """Wall time of the build."""
    counts: tuple[int, int] = (0, 0)
    """How many roundtables and essays the site has."""
    groups: dict[str, GroupRecord] = field(default_factory=dict)
    """Every group of pages by name: what the next build compares against to skip it whole."""
    warnings: tuple[ContentError, ...] = ()
    """What the site's check found worth a look (the last build's, when nothing had changed)."""

    @property
    def page_count(self) -> int:
        """Return the number of HTML pages readers see (not the editor's, under admin/)."""
        pages = (path for path in self.manifest if not path.startswith(urls.ADMIN))
        return sum(1 for path in pages if path.endswith(".html"))


def build_site(
    options: BuildOptions, cache: BuildCache | None = None, previous: BuildResult | None = None
) -> BuildResult:
    """Read the content, check it all, render what changed, and publish the site.

    `cache` and `previous` let a long-running server keep its work in memory between builds.
    Without a cache given or a folder to keep one in, the build remembers nothing (`Fresh`).
    """
    started = time.perf_counter()
    with cycle_collection_paused(), image_folder(options.cache_dir) as images:
        if cache is None and options.cache_dir is None:
            return _stages(options, Fresh(options), images, started)
        from roundtable.incremental.cache import BuildCache  # a build that remembers
        from roundtable.incremental.door import Remembered

        own = cache or BuildCache(options.cache_dir)
        try:
            try:
                return _stages(options, Remembered(options, own, previous), images, started)
            except CacheDamaged:
                own.discard()  # an entry the build counted on was damaged: start without any
                return _stages(options, Remembered(options, own, None), images, started)
        finally:
            if cache is None:
                own.close()


def _stages(options: BuildOptions, reuse: Reuse, images: Path, started: float) -> BuildResult:
    """Run the stages of a build, one line each."""
    if (unchanged := reuse.unchanged()) is not None:
        manifest, counts, warnings = unchanged
        seconds = time.perf_counter() - started
        return BuildResult(
            None, {}, {}, manifest, seconds=seconds, counts=counts, warnings=warnings
        )
    theme = read_theme(options.theme)
    workers = options.workers or core_count()
    site, read_errors = read_site(options, reuse.reading())
    errors = (*read_errors, *theme_links(options.theme))
    if any(not error.path.endswith(".md") for error in errors):
        raise BuildFailed(list(errors))  # site.yml, authors.yml or the folders: all of them
    pictures = content_pictures(site, options.content)
    labels = table_labels(options.theme.message_dirs, site, theme.version)
    with reported_after(errors):  # a body that would render far too large: with the rest
        site = reuse.convert(with_variants(site), workers, pictures, labels)
    pagefind = find_pagefind() if site.config.search and options.search_index else None
    printer = pdf.printer(options.theme, options.content) if options.pdf else None
    outputs = list_outputs(options, site, theme, images, printer, pictures)
    plan = reuse.plan(outputs, site, theme)
    stale = plan.stale()
    with reported_after(errors), staging(options.output) as stage:
        templates = reuse.templates()
        rendered = render_pages(
            stale, site, options.theme, plan.asset_hashes, workers, theme.version, stage, templates
        )
        findings = check_site(site, plan.manifest, reuse.pages(plan, rendered), dt.date.today())
        if all_errors := [*errors, *plan.errors, *findings.errors]:
            # With files left out, warnings would speak of what those files would give.
            raise BuildFailed(all_errors, () if errors else findings.warnings)
        rendered, manifest = reuse.search(pagefind, plan, rendered)
        files = reuse.write(plan, rendered, manifest)
    counts = (len(site.roundtables), len(site.essays))
    reuse.remember(counts, findings.warnings)
    seconds = time.perf_counter() - started
    return BuildResult(
        site,
        files,
        plan.copies,
        manifest,
        len(stale),
        plan.images_made,
        seconds,
        counts,
        plan.groups,
        tuple(findings.warnings),
    )


@contextmanager
def reported_after(errors: tuple[ContentError, ...]) -> Iterator[None]:
    """Report these mistakes with any that stops the build later (a template failing on the
    site without the files left out, say), never hidden by it."""
    try:
        yield
    except BuildFailed as failed:
        raise BuildFailed([*errors, *failed.errors], failed.warnings) from None
    except TemplateFailed as failed:
        if not errors:
            raise
        raise BuildFailed([*errors, failed.error]) from None
