"""The build cache: after any edit, an incremental build is byte-identical to a clean one."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import diskcache
import pytest
from helpers.site import FIXTURES, REPO, copy_project, run_cli, tree_digest
from PIL import Image

import roundtable.commands.cli
import roundtable.content.assemble
import roundtable.content.schema
import roundtable.incremental.cache
import roundtable.render.pages
from roundtable.commands.cli import build_options
from roundtable.content.frontmatter import Document
from roundtable.content.read import BodyFile
from roundtable.errors import BuildFailed
from roundtable.incremental.cache import STORE, BuildCache
from roundtable.options import BuildOptions
from roundtable.pipeline import BuildResult, build_site


@pytest.fixture
def project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The minimal fixture, built once so the cache and output are warm."""
    proj = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], proj, capsys).status == 0
    return proj


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file, insisting it was there."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def essay(project: Path, name: str) -> Path:
    """Return an essay file of the project."""
    return project / "content" / "essays" / f"{name}.md"


EDITS: dict[str, Callable[[Path], None]] = {
    "body": lambda p: edit(essay(p, "third"), "Third body", "Changed body"),
    "body grown (reading time)": lambda p: edit(essay(p, "third"), "Third body", "Word " * 700),
    "title shown by neighbours": lambda p: edit(
        essay(p, "second"), "Second Essay", "Renamed Second"
    ),
    "order": lambda p: edit(essay(p, "first"), "order: 1", "order: 9"),
    "author name": lambda p: edit(essay(p, "third"), "Cy Dee", "Cy Dee-Ellis"),
    "delete": lambda p: essay(p, "third").unlink(),
    "rename": lambda p: os.replace(essay(p, "third"), essay(p, "fourth")),
    # A deleted link target fails the build (test_check); one moved keeps its links working.
    "link target moved": lambda p: edit(
        essay(p, "second"), "title: Second Essay", "title: Second Essay\nslug: moved-second"
    ),
    "roundtable disclaimer": lambda p: edit(
        p / "content/roundtables/alpha.md", "Alpha disclaimer.", "New."
    ),
    "site.yml": lambda p: edit(p / "content/site.yml", "Test Forum", "Renamed Forum"),
    "base url": lambda p: edit(p / "content/site.yml", "example.org/forum/", "example.net/"),
    "template": lambda p: (
        (p / "templates").mkdir()
        or (p / "templates/404.html").write_text(
            "{% extends 'base.html' %}{% block main %}<h1>Gone</h1>{% endblock %}", encoding="utf-8"
        )
    ),
    "asset": lambda p: (
        (p / "assets").mkdir() or (p / "assets/style.css").write_text("body{}", encoding="utf-8")
    ),
    "image": lambda p: Image.new("RGB", (60, 30), (0, 90, 0)).save(p / "content/images/pic.png"),
    "new static file": lambda p: (p / "content/images/notes.txt").write_text("n", encoding="utf-8"),
    "draft published": lambda p: edit(essay(p, "zeta-draft"), "draft: true", "draft: false"),
    "translation added": lambda p: write(
        essay(p, "primero"),
        "---\ntitle: Primero\nauthor: Ana Pérez\nroundtable: alpha\nlang: es\n"
        "translation_of: first\n---\nEl primero.\n",
    ),
    "tag added": lambda p: edit(essay(p, "first"), "order: 1", "order: 1\ntags: [Migration]"),
    "authors.yml added": lambda p: write(
        p / "content/authors.yml", "Cy Dee:\n  bio: Cy Dee writes.\n  orcid: 0000-0002-1825-0097\n"
    ),
    "messages file added": lambda p: write(p / "messages/en.yml", "previous: Back\n"),
}


EVERY_PAGE_EDITS = {"site.yml", "base url", "template", "asset", "messages file added"}
"""Edits that every page shows (the site's name and address, the theme): all pages are made
again, so these cases compare without page reuse."""


