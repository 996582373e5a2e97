"""The README and docs/ cannot drift: generated field tables, every option, every link."""

from __future__ import annotations

import argparse
import itertools
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from helpers.site import REPO
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, TypeAdapter

from roundtable.commands import docs
from roundtable.commands.cli import _parser

README = REPO / "README.md"
PAGES = [README, *sorted((REPO / "docs").glob("*.md"))]
CLI_MD = REPO / "docs" / "cli.md"


def test_content_md_is_what_the_schema_makes() -> None:
    """docs/content.md's tables are those the schema makes today (regenerate: see the message)."""
    written = docs.CONTENT_MD.read_text(encoding="utf-8")
    assert written == docs.with_tables(written), (
        "docs/content.md differs from the schema: run `python -m roundtable.commands.docs`"
    )


def _schemas() -> list[type[BaseModel]]:
    """Return every schema content.md documents."""
    return [model for _, model in docs.FILES] + list(docs.nested_models())


@pytest.mark.parametrize("model", _schemas(), ids=lambda model: model.__name__)
def test_every_field_has_a_meaning_and_an_example_the_schema_accepts(
    model: type[BaseModel],
) -> None:
    """Each field's doc line gives a meaning and an example, and the example is valid YAML for it."""
    hints = typing.get_type_hints(model, include_extras=True)
    for row in docs.rows(model):
        assert row.meaning and row.example, f"{model.__name__}.{row.name}: no doc line"
        value = yaml.safe_load(row.example.strip("`"))
        TypeAdapter(hints[row.name]).validate_python(value, strict=True)


def test_a_field_without_its_row_fails_the_drift_test(monkeypatch: pytest.MonkeyPatch) -> None:
    """A field added to the schema changes the tables, so the drift test would fail."""
    written = docs.CONTENT_MD.read_text(encoding="utf-8")
    extended = type("SiteFields", (docs.schema.SiteFields,), {"__annotations__": {"logo": str}})
    monkeypatch.setattr(docs, "FILES", [("`content/site.yml`", extended), *docs.FILES[1:]])
    assert "| `logo` |" in docs.with_tables(written)
    assert docs.with_tables(written) != written


def _commands(
    parser: argparse.ArgumentParser, path: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Yield every command line's parser with its words: '', 'build', 'new essay', …"""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{path} {name}".strip())


def _options(parser: argparse.ArgumentParser) -> list[str]:
    """Return a parser's long options, but --help, which every command has."""
    found = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    return [option for option in found if option != "--help"]


def _section(text: str, command: str) -> str:
    """Return the part of cli.md under the heading of one command (the whole file for '')."""
    if not command:
        return text
    match = re.search(rf"^## `{command}`\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"docs/cli.md has no section '## `{command}`'"
    return match.group(1)


def test_every_option_of_every_command_is_in_cli_md() -> None:
    """Each command's --help options appear in that command's section of docs/cli.md."""
    text = CLI_MD.read_text(encoding="utf-8")
    missing = [
        f"{command or 'roundtable'} {option}"
        for command, parser in _commands(_parser())
        for option in _options(parser)
        if f"`{option}" not in _section(text, command)
    ]
    assert not missing, f"options missing from docs/cli.md: {missing}"


def test_the_option_test_sees_a_new_option(monkeypatch: pytest.MonkeyPatch) -> None:
    """An option added to a command is one the test above looks for."""
    parser = _parser()
    build = dict(_commands(parser))["build"]
    build.add_argument("--fake-option")
    assert "--fake-option" in _options(build)
    assert "`--fake-option" not in _section(CLI_MD.read_text(encoding="utf-8"), "build")


def _tokens(page: Path) -> list[Token]:
    """Parse a Markdown page as GitHub would (tables included), inline tokens flattened."""
    md = MarkdownIt("commonmark").enable("table")
    flat = []
    for token in md.parse(page.read_text(encoding="utf-8")):
        flat.append(token)
        flat.extend(token.children or [])
    return flat


def _anchors(page: Path) -> set[str]:
    """Return the anchors GitHub gives a page's headings."""
    tokens = _tokens(page)
    found: set[str] = set()
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open":
            text = "".join(c.content for c in inline.children or [] if c.type != "softbreak")
            anchor = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
            numbered = anchor
            while numbered in found:  # GitHub numbers repeated headings: x, x-1, x-2
                numbered = f"{anchor}-{len([a for a in found if a.startswith(anchor)])}"
            found.add(numbered)
    return found


def _links(page: Path) -> Iterator[str]:
    """Yield every link and picture address in a page, outside code."""
    for token in _tokens(page):
        if token.type == "link_open":
            yield str(token.attrs["href"])
        elif token.type == "image":
            yield str(token.attrs["src"])


def _broken(page: Path, link: str) -> str | None:
    """Say what is wrong with a relative link, if anything."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
    if not target.exists():
        return f"{page.name}: {link}: no such file"
    if parts.fragment and target.suffix == ".md" and parts.fragment not in _anchors(target):
        return f"{page.name}: {link}: no such heading"
    return None


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_relative_link_resolves(page: Path) -> None:
    """Every relative link and picture in the README and docs/ leads to a file and heading."""
    broken = [problem for link in _links(page) if (problem := _broken(page, link))]
    assert not broken, broken


def test_the_link_test_sees_a_broken_link(tmp_path: Path) -> None:
    """A link to a missing file or heading is found, and a good one is not."""
    (tmp_path / "other.md").write_text("# A heading\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "[a](other.md#a-heading) [b](missing.md) [c](other.md#nowhere)\n\n`[d](in-code.md)`\n",
        encoding="utf-8",
    )
    problems = [problem for link in _links(page) if (problem := _broken(page, link))]
    assert problems == [
        "page.md: missing.md: no such file",
        "page.md: other.md#nowhere: no such heading",
    ]


def test_the_readme_is_read_in_three_minutes() -> None:
    """The README is at most 150 lines and shows the site."""
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 150
    assert any(link.startswith("docs/images/") for link in _links(README))
