"""The same content gives byte-identical output on any machine and any day.

Builds of the sample content, each in a fresh interpreter, differ in everything that must not
matter: hash seed, time zone, locale, the project's path, the order in which the content files
were created, their modification times, and SOURCE_DATE_EPOCH.  Every output file must be the
same, and none may mention where the project was built or hold a memory address.  A build that
reuses `.roundtable-cache/` (as CI restores it) must write what a build from scratch writes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from helpers.site import REPO, run_subprocess, tree_digest

from roundtable.publish import cms

MEMORY_ADDRESS = re.compile(rb"0x[0-9a-f]{8,}")
"""What `repr()` of an object leaks into a page ('<Essay object at 0x7f3a...>')."""
TEXT_SUFFIXES = (".html", ".css", ".js", ".svg", ".xml", ".json", ".txt", ".webmanifest")


@dataclass(frozen=True)
class Machine:
    """Where and when a build runs: everything that must not change the output."""

    name: str
    hash_seed: str
    timezone: str
    locale: str
    language: str
    """LANGUAGE: what gettext and Babel would pick up if a default locale leaked in."""
    source_date_epoch: str | None
    folder: str
    """The project folder's name: the absolute path must never reach the output."""
    reverse_creation: bool
    """Create the content files in reverse order (directory order follows creation on tmpfs)."""
    mtime: float
    """Modification time given to every content file."""


@cache
def other_locale() -> str:
    """Return an installed locale other than C.UTF-8, preferring ones that sort and case oddly."""
    try:
        found = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
        installed = found.stdout.split()
    except OSError:
        installed = []
    for wanted in ("tr_TR.utf8", "de_DE.utf8", "fr_FR.utf8", "es_MX.utf8"):
        if wanted in installed:
            return wanted
    others = [name for name in installed if name.lower() not in ("c", "c.utf8", "posix")]
    # C is a different locale from C.UTF-8 all the same: ASCII, where Python switches to UTF-8 mode.
    return others[0] if others else "C"


BASELINE = Machine(
    name="baseline",
    hash_seed="0",
    timezone="UTC",
    locale="C.UTF-8",
    language="en",
    source_date_epoch=None,
    folder="first",
    reverse_creation=False,
    mtime=978_307_200,  # 2001-01-01
)
OTHERS = [
    Machine(
        name="auckland",
        hash_seed="1",
        timezone="Pacific/Auckland",
        locale="other",
        language="tr:de",
        source_date_epoch="1700000000",
        folder="second project ñ",
        reverse_creation=True,
        mtime=time.time(),
    ),
    Machine(
        name="random-seed",
        hash_seed="random",
        timezone="America/Los_Angeles",
        locale="POSIX",
        language="es_MX",
        source_date_epoch=None,
        folder="third",
        reverse_creation=True,
        mtime=1_234_567_890,
    ),
]


def make_project(dest: Path, machine: Machine) -> Path:
    """Copy the sample content file by file in the machine's order, with its mtimes."""
    source = REPO / "content"
    files = sorted(p for p in source.rglob("*") if p.is_file())
    if machine.reverse_creation:
        files.reverse()
    for path in files:
        target = dest / "content" / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for path in (dest / "content").rglob("*"):
        os.utime(path, (machine.mtime, machine.mtime))
    return dest


def environment(machine: Machine) -> dict[str, str]:
    """Return the build's environment: this one, with the machine's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SOURCE_DATE_EPOCH", "LANG", "LANGUAGE", "LC_ALL", "TZ")
        and not key.startswith("LC_")
    }
    env.update(
        PYTHONHASHSEED=machine.hash_seed,
        TZ=machine.timezone,
        LC_ALL=other_locale() if machine.locale == "other" else machine.locale,
        LANGUAGE=machine.language,
    )
    if machine.source_date_epoch is not None:
        env["SOURCE_DATE_EPOCH"] = machine.source_date_epoch
    return env


def build_on(machine: Machine, root: Path) -> Path:
    """Build the sample content as this machine would; return the project folder."""
    project = make_project(root / machine.folder, machine)
    run = run_subprocess(["build"], project, env=environment(machine))
    assert run.status == 0, run.err
    return project


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built on the baseline machine."""
    return build_on(BASELINE, tmp_path_factory.mktemp("reproducible")) / "site"


