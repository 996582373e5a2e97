"""The front-matter schema: YAML values → typed fields, with messages written for editors."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from roundtable.content.frontmatter import Document
from roundtable.errors import ContentError
from roundtable.render.i18n import language_tag


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


ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def _orcid(value: str) -> str:
    """Accept an ORCID iD, bare or as its orcid.org address, with a valid check digit."""
    match = ORCID.match(value)
    if not value or (match and _orcid_checksum_ok(match.group(1))):
        return match.group(1) if match else ""
    raise PydanticCustomError("orcid_format", "'{value}' is not an ORCID iD", {"value": value})


def _orcid_checksum_ok(orcid: str) -> bool:
    """Check the last character of an ORCID iD (ISO 7064 MOD 11-2), which catches typos."""
    total = 0
    for digit in orcid.replace("-", "")[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return orcid[-1] == ("X" if check == 10 else str(check))


def _language(value: str) -> str:
    """Accept a BCP 47 code that Babel knows (it writes dates and plurals), in its usual form."""
    tag = language_tag(value)
    if tag is None:
        raise PydanticCustomError("language", "'{value}' is not a language code", {"value": value})
    return tag


def _web_address(value: str) -> str:
    """Accept an absolute http(s) URL."""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value
    raise PydanticCustomError("web_address", "'{value}' is not a web address", {"value": value})


GITHUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")


def _github_repo(value: str) -> str:
    """Accept a GitHub repository written 'owner/name'."""
    if not value or GITHUB_REPO.match(value):
        return value
    raise PydanticCustomError("github_repo", "'{value}' is not 'owner/name'", {"value": value})


Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Orcid = Annotated[Text, AfterValidator(_orcid)]
Language = Annotated[Title, AfterValidator(_language)]
WebAddress = Annotated[Title, AfterValidator(_web_address)]


class _Strict(BaseModel):
    """Every schema: no coercion (YAML's `no` must not become a name), unknown keys refused."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class AuthorDetails(_Strict):
    """What `content/authors.yml` holds for one person, keyed by their name."""

    affiliation: Text = ""
    bio: Text = ""
    orcid: Orcid = ""
    family: Text = ""


class PersonFields(_Strict):
    """An author or editor written as a mapping; what it gives wins over `authors.yml`."""

    name: Title
    affiliation: Text = ""
    bio: Text = ""
    orcid: Orcid = ""
    family: Text = ""


class ImageFields(_Strict):
    """`image:` on an essay or roundtable."""

    src: Title
    alt: Title
    caption: Text = ""
    credit: Text = ""


class SourceFields(_Strict):
    """`source:` on a republished essay: where it first appeared."""

    name: Title
    url: WebAddress
    date: Date | None = None
    canonical: bool = False


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
    lang: Language | None = None
    translation_of: Title | None = None
    source: SourceFields | None = None


class RoundtableFields(_Strict):
    """Front matter of a roundtable."""

    title: Title
    short_title: Text = ""
    date: Date | None = None
    editors: People = []
    summary: Text = ""
    disclaimer: Text | None = None
    image: ImageFields | None = None
    lang: Language | None = None
    translation_of: Title | None = None


class SiteFields(_Strict):
    """`content/site.yml`."""

    title: Title
    base_url: Title
    tagline: Text = ""
    language: Language = "en"
    organization: Text = ""
    disclaimer: Text = ""
    allow_html: bool = False
    search: bool = True
    cms: bool = True
    repo: Annotated[Text, AfterValidator(_github_repo)] = ""
    branch: Title = "main"
    cms_auth: WebAddress | None = None


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
    if parent and parent[0] == "source":
        return list(SourceFields.model_fields)
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
    "orcid_format": ("an ORCID iD", "write it as 0000-0002-1825-0097"),
    "language": ("a language code", "write a BCP 47 code such as en, es or pt-BR"),
    "github_repo": ("a GitHub repository", "write it as owner/name, e.g. forum/website"),
    "web_address": ("a web address", "write the full address, starting with https://"),
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