@pytest.fixture(params=["stats distrusted", "stats trusted"])
def recalled(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test twice: as a fresh copy builds (the copies' stats are too recent to trust,
    so checked files are not remembered), and as an older checkout does (every unedited file
    recalled from the cache: the path a real one-edit build takes)."""
    if request.param == "stats trusted":
        monkeypatch.setattr(roundtable.incremental.cache, "RACY_NS", 0)
        return True
    return False


def remember_everything(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Build the project again from an empty cache, so that every checked file is remembered."""
    shutil.rmtree(project / ".roundtable-cache")
    assert run_cli(["build"], project, capsys).status == 0


@pytest.mark.parametrize("name", list(EDITS))
def test_incremental_build_equals_clean_build(
    name: str, recalled: bool, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if recalled:
        remember_everything(project, capsys)
    EDITS[name](project)
    assert_incremental_equals_clean(project, capsys, name not in EVERY_PAGE_EDITS)


def build_recorded(
    args: list[str], project: Path, capsys: pytest.CaptureFixture[str]
) -> BuildResult:
    """Run the CLI in a project and return what its build made (it must succeed)."""
    results: list[BuildResult] = []

    def recorded(options: BuildOptions) -> BuildResult:
        results.append(build_site(options))
        return results[-1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(roundtable.commands.cli, "build_site", recorded)
        run = run_cli(args, project, capsys)
    assert run.status == 0 and len(results) == 1, run.err
    return results[0]


def assert_incremental_equals_clean(
    project: Path, capsys: pytest.CaptureFixture[str], reuses_pages: bool = True
) -> None:
    """Build again with the cache, then from scratch elsewhere; the two must be identical, and
    the incremental build must have kept some pages (else the comparison proves nothing) unless
    the edit shows on every page."""
    incremental = build_recorded(["build"], project, capsys)
    clean = build_recorded(["build", "--no-cache", "--output", "clean"], project, capsys)
    assert tree_digest(project / "site") == tree_digest(project / "clean")
    assert clean.rendered > 0
    if reuses_pages:
        assert incremental.rendered < clean.rendered, "the incremental build reused no page"
    else:
        assert incremental.rendered == clean.rendered


def write(path: Path, text: str) -> None:
    """Write a file, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def bilingual(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The bilingual fixture (translations, topics, authors.yml), built once."""
    proj = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    assert run_cli(["build"], proj, capsys).status == 0
    return proj


BILINGUAL_EDITS: dict[str, Callable[[Path], None]] = {
    "translation body": lambda p: edit(essay(p, "uno"), "pocas palabras", "muchas palabras"),
    "translation's language": lambda p: edit(essay(p, "uno"), "lang: es", "lang: pt"),
    "translation unpaired": lambda p: edit(essay(p, "uno"), "translation_of: one", "slug: uno"),
    "original retitled": lambda p: edit(essay(p, "one"), "The First Essay", "First, Renamed"),
    "roundtable translation retitled": lambda p: edit(
        p / "content/roundtables/alfa.md", "Mesa redonda Alfa", "Mesa Alfa"
    ),
    "tag renamed": lambda p: edit(essay(p, "two"), "tags: [Border]", "tags: [Frontier]"),
    "tag added": lambda p: edit(
        essay(p, "one"), "[Migration, Border]", "[Migration, Border, Ports]"
    ),
    "authors.yml": lambda p: edit(p / "content/authors.yml", "Two Institute", "Three Institute"),
    "authors.yml family": lambda p: edit(p / "content/authors.yml", "family: Pérez García", ""),
    "authors.yml deleted": lambda p: (p / "content/authors.yml").unlink(),
    "messages file added": lambda p: write(p / "messages/es.yml", "next: Adelante\n"),
    "source canonical": lambda p: edit(essay(p, "reprint"), "canonical: true", "canonical: false"),
}


@pytest.mark.parametrize("name", list(BILINGUAL_EDITS))
def test_incremental_build_equals_clean_build_in_two_languages(
    name: str, recalled: bool, bilingual: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if recalled:
        remember_everything(bilingual, capsys)
    BILINGUAL_EDITS[name](bilingual)
    assert_incremental_equals_clean(bilingual, capsys, name not in EVERY_PAGE_EDITS)


def test_edited_messages_file_renders_again(
    bilingual: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(bilingual / "messages/en.yml", "next: Onward\n")
    assert run_cli(["build"], bilingual, capsys).status == 0
    edit(bilingual / "messages/en.yml", "Onward", "Forward")
    assert_incremental_equals_clean(bilingual, capsys, reuses_pages=False)
    assert "Forward" in (bilingual / "site/essays/one/index.html").read_text(encoding="utf-8")


def test_noop_rebuild_renders_nothing_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    assert run_cli(["build"], project, capsys).status == 0
    after = {p: p.stat().st_mtime_ns for p in (project / "site").rglob("*") if p.is_file()}
    assert after == before


def test_noop_rebuild_keeps_the_cache_for_the_next_edit(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build that found nothing changed used no cache entry, and must not drop them all."""
    # The fixture's pictures were copied a moment ago: too recent to be trusted by their stat.
    monkeypatch.setattr(roundtable.incremental.cache, "RACY_NS", 0)
    # A new front matter: the whole content is read (a new body alone would start from the
    # last build's site, and check nothing).
    edit(essay(project, "second"), "Second Essay", "Renamed Second")
    assert run_cli(["build"], project, capsys).status == 0

    def entries() -> dict[str, int]:
        with diskcache.Cache(project / ".roundtable-cache" / STORE) as store:
            tables = [name.split(":", 1)[0] for name in store]
        return {table: tables.count(table) for table in ("checked", "bodies", "html")}

    warm = entries()
    assert all(warm.values()), warm
    assert run_cli(["build"], project, capsys).status == 0
    assert entries() == warm
    edit(essay(project, "third"), "title: Third Essay", "title: Third Essay, Retitled")
    assert run_cli(["build"], project, capsys).status == 0
    assert entries() == warm  # one entry replaced by the edited essay's, the rest reused


def test_a_build_that_checks_nothing_again_does_not_load_the_validator(project: Path) -> None:
    """Loading pydantic costs a tenth of a second: only a file to check again needs it."""
    command = [sys.executable, "-X", "importtime", str(REPO / "build.py"), "build"]
    time.sleep(
        roundtable.incremental.cache.RACY_NS / 1e9
    )  # until the fixture's copies can be trusted
    shutil.rmtree(project / ".roundtable-cache")
    run = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and " pydantic" in run.stderr  # every file checked (and kept)
    run = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Built ") and " pydantic" not in run.stderr
    edit(essay(project, "third"), "Third body", "Changed body")
    run = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and " pydantic" in run.stderr  # the test can tell
    assert "Changed body" in (project / "site/essays/third/index.html").read_text("utf-8")


def test_an_edited_essay_alone_is_validated_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the essay whose file changed is validated again; the others' outcomes, mistakes
    included, are recalled (as `serve` does between saves, with one cache)."""
    monkeypatch.setattr(
        roundtable.incremental.cache, "RACY_NS", 0
    )  # trust the fixture's fresh copies
    edit(essay(project, "third"), "date: 2024-05-03", "date: someday")
    args = argparse.Namespace(
        content=str(project / "content"), drafts=False, command="build", no_cache=False
    )
    options = build_options(args, project / "site")
    cache = BuildCache(options.cache_dir)
    with pytest.raises(BuildFailed) as first:
        build_site(options, cache)
    validated: list[str] = []
    validate = roundtable.content.schema.validate

    def spy(fields: type[Any], doc: Document) -> Any:
        validated.append(doc.display)
        return validate(fields, doc)

    monkeypatch.setattr(roundtable.content.schema, "validate", spy)
    edit(essay(project, "third"), "Third body", "Changed body")
    with pytest.raises(BuildFailed) as again:
        build_site(options, cache)
    assert [str(e) for e in again.value.errors] == [str(e) for e in first.value.errors]
    assert "content/essays/third.md:5: date:" in str(again.value.errors[0])
    assert [Path(shown).name for shown in validated] == ["third.md"]
    edit(essay(project, "third"), "date: someday", "date: 2024-05-04")
    build_site(options, cache)
    assert [Path(shown).name for shown in validated] == ["third.md", "third.md"]
    page = (project / "site/essays/third/index.html").read_text(encoding="utf-8")
    assert "Changed body" in page and "2024-05-04" in page


def test_recalled_essays_are_converted_again_from_their_files(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked essays are remembered without their Markdown: converting one again reads it."""
    monkeypatch.setattr(
        roundtable.incremental.cache, "RACY_NS", 0
    )  # trust the fixture's fresh copies
    edit(essay(project, "third"), "title: Third Essay", "title: Third Essay, Retitled")
    assert run_cli(["build"], project, capsys).status == 0  # remembers every checked essay
    read: list[str] = []
    from_file = BodyFile.__call__

    def spy(body: BodyFile, digest: str) -> str:
        read.append(body.display)
        return from_file(body, digest)

    monkeypatch.setattr(BodyFile, "__call__", spy)
    edit(project / "content/site.yml", "tagline:", "allow_html: true\ntagline:")
    assert_incremental_equals_clean(project, capsys, reuses_pages=False)
    assert "content/essays/first.md" in read  # recalled, not checked again, yet converted again


def test_one_edit_rewrites_only_the_pages_that_show_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = project / "site"
    before = {
        p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()
    }
    edit(essay(project, "third"), "Third body", "Changed body")
    assert run_cli(["build"], project, capsys).status == 0
    after = {
        p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()
    }
    rewritten = sorted(path for path in after if after[path] != before.get(path))
    assert "essays/third/index.html" in rewritten
    assert "roundtables/alpha/index.html" in rewritten  # shows the essay's summary
    assert "authors/bo-chen/index.html" not in rewritten  # lists only Bo Chen's essays
    assert "roundtables/beta/index.html" not in rewritten
    assert "images/pic.png" not in rewritten


def test_a_neighbours_page_is_not_rewritten_when_only_a_body_changes(
    recalled: bool, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lists hold essays as cards, without their HTML: a paragraph added to the third essay
    (its summary, the first paragraph, unchanged) leaves the pages that list it as they were."""
    if recalled:
        remember_everything(project, capsys)
    site = project / "site"
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    third = essay(project, "third")
    third.write_text(third.read_text(encoding="utf-8") + "\nA second paragraph.\n", "utf-8")
    assert_incremental_equals_clean(project, capsys)
    after = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    rewritten = {p.relative_to(site).as_posix() for p in after if after[p] != before.get(p)}
    assert "essays/third/index.html" in rewritten
    assert "essays/second/index.html" not in rewritten  # its "next" link shows the title only
    assert "roundtables/alpha/index.html" not in rewritten  # its card shows the summary
    assert "essays/third/cite.bib" not in rewritten  # rendered again, to the same bytes


def test_output_changed_by_hand_is_rebuilt(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "site/essays/first/index.html").unlink()
    (project / "site/.roundtable-build").write_text("tampered", encoding="utf-8")
    assert run_cli(["build"], project, capsys).status == 0
    assert run_cli(["build", "--no-cache", "--output", "clean"], project, capsys).status == 0
    assert tree_digest(project / "site") == tree_digest(project / "clean")


def test_deleted_output_file_is_restored(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "site/essays/first/index.html").unlink()
    assert run_cli(["build"], project, capsys).status == 0
    assert (project / "site/essays/first/index.html").is_file()


DAMAGE = ["garbage file", "flipped bytes", "flipped html", "mode of bodies", "mode of html"]


@pytest.mark.parametrize("damage", [*DAMAGE, "deleted"])
def test_corrupt_cache_is_detected_and_rebuilt(
    damage: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = project / ".roundtable-cache" / STORE / "cache.db"
    if damage == "garbage file":
        for leftover in database.parent.glob("cache.db-*"):  # SQLite's log of the last writes
            leftover.unlink()
        database.write_bytes(b"this is not a database" * 100)
    elif damage.startswith("flipped"):
        table = "html" if damage == "flipped html" else "bodies"  # html: found while rendering
        with sqlite3.connect(database) as db:  # a byte flipped in the middle of each value
            rows = db.execute("SELECT key, value FROM Cache WHERE key LIKE ?", (f"{table}:%",))
            flipped = [(v[:-9] + bytes([v[-9] ^ 1]) + v[-8:], k) for k, v in rows.fetchall()]
            assert flipped
            db.executemany("UPDATE Cache SET value = ? WHERE key = ?", flipped)
    elif damage.startswith("mode of"):  # how diskcache reads the row, which no checksum covers
        with sqlite3.connect(database) as db:
            table = damage.removeprefix("mode of ")
            changed = db.execute("UPDATE Cache SET mode = 4 WHERE key LIKE ?", (f"{table}:%",))
            assert changed.rowcount
    else:
        shutil.rmtree(database.parent)
    edit(essay(project, "third"), "Third body", "Changed body")
    # Every page shows the tagline: each is rendered again, with its body's HTML read back.
    edit(project / "content/site.yml", "A fixture site", "A fixture site, retold")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0, run.err
    assert run_cli(["build", "--no-cache", "--output", "clean"], project, capsys).status == 0
    assert tree_digest(project / "site") == tree_digest(project / "clean")


@pytest.mark.parametrize(
    "failure",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        diskcache.Timeout(),
        sqlite3.DatabaseError(),
    ],
    ids=["disk full", "locked by another build", "damaged"],
)
def test_a_cache_that_cannot_be_written_costs_speed_not_the_build(
    failure: Exception,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The site is built as without a cache, and no error is shown: the cache is only a cache."""

    def refused(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(diskcache.Cache, "__setitem__", refused)
    edit(essay(project, "third"), "Third body", "Changed body")
    edit(project / "content/site.yml", "A fixture site", "A fixture site, retold")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0, run.err
    assert all(": warning: " in line for line in run.err.splitlines()), run.err  # the fixture's
    monkeypatch.undo()
    assert run_cli(["build", "--no-cache", "--output", "clean"], project, capsys).status == 0
    assert tree_digest(project / "site") == tree_digest(project / "clean")
    assert run_cli(["build"], project, capsys).status == 0  # and the next build too
    assert tree_digest(project / "site") == tree_digest(project / "clean")


def test_an_entry_put_again_is_read_as_put(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache")
    cache.put("meta", "output", "old")
    assert cache.save()
    cache = BuildCache(tmp_path / "cache")
    assert cache.get("meta", "output") == "old"
    cache.put("meta", "output", "new")
    assert cache.write_new()
    assert cache.get("meta", "output") == "new"
    assert cache.save()
    assert cache.get("meta", "output") == "new"
    cache.close()


def test_the_cache_file_of_earlier_versions_is_removed(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache/cache.sqlite").write_bytes(b"HTML of every essay")
    BuildCache(tmp_path / "cache").close()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [STORE]


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "emptied"])
def test_damaged_compiled_templates_are_compiled_again(
    damage: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compiled = sorted((project / ".roundtable-cache/templates").iterdir())
    assert compiled, "the first build keeps its compiled templates"
    for path in compiled:
        data = bytearray(path.read_bytes())
        if damage == "flipped byte":
            data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data[: len(data) // 2] if damage == "truncated" else data))
        if damage == "emptied":
            path.write_bytes(b"")
    roundtable.render.pages.environment.cache_clear()  # as a new process would start
    edit(essay(project, "third"), "Third body", "Changed body")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0, run.err
    assert run_cli(["build", "--no-cache", "--output", "clean"], project, capsys).status == 0
    assert tree_digest(project / "site") == tree_digest(project / "clean")


def big_project(root: Path, essays: int = 150) -> Path:
    """A site with enough pages (~500 outputs) to be rendered and written by worker processes."""
    content = root / "content"
    write(
        content / "site.yml",
        "title: Big Forum\nbase_url: https://example.org/big/\nsearch: false\n",
    )
    for n in range(5):
        write(
            content / f"roundtables/rt-{n}.md",
            f"---\ntitle: Table {n}\ndate: 2024-0{n + 1}-01\n---\nIntro {n}.\n",
        )
    for n in range(essays):
        write(
            content / f"essays/e-{n:03}.md",
            f"---\ntitle: Essay {n}\nauthor: Writer {n % 40}\nroundtable: rt-{n % 5}\n"
            f"order: {n // 5}\ntags: [Tag {n % 7}]\n---\n## Part\n\nBody {n}, see [next](e-{(n + 1) % essays:03}.md).[^1]\n\n[^1]: A note.\n",
        )
    return root


def test_pages_written_by_workers_equal_pages_written_by_one_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Workers write the pages they render into the staging folder: same bytes as one process."""
    project = big_project(tmp_path / "big")
    args = argparse.Namespace(
        content=str(project / "content"),
        drafts=False,
        base_url=None,
        command="build",
        no_cache=True,
    )
    alone = replace(build_options(args, project / "alone"), workers=1)
    shared = replace(build_options(args, project / "shared"), workers=2)
    assert len(build_site(alone).manifest) > 400
    build_site(shared)
    assert tree_digest(project / "alone") == tree_digest(project / "shared")


def test_big_site_incremental_build_equals_clean_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = big_project(tmp_path / "big")
    assert run_cli(["build"], project, capsys).status == 0
    edit(project / "content/essays/e-042.md", "Body 42", "Body forty-two")
    edit(project / "content/essays/e-007.md", "order: 1", "order: 99")
    assert_incremental_equals_clean(project, capsys)
