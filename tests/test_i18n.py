"""Translations: messages catalogs, pages in Spanish, hreflang pairs, and check's warnings."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from helpers.site import FIXTURES, broken_links, copy_project, page, run_cli, run_subprocess
from markupsafe import Markup

from roundtable.render.i18n import (
    PACKAGE_MESSAGES,
    CatalogError,
    catalog,
    language_name,
    language_tag,
    read_catalog,
)


@pytest.fixture
def site(bilingual_site: Path) -> Path:
    """The bilingual fixture, built once for the session."""
    return bilingual_site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the bilingual fixture, to edit."""
    return copy_project(FIXTURES / "bilingual", tmp_path / "proj")


def load(language: str) -> dict[str, str | dict[str, str]]:
    """Return a package catalog as YAML values."""
    data: dict[str, str | dict[str, str]] = yaml.safe_load(
        (PACKAGE_MESSAGES / f"{language}.yml").read_text(encoding="utf-8")
    )
    return data


def texts(message: str | dict[str, str]) -> list[str]:
    """Return a message's text, or each of its plural forms."""
    return [message] if isinstance(message, str) else list(message.values())


def placeholders(message: str | dict[str, str]) -> set[str]:
    """Return the {names} a message uses."""
    return {
        name for text in texts(message) for _, name, _, _ in string.Formatter().parse(text) if name
    }


# The catalogs


def test_spanish_catalog_is_complete_with_the_same_placeholders() -> None:
    english, spanish = load("en"), load("es")
    assert sorted(spanish) == sorted(english)
    for key, message in english.items():
        assert placeholders(spanish[key]) == placeholders(message), key
        assert isinstance(spanish[key], str) == isinstance(message, str), key


def test_every_message_is_used_by_a_template(repo_root: Path) -> None:
    templates = "".join(p.read_text(encoding="utf-8") for p in (repo_root / "templates").glob("*"))
    code = (repo_root / "roundtable/render/i18n.py").read_text(encoding="utf-8")  # table labels
    unused = [key for key in load("en") if f"'{key}'" not in templates and f'"{key}"' not in code]
    assert unused == []


