"""Finding the content (content/discover.py), called with folders: files in, files by kind out.

Nothing is parsed: the stage only says which files there are, what kind each is, and which
entries a build must refuse (links, FIFOs) rather than follow, read or skip.
"""

from __future__ import annotations

import errno
import os
import unicodedata
from pathlib import Path

from roundtable.content.discover import (
    SPECIAL,
    discover,
    display_path,
    read_settings,
    walk_files,
)

LINK_MESSAGE = (
    "symbolic links are not allowed in the content folder (replace the link with the real file)"
)


def write(root: Path, *names: str) -> Path:
    """Write a small file at each name under `root`; return `root`."""
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    return root


def found(root: Path) -> list[str]:
    """Return every path the stage lists under `root`, of any kind."""
    sources, _ = discover(root, "content")
    return [*sources.roundtables, *sources.essays, *sources.static]


def test_files_are_sorted_into_roundtables_essays_and_static_files(tmp_path: Path) -> None:
    content = write(
        tmp_path / "content",
        "site.yml",
        "authors.yml",
        "roundtables/beta.md",
        "roundtables/alpha.md",
        "roundtables/notes/aside.md",
        "essays/b.md",
        "essays/a.md",
        "about.md",
        "images/pic.png",
        "roundtables/cover.png",
    )
    sources, errors = discover(content, "content")
    assert errors == []
    assert sources.roundtables == ("roundtables/alpha.md", "roundtables/beta.md")
    # Only a file directly in roundtables/ is a roundtable; any other Markdown is an essay.
    assert sources.essays == (
        "about.md",
        "essays/a.md",
        "essays/b.md",
        "roundtables/notes/aside.md",
    )
    assert sources.static == ("images/pic.png", "roundtables/cover.png")  # settings are neither


def test_hidden_files_and_editor_litter_are_never_found(tmp_path: Path) -> None:
    litter = [
        ".DS_Store",
        ".git/config",
        "essays/.first.md.swp",
        "essays/first.md~",
        "essays/.#first.md",
        "essays/#first.md#",
        "essays/first.md___jb_tmp___",
        "essays/first.md.orig",
        "essays/4913",
        "images/pic.png.crswap",
    ]
    content = write(tmp_path / "content", "essays/first.md", "essays/v1.2.notes.md", *litter)
    assert found(content) == ["essays/first.md", "essays/v1.2.notes.md"]
    everything = [entry.rel for entry in walk_files(content, everything=True)]
    assert set(litter) <= set(everything), "asked for everything, the walk hides nothing"


def test_links_are_errors_and_never_followed_out_of_the_folder(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", "secret.md", "deep/more.md")
    content = write(tmp_path / "content", "essays/first.md", "images/pic.png")
    (content / "essays/leak.md").symlink_to(outside / "secret.md")
    (content / "elsewhere").symlink_to(outside)
    (content / "images/alias.png").symlink_to("pic.png")  # even one that stays inside
    (content / "essays/gone.md").symlink_to(tmp_path / "nothing-here.md")
    (content / "loop").symlink_to(".")
    sources, errors = discover(content, "./content/")
    assert [*sources.essays, *sources.static] == ["essays/first.md", "images/pic.png"]
    assert [(e.path, e.line, e.message) for e in errors] == [
        (f"content/{rel}", 0, LINK_MESSAGE)
        for rel in ("elsewhere", "essays/gone.md", "essays/leak.md", "images/alias.png", "loop")
    ]


def test_a_fifo_is_a_special_file_reported_and_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO waits for a writer that never comes: the build would hang."""
    content = write(tmp_path / "content", "essays/first.md")
    os.mkfifo(content / "essays/pipe.md")
    os.mkfifo(content / "site.yml")
    sources, errors = discover(content, "content")
    assert sources.essays == ("essays/first.md",)
    assert [(e.path, e.message) for e in errors] == [
        (
            f"content/{rel}",
            "is not a regular file (a FIFO, device or socket, which a build would wait on "
            "forever; remove it)",
        )
        for rel in ("essays/pipe.md", "site.yml")
    ]
    assert [e.kind for e in walk_files(content) if e.kind != "file"] == [SPECIAL, SPECIAL]
    assert read_settings(content / "site.yml", "content/site.yml") == (None, [])


def test_static_files_are_named_in_nfc_and_found_under_their_name_on_disk(tmp_path: Path) -> None:
    """A macOS checkout names 'café.png' in NFD; links and the published site name it in NFC."""
    nfd = unicodedata.normalize("NFD", "images/café.png")
    nfc = unicodedata.normalize("NFC", nfd)
    assert nfd != nfc
    content = write(tmp_path / "content", nfd, "images/plain.png")
    sources, errors = discover(content, "content")
    assert errors == []
    assert sources.static == (nfc, "images/plain.png")
    assert dict(sources.static_on_disk) == {nfc: nfd}
    assert sources.file(nfc) == content / nfd and sources.file(nfc).is_file()
    assert sources.file("images/plain.png") == content / "images/plain.png"


def test_errors_name_files_as_the_user_named_the_content_folder(tmp_path: Path) -> None:
    content = write(tmp_path / "content", "essays/first.md")
    (content / "essays/leak.md").symlink_to(content / "essays/first.md")
    for spelling, shown in [
        ("content", "content/essays/leak.md"),
        ("./content/", "content/essays/leak.md"),
        ("../site/content", "../site/content/essays/leak.md"),
        (".", "essays/leak.md"),
    ]:
        (error,) = discover(content, spelling)[1]
        assert error.path == shown
    assert display_path("content/", "essays/../images/a.png") == "content/images/a.png"


def test_settings_are_read_from_a_regular_file_or_are_none(tmp_path: Path) -> None:
    content = write(tmp_path / "content", "essays/first.md")
    (content / "site.yml").write_text("title: T\n", encoding="utf-8")
    assert read_settings(content / "site.yml", "content/site.yml") == (b"title: T\n", [])
    assert read_settings(content / "authors.yml", "content/authors.yml") == (None, [])
    (content / "authors.yml").mkdir()
    assert read_settings(content / "authors.yml", "content/authors.yml") == (None, [])


def test_a_link_in_the_place_of_the_settings_is_not_read_through(tmp_path: Path) -> None:
    content = write(tmp_path / "content", "essays/first.md")
    (tmp_path / "elsewhere.yml").write_text("title: Theirs\n", encoding="utf-8")
    (content / "site.yml").symlink_to(tmp_path / "elsewhere.yml")
    settings, errors = read_settings(content / "site.yml", "content/site.yml")
    assert settings is None
    assert [str(e) for e in errors] == [
        f"content/site.yml: cannot read the file: {os.strerror(errno.ELOOP)} "
        "(check its permissions)"
    ]
    assert [str(e) for e in discover(content, "content")[1]] == [
        f"content/site.yml: {LINK_MESSAGE}"
    ]
