"""Convert every Markdown body in the site to HTML; fill summaries from first paragraphs.

A body's HTML depends on its text, its page, the site's raw-HTML setting and the content files
its relative links name; cached HTML is reused only while each of those links still resolves to
the same page. Reused HTML is known by its hash and read from the cache only if a page shows it.
Cache misses are converted on every core when there are enough of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial

from roundtable import urls
from roundtable.errors import BuildFailed, ContentError
from roundtable.incremental.cache import BuildCache, key
from roundtable.model import NO_HTML, Essay, Html, Image, Roundtable, Site, Text, evolve
from roundtable.render.images import describe
from roundtable.render.markdown import DEFAULT_TABLE_LABEL, IMAGE_KEY, Rendered, TooLarge, render
from roundtable.workers import map_in_workers

PARALLEL_FROM = 48
"""Fewer misses than this convert faster in one process than a pool can start."""


@dataclass(frozen=True)
class Job:
    """One body to convert, with the names that its HTML depends on."""

    body: Text
    """The Markdown, read only if the body must be converted again (from its file, by the
    worker that converts it, when the build let go of it)."""
    source: str
    page: str
    table_label: str

    def key(self, allow_html: bool) -> str:
        """Return the cache key of the body's HTML: the body is known by its hash."""
        parts = (str(allow_html), self.source, self.page, self.table_label, self.body.digest)
        return key("body", *parts)


def link_targets(site: Site, pictures: Mapping[str, Image] = {}) -> dict[str, str]:
    """Map each content file (relative to content/) to the site path it is published at.

    Pictures also get an entry under IMAGE_KEY: their size and resized copies, for `srcset`.
    """
    targets = {rel: rel for rel in site.static_files}
    targets.update({IMAGE_KEY + rel: describe(image) for rel, image in pictures.items()})
    targets.update({e.path: urls.page_of(e) for e in site.essays})
    targets.update({r.path: urls.page_of(r) for r in site.roundtables})
    return targets


def convert(
    site: Site,
    cache: BuildCache,
    workers: int = 1,
    pictures: Mapping[str, Image] = {},
    table_labels: Mapping[str, str] = {},
) -> Site:
    """Return the site with every body rendered to HTML, reusing cached HTML where still valid.

    `table_labels` names tables for screen readers, by language ('Tabla {number}').
    """
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    converted = convert_items(site, items, cache, workers, pictures, table_labels)
    roundtables = tuple(c for c in converted if isinstance(c, Roundtable))
    essays = tuple(c for c in converted if isinstance(c, Essay))
    return replace(site, roundtables=roundtables, essays=essays)


def convert_items(
    site: Site,
    items: list[Essay | Roundtable],
    cache: BuildCache,
    workers: int = 1,
    pictures: Mapping[str, Image] = {},
    table_labels: Mapping[str, str] = {},
) -> list[Essay | Roundtable]:
    """Return these essays and roundtables of the site with their bodies rendered to HTML."""
    targets = link_targets(site, pictures)
    allow_html = site.config.allow_html
    jobs = [_job(site, item, table_labels) for item in items]
    keys = [job.key(allow_html) for job in jobs]
    cache.prefetch("bodies", keys)
    results: dict[int, Rendered] = {}
    misses = []
    for index, entry_key in enumerate(keys):
        cached = cache.get("bodies", entry_key)
        if isinstance(cached, Rendered) and _still_valid(cached, targets):
            results[index] = cached
        else:
            misses.append(index)
    try:
        fresh = _render_all([jobs[i] for i in misses], targets, allow_html, workers)
    except TooLarge as exc:
        raise BuildFailed([_too_large(items, exc)]) from None
    html: dict[int, bytes] = {}
    for index, (rendered, encoded) in zip(misses, fresh, strict=True):
        cache.put("bodies", keys[index], rendered)
        cache.put("html", rendered.digest, encoded)  # the HTML is kept apart
        results[index], html[index] = rendered, encoded
    cache.keep("html", [r.digest for r in results.values()])
    fetch = partial(cache.fetch, "html")
    return [_with_html(item, results[i], html.get(i), fetch) for i, item in enumerate(items)]


