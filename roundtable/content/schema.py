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
    """Accept a name, a {name, …} mapping, or a list of names or mappings."""
    if isinstance(value, str):
        return [{"name": value}]
    if isinstance(value, dict):
        return [value]
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
    """What `content/authors.yml` holds for one person (or organisation), keyed by the name."""

    affiliation: Text = ""
    """Where the person works, or their role, shown after their name.
    Example: `Centro de Estudios Fronterizos`"""
    bio: Text = ""
    """A sentence or two about the person, shown at the end of their essays and on their page.
    Example: `Mariana Peña Ibáñez directs the centre's security programme.`"""
    orcid: Orcid = ""
    """Their ORCID iD, bare or as its orcid.org address; the check digit is verified.
    Example: `0000-0002-1825-0097`"""
    family: Text = ""
    """The family name citations use, the end of the name; empty: the last word with its particles.
    Example: `Peña Ibáñez`"""
    organization: bool = False
    """An organisation, not a person: its name is never inverted in citations.
    Example: `true`"""


class PersonFields(_Strict):
    """An author or editor written as a mapping; what it gives wins over `authors.yml`."""

    name: Title
    """The name as bylines write it; `authors.yml` is looked up by it.
    Example: `Mariana Peña Ibáñez`"""
    affiliation: Text = ""
    """Where the person works, or their role; wins over `authors.yml`.
    Example: `Centro de Estudios Fronterizos`"""
    bio: Text = ""
    """A sentence or two about the person; wins over `authors.yml`.
    Example: `Mariana Peña Ibáñez directs the centre's security programme.`"""
    orcid: Orcid = ""
    """Their ORCID iD; wins over `authors.yml`. Example: `0000-0002-1825-0097`"""
    family: Text = ""
    """The family name citations use; wins over `authors.yml`. Example: `Peña Ibáñez`"""
    organization: bool = False
    """An organisation, not a person; wins over `authors.yml`. Example: `true`"""


class ImageFields(_Strict):
    """`image:` on an essay or roundtable."""

    src: Title
    """The picture's path inside `content/`; it must exist. Example: `images/port-containers.jpg`"""
    alt: Title
    """What the picture shows, read aloud to readers who cannot see it.
    Example: `Containers stacked at the port of Manzanillo`"""
    caption: Text = ""
    """Shown under the picture. Example: `The port of Manzanillo, 2020.`"""
    credit: Text = ""
    """Who made the picture, shown after the caption. Example: `Ana Ruiz, Reuters`"""


class SourceFields(_Strict):
    """`source:` on a republished essay: where it first appeared."""

    name: Title
    """Where the essay first appeared. Example: `The Dallas Morning News`"""
    url: WebAddress | None = None
    """The original's address, if it has one.
    Example: `https://www.dallasnews.com/opinion/2021/02/20/follow-the-money/`"""
    date: Date | None = None
    """When the original appeared (YYYY-MM-DD). Example: `2021-02-20`"""
    canonical: bool = False
    """Point search engines at the original instead of this page. Example: `true`"""


People = Annotated[list[PersonFields], BeforeValidator(_people)]


class EssayFields(_Strict):
    """Front matter of an essay."""

    title: Title
    """The essay's title, the page's only heading. Example: `Follow the Money, Together`"""
    # Absent: an unsigned piece. Written but empty (`author:`) is a mistake, not a choice.
    author: Annotated[People, Field(min_length=1)] = []
    """Who wrote it, as bylines write it; each person gets an author page; none: an unsigned
    piece. Example: `Mariana Peña Ibáñez`"""
    roundtable: Title
    """The slug (file name) of the roundtable the essay belongs to.
    Example: `us-mexico-security-cooperation`"""
    affiliation: Text = ""
    """The author's affiliation or role (a single author only).
    Example: `Centro de Estudios Fronterizos`"""
    bio: Text = ""
    """The author's bio, shown at the end (a single author only).
    Example: `Mariana Peña Ibáñez directs the centre's security programme.`"""
    subtitle: Text = ""
    """A second line under the title. Example: `Why financial intelligence is the missing piece`"""
    date: Date | None = None
    """The publication date (YYYY-MM-DD); none: the roundtable's. Example: `2021-03-01`"""
    order: int | None = None
    """Its position in the roundtable; essays without one come last, by date then title.
    Example: `1`"""
    summary: Text = ""
    """Plain text for cards and search engines; empty: the first paragraph.
    Example: `Why the two countries should trace money together.`"""
    disclaimer: Annotated[str | Literal[False] | None, BeforeValidator(_disclaimer)] = None
    """Replaces the roundtable's and the site's disclaimer; `false` shows none. Example: `false`"""
    image: ImageFields | None = None
    """A picture at the top of the page.
    Example: `{src: images/port-containers.jpg, alt: Containers at a port}`"""
    tags: list[Title] = []
    """Topics; each has a page listing its essays. Example: `[Fentanyl, Border]`"""
    slug: Title | None = None
    """The last part of the page's address; none: made from the file name.
    Example: `follow-the-money`"""
    draft: bool = False
    """Left out of the site unless the command is given `--drafts`. Example: `true`"""
    extra: dict[str, Any] = {}
    """Anything, for your own templates (`essay.extra`).
    Example: `{podcast: https://example.org/ep1.mp3}`"""
    lang: Language | None = None
    """The essay's language, a BCP 47 code; none: the roundtable's. Example: `es`"""
    translation_of: Title | None = None
    """The slug of the essay this one translates. Example: `follow-the-money-together`"""
    source: SourceFields | None = None
    """A republished essay: where it first appeared.
    Example: `{name: The Dallas Morning News, url: "https://www.dallasnews.com/"}`"""
    translator: People = []
    """Who translated it, shown under the byline and in citations. Example: `Ana Ruiz`"""