def test_tables_are_named_in_the_page_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = copy_project(FIXTURES / "bilingual", tmp_path / "proj")
    with (project / "content/essays/uno.md").open("a", encoding="utf-8") as essay:
        essay.write("\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert run_cli(["build"], project, capsys).status == 0
    region = page(project / "site", "essays/uno/").find("div", class_="table-scroll")
    assert region["aria-label"] == "Tabla 1"


def test_catalog_fills_placeholders_escapes_and_picks_plurals() -> None:
    spanish = read_catalog((PACKAGE_MESSAGES,), "es")
    assert spanish("essay_count", count=1) == "1 ensayo"
    assert spanish("essay_count", count=3) == "3 ensayos"
    assert spanish("return_to", title="<b>A & B</b>") == "Volver a &lt;b&gt;A &amp; B&lt;/b&gt;"
    assert spanish.date(dt.date(2021, 3, 4)) == "4 de marzo de 2021"
    assert spanish.join(["A", "B", "C"]) == "A, B y C"
    english = read_catalog((PACKAGE_MESSAGES,), "en")
    assert english.join(["A", "B"]) == "A and B"
    assert english("about_authors", count=2) == "About the authors"


def test_a_regional_language_falls_back_to_its_language_then_english() -> None:
    mexican = read_catalog((PACKAGE_MESSAGES,), "es-MX")
    assert mexican("next") == "Siguiente"
    french = read_catalog((PACKAGE_MESSAGES,), "fr")
    assert french("next") == "Next"
    assert french.date(dt.date(2021, 3, 4)) == "4 mars 2021"


def test_language_codes_are_checked_and_named_in_their_own_language() -> None:
    assert language_tag("pt-br") == "pt-BR"
    assert language_tag("es") == "es"
    assert language_tag("english") is None
    assert language_tag("xx") is None
    assert language_name("es") == "Español"
    assert language_name("en") == "English"


# Pages in Spanish

ENGLISH_ONLY = {key for key, value in load("en").items() if load("es")[key] != value}


def english_fragments() -> set[str]:
    """Return the literal words of every English message that Spanish says differently."""
    fragments = set()
    for key in ENGLISH_ONLY:
        for text in texts(load("en")[key]):
            for literal, _, _, _ in string.Formatter().parse(text):
                fragments.update(
                    part.strip(" .:,()")
                    for part in re.split(r"\{[^}]*\}", literal)
                    if re.search(r"[A-Za-z]", part)
                )
    return {f for f in fragments if f}


def spanish_words(document: BeautifulSoup) -> str:
    """Return the words a reader of the page sees or hears, leaving out what is marked as
    written in another language (content: the site's name, an English roundtable's title)."""
    body = document.body
    assert body is not None
    for element in body.find_all(["script", "style"]):
        element.decompose()
    for element in body.find_all(lang=True):
        if not str(element["lang"]).startswith("es"):
            element.decompose()
    spoken = [
        str(element[attribute])
        for attribute in ("aria-label", "placeholder", "title", "alt", "data-copied")
        for element in body.find_all(attrs={attribute: True})
    ]
    # Addresses (in citations) are no words: '/essays/' is a path, not English.
    return re.sub(r"https?://\S+", "", " ".join([body.get_text(" "), *spoken]))


@pytest.mark.parametrize("path", ["essays/uno/", "roundtables/alfa/"])
def test_spanish_pages_have_no_english_theme_words(site: Path, path: str) -> None:
    words = spanish_words(page(site, path))
    found = [f for f in english_fragments() if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", words)]
    assert found == [], words
    assert "Buscar en el sitio" in words


def test_spanish_essay_reads_in_spanish(site: Path) -> None:
    words = spanish_words(page(site, "essays/uno/"))
    for expected in ("Ensayo 1 de 2", "Siguiente", "Volver a Alfa", "1 min de lectura", "Temas"):
        assert expected in words


def test_the_english_test_would_see_english_words(site: Path) -> None:
    words = spanish_words(page(site, "essays/one/"))
    assert "Next" in english_fragments() and re.search(r"\bNext\b", words)


def test_paired_pages_link_each_other_with_hreflang_both_ways(site: Path) -> None:
    base = "https://example.org/forum/"
    expected = [
        ("en", base + "essays/one/"),
        ("es", base + "essays/uno/"),
        ("x-default", base + "essays/one/"),
    ]
    for path, lang, other in (("essays/one/", "en", "uno"), ("essays/uno/", "es", "one")):
        document = page(site, path)
        assert document.html is not None and document.html["lang"] == lang
        links = [
            (str(link["hreflang"]), str(link["href"]))
            for link in document.find_all("link", rel="alternate", hreflang=True)
        ]
        assert links == expected, path
        switch = document.select_one("nav.languages a")
        assert switch is not None and switch["href"] == f"../{other}/"
        assert switch["hreflang"] == switch["lang"] == ("es" if lang == "en" else "en")


def test_an_essay_without_a_translation_has_no_alternates(site: Path) -> None:
    document = page(site, "essays/two/")
    assert document.find_all("link", hreflang=True) == []
    assert document.select("nav.languages") == []


def test_translation_reads_its_roundtable_in_its_language(site: Path) -> None:
    """uno names the English roundtable; its page shows the Spanish one, and its neighbours."""
    document = page(site, "essays/uno/")
    part_of = document.select_one(".part-of")
    assert part_of is not None
    assert part_of.get_text(" ", strip=True).startswith(
        "Este ensayo forma parte de « Mesa redonda Alfa »"
    )
    assert part_of.a is not None and part_of.a["href"] == "../../roundtables/alfa/"
    pager = document.select_one(".pager__link--next")
    assert pager is not None and pager["href"] == "../two/"
    title = pager.select_one(".pager__title")
    assert title is not None and title["lang"] == "en"
    assert "2 de mayo de 2024" in document.get_text()


def test_roundtables_list_each_essay_once_in_their_language(site: Path) -> None:
    english = [a.get_text() for a in page(site, "roundtables/alpha/").select(".card__title a")]
    spanish = [a.get_text() for a in page(site, "roundtables/alfa/").select(".card__title a")]
    assert english == ["The First Essay", "The Second Essay"]
    assert spanish == ["El primer ensayo", "The Second Essay"]
    card = page(site, "roundtables/alpha/").select_one(".card__meta a[hreflang=es]")
    assert card is not None and card.get_text() == "Español"


def test_home_lists_each_roundtable_once_in_the_site_language(site: Path) -> None:
    home = page(site, "")
    assert [a.get_text() for a in home.select(".roundtable-card__title a")] == [
        "Alpha Roundtable",
        "Beta Roundtable",
    ]
    assert "2 essays" in home.get_text()
    assert home.select_one(".roundtable-card a[hreflang=es]") is not None


def test_bilingual_site_has_no_broken_links(site: Path) -> None:
    assert broken_links(site, base_path="/forum/") == []


# A site's own messages


def test_site_messages_override_the_theme(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "messages").mkdir()
    (project / "messages/en.yml").write_text("next: Onward\n", encoding="utf-8")
    (project / "messages/es.yml").write_text("next: Adelante\n", encoding="utf-8")
    assert run_cli(["build"], project, capsys).status == 0
    assert "Onward" in page(project / "site", "essays/one/").get_text()
    assert "Adelante" in page(project / "site", "essays/uno/").get_text()
    assert "Previous" in page(project / "site", "essays/two/").get_text()


def test_site_messages_add_a_language(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "messages").mkdir()
    (project / "messages/fr.yml").write_text("next: Suivant\n", encoding="utf-8")
    essay = project / "content/essays/two.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace("order: 2", "order: 2\nlang: fr"))
    assert run_cli(["build"], project, capsys).status == 0
    document = page(project / "site", "essays/two/")
    assert document.html is not None and document.html["lang"] == "fr"
    text = document.get_text()
    assert "Suivant" not in text  # two is the last essay: no next link …
    assert "Previous" in text  # … and what fr.yml does not say is in English
    assert "3 mai 2024" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nxt: Onward\n", "messages/en.yml:1: unknown message 'nxt' (did you mean 'next'?)"),
        (
            "next: Onward {title}\n",
            "messages/en.yml:1: next: unknown placeholder {title} (this message has: none)",
        ),
        (
            "essay_count:\n  one: x\n  lots: y\n",
            "messages/en.yml:1: essay_count: expected text, or 'one:' and 'other:' lines for a "
            "number (quote the text)",
        ),
        ("next: [a\n", "messages/en.yml:1:"),
    ],
)
def test_mistakes_in_messages_are_located(
    project: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    (project / "messages").mkdir()
    (project / "messages/en.yml").write_text(text, encoding="utf-8")
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.err.startswith(expected), run.err


def test_language_codes_in_front_matter_are_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    essay = project / "content/essays/uno.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace("lang: es", "lang: spanish"))
    run = run_cli(["build"], project, capsys)
    assert run.status == 1
    assert run.error_lines == [
        "content/essays/uno.md:6: lang: expected a language code, found 'spanish' "
        "(write a BCP 47 code such as en, es or pt-BR)"
    ]


# check


def test_check_warns_about_unpaired_and_misplaced_translations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    essays = project / "content/essays"
    (essays / "huerfano.md").write_text(
        "---\ntitle: Huérfano\nauthor: Bo Chen\nroundtable: alpha\nlang: es\n"
        "translation_of: onee\n---\nSin original.\n",
        encoding="utf-8",
    )
    (essays / "dos.md").write_text(
        "---\ntitle: El segundo\nauthor: Bo Chen\nroundtable: beta\nlang: es\n"
        "translation_of: two\n---\nEn otra mesa.\n",
        encoding="utf-8",
    )
    (essays / "same.md").write_text(
        "---\ntitle: Same\nauthor: Bo Chen\nroundtable: alpha\ntranslation_of: two\n---\nSame.\n",
        encoding="utf-8",
    )
    run = run_cli(["check"], project, capsys)
    assert run.status == 0
    warnings = [line for line in run.err.splitlines() if "translation_of" in line]
    assert warnings == [
        "content/essays/dos.md:6: warning: translation_of: the original is in roundtable "
        "'alpha', this translation in 'beta' (use roundtable: alpha, or a translation of it)",
        "content/essays/huerfano.md:6: warning: translation_of: no published essay 'onee' to "
        "translate (did you mean 'one'?)",
        "content/essays/same.md:5: warning: translation_of: 'two' is in the same language, en "
        "(set lang: to this translation's language)",
    ]


def test_translation_of_a_missing_essay_still_builds(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "content/essays/one.md").unlink()
    run = run_cli(["build"], project, capsys)
    assert run.status == 0, run.err
    document = page(project / "site", "essays/uno/")
    assert document.find_all("link", hreflang=True) == []
    assert document.html is not None and document.html["lang"] == "es"


def test_paired_roundtables_link_each_other_with_hreflang(site: Path) -> None:
    for path, lang in (("roundtables/alpha/", "en"), ("roundtables/alfa/", "es")):
        document = page(site, path)
        assert document.html is not None and document.html["lang"] == lang
        links = [
            str(link["hreflang"])
            for link in document.find_all("link", rel="alternate", hreflang=True)
        ]
        assert links == ["en", "es", "x-default"]
    beta = page(site, "roundtables/beta/")
    assert beta.find_all("link", hreflang=True) == []


def test_sample_spanish_essay_has_no_english_theme_words(tmp_path: Path) -> None:
    from helpers.site import sample_project

    project = sample_project(tmp_path / "sample")
    assert run_subprocess(["build"], project).status == 0
    document = page(project / "site", "essays/sigamos-juntos-el-rastro-del-dinero/")
    for body in document.select(".prose"):  # the essay itself names "the Roundtable generator"
        body.decompose()
    words = spanish_words(document)
    found = [f for f in english_fragments() if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", words)]
    assert found == [], words


# Messages files, read directly (fast: no build)


def messages_error(tmp_path: Path, name: str, text: str) -> str:
    """Write one site messages file and return the error reading the catalogs gives."""
    folder = tmp_path / "messages"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        read_catalog((folder, PACKAGE_MESSAGES), "en")
    return str(info.value.error)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "klingon.yml",
            "next: Onward\n",
            ": the file name: 'klingon' is not a language code (write a BCP 47 code such as en, "
            "es or pt-BR)",
        ),
        (
            "en.yml",
            "next: [a\n",
            ":1: invalid YAML: did not find expected ',' or ']' (the list opened on this line is "
            "not closed with ']')",
        ),
        (
            "en.yml",
            "next: x\nzzzzz: y\n",
            ":2: unknown message 'zzzzz' (see roundtable/messages/en.yml)",
        ),
        (
            "en.yml",
            "next: 5\n",
            ":1: next: expected text, or 'one:' and 'other:' lines for a number (quote the text)",
        ),
        (
            "en.yml",
            "essay_count:\n  one: x\n  lots: y\n  other: z\n",
            ":1: essay_count: 'lots' is not a plural category (use zero, one, two, few, many, other)",
        ),
        (
            "en.yml",
            "essay_count:\n  one: 1\n  other: z\n",
            ":1: essay_count: expected text (put the value in quotes)",
        ),
        (
            "en.yml",
            "return_to: Back to {title\n",
            ":1: return_to: expected '}' before end of string (write a literal brace as {{ or }})",
        ),
        (
            "en.yml",
            "essay_position: '{total}: {position} {pos} {all}'\n",
            ":1: essay_position: unknown placeholder {all} (this message has: {position}, {total})",
        ),
        (
            "en.yml",
            "essay_count:\n  one: '{count} essay'\n  other: '{n} essays'\n",
            ":1: essay_count: unknown placeholder {n} (this message has: {count})",
        ),
    ],
)
def test_messages_file_mistakes_are_explained(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    assert messages_error(tmp_path, name, text) == f"{tmp_path / 'messages' / name}{expected}"


def test_messages_file_rewords_and_falls_back(tmp_path: Path) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "es.yml").write_text(
        "next: Adelante\nessay_count:\n  one: '{count} texto'\n  other: '{count} textos'\n"
    )
    (folder / "es-MX.yml").write_text("previous: Atrás\n")
    (folder / "notes.txt").write_text("ignored")
    mexican = read_catalog((folder, PACKAGE_MESSAGES), "es-MX")
    assert (mexican("next"), mexican("previous"), mexican("return_to", title="A")) == (
        "Adelante",
        "Atrás",
        "Volver a A",
    )
    assert mexican("essay_count", count=0) == "0 textos"
    assert mexican("essay_count", count=1) == "1 texto"
    assert read_catalog((tmp_path / "none", PACKAGE_MESSAGES), "es")("next") == "Siguiente"


