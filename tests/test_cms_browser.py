"""The content editor in Chromium: /admin/ saves through serve's local backend into content/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import yaml
from helpers.server import DevServer, dev_server, wait_until
from helpers.site import run_subprocess, sample_project

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Route

ROUNDTABLE = "us-mexico-security-cooperation"
ROUNDTABLE_TITLE = "Rethinking U.S.–Mexico Security Cooperation Roundtable"
CONFIG_ERROR = "Error loading the CMS configuration"
SECONDS = 30_000
"""Playwright's waits, in milliseconds: generous, for a shared machine."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the sample site."""
    return sample_project(tmp_path / "project")


@pytest.fixture
def editing(project: Path, browser_context: BrowserContext) -> Iterator[tuple[DevServer, Page]]:
    """serve running on the project, and a page of the editor signed in to the local backend."""
    with dev_server(project) as server:
        page = _signed_in(browser_context, server.url)
        try:
            yield server, page
        finally:
            page.close()


def _signed_in(context: BrowserContext, url: str) -> Page:
    """Open /admin/, which finds serve's local backend, and go in."""
    page = context.new_page()
    page.set_default_timeout(SECONDS)
    page.goto(url + "admin/")
    page.get_by_role("button", name="Login").click()
    page.get_by_text("Essays", exact=True).first.wait_for()
    return page


def field(page: Page, name: str) -> str:
    """Return a selector for the first form control of a field, by its name in the config."""
    return f"[id^='{name}-field-']"


def _publish(page: Page) -> None:
    """Save the entry as Decap does locally: Publish, then Publish now."""
    page.get_by_role("button", name="Publish").first.click()
    page.get_by_text("Publish now", exact=True).click()


def test_an_essay_created_in_the_form_is_written_checked_and_published(
    editing: tuple[DevServer, Page], project: Path
) -> None:
    server, page = editing
    page.goto(server.url + "admin/#/collections/essays/new")
    page.fill(field(page, "title"), "Ports as Partners")
    page.get_by_role("button", name=re.compile("Add author")).click()
    page.fill(field(page, "name"), "Priya Raman")
    page.click(field(page, "roundtable"))
    page.get_by_text(ROUNDTABLE_TITLE, exact=True).click()
    page.fill(field(page, "date"), "2026-11-30")
    page.fill(field(page, "summary"), "Customs officers on both sides already share data.")
    page.fill(field(page, "tags"), "Trade, Border")
    page.locator("[contenteditable=true]").last.click()  # the body: Decap's rich text editor
    page.keyboard.type("Ports move more than goods.")
    _publish(page)

    essay = project / "content" / "essays" / "ports-as-partners.md"
    assert wait_until(essay.exists, timeout=30), "the essay was not written into content/"
    front = yaml.safe_load(essay.read_text(encoding="utf-8").split("---")[1])
    assert front["title"] == "Ports as Partners"
    assert front["author"] == [{"name": "Priya Raman"}]
    assert front["roundtable"] == ROUNDTABLE
    assert str(front["date"]) == "2026-11-30"
    assert front["tags"] == ["Trade", "Border"]
    assert "Ports move more than goods." in essay.read_text(encoding="utf-8")

    check = run_subprocess(["check", "--strict"], cwd=project)
    assert check.status == 0, check.out + check.err
    assert wait_until(lambda: "Ports as Partners" in server.text(f"/roundtables/{ROUNDTABLE}/"))


def front_matter(path: Path) -> dict[str, object]:
    """Return a Markdown file's front matter, parsed."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


def body(path: Path) -> str:
    """Return a Markdown file's body, without the blank lines around it."""
    return path.read_text(encoding="utf-8").split("---", 2)[2].strip()


@pytest.mark.parametrize("slug", ["southbound-firearms", "extradition-without-trust"])
def test_an_essay_edited_in_the_form_keeps_the_fields_it_did_not_touch(
    editing: tuple[DevServer, Page], project: Path, slug: str
) -> None:
    server, page = editing
    essay = project / "content" / "essays" / f"{slug}.md"
    text = essay.read_text(encoding="utf-8")
    essay.write_text(text.replace("\n---\n", "\nextra:\n  note: not in the form\n---\n", 1))
    before, text_before = front_matter(essay), body(essay)
    assert before["extra"] == {"note": "not in the form"}
    page.goto(server.url + f"admin/#/collections/essays/entries/{slug}")
    title = page.locator(field(page, "title"))
    title.wait_for()
    assert title.input_value() == before["title"]
    page.fill(field(page, "summary"), "A new summary, written in the editor.")
    _publish(page)

    assert wait_until(lambda: "written in the editor" in essay.read_text(encoding="utf-8"))
    after = front_matter(essay)
    assert after.pop("summary") == "A new summary, written in the editor."
    before.pop("summary")
    assert after == before
    assert body(essay) == text_before


def test_the_published_config_loads_in_decap_and_asks_to_sign_in_to_github(
    project: Path, tmp_path: Path, browser_context: BrowserContext
) -> None:
    """On the site's own host (https, not this computer) the editor reads config.yml as it is."""
    site_yml = project / "content" / "site.yml"
    site_yml.write_text(site_yml.read_text() + "repo: forum/website\nbranch: main\n")
    with _published_admin(project, tmp_path, browser_context) as (page, errors):
        page.get_by_role("button", name="Login with GitHub").wait_for()
        assert CONFIG_ERROR not in page.inner_text("body")
        assert errors == []


def test_published_without_a_repository_the_editor_says_what_to_set(
    project: Path, tmp_path: Path, browser_context: BrowserContext
) -> None:
    """The sample names no repository: on its own host, /admin/ asks for `repo:` instead of
    failing to load Decap's configuration (on this computer, serve's editor needs none)."""
    with _published_admin(project, tmp_path, browser_context) as (page, errors):
        notice = page.locator("#rt-no-repo")
        notice.wait_for(state="visible")
        assert "repo: owner/name" in notice.inner_text()
        page.wait_for_timeout(1_000)  # Decap, were it started, would show its error by now
        assert CONFIG_ERROR not in page.inner_text("body")
        assert page.get_by_role("button", name="Login with GitHub").count() == 0
        assert errors == []


@contextmanager
def _published_admin(
    project: Path, tmp_path: Path, browser_context: BrowserContext
) -> Iterator[tuple[Page, list[str]]]:
    """Build the project and open its /admin/ as served from HOST; yield the page and the
    script errors it raises."""
    built = run_subprocess(["build", "--output", str(tmp_path / "site")], cwd=project)
    assert built.status == 0, built.err
    page = browser_context.new_page()
    try:
        page.set_default_timeout(SECONDS)
        page.route(f"{HOST}**", lambda route: _from_folder(route, tmp_path / "site"))
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(HOST + "admin/")
        yield page, errors
    finally:
        page.close()


HOST = "https://forum.example/"
"""Where the published site seems to be: a host of its own, over https, as on GitHub Pages."""
TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".yml": "text/yaml",
    ".wasm": "application/wasm",
}


def _from_folder(route: Route, folder: Path) -> None:
    """Answer a request to HOST with the built site's file, as a static host would."""
    path = urlsplit(route.request.url).path.lstrip("/")
    file = folder / (path + "index.html" if path.endswith("/") or not path else path)
    if not file.is_file():
        route.fulfill(status=404, body="")
        return
    content_type = TYPES.get(file.suffix, "application/octet-stream")
    route.fulfill(status=200, body=file.read_bytes(), content_type=content_type)
