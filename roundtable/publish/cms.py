"""The content editor under /admin/: Decap CMS, and its config.yml made from the schema.

Every form field comes from `content/schema.py`: a field added there appears in the form with
no change here. Only what a type cannot say is named: which fields are long text, the picture
inside `image`, and the choices the site gives (its roundtables, languages and people).
"""

from __future__ import annotations

import datetime as dt
import html
import types
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

import yaml

from roundtable import urls
from roundtable.model import Site, SiteConfig

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

BUNDLE = Path(__file__).parent / "decap"
"""Decap CMS's browser bundle, from npm at the version in its VERSION file (tools/update-decap)."""
SCRIPTS = Path(__file__).parent / "admin"
"""Our scripts beside it: init.js starts Decap, with serve's local backend when local."""
LOCAL_API = "/__roundtable/cms/api/v1"
"""Where `serve` answers as Decap's local backend (decap-server's protocol); init.js names it."""
CONTENT = "content"
"""The content folder's path in the site's repository."""
MEDIA = "images"
"""Where pictures uploaded in the editor go, inside the content folder."""

LONG_TEXT = frozenset({"summary", "bio", "disclaimer", "caption"})
"""Fields written as paragraphs rather than one line."""
PICTURE = "src"
"""The field of `image:` that names the picture file."""
LABELS = {
    "src": "Picture",
    "alt": "Alt text (what the picture shows, for those who cannot see it)",
    "lang": "Language",
    "orcid": "ORCID iD",
    "url": "Web address",
    "translation_of": "Translation of (the original's slug)",
}
"""Labels for the fields whose name says too little to an editor; the others' name is theirs."""

Widget = dict[str, Any]


@dataclass(frozen=True)
class Choices:
    """What the site offers a form to choose from."""

    roundtables: tuple[tuple[str, str], ...]
    """(title, slug) of every roundtable."""
    languages: tuple[str, ...]
    """The site's language and every language its content is written in."""
    people: tuple[str, ...]
    """Names of the people who write or edit for the site."""


def choices_of(site: Site) -> Choices:
    """Gather the roundtables, languages and people a form offers."""
    written = [r.lang for r in site.roundtables] + [e.lang for e in site.essays]
    languages = {site.config.language, *(lang for lang in written if lang)}
    editors = (person.name for r in site.roundtables for person in r.editors)
    people = {*(author.person.name for author in site.authors), *editors}
    return Choices(
        tuple((r.title, r.slug) for r in site.roundtables),
        tuple(sorted(languages)),
        tuple(sorted(people)),
    )


def config(
    settings: SiteConfig, choices: Choices, essay_schema: type[BaseModel] | None = None
) -> dict[str, Any]:
    """Return Decap's configuration for a site: its repository, media and collections.

    `essay_schema` replaces the essays' schema (a test adds a field to it).
    """
    # Imported here: pydantic takes a tenth of a second to load, and most builds reuse config.yml.
    from roundtable.content.schema import EssayFields, RoundtableFields

    backend = {"name": "github", "branch": settings.branch}
    if settings.repo:
        backend["repo"] = settings.repo
    if settings.cms_auth:
        backend["base_url"] = settings.cms_auth
    return {
        "backend": backend,
        "publish_mode": "editorial_workflow",
        "site_url": settings.base_url,
        "display_url": settings.base_url,
        "media_folder": f"{CONTENT}/{MEDIA}",
        "public_folder": MEDIA,
        "omit_empty_optional_fields": True,
        "slug": {"encoding": "ascii", "clean_accents": True},
        "collections": [
            _collection("essays", "Essays", "Essay", essay_schema or EssayFields, choices),
            _collection("roundtables", "Roundtables", "Roundtable", RoundtableFields, choices),
        ],
    }


def _collection(
    name: str, label: str, singular: str, schema: type[BaseModel], choices: Choices
) -> Widget:
    """Return a folder collection: one Markdown file with front matter per item."""
    collection: Widget = {
        "name": name,
        "label": label,
        "label_singular": singular,
        "folder": f"{CONTENT}/{name}",
        "create": True,
        "extension": "md",
        "format": "frontmatter",
        "slug": "{{slug}}",
        "identifier_field": "title",
        "sortable_fields": ["date", "title"],
        "fields": [*form_fields(schema, choices), _BODY],
    }
    if "roundtable" in schema.model_fields:
        collection["view_groups"] = [{"label": "Roundtable", "field": "roundtable"}]
    return collection


_BODY: Widget = {"name": "body", "label": "Body", "widget": "markdown", "required": False}


def form_fields(schema: type[BaseModel], choices: Choices) -> list[Widget]:
    """Return a form field for every field of a schema that a form can hold."""
    fields = []
    for name, info in schema.model_fields.items():
        widget = _widget(name, info.annotation, choices)
        if widget is not None:
            fields.append(_field(name, info, widget))
    return fields


def _field(name: str, info: FieldInfo, widget: Widget) -> Widget:
    """Return one form field: its name, label, widget, and whether it is required."""
    label = LABELS.get(name, name.replace("_", " ").capitalize())
    field: Widget = {"name": name, "label": label, **widget}
    field["required"] = info.is_required() or _at_least_one(info)
    if widget["widget"] == "boolean" and isinstance(info.default, bool):
        field["default"] = info.default
    if widget["widget"] == "object" and not field["required"]:
        field["fields"] = [_needed_if_filled(inner, name) for inner in widget["fields"]]
    return field


def _needed_if_filled(inner: Widget, parent: str) -> Widget:
    """Relax a field of an optional group, which Decap would otherwise fill in or demand in
    every entry: no default (a group holding only `canonical: false` is half a source), and
    nothing required (`check` still refuses a group half filled in; the hint says so before).
    """
    relaxed = {key: value for key, value in inner.items() if key != "default"}
    if inner["required"]:
        relaxed |= {"required": False, "hint": f"Needed when {parent} is filled in."}
    return relaxed


