"""The only module that writes the output folder: stage everything beside it, then swap.

The output folder is replaced whole or not at all, so a failed build leaves the last good site
exactly as it was, and a successful one leaves nothing stale.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MARKER = ".roundtable-build"
"""Written into every output folder, so we only ever replace a folder that we built."""


THEME_FOLDERS = ("templates", "assets")
"""Beside content/, folders of these names are the theme: a site written there would be read
back as templates by the next build (and a title holding `{{ ... }}` would then run)."""


class UnsafeOutput(OSError):
    """The output folder is somewhere we must not write.

    An OSError, so a build that meets one reports it like any other refusal of the file system.
    """

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(errno.EPERM, message, path)

    def __str__(self) -> str:
        return str(self.strerror)


def check_output(output: Path, protected: tuple[Path, ...]) -> None:
    """Refuse output folders that would destroy something: sources, a repository, a user's files."""
    target = output.resolve()
    if output.is_symlink():
        raise UnsafeOutput(f"{output}: is a symbolic link (choose a real folder for --output)")
    link = _link_on_the_way(output)
    if link is not None:
        raise UnsafeOutput(
            f"{output}: goes through the symbolic link {link} (choose a real folder)"
        )
    for folder in protected:
        folder = folder.resolve()
        if target == folder or folder.is_relative_to(target) or target.is_relative_to(folder):
            raise UnsafeOutput(
                f"{output}: overlaps {folder.name}/ (choose a separate folder, e.g. site/)"
            )
        if target in (folder.parent / name for name in THEME_FOLDERS):
            raise UnsafeOutput(
                f"{output}: would be read as the theme's {target.name}/ folder "
                "(choose a separate folder, e.g. site/)"
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


def _link_on_the_way(output: Path) -> Path | None:
    """Return a symbolic link among the folders from the working folder down to the output."""
    here = Path.cwd()
    path = output if output.is_absolute() else here / output
    for folder in reversed(path.parents):
        if folder != here and folder.is_relative_to(here) and folder.is_symlink():
            return folder
    return None


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


class Sink:
    """Where a build's files are written before they are published: a staging folder.

    Small and picklable, so worker processes write the pages they render themselves.
    """

    def __init__(self, folder: Path, output: Path) -> None:
        self.folder = folder
        """The staging folder, beside the output."""
        self.output = output
        """The output folder, to name files in messages."""
        self.made: set[str] = set()
        """Folders this process already made in the staging folder."""

    def __getstate__(self) -> tuple[Path, Path]:
        return self.folder, self.output

    def __setstate__(self, state: tuple[Path, Path]) -> None:
        self.__init__(*state)  # type: ignore[misc]

    def write(self, rel: str, data: bytes) -> str:
        """Write one file into the staging folder; return the hash of its bytes."""
        with _naming(self.output / rel):
            write_file(_staged(self.folder, rel, self.made), data)
        return digest_bytes(data)


def digest_bytes(data: bytes) -> str:
    """Return the hash of an output file's bytes, as the marker's build id is made of."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def build_id(digests: Mapping[str, str]) -> str:
    """Return the id the marker names a build by: a hash of every output file's path and bytes'
    hash, so the same site has the same marker, however it was built."""
    lines = "\n".join(f"{path}={digest}" for path, digest in sorted(digests.items()))
    return hashlib.blake2b(lines.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class Stage(MutableMapping[str, bytes]):
    """The files a build made, written into a staging folder beside the output, by path.

    Reading a file back reads the disk: a big site's pages are never all held in memory. Use it
    as a context manager: the folder is removed when the build fails, and after publishing.
    """

    def __init__(self, output: Path) -> None:
        output.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(output)
        self.sink = Sink(output.with_name(f"{output.name}.tmp-{os.getpid()}"), output)
        self.sink.folder.mkdir()
        self.digests: dict[str, str] = {}
        """Hash of each file written, by output path."""

    @property
    def folder(self) -> Path:
        """The staging folder."""
        return self.sink.folder

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def written(self, rel: str, digest: str) -> None:
        """Record a file a worker wrote into the folder."""
        self.digests[rel] = digest

    def __setitem__(self, rel: str, data: bytes) -> None:
        self.digests[rel] = self.sink.write(rel, data)

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self.digests:
            raise KeyError(rel)
        return (self.folder / rel).read_bytes()

    def __delitem__(self, rel: str) -> None:
        del self.digests[rel]
        (self.folder / rel).unlink()

    def __iter__(self) -> Iterator[str]:
        return iter(self.digests)

    def __len__(self) -> int:
        return len(self.digests)


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
    `files` may be a Stage the build already wrote them into.
    """
    if isinstance(files, Stage):
        _publish(output, files, copies, manifest, previous)
        return
    with Stage(output) as stage:
        stage.update(files)
        _publish(output, stage, copies, manifest, previous)


def _publish(
    output: Path,
    stage: Stage,
    copies: Mapping[str, Path],
    manifest: Mapping[str, str],
    previous: Previous,
) -> None:
    """Publish what a stage holds, with the copied files."""
    if not previous.manifest or not output.is_dir():
        _replace_whole(output, stage, copies, previous.build_id)
        return
    changed_copies = {
        rel: src for rel, src in copies.items() if previous.manifest.get(rel) != manifest[rel]
    }
    removed = sorted(set(previous.manifest) - set(manifest))
    if stage or changed_copies or removed or read_marker(output) != previous.build_id:
        _update_in_place(output, stage, changed_copies, removed, previous.build_id)


def _replace_whole(output: Path, stage: Stage, copies: Mapping[str, Path], build_id: str) -> None:
    """Complete the staging folder with the copied files and the marker, then swap it in."""
    _copy(stage, copies)
    (stage.folder / MARKER).write_text(build_id, encoding="utf-8")
    _swap(stage.folder, output)


def _update_in_place(
    output: Path,
    stage: Stage,
    copies: Mapping[str, Path],
    removed: list[str],
    build_id: str,
) -> None:
    """Move each staged file into the output (a rename cannot fill the disk)."""
    _copy(stage, copies)
    made = sorted({*stage, *copies})
    targets = _destinations(output, sorted([*made, *removed]))
    _set_marker(output, "updating")
    for rel in made:
        os.replace(stage.folder / rel, targets[rel])
    for rel in removed:
        _remove(output, targets[rel])
    _set_marker(output, build_id)


def _destinations(output: Path, rels: list[str]) -> dict[str, Path]:
    """Check every path an update touches before touching any.

    A symbolic link planted inside the output is never written through: the update stops, and
    the marker makes the next build replace the output whole (links and all, never following them).
    """
    try:
        return {rel: _destination(output, rel) for rel in rels}
    except UnsafeOutput:
        _set_marker(output, "unsafe")
        raise


def _set_marker(output: Path, text: str) -> None:
    """Write the marker file atomically."""
    temporary = output / (MARKER + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, output / MARKER)


def _remove(output: Path, path: Path) -> None:
    """Delete a file that is no longer part of the site, and folders it leaves empty."""
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


def _copy(stage: Stage, copies: Mapping[str, Path]) -> None:
    """Copy files as they are into the staging folder (a content file never follows a link)."""
    for rel in sorted(copies):
        with _naming(stage.sink.output / rel):
            path = _staged(stage.folder, rel, stage.sink.made)
            shutil.copyfile(copies[rel], path, follow_symlinks=False)


def write_file(path: str, data: bytes) -> None:
    """Write one file's bytes (the one place output bytes reach the disk)."""
    with open(path, "wb") as handle:
        handle.write(data)


def _staged(staging: Path, rel: str, made: set[str] | None = None) -> str:
    """Return where a relative output path goes in the staging folder, making its folders.

    The staging folder is new and only this build writes in it, so it holds no symbolic link:
    checking the path's spelling is enough. `made` remembers the folders already made.
    """
    _refuse_outside(rel)
    folder, _, _ = rel.rpartition("/")
    if folder and (made is None or folder not in made):
        os.makedirs(os.path.join(staging, folder), exist_ok=True)
        if made is not None:
            made.add(folder)
    return os.path.join(staging, rel)


def _refuse_outside(rel: str) -> None:
    """Refuse a relative output path that could name a file outside the output folder."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or ".." in parts or "\\" in rel or "\x00" in rel:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Name the output file in an error that has no file name (a full disk fails a write())."""
    try:
        yield
    except UnsafeOutput:
        raise
    except OSError as exc:
        if exc.filename is None:
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def _destination(root: Path, rel: str) -> Path:
    """Return where a relative output path goes, after checking it stays inside `root`.

    Checked before and after creating its folders, so a symlink planted in the output can
    neither receive a file nor make us create folders elsewhere.
    """
    _refuse_outside(rel)
    path = root.joinpath(*PurePosixPath(rel).parts)
    inside = root.resolve()
    if not path.parent.resolve().is_relative_to(inside):
        raise _through_link(root, path.parent, rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.resolve().is_relative_to(inside):
        raise _through_link(root, path, rel)
    return path


def _through_link(root: Path, path: Path, rel: str) -> UnsafeOutput:
    """Return the error for a path that leaves the output folder, naming the link on its way."""
    for folder in [*reversed(path.parents), path]:
        if folder.is_relative_to(root) and folder != root and folder.is_symlink():
            return UnsafeOutput(
                "is a symbolic link inside the output folder; roundtable never writes through "
                "one, and the next build replaces the output whole",
                str(folder),
            )
    return UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")


def _swap(staging: Path, output: Path) -> None:
    """Replace the output folder with the staging folder, in two renames."""
    if not output.exists():
        staging.rename(output)
        return
    old = output.with_name(f"{output.name}.old-{os.getpid()}")
    output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staging(output: Path | None) -> Iterator[Stage | None]:
    """Give the folder beside the output that pages are written into, or None in memory."""
    if output is None:
        yield None
        return
    try:
        with Stage(output) as stage:
            yield stage
    except BaseException:
        # Ctrl-C can come between the folder's making and the `with`, where nothing removes it.
        remove_leftovers(output)
        raise
