"""build_site(): the table of contents of a build, one line per stage."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import NamedTuple

from roundtable import urls
from roundtable.content.assemble import (
    FILE_CHANGED,
    FileBodies,
    Parsed,
    assemble,
    source_key,
)
from roundtable.content.check import check_site
from roundtable.content.config import Loaded as ConfigLoaded
from roundtable.content.config import check_config
from roundtable.content.discover import (
    AUTHORS_FILE,
    LINK,
    SITE_CONFIG,
    SPECIAL,
    UNLISTABLE,
    Sources,
    discover,
    display_path,
    entry_error,
    odd_entries,
    read_settings,
    unreadable,
    walk_files,
)
from roundtable.content.frontmatter import Document, FrontMatterError, parse
from roundtable.content.people import Loaded as PeopleLoaded
from roundtable.content.people import check_people
from roundtable.errors import BuildFailed, ContentError, raise_if_any
from roundtable.incremental import snapshot
from roundtable.incremental.cache import (
    CACHE_DIR,
    BuildCache,
    CacheDamaged,
    Memo,
    file_signature,
    key,
    memoised,
    source_digest,
)
from roundtable.incremental.fingerprint import Fingerprinter, theme_digest
from roundtable.incremental.search import with_search_index
from roundtable.model import Essay, Image, Roundtable, Site, SiteConfig
from roundtable.publish import cms, pdf
from roundtable.publish.search import Pagefind, find_pagefind
from roundtable.render import i18n
from roundtable.render.convert import convert, convert_items, html_for_workers
from roundtable.render.images import (
    content_pictures,
    hero_images,
    make_variants,
    picture_errors,
    with_variants,
)
from roundtable.render.pages import (
    Group,
    Page,
    Theme,
    hash_bytes,
    page_groups,
    render_pages,
    uses_workers,
)
from roundtable.workers import core_count
from roundtable.write import (
    Previous,
    Stage,
    digest_bytes,
    publish,
    read_marker,
    remove_leftovers,
)

GroupRecord = tuple[str, tuple[str, ...]]
"""What a build remembers of a group of pages: the fingerprint of its inputs, its output files."""

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


@dataclass(frozen=True)
class Plan:
    """Every output of a build with its fingerprint, and which ones must be made again."""

    pages: list[Page]
    """The pages of every group whose inputs changed (the rest are as they were)."""
    copies: dict[str, Path]
    """Files copied as they are (assets, content files, resized images)."""
    manifest: dict[str, str]
    """Fingerprint of every output file."""
    before: dict[str, str]
    """Fingerprints of what the output (or the last build in memory) already holds."""
    asset_hashes: dict[str, str]
    """Short content hashes of the theme's assets, for cache-busting links."""
    theme_version: str
    """Hash of the theme's templates and assets."""
    images_made: int
    """Resized images made for this build."""
    groups: dict[str, GroupRecord]
    """Every group of pages: its inputs' fingerprint and its output files."""

    def stale(self) -> list[Page]:
        """Return the pages whose inputs changed since the output was made."""
        return [
            p for p in self.pages if _changed(urls.output_file(p.path), self.manifest, self.before)
        ]


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
        return replace(unchanged, seconds=time.perf_counter() - started)
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
        rendered, manifest = _with_search(options, pagefind, plan, rendered, previous)
        pages = published_pages(options, plan, rendered, previous)
        findings = check_site(site, manifest, pages, dt.date.today())
        if findings.errors:
            raise BuildFailed(findings.errors, findings.warnings)
        files = _write(options, cache, plan, rendered, manifest, previous)
    counts = (len(site.roundtables), len(site.essays))
    if options.output is not None:
        digest = inputs.digest if inputs else ""
        cache.meta[_inputs_key(options.output)] = (digest, counts, findings.warnings)
    _save(options, cache, made, inputs)
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


