"""Hardening, plan section E: the same content gives the same bytes whatever order the disk
lists it in, whatever the clock says, and with nothing random, temporary or local in it; and the
exit status tells CI exactly what happened.

Hash seed, time zone, locale, project path and mtimes are varied in tests/test_reproducible.py.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.hostile import build, new_project, write_essay
from helpers.site import page, tree_digest

Order = Callable[[list[Any]], list[Any]]


class _Listing:
    """What os.scandir returns (an iterator and a context manager), in an order of our choosing."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self.entries = iter(entries)

    def __iter__(self) -> Iterator[os.DirEntry[str]]:
        return self

    def __next__(self) -> os.DirEntry[str]:
        return next(self.entries)

    def __enter__(self) -> _Listing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        """Nothing to release: the real listing was read whole."""


def reorder_listings(monkeypatch: pytest.MonkeyPatch, order: Order) -> dict[str, int]:
    """Make os.scandir and os.listdir (and so os.walk, glob, Path.iterdir) list in `order`;
    return the count of listings made, to show the build really listed through them."""
    real_scandir, real_listdir = os.scandir, os.listdir
    calls = {"listings": 0}

    def scandir(path: Any = ".") -> _Listing:
        calls["listings"] += 1
        with real_scandir(path) as listing:
            return _Listing(order(list(listing)))

    def listdir(path: Any = ".") -> list[Any]:
        calls["listings"] += 1
        return order(real_listdir(path))

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    return calls


def ties_project(root: Path) -> Path:
    """The minimal site plus ties: same date, same titles, roundtables alike."""
    project = new_project(root)
    for slug, title in [("tie-c", "Same Title"), ("tie-a", "Same Title"), ("tie-b", "Other")]:
        write_essay(project, f"{slug}.md", title=title, date="2024-06-01", order=7)
    for slug in ("gamma", "delta"):
        # The same title; short titles differ, as readers must tell the two apart.
        (project / "content/roundtables" / f"{slug}.md").write_text(
            f"---\ntitle: Twin Roundtable\nshort_title: {slug}\ndate: 2024-07-01\n---\nIntro.\n",
            encoding="utf-8",
        )
        write_essay(project, f"in-{slug}.md", roundtable=slug, title="Twin essay", author="Same")
    return project


ORDERS: dict[str, Order] = {
    "reversed": lambda items: list(reversed(items)),
    "shuffled": lambda items: random.Random(len(items)).sample(items, len(items)),
    "shuffled-again": lambda items: random.Random(len(items) + 1).sample(items, len(items)),
}


@pytest.fixture(scope="module")
def sorted_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The ties project built with the disk's own listing order."""
    project = ties_project(tmp_path_factory.mktemp("ties") / "proj")
    assert build(project, "--no-cache").status == 0
    return tree_digest(project / "site")


