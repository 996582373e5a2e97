"""Listing the outputs (publish/outputs.py), called with values: a site in, every output out.

No earlier build: which outputs must be made again is incremental/outputs.py's, tested
through builds.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from helpers.site import REPO
from helpers.values import essay, site

from roundtable import urls
from roundtable.commands.cli import theme_for
from roundtable.publish.outputs import list_outputs
from roundtable.render.theme import read_theme


class Folders:
    """Where the content is, for the stage."""

    def __init__(self, content: Path) -> None:
        self.content = content
        self.content_display = "content"


def test_every_page_and_file_of_the_site_is_listed(tmp_path: Path) -> None:
    given = site(essay("first"), essay("second"))
    theme = read_theme(theme_for(REPO / "content"))
    outputs = list_outputs(Folders(tmp_path), given, theme, tmp_path / "images")
    pages = {page.path for group in outputs.groups for page in group.make()}
    assert {"essays/first/", "essays/second/", "roundtables/alpha/", ""} <= pages
    assert {urls.asset(name) for name in theme.assets} <= outputs.copies.keys()
    assert outputs.errors == [] and outputs.images_made == 0


def test_a_content_file_where_the_site_makes_an_asset_is_a_mistake(tmp_path: Path) -> None:
    theme = read_theme(theme_for(REPO / "content"))
    taken = urls.asset(next(iter(theme.assets)))
    given = replace(site(essay("first")), static_files=(taken, "notes.txt"))
    outputs = list_outputs(Folders(tmp_path), given, theme, tmp_path / "images")
    assert [str(error) for error in outputs.errors] == [
        f"content/{taken}: the site generates a file at this path (rename or move this file)"
    ]
    assert outputs.copies[taken] != tmp_path / taken  # the asset wins, the mistake is reported
    assert outputs.copies["notes.txt"] == tmp_path / "notes.txt"
