"""Hardening, issue 24 classes 6, 7, 8 and 13: the command line's values, folders that cannot be
listed, files that are not regular files, and bodies that would render far larger than written.
Each is one line (usage, exit 2) or located errors (exit 1), never a traceback, a hang or a
silent loss."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.hostile import build, new_project, write_essay
from helpers.site import REPO, Run

from roundtable.render.markdown import MAX_LINK_GROWTH

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HANG_SECONDS = 120
"""A build of the small fixture takes a second or two; one still running after this hangs."""


def run_build(project: Path, *args: str, drop_root: bool = False) -> Run:
    """Run build.py in a fresh interpreter; a hang fails the test instead of stalling it.

    With `drop_root`, root runs without its power to read what permissions forbid (CI runs as
    root, which reads anything): `setpriv` removes CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
    """
    command = [sys.executable, str(REPO / "build.py"), *args]
    if drop_root and IS_ROOT:
        if shutil.which("setpriv") is None:
            pytest.skip("setpriv (util-linux) is needed to test permissions as root")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        proc = subprocess.run(
            command, cwd=project, capture_output=True, text=True, timeout=HANG_SECONDS
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(args)} still running after {HANG_SECONDS} s: it hangs")
    return Run(proc.returncode, proc.stdout, proc.stderr)


def one_usage_line(run: Run) -> str:
    """Assert a usage error: exit 2, one line, no traceback; return the line."""
    assert run.status == 2, run.err
    assert "Traceback" not in run.err and len(run.err.splitlines()) == 1, run.err
    return run.err.strip()


# --- 6: the command line ----------------------------------------------------------------------


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "eighty", "1e3"])
def test_6_serve_port_outside_0_to_65535_is_one_usage_line(tmp_path: Path, port: str) -> None:
    """A port no socket takes is refused before anything binds (old: OverflowError)."""
    project = new_project(tmp_path / "proj")
    run = run_build(project, "serve", "--port", port)
    assert f"'{port}' is not a port number from 0 to 65535" in one_usage_line(run)


@pytest.mark.parametrize(
    "url", ["https://[bad/", "https://[::1", "http://example.org:99999/", "https://host:port/"]
)
def test_6_base_url_urllib_cannot_read_is_a_usage_error(tmp_path: Path, url: str) -> None:
    """--base-url: one usage line (old: ValueError traceback)."""
    project = new_project(tmp_path / "proj")
    line = one_usage_line(run_build(project, "build", "--base-url", url))
    assert line.startswith(f"error: --base-url: '{url}' is not a valid URL"), line
    assert not (project / "site").exists()


@pytest.mark.parametrize("url", ["https://[bad/", "http://example.org:99999/"])
def test_6_base_url_in_site_yml_is_located(tmp_path: Path, url: str) -> None:
    """site.yml's base_url is content: exit 1 at its line, for build and check."""
    project = new_project(tmp_path / "proj")
    config = project / "content/site.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("base_url:"))
    lines[number] = f'base_url: "{url}"'
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("build", "check"):
        run = run_build(project, command)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert run.error_lines == [
            f"content/site.yml:{number + 1}: base_url: '{url}' is not a valid URL: "
            + run.error_lines[0].split("is not a valid URL: ", 1)[-1]
        ], run.err


@pytest.mark.parametrize(
    "option, value",
    [
        ("--output", "x" * 300),
        ("--output", "out/" + "é" * 200 + "/site"),
        ("--output", "/".join(["deep"] * 1100)),
        ("--content", "c" * 300),
    ],
)
def test_6_paths_too_long_for_a_file_system_are_usage_errors(
    tmp_path: Path, option: str, value: str
) -> None:
    """A name over 255 bytes, or a path over 4 KB (old: OSError ENAMETOOLONG traceback)."""
    project = new_project(tmp_path / "proj")
    line = one_usage_line(run_build(project, "build", option, value))
    assert line.startswith(f"error: {option}: "), line
    assert "too long" in line


@pytest.mark.parametrize("kind", ["essay", "roundtable"])
@pytest.mark.parametrize("title", ["word " * 200, "y" * 1000, "ñ" * 400])
def test_6_new_with_a_very_long_title_makes_a_readable_file_name(
    tmp_path: Path, kind: str, title: str
) -> None:
    """The slug is cut at 80 characters, at a word; the title is kept whole."""
    project = new_project(tmp_path / "proj")
    extra = ["--roundtable", "alpha"] if kind == "essay" else []
    run = build(project, kind, title, *extra, command="new")
    assert run.status == 0 and "Traceback" not in run.err, run.err
    made = project / run.out.split()[1]
    assert len(made.stem) <= 80 and made.stem.strip("-") == made.stem
    assert title.strip() in made.read_text(encoding="utf-8")
    assert build(project).status == 0


def test_6_argparse_mistakes_are_one_line_too(tmp_path: Path) -> None:
    """An unknown option or a missing argument: one line, exit 2 (old: usage and error)."""
    project = new_project(tmp_path / "proj")
    for args in (["build", "--no-such-option"], ["new", "essay"], ["serve", "--port"]):
        run = run_build(project, *args)
        assert one_usage_line(run).endswith("--help)"), run.err


# --- 7: folders and files that cannot be read -------------------------------------------------


def locked(path: Path) -> Path:
    """Take every permission from a folder or file."""
    path.chmod(0)
    return path


@pytest.fixture
def restore_permissions(tmp_path: Path) -> Iterator[None]:
    """Give permissions back after the test, so pytest can remove its folders."""
    yield
    for path in [tmp_path, *tmp_path.rglob("*")]:
        if not path.is_symlink():
            mode = path.lstat().st_mode
            path.chmod(stat.S_IMODE(mode) | (0o755 if stat.S_ISDIR(mode) else 0o644))


