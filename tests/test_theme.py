"""The theme as a build reads it (render/theme.py), called with folders: a theme in, its assets,
their hashes, its version and its mistakes out."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers.site import REPO

from roundtable.commands.cli import theme_for
from roundtable.render.pages import Theme, hash_bytes
from roundtable.render.theme import image_folder, read_theme, theme_assets, theme_links

LINK = "symbolic links are not allowed in theme folders (replace the link with the real file)"


def write(root: Path, files: dict[str, str]) -> Path:
    """Write each file under `root`; return `root`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def two_layers(tmp_path: Path) -> Theme:
    """A site's own templates, assets and messages over a default theme's."""
    default = write(
        tmp_path / "default",
        {
            "templates/base.html": "<html>{% block body %}{% endblock %}</html>",
            "assets/style.css": "body { color: black }",
            "assets/favicon.svg": "<svg/>",
            "messages/en.yml": "home: Home\n",
        },
    )
    site = write(
        tmp_path / "site",
        {"assets/style.css": "body { color: navy }", "assets/fonts/serif.woff2": "font"},
    )
    return Theme(
        (site / "templates", default / "templates"),
        (site / "assets", default / "assets"),
        tmp_path,
        (site / "messages", default / "messages"),
    )


def test_a_sites_own_asset_overrides_the_themes_of_the_same_name(tmp_path: Path) -> None:
    theme = two_layers(tmp_path)
    assert theme_assets(theme) == {
        "favicon.svg": tmp_path / "default/assets/favicon.svg",
        "fonts/serif.woff2": tmp_path / "site/assets/fonts/serif.woff2",
        "style.css": tmp_path / "site/assets/style.css",
    }


def test_hidden_files_and_links_are_never_assets(tmp_path: Path) -> None:
    theme = two_layers(tmp_path)
    write(tmp_path / "outside", {"secret.txt": "key"})
    write(tmp_path / "site/assets", {".DS_Store": "", "fonts/.notes": ""})
    (tmp_path / "site/assets/secret.txt").symlink_to(tmp_path / "outside/secret.txt")
    (tmp_path / "site/assets/more").symlink_to(tmp_path / "outside")
    assert list(theme_assets(theme)) == ["favicon.svg", "fonts/serif.woff2", "style.css"]


def test_each_asset_is_hashed_by_the_bytes_a_build_publishes(tmp_path: Path) -> None:
    read = read_theme(two_layers(tmp_path))
    assert read.asset_hashes == {
        name: hash_bytes(path.read_bytes()) for name, path in read.assets.items()
    }
    assert read.asset_hashes["style.css"] == hash_bytes(b"body { color: navy }")
    assert len(read.asset_hashes["style.css"]) == 10


@pytest.mark.parametrize(
    "edit",
    [
        "site/templates/base.html",  # a template of the site's own, over the theme's
        "default/templates/essay.html",  # a template added
        "default/messages/en.yml",  # a word
        "site/messages/es.yml",  # a language
        "site/assets/style.css",  # an asset
    ],
)
def test_the_version_changes_with_any_file_of_the_theme(tmp_path: Path, edit: str) -> None:
    theme = two_layers(tmp_path)
    before = read_theme(theme).version
    assert read_theme(theme).version == before, "the same files give the same version"
    write(tmp_path, {edit: "edited: {{ site.title }}"})
    assert read_theme(theme).version != before


def test_the_version_names_files_by_their_place_in_the_theme_not_on_disk(tmp_path: Path) -> None:
    here = two_layers(tmp_path / "here")
    there = two_layers(tmp_path / "there")
    assert read_theme(here).version == read_theme(there).version
    base = tmp_path / "there/default/templates/base.html"
    base.rename(base.with_name("page.html"))  # the same bytes under another name
    assert read_theme(here).version != read_theme(there).version


def test_links_and_fifos_in_theme_folders_are_located_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = {"content/site.yml": "", "templates/essay.html": "", "assets/site.css": ""}
    project = write(tmp_path / "project", own)
    monkeypatch.chdir(project)
    theme = theme_for(project / "content")
    assert theme_links(theme) == [], "the default theme, and a site's own files, are fine"
    write(tmp_path, {"secret.txt": "key"})
    (project / "templates/404.html").symlink_to(tmp_path / "secret.txt")
    (project / "templates/partials").mkdir()
    (project / "templates/partials/nav.html").symlink_to("../essay.html")
    (project / "assets/missing.css").symlink_to(project / "assets/gone.css")
    os.mkfifo(project / "assets/pipe.js")
    assert [str(error) for error in theme_links(theme)] == [
        f"templates/404.html: {LINK}",
        f"templates/partials/nav.html: {LINK}",
        f"assets/missing.css: {LINK}",
        "assets/pipe.js: is not a regular file (a FIFO, device or socket, which a build would "
        "wait on forever; remove it)",
    ]
    assert "missing.css" not in theme_assets(theme) and "pipe.js" not in theme_assets(theme)


def test_the_default_theme_has_no_link_and_every_asset_it_ships() -> None:
    theme = theme_for(REPO / "content")
    assert theme_links(theme) == []
    shipped = [p for p in (REPO / "assets").rglob("*") if p.is_file()]
    assert list(theme_assets(theme)) == sorted(
        p.relative_to(REPO / "assets").as_posix() for p in shipped
    )


def test_resized_images_live_in_the_cache_or_in_a_private_folder_removed_after(
    tmp_path: Path,
) -> None:
    with image_folder(tmp_path / "cache") as kept:
        assert kept == tmp_path / "cache/images"
    with image_folder(None) as folder:
        assert folder.is_dir() and not any(folder.iterdir())
        assert folder.stat().st_mode & 0o777 == 0o700, "no one else may plant a picture here"
        shutil.copy(REPO / "assets/favicon.svg", folder / "made.svg")
    assert not folder.exists()
