from __future__ import annotations

import mimetypes
from pathlib import Path

import pytest

from roundtable import urls
from roundtable.content import served
from roundtable.content.served import HOST_TYPES, active_type, is_active


@pytest.mark.parametrize(
    "mime",
    [
        "text/html",
        "application/xhtml+xml",
        "application/xml",
        "text/xml",
        "image/svg+xml",
        "application/rss+xml",
        "text/javascript; charset=utf-8",
        "Application/JavaScript",
    ],
)
def test_documents_and_scripts_are_active(mime: str) -> None:
    assert is_active(mime)


@pytest.mark.parametrize(
    "mime", ["image/png", "application/pdf", "text/plain", "text/css", "application/json"]
)
def test_pictures_and_data_are_not(mime: str) -> None:
    assert not is_active(mime)


def test_the_host_table_holds_only_active_types() -> None:
    """Its comment promises only the types that matter were copied from the hosts' tables."""
    assert [suffix for suffix, mime in HOST_TYPES.items() if not is_active(mime)] == []
    assert all(suffix == suffix.lower() and suffix.startswith(".") for suffix in HOST_TYPES)


@pytest.mark.parametrize(
    ("name", "served"),
    [
        ("schema.rng", "application/xml"),
        ("SCHEMA.RNG", "application/xml"),
        ("page.html.en", "text/html"),  # no type for .en: Apache serves it as HTML
        ("data.xml.gz", "application/xml"),  # compressed, then opened as XML
        ("talk.es.pdf", None),  # .es is ECMAScript in some tables, but .pdf decides
        ("photo.png", None),
        ("README", None),
    ],
)
def test_a_name_is_served_as_its_last_known_extension(name: str, served: str | None) -> None:
    assert active_type(name) == served


@pytest.mark.parametrize(
    "path",
    [
        "pagefind/pagefind.js",
        "admin/index.html",
        "search/x.txt",
        "essays/some-slug/cite.bib",
        "roundtables/r/r.pdf",
        "authors/a/index.html",
        "images/a.1600w.jpg",
        urls.image_variant("images/b.png", 480, ".webp"),
        urls.citation("x", "ris"),
        urls.pdf(urls.essay("x")),
        urls.feed("x"),
        urls.ROBOTS,
    ],
)
def test_generated_shapes_are_known(path: str) -> None:
    assert urls.is_generated(path)


@pytest.mark.parametrize(
    "path",
    [
        "images/pic.png",
        "essays/x/photo.jpg",
        "roundtables/r/other.pdf",
        "files/cite.bib",
        "a.w.png",
    ],
)
def test_content_paths_are_not_generated(path: str) -> None:
    assert not urls.is_generated(path)


def test_the_machine_s_own_table_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file is refused on every machine: the tables travel with the package."""
    table = tmp_path / "mime.types"
    table.write_text("application/xhtml+xml\tzzz\n")
    monkeypatch.setattr(mimetypes, "knownfiles", [str(table)])
    served._types.cache_clear()
    try:
        assert served.active_type("page.zzz") is None
        assert served.active_type("corpus.tei") == "application/tei+xml"  # Apache's, kept here
    finally:
        served._types.cache_clear()
