"""Starting from the last build's site: recall it with only the changed bodies converted
again, and save what the next build starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from roundtable.incremental.inputs import FileDigests, Inputs
from roundtable.render.i18n import table_labels

if TYPE_CHECKING:
    from roundtable.pipeline import BuildOptions

from typing import NamedTuple

from roundtable.incremental import snapshot
from roundtable.incremental.cache import (
    BuildCache,
)
from roundtable.model import Image, Site
from roundtable.render.convert import convert_items
from roundtable.render.images import (
    content_pictures,
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
    labels = table_labels(options.theme.message_dirs, site, theme_version)
    fresh = snapshot.with_new_bodies(last, now, changed)
    converted = convert_items(site, fresh, cache, workers, pictures, labels)
    site = snapshot.spliced(site, converted)
    return Made(site, pictures, last.summarised, last.fronts, recalled=True)


def save_for_next_build(
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
