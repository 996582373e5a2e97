"""The print stylesheet: an essay printed from Chromium keeps the essay, its disclaimer and its
citation, shows the address of each outside link, and drops the site's navigation."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pypdf
import pytest
from helpers.browser import serve_directory
from helpers.site import run_subprocess, sample_project

if TYPE_CHECKING:
    from playwright.sync_api import Page

ESSAY = "essays/follow-the-money-together/"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site, built once and served under its base path."""
    project = sample_project(tmp_path_factory.mktemp("print"))
    run = run_subprocess(["build", "--pdf"], project)
    assert run.status == 0, run.err
    with serve_directory(project / "site", mount="/forum/") as url:
        yield url


def printed(page: Page, url: str) -> str:
    """Print a page to PDF as Chromium does, and return its text on one line."""
    page.goto(url, wait_until="networkidle")
    reader = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4")))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def test_printed_essay_keeps_text_disclaimer_and_citation(served: str, page: Page) -> None:
    text = printed(page, served + ESSAY)
    assert "Follow the Money, Together" in text
    assert "For the United States and Mexico in 2021, that area is money." in text
    assert "those of the authors alone and do not necessarily" in text  # the disclaimer
    assert "CITE THIS ESSAY" in text.upper()
    assert "Peña Ibáñez, M. (2021, March 1)." in text  # APA, with the family name from authors.yml
    assert "Mariana Peña Ibáñez is research director" in text  # the bio


def test_printed_essay_has_no_navigation(served: str, page: Page) -> None:
    text = printed(page, served + ESSAY)
    for navigation in (
        "Skip to main content",
        "Search the site",
        "Return to",
        "Next",
        "Stemming the Southbound Flow",  # the next essay's title, in the pager
        "Also in",
        "Español",
        "All topics",
        "Download this essay",
        "Published by",
        "BibTeX",
        "Copy",
    ):
        assert navigation not in text, navigation


def test_printed_essay_shows_where_outside_links_lead(served: str, page: Page) -> None:
    text = printed(page, served + ESSAY).replace(" ", "")
    assert "FinancialActionTaskForce(https://www.fatf-gafi.org/)" in text


def test_printed_spanish_essay_reads_in_spanish(served: str, page: Page) -> None:
    text = printed(page, served + "essays/sigamos-juntos-el-rastro-del-dinero/")
    assert "CÓMO CITAR ESTE ENSAYO" in text.upper()
    assert "Este ensayo forma parte de" in text
    assert "Volver a" not in text and "Siguiente" not in text
