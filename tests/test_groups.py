"""Groups of pages: a build skips a group whose inputs are unchanged, so those inputs must hold
everything its pages read. After every kind of content edit, a group with the same inputs
fingerprint must have exactly the same pages, each with the same fingerprint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from helpers.site import FIXTURES, copy_project
from test_cache import BILINGUAL_EDITS, EDITS, big_project, edit

import roundtable.incremental.cache
from roundtable.commands.cli import theme_for
from roundtable.incremental.cache import BuildCache, key
from roundtable.incremental.fingerprint import Fingerprinter, _item_digest
from roundtable.model import Site, evolve
from roundtable.options import BuildOptions
from roundtable.pipeline import build_site
from roundtable.publish.feeds import FEED_LIMIT
from roundtable.render.pages import page_groups
from roundtable.urls import output_file

Groups = dict[str, tuple[str, dict[str, str]]]

THEME_EDITS = {"template", "asset", "messages file added"}
"""Edits of the theme, which every fingerprint holds whole (not a group's inputs)."""


def built_site(project: Path) -> Site:
    """Build a project in memory and return the model its pages were made from."""
    content = project / "content"
    options = BuildOptions(content, "content", None, theme_for(content), use_cache=False)
    site = build_site(options).site
    assert site is not None
    return site


def fingerprinted_groups(site: Site) -> Groups:
    """Return every group's inputs fingerprint and its pages' fingerprints, by group name."""
    printer = Fingerprinter(key("site", repr(site.config)))
    groups: Groups = {}
    for group in page_groups(site):
        digest = printer.group(group.inputs) if group.inputs is not None else ""
        pages = {output_file(page.path): printer.page(page) for page in group.make()}
        groups[group.name] = (digest, pages)
    return groups


def assert_groups_sound(before: Groups, after: Groups) -> None:
    """A group whose inputs fingerprint did not change has the very same pages; at least one
    group kept its inputs, so the check compared something."""
    kept = [
        name
        for name, (digest, _) in after.items()
        if digest and before.get(name, ("",))[0] == digest
    ]
    assert kept, "every group changed: the check compared nothing"
    for name in kept:
        assert after[name][1] == before[name][1], f"group {name} changed with the same inputs"


def add_bystander(project: Path) -> Path:
    """Add a roundtable with one essay by its own author under its own topic, which no edit
    touches, so that some group keeps its inputs whatever the edit; return the project."""
    content = project / "content"
    (content / "roundtables/bystander.md").write_text(
        "---\ntitle: Bystander Roundtable\ndate: 2024-01-01\n---\nIt looks on.\n", encoding="utf-8"
    )
    (content / "essays/bystanding.md").write_text(
        "---\ntitle: Bystanding\nauthor: Ida Stander\nroundtable: bystander\ndate: 2024-01-02\n"
        "tags: [Onlooking]\n---\nIt looks on.\n",
        encoding="utf-8",
    )
    return project


SITE_WIDE_EDITS = {
    "minimal: site.yml": ("minimal", EDITS["site.yml"]),
    "minimal: base url": ("minimal", EDITS["base url"]),
}
"""Edits that change every group, so the soundness check would compare nothing: site.yml is in
every fingerprint. (An edit of authors.yml changes only the groups that show the people it
changes: items are hashed by their values, not by the files they were read with.)"""
CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    **{f"minimal: {n}": ("minimal", e) for n, e in EDITS.items() if n not in THEME_EDITS},
    **{f"bilingual: {n}": ("bilingual", e) for n, e in BILINGUAL_EDITS.items()},
}
for site_wide in SITE_WIDE_EDITS:
    del CASES[site_wide]


def groups_before_and_after(
    case: tuple[str, Callable[[Path], None]], project: Path
) -> tuple[Groups, Groups]:
    """Build a copy of the case's fixture at `project`, edit it, build again: both sites' groups."""
    fixture, make_edit = case
    add_bystander(copy_project(FIXTURES / fixture, project))
    before = fingerprinted_groups(built_site(project))
    make_edit(project)
    return before, fingerprinted_groups(built_site(project))


@pytest.mark.parametrize("case", list(CASES))
def test_a_group_with_the_same_inputs_has_the_same_pages(case: str, tmp_path: Path) -> None:
    assert_groups_sound(*groups_before_and_after(CASES[case], tmp_path / "proj"))


@pytest.mark.parametrize("case", list(SITE_WIDE_EDITS))
def test_a_site_wide_edit_changes_every_group(case: str, tmp_path: Path) -> None:
    before, after = groups_before_and_after(SITE_WIDE_EDITS[case], tmp_path / "proj")
    assert sorted(after) == sorted(before) and len(after) > 1
    assert [n for n, (digest, _) in after.items() if digest and before[n][0] == digest] == []


def test_an_edit_changes_only_the_groups_that_list_the_essay(tmp_path: Path) -> None:
    project = big_project(tmp_path / "big")
    before = fingerprinted_groups(built_site(project))
    edit(project / "content/essays/e-042.md", "Body 42", "Body forty-two")
    after = fingerprinted_groups(built_site(project))
    assert_groups_sound(before, after)
    changed = sorted(name for name in after if after[name][0] != before[name][0])
    # Its roundtable, its author (Writer 2) and its topic (Tag 0), of 5, 40 and 7.
    assert changed == ["author:writer-2", "roundtable:rt-2", "topic:tag-0"]
    assert len(after) == 5 + 40 + 7 + 1  # and the site-wide pages, made on every build


def test_every_page_is_in_exactly_one_group(tmp_path: Path) -> None:
    site = built_site(copy_project(FIXTURES / "bilingual", tmp_path / "proj"))
    paths = [page.path for group in page_groups(site) for page in group.make()]
    assert len(paths) == len(set(paths))
    essays = {output_file(f"essays/{e.slug}/") for e in site.essays}
    assert essays <= {output_file(p) for p in paths}


def test_an_edit_reads_only_the_html_its_pages_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = big_project(tmp_path / "big")
    content = project / "content"
    options = BuildOptions(content, "content", project / "site", theme_for(content), workers=1)
    build_site(options)
    read: list[str] = []
    fetch = BuildCache.fetch

    def counted(cache: BuildCache, table: str, entry_key: str) -> object:
        read.append(entry_key)
        return fetch(cache, table, entry_key)

    monkeypatch.setattr(BuildCache, "fetch", counted)
    edit(content / "essays/e-042.md", "Body 42", "Body forty-two")  # in rt-2, 30 essays
    result = build_site(options)
    assert result.rendered > 0 and read, "the edited roundtable's pages show HTML"
    # Its roundtable page and feed, and the site feed's newest essays: not all 155 bodies.
    assert len(set(read)) <= 30 + FEED_LIMIT + 1


def test_an_item_is_hashed_by_its_values_not_by_its_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(roundtable.incremental.cache, "RACY_NS", 0)  # trust the fresh copies' stats
    project = big_project(tmp_path / "big")
    content = project / "content"
    options = BuildOptions(content, "content", project / "site", theme_for(content), workers=1)
    build_site(options)
    # A new front matter: every file is read (a new body alone would start from the last site).
    edit(content / "essays/e-042.md", "title: Essay 42", "title: Essay Forty-two")
    site = build_site(options).site
    assert site is not None
    recalled = site.essay("e-001")
    digest = _item_digest(recalled)
    retitled = evolve(recalled, title="Another title")
    assert _item_digest(retitled) != digest
    assert _item_digest(evolve(retitled, title=recalled.title)) == digest
    assert _item_digest(replace(recalled)) == digest  # an equal copy, made afresh
    assert _item_digest(replace(recalled, tags=("new",))) != digest