class Made(NamedTuple):
    """The site a build renders, converted, and what the next build's snapshot needs of it."""

    site: Site
    """The site, every body converted."""
    pictures: dict[str, Image]
    """The content's pictures, measured, with their resized copies."""
    summarised: frozenset[str]
    """Paths of the items whose summary is their body's first paragraph."""
    fronts: dict[str, str]
    """Hash of each item's front matter, where it is known (a build kept on disk only)."""
    recalled: bool = False
    """The site was recalled from the last build's snapshot."""


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
    labels = table_labels(options.theme, site, theme_version)
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    summarised = frozenset(item.path for item in items if not item.summary)
    fronts = snapshot.known_fronts(site, cache, inputs.markdown, last) if inputs else {}
    if inputs is not None and cache.set_aside("sources"):
        bodies = FileBodies(options.content, options.content_display, inputs.markdown)
        bodies.unload(items)
    site = convert(with_variants(site), cache, workers, pictures, labels)
    return Made(site, pictures, summarised, fronts)


def recalled_site(
    options: BuildOptions,
    cache: BuildCache,
    inputs: Inputs,
    hashed: FileDigests,
    last: snapshot.Snapshot,
    workers: int,
    theme_version: str,
) -> Made | None:
    """Return the last build's site with the bodies changed since converted, or None when
    anything else changed (see snapshot.py)."""
    now = snapshot.Changes(
        inputs.frame, inputs.markdown, options.content, options.content_display, hashed.read
    )
    changed = snapshot.changed_items(last, now)
    if changed is None:
        return None
    site = last.site
    pictures = content_pictures(site, options.content)
    labels = table_labels(options.theme, site, theme_version)
    fresh = snapshot.with_new_bodies(last, now, changed)
    converted = convert_items(site, fresh, cache, workers, pictures, labels)
    site = snapshot.spliced(site, converted)
    return Made(site, pictures, last.summarised, last.fronts, recalled=True)


def _save(
    options: BuildOptions,
    cache: BuildCache,
    made: Made,
    inputs: Inputs | None,
) -> None:
    """Save the cache's new entries, then the snapshot of this build's site, which counts on
    them (a build kept on disk only)."""
    kept = snapshot.pickled(_snapshot(made, inputs)) if inputs else b""
    # Built from a snapshot, the build read no entry of an unchanged file: it must drop none.
    saved = cache.save(drop_unused=not made.recalled)
    if kept and saved and options.output is not None:
        snapshot.keep(cache, options.output, kept)


def _snapshot(made: Made, inputs: Inputs) -> snapshot.Snapshot:
    """Return what the next build needs to start from this one's site."""
    return snapshot.Snapshot(inputs.frame, inputs.markdown, made.fronts, made.summarised, made.site)


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


def table_labels(theme: Theme, site: Site, theme_version: str) -> dict[str, str]:
    """Return how each language of the site names a table ('Tabla {number}').

    The catalogs are cached by the theme's version: a server then sees a reworded `table`.
    """
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    languages = {site.language_of(item) for item in items}
    labels = {}
    for language in sorted(languages | {site.config.language}):
        try:
            labels[language] = str(
                i18n.catalog(theme.message_dirs, language, theme_version)(
                    "table", number="{number}"
                )
            )
        except (i18n.CatalogError, KeyError):
            continue  # a broken messages file is reported, located, when the pages render
    return labels


def plan_outputs(
    options: BuildOptions,
    site: Site,
    cache: BuildCache,
    previous: BuildResult | None,
    theme: ThemeFiles,
    images: Path,
    printer: pdf.Printer | None = None,
    pictures: Mapping[str, Image] = {},
) -> Plan:
    """List every output with its fingerprint, and what the output already holds.

    A group of pages whose inputs are those of the last build keeps its fingerprints unmade.
    """
    groups = [
        *page_groups(site, pdfs=printer is not None),
        Group("pdf", None, partial(pdf.pdf_pages, site, printer)),
    ]
    before, known = previous_manifest(options, cache, previous)
    made_pages, manifest, records = fingerprint_pages(groups, site, theme.version, known, before)
    heroes = dict(hero_images(site, options.content))
    shown = pictures_on_pages(site, pictures)
    in_text = {site.static_source(options.content, rel): image for rel, image in shown.items()}
    made = make_variants(sorted({**in_text, **heroes}.items()), images)
    raise_if_any(picture_errors(site, options.content, pictures, made.failed))
    generated = {urls.asset(name): path for name, path in theme.assets.items()} | made.files
    generated |= cms.bundle_files() if site.config.cms else {}
    _refuse_collisions(options, site, {*generated, *manifest})
    copies = copied_files(options, site, generated)
    manifest |= fingerprint_copies(copies)
    return Plan(
        made_pages,
        copies,
        manifest,
        before,
        theme.asset_hashes,
        theme.version,
        made.count,
        records,
    )


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