@pytest.mark.parametrize("name", list(ORDERS))
def test_e57_directory_order_does_not_change_the_output(
    sorted_build: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """E57: os.scandir/os.listdir (hence os.walk, glob, Path.iterdir) reversed or shuffled."""
    project = ties_project(tmp_path / "proj")
    calls = reorder_listings(monkeypatch, ORDERS[name])
    run = build(project, "--no-cache")
    monkeypatch.undo()
    assert run.status == 0, run.err
    assert calls["listings"] > 5
    assert tree_digest(project / "site") == sorted_build


def test_e58_ties_follow_the_documented_order(tmp_path: Path) -> None:
    """E58: order, then date, then title, then slug; roundtables newest first, then title, then
    slug; so equal titles and dates still have one order."""
    project = ties_project(tmp_path / "proj")
    assert build(project).status == 0
    site = project / "site"
    links = [a["href"] for a in page(site, "roundtables/alpha/").select("ol a")]
    ties = [href for href in links if "tie-" in str(href)]
    assert ties == ["../../essays/tie-b/", "../../essays/tie-a/", "../../essays/tie-c/"]
    home = page(site, "").get_text(" ")
    assert home.index("Twin Roundtable") < home.index("Alpha Roundtable")
    cards = [a["href"] for a in page(site, "").select("a") if "roundtables/" in str(a["href"])]
    twins = [href for href in cards if "delta" in str(href) or "gamma" in str(href)]
    assert twins == sorted(twins)  # delta before gamma: equal date and title, then the slug


def test_e59_no_wall_clock_in_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """E59: without SOURCE_DATE_EPOCH nothing shows today's date or year, nothing is gzipped,
    and content file modification times do not matter."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project = new_project(tmp_path / "proj")
    assert build(project, "--output", "one").status == 0
    for n, path in enumerate(sorted((project / "content").rglob("*"))):
        os.utime(path, (1_000_000 + n, 1_000_000 + n))
    assert build(project, "--no-cache", "--output", "two").status == 0
    assert tree_digest(project / "one") == tree_digest(project / "two")
    today = dt.date.today()
    stamps = [today.isoformat(), today.strftime("%B %-d, %Y"), f"{today.year}-{today.month:02}"]
    for path in (project / "one").rglob("*"):
        assert path.suffix != ".gz", path
        if path.is_file() and path.suffix in (".html", ".xml", ".txt", ".json", ".bib", ".ris"):
            text = path.read_text(encoding="utf-8")
            assert not [s for s in stamps if s in text], path


UUID4 = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.I)
ADDRESS = re.compile(rb"0x[0-9a-f]{8,}")


def test_e60_no_random_ids_addresses_or_temporary_paths(tmp_path: Path) -> None:
    """E60: no UUIDs, memory addresses, /tmp paths or the project's path in any output file,
    and two builds with unseeded randomness are identical."""
    project = ties_project(tmp_path / "proj")
    assert build(project, "--output", "one").status == 0
    assert build(project, "--no-cache", "--output", "two").status == 0
    assert tree_digest(project / "one") == tree_digest(project / "two")
    local = [str(tmp_path).encode(), b"/tmp/", b"pytest-of-"]
    for path in sorted((project / "one").rglob("*")):
        vendored = "admin" in path.relative_to(project / "one").parts  # the CMS, copied as is
        if path.is_file() and path.suffix not in (".png", ".webp", ".jpg") and not vendored:
            data = path.read_bytes()
            assert not UUID4.search(data) and not ADDRESS.search(data), path
            assert not [p for p in local if p in data], path


def test_e61_nfd_named_static_files_publish_like_nfc(tmp_path: Path) -> None:
    """E61: a macOS-style (NFD) checkout of pictures and a PDF gives the NFC site: published
    under NFC names, found by NFC links in the text and in the front matter."""
    digests = []
    for form in ("NFC", "NFD"):
        project = new_project(tmp_path / form)
        for name in ("café.png", "crème.png"):
            picture = project / "content/images" / unicodedata.normalize(form, name)
            picture.write_bytes((project / "content/images/pic.png").read_bytes())
        (project / "content" / unicodedata.normalize(form, "résumé.pdf")).write_bytes(b"%PDF-1.4")
        body = "![A café](../images/café.png)\n\n[The résumé](../résumé.pdf)\n"
        image = {"src": "images/crème.png", "alt": "A cream"}
        write_essay(project, "cafe.md", body=body, image=image)
        run = build(project)
        assert run.status == 0, run.err
        checked = build(project, command="check")  # the links and the hero image are found
        assert checked.status == 0 and "cafe.md" not in checked.err, checked.err
        digests.append(tree_digest(project / "site"))
    assert digests[0] == digests[1]
    assert {"images/café.png", "images/crème.png", "résumé.pdf"} <= digests[1].keys()
    assert all(unicodedata.is_normalized("NFC", path) for path in digests[1])


def test_e62_exit_status_contract(tmp_path: Path) -> None:
    """E62: 0 for a clean build with nothing on stderr but its warnings; `check` 0 with warnings, 1 with them
    under --strict; 1 for any content error; 2 for a usage error (bad folder, unsafe output).
    (130 after Ctrl-C: test_hardening_serve; CI runs `check --strict` and deploys only after
    the build and the tests: test_workflow.)"""
    project = new_project(tmp_path / "proj")
    clean = build(project)
    assert clean.status == 0
    assert [line for line in clean.err.splitlines() if ": warning: " not in line] == []
    assert build(project, command="check").status == 0  # beta has no essays yet: a warning
    assert build(project, "--strict", command="check").status == 1
    (project / "content/roundtables/beta.md").unlink()
    assert build(project, "--strict", command="check").status == 0
    write_essay(project, "bad.md", roundtable="nowhere")
    assert build(project).status == 1
    assert build(project, command="check").status == 1
    assert build(project, "--content", "missing").status == 2
    assert build(project, "--output", "content").status == 2
