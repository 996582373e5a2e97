"""Shared fixtures: repo paths, headless Chromium, vnu and axe-core.

Tool fixtures skip when a tool is missing, except under CI=true, where they fail instead.  Under
ROUNDTABLE_NO_SKIPS=1 (set by .ci/run) every skip or xfail fails, with its reason (helpers/no_skips.py),
so CI can never pass by silently skipping.  Import helpers as ``from helpers.browser import ...``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pytest

TESTS_DIR = Path(__file__).resolve().parent
if str(TESTS_DIR) not in sys.path:  # make `helpers` importable under any import mode
    sys.path.insert(0, str(TESTS_DIR))

from helpers.browser import chromium_path, launch_browser  # noqa: E402
from helpers.no_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: E402, F401
from helpers.validators import axe_source, find_vnu, vnu_errors  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM_MISSING = "Chromium not found at /usr/bin/chromium (install with apt-get install chromium)"
PLAYWRIGHT_MISSING = "Playwright for Python not importable (pip install -e '.[test]')"
VNU_MISSING = "Java or vnu-jar not found (run npm ci; needs java)"
AXE_MISSING = "axe-core not found (run npm ci)"


def in_ci() -> bool:
    """Return True when running under CI (CI=true or 1)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def missing_tool(reason: str) -> NoReturn:
    """Skip the test for a missing tool, or fail it under CI."""
    if in_ci():
        pytest.fail(f"{reason} [CI=true: missing tools fail instead of skipping]", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Path of the repository checkout."""
    return TESTS_DIR.parent


@pytest.fixture(scope="session")
def browser_context() -> Iterator[BrowserContext]:
    """A headless Chromium context shared by the session (open your own pages in it)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing_tool(PLAYWRIGHT_MISSING)
    if chromium_path() is None:
        missing_tool(CHROMIUM_MISSING)
    with launch_browser() as context:
        yield context


@pytest.fixture
def page(browser_context: BrowserContext) -> Iterator[Page]:
    """A fresh page in the shared browser context, closed after the test."""
    new_page = browser_context.new_page()
    try:
        yield new_page
    finally:
        new_page.close()


@pytest.fixture(scope="session")
def vnu() -> Callable[[Sequence[Path]], list[str]]:
    """The vnu_errors function: validate HTML files, return 'file:line: message' errors."""
    if find_vnu() is None:
        missing_tool(VNU_MISSING)
    return vnu_errors


@pytest.fixture(scope="session")
def axe() -> str:
    """The axe-core source (axe.min.js), to pass to helpers.browser.axe_violations."""
    source = axe_source()
    if source is None:
        missing_tool(AXE_MISSING)
    return source


@pytest.fixture(scope="session")
def bilingual_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bilingual fixture project, built once for the session (read it, never edit it)."""
    from helpers.site import FIXTURES, copy_project, run_subprocess

    project = copy_project(FIXTURES / "bilingual", tmp_path_factory.mktemp("bilingual") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    return project / "site"
