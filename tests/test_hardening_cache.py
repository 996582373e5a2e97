"""Hardening, issue 24 classes 10 and 11: resized pictures are published only as this build made
them or as the cache holds them intact; nothing planted in a shared folder is ever used."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.hostile import build, new_project
from helpers.server import dev_server, wait_until
from PIL import Image

CANARY = b"canary: planted by someone else"


def pictured_project(root: Path) -> Path:
    """The minimal project with a second, wide picture: five resized copies besides pic.png's."""
    project = new_project(root / "proj")
    wide = Image.new("RGB", (1000, 500))
    wide.putdata([(x % 256, y % 256, (x * y) % 256) for y in range(500) for x in range(1000)])
    wide.save(project / "content/images/wide.png")
    essay = project / "content/essays/pictured.md"  # shown by a page: only those are resized
    essay.write_text(essay.read_text() + "\n![A wide picture](../images/wide.png)\n")
    return project


def published(site: Path) -> dict[str, bytes]:
    """Return every resized picture in a built site, by its path."""
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted((site / "images").iterdir())
        if "w." in path.name
    }


def symlinks(folder: Path) -> list[Path]:
    """Return every symbolic link under a folder."""
    return [path for path in folder.rglob("*") if path.is_symlink()]


@pytest.fixture
def tmpdir_of_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder shared with other users, as /tmp is: the build's $TMPDIR."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.setenv("TMPDIR", str(shared))
    return shared


# --- 10: --no-cache and check trust no shared folder ------------------------------------------


def old_names(project: Path) -> list[str]:
    """Return the names the resized copies had in the shared folder: source hash, width."""
    names = []
    for picture, widths in (("pic.png", [40]), ("wide.png", [480, 960])):
        digest = hashlib.sha256((project / "content/images" / picture).read_bytes()).hexdigest()
        names += [f"{digest[:24]}.{width}{ext}" for width in widths for ext in (".png", ".webp")]
    digest = hashlib.sha256((project / "content/images/wide.png").read_bytes()).hexdigest()
    return [*names, f"{digest[:24]}.1000.webp"]


def names_to_plant(project: Path) -> list[str]:
    """Return every name a resized copy may be looked for under: the names the cache gives
    them today (an attacker can run Roundtable too) and the names they used to have."""
    cached = [p.name for p in (project / ".roundtable-cache/images").iterdir()]
    return sorted({*cached, *old_names(project)})


def _files(folder: Path, names: list[str], victim: Path, elsewhere: Path) -> None:
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(CANARY)


def _links(folder: Path, names: list[str], victim: Path, elsewhere: Path) -> None:
    folder.mkdir()
    for name in names:
        (folder / name).symlink_to(victim)


def _folder_linked_elsewhere(folder: Path, names: list[str], victim: Path, elsewhere: Path) -> None:
    elsewhere.mkdir()
    for name in names:
        (elsewhere / name).write_bytes(CANARY)
    folder.symlink_to(elsewhere)


def _temporary_names_linked(folder: Path, names: list[str], victim: Path, elsewhere: Path) -> None:
    folder.mkdir()
    for name in names:
        (folder / f"{name}.tmp").symlink_to(victim)


PLANTS: list[Callable[[Path, list[str], Path, Path], None]] = [
    _files,
    _links,
    _folder_linked_elsewhere,
    _temporary_names_linked,
]
COMMANDS = [("build", "--no-cache"), ("check",)]


@pytest.mark.parametrize("command", COMMANDS, ids=["build-no-cache", "check"])
@pytest.mark.parametrize("plant", PLANTS, ids=[p.__name__.strip("_") for p in PLANTS])
def test_hca_10_nothing_planted_in_the_shared_temporary_folder_is_used(
    tmp_path: Path,
    tmpdir_of_others: Path,
    plant: Callable[[Path, list[str], Path, Path], None],
    command: tuple[str, ...],
) -> None:
    """Files, links, a linked folder, or links at the names of temporary files, planted where
    the resized copies were kept (`$TMPDIR/roundtable-images-<uid>`): `build --no-cache` and
    `check` publish none of it, write through none of it, and leave nothing in $TMPDIR."""
    project = pictured_project(tmp_path)
    clean = build(project)  # its cache names the copies as they are named today
    assert clean.status == 0, clean.err
    os.replace(project / "site", tmp_path / "clean")
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"the victim's own file")
    planted = tmpdir_of_others / f"roundtable-images-{os.getuid()}"
    plant(planted, names_to_plant(project), victim, tmp_path / "elsewhere")
    before = sorted(p.name for p in tmpdir_of_others.iterdir())
    run = build(project, *command[1:], command=command[0])
    assert run.status == 0, run.err
    assert victim.read_bytes() == b"the victim's own file"
    assert sorted(p.name for p in tmpdir_of_others.iterdir()) == before
    if command[0] == "build":
        site = project / "site"
        assert symlinks(site) == []
        assert published(site) == published(tmp_path / "clean")
        assert not any(CANARY in path.read_bytes() for path in site.rglob("*") if path.is_file())