def first_difference(a: Path, b: Path) -> str:
    """Describe where two versions of a file first differ, for the assertion message."""
    left, right = a.read_bytes(), b.read_bytes()
    at = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y), None)
    if at is None:
        at = min(len(left), len(right))
    return f"{left[max(0, at - 60) : at + 60]!r}\n  vs\n{right[max(0, at - 60) : at + 60]!r}"


@pytest.mark.parametrize("machine", OTHERS, ids=lambda m: m.name)
def test_output_is_byte_identical(baseline: Path, machine: Machine, tmp_path: Path) -> None:
    other = build_on(machine, tmp_path) / "site"
    expected, got = tree_digest(baseline), tree_digest(other)
    assert sorted(got) == sorted(expected), "different files"
    differing = sorted(path for path in expected if expected[path] != got[path])
    details = "\n\n".join(
        f"{path}:\n{first_difference(baseline / path, other / path)}" for path in differing[:3]
    )
    assert not differing, f"{len(differing)} files differ, e.g.\n{details}"


def edit(project: Path) -> None:
    """Change the content the way an editor's pull request does: retitle, reorder, remove, add."""
    essays = project / "content" / "essays"
    money = essays / "follow-the-money-together.md"
    money.write_text(
        money.read_text(encoding="utf-8").replace("Follow the Money, Together", "Follow the Money"),
        encoding="utf-8",
    )
    for name, old, new in (
        ("southbound-firearms.md", 2, 3),
        ("extradition-without-trust.md", 3, 2),
    ):
        path = essays / name
        path.write_text(
            path.read_text(encoding="utf-8").replace(f"order: {old}\n", f"order: {new}\n"),
            encoding="utf-8",
        )
    (essays / "migration-beyond-enforcement.md").unlink()
    (essays / "water.md").write_text(
        "---\ntitle: Water\nauthor: Priya Raman\nroundtable: us-mexico-security-cooperation\n"
        "order: 5\n---\nA new essay by an author who already has one.\n",
        encoding="utf-8",
    )


def test_a_warm_cache_builds_what_a_cold_build_does(tmp_path: Path) -> None:
    warm = build_on(BASELINE, tmp_path / "warm")
    edit(warm)
    rebuilt = run_subprocess(["build"], warm, env=environment(OTHERS[0]))
    assert rebuilt.status == 0, rebuilt.err
    cold = make_project(tmp_path / "cold", BASELINE)
    edit(cold)
    fresh = run_subprocess(["build", "--no-cache"], cold, env=environment(BASELINE))
    assert fresh.status == 0, fresh.err
    expected, got = tree_digest(cold / "site"), tree_digest(warm / "site")
    assert sorted(got) == sorted(expected), "different files"
    differing = sorted(path for path in expected if expected[path] != got[path])
    assert not differing, f"{len(differing)} files differ after a cached rebuild: {differing[:5]}"


def test_output_names_no_local_path(tmp_path: Path) -> None:
    project = build_on(BASELINE, tmp_path)
    local = {str(project), str(project.resolve()), str(REPO), str(tmp_path)}
    leaks = [
        f"{path.relative_to(project / 'site')}: {place}"
        for path in sorted((project / "site").rglob("*"))
        if path.is_file()
        for place in sorted(local)
        if place.encode() in path.read_bytes()
    ]
    assert leaks == []


VENDORED = {path.name for path in cms.BUNDLE.iterdir()}
"""Decap CMS's minified bundle (admin/), whose constants such as 0xffffffffffffffff are code."""


def test_output_holds_no_memory_address(baseline: Path) -> None:
    leaks = [
        f"{path.relative_to(baseline)}: {match.group().decode()}"
        for path in sorted(baseline.rglob("*"))
        if path.suffix in TEXT_SUFFIXES and path.name not in VENDORED
        for match in MEMORY_ADDRESS.finditer(path.read_bytes())
    ]
    assert leaks == []
