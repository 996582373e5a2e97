"""Walk the content folder in a fixed order and sort its files by kind; no parsing."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from roundtable.errors import ContentError
from roundtable.regular_files import NO_LINK_NO_WAIT

SITE_CONFIG = "site.yml"
AUTHORS_FILE = "authors.yml"
"""Details of people, read by the directory stage; not published."""
ROUNDTABLES_DIR = "roundtables"

_EDITOR_LITTER = (
    "~",
    ".swp",
    ".swx",
    ".swo",
    ".tmp",
    ".bak",
    ".orig",
    ".bck",
    ".kate-swp",
    ".crswap",
    "___jb_tmp___",
    "___jb_old___",
)
"""Backup and swap files editors leave beside what they save (JetBrains: `x.md___jb_tmp___`)."""


@dataclass(frozen=True)
class Sources:
    """The content folder's files, by kind, as paths relative to it (POSIX, sorted)."""

    root: Path
    """The content folder on disk."""
    display_root: str
    """The content folder as the user named it, for error messages."""
    roundtables: tuple[str, ...]
    """`roundtables/*.md`."""
    essays: tuple[str, ...]
    """Every other `*.md`."""
    static: tuple[str, ...]
    """Everything else (images, PDFs), copied as it is; named in Unicode NFC, as links name
    them and the site publishes them, whatever the disk's names."""
    static_on_disk: Mapping[str, str] = field(default_factory=dict)
    """The name on disk of each static file whose name is not in NFC, by its NFC name."""

    def display(self, rel: str) -> str:
        """Name a content file the way the user named the content folder."""
        return display_path(self.display_root, rel)

    def file(self, rel: str) -> Path:
        """Return the file on disk of a static file, by its NFC name."""
        return self.root / self.static_on_disk.get(rel, rel)


def display_path(display_root: str, rel: str) -> str:
    """Join the user's spelling of a folder with a relative path, tidily."""
    return os.path.normpath(os.path.join(display_root, rel)).replace(os.sep, "/")


def is_ignored(name: str) -> bool:
    """Return True for hidden files and editor litter that must never be published."""
    return (
        name.startswith((".", "#"))
        or name.endswith(_EDITOR_LITTER)
        or name == "4913"  # Vim's probe file, written to test whether a folder is writable.
    )


FILE, LINK, SPECIAL, UNLISTABLE = "file", "link", "special", "unlistable"
"""Kinds of entry under a folder: a regular file; a symbolic link (never followed); anything
else that is not a folder, a FIFO, device or socket (never read: reading one can wait forever);
a folder that cannot be listed (what it holds would silently vanish from the site)."""


class Entry(NamedTuple):
    """One entry found under a folder."""

    rel: str
    """Its path relative to the folder, POSIX."""
    kind: str
    """FILE, LINK, SPECIAL or UNLISTABLE."""
    reason: str = ""
    """Why an UNLISTABLE folder could not be listed."""


def discover(root: Path, display_root: str) -> tuple[Sources, list[ContentError]]:
    """List the content folder's files by kind; links, special files and folders that cannot
    be listed are errors, never followed, read or skipped."""
    found: list[str] = []
    errors: list[ContentError] = []
    for entry in walk_files(root):
        if entry.kind == FILE:
            found.append(entry.rel)
        else:
            errors.append(
                entry_error(display_path(display_root, entry.rel), entry, "the content folder")
            )
    sources = _classify(root, display_root, found)
    return sources, errors + unreadable_static(sources)


def unreadable_static(sources: Sources) -> list[ContentError]:
    """Return an error for each static file the build may not read: copied at the end of a
    build, and never by `check`, it would otherwise fail late or not at all."""
    message = "this file cannot be read: permission denied (let the build read it: chmod a+r)"
    return [
        ContentError(sources.display(rel), 0, message)
        for rel in sources.static
        if not os.access(sources.file(rel), os.R_OK)
    ]


def entry_error(display: str, entry: Entry, where: str) -> ContentError:
    """Return the error for an entry a build will not read: a link, special file or folder
    that cannot be listed."""
    if entry.kind == LINK:
        message = f"symbolic links are not allowed in {where} (replace the link with the real file)"
    elif entry.kind == SPECIAL:
        message = (
            "is not a regular file (a FIFO, device or socket, which a build would wait on "
            "forever; remove it)"
        )
    else:
        message = (
            f"this folder cannot be read: {entry.reason} (let the build list it, "
            "e.g. chmod a+rx, or move it out)"
        )
    return ContentError(display, 0, message)


def odd_entries(root: Path) -> list[Entry]:
    """Return every entry under a folder that is not a regular file or a listed folder."""
    return [entry for entry in walk_files(root) if entry.kind != FILE]


def walk_files(root: Path, *, everything: bool = False) -> list[Entry]:
    """Return every file under a folder, sorted by path, with its kind (see FILE).

    Links (to files or folders) are listed, never followed. Names editors and systems leave
    behind are left out, unless `everything`.
    """
    results: list[Entry] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            results.append(Entry(prefix.rstrip("/"), UNLISTABLE, exc.strerror or str(exc)))
            return
        for entry in entries:
            if not everything and is_ignored(entry.name):
                continue
            rel = prefix + entry.name
            if entry.is_symlink():
                results.append(Entry(rel, LINK))
            elif entry.is_dir():
                visit(entry.path, rel + "/")
            else:
                results.append(Entry(rel, FILE if entry.is_file() else SPECIAL))

    visit(str(root), "")
    return sorted(results)


def _classify(root: Path, display_root: str, files: list[str]) -> Sources:
    """Sort file paths into roundtables, essays and static files."""
    roundtables, essays, static = [], [], []
    on_disk = {}
    for rel in files:
        if rel in (SITE_CONFIG, AUTHORS_FILE):
            continue
        if not rel.endswith(".md"):
            name = unicodedata.normalize("NFC", rel)
            static.append(name)
            if name != rel:
                on_disk[name] = rel
        elif rel.startswith(f"{ROUNDTABLES_DIR}/") and rel.count("/") == 1:
            roundtables.append(rel)
        else:
            essays.append(rel)
    return Sources(
        root, display_root, tuple(roundtables), tuple(essays), tuple(sorted(static)), on_disk
    )


def unreadable(display: str, exc: OSError) -> ContentError:
    """Return the error for a source file that cannot be read."""
    return ContentError(display, 0, f"cannot read the file: {exc.strerror} (check its permissions)")


def read_settings(path: Path, display: str) -> tuple[bytes | None, list[ContentError]]:
    """Return the bytes of a settings file (site.yml, authors.yml); None when there is none.

    Anything but a regular file counts as none: a FIFO is reported by the walk, never read.
    """
    if not path.is_file():
        return None, []
    try:
        # Without following a link, or waiting on a FIFO, swapped in since it was seen.
        with open(os.open(path, NO_LINK_NO_WAIT), "rb") as file:
            return file.read(), []
    except OSError as exc:
        return None, [unreadable(display, exc)]