def test_hca_10_check_and_no_cache_builds_leave_no_folder_behind(
    tmp_path: Path, tmpdir_of_others: Path
) -> None:
    """Nothing planted: `check` and `build --no-cache` leave $TMPDIR as they found it."""
    project = pictured_project(tmp_path)
    for command in COMMANDS:
        assert build(project, *command[1:], command=command[0]).status == 0
        assert list(tmpdir_of_others.iterdir()) == [], command
    assert len(published(project / "site")) == 6


# --- 11: the cache's resized copies are checked before they are reused ------------------------


def _truncated(path: Path, other: Path, outside: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _emptied(path: Path, other: Path, outside: Path) -> None:
    path.write_bytes(b"")


def _other_picture(path: Path, other: Path, outside: Path) -> None:
    path.write_bytes(other.read_bytes())  # a valid picture, of another size


def _flipped_byte(path: Path, other: Path, outside: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _symlinked(path: Path, other: Path, outside: Path) -> None:
    path.unlink()
    path.symlink_to(outside)


def _folder(path: Path, other: Path, outside: Path) -> None:
    path.unlink()
    path.mkdir()


def _deleted(path: Path, other: Path, outside: Path) -> None:
    path.unlink()


DAMAGES: list[Callable[[Path, Path, Path], None]] = [
    _truncated,
    _emptied,
    _other_picture,
    _flipped_byte,
    _symlinked,
    _folder,
    _deleted,
]


def damage_cache(project: Path, damage: Callable[[Path, Path, Path], None], outside: Path) -> None:
    """Damage every resized copy in the project's cache the same way."""
    cached = sorted((project / ".roundtable-cache/images").iterdir())
    assert len(cached) == 6, cached
    for number, path in enumerate(cached):
        damage(path, cached[number - 1], outside)


@pytest.mark.parametrize("damage", DAMAGES, ids=[d.__name__.strip("_") for d in DAMAGES])
def test_hca_11_damaged_resized_copies_in_the_cache_are_made_again(
    tmp_path: Path, damage: Callable[[Path, Path, Path], None]
) -> None:
    """Every resized copy in `.roundtable-cache/images/` truncated, emptied, swapped for
    another picture, one bit flipped, linked outside, made a folder, or deleted: the next
    build publishes exactly what a clean build does, and the cache holds good copies again."""
    project = pictured_project(tmp_path)
    assert build(project).status == 0
    clean = published(project / "site")
    assert len(clean) == 6
    outside = tmp_path / "outside.webp"
    outside.write_bytes(CANARY)
    damage_cache(project, damage, outside)
    shutil.rmtree(project / "site")
    run = build(project)
    assert run.status == 0, run.err
    assert symlinks(project / "site") == [] and symlinks(project / ".roundtable-cache") == []
    assert published(project / "site") == clean
    repaired = cache_state(project)
    assert all(path.is_file() for path in (project / ".roundtable-cache/images").iterdir())
    shutil.rmtree(project / "site")
    assert build(project).status == 0 and published(project / "site") == clean
    assert cache_state(project) == repaired  # the good copies are reused, not made again


def cache_state(project: Path) -> dict[str, tuple[int, int]]:
    """Return each file of the cache's images folder with its inode and modification time."""
    folder = project / ".roundtable-cache/images"
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize(
    "damage", [_truncated, _other_picture, _symlinked], ids=["truncated", "other", "symlinked"]
)
def test_hca_11_serve_never_serves_a_damaged_resized_copy(
    tmp_path: Path, damage: Callable[[Path, Path, Path], None]
) -> None:
    """serve starts from a damaged cache: each resized copy it serves is the clean one."""
    project = pictured_project(tmp_path)
    assert build(project).status == 0
    clean = published(project / "site")
    outside = tmp_path / "outside.webp"
    outside.write_bytes(CANARY)
    damage_cache(project, damage, outside)
    with dev_server(project) as server:
        for path, data in clean.items():
            assert wait_until(lambda p=path: server.get("/" + p)[0] == 200, 20)
            assert server.get("/" + path)[2] == data, path
