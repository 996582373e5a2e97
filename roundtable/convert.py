"""Convert every Markdown body in the site to HTML; fill summaries from first paragraphs."""

from __future__ import annotations

from dataclasses import replace

from roundtable import urls
from roundtable.markdown import render
from roundtable.model import Essay, Roundtable, Site


def link_targets(site: Site) -> dict[str, str]:
    """Map each content file (relative to content/) to the site path it is published at."""
    targets = {rel: rel for rel in site.static_files}
    targets.update({e.path: urls.page_of(e) for e in site.essays})
    targets.update({r.path: urls.page_of(r) for r in site.roundtables})
    return targets


def convert(site: Site) -> Site:
    """Return the site with every body rendered to HTML."""
    targets = link_targets(site)
    allow_html = site.config.allow_html
    roundtables = tuple(_convert_roundtable(r, targets, allow_html) for r in site.roundtables)
    essays = tuple(_convert_essay(e, targets, allow_html) for e in site.essays)
    return replace(site, roundtables=roundtables, essays=essays)


def _convert_roundtable(
    roundtable: Roundtable, targets: dict[str, str], allow_html: bool
) -> Roundtable:
    """Render a roundtable's introduction."""
    result = render(
        roundtable.body,
        allow_html=allow_html,
        source=roundtable.path,
        page=urls.page_of(roundtable),
        targets=targets,
    )
    return replace(
        roundtable, html=result.html, summary=roundtable.summary or result.first_paragraph
    )


def _convert_essay(essay: Essay, targets: dict[str, str], allow_html: bool) -> Essay:
    """Render an essay's body; its first paragraph is the summary unless one was given."""
    result = render(
        essay.body,
        allow_html=allow_html,
        source=essay.path,
        page=urls.page_of(essay),
        targets=targets,
    )
    return replace(essay, html=result.html, summary=essay.summary or result.first_paragraph)
