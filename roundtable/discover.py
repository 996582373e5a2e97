"""Walk the content folder in a fixed order and sort its files by kind; no parsing."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from roundtable.errors import ContentError

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


def discover(root: Path, display_root: str) -> tuple[Sources, list[ContentError]]:
    """List the content folder's files by kind; symlinks are refused, never followed."""
    found: list[str] = []
    errors: list[ContentError] = []
    for rel, is_link in walk_files(root):
        if is_link:
            errors.append(
                ContentError(
                    display_path(display_root, rel),
                    0,
                    "symbolic links are not allowed in the content folder "
                    "(replace the link with the real file)",
                )
            )
        else:
            found.append(rel)
    return _classify(root, display_root, found), errors


def linked_files(root: Path) -> list[str]:
    """Return every symbolic link under a folder (none is followed), as relative paths."""
    return [rel for rel, is_link in walk_files(root) if is_link]


def walk_files(root: Path, *, everything: bool = False) -> list[tuple[str, bool]]:
    """Return (relative path, is symlink) for every file under a folder, sorted by path.

    Links (to files or folders) are listed, never followed; unreadable folders are skipped, as
    os.walk does. Names editors and systems leave behind are left out, unless `everything`.
    """
    results: list[tuple[str, bool]] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            if not everything and is_ignored(entry.name):
                continue
            rel = prefix + entry.name
            if entry.is_symlink():
                results.append((rel, True))
            elif entry.is_dir():
                visit(entry.path, rel + "/")
            else:
                results.append((rel, False))

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
