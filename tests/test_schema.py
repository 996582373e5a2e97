"""The schema: typed fields and editor-friendly messages."""

from __future__ import annotations

import datetime as dt

from roundtable.content.frontmatter import parse
from roundtable.content.schema import EssayFields, RoundtableFields, validate


def check(text: str, schema: type = EssayFields) -> tuple[object, list[str]]:
    """Validate a front matter block; return the fields and the error lines."""
    fields, errors = validate(schema, parse("e.md", f"---\n{text}\n---\n".encode()))
    return fields, [str(e) for e in errors]


BASE = "title: T\nauthor: A\nroundtable: r"


def test_author_forms_all_become_people() -> None:
    for author in ("A", "[A, B]", "\n  - name: A\n    affiliation: U\n  - B"):
        fields, errors = check(f"title: T\nroundtable: r\nauthor: {author}")
        assert errors == [] and fields is not None
        assert fields.author[0].name == "A"  # type: ignore[attr-defined]


def test_unknown_keys_suggest_the_closest_field() -> None:
    _, errors = check(BASE + "\nafiliation: U\nsumary: S\nzzz: 1")
    assert errors[0] == "e.md:5: unknown field 'afiliation' (did you mean 'affiliation'?)"
    assert "did you mean 'summary'?" in errors[1]
    assert "allowed fields: title, author" in errors[2]


def test_unknown_nested_keys_suggest_within_their_mapping() -> None:
    _, errors = check(BASE + "\nimage:\n  src: a.jpg\n  alt: x\n  captoin: c")
    assert errors == ["e.md:8: unknown field 'image.captoin' (did you mean 'caption'?)"]


def test_norway_and_numbers_are_not_coerced_to_text() -> None:
    _, errors = check("title: T\nauthor: No\nroundtable: yes\nslug: 2024")
    assert len(errors) == 3
    assert "found false (YAML reads yes/no/on/off as true/false)" in errors[0]
    assert errors[2].startswith("e.md:5: slug: expected text, found the number 2024")


def test_dates_accept_yaml_and_quoted_iso_but_not_times() -> None:
    fields, _ = check(BASE + "\ndate: '2024-02-29'")
    assert fields.date == dt.date(2024, 2, 29)  # type: ignore[attr-defined]
    _, errors = check(BASE + "\ndate: 2024-02-29 10:00:00Z")
    assert "expected a date without a time" in errors[0]


def test_disclaimer_is_text_or_false() -> None:
    assert check(BASE + "\ndisclaimer: false")[1] == []
    assert "or false to omit it" in check(BASE + "\ndisclaimer: true")[1][0]


def test_image_requires_alt_with_src() -> None:
    _, errors = check(BASE + "\nimage:\n  src: a.jpg")
    assert errors == ["e.md:5: missing required field 'image.alt' (add a line 'alt: …')"]


def test_empty_title_is_an_error() -> None:
    assert "expected some text" in check("title: ''\nauthor: A\nroundtable: r")[1][0]


def test_roundtable_fields() -> None:
    fields, errors = check("title: R\nshort_title: S\neditors: [E]", RoundtableFields)
    assert errors == [] and fields.editors[0].name == "E"  # type: ignore[attr-defined]


def test_orcid_is_checked_and_kept_bare() -> None:
    for given in ("0000-0002-1825-0097", "https://orcid.org/0000-0002-1825-0097"):
        fields, errors = check(f"title: T\nroundtable: r\nauthor:\n  - name: A\n    orcid: {given}")
        assert errors == []
        assert fields.author[0].orcid == "0000-0002-1825-0097"  # type: ignore[attr-defined]
    fields, errors = check(
        "title: T\nroundtable: r\nauthor:\n  - name: A\n    orcid: 0000-0002-1694-233X"
    )
    assert errors == [] and fields.author[0].orcid == "0000-0002-1694-233X"  # type: ignore[attr-defined]
    _, errors = check(
        "title: T\nroundtable: r\nauthor:\n  - name: A\n    orcid: 0000-0002-1825-0098"
    )
    assert errors == [
        "e.md:6: author.orcid: expected an ORCID iD, found '0000-0002-1825-0098' "
        "(write it as 0000-0002-1825-0097)"
    ]


def test_language_is_a_known_code_in_its_usual_form() -> None:
    fields, errors = check(BASE + "\nlang: pt-br")
    assert errors == [] and fields.lang == "pt-BR"  # type: ignore[attr-defined]
    _, errors = check(BASE + "\nlang: klingon")
    assert errors == [
        "e.md:5: lang: expected a language code, found 'klingon' "
        "(write a BCP 47 code such as en, es or pt-BR)"
    ]


def test_republished_source_needs_a_web_address() -> None:
    source = "\nsource:\n  name: Nexos\n  url: {}\n  date: 2023-05-01"
    fields, errors = check(BASE + source.format("https://nexos.com.mx/a"))
    assert errors == [] and fields.source.url == "https://nexos.com.mx/a"  # type: ignore[attr-defined]
    for url in ("nexos.com.mx/a", "ftp://nexos.com.mx/a", "https:///a"):
        _, errors = check(BASE + source.format(url))
        assert errors == [
            f"e.md:7: source.url: expected a web address, found '{url}' "
            "(write the full address, starting with https://)"
        ]


