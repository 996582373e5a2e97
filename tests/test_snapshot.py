"""A build that starts from the last build's site: taken only for new bodies, always equal to a
clean build, and never trusted past what it can tell."""

from __future__ import annotations

import pickle
import sqlite3
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from helpers.site import FIXTURES, copy_project, run_cli, tree_digest
from test_cache import assert_incremental_equals_clean, edit, essay

import roundtable.incremental.cache
import roundtable.incremental.recall
import roundtable.pipeline
from roundtable.commands.cli import theme_for
from roundtable.errors import BuildFailed
from roundtable.incremental import snapshot
from roundtable.incremental.reading import FILE_CHANGED
from roundtable.options import BuildOptions
from roundtable.pipeline import build_site


@pytest.fixture
def project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The minimal fixture, built once, its files' stats trusted."""
    monkeypatch.setattr(roundtable.incremental.cache, "RACY_NS", 0)
    proj = copy_project(FIXTURES / "minimal", tmp_path / "proj")
    assert run_cli(["build"], proj, capsys).status == 0
    return proj


@pytest.fixture
def gathered(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the builds that read and checked the whole content."""
    calls: list[int] = []
    gather = roundtable.incremental.recall.gather_site

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return gather(*args, **kwargs)

    monkeypatch.setattr(roundtable.incremental.recall, "gather_site", counted)
    return calls


def test_a_new_body_starts_from_the_last_site(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int]
) -> None:
    edit(essay(project, "third"), "Third body", "Changed body")
    assert_incremental_equals_clean(project, capsys)
    assert len(gathered) == 1, "only the clean build read the whole content"
    listing = (project / "site/roundtables/alpha/index.html").read_text(encoding="utf-8")
    assert "Changed body" in listing  # the summary is the body's first paragraph
    edit(essay(project, "third"), "title: Third Essay", "title: Third Essay, Retitled")
    assert_incremental_equals_clean(project, capsys)
    assert len(gathered) == 3, "a new front matter reads the whole content"
    edit(essay(project, "third"), "Changed body", "Changed again")
    assert_incremental_equals_clean(project, capsys)
    assert len(gathered) == 4, "the retitled essay's front matter was known to the snapshot"


def test_a_roundtable_introduction_starts_from_the_last_site(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int]
) -> None:
    intro = project / "content/roundtables/alpha.md"
    intro.write_text(intro.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert_incremental_equals_clean(project, capsys)
    assert len(gathered) == 1


def _add_essay(project: Path) -> None:
    text = "---\ntitle: Fourth\nauthor: Cy Dee\nroundtable: alpha\n---\nFourth body.\n"
    essay(project, "fourth").write_text(text, encoding="utf-8")


WHOLE_WAY: dict[str, Callable[[Path], None]] = {
    "an essay added": _add_essay,
    "an essay deleted": lambda p: essay(p, "third").unlink(),
    "an essay renamed": lambda p: essay(p, "third").rename(essay(p, "deuxième")),
    "site.yml": lambda p: edit(p / "content/site.yml", "tagline:", "allow_html: true\ntagline:"),
    "a draft's body": lambda p: edit(essay(p, "zeta-draft"), "Not ready.", "Not ready. More."),
    "a front matter and a body": lambda p: edit(
        essay(p, "third"), "date: 2024-05-03\n---\nThird body", "date: 2024-05-04\n---\nNew body"
    ),
    "a body and a template": lambda p: (
        edit(essay(p, "third"), "Third body", "Changed body"),
        (p / "templates").mkdir(exist_ok=True),
        (p / "templates/_extra.html").write_text("unused", encoding="utf-8"),
    ),
}


@pytest.mark.parametrize("change", list(WHOLE_WAY), ids=list(WHOLE_WAY))
def test_anything_but_a_new_body_reads_the_whole_content(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int], change: str
) -> None:
    WHOLE_WAY[change](project)
    every_page = change in ("site.yml", "a body and a template")  # on every page: all made again
    assert_incremental_equals_clean(project, capsys, reuses_pages=not every_page)
    assert len(gathered) == 2, "the build read the whole content"


def test_a_body_that_breaks_its_front_matter_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int]
) -> None:
    before = tree_digest(project / "site")
    edit(essay(project, "third"), "---\nThird body", "Third body")  # the closing line is gone
    result = run_cli(["build"], project, capsys)
    assert result.status == 1 and "third.md" in result.err
    assert tree_digest(project / "site") == before  # the last good site stays
    assert len(gathered) == 1


def _snapshot_file(project: Path) -> Path:
    """Return the file of the project's snapshot."""
    (found,) = (project / ".roundtable-cache" / roundtable.incremental.cache.BLOBS_DIR).glob(
        "snapshot-*"
    )
    return found


DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "bytes flipped": lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],
    "cut short": lambda data: data[: len(data) // 2],
    "not a snapshot, checksum right": lambda data: (
        zlib.crc32(b"\x80\x05 not a snapshot").to_bytes(4, "little") + b"\x80\x05 not a snapshot"
    ),
    "a pickled list, checksum right": lambda data: (
        zlib.crc32(pickle.dumps([1])).to_bytes(4, "little") + pickle.dumps([1])
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_a_damaged_snapshot_is_not_trusted(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int], damage: str
) -> None:
    kept = _snapshot_file(project)
    kept.write_bytes(DAMAGE[damage](kept.read_bytes()))
    edit(essay(project, "third"), "Third body", "Changed body")
    assert_incremental_equals_clean(project, capsys)
    assert len(gathered) == 2


def test_a_snapshot_whose_html_is_gone_builds_everything_again(
    project: Path, capsys: pytest.CaptureFixture[str], gathered: list[int]
) -> None:
    with sqlite3.connect(project / ".roundtable-cache/cache.sqlite") as db:
        db.execute("DELETE FROM html")
    edit(essay(project, "third"), "Third body", "Changed body")
    # The roundtable's feed needs its other essays' HTML; every page is made again.
    assert_incremental_equals_clean(project, capsys, reuses_pages=False)
    assert len(gathered) == 2, "the missing HTML was noticed, and the build began again"


def _load(project: Path) -> snapshot.Snapshot:
    """Return the snapshot the project's last build left."""
    cache = roundtable.incremental.cache.BuildCache(project / ".roundtable-cache")
    try:
        where = SimpleNamespace(
            content=project / "content", content_display="content", output=project / "site"
        )
        kept = snapshot.load(cache, where)
        assert kept is not None
        str(kept.site.essay("third").html)  # read while the cache is open
        return kept
    finally:
        cache.close()


def test_a_snapshot_keeps_bodies_and_html_by_their_hashes(project: Path) -> None:
    kept = _load(project)
    third = kept.site.essay("third")
    assert "Third body" in str(third.html)
    assert "essays/third.md" in kept.summarised  # it gives no summary of its own
    assert kept.fronts["essays/third.md"]
    assert set(kept.markdown) >= {"essays/third.md", "roundtables/alpha.md"}
    assert str(third.body).startswith("Third body")  # read from its file (PDFs look in bodies)
    edit(essay(project, "second"), "Second", "2nd")
    with pytest.raises(BuildFailed) as failed:
        str(kept.site.essay("second").body)  # not the file the last build read
    (error,) = failed.value.errors
    assert (error.path, error.message) == ("content/essays/second.md", FILE_CHANGED)


@pytest.mark.parametrize("fixture", ["minimal", "bilingual"])
def test_a_site_from_a_snapshot_equals_a_clean_builds_field_by_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gathered: list[int], fixture: str
) -> None:
    """Pages show only part of the model: the whole model must be the same, too."""
    monkeypatch.setattr(roundtable.incremental.cache, "RACY_NS", 0)
    project = copy_project(FIXTURES / fixture, tmp_path / "proj")
    content = project / "content"
    options = BuildOptions(content, "content", project / "site", theme_for(content), workers=1)
    build_site(options)
    for item in [*sorted((content / "essays").glob("*.md")), content / "roundtables/alpha.md"]:
        text = item.read_text(encoding="utf-8").rstrip("\n")
        if "draft: true" in text:
            continue  # not in the site: editing it reads the whole content
        front, body = text.split("\n---\n", 1)  # a new first paragraph (the summary), and more
        first = f"A new first paragraph of {item.stem}."
        body = f"{first}\n\n{body}\n\nA new paragraph, {'words ' * 300}\n"
        item.write_text(f"{front}\n---\n{body}", encoding="utf-8")
    before = len(gathered)
    recalled = build_site(options).site
    assert len(gathered) == before, "the build started from the snapshot"
    clean = build_site(replace(options, output=project / "clean", use_cache=False)).site
    assert recalled is not None and recalled == clean
    assert [e.reading_minutes for e in recalled.essays] == [e.reading_minutes for e in clean.essays]
