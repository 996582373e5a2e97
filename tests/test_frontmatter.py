"""Front matter: framing, safe YAML, line numbers."""

from __future__ import annotations

import pytest
from helpers.payloads import ALIAS_BOMB

from roundtable.content.frontmatter import (
    MAX_BODY_LINES,
    MAX_COSTLY_MARKS,
    MAX_FILE_BYTES,
    MAX_FRONT_MATTER_BYTES,
    MAX_PUNCTUATION,
    FrontMatterError,
    body_of,
    parse,
)

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


def test_alias_bomb_is_rejected() -> None:
    raw = ("---\n" + ALIAS_BOMB + "\n---\n").encode()
    assert "aliases" in error_of(raw)[1]  # how fast: bench/pathological.py


def test_oversized_front_matter_is_refused() -> None:
    raw = b"---\ntitle: " + b"x" * 70_000 + b"\n---\n"
    assert "larger than 64 KB" in error_of(raw)[1]


def test_empty_front_matter_is_an_empty_mapping() -> None:
    assert parse("x.md", b"---\n---\nBody").fields == {}


@pytest.mark.parametrize(
    ("raw", "line", "message"),
    [
        (
            b"no front matter",
            1,
            "missing front matter (start the file with a line '---', then the fields, then "
            "another '---')",
        ),
        (b"---\nt: [a\n", 1, "front matter is not closed (add a line '---' after the last field)"),
        (
            b"---\ntitle: T\nx: caf\xe9\n---\n",
            3,
            "the file is not valid UTF-8 (byte 0xe9; save it as UTF-8 in your editor)",
        ),
        (
            b"---\n\n- a\n---\n",
            3,
            "front matter must be 'key: value' lines (found a single value or a list)",
        ),
        (
            b"---\na: 1\ntitle: a\x07\n---\n",
            3,
            "the front matter holds the invisible control character U+0007 (delete it; it "
            "usually comes with text pasted from elsewhere)",
        ),
        (
            b'---\na: 1\ntitle: "a\\x1fb"\n---\n',
            3,
            "title: holds the invisible control character U+001F (delete it)",
        ),
        (
            b'---\nauthor:\n  - name: A\n  - name: "\\x1f"\n---\n',
            4,
            "author.name: holds the invisible control character U+001F (delete it)",
        ),
        (
            b'---\ntags:\n  - a\n  - "\\x1f"\n---\n',
            4,
            "tags: holds the invisible control character U+001F (delete it)",
        ),
        (
            b'---\na: 1\n"b\\x01": 1\n---\n',
            3,
            "b\x01: holds the invisible control character U+0001 (delete it)",
        ),
        (
            b"---\nt: x\n\nt: y\n---\n",
            4,
            "duplicate key 't' (it is also on line 2; keep one)",
        ),
        (
            b"---\nt: 1\nu: {a: 1, a: 2}\n---\n",
            3,
            "duplicate key 'a' (it is also on line 3; keep one)",
        ),
        (
            b"---\nt: x\n<<: {a: 1}\n---\n",
            3,
            "YAML merge keys (<<) are not allowed (write the fields out)",
        ),
        (
            b"---\nt: x\nl:\n  - &x {a: 1}\n  - *x\n---\n",
            4,
            "YAML anchors and aliases (&name, *name) are not allowed (write the value out)",
        ),
        (
            b"---\nt: x\ndate: 2021-02-30\n---\n",
            3,
            "date: '2021-02-30' is not a real date (day is out of range for month; write it as "
            "YYYY-MM-DD)",
        ),
        (
            b"---\nt: x\nx: !!python/object/apply:os.system ['touch pwned']\n---\n",
            3,
            "x: tag !!python/object/apply:os.system is not allowed here (write the value plainly)",
        ),
    ],
)
def test_mistakes_are_explained_whole(raw: bytes, line: int, message: str) -> None:
    assert error_of(raw) == (line, message)


@pytest.mark.parametrize(
    ("yaml_text", "line", "message"),
    [
        (
            'title: "abc\nauthor: x',
            2,
            "invalid YAML: found unexpected end of stream (a quote or bracket is not closed)",
        ),
        (
            "t: 1\ntags: [a, b\nauthor: x",
            3,
            "invalid YAML: did not find expected ',' or ']' (the list opened on this line is not "
            "closed with ']')",
        ),
        (
            "t: 1\nimage: {src: a\nauthor: x",
            3,
            "invalid YAML: did not find expected ',' or '}' (the mapping opened on this line is "
            "not closed with '}')",
        ),
        (
            "title: @x",
            2,
            "invalid YAML: found character that cannot start any token (indent with spaces, not "
            "tabs; quote values starting with @ or `)",
        ),
        (
            "title: a: b",
            2,
            "invalid YAML: mapping values are not allowed in this context (put quotes around a "
            "value that contains ': ')",
        ),
        (
            "image:\n  src: a.jpg\n  alt: A map: the border",
            4,
            "invalid YAML: mapping values are not allowed in this context (put quotes around a "
            "value that contains ': ')",
        ),
        # Over-indented, not unquoted (issue 20): quotes cannot fix these, indentation can.
        (
            "title: a\n  b: c",
            3,
            "invalid YAML: mapping values are not allowed in this context (this line is indented "
            "more than 'title:' on line 2; line it up with 'title:')",
        ),
        (
            'image:\n  src: a.jpg\n   alt: "A map: the border"',
            4,
            "invalid YAML: mapping values are not allowed in this context (this line is indented "
            "more than 'src:' on line 3; line it up with 'src:')",
        ),
        (
            "author:\n  - name: A\n     affiliation: B",
            4,
            "invalid YAML: mapping values are not allowed in this context (this line is indented "
            "more than 'name:' on line 3; line it up with 'name:')",
        ),
        (
            "a:\n  - b\n c: d",
            4,
            "invalid YAML: did not find expected key (check quoting and indentation)",
        ),
        (
            "a: b\nc d\ne: f",
            4,
            "invalid YAML: could not find expected ':' (each line needs 'key: value')",
        ),
    ],
)
def test_yaml_syntax_errors_carry_a_hint(yaml_text: str, line: int, message: str) -> None:
    assert error_of(f"---\n{yaml_text}\n---\n".encode()) == (line, message)


