"""The dev server, run as an editor runs it: a real process, real files changing on disk."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.server import EventStream, dev_server, wait_until
from helpers.site import FIXTURES, REPO, copy_project
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from watchdog.events import (
    DirModifiedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
)

from roundtable.commands.serve import (
    DEBOUNCE_SECONDS,
    SAVED_SECONDS,
    Debouncer,
    Snapshot,
    Watcher,
    _Changes,
    resolve_request,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


def test_serves_pages_with_types_and_headers(project: Path) -> None:
    with dev_server(project) as server:
        status, headers, body = server.get("/essays/first/")
        assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
        assert headers["x-content-type-options"] == "nosniff"
        assert b"First Essay" in body and b"EventSource" in body
        assert server.get("/assets/favicon.svg")[1]["content-type"] == "image/svg+xml"
        assert server.get("/assets/style.css")[1]["content-type"].startswith("text/css")
        assert server.get("/images/pic.png")[1]["content-type"] == "image/png"
        status, headers, _ = server.get("/essays/first")
        assert status == 301 and headers["location"] == "/essays/first/"
        status, _, body = server.get("/essays/")
        assert status == 404 and b"Page not found" in body  # no listing of folders
        assert b"EventSource" not in (project / "content/essays/first.md").read_bytes()
    assert not (project / "site").exists()  # serve never writes the site to disk


@pytest.mark.parametrize(
    "path",
    [
        "/../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/essays/%2e%2e%2f%2e%2e%2fsite.yml",
        "/..%2f..%2fetc/passwd",
        "/..\\..\\etc\\passwd",
        "/%5c..%5cetc%5cpasswd",
        "/index.html%00.css",
        "/essays/../../content/site.yml",
        "//etc/passwd",
        "/%252e%252e/etc/passwd",
    ],
)
def test_traversal_requests_get_404(project: Path, path: str) -> None:
    with dev_server(project) as server:
        status, _, body = server.get(path)
        assert status == 404
        assert b"root:" not in body and b"base_url" not in body


def test_resolver_refuses_everything_that_could_climb_out() -> None:
    snapshot = Snapshot(1, {"index.html": b"x", "a/index.html": b"y"})
    assert resolve_request("/", snapshot) == ("file", "index.html")
    assert resolve_request("/a", snapshot) == ("redirect", "/a/")
    for raw in ("/a/..", "/%2e%2e/", "/a%2f", "/a%5c", "/a%00", "/a\\b"):
        assert resolve_request(raw, snapshot)[0] == "missing", raw


def test_edit_changes_page_and_sends_reload(project: Path) -> None:
    with dev_server(project) as server:
        events = EventStream(server.port)
        assert events.wait_for(1, 15)
        essay = project / "content/essays/first.md"
        essay.write_text(
            essay.read_text(encoding="utf-8").replace("First Essay", "Edited Title"),
            encoding="utf-8",
        )
        assert events.wait_for(2, 15), server.output
        assert "Edited Title" in server.text("/essays/first/")
        events.close()


def test_broken_save_shows_overlay_until_fixed(project: Path) -> None:
    with dev_server(project) as server:
        essay = project / "content/essays/first.md"
        good = essay.read_text(encoding="utf-8")
        essay.write_text(good.replace("roundtable: alpha", "roundtable: alpah"), encoding="utf-8")
        assert wait_until(lambda: "rt-dev-overlay" in server.text("/"))
        page = server.text("/essays/first/")
        assert "content/essays/first.md:6: unknown roundtable &#x27;alpah&#x27;" in page
        assert "First Essay" in page  # the last good site is still served beneath
        assert server.proc.poll() is None
        essay.write_text(good, encoding="utf-8")
        assert wait_until(lambda: "rt-dev-overlay" not in server.text("/"))


def test_template_error_shows_in_overlay(project: Path) -> None:
    (project / "templates").mkdir()
    with dev_server(project) as server:
        (project / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}{{ nope }}{% endblock %}"
        )
        assert wait_until(lambda: "templates/404.html:1: template error" in server.text("/"))


def test_reworded_messages_show_on_the_next_reload(project: Path) -> None:
    """Rewording `table` and a heading in messages/en.yml while serving: the next reload shows
    both new words (the table's caption used to keep the word of the first build)."""
    messages = project / "messages/en.yml"
    messages.parent.mkdir()
    messages.write_text(MESSAGES.format(table="Table", about="About"), encoding="utf-8")
    essay = project / "content/essays/first.md"
    essay.write_text(essay.read_text(encoding="utf-8") + TABLE, encoding="utf-8")
    with dev_server(project) as server:
        events = EventStream(server.port)
        assert events.wait_for(1, 10)
        page = server.text("/essays/first/")
        assert 'aria-label="Table 1"' in page and ">About the author<" in page
        messages.write_text(MESSAGES.format(table="Chart", about="Meet"), encoding="utf-8")
        assert events.wait_for(2, 30), server.output
        # A save may be seen half written (the file emptied first): a later build follows it.
        reworded = lambda: 'aria-label="Chart 1"' in server.text("/essays/first/")  # noqa: E731
        assert wait_until(reworded, 30), server.output
        page = server.text("/essays/first/")
        assert ">Meet the author<" in page
        assert "Table 1" not in page and "About the author" not in page
        events.close()
    assert not any("skipped" in line for line in server.output)  # serve makes no index, quietly


MESSAGES = "table: {table} {{number}}\nabout_authors:\n  one: {about} the author\n  other: {about} the authors\n"
"""A site's messages/en.yml naming tables and the author's bio heading."""
TABLE = "\n| Year | Essays |\n|------|--------|\n| 2024 | 4      |\n"
"""A Markdown table, to append to an essay."""


def test_burst_of_saves_is_one_or_two_rebuilds(project: Path) -> None:
    with dev_server(project) as server:
        essay = project / "content/essays/first.md"
        text = essay.read_text(encoding="utf-8")
        for n in range(50):
            essay.write_text(text + f"\nSave {n}.\n", encoding="utf-8")
            time.sleep(0.01)
        assert wait_until(lambda: "Save 49." in server.text("/essays/first/"))
        time.sleep(0.5)
        assert 1 <= server.rebuilds() <= 3, server.output


def test_editor_save_patterns_and_litter(project: Path) -> None:
    with dev_server(project) as server:
        essays = project / "content/essays"
        # Vim: writes 4913, a swap file and a backup, then the file.
        for junk in ("4913", ".first.md.swp", "first.md~"):
            (essays / junk).write_text("junk")
        # Atomic save: write a temporary file, then rename over the original.
        tmp = essays / ".first.md.tmp123"
        tmp.write_text(
            (essays / "first.md").read_text(encoding="utf-8").replace("First Essay", "Atomic")
        )
        os.replace(tmp, essays / "first.md")
        assert wait_until(lambda: "Atomic" in server.text("/essays/first/"))
        assert server.get("/essays/4913")[0] == 404


def test_deleted_and_moved_essays(project: Path) -> None:
    with dev_server(project) as server:
        (project / "content/essays/third.md").unlink()
        assert wait_until(lambda: server.get("/essays/third/")[0] == 404)
        os.replace(project / "content/essays/second.md", project / "content/essays/renamed.md")
        # Two files link to the old name: the build fails, saying where, as `build` would.
        assert wait_until(lambda: "second.md" in server.text("/"))
        assert server.get("/essays/renamed/")[0] == 404
        for linking in ("essays/first.md", "roundtables/alpha.md"):
            path = project / "content" / linking
            path.write_text(path.read_text(encoding="utf-8").replace("second.md", "renamed.md"))
        assert wait_until(lambda: server.get("/essays/renamed/")[0] == 200)
        assert server.get("/essays/second/")[0] == 404


def test_sigint_exits_0_without_traceback(project: Path) -> None:
    with dev_server(project) as server:
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(timeout=10) == 0
        time.sleep(0.1)
        assert not any("Traceback" in line for line in server.output)
    assert sorted(p.name for p in project.iterdir()) == [".roundtable-cache", "content"]


def test_port_in_use_is_one_line_exit_2(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port)],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and f"--port {port + 1}" in proc.stderr


