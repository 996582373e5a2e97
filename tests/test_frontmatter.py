"""Front matter: framing, safe YAML, line numbers."""

from __future__ import annotations

import time

import pytest
from helpers.site import HANG_SECONDS

from roundtable.frontmatter import FrontMatterError, parse

VALID = b"---\ntitle: T\nauthor:\n  - name: A\n    bio: B\n---\nBody\n"


def error_of(raw: bytes) -> tuple[int, str]:
    """Return (line, message) of the error parsing `raw` raises."""
    with pytest.raises(FrontMatterError) as info:
        parse("x.md", raw)
    return info.value.line, info.value.message


def test_fields_lines_and_body() -> None:
    doc = parse("x.md", VALID)
    assert doc.fields == {"title": "T", "author": [{"name": "A", "bio": "B"}]}
    assert doc.line("title") == 2
    assert doc.line("author", 0, "bio") == 5
    assert doc.line("nope") == 1
    assert doc.body == "Body\n" and doc.body_line == 7


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf" + VALID,
        VALID.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + VALID.replace(b"\n", b"\r\n"),
        VALID.replace(b"\n", b"\r"),
    ],
)
def test_bom_and_line_endings_read_like_lf(raw: bytes) -> None:
    assert parse("x.md", raw) == parse("x.md", VALID)


def test_closing_dots_are_accepted() -> None:
    assert parse("x.md", b"---\ntitle: T\n...\nBody").fields == {"title": "T"}


@pytest.mark.parametrize(
    ("raw", "line", "needle"),
    [
        (b"no front matter", 1, "missing front matter"),
        (b"\n---\ntitle: T\n---\n", 1, "missing front matter"),
        (b"---\ntitle: T\n", 1, "not closed"),
        (b"---\ntitle: Trade: A Primer\n---\n", 2, "put quotes around"),
        (b"---\ntitle: ok\ntitle: again\n---\n", 3, "duplicate key 'title' (it is also on line 2"),
        (b"---\na: &x 1\nb: *x\n---\n", 2, "anchors and aliases"),
        (
            b"---\nx: !!python/object/apply:os.system ['touch pwned']\n---\n",
            2,
            "tag !!python/object/apply:os.system is not allowed",
        ),
        (b"---\ndate: 2021-02-30\n---\n", 2, "not a real date"),
        (b"---\n- a\n- b\n---\n", 2, "must be 'key: value' lines"),
        (b"---\ntitle: caf\xe9\n---\n", 2, "not valid UTF-8"),
        (b"---\nt: x\n<<: {a: 1}\n---\n", 3, "merge keys"),
        (b"---\nt: x\ndraft: !!bool maybe\n---\n", 3, "!!bool needs true or false"),
        (b"---\nt: [a,\n  !!int '']\n---\n", 3, "!!int needs a whole number, not ''"),
        (b"---\nt: !!binary aGk=\n---\n", 2, "tag !!binary is not allowed"),
        (b"---\nt: x\nd: " + b"[" * 300 + b"\n---\n", 3, "nested more than 20 deep"),
    ],
)
def test_mistakes_are_located(raw: bytes, line: int, needle: str) -> None:
    got_line, message = error_of(raw)
    assert (got_line, needle in message) == (line, True), message


def test_alias_bomb_is_rejected_fast() -> None:
    levels = ["a: &a [x,x,x,x,x,x,x,x,x]"]
    levels += [
        f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    raw = ("---\n" + "\n".join(levels) + "\n---\n").encode()
    started = time.perf_counter()
    assert "aliases" in error_of(raw)[1]
    assert time.perf_counter() - started < HANG_SECONDS


def test_oversized_front_matter_is_refused() -> None:
    raw = b"---\ntitle: " + b"x" * 70_000 + b"\n---\n"
    assert "larger than 64 KB" in error_of(raw)[1]


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert parse("x.md", b"---\n---\nBody").fields == {}
