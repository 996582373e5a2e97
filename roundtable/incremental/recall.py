"""Starting from the last build's site: recall it with only the changed bodies converted
again, and save what the next build starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from roundtable.errors import BuildFailed, ContentError
from roundtable.incremental import snapshot
from roundtable.incremental.bodies import convert, convert_items
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.inputs import FileDigests, Inputs, inputs_key
from roundtable.incremental.reading import FileBodies, gather_site
from roundtable.model import Essay, Image, Roundtable, Site
from roundtable.render.i18n import table_labels
from roundtable.render.images import content_pictures, with_variants

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


class MadeSite(NamedTuple):
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
    """Find, read, assemble and convert the content; recalled from the last build's site when
    only bodies changed since."""
    last = snapshot.load(cache, options) if inputs else None
    made = None
    if inputs and last:
        made = recalled_site(options, cache, inputs, hashed, last, workers, theme_version)
    if made is None:
        made = converted_site(options, cache, hashed, workers, theme_version, inputs, last)
    return made


def remember(
    options: BuildOptions,
    cache: BuildCache,
    made: MadeSite,
    inputs: Inputs | None,
    warnings: list[ContentError],
) -> None:
    """Keep what the next build starts from: this build's inputs, counts and warnings (for a
    build that finds nothing changed), the cache's new entries and the site's snapshot."""
    if options.output is not None:
        counts = (len(made.site.roundtables), len(made.site.essays))
        digest = inputs.digest if inputs else ""
        cache.meta[inputs_key(options.output)] = (digest, counts, warnings)
    save_for_next_build(options, cache, made, inputs)


def recalled_site(
    options: BuildOptions,
    cache: BuildCache,
    inputs: Inputs,
    hashed: FileDigests,
    last: snapshot.Snapshot,
    workers: int,
    theme_version: str,
) -> MadeSite | None:
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
    labels = table_labels(options.theme.message_dirs, site, theme_version)
    fresh = snapshot.with_new_bodies(last, now, changed)
    converted = convert_items(site, fresh, cache, workers, pictures, labels)
    site = snapshot.spliced(site, converted)
    return MadeSite(site, pictures, last.summarised, last.fronts, recalled=True)


def save_for_next_build(
    options: BuildOptions,
    cache: BuildCache,
    made: MadeSite,
    inputs: Inputs | None,
) -> None:
    """Save the cache's new entries, then the snapshot of this build's site, which counts on
    them (a build kept on disk only)."""
    kept = snapshot.pickled(_snapshot(made, inputs)) if inputs else b""
    # Built from a snapshot, the build read no entry of an unchanged file: it must drop none.
    saved = cache.save(drop_unused=not made.recalled)
    if kept and saved and options.output is not None:
        snapshot.keep(cache, options.output, kept)


def _snapshot(made: MadeSite, inputs: Inputs) -> snapshot.Snapshot:
    """Return what the next build needs to start from this one's site."""
    return snapshot.Snapshot(inputs.frame, inputs.markdown, made.fronts, made.summarised, made.site)


def converted_site(
    options: BuildOptions,
    cache: BuildCache,
    hashed: FileDigests,
    workers: int,
    theme_version: str,
    inputs: Inputs | None = None,
    last: snapshot.Snapshot | None = None,
) -> MadeSite:
    """Read, check and convert the whole content. A mistake outside the Markdown files (site.yml,
    authors.yml, the folders) stops the build here, with every such mistake found.

    Once checked, a build kept on disk lets go of the files it parsed (200 MB at 10,000 essays):
    each body is read again from its file by the worker that converts it, and by anything
    else that wants it (a PDF looks for pictures).
    """
    site, errors = gather_site(options, cache, hashed)
    if any(not error.path.endswith(".md") for error in errors):
        raise BuildFailed(errors)
    pictures = content_pictures(site, options.content)
    labels = table_labels(options.theme.message_dirs, site, theme_version)
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    summarised = frozenset(item.path for item in items if not item.summary)
    fronts = snapshot.known_fronts(site, cache, inputs.markdown, last) if inputs else {}
    if inputs is not None and cache.set_aside("sources"):
        bodies = FileBodies(options.content, options.content_display, inputs.markdown)
        bodies.unload(items)
    try:
        site = convert(with_variants(site), cache, workers, pictures, labels)
    except BuildFailed as failed:  # a body that would render far too large: with the rest
        raise BuildFailed([*errors, *failed.errors]) from None
    return MadeSite(site, pictures, summarised, fronts, errors=tuple(errors))
