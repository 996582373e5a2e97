"""build_site(): the table of contents of a build, one line per stage."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from roundtable import urls
from roundtable.content.assemble import (
    FileBodies,
    assemble,
)
from roundtable.content.check import check_site
from roundtable.content.discover import (
    discover,
    entry_error,
    odd_entries,
)
from roundtable.errors import BuildFailed, ContentError, raise_if_any
from roundtable.incremental import snapshot
from roundtable.incremental.cache import (
    CACHE_DIR,
    BuildCache,
    CacheDamaged,
)
from roundtable.incremental.fingerprint import theme_digest
from roundtable.incremental.inputs import (
    FILE_DIGESTS_KEY,
    FileDigests,
    Inputs,
    input_digest,
    inputs_key,
    unchanged_output,
)
from roundtable.incremental.outputs import (
    GroupRecord,
    Plan,
    plan_outputs,
    with_search,
    write_site,
)
from roundtable.incremental.reading import read_config, read_documents, read_people
from roundtable.incremental.recall import Made, recalled_site, save_for_next_build
from roundtable.model import Essay, Roundtable, Site, SiteConfig
from roundtable.publish import pdf
from roundtable.publish.search import find_pagefind
from roundtable.render.convert import convert, html_for_workers
from roundtable.render.i18n import table_labels
from roundtable.render.images import (
    content_pictures,
    with_variants,
)
from roundtable.render.pages import (
    Theme,
    hash_bytes,
    render_pages,
    uses_workers,
)
from roundtable.workers import core_count
from roundtable.write import (
    Stage,
    remove_leftovers,
)

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
    """Where the site goes; None keeps it in memory (check, serve)."""
    theme: Theme
    """Templates and assets."""
    drafts: bool = False
    """Publish essays marked `draft: true`."""
    base_url: str | None = None
    """Replaces site.yml's base_url."""
    workers: int = 0
    """Processes for Markdown and rendering; 0 uses every core."""
    use_cache: bool = True
    """Reuse work from earlier builds (kept in `.roundtable-cache/` beside the output)."""
    search_index: bool = True
    """Build the search index (serve skips it: it would cost seconds on every save)."""
    pdf: bool = False
    """Also print a PDF of every essay and roundtable (`--pdf`)."""

    @property
    def cache_dir(self) -> Path | None:
        """Return the folder of the build cache, beside the output (or the content)."""
        if not self.use_cache:
            return None
        beside = self.output if self.output is not None else self.content
        return beside.resolve().parent / CACHE_DIR


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
    with cycle_collection_paused(), image_folder(options) as images:
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
    hashed = FileDigests(cache.meta.get(FILE_DIGESTS_KEY, {}))
    # Only a build kept on disk can be compared with the last one.
    kept = options.output is not None and cache.folder is not None
    inputs = input_digest(options, cache, hashed) if kept else None
    unchanged = unchanged_output(options, cache, inputs.digest) if inputs else None
    if unchanged is not None:
        cache.save(tables=False)  # only the files' stat table may have changed
        seconds = time.perf_counter() - started
        manifest, counts, warnings = unchanged
        return BuildResult(None, {}, {}, manifest, 0, 0, seconds, counts, warnings=warnings)
    printer = pdf.printer(options.theme, options.content) if options.pdf else None
    theme = read_theme(options.theme)
    workers = options.workers or core_count()
    last = snapshot.load(cache, options) if inputs else None
    made = (
        recalled_site(options, cache, inputs, hashed, last, workers, theme.version)
        if inputs and last
        else None
    )
    if made is None:
        made = converted_site(options, cache, hashed, workers, theme.version, inputs, last)
    site = made.site
    pagefind = find_pagefind() if site.config.search and options.search_index else None
    plan = plan_outputs(options, site, cache, previous, theme, images, printer, made.pictures)
    stale = plan.stale()
    if uses_workers(len(stale), workers):
        html_for_workers(site, cache)
    with staging(options.output) as stage:
        rendered = render_pages(
            stale,
            site,
            options.theme,
            plan.asset_hashes,
            workers,
            plan.theme_version,
            stage,
            compiled_templates(options),
        )
        rendered, manifest = with_search(options, pagefind, plan, rendered, previous)
        pages = published_pages(options, plan, rendered, previous)
        findings = check_site(site, manifest, pages, dt.date.today())
        if findings.errors:
            raise BuildFailed(findings.errors, findings.warnings)
        files = write_site(options, cache, plan, rendered, manifest, previous)
    counts = (len(site.roundtables), len(site.essays))
    if options.output is not None:
        digest = inputs.digest if inputs else ""
        cache.meta[inputs_key(options.output)] = (digest, counts, findings.warnings)
    save_for_next_build(options, cache, made, inputs)
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


