"""Hardening, issue 24 classes 1 and 2: content files that would stand in for the site's own
files, or run script on its origin. `build`, `check` and `check --strict` each refuse them with
one located line per file."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.hostile import build, new_project

COMMANDS = [("build",), ("check",), ("check", "--strict")]

GENERATED = [
    "pagefind/pagefind-entry.json",  # the search index, published over the real one before
    "pagefind/fragment/en_forged.pf_fragment",
    "admin/config.yml",  # the content editor's (publish/cms.py)
    "admin/index.png",
    "search/results.json",
    "assets/extra.png",
    "essays/not-yet-written/cite.bib",  # citations of an essay that may come later
    "essays/first/cite.ris",
    "roundtables/alpha/alpha.pdf",  # a PDF, though this build makes none
    "essays/first/first.pdf",
    "images/pic.480w.png",  # the shape of a resized picture
    "images/pic.960w.webp",
    "404.html",
    "robots.txt",
    "sitemap.xml",
]


def run(project: Path, command: tuple[str, ...]) -> tuple[int, list[str]]:
    """Run a command; return its status and its located error lines."""
    result = build(project, *command[1:], command=command[0])
    assert "Traceback" not in result.err, result.err
    return result.status, [line for line in result.error_lines if ": warning: " not in line]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal project, shared: each test adds one file and takes it away."""
    return new_project(tmp_path_factory.mktemp("published") / "proj")


def with_file(project: Path, rel: str, data: bytes) -> Path:
    """Write a content file, making its folders."""
    path = project / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("rel", GENERATED)
def test_a_generated_path_is_refused(project: Path, rel: str, command: tuple[str, ...]) -> None:
    """Class 1: whatever stage makes the path, and whether or not this build makes it."""
    path = with_file(project, rel, b"forged")
    try:
        status, lines = run(project, command)
    finally:
        path.unlink()
    assert status == 1
    assert lines == [
        f"content/{rel}: the site generates, or may generate, a file at this path: a page, "
        "feed, citation, PDF, resized picture, the search index, assets or admin/ (rename or "
        "move this file)"
    ]


XHTML_SCRIPT = (
    b'<?xml version="1.0"?><root><x:script xmlns:x="http://www.w3.org/1999/xhtml">'
    b"alert(document.domain)</x:script></root>"
)
ACTIVE = [
    ("schema.rng", "application/xml"),  # the example: served as XML, ran script
    ("SCHEMA.RNG", "application/xml"),
    ("types.xsd", "application/xml"),
    ("page.xhtml", "application/xhtml+xml"),
    ("page.xht", "application/xhtml+xml"),
    ("formula.mml", "application/mathml+xml"),
    ("data.rdf", "application/rdf+xml"),
    ("news.atom", "application/atom+xml"),
    ("news.rss", "application/rss+xml"),
    ("places.kml", "application/vnd.google-earth.kml+xml"),
    ("slides.smil", "application/smil+xml"),
    ("widget.htc", "text/x-component"),
    ("drawing.svgz", "image/svg+xml"),
    ("page.html.en", "text/html"),  # Apache serves every extension it knows: this is HTML
    ("notes.rng.fr", "application/xml"),
    ("page.xhtml.gz", "application/xhtml+xml"),  # compressed on the wire, then a document
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize(("name", "served"), ACTIVE)
def test_a_file_served_as_an_active_type_is_refused(
    project: Path, name: str, served: str, command: tuple[str, ...]
) -> None:
    """Class 2: refused by what some host serves the file as, not by a list of extensions."""
    path = with_file(project, f"files/{name}", XHTML_SCRIPT)
    try:
        status, lines = run(project, command)
    finally:
        path.unlink()
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith(f"content/files/{name}: a file named like this")
    assert f"is served as {served}, which a browser runs" in lines[0], lines[0]


def test_passive_files_are_published(project: Path) -> None:
    """Documents, data and pictures that no host serves as a page are copied as they are."""
    names = [
        "paper.pdf",
        "data.csv",
        "data.json",
        "notes.txt",
        "refs.bib",
        "v1.2.zip",
        "talk.es.pdf",
    ]
    paths = [with_file(project, f"files/{name}", b"plain") for name in names]
    try:
        status, lines = run(project, ("build",))
        published = sorted(p.name for p in (project / "site/files").iterdir())
    finally:
        for path in paths:
            path.unlink()
    assert (status, lines) == (0, [])
    assert published == sorted(names)