class RoundtableFields(_Strict):
    """Front matter of a roundtable."""

    title: Title
    """The roundtable's title. Example: `Rethinking U.S.–Mexico Security Cooperation Roundtable`"""
    short_title: Text = ""
    """The title as "Return to …" links say it; empty: the title.
    Example: `Security Cooperation Roundtable`"""
    date: Date | None = None
    """The publication date (YYYY-MM-DD), the default of its essays. Example: `2021-03-01`"""
    editors: People = []
    """Who edited it, named with the roundtable ("Edited by …").
    Example: `[Helen Marsh-Castillo, Tomás Aguirre Leal]`"""
    summary: Text = ""
    """One or two sentences for the home page.
    Example: `Five essays on what each country can do.`"""
    disclaimer: Text | None = None
    """The default disclaimer of its essays, replacing the site's.
    Example: `The views are the authors' own.`"""
    image: ImageFields | None = None
    """A picture at the top of the page.
    Example: `{src: images/border-dusk.jpg, alt: The border at dusk}`"""
    lang: Language | None = None
    """The roundtable's language, a BCP 47 code; none: `site.yml`'s. Example: `es`"""
    translation_of: Title | None = None
    """The slug of the roundtable this one translates. Example: `us-mexico-security-cooperation`"""


class SiteFields(_Strict):
    """`content/site.yml`."""

    title: Title
    """The site's name. Example: `Hemisphere Policy Forum`"""
    base_url: Title
    """Where the site is published (a path is fine); `build --base-url` replaces it.
    Example: `https://example.org/forum/`"""
    tagline: Text = ""
    """One line under the title. Example: `Short essays on security in the Americas`"""
    language: Language = "en"
    """The language of the site and of every page that sets none, a BCP 47 code. Example: `es`"""
    organization: Text = ""
    """The publisher, named in the footer and in citations. Example: `Hemisphere Policy Forum`"""
    disclaimer: Text = ""
    """The default disclaimer of every essay.
    Example: `The views expressed are the authors' alone.`"""
    allow_html: bool = False
    """Let raw HTML in Markdown through an allowlist sanitizer; `false` shows it as text.
    Example: `true`"""
    search: bool = True
    """A search page and box (needs Pagefind); `false`: none. Example: `false`"""
    cms: bool = True
    """The content editor at `/admin/` (Decap CMS); `false`: none. Example: `false`"""
    repo: Annotated[Text, AfterValidator(_github_repo)] = ""
    """The site's GitHub repository, `owner/name`, which the content editor commits to.
    Example: `hemisphere-forum/roundtables`"""
    branch: Title = "main"
    """The branch the content editor commits to. Example: `main`"""
    cms_auth: WebAddress | None = None
    """The OAuth server the content editor signs in to GitHub through; none: Netlify's.
    Example: `https://auth.example.org/`"""


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
    if kind == "list_type" and name in ("author", "editors", "translator"):
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
    if parent and parent[0] in ("author", "editors", "translator"):
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
    "model_type": ("indented 'key: value' lines", "see docs/content.md for this field"),
    "model_attributes_type": ("indented 'key: value' lines", "see docs/content.md for this field"),
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
    expected, fix = _EXPECTED.get(kind, (detail["msg"], "see docs/content.md"))
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
