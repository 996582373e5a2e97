"""The only module that writes the output folder: stage everything beside it, then swap.

The output folder is replaced whole or not at all, so a failed build leaves the last good site
exactly as it was, and a successful one leaves nothing stale.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MARKER = ".roundtable-build"
"""Written into every output folder, so we only ever replace a folder that we built."""


class UnsafeOutput(Exception):
    """The output folder is somewhere we must not write."""


def check_output(output: Path, protected: tuple[Path, ...]) -> None:
    """Refuse output folders that would destroy something: sources, a repository, a user's files."""
    target = output.resolve()
    if output.is_symlink():
        raise UnsafeOutput(f"{output}: is a symbolic link (choose a real folder for --output)")
    for folder in protected:
        folder = folder.resolve()
        if target == folder or folder.is_relative_to(target) or target.is_relative_to(folder):
            raise UnsafeOutput(
                f"{output}: overlaps {folder.name}/ (choose a separate folder, e.g. site/)"
            )
    if target == Path(target.anchor) or target == Path.home():
        raise UnsafeOutput(f"{output}: refusing to replace {target} (choose e.g. site/)")
    if (target / ".git").exists():
        raise UnsafeOutput(
            f"{output}: holds a git repository (choose a separate folder, e.g. site/)"
        )
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        raise UnsafeOutput(
            f"{output}: is not empty and was not built by roundtable "
            "(empty it or choose another folder)"
        )


@dataclass(frozen=True)
class Previous:
    """What the output folder holds now, and the id the new build will mark it with."""

    manifest: Mapping[str, str]
    """Fingerprint of each file now in the output; empty when it must be rebuilt whole."""
    build_id: str
    """Written into the marker file: names the exact set of files the output holds."""


def read_marker(output: Path) -> str | None:
    """Return the build id an output folder is marked with, or None."""
    try:
        return (output / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def publish(
    output: Path,
    files: Mapping[str, bytes],
    copies: Mapping[str, Path],
    manifest: Mapping[str, str],
    previous: Previous,
) -> None:
    """Bring the output up to date: swapped in whole, or only what changed, atomically per file.

    A whole build is staged beside the output and swapped in with two renames. An update
    stages the changed files, marks the output as being updated, moves them in, and marks it
    done; if that is interrupted, the next build sees the marker and rebuilds the output whole.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(output)
    if not previous.manifest or not output.is_dir():
        _replace_whole(output, files, copies, previous.build_id)
        return
    changed_copies = {
        rel: src for rel, src in copies.items() if previous.manifest.get(rel) != manifest[rel]
    }
    removed = sorted(set(previous.manifest) - set(manifest))
    if files or changed_copies or removed or read_marker(output) != previous.build_id:
        _update_in_place(output, files, changed_copies, removed, previous.build_id)


def _replace_whole(
    output: Path, files: Mapping[str, bytes], copies: Mapping[str, Path], build_id: str
) -> None:
    """Write everything into a fresh folder beside the output, then swap it in."""
    staging = output.with_name(f"{output.name}.tmp-{os.getpid()}")
    try:
        staging.mkdir()
        _fill(staging, files, copies)
        (staging / MARKER).write_text(build_id, encoding="utf-8")
        _swap(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _update_in_place(
    output: Path,
    files: Mapping[str, bytes],
    copies: Mapping[str, Path],
    removed: list[str],
    build_id: str,
) -> None:
    """Stage changed files, then move each into the output (a rename cannot fill the disk)."""
    staging = output.with_name(f"{output.name}.tmp-{os.getpid()}")
    try:
        staging.mkdir()
        _fill(staging, files, copies)
        _set_marker(output, "updating")
        for rel in sorted([*files, *copies]):
            os.replace(staging / rel, _destination(output, rel))
        for rel in removed:
            _remove(output, rel)
        _set_marker(output, build_id)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _set_marker(output: Path, text: str) -> None:
    """Write the marker file atomically."""
    temporary = output / (MARKER + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, output / MARKER)


def _remove(output: Path, rel: str) -> None:
    """Delete a file that is no longer part of the site, and folders it leaves empty."""
    path = _destination(output, rel)
    path.unlink(missing_ok=True)
    folder = path.parent
    while folder != output and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def remove_leftovers(output: Path) -> None:
    """Delete staging and old folders that a killed build left beside the output."""
    for pattern in (f"{output.name}.tmp-*", f"{output.name}.old-*"):
        for leftover in output.parent.glob(pattern):
            pid = leftover.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Return True while a process with this id runs (another build may own its folder)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fill(staging: Path, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> None:
    """Write every file into the staging folder, refusing any path that leaves it."""
    for rel in sorted(files):
        _destination(staging, rel).write_bytes(files[rel])
    for rel in sorted(copies):
        shutil.copyfile(copies[rel], _destination(staging, rel), follow_symlinks=False)


def _destination(root: Path, rel: str) -> Path:
    """Return where a relative output path goes, after checking it stays inside `root`.

    Checked before and after creating its folders, so a symlink planted in the output can
    neither receive a file nor make us create folders elsewhere.
    """
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or ".." in parts or "\\" in rel or "\x00" in rel:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    path = root.joinpath(*parts)
    inside = root.resolve()
    if not path.parent.resolve().is_relative_to(inside):
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.resolve().is_relative_to(inside):
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    return path


def _swap(staging: Path, output: Path) -> None:
    """Replace the output folder with the staging folder, in two renames."""
    if not output.exists():
        staging.rename(output)
        return
    old = output.with_name(f"{output.name}.old-{os.getpid()}")
    output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)
