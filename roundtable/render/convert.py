"""Convert every Markdown body in the site to HTML; fill summaries from first paragraphs.

A body's HTML depends on its text, its page, the site's raw-HTML setting and the content files
its relative links name (`Rendered.lookups`). Bodies are converted on every core when there are
enough of them. This stage knows nothing of earlier builds: incremental/bodies.py reuses the
HTML of bodies converted before, and hands this module only the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from roundtable import urls
from roundtable.errors import BuildFailed, ContentError
from roundtable.model import Essay, Html, Image, Roundtable, Site, Text, evolve
from roundtable.render.images import describe
from roundtable.render.markdown import DEFAULT_TABLE_LABEL, IMAGE_KEY, Rendered, TooLarge, render
from roundtable.workers import map_in_workers

PARALLEL_FROM = 48
"""Fewer bodies than this convert faster in one process than a pool can start."""


@dataclass(frozen=True)
class Job:
    """One body to convert, with the names that its HTML depends on."""

    body: Text
    """The Markdown, read only when the body is converted (from its file, by the worker that
    converts it)."""
    source: str
    page: str
    table_label: str


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
    workers: int = 1,
    pictures: Mapping[str, Image] = {},
    table_labels: Mapping[str, str] = {},
) -> Site:
    """Return the site with every body rendered to HTML.

    `table_labels` names tables for screen readers, by language ('Tabla {number}').
    """
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    jobs = [job_of(site, item, table_labels) for item in items]
    targets = link_targets(site, pictures)
    converted = converted_bodies(items, jobs, targets, site.config.allow_html, workers)
    return with_converted(site, [with_html(i, *c) for i, c in zip(items, converted, strict=True)])


def with_converted(site: Site, converted: list[Essay | Roundtable]) -> Site:
    """Return the site with its roundtables and essays replaced by these, in this order."""
    roundtables = tuple(c for c in converted if isinstance(c, Roundtable))
    essays = tuple(c for c in converted if isinstance(c, Essay))
    return replace(site, roundtables=roundtables, essays=essays)


def converted_bodies(
    items: list[Essay | Roundtable],
    jobs: list[Job],
    targets: Mapping[str, str],
    allow_html: bool,
    workers: int,
) -> list[tuple[Rendered, bytes]]:
    """Convert the bodies of these jobs (one for each item, in order); stop with a located
    error at a body that would render far larger than it is written."""
    try:
        return _render_all(jobs, targets, allow_html, workers)
    except TooLarge as exc:
        raise BuildFailed([_too_large(items, exc)]) from None


def _too_large(items: list[Essay | Roundtable], exc: TooLarge) -> ContentError:
    """Return the located error of a body that would render far larger than it is written."""
    item = next(item for item in items if item.path == exc.source)
    return ContentError(item.source, item.body_line + exc.line, exc.message)


def job_of(site: Site, item: Essay | Roundtable, table_labels: Mapping[str, str]) -> Job:
    """Return the conversion job of an essay or roundtable."""
    label = table_labels.get(site.language_of(item), DEFAULT_TABLE_LABEL)
    return Job(item.body, item.path, urls.page_of(item), label)


def still_valid(rendered: Rendered, targets: Mapping[str, str]) -> bool:
    """Return True while every content link the body looked up resolves as it did."""
    return all(targets.get(path) == target for path, target in rendered.lookups.items())


def with_html(
    item: Essay | Roundtable,
    rendered: Rendered,
    encoded: bytes | None,
    fetch: Callable[[str], str | bytes] | None = None,
) -> Essay | Roundtable:
    """Return an essay or roundtable with its HTML (as UTF-8 when converted now; otherwise read
    with `fetch` when a page first shows it), and its summary if it had none."""
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
        blank=rendered.blank,
        placeholder_lines=rendered.placeholder_lines,
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
        str(job.body),  # read from its file by the worker
        allow_html=allow_html,
        source=job.source,
        page=job.page,
        targets=targets,
        table_label=job.table_label,
    )
    return replace(rendered, html=""), rendered.html.encode("utf-8")
