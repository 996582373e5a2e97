"""Reading and converting the content with the cache's help, and remembering the build."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from roundtable.content.read import read_site
from roundtable.errors import BuildFailed, ContentError
from roundtable.incremental.bodies import convert
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.inputs import FileDigests, Inputs, inputs_key
from roundtable.incremental.reading import FileBodies, remembered_reading
from roundtable.model import Essay, Image, Roundtable, Site
from roundtable.render.i18n import table_labels
from roundtable.render.images import content_pictures, with_variants
from roundtable.render.theme import theme_links

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


class MadeSite(NamedTuple):
    """The site a build renders, converted, with its pictures and the mistakes met making it."""

    site: Site
    """The site, every body converted."""
    pictures: dict[str, Image]
    """The content's pictures, measured, with their resized copies."""
    errors: tuple[ContentError, ...] = ()
    """Mistakes in Markdown files: the site is made without the files that have them
    (`Site.left_out`), so that the build can go on to find every other mistake before it stops."""


def made_site(
    options: BuildOptions,
    cache: BuildCache,
    hashed: FileDigests,
    inputs: Inputs | None,
    workers: int,
    theme_version: str,
) -> MadeSite:
    """Find, read, assemble and convert the content. A mistake outside the Markdown files
    (site.yml, authors.yml, the folders) stops the build here, with every such mistake found.

    Once checked, a build kept on disk lets go of the files it parsed (200 MB at 10,000 essays):
    each body is read again from its file by the worker that converts it, and by anything
    else that wants it (a PDF looks for pictures).
    """
    site, errors = read_site(options, remembered_reading(cache, hashed))
    errors += theme_links(options.theme)
    if any(not error.path.endswith(".md") for error in errors):
        raise BuildFailed(errors)
    pictures = content_pictures(site, options.content)
    labels = table_labels(options.theme.message_dirs, site, theme_version)
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    if inputs is not None and cache.set_aside("sources"):
        bodies = FileBodies(options.content, options.content_display, inputs.markdown)
        bodies.unload(items)
    try:
        site = convert(with_variants(site), cache, workers, pictures, labels)
    except BuildFailed as failed:  # a body that would render far too large: with the rest
        raise BuildFailed([*errors, *failed.errors]) from None
    return MadeSite(site, pictures, tuple(errors))


def remember(
    options: BuildOptions,
    cache: BuildCache,
    made: MadeSite,
    inputs: Inputs | None,
    warnings: list[ContentError],
) -> None:
    """Keep what the next build starts from: this build's inputs, counts and warnings (for a
    build that finds nothing changed), and the cache's new entries."""
    if options.output is not None:
        counts = (len(made.site.roundtables), len(made.site.essays))
        digest = inputs.digest if inputs else ""
        cache.meta[inputs_key(options.output)] = (digest, counts, warnings)
    cache.save()
