"""The pages of a site (render/pages.py), called with values: a site in, its pages out, and a few
of them rendered into HTML that is parsed as a browser would.

Whether a build may skip a group of pages is test_groups.py's; here is what the groups hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers.site import REPO
from helpers.values import alpha, essay, site

from roundtable.commands.cli import theme_for
from roundtable.model import NO_HTML, Author, Person, Roundtable, Site, Topic
from roundtable.render.convert import convert
from roundtable.render.pages import Page, TemplateFailed, Theme, page_groups, render_pages
from roundtable.render.theme import read_theme

BASE = "https://example.org/"
ANA = Person("Ana Pérez", "ana-perez")
THEME = theme_for(REPO / "content")


def forum(**settings: Any) -> Site:
    """Roundtable alpha, its Spanish version alfa, and beta, which has no essays yet; essays
    'first' and 'second' in alpha and 'uno', first in Spanish, in alfa. Ana wrote first and uno;
    first is on Water. The bodies are converted, as a build renders them."""
    first = essay("first", "The *first* essay.", order=1, tags=("Water",), lang="en")
    second = essay("second", "The second essay.", order=2, lang="en")
    uno = essay("uno", "El *primer* ensayo.", lang="es", translation_of="first")
    essays = (
        replace(first, authors=(ANA,)),
        second,
        replace(uno, roundtable="alfa", authors=(ANA,)),
    )
    roundtables = (
        replace(alpha(), lang="en"),
        Roundtable(
            "alfa", "Alfa", "Alfa", "content/roundtables/alfa.md", lang="es", translation_of="alpha"
        ),
        Roundtable("beta", "Beta", "Beta", "content/roundtables/beta.md", lang="en"),
    )
    people = (Author(ANA, ("first", "uno")),)
    topics = (Topic("Water", "water", ("first",)),)
    given = site(*essays, **settings)
    return convert(replace(given, roundtables=roundtables, authors=people, topics=topics))


def pages(given: Site, pdfs: bool = False) -> dict[str, Page]:
    """Return every page of a site by its path."""
    return {page.path: page for group in page_groups(given, pdfs) for page in group.make()}


def context(given: Site, path: str, pdfs: bool = False) -> Mapping[str, Any]:
    """Return what the template of one page is given."""
    return pages(given, pdfs)[path].context


def slugs(*items: Any) -> list[str | None]:
    """Return the slug of each item (None for none)."""
    return [item.slug if item is not None else None for item in items]


def test_a_group_per_translation_family_author_and_topic_then_the_site() -> None:
    given = forum()
    groups = page_groups(given)
    assert [group.name for group in groups] == [
        "roundtable:alpha",
        "roundtable:beta",
        "author:ana-perez",
        "topic:water",
        "site",
    ]
    made = {group.name: [page.path for page in group.make()] for group in groups}
    assert made["roundtable:alpha"] == [
        "roundtables/alpha/",
        "roundtables/alfa/",
        "essays/first/",
        "essays/second/",
        "essays/uno/",
        "roundtables/alpha/feed.xml",
        "roundtables/alfa/feed.xml",
        *(
            f"essays/{slug}/cite.{kind}"
            for slug in ("first", "second", "uno")
            for kind in ("bib", "ris")
        ),
    ]
    assert made["roundtable:beta"] == ["roundtables/beta/", "roundtables/beta/feed.xml"]
    assert made["author:ana-perez"] == ["authors/ana-perez/"]
    assert made["topic:water"] == ["topics/water/"]
    assert groups[-1].inputs is None, "the pages of the whole site are made on every build"


def test_the_site_pages_follow_the_sites_settings() -> None:
    always = {"", "404.html", "feed.xml", "sitemap.xml", "robots.txt"}
    everything = always | {"search/", "topics/", "admin/", "admin/config.yml"}
    assert {p.path for p in page_groups(forum())[-1].make()} == everything
    plain = replace(forum(search=False, cms=False), topics=())
    assert {p.path for p in page_groups(plain)[-1].make()} == always
    assert "topics/water/" not in pages(plain)


def test_an_essay_page_knows_its_place_and_its_neighbours_in_reading_order() -> None:
    given = forum()
    first, second = (context(given, f"essays/{slug}/") for slug in ("first", "second"))
    assert (first["position"], second["position"]) == (1, 2)
    assert slugs(first["previous"], first["next"]) == [None, "second"]
    assert slugs(second["previous"], second["next"]) == ["first", None]
    assert slugs(*second["siblings"]) == ["first", "second"]
    assert first["roundtable"].slug == "alpha" and first["feed"] == "roundtables/alpha/feed.xml"
    assert first["tags"] == (("Water", "topics/water/"),) and second["tags"] == ()
    lone = context(site(essay("only")), "essays/only/")
    assert lone["position"] == 0, "a lone essay is not counted '1 of 1'"


def test_neighbours_are_cards_without_html_and_only_the_essay_has_its_body() -> None:
    """An edit of one body must not change every page that lists the essay."""
    shown = context(forum(), "essays/second/")
    assert [card.html for card in shown["siblings"]] == [NO_HTML, NO_HTML]
    assert str(shown["essay"].html) == "<p>The second essay.</p>\n"
    listed = context(forum(), "roundtables/alpha/")
    assert [card.html for card in listed["essays"]] == [NO_HTML, NO_HTML]


def test_a_translation_is_read_in_its_language_in_its_originals_place() -> None:
    uno = context(forum(), "essays/uno/")
    assert uno["lang"] == "es" and uno["roundtable"].slug == "alfa"
    assert uno["position"] == 1 and slugs(*uno["siblings"]) == ["uno", "second"]
    assert slugs(*uno["versions"]) == ["first"]
    assert uno["alternates"] == (
        ("en", BASE + "essays/first/"),
        ("es", BASE + "essays/uno/"),
        ("x-default", BASE + "essays/first/"),
    )
    home = context(forum(), "")
    assert slugs(*home["roundtables"]) == ["alpha", "beta"], "one version of each roundtable"
    assert home["roundtable_essay_counts"] == {"alpha": 2, "beta": 0}


def test_pdfs_are_linked_only_when_the_build_makes_them() -> None:
    given = forum()
    assert context(given, "essays/first/", pdfs=True)["pdf"] == "essays/first/first.pdf"
    assert context(given, "roundtables/alpha/", pdfs=True)["pdf"] == "roundtables/alpha/alpha.pdf"
    assert (
        context(given, "essays/first/")["pdf"] == context(given, "roundtables/alpha/")["pdf"] == ""
    )
    with_pdfs, without = page_groups(given, pdfs=True)[0], page_groups(given)[0]
    assert with_pdfs.inputs != without.inputs, "turning PDFs on makes the pages again"


def render(given: Site, *paths: str, theme: Theme = THEME) -> dict[str, bytes]:
    """Render some pages of a site with the default theme; return them by output file."""
    made = pages(given)
    read = read_theme(theme)
    selected = [made[path] for path in paths]
    return dict(render_pages(selected, given, theme, read.asset_hashes, 1, read.version))


def attribute(document: BeautifulSoup, selector: str, name: str) -> str:
    """Return an attribute of the first element a CSS selector finds (it must find one)."""
    element = document.select_one(selector)
    assert element is not None, selector
    return str(element[name])


def test_a_rendered_page_is_in_its_language_with_relative_links_and_versioned_assets() -> None:
    files = render(forum(), "essays/uno/")
    uno = BeautifulSoup(files["essays/uno/index.html"], "html.parser")
    assert attribute(uno, "html", "lang") == "es"
    assert uno.h1 is not None and uno.h1.get_text() == "Uno"
    assert "<em>primer</em>" in str(uno.select_one(".prose"))
    assert attribute(uno, ".kicker a", "href") == "../../roundtables/alfa/"
    assert attribute(uno, "link[rel=canonical]", "href") == BASE + "essays/uno/"
    hreflangs = {str(link["hreflang"]): link["href"] for link in uno.select("link[hreflang]")}
    assert hreflangs == {
        "en": BASE + "essays/first/",
        "es": BASE + "essays/uno/",
        "x-default": BASE + "essays/first/",
    }
    version = read_theme(THEME).asset_hashes["style.css"]
    assert attribute(uno, "link[rel=stylesheet]", "href") == f"../../assets/style.css?v={version}"


def test_pages_are_rendered_to_their_files_and_made_files_are_kept_as_made() -> None:
    files = render(forum(), "", "roundtables/beta/", "essays/first/cite.ris")
    assert sorted(files) == ["essays/first/cite.ris", "index.html", "roundtables/beta/index.html"]
    home = BeautifulSoup(files["index.html"], "html.parser")
    assert {"roundtables/alpha/", "roundtables/beta/"} <= {str(a["href"]) for a in home.select("a")}
    beta = BeautifulSoup(files["roundtables/beta/index.html"], "html.parser")
    feeds = [str(link["href"]) for link in beta.select('link[type="application/atom+xml"]')]
    assert feeds == ["../../feed.xml", "feed.xml"]
    assert files["essays/first/cite.ris"].startswith(b"TY  - ")


def test_a_template_mistake_is_an_error_at_its_line_naming_the_page(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "essay.html").write_text(
        '{% extends "base.html" %}\n{% block main %}\n<h1>{{ essay.titel }}</h1>\n{% endblock %}\n',
        encoding="utf-8",
    )
    theme = replace(THEME, template_dirs=(templates, *THEME.template_dirs), display_root=tmp_path)
    with pytest.raises(TemplateFailed) as failed:
        render(forum(), "roundtables/alpha/", "essays/first/", theme=theme)
    assert str(failed.value.error) == (
        "templates/essay.html:3: template error in essays/first/index.html: "
        "'roundtable.model.Essay object' has no attribute 'titel' (check the spelling of the name)"
    )
