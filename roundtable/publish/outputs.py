"""Every output of a build, listed: the pages by group, the files copied as they are, and the
mistakes only the whole list shows (a picture that cannot be shown, a content file where the
site makes a page or asset). A stage: what must be made again is incremental/'s business."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol

from roundtable import urls
from roundtable.content.discover import display_path, unreadable
from roundtable.errors import ContentError
from roundtable.model import Essay, Image, Roundtable, Site
from roundtable.publish import cms, pdf
from roundtable.render.images import hero_images, make_variants, picture_errors
from roundtable.render.pages import Group, page_groups
from roundtable.render.theme import ThemeFiles


class Folders(Protocol):
    """Where the content is (BuildOptions has it), and its name as the user wrote it."""

    @property
    def content(self) -> Path: ...

    @property
    def content_display(self) -> str: ...


@dataclass(frozen=True)
class Outputs:
    """Every output of a build."""

    groups: list[Group]
    """The pages, in groups that change together (a roundtable with its essays, an author)."""
    copies: dict[str, Path]
    """Files copied as they are (assets, content files, resized images), by output path."""
    images_made: int
    """Resized images made for this build (the rest were kept from earlier builds)."""
    errors: list[ContentError]
    """Pictures that cannot be shown, and content files where the site makes a page or asset:
    reported with the site's other mistakes."""


def list_outputs(
    folders: Folders,
    site: Site,
    theme: ThemeFiles,
    images: Path,
    printer: pdf.Printer | None = None,
    pictures: Mapping[str, Image] = {},
) -> Outputs:
    """List every output: the pages by group, and every file copied (resized pictures made)."""
    groups = [
        *page_groups(site, pdfs=printer is not None),
        Group("pdf", None, partial(pdf.pdf_pages, site, printer)),
    ]
    heroes = dict(hero_images(site, folders.content))
    shown = pictures_on_pages(site, pictures)
    in_text = {site.static_source(folders.content, rel): image for rel, image in shown.items()}
    made = make_variants(sorted({**in_text, **heroes}.items()), images)
    errors = picture_errors(site, folders.content, pictures, made.failed)
    generated = {urls.asset(name): path for name, path in theme.assets.items()} | made.files
    generated |= cms.bundle_files() if site.config.cms else {}
    errors += collisions(folders, site, set(generated))
    content = {rel: site.static_source(folders.content, rel) for rel in site.static_files}
    return Outputs(groups, {**content, **generated}, made.count, errors)


def collisions(folders: Folders, site: Site, generated: set[str]) -> list[ContentError]:
    """Refuse a content file at a path the site generates: it must not replace a page or asset."""
    message = "the site generates a file at this path (rename or move this file)"
    clashes = [rel for rel in site.static_files if rel in generated]
    return [ContentError(display_path(folders.content_display, rel), 0, message) for rel in clashes]


def copy_stats(
    copies: Mapping[str, Path],
) -> tuple[dict[str, os.stat_result], dict[str, OSError]]:
    """Return the stat of every file to copy, and why each that cannot be read (gone since the
    content was listed, say) cannot."""
    stats, failed = {}, {}
    for rel, path in copies.items():
        try:
            stats[rel] = os.stat(path)
        except OSError as exc:
            failed[rel] = exc
    return stats, failed


def unreadable_copies(
    folders: Folders, site: Site, copies: Mapping[str, Path], failed: Mapping[str, OSError]
) -> list[ContentError]:
    """Report the files to copy that cannot be read (gone since the content was listed, say),
    each named as the user would: a content file by the content folder's name."""
    return [
        unreadable(
            display_path(folders.content_display, rel)
            if rel in site.static_files
            else str(copies[rel]),
            exc,
        )
        for rel, exc in failed.items()
    ]


def pictures_on_pages(site: Site, pictures: Mapping[str, Image]) -> dict[str, Image]:
    """Return the content's pictures that a body shows: only these are decoded and resized."""
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    shown = {rel for item in items for rel in item.pictures}
    return {rel: image for rel, image in pictures.items() if rel in shown}