@pytest.mark.usefixtures("restore_permissions")
@pytest.mark.parametrize(
    "where",
    ["content/essays/locked", "content/locked", "content/images", "content/roundtables"],
)
def test_7_a_folder_that_cannot_be_listed_is_an_error(tmp_path: Path, where: str) -> None:
    """Its essays would vanish from the site with exit 0 (old: build and check --strict 0)."""
    project = new_project(tmp_path / "proj")
    folder = project / where
    folder.mkdir(exist_ok=True)
    write_essay(project, "hidden.md", title="Hidden").rename(folder / "hidden.md")
    locked(folder)
    for command in ("build", "check --strict"):
        run = run_build(project, *command.split(), drop_root=True)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert f"{where}: this folder cannot be read: Permission denied" in run.err, run.err
    assert not (project / "site").exists()


@pytest.mark.usefixtures("restore_permissions")
@pytest.mark.parametrize("name", ["content/images/locked.png", "content/notes.pdf"])
def test_7_a_static_file_that_cannot_be_read_is_an_error_for_check_too(
    tmp_path: Path, name: str
) -> None:
    """`check --strict` never copies static files: it passed with one it could not read."""
    project = new_project(tmp_path / "proj")
    path = project / name
    path.write_bytes(b"data")
    locked(path)
    for command in ("build", "check --strict"):
        run = run_build(project, *command.split(), drop_root=True)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert f"{name}: this file cannot be read" in run.err, run.err


# --- 8: FIFOs, devices and sockets ------------------------------------------------------------


def make_special(path: Path, kind: str) -> None:
    """Make a FIFO, a character device that never ends (as /dev/zero), or a socket."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 5))
    else:  # bound by its name from its folder: a socket's whole path must fit in 108 bytes
        here = Path.cwd()
        os.chdir(path.parent)
        try:
            listener = socket.socket(socket.AF_UNIX)
            listener.bind(path.name)
            listener.close()
        finally:
            os.chdir(here)


@pytest.mark.parametrize("kind", ["fifo", "device", "socket"])
@pytest.mark.parametrize(
    "where",
    [
        "content/essays/pipe.md",
        "content/images/pipe.png",
        "content/notes.txt",
        "templates/essay.html",
        "assets/extra.css",
    ],
)
def test_8_special_files_are_errors_never_read(tmp_path: Path, kind: str, where: str) -> None:
    """Reading a FIFO waits forever, /dev/zero never ends (old: build hangs)."""
    if kind == "device" and not IS_ROOT:
        pytest.skip("only root can make a device file")
    project = new_project(tmp_path / "proj")
    make_special(project / where, kind)
    for command in ("build", "check"):
        run = run_build(project, command)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert run.error_lines == [
            f"{where}: is not a regular file (a FIFO, device or socket, which a build would "
            "wait on forever; remove it)"
        ], run.err


# --- 13: bounded output per input -------------------------------------------------------------

LONG = MAX_LINK_GROWTH // 200
"""Long enough that 200-odd uses pass the cap; the test files stay small."""


@pytest.mark.parametrize(
    "body, line",
    [
        (f"[r]: https://example.org/{'a' * LONG}\n\n" + "[x][r] " * 300, 0),
        (f"[r]: https://example.org/\n  '{'t' * LONG}'\n\n" + "[r] " * 300, 0),
        (f"[p]: ../images/pic.png?{'q' * LONG}\n\n" + "![a picture][p] " * 300, 0),
        ("Intro.\n\n" + f"[p]: <https://example.org/{'%41' * (LONG // 3)}>\n\n" + "[p] " * 300, 2),
        (
            "Intro.\n\n" + "".join(f"[{n}][r]\n" for n in range(300)) + f"\n[r]: /{'z' * LONG}\n",
            303,
        ),
    ],
    ids=["reference", "title", "picture", "angle-brackets", "defined-after-use"],
)
def test_13_links_that_multiply_a_body_are_a_located_error(
    tmp_path: Path, body: str, line: int
) -> None:
    """A link reference repeats its URL and title at each use: a 0.9 MB essay made a 2.6 GB
    site. Past MAX_LINK_GROWTH the build stops at the reference's line, writing nothing."""
    project = new_project(tmp_path / "proj")
    path = write_essay(project, "bomb.md", body=body)
    body_line = path.read_text(encoding="utf-8").split("\n").index("---", 1) + 2
    for command in ("build", "check"):
        run = build(project, command=command)
        assert run.status == 1 and "Traceback" not in run.err, run.err
        assert run.error_lines == [
            f"content/essays/bomb.md:{body_line + line}: links and pictures would add more "
            f"than {MAX_LINK_GROWTH:,} characters to the page (a long link reference used many "
            "times? write the link once, or shorten its address)"
        ], run.err
    assert not (project / "site").exists()


def test_13_a_long_essay_full_of_ordinary_links_builds(tmp_path: Path) -> None:
    """The cap is far from real essays: 1,000 references of 200 characters, used twice each."""
    project = new_project(tmp_path / "proj")
    refs = "".join(f"[r{n}]: https://example.org/{'p' * 180}/{n}\n" for n in range(1000))
    uses = "".join(f"See [this][r{n}] and [that][r{n}].\n\n" for n in range(1000))
    write_essay(project, "long.md", body=uses + "\n" + refs)
    run = build(project)
    assert run.status == 0, run.err
