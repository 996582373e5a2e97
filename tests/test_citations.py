"""Cite this essay: Chicago and APA text, BibTeX and RIS files that reference managers read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from helpers.browser import serve_directory
from helpers.site import FIXTURES, copy_project, run_subprocess
from helpers.site import page as parse_page
from markupsafe import Markup

from roundtable.model import Essay, Person, Roundtable, Site, SiteConfig
from roundtable.publish.citations import (
    CiteThis,
    Reference,
    apa,
    bibtex,
    bibtex_key,
    chicago,
    cite_this,
    full_title,
    reference,
    ris,
)
from roundtable.publish.names import initials, split_name

if TYPE_CHECKING:
    from playwright.sync_api import Page

URL = "https://example.org/forum/essays/x/"
THREE = Reference(
    title="Follow the Money, Together: Finance & Trust",
    authors=tuple(
        split_name(n) for n in ("Mariana Peña Ibáñez", "Bo Chen", "José Ortega y Gasset")
    ),
    container="Rethinking U.S.–Mexico Security Cooperation Roundtable",
    publisher="Hemisphere Policy Forum",
    date=dt.date(2021, 3, 1),
    url=URL,
    language="en",
    abstract="Money moves; 100% of it.",
    keywords=("Fentanyl", "Border"),
)
UNDATED = dataclasses.replace(THREE, title="Why Now?", authors=THREE.authors[1:2], date=None)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The minimal fixture, built once for this module."""
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("cite") / "proj")
    run = run_subprocess(["build"], project)
    assert run.status == 0, run.err
    return project / "site"


@pytest.mark.parametrize(
    ("full", "given", "family", "suffix"),
    [
        ("Bo Chen", "Bo", "Chen", ""),
        ("Juan de la Cruz", "Juan", "de la Cruz", ""),
        ("José Ortega y Gasset", "José", "Ortega y Gasset", ""),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven", ""),
        ("Martin Luther King, Jr.", "Martin Luther", "King", "Jr."),
        ("Cher", "", "Cher", ""),
    ],
)
def test_names_split_into_given_family_and_suffix(
    full: str, given: str, family: str, suffix: str
) -> None:
    name = split_name(full)
    assert (name.given, name.family, name.suffix) == (given, family, suffix)


def test_initials_keep_hyphens_and_accents() -> None:
    assert initials("Jean-Paul") == "J.-P."
    assert initials("Mary Ann") == "M. A."
    assert initials("Ángela") == "Á."


def test_chicago_note_names_authors_as_written() -> None:
    assert chicago(THREE) == (
        "Mariana Peña Ibáñez, Bo Chen, and José Ortega y Gasset, "
        "“Follow the Money, Together: Finance &amp; Trust,” "
        "<cite>Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>, "
        f"Hemisphere Policy Forum, March 1, 2021, {URL}."
    )


def test_chicago_without_date_and_with_question_mark_title() -> None:
    assert chicago(UNDATED) == (
        "Bo Chen, “Why Now?” <cite>Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>, "
        f"Hemisphere Policy Forum, n.d., {URL}."
    )


def test_chicago_note_shortens_four_authors_to_et_al() -> None:
    four = dataclasses.replace(THREE, authors=(*THREE.authors, split_name("Ana Pérez")))
    assert chicago(four).startswith("Mariana Peña Ibáñez et al., “Follow")


def test_apa_reference() -> None:
    assert apa(THREE) == (
        "Ibáñez, M. P., Chen, B., &amp; Ortega y Gasset, J. (2021, March 1). "
        "Follow the Money, Together: Finance &amp; Trust. "
        "<cite>Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>. "
        f"Hemisphere Policy Forum. {URL}"
    )
    assert apa(UNDATED).startswith("Chen, B. (n.d.). Why Now? <cite>")


def test_citation_text_is_escaped() -> None:
    hostile = dataclasses.replace(THREE, title="<script>alert(1)</script>")
    assert "<script>" not in chicago(hostile) and "<script>" not in apa(hostile)