def test_binds_loopback_by_default_and_warns_otherwise(project: Path) -> None:
    with dev_server(project) as server:
        assert server.url.startswith("http://127.0.0.1:")
    with dev_server(project, "--host", "0.0.0.0") as server:
        assert any("other computers" in line for line in server.output)


def test_browser_reloads_itself_after_an_edit(project: Path, page: Page) -> None:
    with dev_server(project) as server:
        page.goto(server.url + "essays/first/")
        assert page.locator("h1").inner_text() == "First Essay"
        essay = project / "content/essays/first.md"
        essay.write_text(
            essay.read_text(encoding="utf-8").replace("First Essay", "Seen In Browser")
        )
        page.wait_for_function(
            "document.querySelector('h1').textContent === 'Seen In Browser'", timeout=5000
        )


def waits_for(events: list[FileSystemEvent]) -> float:
    """Return how long the dev server lets changes settle after these file events."""
    debouncer = Debouncer(lambda: None)
    for event in events:
        _Changes(debouncer).dispatch(event)
    assert debouncer.pending.is_set()
    return debouncer.quiet


def test_a_finished_save_rebuilds_sooner_than_a_change_under_way() -> None:
    essay = "content/essays/first.md"
    assert waits_for([FileModifiedEvent(essay), FileClosedEvent(essay)]) == SAVED_SECONDS
    # Linux reports the folder modified after the file is closed: that adds nothing.
    saved = [FileClosedEvent(essay), DirModifiedEvent("content/essays")]
    assert waits_for(saved) == SAVED_SECONDS
    assert waits_for([FileClosedEvent(essay), FileModifiedEvent(essay)]) == DEBOUNCE_SECONDS
    gedit = FileMovedEvent("content/essays/.goutputstream-ABC123", essay)
    assert waits_for([gedit]) == SAVED_SECONDS
    # JetBrains moves the file away first: it is missing until the next move.
    assert waits_for([FileMovedEvent(essay, essay + "___jb_old___")]) == DEBOUNCE_SECONDS
    assert waits_for([FileMovedEvent(essay, "content/essays/second.md")]) == DEBOUNCE_SECONDS
    assert waits_for([FileCreatedEvent(essay)]) == DEBOUNCE_SECONDS


