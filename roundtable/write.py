"""The only module that writes the output folder: stage everything beside it, then swap.

The output folder is replaced whole or not at all, so a failed build leaves the last good site
exactly as it was, and a successful one leaves nothing stale.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
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


def publish(output: Path, files: Mapping[str, bytes], copies: Mapping[str, Path]) -> None:
    """Write pages and copied files into a fresh folder, then swap it in for the output."""
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(output)
    staging = output.with_name(f"{output.name}.tmp-{os.getpid()}")
    try:
        staging.mkdir()
        _fill(staging, files, copies)
        _swap(staging, output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
    (staging / MARKER).write_bytes(b"")
    for rel in sorted(files):
        _destination(staging, rel).write_bytes(files[rel])
    for rel in sorted(copies):
        shutil.copyfile(copies[rel], _destination(staging, rel), follow_symlinks=False)


def _destination(staging: Path, rel: str) -> Path:
    """Return where a relative output path goes, after checking it stays inside staging."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or ".." in parts or "\\" in rel or "\x00" in rel:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    path = staging.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.resolve().is_relative_to(staging.resolve()):
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
