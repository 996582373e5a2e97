"""build_site(): the table of contents of a build, one line per stage.

find the content -> read it -> assemble the site -> convert Markdown (made_site, with the
earlier build's work reused from incremental/) -> list the outputs -> say which changed (plan)
-> render the pages that changed -> check everything (the mistakes met on the way, links and
pictures included) -> the search index -> write atomically. `check` runs the same stages in
memory and stops before writing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from roundtable import urls
from roundtable.content.check import check_site
from roundtable.errors import BuildFailed, CacheDamaged, ContentError
from roundtable.incremental.bodies import html_for_workers
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.inputs import known_inputs, unchanged_output
from roundtable.incremental.outputs import (
    GroupRecord,
    Plan,
    plan_outputs,
    published_pages,
    with_search,
    write_site,
)
from roundtable.incremental.recall import made_site, remember
from roundtable.incremental.theme import compiled_templates
from roundtable.model import Site
from roundtable.options import BuildOptions
from roundtable.publish import pdf
from roundtable.publish.outputs import list_outputs
from roundtable.publish.search import find_pagefind
from roundtable.render.pages import Page, TemplateFailed, render_pages, uses_workers
from roundtable.render.theme import image_folder, read_theme
from roundtable.workers import core_count, cycle_collection_paused
from roundtable.write import Stage, staging


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
    """
    started = time.perf_counter()
    own_cache = cache is None
    cache = cache or BuildCache(options.cache_dir)
    with cycle_collection_paused(), image_folder(options.cache_dir) as images:
        try:
            try:
                return _stages(options, cache, previous, images, started)
            except CacheDamaged:
                cache.discard()  # an entry the build counted on was damaged: start without any
                return _stages(options, cache, None, images, started)
        finally:
            if own_cache:
                cache.close()


def _stages(
    options: BuildOptions,
    cache: BuildCache,
    previous: BuildResult | None,
    images: Path,
    started: float,
) -> BuildResult:
    """Run the stages of a build, one line each."""
    hashed, inputs = known_inputs(options, cache)
    if (unchanged := unchanged_output(options, cache, inputs)) is not None:
        manifest, counts, warnings = unchanged
        seconds = time.perf_counter() - started
        return BuildResult(
            None, {}, {}, manifest, seconds=seconds, counts=counts, warnings=warnings
        )
    theme = read_theme(options.theme)
    workers = options.workers or core_count()
    made = made_site(options, cache, hashed, inputs, workers, theme.version)
    site = made.site
    pagefind = find_pagefind() if site.config.search and options.search_index else None
    printer = pdf.printer(options.theme, options.content) if options.pdf else None
    outputs = list_outputs(options, site, theme, images, printer, made.pictures)
    plan = plan_outputs(options, outputs, site, cache, previous, theme)
    stale = plan.stale()
    with reported_after(made.errors), staging(options.output) as stage:
        rendered = _render(options, site, plan, stale, cache, workers, stage)
        pages = published_pages(options, plan, rendered, previous)
        findings = check_site(site, plan.manifest, pages, dt.date.today())
        if errors := [*made.errors, *plan.errors, *findings.errors]:
            # With files left out, warnings would speak of what those files would give.
            raise BuildFailed(errors, () if made.errors else findings.warnings)
        rendered, manifest = with_search(options, pagefind, plan, rendered, previous)
        files = write_site(options, cache, plan, rendered, manifest, previous)
    remember(options, cache, made, inputs, findings.warnings)
    seconds = time.perf_counter() - started
    counts = (len(site.roundtables), len(site.essays))
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


def _render(
    options: BuildOptions,
    site: Site,
    plan: Plan,
    stale: list[Page],
    cache: BuildCache,
    workers: int,
    stage: Stage | None,
) -> MutableMapping[str, bytes]:
    """Render the pages that changed; workers read the bodies' HTML from the cache."""
    if uses_workers(len(stale), workers):
        html_for_workers(site, cache)
    templates = compiled_templates(options)
    return render_pages(
        stale, site, options.theme, plan.asset_hashes, workers, plan.theme_version, stage, templates
    )