def pictures_on_pages(site: Site, pictures: Mapping[str, Image]) -> dict[str, Image]:
    """Return the content's pictures that a body shows: only these are decoded and resized."""
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    shown = {rel for item in items for rel in item.pictures}
    return {rel: image for rel, image in pictures.items() if rel in shown}


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


def _with_search(
    options: BuildOptions,
    pagefind: Pagefind | None,
    plan: Plan,
    files: MutableMapping[str, bytes],
    previous: BuildResult | None,
) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
    """Add the search index to the files and manifest, when the site and the build want one."""
    if pagefind is None:
        return files, plan.manifest
    earlier = previous.files if previous is not None else {}
    return with_search_index(files, plan.manifest, plan.before, options.output, earlier, pagefind)


def _write(
    options: BuildOptions,
    cache: BuildCache,
    plan: Plan,
    files: MutableMapping[str, bytes],
    manifest: dict[str, str],
    previous: BuildResult | None,
) -> dict[str, bytes]:
    """Publish to the output folder, or complete the in-memory site; return the files.

    Built to disk, the files are in the output and none is returned.
    """
    if options.output is None:
        return _complete_in_memory(dict(files), manifest, previous)
    assert isinstance(files, Stage)
    stored = cache.meta.get(_output_key(options.output))
    known = stored[2] if stored and len(stored) > 2 and plan.before else {}
    digests = content_digests(
        options.output, files.digests, plan.copies, manifest, plan.before, known
    )
    build_id = key("build", *(f"{path}={digest}" for path, digest in sorted(digests.items())))
    # Rendered again (an input changed) to the very bytes the output holds: not written again.
    unchanged = [p for p, d in files.digests.items() if p in plan.before and known.get(p) == d]
    for path in unchanged:
        del files[path]
    publish(options.output, files, plan.copies, manifest, Previous(plan.before, build_id))
    cache.meta[_output_key(options.output)] = (build_id, manifest, digests, plan.groups)
    return {}


def content_digests(
    output: Path,
    made: Mapping[str, str],
    copies: Mapping[str, Path],
    manifest: Mapping[str, str],
    before: Mapping[str, str],
    known: Mapping[str, str],
) -> dict[str, str]:
    """Hash every output file: made now, else known from the last build if unchanged, else read.

    The build id is made of these, not of the fingerprints, so the marker file is the same on
    every machine for the same site (fingerprints hold paths, times and SOURCE_DATE_EPOCH).
    """

    def digest(path: str) -> str:
        if path in made:
            return made[path]
        if path in known and before.get(path) == manifest[path]:
            return known[path]
        data = copies[path].read_bytes() if path in copies else (output / path).read_bytes()
        return digest_bytes(data)

    return {path: digest(path) for path in sorted(manifest)}


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


@dataclass(frozen=True)
class Inputs:
    """Everything a build reads, hashed: whole, and with the content's Markdown files apart."""

    digest: str
    """Hash of it all: equal to the last build's, with the output untouched, nothing differs."""
    frame: str
    """Hash of it all but the bytes of the content's Markdown files (their names are in it)."""
    markdown: dict[str, str]
    """Hash of each Markdown file's bytes, by its path relative to the content folder."""


