"""Full-text search: the Pagefind index in the output, the search page in Chromium, a build
that fails on one line when Pagefind cannot make the index, and `search: false`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from helpers.browser import serve_directory
from helpers.site import (
    FIXTURES,
    broken_links,
    copy_project,
    html_files,
    run_cli,
    run_subprocess,
    tree_digest,
)
from helpers.site import page as parse_page

from roundtable.publish import search

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once for this module."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("search") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    assert errors_of(run.err) == []
    return project / "site"


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    """The built fixture over HTTP under its base path."""
    with serve_directory(built, mount="/forum/") as url:
        yield url


def test_index_holds_the_essays_and_roundtables(built: Path) -> None:
    assert indexed_pages(built) == 6  # four essays, two roundtables
    for name in ("pagefind-ui.js", "pagefind-ui.css", "shards.json"):
        assert (built / "pagefind" / name).is_file()
    for shard in shards(built):
        assert (built / "pagefind" / shard / "pagefind.js").is_file()


def shards(site: Path) -> list[str]:
    """Return the folders of the index's shards, as the search page reads them."""
    listed = json.loads((site / "pagefind/shards.json").read_text(encoding="utf-8"))
    return list(listed["shards"])


def indexed_pages(site: Path) -> int:
    """Return how many pages the index's shards hold together."""
    count = 0
    for shard in shards(site):
        entry = json.loads((site / "pagefind" / shard / "pagefind-entry.json").read_text("utf-8"))
        count += sum(language["page_count"] for language in entry["languages"].values())
    return count


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


def test_without_pagefind_the_build_fails_on_one_line_and_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search page that cannot search is not what the user asked for: the build used to say
    'search index skipped' and publish the site at exit 0."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    edit_an_essay(project)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    (line,) = run.err.splitlines()
    assert line.startswith("error: search index: ") and "no-such-pagefind" in line
    assert "pip install 'pagefind[bin]'" in line and line.endswith("site/ is unchanged.")
    assert tree_digest(project / "site") == before


def test_a_pagefind_that_dies_while_indexing_fails_the_build_when_it_dies(
    tmp_path: Path,
) -> None:
    """A Pagefind that answers --version but dies when asked to index: the build used to wait
    for its answer until the 300 s timeout."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_subprocess(["build"], project).status == 0
    before = tree_digest(project / "site")
    edit_an_essay(project)
    fake = tmp_path / "pagefind"
    fake.write_text(DYING_PAGEFIND)
    fake.chmod(0o755)
    env = {**os.environ, "PAGEFIND_BINARY_PATH": str(fake)}
    run = run_subprocess(["build"], project, env=env, timeout=60)  # far below the 300 s
    assert run.status == 1
    assert run.err.splitlines() == [
        "error: search index: Pagefind failed with exit status 101: thread 'main' panicked "
        "(reinstall it: pip install 'pagefind[bin]'; or write search: false in site.yml). "
        "site/ is unchanged."
    ]
    assert tree_digest(project / "site") == before


DYING_PAGEFIND = """#!/bin/sh
# Answers --version like Pagefind; asked to index, reads the first byte of its request (if
# any: a service is sent one on its input) and dies.
if [ "$1" = "--version" ]; then echo "pagefind 1.5.2"; exit 0; fi
head -c 1 > /dev/null
echo "thread 'main' panicked" >&2
exit 101
"""
"""A Pagefind that starts, then dies when asked to index."""


def edit_an_essay(project: Path) -> None:
    """Change an essay's words, so the next build must index the pages again."""
    essay = project / "content/essays/third.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")


def test_unchanged_pages_keep_the_index_without_running_pagefind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert errors_of(run_cli(["build"], project, capsys).err) == []
    before = tree_digest(project / "site")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0 and errors_of(run.err) == []  # nothing changed: Pagefind was not needed
    assert tree_digest(project / "site") == before
    edit_an_essay(project)
    run = run_cli(["build"], project, capsys)
    assert run.status == 1 and "Pagefind failed" in run.err  # pages changed: it was needed
    assert tree_digest(project / "site") == before  # no stale index is published


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


def test_an_author_named_only_in_a_byline_finds_the_essay(served: str, page: Page) -> None:
    """Cy Dee stands only in the third essay's byline (no bio): bylines were not indexed."""
    page.goto(served + "search/")
    page.get_by_role("textbox", name="Search").fill("Cy Dee")
    result = page.locator(".pagefind-ui__result").first
    result.locator(".pagefind-ui__result-link").wait_for()
    assert page.locator(".pagefind-ui__result").count() == 1
    assert result.locator(".pagefind-ui__result-link").inner_text() == "Third Essay"
    tags = result.locator(".pagefind-ui__result-tag").all_inner_texts()
    assert [tag.strip() for tag in tags] == [
        "Author: Cy Dee",
        "Roundtable: Alpha",
        "Date: May 3, 2024",
    ]