def test_misspelt_keys_suggest_within_people_and_sources() -> None:
    _, errors = check("title: T\nroundtable: r\nauthor:\n  - name: A\n    afiliation: U")
    assert errors == ["e.md:6: unknown field 'author.afiliation' (did you mean 'affiliation'?)"]
    _, errors = check("title: R\neditors:\n  - name: E\n    orcd: x", RoundtableFields)
    assert errors == ["e.md:5: unknown field 'editors.orcd' (did you mean 'orcid'?)"]
    _, errors = check(BASE + "\nsource:\n  name: N\n  url: https://n.org/\n  canonicl: true")
    assert errors == ["e.md:8: unknown field 'source.canonicl' (did you mean 'canonical'?)"]
    _, errors = check(BASE + "\nsource:\n  name: N\n  url: https://n.org/\n  zzz: 1")
    assert errors == [
        "e.md:8: unknown field 'source.zzz' (allowed fields: name, url, date, canonical)"
    ]


def test_what_was_found_is_said_in_an_editors_words() -> None:
    found = {
        "order: '3'": "e.md:5: order: expected a whole number, found '3' (write a number such as 3, without quotes)",
        "draft: 1": "e.md:5: draft: expected true or false, found the number 1 (write true or false)",
        "summary: 2.5": "e.md:5: summary: expected text, found the number 2.5 (put the value in quotes)",
        "summary: 2024-01-02": "e.md:5: summary: expected text, found the date 2024-01-02 (put the value in quotes)",
        "summary: [a]": "e.md:5: summary: expected text, found a list (put the value in quotes)",
        "summary: {a: b}": "e.md:5: summary: expected text, found a set of 'key: value' lines (put the value in quotes)",
        "tags: a": "e.md:5: tags: expected a list, found 'a' (write one '- item' per line)",
        "tags: ['  ']": "e.md:5: tags: expected some text, found an empty value (fill it in or remove the line)",
        "image: a.jpg": "e.md:5: image: expected indented 'key: value' lines, found 'a.jpg' (see docs/content.md for this field)",
        "extra: x": "e.md:5: extra: expected indented 'key: value' lines, found 'x' (indent each 'key: value' under it)",
        "date: '2024-13-01'": "e.md:5: date: expected a date, found '2024-13-01' (write it as YYYY-MM-DD)",
        "date: 5": "e.md:5: date: expected a date, found the number 5 (write it as YYYY-MM-DD)",
        "disclaimer: 5": "e.md:5: disclaimer: expected text, found the number 5 (write the disclaimer, or false to omit it)",
    }
    for line, error in found.items():
        assert check(f"{BASE}\n{line}")[1] == [error], line


def test_people_mistakes_say_a_name_was_expected() -> None:
    assert check("title: T\nroundtable: r\nauthor: 5")[1] == [
        "e.md:4: author: expected a name or a list of names, found the number 5 (put a name in quotes)"
    ]
    assert check("title: T\nroundtable: r\nauthor: []")[1] == [
        "e.md:4: author: expected at least one entry, found a list (add one)"
    ]
    assert check("title: T\nroundtable: r\nauthor: ~")[1] == [
        "e.md:4: author: expected a name or a list of names, found nothing (put a name in quotes)"
    ]
    _, errors = check("title: R\neditors:\n  - affiliation: U", RoundtableFields)
    assert errors == ["e.md:4: missing required field 'editors.name' (add a line 'name: …')"]


def test_orcid_check_digits_zero_one_and_x_and_an_empty_orcid() -> None:
    for given in ("0000-0002-1825-0070", "0000-0002-1825-0011", "0000-0002-1694-233X", ""):
        fields, errors = check(
            f"title: T\nroundtable: r\nauthor:\n  - name: A\n    orcid: '{given}'"
        )
        assert errors == [] and fields.author[0].orcid == given  # type: ignore[attr-defined]


def test_times_and_plain_http_addresses() -> None:
    assert check(BASE + "\ndate: 2024-01-01 10:00:00")[1] == [
        "e.md:5: date: expected a date without a time, found the date 2024-01-01T10:00:00 "
        "(write it as YYYY-MM-DD)"
    ]
    fields, errors = check(BASE + "\nsource:\n  name: N\n  url: http://n.org/a")
    assert errors == [] and fields.source.url == "http://n.org/a"  # type: ignore[attr-defined]


def test_unknown_keys_are_matched_against_their_own_mapping() -> None:
    roundtable_fields = (
        "title, short_title, date, editors, summary, disclaimer, image, lang, translation_of"
    )
    for key in ("source", "author"):
        assert check(f"title: R\n{key}: x", RoundtableFields)[1] == [
            f"e.md:3: unknown field '{key}' (allowed fields: {roundtable_fields})"
        ]
    _, errors = check("title: T\nroundtable: r\nauthor:\n  - name: A\n    orcd: x")
    assert errors == ["e.md:6: unknown field 'author.orcd' (did you mean 'orcid'?)"]


def test_editors_and_unusual_yaml_values_are_named() -> None:
    assert check("title: R\neditors: 5", RoundtableFields)[1] == [
        "e.md:3: editors: expected a name or a list of names, found the number 5 "
        "(put a name in quotes)"
    ]
    assert check(BASE + "\nsummary: [1, 2]")[1] == [
        "e.md:5: summary: expected text, found a list (put the value in quotes)"
    ]