def test_messages_file_near_miss_suggests_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert messages_error(tmp_path, "en.yml", "nxt: Onward\n") == (
        "messages/en.yml:1: unknown message 'nxt' (did you mean 'next'?)"
    )


def test_catalog_plurals_without_count_and_lists_of_any_length() -> None:
    english = read_catalog((PACKAGE_MESSAGES,), "en")
    assert english.join([]) == ""
    assert english.join(["<A>"]) == "&lt;A&gt;"
    assert english.join(["A", "B", "C", "D"]) == "A, B, C, and D"
    assert read_catalog((PACKAGE_MESSAGES,), "es").join(["A", "B", "C", "D"]) == "A, B, C y D"
    assert english("return_to", title=Markup("<i>T</i>")) == "Return to <i>T</i>"
    assert english("next") is english("next")


def test_catalog_is_read_again_for_a_new_theme_version(tmp_path: Path) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "en.yml").write_text("next: Onward\n")
    dirs = (folder, PACKAGE_MESSAGES)
    assert catalog(dirs, "en", "v1")("next") == "Onward"
    (folder / "en.yml").write_text("next: Forward\n")
    assert catalog(dirs, "en", "v1")("next") == "Onward"
    assert catalog(dirs, "en", "v2")("next") == "Forward"


def test_catalog_names_regional_languages_in_their_own_words() -> None:
    assert language_name("pt-BR") == "Português (Brasil)"
    assert language_name("es-MX") == "Español (México)"


def test_catalog_plural_forms_fall_back_to_other() -> None:
    spanish = read_catalog((PACKAGE_MESSAGES,), "es")
    assert spanish("essay_count", count=1_000_000) == "1000000 ensayos"  # CLDR 'many'
    assert read_catalog((PACKAGE_MESSAGES,), "en")("about_authors") == "About the authors"


def test_messages_file_plurals_may_always_use_count(tmp_path: Path) -> None:
    folder = tmp_path / "messages"
    folder.mkdir()
    (folder / "en.yml").write_text(
        "about_authors:\n  one: About the author\n  other: About the {count} authors\n"
    )
    english = read_catalog((folder, PACKAGE_MESSAGES), "en")
    assert english("about_authors", count=3) == "About the 3 authors"


def test_messages_file_errors_name_the_file_and_placeholders(tmp_path: Path) -> None:
    assert messages_error(tmp_path, "en.yml", "next: Onward {title}\n") == (
        f"{tmp_path / 'messages/en.yml'}:1: next: unknown placeholder {{title}} "
        "(this message has: none)"
    )
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "xx-yy.yml").write_text("next: x\n")
    with pytest.raises(CatalogError) as info:
        read_catalog((folder,), "en")
    assert info.value.error.line == 0