def input_digest(options: BuildOptions, cache: BuildCache, known: FileDigests) -> Inputs:
    """Hash everything a build reads: content, theme, options and the generator's own code.

    A file whose size, times and inode are those recorded at the last build is not read again;
    `known` keeps each file's hash for the rest of the build.
    """
    settings = [repr((options.content_display, options.drafts, options.base_url))]
    settings.append(repr((options.search_index, str(options.output), options.pdf)))
    settings.append(os.environ.get("SOURCE_DATE_EPOCH", ""))
    parts: list[str | bytes] = [*settings]
    frame: list[str | bytes] = [*settings]
    markdown: dict[str, str] = {}
    theme = options.theme
    for folder in (options.content, *theme.template_dirs, *theme.asset_dirs, *theme.message_dirs):
        parts.append(str(folder))
        frame.append(str(folder))
        for rel, value in _folder_parts(folder, known):
            parts += [rel, value]
            frame.append(rel)
            if folder is options.content and rel.endswith(".md") and isinstance(value, str):
                markdown[rel] = value
            else:
                frame.append(value)
    if known.now != known.known:
        cache.meta[FILE_DIGESTS_KEY] = known.now
    return Inputs(key("inputs", *parts), key("frame", *frame), markdown)


FILE_DIGESTS_KEY = "file-digests"
"""The cache's name for what each source file's bytes hashed to, by path and stat."""


class FileDigests:
    """Content hashes of files, reused while a file's stat is what it was when it was hashed."""

    def __init__(self, known: Mapping[str, tuple[tuple[int, ...], str]]) -> None:
        self.known = known
        """Hashes of earlier builds, by path, with the stat the file had then."""
        self.now: dict[str, tuple[tuple[int, ...], str]] = {}
        """Hashes to remember for the next build (a file changed too recently is left out)."""
        self.hashed: dict[str, str] = {}
        """Every hash of this build, by path."""
        self.read: dict[str, tuple[bytes, str]] = {}
        """Bytes read to hash them, until taken: a caller parses what was hashed."""

    def digest(self, path: str) -> str:
        """Return the hash of a file's bytes, read only when its stat changed.

        A file is hashed once per build: the stages that read it later get the same hash, and
        the parser checks that the bytes it reads are the bytes that were hashed.
        """
        if path in self.hashed:
            return self.hashed[path]
        signature = file_signature(path)
        stored = self.known.get(path)
        if signature is not None and stored is not None and stored[0] == signature:
            self.now[path] = stored
            self.hashed[path] = stored[1]
            return stored[1]
        data = Path(path).read_bytes()
        digest = self.hashed[path] = source_digest(data)
        self.read[path] = (data, digest)
        if signature is not None:
            self.now[path] = (signature, digest)
        return digest


def _folder_parts(folder: Path, known: FileDigests) -> Iterator[tuple[str, str | bytes]]:
    """Yield every file's relative path and hash (a symlink's target as bytes) in a folder."""
    for rel, kind, _ in walk_files(folder, everything=True):
        path = os.path.join(folder, rel)
        if kind in (SPECIAL, UNLISTABLE):  # never read (a FIFO waits forever): reported
            yield rel, kind.encode()
            continue
        try:
            yield rel, os.fsencode(os.readlink(path)) if kind == LINK else known.digest(path)
        except OSError as exc:  # gone or unreadable: reading it reports it, located, if it matters
            yield rel, f"unreadable: {exc.strerror}".encode()


def unchanged_output(options: BuildOptions, cache: BuildCache, inputs: str) -> BuildResult | None:
    """Return the last build's result when its inputs are the same and the output untouched."""
    if options.output is None:
        return None
    stored = cache.meta.get(_inputs_key(options.output))
    output = cache.meta.get(_output_key(options.output))
    if not stored or not output or stored[0] != inputs or read_marker(options.output) != output[0]:
        return None
    manifest, counts, warnings = output[1], stored[1], stored[2] if len(stored) > 2 else []
    if len(present_files(options.output, manifest)) != len(manifest):
        return None  # someone deleted files by hand: make them again
    return BuildResult(None, {}, {}, manifest, counts=counts, warnings=tuple(warnings))


def _inputs_key(output: Path) -> str:
    """Return the cache's name for the inputs digest of the build that made an output."""
    return f"inputs:{output.resolve()}"


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


def read_config(content: Path, shown: str, base_url: str | None, memo: Memo) -> ConfigLoaded:
    """Read and check site.yml; `--base-url` replaces its base_url."""
    display = display_path(shown, SITE_CONFIG)
    data, errors = read_settings(content / SITE_CONFIG, display)
    if errors:
        return None, errors
    return memoised(memo, "checked", check_config, data, display, base_url)