def test_whole_file_yaml_starts_at_line_one() -> None:
    doc = parse("site.yml", b"title: T\nbase_url: x\n", whole_file_is_yaml=True)
    assert (doc.fields, doc.line("base_url"), doc.body, doc.body_line) == (
        {"title": "T", "base_url": "x"},
        2,
        "",
        1,
    )
    with pytest.raises(FrontMatterError) as info:
        parse("site.yml", b"title: T\nt: [a, b\n", whole_file_is_yaml=True)
    assert info.value.line == 2
    with pytest.raises(FrontMatterError) as info:
        parse("site.yml", b"title: " + b"x" * 70_000, whole_file_is_yaml=True)
    assert (info.value.line, info.value.message) == (
        1,
        "front matter is larger than 64 KB (move long text into the body)",
    )


def test_errors_name_the_line_of_the_key_or_its_parent() -> None:
    doc = parse("x.md", VALID)
    assert str(doc.error(("author", 0, "bio"), "bad")) == "x.md:5: bad"
    assert str(doc.error(("author", 0, "orcid"), "bad")) == "x.md:4: bad"
    assert str(doc.error(("author", 3), "bad")) == "x.md:3: bad"
    assert str(doc.error((), "bad")) == "x.md: bad" or doc.line() == 1
    assert doc.lines[("author", 0)] == 4


def test_body_is_read_again_without_the_yaml() -> None:
    assert body_of(b"---\ntitle: [unclosed\n---  \nBody\r\nmore") == "Body\nmore"
    assert parse("x.md", b"---  \ntitle: T\n--- \nBody").body == "Body"


def test_size_limits_are_exact() -> None:
    fits = b"---\ntitle: T\n---\n" + b"a" * (MAX_FILE_BYTES - 17)
    assert len(fits) == MAX_FILE_BYTES and parse("x.md", fits).fields == {"title": "T"}
    assert error_of(fits + b"a") == (
        1,
        "the file is larger than 1 MB (split it into several files)",
    )
    front = b"t: " + b"x" * (MAX_FRONT_MATTER_BYTES - 3)
    assert parse("x.md", b"---\n" + front + b"\n---\n").fields["t"].startswith("x")
    assert error_of(b"---\n" + front + b"x\n---\n") == (
        2,
        "front matter is larger than 64 KB (move long text into the body)",
    )


def test_bodies_too_costly_to_render_are_refused() -> None:
    head = b"---\ntitle: T\n---\n"
    assert parse("x.md", head + b"\n" * (MAX_BODY_LINES - 1)).body_line == 4
    assert error_of(head + b"\n" * MAX_BODY_LINES) == (
        4 + MAX_BODY_LINES,
        "the file has more than 20,000 lines (split it into several files)",
    )
    assert parse("x.md", head + b"[" * MAX_COSTLY_MARKS)
    assert error_of(head + b"[<" * 10_000 + b"'") == (
        4,
        "the text has 20,001 of the marks [ < \" ' (at most 20,000) and 20,001 punctuation "
        "marks in all (at most 200,000): too many to render in time (split it into several files)",
    )
    assert parse("x.md", head + b"." * MAX_PUNCTUATION)
    assert error_of(head + b"." * MAX_PUNCTUATION + b'"')[1].startswith(
        "the text has 1 of the marks [ < \" ' (at most 20,000) and 200,001 punctuation marks"
    )


def test_unsupported_tags_are_quoted_as_written() -> None:
    assert error_of(b"---\nt: x\nx: !mytagX 1\n---\n") == (
        3,
        "x: tag !mytagX is not allowed here (write the value plainly)",
    )


def test_front_matter_text_is_kept_for_cache_keys() -> None:
    assert parse("x.md", VALID).front == "title: T\nauthor:\n  - name: A\n    bio: B"
    assert parse("x.md", VALID.replace(b"\n", b"\r\n")).front == parse("x.md", VALID).front
    assert parse("s.yml", b"title: T\n", whole_file_is_yaml=True).front == "title: T\n"
