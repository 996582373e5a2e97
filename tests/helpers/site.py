"""Build sites in tests and inspect what came out: parsed pages, links, digests."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from roundtable.commands.cli import main

LOCATED = re.compile(r"^[^\s:]+(:\d+)?: ")
"""A `path:line: message` line (the line number is absent for whole-file problems)."""
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
HANG_SECONDS = 10.0
"""How long to wait for a process to end before calling it hung (how fast anything is: bench/)."""


@dataclass
class Run:
    """The outcome of one command: exit status and what it printed."""

    status: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        """Return the `path:line: message` lines of errors (no warnings, no closing summary)."""
        return [line for line in self.located_lines if ": warning: " not in line]

    @property
    def located_lines(self) -> list[str]:
        """Return every `path:line: message` line, errors and warnings."""
        return [line for line in self.err.splitlines() if LOCATED.match(line)]


def run_cli(args: list[str], cwd: Path, capsys: object) -> Run:
    """Run the CLI in this process (fast), from `cwd`, capturing its output."""
    old = Path.cwd()
    os.chdir(cwd)
    try:
        status = main(args)
    finally:
        os.chdir(old)
    captured = capsys.readouterr()  # type: ignore[attr-defined]
    return Run(status, captured.out, captured.err)


def run_subprocess(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> Run:
    """Run `python build.py ...` as a user would, in a fresh interpreter (at most `timeout` s)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project folder (content/ and maybe templates/) into a test's tmp folder."""
    shutil.copytree(source, dest)
    return dest


def sample_project(dest: Path) -> Path:
    """Copy the repository's sample content into `dest`/content."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", dest / "content")
    return dest


def tree_digest(root: Path) -> dict[str, str]:
    """Hash every file under a folder by relative path (symlinks by target)."""
    digest = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            digest[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            digest[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def soup(path: Path) -> BeautifulSoup:
    """Parse an HTML file."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url_path: str) -> BeautifulSoup:
    """Parse the page at a site path like 'essays/x/'."""
    target = site / url_path
    return soup(target / "index.html" if url_path == "" or url_path.endswith("/") else target)


def html_files(site: Path) -> list[Path]:
    """Return every reader's page of a built site: its HTML files, but the editor's (admin/)."""
    return sorted(p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != "admin")


def broken_links(site: Path, base_path: str = "/") -> list[str]:
    """Follow every internal href/src of every page; return the ones that lead nowhere."""
    problems = []
    for html in html_files(site):
        document = soup(html)
        for tag, attr in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for element in document.find_all(tag):
                url = element.get(attr)
                if url and not _resolves(site, html, str(url), base_path):
                    problems.append(f"{html.relative_to(site)}: {tag} {attr}={url}")
    return problems


def _resolves(site: Path, page_file: Path, url: str, base_path: str) -> bool:
    """Return True when an internal link names an existing file (and anchor)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return True
    if parts.path.startswith("/"):
        if not parts.path.startswith(base_path):
            return False
        target = site / unquote(parts.path[len(base_path) :])
    elif parts.path:
        target = page_file.parent / unquote(parts.path)
    else:
        target = page_file
    target = target.resolve()
    if not target.is_relative_to(site.resolve()):
        return False
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return False
    if parts.fragment and target.suffix == ".html":
        return soup(target).find(id=unquote(parts.fragment)) is not None
    return True