def test_an_affiliation_in_a_byline_finds_the_essays(served: str, page: Page) -> None:
    page.goto(served + "search/")
    page.get_by_role("textbox", name="Search").fill("Uno University")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    titles = page.locator(".pagefind-ui__result-link").all_inner_texts()
    assert sorted(titles) == ["First Essay", "Second Essay"]


def test_header_form_opens_the_search_page_with_results(served: str, page: Page) -> None:
    page.goto(served + "essays/third/")
    page.get_by_label("Search the site").fill("paragraph")
    page.get_by_label("Search the site").press("Enter")
    page.wait_for_url("**/forum/search/?q=paragraph")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for()
    assert result.inner_text() == "First Essay"


def test_results_can_be_filtered_by_roundtable_and_author(served: str, page: Page) -> None:
    filters = merged_filters(page, served)
    assert set(filters["roundtable"]) == {"Alpha", "Beta Roundtable"}
    assert filters["roundtable"]["Alpha"] == 5  # four essays and their roundtable's page
    assert set(filters["author"]) == {"Ana Pérez", "Bo Chen", "Cy Dee", "Eve Ochoa"}
    assert filters["author"]["Ana Pérez"] == 2


def merged_filters(page: Page, site: str) -> dict[str, dict[str, int]]:
    """Return the filters of every shard merged, as the search page merges them (on the home
    page, where no search box has loaded Pagefind already)."""
    page.goto(site)
    filters: dict[str, dict[str, int]] = page.evaluate(
        """async () => {
            const index = new URL("pagefind/", location.href);
            const listed = await (await fetch(new URL("shards.json", index))).json();
            const [first, ...others] = listed.shards.map((s) => new URL(s, index).pathname);
            const pagefind = await import(first + "pagefind.js");
            await pagefind.options({ bundlePath: first });
            await pagefind.init();
            for (const other of others) await pagefind.mergeIndex(other);
            return await pagefind.filters();
        }"""
    )
    return filters


def test_search_can_be_switched_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`search: false`: no search page, no search box or link to one, and no Pagefind needed."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    with (project / "content/site.yml").open("a", encoding="utf-8") as config:
        config.write("search: false\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    run = run_cli(["build"], project, capsys)
    assert run.status == 0 and errors_of(run.err) == []
    site = project / "site"
    assert not (site / "search").exists() and not (site / "pagefind").exists()
    for html in html_files(site):
        found = parse_page(site, html.relative_to(site).as_posix())
        assert found.find("form", role="search") is None, html
        targets = [str(a["href"]) for a in found.find_all("a", href=True)]
        assert not [t for t in targets if "search" in t], html
    assert broken_links(site, base_path="/forum/") == []


@pytest.mark.parametrize(
    "script",
    [
        "exit 0",  # says it indexed, wrote nothing
        'mkdir -p "$4/filter" && printf "not gzip" > "$4/filter/x.pf_filter" && exit 0',
    ],
    ids=["wrote-nothing", "wrote-garbage"],
)
def test_an_index_pagefind_wrote_wrong_fails_on_one_line(tmp_path: Path, script: str) -> None:
    """A Pagefind of another version, or a broken one, that exits 0: its bundle cannot be read."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_subprocess(["build"], project).status == 0
    before = tree_digest(project / "site")
    edit_an_essay(project)
    fake = tmp_path / "pagefind"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    run = run_subprocess(["build"], project, env={**os.environ, "PAGEFIND_BINARY_PATH": str(fake)})
    assert run.status == 1, run.err
    lines = run.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in run.err
    assert lines[0].startswith(
        "error: search index: Pagefind wrote an index Roundtable cannot read"
    )
    assert tree_digest(project / "site") == before


def test_pagefind_works_in_memory_unless_tmpdir_says_otherwise(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's working files go to /dev/shm (a shard's hundred files cost as much as the
    index on a slow disk), or TMPDIR; where they cannot be written, the build fails on a line."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    assert search.scratch_folder(1) is None  # the system's temporary folder: TMPDIR
    monkeypatch.delenv("TMPDIR")
    assert search.scratch_folder(1) == ("/dev/shm" if Path("/dev/shm").is_dir() else None)
    assert search.scratch_folder(2**50) is None  # not in memory without room to spare
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    edit_an_essay(project)
    not_a_folder = tmp_path / "shm"
    not_a_folder.write_text("", encoding="utf-8")
    not_a_folder.chmod(0o755)
    monkeypatch.setattr(search, "MEMORY_FOLDER", str(not_a_folder))
    run = run_cli(["build"], project, capsys)
    assert run.status == 1 and errors_of(run.err) == [
        f"error: search index: cannot write Pagefind's working files in {not_a_folder} "
        "(Not a directory) (free some space there, or set TMPDIR to a folder with room). "
        "site/ is unchanged."
    ]
    assert tree_digest(project / "site") == before


def errors_of(err: str) -> list[str]:
    """Return what a command printed on stderr besides warnings (beta has no essays: one)."""
    return [line for line in err.splitlines() if ": warning: " not in line]


@pytest.fixture
def sharded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Split the index as a site of thousands of pages is (alpha's pages in shard 0, beta's in
    shard 1); return the list of the shards Pagefind is run over, filled as builds run them."""
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 2)
    ran: list[int] = []
    index = search.shard_index

    def spy(files: dict[str, bytes], shard: int, pagefind: search.Pagefind) -> dict[str, bytes]:
        ran.append(shard)
        return index(files, shard, pagefind)

    monkeypatch.setattr(search, "shard_index", spy)
    return ran