def test_bibtex_parses_back_with_names_and_utf8() -> None:
    library = bibtexparser.parse_string(
        bibtex(THREE), append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert entry.entry_type == "misc"
    assert entry.key == bibtex_key(THREE) == "ibanez2021follow"
    names = [(" ".join(n.first), " ".join(n.last)) for n in entry["author"]]
    assert names == [("Mariana Peña", "Ibáñez"), ("Bo", "Chen"), ("José", "{Ortega y Gasset}")]
    assert entry["title"] == r"{Follow the Money, Together: Finance \& Trust}"
    assert entry["year"] == "2021" and entry["date"] == "2021-03-01"
    assert entry["url"] == URL
    assert entry["abstract"] == r"Money moves; 100\% of it."


def test_bibtex_without_date_has_no_year() -> None:
    (entry,) = bibtexparser.parse_string(bibtex(UNDATED)).entries
    assert entry.key == "chenndwhy"
    assert "year" not in entry.fields_dict


def test_ris_parses_back() -> None:
    (record,) = rispy.loads(ris(THREE))
    assert record["type_of_reference"] == "ELEC"
    assert record["authors"] == ["Ibáñez, Mariana Peña", "Chen, Bo", "Ortega y Gasset, José"]
    assert record["title"] == "Follow the Money, Together: Finance & Trust"
    assert record["secondary_title"] == THREE.container
    assert record["date"] == "2021/03/01" and record["year"] == "2021"
    assert record["urls"] == [URL]
    assert record["keywords"] == ["Fentanyl", "Border"]
    assert ris(THREE).startswith("TY  - ELEC\n")
    assert "date" not in rispy.loads(ris(UNDATED))[0]


def test_built_citation_files_parse(built: Path) -> None:
    (entry,) = bibtexparser.parse_string(
        (built / "essays/second/cite.bib").read_text(encoding="utf-8")
    ).entries
    assert entry["author"] == "Chen, Bo and Pérez, Ana"
    assert entry["howpublished"] == "{Alpha Roundtable}"
    (record,) = rispy.loads((built / "essays/second/cite.ris").read_text(encoding="utf-8"))
    assert record["authors"] == ["Chen, Bo", "Pérez, Ana"]
    assert record["publisher"] == "Test Institute"
    (undated,) = rispy.loads((built / "essays/pictured/cite.ris").read_text(encoding="utf-8"))
    assert undated["date"] == "2024/05/01"  # the roundtable's date stands in for the essay's


def test_essay_page_shows_both_styles_and_links_both_files(built: Path) -> None:
    section = parse_page(built, "essays/second/").select_one("section.cite")
    assert section is not None
    styles = [dt.get_text() for dt in section.select("dt")]
    assert styles == ["Chicago", "APA"]
    texts = [p.get_text() for p in section.select("dd > p")]
    assert texts[0].startswith("Bo Chen and Ana Pérez, “Second Essay,” Alpha Roundtable")
    assert texts[1].startswith("Chen, B., & Pérez, A. (2024, May 2). Second Essay.")
    links = {a.get_text(): a["href"] for a in section.select("a")}
    assert links == {"BibTeX": "cite.bib", "RIS": "cite.ris"}
    assert all(button.has_attr("hidden") for button in section.select("button"))


def test_copy_button_appears_with_javascript_and_copies(built: Path, page: Page) -> None:
    with serve_directory(built, mount="/forum/") as url:
        origin = url.removesuffix("/forum/")
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(url + "essays/second/")
        button = page.get_by_role("button", name="Copy the APA citation")
        button.click()
        status = page.locator("#rt-cite-status")
        status.wait_for(state="attached")
        page.wait_for_function("document.getElementById('rt-cite-status').textContent !== ''")
        assert status.text_content() == "Citation copied."
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied.startswith("Chen, B., & Pérez, A. (2024, May 2).")
        page.context.clear_permissions()


@pytest.mark.parametrize(
    ("full", "family", "given", "split_family"),
    [
        ("Mariana Peña Ibáñez", "Peña Ibáñez", "Mariana", "Peña Ibáñez"),
        ("Mariana Peña Ibáñez", "Ibáñez", "Mariana Peña", "Ibáñez"),
        ("Bo Chen", "Li", "Bo", "Chen"),
        ("Cher", "Cher", "", "Cher"),
    ],
)
def test_family_name_from_the_editors_is_taken_as_given(
    full: str, family: str, given: str, split_family: str
) -> None:
    name = split_name(full, family)
    assert (name.full, name.given, name.family) == (full, given, split_family)


@pytest.mark.parametrize(
    ("full", "given", "family", "suffix"),
    [
        ("", "", "", ""),
        ("Jr.", "", "Jr.", ""),
        ("Sammy Davis Jr", "Sammy", "Davis", "Jr"),
        ("Ana María de los Santos", "Ana María", "de los Santos", ""),
        ("Ana María Santos y Valle", "Ana María", "Santos y Valle", ""),
        ("Rosa Ortega i Puig", "Rosa", "Ortega i Puig", ""),
        ("van Gogh", "van", "Gogh", ""),
        ("Chen,Bo", "Chen", "Bo", ""),
        ("Chen Jr", "", "Chen", "Jr"),
        ("Ortega y Gasset", "", "Ortega y Gasset", ""),
    ],
)
def test_names_split_at_the_edges(full: str, given: str, family: str, suffix: str) -> None:
    name = split_name(full)
    assert (name.given, name.family, name.suffix) == (given, family, suffix)


def test_initials_of_odd_given_names() -> None:
    assert initials("") == ""
    assert initials("Jean--Paul  Marie") == "J.-P. M."


def test_spanish_citations_use_spanish_words_and_dates() -> None:
    spanish = dataclasses.replace(THREE, language="es-MX", container_language="en")
    assert chicago(spanish) == (
        "Mariana Peña Ibáñez, Bo Chen y José Ortega y Gasset, "
        "“Follow the Money, Together: Finance &amp; Trust”, "
        '<cite lang="en">Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>, '
        f"Hemisphere Policy Forum, 1 de marzo de 2021, {URL}."
    )
    assert apa(spanish).startswith(
        "Ibáñez, M. P., Chen, B. y Ortega y Gasset, J. (2021, 1 de marzo). Follow"
    )
    undated = dataclasses.replace(spanish, date=None, authors=THREE.authors[:2])
    assert chicago(undated).startswith("Mariana Peña Ibáñez y Bo Chen, “Follow")
    assert ", s. f., https://" in chicago(undated)
    assert apa(undated).startswith("Ibáñez, M. P. y Chen, B. (s. f.). Follow")


def test_two_authors_and_a_roundtable_published_under_its_own_name() -> None:
    two = dataclasses.replace(
        THREE, authors=THREE.authors[:2], publisher=THREE.container, title="Wait!"
    )
    assert chicago(two) == (
        "Mariana Peña Ibáñez and Bo Chen, “Wait!” "
        "<cite>Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>, "
        f"March 1, 2021, {URL}."
    )
    assert apa(two) == (
        "Ibáñez, M. P., &amp; Chen, B. (2021, March 1). Wait! "
        f"<cite>Rethinking U.S.–Mexico Security Cooperation Roundtable</cite>. {URL}"
    )


def test_apa_lists_twenty_authors_then_an_ellipsis_and_the_last() -> None:
    many = tuple(split_name(f"Ana Autor{n:02}") for n in range(1, 23))
    listed = apa(dataclasses.replace(THREE, authors=many)).split(" (2021")[0]
    assert listed.startswith("Autor01, A., Autor02, A., ")
    assert listed.endswith("Autor18, A., Autor19, A., . . . Autor22, A.")
    twenty = apa(dataclasses.replace(THREE, authors=many[:20])).split(" (2021")[0]
    assert twenty.endswith("Autor19, A., &amp; Autor20, A.")
    assert apa(dataclasses.replace(THREE, authors=(split_name("Cher"),))).startswith("Cher (2021")


def test_suffixes_are_kept_apart_in_every_format() -> None:
    king = dataclasses.replace(THREE, authors=(split_name("Martin Luther King Jr."),))
    assert chicago(king).startswith("Martin Luther King Jr., “Follow")
    assert apa(king).startswith("King, M. L., Jr. (2021, March 1).")
    assert "author = {King, Jr., Martin Luther}" in bibtex(king)
    assert rispy.loads(ris(king))[0]["authors"] == ["King, Martin Luther, Jr."]


def test_bibtex_escapes_latex_and_keys_skip_articles() -> None:
    odd = dataclasses.replace(
        THREE,
        title="The $5 {bill} #1 ~ 50% ^ A_B \\ C",
        authors=(),
        keywords=(),
        abstract="",
        date=dt.date(2020, 12, 9),
    )
    text = bibtex(odd)
    assert (
        r"title = {{The \$5 \{bill\} \#1 \textasciitilde{} 50\% \textasciicircum{} A\_B "
        r"\textbackslash{} C}}"
    ) in text
    assert "month = {12}" in text and "date = {2020-12-09}" in text
    assert "author" not in text and "keywords" not in text and "abstract" not in text
    assert bibtex_key(odd) == "anon20205"
    assert bibtex_key(dataclasses.replace(odd, title="—")) == "anon2020"
    assert bibtex_key(dataclasses.replace(THREE, title="A Trade Primer")) == "ibanez2021trade"
    assert bibtex_key(dataclasses.replace(THREE, title="An Answer")) == "ibanez2021answer"
    de_la = dataclasses.replace(THREE, authors=(split_name("Juan de la Cruz"),))
    assert bibtex_key(de_la) == "delacruz2021follow"


def test_ris_of_an_undated_essay_without_extras() -> None:
    (record,) = rispy.loads(
        ris(dataclasses.replace(UNDATED, abstract="", keywords=(), language="es"))
    )
    assert "date" not in record and "year" not in record and "keywords" not in record
    assert record["language"] == "es" and record["publisher"] == "Hemisphere Policy Forum"
    assert ris(UNDATED).startswith("TY  - ELEC")


def test_reference_gathers_the_essay_its_roundtable_and_the_site() -> None:
    roundtable = Roundtable(
        slug="r",
        title="Trade Roundtable",
        short_title="Trade",
        source="r.md",
        date=dt.date(2021, 3, 1),
    )
    author = Person(name="Mariana Peña Ibáñez", slug="mpi", family="Peña Ibáñez")
    essay = Essay(
        slug="follow",
        title="Follow the Money",
        subtitle="Finance and Trust",
        roundtable="r",
        authors=(author,),
        source="e.md",
        summary="Money moves.",
        tags=("Trade",),
        lang="es",
    )
    config = SiteConfig(title="Forum", base_url="https://e.org/forum/", organization="Org")
    site = Site(config=config, roundtables=(roundtable,), essays=(essay,), authors=())
    assert cite_this(site, essay) == CiteThis(
        chicago=Markup(
            "Mariana Peña Ibáñez, “Follow the Money: Finance and Trust”, "
            '<cite lang="en">Trade Roundtable</cite>, Org, 1 de marzo de 2021, '
            "https://e.org/forum/essays/follow/."
        ),
        apa=Markup(
            "Peña Ibáñez, M. (2021, 1 de marzo). Follow the Money: Finance and Trust. "
            '<cite lang="en">Trade Roundtable</cite>. Org. https://e.org/forum/essays/follow/'
        ),
        bibtex="essays/follow/cite.bib",
        ris="essays/follow/cite.ris",
    )
    ref = reference(site, essay)
    assert (ref.abstract, ref.keywords, ref.language, ref.container_language) == (
        "Money moves.",
        ("Trade",),
        "es",
        "en",
    )
    dated = dataclasses.replace(essay, date=dt.date(2022, 1, 2), lang="")
    plain = dataclasses.replace(site, config=dataclasses.replace(config, organization=""))
    ref = reference(plain, dated)
    assert (ref.date, ref.publisher, ref.language) == (dt.date(2022, 1, 2), "Forum", "en")


@pytest.mark.parametrize(
    ("title", "subtitle", "full"),
    [
        ("Follow the Money", "", "Follow the Money"),
        ("Follow the Money", "Trust", "Follow the Money: Trust"),
        ("Why Now?", "Trust", "Why Now? Trust"),
        ("Wait!", "Trust", "Wait! Trust"),
        ("Money:", "Trust", "Money: Trust"),
    ],
)
def test_full_title_joins_the_subtitle(title: str, subtitle: str, full: str) -> None:
    essay = Essay(slug="x", title=title, subtitle=subtitle, roundtable="r", authors=(), source="x")
    assert full_title(essay) == full


def test_bibtex_names_the_roundtable_publisher_and_keywords() -> None:
    (entry,) = bibtexparser.parse_string(bibtex(THREE)).entries
    assert entry["howpublished"] == "{Rethinking U.S.–Mexico Security Cooperation Roundtable}"
    assert entry["publisher"] == "Hemisphere Policy Forum"
    assert entry["keywords"] == "Fentanyl, Border"


def test_ris_carries_the_summary_and_language() -> None:
    (record,) = rispy.loads(ris(THREE))
    assert record["abstract"] == "Money moves; 100% of it."
    assert record["language"] == "en"
    assert record["publisher"] == "Hemisphere Policy Forum"


def test_unlisted_languages_cite_in_english_and_keys_of_article_titles() -> None:
    french = dataclasses.replace(UNDATED, language="fr")
    assert chicago(french).startswith("Bo Chen, “Why Now?” <cite>")
    assert ", n.d., https://" in chicago(french)
    assert bibtex_key(dataclasses.replace(UNDATED, title="The A")) == "chennd"


def test_an_unsigned_piece_starts_with_its_title() -> None:
    ref = dataclasses.replace(THREE, authors=())
    assert str(chicago(ref)).startswith("“Follow the Money, Together: Finance &amp; Trust,” <cite>")
    assert str(apa(ref)).startswith(
        "Follow the Money, Together: Finance &amp; Trust. (2021, March 1). <cite>"
    )
    assert "author" not in bibtex(ref) and "AU  -" not in ris(ref)


def test_an_organisation_is_never_inverted() -> None:
    ref = dataclasses.replace(THREE, authors=(split_name("World Politics Review", "", True),))
    assert str(chicago(ref)).startswith("World Politics Review, “Follow")
    assert str(apa(ref)).startswith("World Politics Review (2021, March 1).")
    assert "author = {{World Politics Review}}" in bibtex(ref)
    assert "AU  - World Politics Review\n" in ris(ref)


def test_translators_follow_the_title() -> None:
    ref = dataclasses.replace(
        THREE, authors=THREE.authors[:1], translators=(split_name("Jane Q. Doe"),)
    )
    assert "Trust,” trans. Jane Q. Doe, <cite>" in str(chicago(ref))
    assert "Finance &amp; Trust (J. Q. Doe, Trans.). <cite>" in str(apa(ref))
    assert "translator = {Doe, Jane Q.}" in bibtex(ref)
    assert "A4  - Doe, Jane Q.\n" in ris(ref)
    spanish = dataclasses.replace(ref, language="es")
    assert "Trust”, trad. Jane Q. Doe, <cite>" in str(chicago(spanish))
    assert "(J. Q. Doe, Trad.)" in str(apa(spanish))
