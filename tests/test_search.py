"""Full-text search: the Pagefind index in the output, the search page in Chromium, and a build
that goes on without the index when Pagefind cannot run."""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from helpers.browser import serve_directory
from helpers.site import FIXTURES, broken_links, copy_project, html_files, run_cli, run_subprocess
from helpers.site import page as parse_page

from roundtable.publish import search

if TYPE_CHECKING:
    from playwright.sync_api import Page

T = TypeVar("T")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once for this module."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("search") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    assert run.err == ""
    return project / "site"


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """The built fixture over HTTP under its base path."""
    with serve_directory(built, mount="/forum/") as url:
        yield url


def test_index_holds_the_essays_and_roundtables(built: Path) -> None:
    entry = json.loads((built / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["en"]["page_count"] == 6  # four essays, two roundtables
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css"):
        assert (built / "pagefind" / name).is_file()


def test_every_page_has_a_search_form_that_works_without_javascript(built: Path) -> None:
    for html in html_files(built):
        rel = html.relative_to(built).as_posix()
        if rel in ("search/index.html", "404.html"):
            continue
        form = parse_page(built, rel).select_one('header form[role="search"]')
        assert form is not None, rel
        assert (html.parent / str(form["action"])).resolve() == (built / "search").resolve()
        field = form.select_one('input[name="q"]')
        assert field is not None and form.select_one(f'label[for="{field["id"]}"]') is not None


def test_essay_pages_load_no_search_script(built: Path) -> None:
    essay = parse_page(built, "essays/second/")
    assert not [s for s in essay.find_all("script") if "pagefind" in str(s)]
    assert essay.select_one("[data-pagefind-body]") is not None


def test_build_says_why_and_goes_on_when_pagefind_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    run = run_cli(["build"], project, capsys)
    assert run.status == 0
    (line,) = run.err.splitlines()
    assert line.startswith("search index skipped: ") and "no-such-pagefind" in line
    assert (project / "site/essays/second/index.html").is_file()
    assert not (project / "site/pagefind").exists()


def test_unchanged_pages_keep_the_index_without_running_pagefind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], project, capsys).err == ""
    before = (project / "site/pagefind/pagefind-entry.json").read_bytes()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0 and run.err == ""  # nothing changed: Pagefind was not needed
    assert (project / "site/pagefind/pagefind-entry.json").read_bytes() == before
    essay = project / "content/essays/third.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.err.startswith("search index skipped: ")
    assert not (project / "site/pagefind").exists()  # no stale index is left behind


def test_typing_a_word_lists_the_essay_that_has_it(served: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(served + "search/")
    page.get_by_role("textbox", name="Search").fill("sorts")  # only 'Third Essay' has the word
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for()
    links = page.locator(".pagefind-ui__result-link")
    assert links.count() == 1
    assert result.inner_text() == "Third Essay"
    assert result.get_attribute("href") == "/forum/essays/third/"
    assert errors == []


def test_header_form_opens_the_search_page_with_results(served: str, page: Page) -> None:
    page.goto(served + "essays/third/")
    page.get_by_label("Search the site").fill("paragraph")
    page.get_by_label("Search the site").press("Enter")
    page.wait_for_url("**/forum/search/?q=paragraph")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for()
    assert result.inner_text() == "First Essay"


def test_results_can_be_filtered_by_roundtable_and_author(served: str, page: Page) -> None:
    page.goto(served + "search/")
    filters = page.evaluate(
        """async () => {
            const pagefind = await import(new URL("../pagefind/pagefind.js", location.href));
            await pagefind.init();
            return await pagefind.filters();
        }"""
    )
    assert set(filters["roundtable"]) == {"Alpha", "Beta Roundtable"}
    assert filters["roundtable"]["Alpha"] == 5  # four essays and their roundtable's page
    assert set(filters["author"]) == {"Ana Pérez", "Bo Chen", "Cy Dee", "Eve Ochoa"}
    assert filters["author"]["Ana Pérez"] == 2


def test_search_can_be_switched_off(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    with (project / "content/site.yml").open("a", encoding="utf-8") as config:
        config.write("search: false\n")
    assert run_cli(["build"], project, capsys).status == 0
    site = project / "site"
    assert not (site / "search").exists() and not (site / "pagefind").exists()
    assert parse_page(site, "").find("form", role="search") is None
    assert broken_links(site, base_path="/forum/") == []


def test_a_bundle_still_being_written_is_read_once_whole(tmp_path: Path) -> None:
    """Pagefind answers before its last writes end: an empty entry file and a cut-short data
    file are waited for, not published."""
    data = gzip.compress(b"pagefind_dcd" + b"\x80" * 4000, mtime=0)
    (tmp_path / "index").mkdir()
    (tmp_path / "pagefind-entry.json").write_bytes(b"")
    (tmp_path / "index" / "en_1.pf_index").write_bytes(data[: len(data) // 2])

    def finish_writing() -> None:
        (tmp_path / "index" / "en_1.pf_index").write_bytes(data)
        (tmp_path / "pagefind-entry.json").write_bytes(b'{"languages":{}}')

    timer = threading.Timer(0.3, finish_writing)
    timer.start()
    bundle = run_coroutine(search._settled_bundle(tmp_path))
    timer.join()
    assert bundle == {"index/en_1.pf_index": data, "pagefind-entry.json": b'{"languages":{}}'}


def test_a_bundle_that_never_completes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "TIMEOUT", 0.3)
    (tmp_path / "pagefind-entry.json").write_bytes(b"")
    with pytest.raises(RuntimeError, match="incomplete"):
        run_coroutine(search._settled_bundle(tmp_path))


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a thread of its own: Playwright's tests leave this one's loop running."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