def test_an_edit_indexes_its_roundtables_shard_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sharded: list[int]
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert errors_of(run_cli(["build"], project, capsys).err) == []
    assert sorted(sharded) == [0, 1] and shards(project / "site") == ["0/", "1/"]
    assert indexed_pages(project / "site") == 6
    sharded.clear()
    edit_an_essay(project)  # an essay of alpha
    assert errors_of(run_cli(["build"], project, capsys).err) == []
    assert sharded == [0]
    sharded.clear()
    retitle = project / "content/roundtables/beta.md"
    retitle.write_text(retitle.read_text("utf-8").replace("title: ", "title: New "), "utf-8")
    assert errors_of(run_cli(["build"], project, capsys).err) == []
    assert sharded == [1]
    # The index kept in part is the index made whole.
    clean = copy_project(project / "content", tmp_path / "clean" / "content").parent
    assert errors_of(run_cli(["build"], clean, capsys).err) == []
    assert tree_digest(clean / "site") == tree_digest(project / "site")


def page_groups(names: list[str]) -> dict[str, list[str]]:
    """Return the page groups of roundtables so named (a page, two essays and a feed each),
    with an author's page, which is not indexed."""
    groups = {
        f"roundtable:{name}": [f"{name}/index.html", f"{name}/a.html", f"{name}/b.html", "feed.xml"]
        for name in names
    }
    return groups | {"author:someone": ["authors/someone/index.html"]}


def shard_roundtables(shards: dict[int, tuple[str, ...]]) -> list[list[str]]:
    """Return the roundtables of each shard, in order."""
    return [sorted({page.split("/")[0] for page in pages}) for pages in shards.values()]


def test_shards_hold_as_many_roundtables_each_and_keep_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "PAGES_PER_SHARD", 5)  # 30 pages: 8 shards' worth
    names = [f"rt-{n:02}" for n in range(10)]
    shards = search.site_shards(page_groups(names))
    held = shard_roundtables(shards)
    assert held == [names[n : n + 2] for n in range(0, 10, 2)]  # two each: five shards
    assert list(shards) == list(range(5))
    assert all(page.endswith(".html") for pages in shards.values() for page in pages)
    assert sum(map(len, shards.values())) == 30  # no feed, no author's page
    # An edit keeps the shards; a roundtable added last changes the last shard only.
    assert search.site_shards(page_groups(names)) == shards
    added = shard_roundtables(search.site_shards(page_groups([*names, "rt-99"])))
    assert added == [*held, ["rt-99"]]
    # However large the site, a reader's first search fetches at most MOST_SHARDS shards.
    monkeypatch.setattr(search, "MOST_SHARDS", 4)
    held = shard_roundtables(search.site_shards(page_groups(names)))
    assert list(map(len, held)) == [3, 3, 3, 1]


def test_search_merges_the_shards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sharded: list[int], page: Page
) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert errors_of(run_cli(["build"], project, capsys).err) == []
    assert shards(project / "site") == ["0/", "1/"]
    with serve_directory(project / "site", mount="/forum/") as url:
        page.goto(url + "search/")
        box = page.get_by_role("textbox", name="Search")
        links = page.locator(".pagefind-ui__result-link")
        for word, title in [("sorts", "Third Essay"), ("yet", "Beta Roundtable")]:
            box.fill(word)  # one word in a page of each shard
            links.filter(has_text=title).wait_for()
            assert links.all_inner_texts() == [title]
        filters = merged_filters(page, url)
    assert filters["roundtable"] == {"Alpha": 5, "Beta Roundtable": 1}
