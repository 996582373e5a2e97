"""Integration: build real sites into tmp_path and read the HTML a reader would get."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.site import (
    FIXTURES,
    broken_links,
    copy_project,
    html_files,
    page,
    run_cli,
    run_subprocess,
    sample_project,
    tree_digest,
)


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A copy of the minimal fixture project."""
    return copy_project(FIXTURES / "minimal", tmp_path / "proj")


@pytest.fixture
def built(minimal: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The minimal fixture, built; returns the output folder."""
    run = run_cli(["build"], minimal, capsys)
    assert run.status == 0, run.err
    return minimal / "site"


def test_summary_line_names_pages_roundtables_essays(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(["build"], minimal, capsys)
    assert run.status == 0
    assert run.out.startswith("Built 13 pages (2 roundtables, 4 essays) in ")
    assert run.out.rstrip().endswith("s → site/")


def test_every_internal_link_and_anchor_resolves(built: Path) -> None:
    assert broken_links(built, base_path="/forum/") == []


def test_pages_are_pretty_urls_with_lang(built: Path) -> None:
    for html in html_files(built):
        document = page(built, html.relative_to(built).as_posix())
        assert document.html is not None and document.html["lang"] == "en"
        assert len(document.find_all("h1")) == 1, html
    assert (built / "essays" / "first" / "index.html").is_file()
    assert (built / "404.html").is_file()


def test_home_lists_roundtables_newest_first_with_counts(built: Path) -> None:
    home = page(built, "")
    titles = [a.get_text() for a in home.select(".roundtable-card a, article h3 a")]
    assert titles[:2] == ["Beta Roundtable", "Alpha Roundtable"]
    text = home.get_text(" ", strip=True)
    assert "4 essays" in text and "0 essays" in text
    assert "The alpha summary." in text


def test_roundtable_page_orders_essays_and_lists_contributors(built: Path) -> None:
    rt = page(built, "roundtables/alpha/")
    listed = [a.get_text() for a in rt.select("#rt-essays ~ ol a, #rt-essays ~ * a")]
    essays = [t for t in listed if t.endswith("Essay") or t.startswith("¿")]
    assert essays == ["First Essay", "Second Essay", "¿Nuevos lazos? México", "Third Essay"]
    text = rt.get_text(" ", strip=True)
    assert "Ed One" in text and "Ed Two" in text
    assert "Dos Institute" in text
    assert "A Draft" not in text


def test_empty_roundtable_still_gets_a_page(built: Path) -> None:
    beta = page(built, "roundtables/beta/")
    assert beta.find("h1").get_text() == "Beta Roundtable"


def test_essay_page_has_every_part_of_a_roundtable_essay(built: Path) -> None:
    essay = page(built, "essays/first/")
    text = essay.get_text(" ", strip=True)
    assert "This essay is part of the Alpha Roundtable . Read the other essays ." in text
    part_of = essay.find("a", string="Alpha Roundtable")
    assert part_of["href"] == "../../roundtables/alpha/"
    assert essay.find("time")["datetime"] == "2024-05-01"
    assert "Ana Pérez teaches at Uno University." in text
    assert "Uno University" in essay.select_one(".byline").get_text()
    assert essay.select_one(".disclaimer").get_text(strip=True) == "Alpha disclaimer."
    back = essay.find("a", string="Return to Alpha")
    assert back["href"] == "../../roundtables/alpha/"
    assert essay.find("a", rel="next")["href"] == "../second/"
    assert essay.find("a", rel="prev") is None


def test_disclaimer_cascade(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (minimal / "content/roundtables/beta.md").write_text(
        "---\ntitle: Beta\n---\n", encoding="utf-8"
    )
    (minimal / "content/essays/in-beta.md").write_text(
        "---\ntitle: In Beta\nauthor: X\nroundtable: beta\n---\nBody.\n", encoding="utf-8"
    )
    assert run_cli(["build"], minimal, capsys).status == 0
    site = minimal / "site"
    assert page(site, "essays/first/").select_one(".disclaimer").get_text() == "Alpha disclaimer."
    assert page(site, "essays/second/").select_one(".disclaimer") is None  # disclaimer: false
    assert page(site, "essays/in-beta/").select_one(".disclaimer").get_text() == "Site disclaimer."


def test_hero_image_is_a_figure_with_alt_caption_credit_and_size(built: Path) -> None:
    figure = page(built, "essays/pictured/").find("figure")
    img = figure.find("img")
    assert img["alt"] == "A red rectangle"
    assert (img["width"], img["height"]) == ("40", "20")
    assert (
        "A caption." in figure.figcaption.get_text()
        and "Photo by Test" in figure.figcaption.get_text()
    )
    assert (built / "images" / "pic.png").is_file()


def test_multiple_authors_each_get_an_author_page(built: Path) -> None:
    ana = page(built, "authors/ana-perez/")
    titles = {a.get_text() for a in ana.select("main h3 a, main h2 a")}
    assert {"First Essay", "Second Essay"} <= titles
    assert ana.find("h1").get_text() == "Ana Pérez"


def test_summary_defaults_to_first_paragraph(built: Path) -> None:
    rt = page(built, "roundtables/alpha/").get_text(" ", strip=True)
    assert "First paragraph of the first essay." in rt
    assert "An explicit summary." in rt
    meta = page(built, "essays/first/").find("meta", attrs={"name": "description"})
    assert meta["content"] == "First paragraph of the first essay."


def test_drafts_are_left_out_unless_asked(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["build"], minimal, capsys).status == 0
    assert not (minimal / "site/essays/zeta-draft").exists()
    assert run_cli(["build", "--drafts"], minimal, capsys).status == 0
    assert (minimal / "site/essays/zeta-draft/index.html").is_file()


def test_two_builds_are_byte_identical(minimal: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["build", "--output", "out1"], minimal, capsys).status == 0
    assert run_cli(["build", "--output", "out2"], minimal, capsys).status == 0
    assert tree_digest(minimal / "out1") == tree_digest(minimal / "out2")


def test_deleted_essay_leaves_nothing_stale(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(["build"], minimal, capsys).status == 0
    (minimal / "content/essays/third.md").unlink()
    assert run_cli(["build"], minimal, capsys).status == 0
    assert not (minimal / "site/essays/third").exists()
    assert not (minimal / "site/authors/cy-dee").exists()
    assert not list(minimal.glob("site.*"))  # no staging or old folders left behind


def test_base_url_override_and_nested_output(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = run_cli(
        ["build", "--base-url", "https://pages.example/repo/", "--output", "deep/er/out"],
        minimal,
        capsys,
    )
    assert run.status == 0, run.err
    out = minimal / "deep/er/out"
    canonical = page(out, "essays/first/").find("link", rel="canonical")["href"]
    assert canonical == "https://pages.example/repo/essays/first/"
    assert broken_links(out, base_path="/repo/") == []


def test_not_found_page_links_from_the_base_path(built: Path) -> None:
    links = [a["href"] for a in page(built, "404.html").find_all("a")]
    links = [href for href in links if not href.startswith("#")]
    assert links and all(href.startswith("/forum/") for href in links)


def test_content_links_to_markdown_files_become_page_links(built: Path) -> None:
    first = page(built, "essays/first/")
    assert first.find("a", string="second")["href"] == "../second/#a-heading"
    pictured = page(built, "essays/pictured/")
    assert pictured.find("img", alt="inline picture")["src"] == "../../images/pic.png"


def test_site_templates_override_the_theme(
    minimal: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (minimal / "templates").mkdir()
    (minimal / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}',
        encoding="utf-8",
    )
    assert run_cli(["build"], minimal, capsys).status == 0
    assert page(minimal / "site", "404.html").find("h1").get_text() == "Lost at sea"
    assert page(minimal / "site", "").find("h1") is not None  # other templates still from the theme


def test_sample_site_builds_and_links_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = sample_project(tmp_path / "sample")
    run = run_cli(["build"], project, capsys)
    assert run.status == 0, run.err
    assert "1 roundtable" in run.out
    assert broken_links(project / "site", base_path="/forum/") == []


def test_build_py_and_console_script_as_a_user_runs_them(tmp_path: Path) -> None:
    project = sample_project(tmp_path / "sample")
    run = run_subprocess([], project)
    assert run.status == 0, run.err
    assert run.out.startswith("Built ") and run.err == ""
    assert (project / "site" / "index.html").is_file()


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = run_cli(["build", "--content", "nowhere"], tmp_path, capsys)
    assert run.status == 2 and "nowhere" in run.err
    with pytest.raises(SystemExit) as exit_info:
        run_cli(["build", "--no-such-option"], tmp_path, capsys)
    assert exit_info.value.code == 2