def _at_least_one(info: FieldInfo) -> bool:
    """Return True for a list the schema wants at least one entry in (an essay's authors)."""
    return any(getattr(rule, "min_length", 0) for rule in info.metadata)


def _widget(name: str, annotation: Any, choices: Choices) -> Widget | None:
    """Return the widget for a field's type; None for one no form holds (free-form `extra`)."""
    kind = _plain(annotation)
    named = _named_widget(name, kind, choices)
    if named is not None:
        return named
    if _is_form(kind):
        return {"widget": "object", "fields": form_fields(kind, choices)}
    if get_origin(kind) is list:
        return _list_widget(name, get_args(kind)[0], choices)
    if get_origin(kind) is dict:
        return None
    return _SCALARS.get(kind, {"widget": "string"})


_SCALARS: dict[Any, Widget] = {
    bool: {"widget": "boolean"},
    int: {"widget": "number", "value_type": "int"},
    float: {"widget": "number", "value_type": "float"},
    dt.date: {
        "widget": "datetime",
        "format": "YYYY-MM-DD",
        "date_format": "YYYY-MM-DD",
        "time_format": False,
        "picker_utc": True,
    },
}


def _named_widget(name: str, kind: Any, choices: Choices) -> Widget | None:
    """Return the widget of a field whose name says more than its type."""
    if name == "roundtable":
        options = [{"label": title, "value": slug} for title, slug in choices.roundtables]
        return {"widget": "select", "options": options}
    if name == "lang":
        return {"widget": "select", "options": list(choices.languages)}
    if name == PICTURE:
        return {"widget": "image", "choose_url": False}
    if name in LONG_TEXT and kind is str:
        return {"widget": "text"}
    return None


def _list_widget(name: str, item: Any, choices: Choices) -> Widget:
    """Return a list of plain values, or of forms (an essay's authors)."""
    item = _plain(item)
    if _is_form(item):
        fields = [_unset(_with_people(field, choices)) for field in form_fields(item, choices)]
        # Our widget (admin/init.js): Decap's list, reading `author: A. Name` too. Its forms are
        # not under `fields`, which Decap would read into every entry and break on a name.
        return {"widget": "forms", "summary": "{{fields.name}}", "forms": fields}
    return {"widget": "list"}


def _unset(field: Widget) -> Widget:
    """Drop a default from a field of a person's form: `organization: false` would be written
    into every author the form saves."""
    return {key: value for key, value in field.items() if key != "default"}


def _with_people(field: Widget, choices: Choices) -> Widget:
    """Suggest the site's people under a person's name (Decap has no free text with choices)."""
    if field["name"] != "name" or not choices.people:
        return field
    return {**field, "hint": "People on the site: " + ", ".join(choices.people)}


def _plain(annotation: Any) -> Any:
    """Strip `None` and `False` from a union (`Text | None`, `str | Literal[False]`)."""
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None) and not _is_false(a)]
        return _plain(kept[0]) if len(kept) == 1 else annotation
    if hasattr(annotation, "__metadata__"):  # Annotated[...] inside a list or union
        return _plain(get_args(annotation)[0])
    return annotation


def _is_form(kind: Any) -> bool:
    """Return True for a schema of its own (pydantic's models have `model_fields`)."""
    return isinstance(kind, type) and hasattr(kind, "model_fields")


def _is_false(annotation: Any) -> bool:
    """Return True for `Literal[False]`."""
    return get_origin(annotation) is Literal and get_args(annotation) == (False,)


def config_yaml(settings: SiteConfig, choices: Choices) -> bytes:
    """Return config.yml: the configuration, as Decap reads it from beside its page."""
    text = yaml.safe_dump(config(settings, choices), sort_keys=False, allow_unicode=True, width=100)
    return (
        "# Made by Roundtable from the content schema: edit the schema, not this file.\n" + text
    ).encode("utf-8")


def admin_page(settings: SiteConfig) -> bytes:
    """Return /admin/index.html: the editor's page, which loads only files beside it.

    Without a repository named, the editor can save only through `serve` on the editor's own
    computer: anywhere else the page says what to set instead of Decap's configuration error.
    """
    title = html.escape(f"Edit {settings.title}")
    unnamed = (
        ""
        if settings.repo
        else '<main id="rt-no-repo" hidden style="max-width:38rem;margin:4rem auto;'
        'padding:0 1.25rem;font:1.125rem/1.6 system-ui,sans-serif">\n'
        f'<h1 style="line-height:1.2">{title}</h1>\n'
        "<p>The content editor saves to the site's repository on GitHub, and none is named "
        "yet: add <code>repo: owner/name</code> to <code>content/site.yml</code> (see "
        "docs/editing.md). On your own computer, <code>python build.py serve</code> opens "
        "this editor without it.</p>\n</main>\n"
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{title}</title>\n"
        '<link href="config.yml" type="text/yaml" rel="cms-config-url">\n'
        "</head>\n<body>\n"
        f"{unnamed}"
        '<script src="manual-init.js"></script>\n'
        '<script src="decap-cms.js"></script>\n'
        '<script src="init.js"></script>\n'
        "</body>\n</html>\n"
    ).encode()


def bundle_files() -> dict[str, Path]:
    """Return the files copied into /admin/ by output path: Decap's bundle, our scripts."""
    files = sorted([*BUNDLE.iterdir(), *SCRIPTS.iterdir()])
    return {urls.ADMIN + path.name: path for path in files if path.is_file()}
