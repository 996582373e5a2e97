"""Smoke tests of the test harness itself: vnu, the HTTP server, Chromium, axe-core, no-skips."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.browser import axe_violations, format_violations, serve_directory
from helpers.no_skips import NO_SKIPS
from helpers.site import REPO

if TYPE_CHECKING:
    from playwright.sync_api import Page

GOOD_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Harness check</title></head>
<body><main><h1>Harness check</h1><p>{body}</p></main></body>
</html>
"""
BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title></head>
<body><p><div></p></body>
</html>
"""
CSP_META = '<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">'


def write_page(path: Path, body: str = "Hello.", head: str = "") -> Path:
    """Write a small valid page with body text (HTML) and extra head markup."""
    path.parent.mkdir(parents=True, exist_ok=True)
    html = GOOD_PAGE.format(body=body).replace("<head>", f"<head>{head}")
    path.write_text(html, encoding="utf-8")
    return path


def http_status(url: str) -> int:
    """Return the HTTP status of a GET to url (redirects are followed)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_vnu_separates_valid_from_broken(
    tmp_path: Path, vnu: Callable[[Sequence[Path]], list[str]]
) -> None:
    """One vnu run reports errors for the broken file only, as file:line: message."""
    good = write_page(tmp_path / "good.html")
    broken = tmp_path / "broken.html"
    broken.write_text(BROKEN_PAGE, encoding="utf-8")
    errors = vnu([good, broken])
    assert not [e for e in errors if e.startswith(f"{good}:")], errors
    broken_errors = [e for e in errors if e.startswith(f"{broken}:")]
    assert broken_errors, errors
    assert broken_errors[0].split(":")[1].isdigit(), broken_errors


def test_serve_directory_mount(tmp_path: Path) -> None:
    """Files map under the mount, folders serve index.html, anything else is a 404."""
    write_page(tmp_path / "index.html")
    write_page(tmp_path / "essays" / "one" / "index.html")
    (tmp_path / "empty").mkdir()
    with serve_directory(tmp_path, mount="/forum/") as base:
        assert base.endswith("/forum/")
        origin = base.removesuffix("forum/")
        assert http_status(base) == 200
        assert http_status(base + "essays/one/") == 200
        assert http_status(base + "essays/one") == 200  # redirected to the slash form
        assert http_status(base.rstrip("/")) == 200  # /forum -> /forum/
        assert http_status(base + "essays/two/") == 404
        assert http_status(base + "empty/") == 404  # no listings
        assert http_status(origin + "index.html") == 404  # outside the mount
        with urllib.request.urlopen(base + "essays/one/?q=1", timeout=10) as resp:
            assert b"Harness check" in resp.read()


def test_axe_passes_clean_page(tmp_path: Path, page: Page, axe: str) -> None:
    """A small, well-formed page served under a mount has no axe violations."""
    write_page(tmp_path / "index.html")
    with serve_directory(tmp_path, mount="/forum/") as base:
        page.goto(base)
        assert page.title() == "Harness check"
        violations = axe_violations(page, axe)
    assert violations == [], format_violations(violations)


@pytest.mark.parametrize("head", ["", CSP_META], ids=["plain", "csp"])
def test_axe_flags_missing_alt(tmp_path: Path, page: Page, axe: str, head: str) -> None:
    """An img without alt is reported as image-alt, even when the page's CSP blocks scripts."""
    write_page(tmp_path / "index.html", body='<img src="x">', head=head)
    with serve_directory(tmp_path, mount="/forum/") as base:
        page.goto(base)
        violations = axe_violations(page, axe)
    ids = [v["id"] for v in violations]
    assert "image-alt" in ids, format_violations(violations)
    image_alt = next(v for v in violations if v["id"] == "image-alt")
    assert image_alt["nodes"] == ["img"]


SKIPPING_TESTS = """
import pytest

@pytest.fixture
def tool():
    pytest.skip("the fixture lacks its tool")

def test_skip():
    pytest.skip("no tool here")

@pytest.mark.skipif(True, reason="not on this machine")
def test_skipif():
    pass

@pytest.mark.xfail(reason="a known bug")
def test_xfail():
    assert False

@pytest.mark.xfail(reason="a fixed bug")
def test_xpass():
    pass

def test_imperative_xfail():
    pytest.xfail("gave up")

def test_fixture_skip(tool):
    pass

def test_passes():
    pass
"""
SKIP_REASONS = [
    "the fixture lacks its tool",
    "no tool here",
    "not on this machine",
    "a known bug",
    "a fixed bug",
    "gave up",
    "No module named 'no_such_module_for_the_no_skips_test'",
]


def run_pytest_on_skips(folder: Path, no_skips: str) -> str:
    """Run pytest with the no-skips hooks on tests that skip in every way; return its output."""
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (folder / "test_skips.py").write_text(SKIPPING_TESTS, encoding="utf-8")
    (folder / "test_module_skip.py").write_text(
        'import pytest\npytest.importorskip("no_such_module_for_the_no_skips_test")\n',
        encoding="utf-8",
    )
    env = {**os.environ, NO_SKIPS: no_skips, "PYTHONPATH": str(REPO / "tests")}
    plugins = ["-p", "helpers.no_skips", "-p", "no:cacheprovider"]
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *plugins, "-rA", "--continue-on-collection-errors"],
        cwd=folder,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return proc.stdout.splitlines()[-1] + "\n" + proc.stdout


def test_no_skips_fails_every_skip_and_xfail_with_its_reason(tmp_path: Path) -> None:
    """Under ROUNDTABLE_NO_SKIPS=1, skip, skipif, importorskip, skips in fixtures, xfail marks,
    pytest.xfail and an xpass each fail, naming the reason; without it they skip as usual."""
    strict = run_pytest_on_skips(tmp_path, "1")
    summary = strict.splitlines()[0]
    assert summary.startswith("=") and "4 failed, 1 passed, 3 errors" in summary, strict
    assert "skipped" not in summary and "xfail" not in summary and "xpass" not in summary, strict
    for reason in SKIP_REASONS:
        assert f"{reason} [{NO_SKIPS}=1: a skip or xfail is a failure]" in strict, reason
    relaxed = run_pytest_on_skips(tmp_path, "0").splitlines()[0]
    assert "1 passed, 4 skipped, 2 xfailed, 1 xpassed" in relaxed, relaxed