def read_people(content: Path, shown: str, memo: Memo) -> PeopleLoaded:
    """Read and check authors.yml, if there is one."""
    display = display_path(shown, AUTHORS_FILE)
    data, errors = read_settings(content / AUTHORS_FILE, display)
    if errors:
        return {}, errors
    return memoised(memo, "checked", check_people, data, display)


def theme_links(theme: Theme) -> list[ContentError]:
    """Refuse symbolic links in templates/ and assets/ (Jinja would follow them anywhere),
    special files (reading one can wait forever) and folders that cannot be listed."""
    return [
        entry_error(os.path.relpath(folder / entry.rel), entry, "theme folders")
        for folder in (*theme.template_dirs, *theme.asset_dirs)
        if folder.is_dir()
        for entry in odd_entries(folder)
    ]


def read_documents(
    sources: Sources, paths: tuple[str, ...], cache: BuildCache, known: FileDigests
) -> tuple[list[Parsed], list[ContentError]]:
    """Know each file by the hash of its bytes; parse it only if it must be checked again.

    A file whose stat is as it was when it was last hashed is not read at all; one that must be
    checked again has its front matter recalled from the cache by that hash (YAML parsed once per
    version of a file).
    """
    parsed, errors = [], []
    root = str(sources.root)  # joined as strings: pathlib costs more than the rest per file
    for rel in paths:
        try:
            digest = known.digest(os.path.join(root, rel))
        except OSError as exc:
            errors.append(unreadable(sources.display(rel), exc))
            continue
        entry_key = source_key(sources.display(rel), digest)
        parsed.append(
            Parsed(rel, entry_key, partial(_document, sources, rel, entry_key, known, cache))
        )
    # Unread, the parsed front matter is still wanted: the next change to authors.yml needs it.
    cache.keep("sources", [p.digest for p in parsed])
    return parsed, errors


def _document(
    sources: Sources, rel: str, entry_key: str, known: FileDigests, cache: BuildCache
) -> Document | ContentError:
    """Return a file's front matter and body, recalled by the hash of its bytes or parsed."""
    outcome = cache.get("sources", entry_key)
    if outcome is None:
        outcome, lasting = _parse_file(sources, rel, entry_key, known)
        if lasting:
            cache.put("sources", entry_key, outcome)
    assert isinstance(outcome, Document | ContentError)
    return outcome


def _parse_file(
    sources: Sources, rel: str, entry_key: str, known: FileDigests
) -> tuple[Document | ContentError, bool]:
    """Parse the bytes that were hashed to `entry_key`; say whether the outcome may be kept."""
    path = os.path.join(sources.root, rel)  # as read_documents named it when hashing it
    display = sources.display(rel)
    if path in known.read:
        data, _ = known.read.pop(path)
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            return unreadable(sources.display(rel), exc), False
        digest = source_digest(data)
        if source_key(sources.display(rel), digest) != entry_key:
            return ContentError(display, 0, FILE_CHANGED), False
    try:
        return parse(display, data), True
    except FrontMatterError as exc:
        return ContentError(display, exc.line, exc.message), True


def theme_assets(theme: Theme) -> dict[str, Path]:
    """Return the theme's asset files by name; a site's own assets override the theme's."""
    assets: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                    assets[path.relative_to(folder).as_posix()] = path
    return dict(sorted(assets.items()))


def copied_files(
    options: BuildOptions, site: Site, generated: Mapping[str, Path]
) -> dict[str, Path]:
    """Return every file copied as it is: theme assets, resized images, the content's files."""
    content = {rel: site.static_source(options.content, rel) for rel in site.static_files}
    return {**generated, **content}


def _refuse_collisions(options: BuildOptions, site: Site, generated: set[str]) -> None:
    """Refuse a content file at a path the site generates: it must not replace a page or asset."""
    message = "the site generates a file at this path (rename or move this file)"
    clashes = [rel for rel in site.static_files if rel in generated]
    raise_if_any(
        [ContentError(display_path(options.content_display, rel), 0, message) for rel in clashes]
    )


