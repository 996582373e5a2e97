"""The schema: typed fields and editor-friendly messages."""

from __future__ import annotations

import datetime as dt

from roundtable.frontmatter import parse
from roundtable.schema import EssayFields, RoundtableFields, validate


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
