"""Build hostile projects in tests: essays from YAML-safe values, builds without capsys, snapshots."""

from __future__ import annotations

import io
import os
import shutil
from contextlib import redirect_stderr, redirect_stdout
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from helpers.sinks import theme_scripts
from helpers.site import FIXTURES, Run, tree_digest
from roundtable.commands.cli import main

ESSAY = {"title": "Hostile", "author": "A. Writer", "roundtable": "alpha"}
"""The fields every test essay needs; tests override or add to them."""


def build(project: Path, *args: str, command: str = "build") -> Run:
    """Run a command in a project, in this process, capturing what it prints (no capsys needed)."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(project)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            status = main([command, *args])
    finally:
        os.chdir(here)
    return Run(status, out.getvalue(), err.getvalue())


def new_project(dest: Path) -> Path:
    """Copy the minimal fixture to `dest` and return it."""
    shutil.copytree(FIXTURES / "minimal", dest)
    return dest


def front_matter(fields: dict[str, Any]) -> str:
    """Return a front matter block that YAML reads back as exactly these values."""
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=10_000)
    return f"---\n{dumped}---\n"


def write_essay(project: Path, name: str, body: str = "Body.\n", **fields: Any) -> Path:
    """Write content/essays/<name> with the base essay fields, overridden by `fields`."""
    path = project / "content" / "essays" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front_matter({**ESSAY, **fields}) + body, encoding="utf-8")
    return path


def bulk_project(root: Path, count: int = 150) -> Path:
    """A project big enough that a build forks workers and takes about a second."""
    project = new_project(root / "proj")
    paragraph = "Some text with a [link](first.md) and *emphasis*. " * 30
    for n in range(count):
        write_essay(project, f"bulk-{n:03}.md", body=f"{paragraph}\n\n" * 4, title=f"Bulk {n}")
    return project


def touch_bulk_essays(project: Path) -> None:
    """Change every essay of a bulk project, so that the next build renders them all again."""
    for essay in (project / "content/essays").glob("bulk-*.md"):
        essay.write_text(essay.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")


def outside(root: Path, *inside: str) -> dict[str, str]:
    """Digest everything under `root` except the named top-level entries (e.g. the output)."""
    digest = tree_digest(root)
    return {
        path: value
        for path, value in digest.items()
        if not any(path == name or path.startswith(name + "/") for name in inside)
    }


@cache
def known_scripts() -> frozenset[str]:
    """Return the theme's own scripts, from a clean build of the minimal fixture."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        project = new_project(Path(folder) / "clean")
        run = build(project)
        assert run.status == 0, run.err
        return frozenset(theme_scripts(project / "site"))
