"""The reading stage (content/read.py), called with folders and no cache: the plain way.

A build reads through incremental/, which remembers parsing and checking between builds;
`read_site` called with the default `Reading` must make the same site and the same mistakes
with nothing remembered.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.site import FIXTURES

from roundtable.content.read import read_site
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.inputs import FileDigests
from roundtable.incremental.reading import remembered_reading
from roundtable.model import Essay, Roundtable, Site


@dataclass(frozen=True)
class Folders:
    """What the stage reads."""

    content: Path
    content_display: str = "content"
    base_url: str | None = None
    drafts: bool = False


def shown(site: Site) -> list[tuple[str, str, str, str]]:
    """Return what readers see of each item: path, title, body, roundtable."""
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    return [
        (item.path, item.title, str(item.body), getattr(item, "roundtable", "")) for item in items
    ]


def remembered(folders: Folders, cache: BuildCache) -> tuple[Site, list[str]]:
    """Read as a build does, remembering in `cache`."""
    site, errors = read_site(folders, remembered_reading(cache, FileDigests({})))
    return site, sorted(map(str, errors))


def test_the_plain_way_reads_the_site_a_build_reads(tmp_path: Path) -> None:
    folders = Folders(FIXTURES / "minimal" / "content")
    site, errors = read_site(folders)
    assert errors == []
    assert sorted(e.slug for e in site.essays) == ["first", "pictured", "second", "third"]
    assert site.left_out == ()
    cached, cached_errors = remembered(folders, BuildCache(None))
    assert cached_errors == []
    assert shown(site) == shown(cached)
    assert site.authors == cached.authors and site.topics == cached.topics


def test_drafts_are_read_when_asked_for() -> None:
    folders = Folders(FIXTURES / "minimal" / "content", drafts=True)
    assert "zeta-draft" in [e.slug for e in read_site(folders)[0].essays]


@pytest.mark.parametrize(
    "case",
    ["many-errors", "yaml-syntax", "unclosed-front-matter", "invalid-utf8", "duplicate-slug"],
)
def test_every_mistake_is_found_the_plain_way_as_a_build_finds_it(case: str) -> None:
    folders = Folders(FIXTURES / "broken" / case / "content")
    site, errors = read_site(folders)
    assert errors, "a broken site reads with mistakes"
    assert sorted(map(str, errors)) == remembered(folders, BuildCache(None))[1]
    assert site.left_out, "the files with mistakes are left out, the rest is read"


def test_base_url_replaces_site_yml() -> None:
    folders = Folders(FIXTURES / "minimal" / "content", base_url="https://example.org/x/")
    assert read_site(folders)[0].config.base_url == "https://example.org/x/"