def fingerprint_pages(
    groups: list[Group],
    site: Site,
    theme_version: str,
    known: Mapping[str, GroupRecord],
    before: Mapping[str, str],
) -> tuple[list[Page], dict[str, str], dict[str, GroupRecord]]:
    """Fingerprint every page by its inputs; return the pages made, the fingerprints, the groups.

    A group whose inputs are those of the last build, with all its files still in the output,
    keeps their fingerprints without making its pages.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")  # feeds fall back on it when nothing is dated
    site_digest = key("site", repr(site.config), theme_version, epoch)
    printer = Fingerprinter(site_digest)
    made: list[Page] = []
    manifest: dict[str, str] = {}
    records: dict[str, GroupRecord] = {}
    for group in groups:
        digest = printer.group(group.inputs) if group.inputs is not None else ""
        record = known.get(group.name)
        if _unchanged(digest, record, before):
            assert record is not None
            manifest.update((path, before[path]) for path in record[1])
            records[group.name] = record
            continue
        group_pages = list(group.make())
        fingerprints = {urls.output_file(p.path): printer.page(p) for p in group_pages}
        made.extend(group_pages)
        manifest.update(fingerprints)
        if digest:
            records[group.name] = (digest, tuple(fingerprints))
    return made, manifest, records


def _unchanged(digest: str, record: GroupRecord | None, before: Mapping[str, str]) -> bool:
    """Return True when a group's inputs are the last build's and its files are all there."""
    if not digest or record is None or record[0] != digest:
        return False
    return all(map(before.__contains__, record[1]))


def fingerprint_copies(copies: Mapping[str, Path]) -> dict[str, str]:
    """Return the fingerprint of every copied file, by its path and stat."""
    manifest = {}
    for rel, path in copies.items():
        stat = os.stat(path)
        manifest[rel] = key("copy", str(path), str(stat.st_size), str(stat.st_mtime_ns))
    return manifest


def previous_manifest(
    options: BuildOptions, cache: BuildCache, previous: BuildResult | None
) -> tuple[dict[str, str], dict[str, GroupRecord]]:
    """Return what the output already holds, by fingerprint, and the groups of the build that
    made it; both empty when the output cannot be trusted."""
    if options.output is None:
        return (previous.manifest, previous.groups) if previous is not None else ({}, {})
    stored = cache.meta.get(_output_key(options.output))
    if not stored or read_marker(options.output) != stored[0]:
        return {}, {}  # the output changed behind our back (or never existed): rebuild it whole
    manifest: dict[str, str] = stored[1]
    groups: dict[str, GroupRecord] = stored[3] if len(stored) > 3 else {}
    # Someone may have deleted files by hand: those are made again.
    present = present_files(options.output, manifest)
    return {path: fp for path, fp in manifest.items() if path in present}, groups


def present_files(folder: Path, paths: Iterable[str]) -> set[str]:
    """Return which of these paths, relative to a folder, are files there.

    Each is looked up from the folder itself, not by its whole path: a third faster over the
    32,000 files of a 10,000-essay site, checked on every build.
    """
    if os.stat not in os.supports_dir_fd:
        return {path for path in paths if os.path.isfile(os.path.join(folder, path))}
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return set()
    try:
        return {path for path in paths if _is_file(path, handle)}
    finally:
        os.close(handle)


def _is_file(path: str, folder: int) -> bool:
    """Return True when a path, relative to an open folder, is a file (after links, as isfile)."""
    try:
        return stat.S_ISREG(os.stat(path, dir_fd=folder).st_mode)
    except (OSError, ValueError):
        return False


def _changed(path: str, manifest: Mapping[str, str], before: Mapping[str, str]) -> bool:
    """Return True when an output file must be made again."""
    return before.get(path) != manifest[path]


def _output_key(output: Path) -> str:
    """Return the cache's name for the manifest of an output folder."""
    return f"output:{output.resolve()}"


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


def _complete_in_memory(
    files: dict[str, bytes], manifest: Mapping[str, str], previous: BuildResult | None
) -> dict[str, bytes]:
    """Return every rendered file: the new ones, and the unchanged ones from the last build."""
    if previous is None:
        return files
    kept = {path: body for path, body in previous.files.items() if path in manifest}
    return {**kept, **files}
