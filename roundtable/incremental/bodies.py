"""The Markdown stage, remembered: a body's HTML is reused while what it was made from holds.

A body's HTML is known by the hash of exactly what its conversion was given (the raw-HTML
setting, its file, its page, its table label, its text) and stays valid while every content
link it looked up still resolves to the same page. Only the rest is handed to the stage
(render/convert.py). Reused HTML is known by its hash and read from the cache only when a page
shows it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from roundtable.incremental.cache import BuildCache, key
from roundtable.model import Essay, Image, Roundtable, Site
from roundtable.render.convert import (
    converted_bodies,
    job_of,
    link_targets,
    still_valid,
    with_converted,
    with_html,
)
from roundtable.render.markdown import Rendered


def convert(
    site: Site,
    cache: BuildCache,
    workers: int = 1,
    pictures: Mapping[str, Image] = {},
    table_labels: Mapping[str, str] = {},
) -> Site:
    """Return the site with every body rendered to HTML, reusing remembered HTML where valid."""
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    targets = link_targets(site, pictures)
    allow_html = site.config.allow_html
    jobs = [job_of(site, item, table_labels) for item in items]
    keys = [
        key("body", str(allow_html), j.source, j.page, j.table_label, j.body.digest) for j in jobs
    ]
    results: dict[int, Rendered] = {}
    misses = []
    for index, entry_key in enumerate(keys):
        cached = cache.get("bodies", entry_key)
        if isinstance(cached, Rendered) and still_valid(cached, targets):
            results[index] = cached
        else:
            misses.append(index)
    missed = [items[i] for i in misses]
    fresh = converted_bodies(missed, [jobs[i] for i in misses], targets, allow_html, workers)
    html: dict[int, bytes] = {}
    for index, (rendered, encoded) in zip(misses, fresh, strict=True):
        cache.put("bodies", keys[index], rendered)
        cache.put("html", rendered.digest, encoded)  # the HTML is kept apart
        results[index], html[index] = rendered, encoded
    cache.keep("html", [r.digest for r in results.values()])
    if cache.write_new():
        html = {}  # each page reads its body's HTML back, in whichever process renders it
    fetch = partial(cache.fetch, "html")
    converted = [with_html(item, results[i], html.get(i), fetch) for i, item in enumerate(items)]
    return with_converted(site, converted)
