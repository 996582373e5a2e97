"""Hardening, plan section C: a failing disk, unreadable or vanishing files, crashes, kills and
planted symlinks never cost the last good site, and the next build recovers."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.hostile import build, new_project, outside, write_essay
from helpers.site import FIXTURES, REPO, page, tree_digest

import roundtable.content.read
import roundtable.pipeline
import roundtable.render.pages
from roundtable import write
from roundtable.write import MARKER

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The minimal project, built; returns it with its site's digest."""
    project = new_project(tmp_path / "proj")
    run = build(project)
    assert run.status == 0, run.err
    return project, tree_digest(project / "site")


def edit_every_essay(project: Path) -> None:
    """Change every essay, so the next build has pages to write."""
    for essay in (project / "content/essays").glob("*.md"):
        essay.write_text(essay.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")


def leftovers(project: Path) -> list[str]:
    """Return staging or old folders left beside the output."""
    return sorted(p.name for p in project.glob("site.*"))


# --- C34 disk full ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["whole", "incremental"])
def test_c34_disk_full_names_the_output_file_and_keeps_the_site(
    built: tuple[Path, dict[str, str]], how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C34: ENOSPC from write() (which carries no file name) is reported with the output file
    it was writing; the previous site is intact and no staging folder is left."""
    project, before = built
    edit_every_essay(project)
    if how == "whole":
        shutil.rmtree(project / ".roundtable-cache")
    calls = {"n": 0}
    real = write.write_file

    def full_disk(path: str, data: bytes) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(write, "write_file", full_disk)
    run = build(project)
    monkeypatch.undo()
    assert run.status == 1 and "Traceback" not in run.err
    lines = [line for line in run.err.splitlines() if "(the previous site is unchanged)" in line]
    assert len(lines) == 1 and lines[0].startswith("site/"), run.err
    assert re.fullmatch(
        r"site/\S+\.(html|xml): No space left on device \(the previous site is unchanged\)",
        lines[0],
    ), lines[0]
    assert tree_digest(project / "site") == before
    assert leftovers(project) == []


DISK_FULL_SCRIPT = """
import json, os, pathlib, shutil, subprocess, sys
root, repo = pathlib.Path(sys.argv[1]), sys.argv[2]
mount = root / "disk"
mount.mkdir()
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
def build():
    return subprocess.run([sys.executable, repo + "/build.py", "build", "--content",
        str(root / "proj/content"), "--output", str(mount / "site")], capture_output=True, text=True)
def digest():
    return {str(p.relative_to(mount)): p.read_bytes().hex()[:64] + str(p.stat().st_size)
            for p in sorted((mount / "site").rglob("*")) if p.is_file()}
first = build()
before = digest()
(root / "proj/content/images/big.bin").write_bytes(os.urandom(20 * 1024 * 1024))
second = build()
after = digest()
left = sorted(p.name for p in mount.iterdir())
print(json.dumps({"first": first.returncode, "second": second.returncode, "err": second.stderr,
                  "same": before == after, "left": left}))
"""


def mount_namespace() -> list[str] | None:
    """Return the unshare command that gives a private mount namespace here (as root, or else in
    a user namespace), or None where neither works."""
    if shutil.which("unshare") is None:
        return None
    for command in (["unshare", "-m"], ["unshare", "-r", "-m"]):
        if subprocess.run([*command, "true"], capture_output=True, check=False).returncode == 0:
            return command
    return None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux mount namespaces")
def test_c34_a_real_full_disk_keeps_the_site(tmp_path: Path) -> None:
    """C34 on a real 16 MB tmpfs (the site with its CMS bundle is ~7 MB) (in a private mount namespace): a build that no longer fits
    fails with ENOSPC naming a file, and the site on that disk is left exactly as it was."""
    new_project(tmp_path / "proj")
    unshare = mount_namespace()
    if unshare is None:
        pytest.skip(
            "cannot make a mount namespace here (needs unshare, and root or user namespaces)"
        )
    proc = subprocess.run(
        [*unshare, sys.executable, "-c", DISK_FULL_SCRIPT, str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["first"] == 0 and result["second"] == 1, result
    assert "No space left on device" in result["err"] and "Traceback" not in result["err"]
    assert result["same"], result
    assert result["left"] == [".roundtable-cache", "site"], result


# --- C35 permission denied --------------------------------------------------------------------


def test_c35_unreadable_essay_is_a_located_error(
    built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """C35: an essay that cannot be read (chmod 000, simulated: we run as root in CI)."""
    project, before = built
    real = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self.name == "second.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    run = build(project, "--no-cache")
    monkeypatch.undo()
    assert run.status == 1 and "Traceback" not in run.err
    named = [line for line in run.err.splitlines() if "content/essays/second.md: " in line]
    assert len(named) == 1 and "Permission denied" in named[0], run.err
    assert tree_digest(project / "site") == before


def without_root_reading(command: list[str]) -> list[str]:
    """Prefix a command so that, run as root, it cannot read files its mode forbids.

    Root reads any file through CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; setpriv drops both from
    the bounding set, so the kernel checks the file's mode as for anyone else.
    """
    if not IS_ROOT:
        return command
    if shutil.which("setpriv") is None:
        pytest.skip("root reads any file, and setpriv (util-linux) is missing to drop that power")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]


def test_c35_chmod_000_essay_for_real(built: tuple[Path, dict[str, str]]) -> None:
    """C35 with real permissions: a chmod 000 essay, read by a build that cannot bypass them."""
    project, before = built
    essay = project / "content/essays/second.md"
    essay.chmod(0)
    try:
        command = without_root_reading([sys.executable, str(REPO / "build.py"), "build"])
        proc = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    finally:
        essay.chmod(0o644)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "second.md: cannot read the file: Permission denied" in proc.stderr, proc.stderr
    assert tree_digest(project / "site") == before


def test_c35_unreadable_template_and_read_only_parent(
    built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """C35: an unreadable template, and a parent folder where the staging folder cannot be
    made: each a one-line error naming the path, exit 1, the site intact."""
    project, before = built
    (project / "templates").mkdir()
    (project / "templates/404.html").write_text("{% extends 'base.html' %}")
    real_open = open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if str(file).endswith("templates/404.html"):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", guarded_open)
    run = build(project, "--no-cache")
    monkeypatch.undo()
    assert run.status == 1 and "Traceback" not in run.err
    assert "Permission denied" in run.err and "404.html" in run.err
    assert tree_digest(project / "site") == before
    shutil.rmtree(project / "templates")

    edit_every_essay(project)
    real_mkdir = Path.mkdir

    def read_only(self: Path, *args: object, **kwargs: object) -> None:
        if ".tmp-" in self.name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", read_only)
    run = build(project)
    monkeypatch.undo()
    assert run.status == 1 and "Traceback" not in run.err
    assert ".tmp-" in run.err and "Permission denied" in run.err
    assert tree_digest(project / "site") == before


# --- C36 files vanishing mid-build ------------------------------------------------------------


def test_c36_file_deleted_between_discovery_and_reading(
    built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """C36: an essay and a picture deleted after the folder was listed: located errors, no
    traceback, the site intact; the next build succeeds without them."""
    project, before = built
    real = roundtable.content.read.discover

    def then_delete(*args: object, **kwargs: object) -> object:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        (project / "content/essays/third.md").unlink()
        (project / "content/images/pic.png").unlink()
        return found

    monkeypatch.setattr(roundtable.content.read, "discover", then_delete)
    run = build(project, "--no-cache")
    monkeypatch.undo()
    assert run.status == 1 and "Traceback" not in run.err
    errors = "\n".join(run.error_lines)
    assert "content/essays/third.md: cannot read the file: No such file or directory" in errors
    assert "content/essays/pictured.md:7: image.src: 'images/pic.png'" in errors
    assert tree_digest(project / "site") == before
    shutil.copyfile(FIXTURES / "minimal/content/images/pic.png", project / "content/images/pic.png")
    assert build(project).status == 0
    assert not (project / "site/essays/third").exists()


def test_c36_file_renamed_while_pages_render(
    built: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """C36: a rename while pages render: the build publishes the content as it read it (nothing
    reads a body again once it is converted), with no traceback; the next build follows the
    rename."""
    project, _ = built
    edit_every_essay(project)
    real = roundtable.pipeline.render_pages

    def then_rename(*args: object, **kwargs: object) -> object:
        os.replace(project / "content/essays/third.md", project / "content/essays/renamed.md")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(roundtable.pipeline, "render_pages", then_rename)
    run = build(project)
    monkeypatch.undo()
    assert run.status == 0 and "Traceback" not in run.err, run.err
    assert (project / "site/essays/third/index.html").is_file()
    assert build(project).status == 0
    assert (project / "site/essays/renamed/index.html").is_file()
    assert not (project / "site/essays/third").exists()


# --- C37 crashes and kills --------------------------------------------------------------------


def add_bulk_essays(project: Path, count: int) -> None:
    """Add `count` essays, enough that rendering and writing take a while."""
    paragraph = "Some text with a [link](first.md) and *emphasis*. " * 30
    for n in range(count):
        write_essay(project, f"bulk-{n:03}.md", body=f"{paragraph}\n\n" * 4, title=f"Bulk {n}")


def test_c37_crash_while_rendering_essay_50_of_100(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C37: a bug (not a template mistake) raised while rendering the 50th essay: the site is
    exactly as before, no staging folder is left, and the next build succeeds."""
    project = new_project(tmp_path / "proj")
    add_bulk_essays(project, 96)
    assert build(project).status == 0
    before = tree_digest(project / "site")
    edit_every_essay(project)
    real = roundtable.render.pages._render
    calls = {"essays": 0}

    def crash(env: object, theme: object, site: object, page: object, *rest: object) -> bytes:
        if getattr(page, "template", "") == "essay.html":
            calls["essays"] += 1
            if calls["essays"] == 50:
                raise RuntimeError("a bug in the middle of the build")
        return real(env, theme, site, page, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(roundtable.render.pages, "_render", crash)
    with pytest.raises(RuntimeError, match="a bug"):
        build(project, "--no-cache")
    monkeypatch.undo()
    assert calls["essays"] == 50
    assert tree_digest(project / "site") == before
    assert leftovers(project) == []
    assert build(project).status == 0


def pages_of(site: Path) -> dict[str, str]:
    """Return a site's digest without its marker (which also names the theme's version) and
    without Pagefind's bundle, which Pagefind makes (once, under heavy load, with an empty
    pagefind-entry.json: a Pagefind matter, not the writer's)."""
    return {
        path: value
        for path, value in tree_digest(site).items()
        if path != MARKER and not path.startswith("pagefind/")
    }


def kill_at(project: Path, moment: str, rng: random.Random) -> int:
    """Start a build in a subprocess and SIGKILL it: at a random time, or just after its
    staging folder appears (in the write phase); return its exit status."""
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    if moment == "random":
        time.sleep(rng.uniform(0.3, 1.8))
    else:
        while time.monotonic() < deadline and proc.poll() is None:
            if list(project.glob("site.tmp-*")):
                time.sleep(rng.uniform(0, 0.08))
                break
            time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=20)


def test_c37_sigkill_at_random_moments_then_the_next_build_recovers(tmp_path: Path) -> None:
    """C37: a build killed with SIGKILL, whole or incremental, at random moments and in its
    write phase. After each kill the output is the old site, the new site, or (only for an
    in-place update) marked as updating; the next build cleans up and equals a clean build."""
    project = new_project(tmp_path / "proj")
    add_bulk_essays(project, 80)
    assert build(project).status == 0
    rng = random.Random(int(os.environ.get("ROUNDTABLE_KILL_SEED", "7")))
    for round_ in range(4):
        before = pages_of(project / "site") if (project / "site").is_dir() else None
        write_essay(project, f"bulk-{rng.randrange(80):03}.md", title=f"Edit {round_}")
        if round_ % 2:
            shutil.rmtree(project / ".roundtable-cache", ignore_errors=True)
        status = kill_at(project, "random" if round_ < 2 else "staging", rng)
        site_after_kill = pages_of(project / "site") if (project / "site").is_dir() else None
        marker = (project / "site" / MARKER).read_text() if site_after_kill else ""
        mid_update = (project / "site" / MARKER).is_file() and (
            project / "site" / MARKER
        ).read_text() in ("updating", "unsafe")

        recovered = build(project)
        assert recovered.status == 0, recovered.err
        assert leftovers(project) == []
        clean = build(project, "--no-cache", "--output", "clean")
        assert clean.status == 0, clean.err
        expected = pages_of(project / "clean")
        assert pages_of(project / "site") == expected, round_
        marker_now = (project / "site" / MARKER).read_text()
        assert marker_now == (project / "clean" / MARKER).read_text(), round_
        shutil.rmtree(project / "clean")
        # Between the kill and the recovery, the output was the old site or the new one (or,
        # killed between the two renames of a swap, absent: the old site is then site.old-*);
        # only an in-place update may be half done, and its marker then says so.
        assert status != 0 or site_after_kill == expected, round_
        assert mid_update or site_after_kill in (before, expected, None), (round_, marker)


# --- C38 staging across file systems ----------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs a tmpfs at /dev/shm")
def test_c38_staging_is_beside_the_output_whatever_tmpdir_says(
    built: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """C38: TMPDIR on a tmpfs and the output on disk, then the output on the tmpfs and the
    content on disk: both builds swap without EXDEV, staging always a sibling of the output."""
    project, _ = built
    edit_every_essay(project)
    shm = Path(f"/dev/shm/roundtable-{os.getpid()}")
    shm.mkdir()
    try:
        env = {**os.environ, "TMPDIR": str(shm)}
        for output in (project / "site", shm / "site"):
            proc = subprocess.run(
                [sys.executable, str(REPO / "build.py"), "build", "--output", str(output)],
                cwd=project,
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            assert proc.returncode == 0, proc.stderr
            assert (output / "index.html").is_file() and not list(output.parent.glob("site.*"))
        assert list(shm.iterdir()) and sorted(p.name for p in shm.iterdir()) == [
            ".roundtable-cache",
            "site",
        ]
    finally:
        shutil.rmtree(shm)


# --- C39, C40 symlinks in sources -------------------------------------------------------------


def test_c39_c40_symlinks_and_loops_in_content_are_refused_one_by_one(tmp_path: Path) -> None:
    """C39, C40: a file link out, a folder link to /, a link within the project, a loop and a
    two-link cycle: each named, nothing followed, quickly."""
    project = new_project(tmp_path / "proj")
    content = project / "content"
    (content / "leak.md").symlink_to("/etc/hostname")
    (content / "more").symlink_to("/")
    (content / "images/alias.png").symlink_to("pic.png")
    (content / "loop").symlink_to(".")
    (content / "a").symlink_to("b")
    (content / "b").symlink_to("a")
    run = build(project)
    assert run.status == 1
    linked = sorted(line.split(": ")[0] for line in run.error_lines)
    assert linked == [
        "content/a",
        "content/b",
        "content/images/alias.png",
        "content/leak.md",
        "content/loop",
        "content/more",
    ]
    assert all("symbolic links are not allowed" in line for line in run.error_lines)


def test_c39_symlinks_in_assets_are_never_copied(tmp_path: Path) -> None:
    """C39: links in the site's assets/ (a folder link out of the project, a file link) are
    not followed: nothing they point at reaches the site."""
    project = new_project(tmp_path / "proj")
    (tmp_path / "canary").mkdir()
    (tmp_path / "canary/secret.txt").write_text("canary secret")
    (project / "assets").mkdir()
    (project / "assets/keys").symlink_to(tmp_path / "canary")
    (project / "assets/hostname.txt").symlink_to("/etc/hostname")
    run = build(project)
    assert run.status == 1 and "assets/keys" in run.err and "assets/hostname.txt" in run.err
    assert not (project / "site").exists()


def test_c39_symlinks_in_templates_and_assets_are_errors(tmp_path: Path) -> None:
    """C39 (design rule 6): a link in templates/ or assets/ is an error naming it."""
    project = new_project(tmp_path / "proj")
    (tmp_path / "secrets.txt").write_text("{{ 'secret read' }}")
    (project / "templates").mkdir()
    (project / "templates/404.html").symlink_to(tmp_path / "secrets.txt")
    (project / "assets").mkdir()
    (project / "assets/loop").symlink_to(".")
    run = build(project)
    assert run.status == 1
    assert "templates/404.html" in run.err and "assets/loop" in run.err


# --- C41 booby-trapped output -----------------------------------------------------------------


@pytest.mark.parametrize("how", ["whole", "incremental"])
def test_c41_symlink_planted_in_the_output_is_never_written_through(
    built: tuple[Path, dict[str, str]], tmp_path: Path, how: str
) -> None:
    """C41: site/essays replaced with a link to a canary folder. A whole build replaces the
    output; an in-place update stops before writing, names the link, and marks the output so
    the next build replaces it whole. The canary never changes; site/essays ends up real."""
    project, _ = built
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("untouched")
    shutil.rmtree(project / "site/essays")
    (project / "site/essays").symlink_to(canary)
    edit_every_essay(project)
    if how == "whole":
        shutil.rmtree(project / ".roundtable-cache")
    else:
        first = build(project)
        assert first.status == 1 and "Traceback" not in first.err
        assert first.err.startswith("site/essays: is a symbolic link inside the output folder")
        assert (project / "site/essays").is_symlink()
    run = build(project)
    assert run.status == 0, run.err
    assert tree_digest(canary) == {"keep.txt": tree_digest(canary)["keep.txt"]}
    assert (canary / "keep.txt").read_text() == "untouched"
    assert not (project / "site/essays").is_symlink()
    assert (project / "site/essays/first/index.html").is_file()
    assert outside(tmp_path, "proj", "canary") == {}


# --- C42 stale output --------------------------------------------------------------------------


def test_c42_deleted_and_reslugged_essays_leave_nothing_stale(
    built: tuple[Path, dict[str, str]],
) -> None:
    """C42: delete an essay, change another's slug: their pages are gone, and no index,
    sitemap or feed still lists them."""
    project, _ = built
    (project / "content/essays/third.md").unlink()
    second = project / "content/essays/second.md"
    second.write_text(second.read_text().replace("---\n", "---\nslug: second-two\n", 1))
    run = build(project)
    assert run.status == 0, run.err
    site = project / "site"
    assert not (site / "essays/third").exists() and not (site / "essays/second").exists()
    assert (site / "essays/second-two/index.html").is_file()
    for path in [p for p in site.rglob("*") if p.suffix in (".html", ".xml", ".txt", ".json")]:
        text = path.read_text(encoding="utf-8")
        assert "essays/third/" not in text and "essays/second/" not in text, path
    assert "Third Essay" not in page(site, "roundtables/alpha/").get_text()