def converted_site(
    options: BuildOptions,
    cache: BuildCache,
    hashed: FileDigests,
    workers: int,
    theme_version: str,
    inputs: Inputs | None = None,
    last: snapshot.Snapshot | None = None,
) -> Made:
    """Read, check and convert the whole content; stop with every mistake found.

    Once checked, a build kept on disk lets go of the files it parsed (200 MB at 10,000 essays):
    each body is read again from its file by the worker that converts it, and by anything
    else that wants it (a PDF looks for pictures).
    """
    site, errors = gather_site(options, cache, hashed)
    raise_if_any(errors)
    pictures = content_pictures(site, options.content)
    labels = table_labels(options.theme.message_dirs, site, theme_version)
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    summarised = frozenset(item.path for item in items if not item.summary)
    fronts = snapshot.known_fronts(site, cache, inputs.markdown, last) if inputs else {}
    if inputs is not None and cache.set_aside("sources"):
        bodies = FileBodies(options.content, options.content_display, inputs.markdown)
        bodies.unload(items)
    site = convert(with_variants(site), cache, workers, pictures, labels)
    return Made(site, pictures, summarised, fronts)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a build, as mypy does for a type check.

    A build holds hundreds of thousands of long-lived objects (the site, the cache's entries) and
    makes few reference cycles; the collector would walk them all again and again (seconds at
    10,000 essays). Memory is still freed by reference counting; cycles wait for the next pass.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True)
class ThemeFiles:
    """The theme as one build reads it: its assets and the version of all its files."""

    assets: dict[str, Path]
    """Asset files by name (a site's own override the theme's)."""
    asset_hashes: dict[str, str]
    """Short content hashes of the assets, for cache-busting links."""
    version: str
    """Hash of the templates, messages and assets: keys every cached lookup of theme files."""


def read_theme(theme: Theme) -> ThemeFiles:
    """Hash the theme's files, once a build, before anything looks them up."""
    assets = theme_assets(theme)
    hashes = {name: hash_bytes(path.read_bytes()) for name, path in assets.items()}
    version = theme_digest(theme.template_dirs, hashes, theme.message_dirs)
    return ThemeFiles(assets, hashes, version)


@contextmanager
def staging(output: Path | None) -> Iterator[Stage | None]:
    """Give the folder beside the output that pages are written into, or None in memory."""
    if output is None:
        yield None
        return
    try:
        with Stage(output) as stage:
            yield stage
    except BaseException:
        # Ctrl-C can come between the folder's making and the `with`, where nothing removes it.
        remove_leftovers(output)
        raise


def published_pages(
    options: BuildOptions,
    plan: Plan,
    rendered: Mapping[str, bytes],
    previous: BuildResult | None,
) -> Callable[[str], bytes | None]:
    """Return what reads a page of the site about to be published: made now, else as the
    output (or the last build in memory) holds it; None for a file copied as it is."""

    def page(path: str) -> bytes | None:
        if path in plan.copies:
            return None
        if path in rendered:
            return rendered[path]
        if options.output is None:
            return previous.files.get(path) if previous is not None else None
        try:
            return (options.output / path).read_bytes()
        except OSError:
            return None

    return page


def gather_site(
    options: BuildOptions, cache: BuildCache | None = None, known: FileDigests | None = None
) -> tuple[Site, list[ContentError]]:
    """Read and validate every source file; return the site model and every mistake found.

    `known` holds the files hashed earlier in the build.
    """
    cache = cache or BuildCache(None)
    known = known or FileDigests(cache.meta.get(FILE_DIGESTS_KEY, {}))
    shown = options.content_display
    config, config_errors = read_config(options.content, shown, options.base_url, cache)
    people, people_errors = read_people(options.content, shown, cache)
    sources, discover_errors = discover(options.content, options.content_display)
    roundtable_docs, roundtable_errors = read_documents(sources, sources.roundtables, cache, known)
    essay_docs, essay_errors = read_documents(sources, sources.essays, cache, known)
    site, site_errors = assemble(
        config or PLACEHOLDER_CONFIG,
        people,
        sources,
        roundtable_docs,
        essay_docs,
        drafts=options.drafts,
        memo=cache,
    )
    errors = [*config_errors, *people_errors, *discover_errors, *roundtable_errors, *essay_errors]
    errors += site_errors
    return site, [*errors, *theme_links(options.theme)]


def theme_links(theme: Theme) -> list[ContentError]:
    """Refuse symbolic links in templates/ and assets/ (Jinja would follow them anywhere),
    special files (reading one can wait forever) and folders that cannot be listed."""
    return [
        entry_error(os.path.relpath(folder / entry.rel), entry, "theme folders")
        for folder in (*theme.template_dirs, *theme.asset_dirs)
        if folder.is_dir()
        for entry in odd_entries(folder)
    ]


def theme_assets(theme: Theme) -> dict[str, Path]:
    """Return the theme's asset files by name; a site's own assets override the theme's."""
    assets: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                    assets[path.relative_to(folder).as_posix()] = path
    return dict(sorted(assets.items()))


def compiled_templates(options: BuildOptions) -> Path | None:
    """Return where compiled templates are kept between builds: in the build cache, if any."""
    if options.cache_dir is None:
        return None
    folder = options.cache_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def image_folder(options: BuildOptions) -> Iterator[Path]:
    """Give the folder resized images are kept in: the build cache's, or one for this build.

    Without a cache (check, --no-cache) they still need a home until they are copied out: a
    new folder only this user can write, removed after the build (the shared, predictable one
    it used to be let anyone plant the pictures a build published: issue 24). An in-memory
    build without a cache (check) keeps only their names.
    """
    if options.cache_dir is not None:
        yield options.cache_dir / "images"
        return
    folder = tempfile.mkdtemp(prefix="roundtable-images-")
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