def _too_large(items: list[Essay | Roundtable], exc: TooLarge) -> ContentError:
    """Return the located error of a body that would render far larger than it is written."""
    item = next(item for item in items if item.path == exc.source)
    return ContentError(item.source, item.body_line + exc.line, exc.message)


def html_for_workers(site: Site, cache: BuildCache) -> None:
    """Let worker processes, forked with the site in memory, read each body's HTML themselves.

    With a cache on disk, the HTML is written there and this process lets go of it (140 MB at
    10,000 essays): each worker reads the HTML of the pages it renders. Otherwise every entry
    is read into memory now, as workers cannot read the cache.
    """
    every: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    items = [item for item in every if item.html != NO_HTML]
    if cache.set_aside("html"):
        reader = cache.reader("html")
        for item in items:
            item.html.unload(reader)
    else:
        cache.prefetch("html", [item.html.digest for item in items])


def _job(site: Site, item: Essay | Roundtable, table_labels: Mapping[str, str]) -> Job:
    """Return the conversion job of an essay or roundtable."""
    label = table_labels.get(site.language_of(item), DEFAULT_TABLE_LABEL)
    return Job(item.body, item.path, urls.page_of(item), label)


def _still_valid(rendered: Rendered, targets: Mapping[str, str]) -> bool:
    """Return True while every content link the body looked up resolves as it did."""
    return all(targets.get(path) == target for path, target in rendered.lookups.items())


def _with_html(
    item: Essay | Roundtable,
    rendered: Rendered,
    encoded: bytes | None,
    fetch: Callable[[str], str | bytes],
) -> Essay | Roundtable:
    """Return an essay or roundtable with its HTML (as UTF-8, converted now, or else fetched
    from the cache when a page first shows it), and its summary if it had none."""
    html = Html(rendered.digest, encoded, None if encoded is not None else fetch)
    summary = item.summary or rendered.first_paragraph
    pictures = shown_pictures(rendered)
    return evolve(
        item,
        html=html,
        summary=summary,
        pictures=pictures,
        links=rendered.links,
        raw_html=rendered.raw_html,
    )


def shown_pictures(rendered: Rendered) -> tuple[str, ...]:
    """Return the content paths a body shows as pictures (whether or not they are files)."""
    prefix = len(IMAGE_KEY)
    return tuple(sorted(path[prefix:] for path in rendered.lookups if path.startswith(IMAGE_KEY)))


def _render_all(
    jobs: list[Job], targets: Mapping[str, str], allow_html: bool, workers: int
) -> list[tuple[Rendered, bytes]]:
    """Convert bodies, on every core when there are enough of them; return each without its
    HTML, and the HTML as UTF-8."""
    # Workers are forked with the jobs and take them by index: a job sent would carry its body.
    state: ConvertState = (jobs, targets, allow_html)
    indexes = list(range(len(jobs)))
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        return map_in_workers(_render_job, indexes, workers, state)
    return [_render_job(index, state) for index in indexes]


ConvertState = tuple[list[Job], Mapping[str, str], bool]
"""What every conversion shares: the jobs, the content's link targets, the raw-HTML setting."""


def _render_job(index: int, state: ConvertState) -> tuple[Rendered, bytes]:
    """Convert the body of the job at an index (runs in a worker process); return it without
    its HTML, and the HTML as UTF-8 (half the memory of a Python string with typographic
    quotes, and quicker to send)."""
    jobs, targets, allow_html = state
    job = jobs[index]
    rendered = render(
        str(job.body),  # read from its file by the worker, when the build let go of it
        allow_html=allow_html,
        source=job.source,
        page=job.page,
        targets=targets,
        table_label=job.table_label,
    )
    return replace(rendered, html=""), rendered.html.encode("utf-8")
