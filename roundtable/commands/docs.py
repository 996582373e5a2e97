"""The field tables of docs/content.md, written from the front-matter schema.

Run `python -m roundtable.commands.docs` after changing `content/schema.py`; the test suite
fails while docs/content.md differs from what this writes.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, get_args, get_origin

from pydantic import BaseModel

from roundtable.content import schema

CONTENT_MD = Path(__file__).resolve().parents[2] / "docs" / "content.md"
BEGIN = "<!-- fields: made by `python -m roundtable.commands.docs`; do not edit by hand -->"
END = "<!-- end of fields -->"

FILES: list[tuple[str, type[BaseModel]]] = [
    ("`content/site.yml`", schema.SiteFields),
    ("`content/authors.yml`, under each person's name", schema.AuthorDetails),
    ("A roundtable: `content/roundtables/<slug>.md`", schema.RoundtableFields),
    ("An essay: `content/essays/<slug>.md`", schema.EssayFields),
]
"""Each file's table, in the order an editor meets them; mappings inside them follow."""

NAMED_TYPES: list[tuple[Any, str]] = [
    (schema.People, "a name, a list of names, or a list of people"),
    (schema.Date, "date (YYYY-MM-DD)"),
    (schema.Orcid, "ORCID iD"),
    (schema.Language, "language code (BCP 47)"),
    (schema.WebAddress, "web address"),
]
"""The schema's own types, in an editor's words (a type made of them is described by its parts)."""

PLAIN_TYPES = {str: "text", bool: "true or false", int: "whole number", Any: "anything"}


class Row(NamedTuple):
    """One field of one table."""

    name: str
    type: str
    default: str
    example: str
    meaning: str


def main() -> int:
    """Write docs/content.md's tables from the schema."""
    CONTENT_MD.write_text(with_tables(CONTENT_MD.read_text(encoding="utf-8")), encoding="utf-8")
    print(CONTENT_MD)
    return 0


def with_tables(document: str) -> str:
    """Return the document with the text between its markers replaced by today's tables."""
    start, end = document.index(BEGIN) + len(BEGIN), document.index(END)
    return document[:start] + "\n\n" + tables() + "\n" + document[end:]


def tables() -> str:
    """Return every table: the files' own, then each mapping found inside them, once."""
    files = [_table(title, "", model) for title, model in FILES]
    nested = [
        _table(_heading(fields), " ".join((model.__doc__ or "").split()), model)
        for model, fields in nested_models().items()
    ]
    return "\n".join(files + nested)


def nested_models() -> dict[type[BaseModel], list[str]]:
    """Return every mapping schema inside the files', with the fields that hold it, in order met."""
    found: dict[type[BaseModel], list[str]] = {}
    queue = [model for _, model in FILES]
    while queue:
        for field, annotation in typing.get_type_hints(queue.pop(0), include_extras=True).items():
            for model in _models_in(annotation):
                if model not in found:
                    queue.append(model)
                found.setdefault(model, [])
                if field not in found[model]:
                    found[model].append(field)
    return found


def _heading(fields: list[str]) -> str:
    """Return the heading of a nested mapping's table: the fields that hold it."""
    return "Inside " + ", ".join(f"`{field}:`" for field in fields)


def _anchor(heading: str) -> str:
    """Return the anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _table(title: str, summary: str, model: type[BaseModel]) -> str:
    """Return one schema's heading, summary and table."""
    header = ["| field | type | default | example | meaning |", "|---|---|---|---|---|"]
    body = [_line(f"`{row.name}`", *row[1:]) for row in rows(model)]
    lead = [summary, ""] if summary else []
    return "\n".join([f"### {title}", "", *lead, *header, *body]) + "\n"


def rows(model: type[BaseModel]) -> list[Row]:
    """Return a row for each field of a schema, with its doc line split into meaning and example."""
    hints = typing.get_type_hints(model, include_extras=True)
    docs = field_docs(model)
    found = []
    for name, field in model.model_fields.items():
        meaning, _, example = docs.get(name, "").partition("Example:")
        default = "**required**" if field.is_required() else _default(field.default)
        row = Row(name, describe(hints[name]), default, example.strip(), meaning.strip())
        found.append(row)
    return found


def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """Return the doc line written under each field of a schema class, joined into one line."""
    source = inspect.getsource(schema)
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == model.__name__)
    docs = {}
    for field, doc in itertools.pairwise(node.body):
        if (
            isinstance(field, ast.AnnAssign)
            and isinstance(field.target, ast.Name)
            and isinstance(doc, ast.Expr)
            and isinstance(doc.value, ast.Constant)
            and isinstance(doc.value.value, str)
        ):
            docs[field.target.id] = " ".join(doc.value.value.split())
    return docs


def describe(annotation: Any) -> str:
    """Name a field's type in an editor's words."""
    for named, words in NAMED_TYPES:
        if _is_named(annotation, named):
            return words + "".join(_see_below(model) for model in _models_in(annotation))
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return describe(args[0])
    if origin in (types.UnionType, typing.Union):
        return " or ".join(describe(arg) for arg in args if arg is not type(None))
    if origin is Literal:
        return " or ".join(f"`{str(arg).lower()}`" for arg in args)
    if origin is list:
        return f"list of {describe(args[0])}"
    if origin is dict:
        return "mapping of anything"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping" + _see_below(annotation)
    return PLAIN_TYPES.get(annotation, str(annotation))


def _see_below(model: type[BaseModel]) -> str:
    """Link to the table of a mapping inside a file."""
    return f" ([below](#{_anchor(_heading(nested_models()[model]))}))"


def _is_named(annotation: Any, named: Any) -> bool:
    """Return True when an annotation is one of the schema's named types, perhaps constrained."""
    if get_origin(annotation) is not Annotated or get_origin(named) is not Annotated:
        return False
    return bool(
        annotation.__origin__ == named.__origin__
        and all(meta in annotation.__metadata__ for meta in named.__metadata__)
    )


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    """Yield the mapping schemas an annotation holds, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _line(*cells: str) -> str:
    """Return a table's line; a '|' in a cell is escaped, or it would end the cell."""
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _default(value: Any) -> str:
    """Write a field's default as YAML would, or 'none' when it is empty."""
    if value is None or value == "" or value == [] or value == {}:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


if __name__ == "__main__":
    sys.exit(main())
