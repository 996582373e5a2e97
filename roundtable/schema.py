"""The front-matter schema: YAML values → typed fields, with messages written for editors."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from roundtable.errors import ContentError
from roundtable.frontmatter import Document


def _date(value: Any) -> Any:
    """Accept a YAML date or a quoted 'YYYY-MM-DD'; refuse times, which carry a zone question."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_only", "expected a date without a time")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError(
                "date_format", "'{value}' is not a date", {"value": value}
            ) from None
    return value


def _people(value: Any) -> Any:
    """Accept a name, a list of names, or a list of {name, …} mappings."""
    if isinstance(value, str):
        return [{"name": value}]
    if isinstance(value, list):
        return [{"name": item} if isinstance(item, str) else item for item in value]
    return value


def _disclaimer(value: Any) -> Any:
    """Accept text, or `false` to omit the disclaimer."""
    if value is False or isinstance(value, str):
        return value
    raise PydanticCustomError("disclaimer_type", "expected text, or false to omit it")


Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Date = Annotated[dt.date, BeforeValidator(_date)]


class _Strict(BaseModel):
    """Every schema: no coercion (YAML's `no` must not become a name), unknown keys refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class PersonFields(_Strict):
    """An author or editor written as a mapping."""

    name: Title
    affiliation: Text = ""
    bio: Text = ""


class ImageFields(_Strict):
    """`image:` on an essay or roundtable."""

    src: Title
    alt: Title
    caption: Text = ""
    credit: Text = ""


People = Annotated[list[PersonFields], BeforeValidator(_people)]


class EssayFields(_Strict):
    """Front matter of an essay."""

    title: Title
    author: Annotated[People, Field(min_length=1)]
    roundtable: Title
    affiliation: Text = ""
    bio: Text = ""
    subtitle: Text = ""
    date: Date | None = None
    order: int | None = None
    summary: Text = ""
    disclaimer: Annotated[str | Literal[False] | None, BeforeValidator(_disclaimer)] = None
    image: ImageFields | None = None
    tags: list[Title] = []
    slug: Title | None = None
    draft: bool = False
    extra: dict[str, Any] = {}


class RoundtableFields(_Strict):
    """Front matter of a roundtable."""

    title: Title
    short_title: Text = ""
    date: Date | None = None
    editors: People = []
    summary: Text = ""
    disclaimer: Text | None = None
    image: ImageFields | None = None


class SiteFields(_Strict):
    """`content/site.yml`."""

    title: Title
    base_url: Title
    tagline: Text = ""
    language: Title = "en"
    organization: Text = ""
    disclaimer: Text = ""
    allow_html: bool = False
    search: bool = True


Fields = TypeVar("Fields", bound=_Strict)


def validate(schema: type[Fields], doc: Document) -> tuple[Fields | None, list[ContentError]]:
    """Check a document against a schema; return the typed fields or every mistake found."""
    try:
        return schema.model_validate(doc.fields), []
    except ValidationError as exc:
        errors = [_explain(schema, doc, detail) for detail in exc.errors()]
        return None, errors


def _explain(schema: type[_Strict], doc: Document, detail: ErrorDetails) -> ContentError:
    """Turn one pydantic error into a located sentence for an editor."""
    loc = tuple(detail["loc"])
    name = ".".join(str(part) for part in loc if not isinstance(part, int))
    kind = detail["type"]
    if kind == "missing":
        return doc.error(loc[:-1], f"missing required field '{name}' (add a line '{loc[-1]}: …')")
    if kind == "extra_forbidden":
        return doc.error(loc, f"unknown field '{name}' ({_suggest(schema, loc, str(loc[-1]))})")
    if kind == "list_type" and name in ("author", "editors"):
        kind = "people_type"
    return doc.error(loc, f"{name}: {_describe(kind, detail)}")


def _suggest(schema: type[_Strict], loc: tuple[str | int, ...], key: str) -> str:
    """Name the allowed field closest to a misspelt one."""
    allowed = _allowed_fields(schema, loc)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "allowed fields: " + ", ".join(allowed)


def _allowed_fields(schema: type[_Strict], loc: tuple[str | int, ...]) -> list[str]:
    """Return the field names allowed at the mapping that holds `loc`."""
    parent = [part for part in loc[:-1] if not isinstance(part, int)]
    if parent and parent[0] in ("author", "editors"):
        return list(PersonFields.model_fields)
    if parent and parent[0] == "image":
        return list(ImageFields.model_fields)
    return list(schema.model_fields)


_EXPECTED = {
    "people_type": ("a name or a list of names", "put a name in quotes"),
    "string_type": ("text", "put the value in quotes"),
    "int_type": ("a whole number", "write a number such as 3, without quotes"),
    "bool_type": ("true or false", "write true or false"),
    "list_type": ("a list", "write one '- item' per line"),
    "model_type": ("indented 'key: value' lines", "see the README for this field"),
    "model_attributes_type": ("indented 'key: value' lines", "see the README for this field"),
    "dict_type": ("indented 'key: value' lines", "indent each 'key: value' under it"),
    "date_type": ("a date", "write it as YYYY-MM-DD"),
    "date_only": ("a date without a time", "write it as YYYY-MM-DD"),
    "date_format": ("a date", "write it as YYYY-MM-DD"),
    "string_too_short": ("some text", "fill it in or remove the line"),
    "too_short": ("at least one entry", "add one"),
    "disclaimer_type": ("text", "write the disclaimer, or false to omit it"),
}


def _describe(kind: str, detail: ErrorDetails) -> str:
    """Say what was expected, what was found, and how to fix it."""
    expected, fix = _EXPECTED.get(kind, (detail["msg"], "see the README"))
    return f"expected {expected}, found {_found(detail['input'])} ({fix})"


def _found(value: Any) -> str:
    """Describe a YAML value in an editor's words."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false)"
    if value is None:
        return "nothing"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    if isinstance(value, str):
        return f"'{value}'" if value.strip() else "an empty value"
    return type(value).__name__
