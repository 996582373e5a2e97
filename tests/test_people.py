"""authors.yml: each person's details written once, with every mistake located."""

from __future__ import annotations

import errno
import os
from functools import partial
from pathlib import Path

import pytest

from roundtable.content.people import Details, family_problem, with_details
from roundtable.content.read import read_people
from roundtable.errors import ContentError
from roundtable.incremental.cache import BuildCache, memoised
from roundtable.model import Person


def load_directory(
    root: Path, display: str, memo: BuildCache | None = None
) -> tuple[dict[str, Details], list[ContentError]]:
    """Read authors.yml as a build does: its bytes, then checked and remembered in a memo."""
    return read_people(
        root, display.rsplit("/", 1)[0], partial(memoised, memo or BuildCache(None), "checked")
    )


ORCID = "0000-0002-1825-0097"


def load(tmp_path: Path, text: str) -> tuple[dict[str, Details], list[str]]:
    """Write authors.yml, load it, and return the details and the error lines."""
    (tmp_path / "authors.yml").write_text(text)
    directory, errors = load_directory(tmp_path, "content/authors.yml")
    return directory, [str(error) for error in errors]


def test_no_file_is_an_empty_directory(tmp_path: Path) -> None:
    assert load_directory(tmp_path, "content/authors.yml") == ({}, [])


def test_details_are_read_by_name(tmp_path: Path) -> None:
    text = (
        f"Ana María Ruiz:\n  affiliation: CIDE\n  bio: Economist.\n  orcid: {ORCID}\n"
        "  family: María Ruiz\n' Li Wei ':\n  bio: Writer.\n"
    )
    assert load(tmp_path, text) == (
        {
            "Ana María Ruiz": Details("CIDE", "Economist.", ORCID, "María Ruiz"),
            "Li Wei": Details(bio="Writer."),
        },
        [],
    )


def test_mistakes_are_located_and_named_and_the_rest_is_kept(tmp_path: Path) -> None:
    text = (
        "Ana Ruiz:\n  affiliation: CIDE\n"
        "Li Wei: a writer\n"
        "Bo Chen:\n  bio: ok\n  orcid: '1234'\n"
        "Eva Sol:\n  family: Luna\n"
    )
    directory, errors = load(tmp_path, text)
    assert directory == {"Ana Ruiz": Details(affiliation="CIDE")}
    assert errors[0] == (
        "content/authors.yml:3: Li Wei: expected indented 'key: value' lines under the name "
        "(affiliation:, bio:, orcid:, family:, organization:)"
    )
    assert errors[1] == (
        "content/authors.yml:6: Bo Chen: orcid: expected an ORCID iD, found '1234' "
        "(write it as 0000-0002-1825-0097)"
    )
    assert errors[2] == (
        "content/authors.yml:8: Eva Sol: family: 'Luna' is not the end of the name "
        "(write the last words of 'Eva Sol')"
    )
    assert len(errors) == 3


def test_broken_yaml_is_located(tmp_path: Path) -> None:
    directory, errors = load(tmp_path, "Ana Ruiz:\n  bio: [unclosed\n")
    assert directory == {}
    assert len(errors) == 1 and errors[0].startswith("content/authors.yml:2: ")


def test_unreadable_file_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Faked: root, who runs CI, reads any file whatever its mode.
    (tmp_path / "authors.yml").write_text("Ana Ruiz:\n  bio: x\n")

    opened = os.open

    def refuse(path: str | Path, flags: int, *args: int) -> int:
        if str(path).endswith("authors.yml"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return opened(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    assert load_directory(tmp_path, "content/authors.yml")[1] == [
        ContentError(
            "content/authors.yml",
            0,
            "cannot read the file: Permission denied (check its permissions)",
        )
    ]


def test_memo_recalls_the_same_bytes_only(tmp_path: Path) -> None:
    memo = BuildCache(None)
    (tmp_path / "authors.yml").write_text("Ana Ruiz:\n  bio: One.\n")
    first = load_directory(tmp_path, "content/authors.yml", memo)
    assert load_directory(tmp_path, "content/authors.yml", memo) == first
    (tmp_path / "authors.yml").write_text("Ana Ruiz:\n  bio: Two.\n")
    assert load_directory(tmp_path, "content/authors.yml", memo)[0] == {
        "Ana Ruiz": Details(bio="Two.")
    }


@pytest.mark.parametrize(
    ("name", "family", "ok"),
    [
        ("Ana María Ruiz", "María Ruiz", True),
        ("Ana María Ruiz", " Ruiz ", True),
        ("Ruiz", "Ruiz", True),
        ("Ana Ruiz", "", True),
        ("Ana Ruiz", "Ana", False),
        ("Ana Ruiz", "uiz", False),
    ],
)
def test_family_name_must_end_the_name(name: str, family: str, ok: bool) -> None:
    assert (family_problem(name, family) is None) == ok


def test_front_matter_wins_over_the_directory() -> None:
    directory = {"Ana Ruiz": Details("CIDE", "Economist.", ORCID, "Ruiz")}
    own = Person(name="Ana Ruiz", slug="ana-ruiz", affiliation="Banxico")
    assert with_details(own, directory) == Person(
        name="Ana Ruiz",
        slug="ana-ruiz",
        affiliation="Banxico",
        bio="Economist.",
        orcid=ORCID,
        family="Ruiz",
    )
    stranger = Person(name="Li Wei", slug="li-wei")
    assert with_details(stranger, directory) is stranger


def test_directory_fills_every_empty_detail() -> None:
    directory = {"Ana Ruiz": Details("CIDE", "Economist.", ORCID, "Ruiz")}
    bare = Person(name="Ana Ruiz", slug="ana-ruiz")
    assert with_details(bare, directory) == Person(
        name="Ana Ruiz",
        slug="ana-ruiz",
        affiliation="CIDE",
        bio="Economist.",
        orcid=ORCID,
        family="Ruiz",
    )


def test_each_persons_mistakes_are_at_their_own_lines(tmp_path: Path) -> None:
    _, errors = load(tmp_path, "Ana Ruiz:\n  orcid: '1'\nBo Chen:\n  bio: x\n  orcid: '2'\n")
    assert [error.split(": orcid:")[0] for error in errors] == [
        "content/authors.yml:2: Ana Ruiz",
        "content/authors.yml:5: Bo Chen",
    ]


def test_errors_are_values_with_a_line_number(tmp_path: Path) -> None:
    (tmp_path / "authors.yml").write_text("Ana Ruiz: [unclosed\n")
    assert load_directory(tmp_path, "content/authors.yml")[1] == [
        ContentError(
            "content/authors.yml",
            1,
            "invalid YAML: did not find expected ',' or ']' (the list opened on this line is not "
            "closed with ']')",
        )
    ]


def test_memo_keeps_the_file_name_in_errors(tmp_path: Path) -> None:
    memo = BuildCache(None)
    (tmp_path / "authors.yml").write_text("Ana Ruiz: a writer\n")
    for display in ("content/authors.yml", "other/authors.yml"):
        _, errors = load_directory(tmp_path, display, memo)
        assert [str(error).split(":")[0] for error in errors] == [display]