def test_a_folder_that_cannot_be_watched_is_said_on_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Out of inotify watches, a server that never rebuilds must not be silent about it."""

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "inotify watch limit reached")

    watcher = Watcher([tmp_path], Debouncer(lambda: None))
    monkeypatch.setattr(watcher.observer, "schedule", full)
    watcher._watch(str(tmp_path))
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path}: cannot watch for changes: inotify watch limit reached (saves there are not "
        "seen; on Linux, raise fs.inotify.max_user_watches, then restart serve)"
    ]


def test_search_follows_an_edit(project: Path, page: Page) -> None:
    """serve used to make no index: its search page said search was not available."""
    with dev_server(project) as server:
        assert wait_until(lambda: server.get("/pagefind/shards.json")[0] == 200, 30), server.output
        essay = project / "content/essays/third.md"
        essay.write_text(essay.read_text(encoding="utf-8") + "\nA zyzzyvaword here.\n")
        page.goto(server.url + "search/")
        box = page.get_by_role("textbox", name="Search")
        link = page.locator(".pagefind-ui__result-link", has_text="Third Essay")

        def found() -> bool:
            page.goto(server.url + "search/")
            box.fill("zyzzyvaword")
            with contextlib.suppress(PlaywrightTimeout):
                link.wait_for(timeout=2000)
            return link.count() == 1

        assert wait_until(found, 30, every=0.5), server.output
