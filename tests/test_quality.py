"""What readers get from the sample site: valid HTML, no axe violations, a working reading path
in a real browser, a light page weight, and Lighthouse scores (those that do not time the page)."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import missing_tool
from helpers.browser import axe_violations, chromium_path, format_violations, serve_directory
from helpers.site import html_files, run_subprocess, sample_project
from helpers.validators import lighthouse_cmd, run_lighthouse

if TYPE_CHECKING:
    from playwright.sync_api import Page

READER_PAGES = {
    "home": "",
    "roundtable": "roundtables/us-mexico-security-cooperation/",
    "essay": "essays/southbound-firearms/",
    "essay with footnotes": "essays/extradition-without-trust/",
    "unsigned essay with a figure": "essays/shared-manifests-brief/",
    "republished and translated essay": "essays/consuls-view/",
    "author": "authors/rebecca-stroud/",
    "translated essay": "essays/sigamos-juntos-el-rastro-del-dinero/",
    "topic": "topics/fentanyl/",
    "topics": "topics/",
    "search": "search/?q=firearms",
}


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content, built once for this module."""
    project = sample_project(tmp_path_factory.mktemp("sample"))
    run = run_subprocess([], project)
    assert run.status == 0, run.err
    return project / "site"


@pytest.fixture(scope="module")
def served(sample_site: Path) -> Iterator[str]:
    """The sample site over HTTP under its base path, as a host would serve it."""
    with serve_directory(sample_site, mount="/forum/") as url:
        yield url


def test_every_page_is_valid_html(
    sample_site: Path, vnu: Callable[[Sequence[Path]], list[str]]
) -> None:
    assert vnu(html_files(sample_site)) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(READER_PAGES))
def test_no_axe_violations(name: str, scheme: str, served: str, page: Page, axe: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(served + READER_PAGES[name])
    violations = axe_violations(page, axe)
    assert violations == [], format_violations(violations)


def test_reader_goes_home_to_roundtable_to_essay_and_back(served: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served)
    page.get_by_role(
        "link", name="Rethinking U.S.–Mexico Security Cooperation Roundtable"
    ).first.click()
    assert page.url.endswith("/forum/roundtables/us-mexico-security-cooperation/")
    page.locator("#rt-essays").locator("xpath=..").get_by_role(
        "link", name="Stemming the Southbound Flow of Firearms"
    ).click()
    assert page.url.endswith("/forum/essays/southbound-firearms/")
    assert page.locator("h1").inner_text() == "Stemming the Southbound Flow of Firearms"
    page.get_by_role("link", name="Return to Security Cooperation Roundtable").click()
    assert page.url.endswith("/forum/roundtables/us-mexico-security-cooperation/")
    assert "Security Cooperation" in page.locator("h1").inner_text()
    assert errors == []


def test_images_and_stylesheet_load(served: str, page: Page) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(served + READER_PAGES["essay"], wait_until="networkidle")
    assert failed == []
    assert page.evaluate("document.querySelector('figure img').naturalWidth") > 0
    assert page.evaluate("getComputedStyle(document.body).fontFamily") != "Times New Roman"


def test_essay_page_weighs_at_most_20_kb_gzipped(sample_site: Path) -> None:
    essay = sample_site / READER_PAGES["essay"] / "index.html"
    parts = [
        essay,
        *sorted((sample_site / "assets").glob("*.css")),
        *sorted((sample_site / "assets").glob("*.js")),
    ]
    total = sum(len(gzip.compress(part.read_bytes(), mtime=0)) for part in parts)
    assert total <= 20 * 1024, f"{total} bytes gzipped"


LIGHTHOUSE_PAGES = ["home", "roundtable", "essay"]
PAGE_WEIGHT_AUDITS = [
    "cumulative-layout-shift",
    "dom-size",
    "font-display",
    "lcp-lazy-loaded",
    "legacy-javascript",
    "modern-image-formats",
    "no-document-write",
    "offscreen-images",
    "total-byte-weight",
    "unminified-javascript",
    "unsized-images",
    "unused-css-rules",
    "unused-javascript",
    "uses-responsive-images",
]
"""Lighthouse's performance audits that measure the page, not the clock. The performance score
itself comes from paint times under simulated throttling, which a busy machine lowers (0.9 and
0.99 seen on the shared CI machine): speed is measured in bench/, not asserted here."""


@pytest.mark.parametrize("name", LIGHTHOUSE_PAGES)
def test_lighthouse_scores(name: str, served: str) -> None:
    chrome = chromium_path()
    if chrome is None or lighthouse_cmd() is None:
        missing_tool("Lighthouse (npm ci) or Chromium (apt-get install chromium) not found")
    report = run_lighthouse(
        served + READER_PAGES[name],
        chrome,
        categories=("performance", "accessibility", "best-practices", "seo"),
    )
    categories: dict[str, Any] = report["categories"]  # type: ignore[assignment]
    scores = {key: categories[key]["score"] for key in ("accessibility", "best-practices", "seo")}
    assert scores == {"accessibility": 1, "best-practices": 1, "seo": 1}
    audits: dict[str, Any] = report["audits"]  # type: ignore[assignment]
    weight = {key: audits[key]["score"] for key in PAGE_WEIGHT_AUDITS}
    assert weight == dict.fromkeys(PAGE_WEIGHT_AUDITS, 1)
