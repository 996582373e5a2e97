"""A build holds no body's Markdown, nor with a cache its HTML, beyond the moment it is used (and
lets go of the garbage of rendering); what it reads again is what it read, or a located error."""

from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path
from typing import Any

import pytest
from helpers.site import FIXTURES, copy_project, run_cli, tree_digest
from test_cache import essay

import roundtable.incremental.bodies
import roundtable.pipeline
import roundtable.render.convert
import roundtable.render.pages
from roundtable.commands.cli import theme_for
from roundtable.content.frontmatter import parse
from roundtable.content.read import FILE_CHANGED
from roundtable.errors import BuildFailed
from roundtable.incremental.cache import BuildCache
from roundtable.options import BuildOptions
from roundtable.pipeline import BuildResult, build_site
from roundtable.workers import heap_frozen


def _build(project: Path, workers: int, use_cache: bool = True) -> BuildResult:
    content = project / "content"
    options = BuildOptions(
        content=content,
        content_display="content",
        output=project / "site",
        theme=theme_for(content),
        workers=workers,
        use_cache=use_cache,
    )
    return build_site(options)


@pytest.mark.parametrize(("workers", "use_cache"), [(1, True), (2, True), (1, False), (2, False)])
def test_a_build_holds_no_markdown_and_with_a_cache_no_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int, use_cache: bool
) -> None:
    """Each body is read from its file by the process that converts it; with a cache on disk,
    each page reads its body's HTML back from it, in the process that renders it. The site is
    the one a single process makes."""
    monkeypatch.setattr(roundtable.render.convert, "PARALLEL_FROM", 1)
    monkeypatch.setattr(roundtable.render.pages, "PARALLEL_FROM", 1)
    project = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    result = _build(project, workers, use_cache)
    assert result.site is not None
    items = [*result.site.roundtables, *result.site.essays]
    assert items
    for item in items:
        assert item.body._text is None, f"{item.path}: the build still holds its Markdown"
        source = (project / "content" / item.path).read_bytes()
        assert str(item.body) == parse(item.source, source).body  # read again, the same
        if use_cache:
            assert item.html._text is None, f"{item.path}: the build still holds its HTML"
        assert "<p>" in str(item.html)
    alone = copy_project(FIXTURES / "bilingual", tmp_path / "alone")
    _build(alone, 1)
    assert tree_digest(project / "site") == tree_digest(alone / "site")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_file_changed_after_checking_is_a_located_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workers: int,
) -> None:
    """The body converted is the one checked, or the build stops and keeps the last site."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], project, capsys).status == 0
    before = tree_digest(project / "site")
    target = essay(project, "third")
    target.write_text(target.read_text(encoding="utf-8") + "\nA new line.\n", encoding="utf-8")
    monkeypatch.setattr(roundtable.render.convert, "PARALLEL_FROM", 1)
    monkeypatch.setattr(roundtable.pipeline, "core_count", lambda: workers)
    convert = roundtable.incremental.bodies.convert

    def saved_while_checking(*args: Any, **kwargs: Any) -> Any:
        text = target.read_text(encoding="utf-8")
        target.write_text(text + "\nSaved during the build.\n", encoding="utf-8")
        return convert(*args, **kwargs)

    monkeypatch.setattr(roundtable.incremental.bodies, "convert", saved_while_checking)
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert f"content/essays/third.md: {FILE_CHANGED}\n" in run.err
    assert "Traceback" not in run.err
    assert tree_digest(project / "site") == before
    monkeypatch.setattr(roundtable.incremental.bodies, "convert", convert)
    assert run_cli(["build"], project, capsys).status == 0
    assert "Saved during the build." in (project / "site/essays/third/index.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_html_gone_from_the_cache_while_pages_render_builds_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """A page that cannot read its body's HTML back, in the build's process or in a worker,
    makes the build start again without the cache."""
    monkeypatch.setattr(roundtable.render.pages, "PARALLEL_FROM", 1)
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    clean = copy_project(FIXTURES / "minimal", tmp_path / "clean")
    _build(clean, 1)
    convert = roundtable.incremental.bodies.convert
    calls: list[int] = []

    def then_lost(site: Any, cache: BuildCache, *args: Any) -> Any:
        converted = convert(site, cache, *args)
        if not calls:
            for name in [name for name in cache.store if name.startswith("html:")]:
                del cache.store[name]
        calls.append(1)
        return converted

    monkeypatch.setattr(roundtable.incremental.bodies, "convert", then_lost)
    _build(project, workers)
    assert len(calls) == 2, "the build started again"
    assert tree_digest(project / "site") == tree_digest(clean / "site")


class _Cycle:
    """An object that refers to itself: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_work_with_the_heap_frozen_collects_its_own_cycles() -> None:
    gc.disable()
    try:
        kept = _Cycle()
        with heap_frozen():
            made = weakref.ref(_Cycle())
            padding = [[] for _ in range(20_000)]  # allocations that trigger the collector
            assert made() is None, "a cycle made inside was not collected"
            assert gc.get_freeze_count() > 0
        del padding
        assert not gc.isenabled(), "the collector is paused again, as the build had it"
        assert gc.get_freeze_count() == 0
        assert kept.me is kept
        unfrozen = weakref.ref(_Cycle())
        [[] for _ in range(20_000)]
        assert unfrozen() is not None, "outside, the collector stays paused"
    finally:
        gc.enable()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("use_cache", [True, False])
@pytest.mark.parametrize("change", ["edited", "no front matter", "emptied", "not UTF-8", "FIFO"])
def test_a_file_changed_after_reading_is_a_located_error_on_every_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, use_cache: bool, workers: int
) -> None:
    """Between reading a file and converting its body, the file may change into anything: the
    build stops with that file's name, never a traceback, never waiting on a FIFO."""
    monkeypatch.setattr(roundtable.render.convert, "PARALLEL_FROM", 1)
    project = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    target = essay(project, "third")
    read_variants = roundtable.pipeline.with_variants

    def changed_after_reading(site: Any) -> Any:
        if change == "FIFO":
            target.unlink()
            os.mkfifo(target)
        else:
            changed = {
                "edited": target.read_bytes() + b"\nSaved during the build.\n",
                "no front matter": b"Just a body.\n",
                "emptied": b"",
                "not UTF-8": b"---\ntitle: x\n---\n\xff\xfe\n",
            }
            target.write_bytes(changed[change])
        return read_variants(site)

    monkeypatch.setattr(roundtable.pipeline, "with_variants", changed_after_reading)
    with pytest.raises(BuildFailed) as failed:
        _build(project, workers, use_cache)
    assert [str(error) for error in failed.value.errors] == [
        f"content/essays/third.md: {FILE_CHANGED}"
    ]
