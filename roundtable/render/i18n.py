"""Every fixed word of the theme in the page's language: messages files, plurals, lists, dates.

The package's catalogs (`roundtable/messages/<language>.yml`, English and Spanish complete) are
read after a site's own `messages/` folder, so a site may reword or add a language. A key missing
for a language falls back to its parent language (`es-MX` → `es`), then to English. Messages are
keyed by name; a value is text with `{placeholders}`, or one text per CLDR plural category.
"""

from __future__ import annotations

import datetime as dt
import difflib
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup, escape

from roundtable.content.frontmatter import Document, FrontMatterError, parse
from roundtable.errors import ContentError
from roundtable.model import Essay, Roundtable, Site

PACKAGE_MESSAGES = Path(__file__).resolve().parent.parent / "messages"
"""The default catalogs, installed with the package."""
FALLBACK = "en"
"""The language every key is defined in."""
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
"""CLDR plural categories, the keys of a message that depends on a number."""

Message = str | Mapping[str, str]


class CatalogError(Exception):
    """A messages file has a mistake; carries the located error."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(error)
        self.error = error


def language_tag(code: str) -> str | None:
    """Return a BCP 47 code in its usual spelling ('pt-br' → 'pt-BR'), or None if unknown."""
    try:
        locale = Locale.parse(code.strip(), sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    return str(locale).replace("_", "-")


def language_error(code: str) -> str:
    """Explain a language code that Babel does not know."""
    return f"'{code}' is not a language code (write a BCP 47 code such as en, es or pt-BR)"


def language_name(code: str) -> str:
    """Return a language's name in that language, as a language switch shows it: 'Español'."""
    name = str(Locale.parse(code, sep="-").get_display_name(code.replace("-", "_")))
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Catalog:
    """The messages of one language, callable from templates as `t('key', name=value)`."""

    language: str
    """BCP 47 code of the page."""
    messages: Mapping[str, Message]
    """Every key, in this language or its fallback."""
    fixed: dict[str, Markup] = field(default_factory=dict, compare=False, repr=False)
    """Messages without values, made once: every page shows the same ones."""

    def __call__(self, key: str, /, count: int | None = None, **values: Any) -> Markup:
        """Return a message with its placeholders filled; values are escaped unless Markup."""
        if count is None and not values:
            known = self.fixed.get(key)
            if known is None:
                known = self.fixed[key] = self._filled(key, None, {})
            return known
        return self._filled(key, count, values)

    def _filled(self, key: str, count: int | None, values: dict[str, Any]) -> Markup:
        """Return a message in its plural form, with its placeholders filled."""
        message = self.messages[key]
        if not isinstance(message, str):
            form = self._locale.plural_form(count if count is not None else 0)
            message = message.get(form, message["other"])
        if count is not None:
            values["count"] = count
        return Markup(escape(message)).format(**values)

    @property
    def _locale(self) -> Locale:
        return _locale(self.language)

    def date(self, value: dt.date) -> str:
        """Write a date as readers of the language do: 'March 4, 2021', '4 de marzo de 2021'."""
        return _long_date(value, self.language)

    def join(self, items: Sequence[str]) -> Markup:
        """Join names as the language lists them: 'A and B', 'A, B, and C', 'A, B y C'."""
        items = [escape(item) for item in items]
        patterns = self._locale.list_patterns["standard"]
        if len(items) < 2:
            return Markup("").join(items)
        if len(items) == 2:
            return Markup(escape(patterns["2"])).format(*items)
        joined = Markup(escape(patterns["end"])).format(items[-2], items[-1])
        for item in reversed(items[1:-2]):
            joined = Markup(escape(patterns["middle"])).format(item, joined)
        return Markup(escape(patterns["start"])).format(items[0], joined)


@lru_cache(maxsize=8192)
def _long_date(value: dt.date, language: str) -> str:
    """Return a date written out in a language (a site has few distinct dates, shown often)."""
    return str(format_date(value, format="long", locale=_locale(language)))


@lru_cache(maxsize=64)
def _locale(code: str) -> Locale:
    return Locale.parse(code, sep="-")


def catalog(message_dirs: tuple[Path, ...], language: str, version: str) -> Catalog:
    """Return the catalog of a language; raises CatalogError for a mistake in a messages file.

    `version` is the hash of the theme's files (required: without it, a long-running server
    would keep the words of its first build).
    """
    return _catalog(message_dirs, language, version)


@lru_cache(maxsize=16)
def _catalog(message_dirs: tuple[Path, ...], language: str, version: str) -> Catalog:
    return read_catalog(message_dirs, language)


def read_catalog(message_dirs: tuple[Path, ...], language: str) -> Catalog:
    """Return the catalog of a language as the files say now (no cache)."""
    files = load_messages(message_dirs)
    merged: dict[str, Message] = {}
    for code in reversed(_fallbacks(language)):
        for folder in reversed(message_dirs):
            merged.update(files.get((folder, code), {}))
    return Catalog(language, merged)


def _fallbacks(language: str) -> list[str]:
    """Return the languages to look a key up in, most specific first: es-MX, es, en."""
    parts = language.split("-")
    chain = ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return chain if FALLBACK in chain else [*chain, FALLBACK]


def message_files(message_dirs: tuple[Path, ...]) -> Iterator[tuple[Path, str, Path]]:
    """Yield (folder, language, file) for every messages file, in a fixed order."""
    for folder in message_dirs:
        if folder.is_dir():
            for path in sorted(folder.glob("*.yml")):
                yield folder, path.stem, path


@lru_cache(maxsize=4)
def _reference() -> dict[str, Message]:
    """Return the package's English catalog: the keys and placeholders every language may use."""
    path = PACKAGE_MESSAGES / f"{FALLBACK}.yml"
    return dict(parse(str(path), path.read_bytes(), whole_file_is_yaml=True).fields)


def load_messages(message_dirs: tuple[Path, ...]) -> dict[tuple[Path, str], dict[str, Message]]:
    """Read and check every messages file; raise CatalogError at the first mistake."""
    files = {}
    for folder, code, path in message_files(message_dirs):
        display = _display(path)
        if language_tag(code) is None:
            message = f"the file name: {language_error(code)}"
            raise CatalogError(ContentError(display, 0, message))
        try:
            doc = parse(display, path.read_bytes(), whole_file_is_yaml=True)
        except FrontMatterError as exc:
            raise CatalogError(ContentError(display, exc.line, exc.message)) from None
        files[folder, code] = _checked(doc)
    return files


def _display(path: Path) -> str:
    """Name a messages file relative to the working folder when it is inside it."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _checked(doc: Document) -> dict[str, Message]:
    """Return a file's messages after checking each key, shape and placeholder."""
    reference = _reference()
    for key, value in doc.fields.items():
        if key not in reference:
            close = difflib.get_close_matches(key, list(reference), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else "see roundtable/messages/en.yml"
            raise CatalogError(doc.error((key,), f"unknown message '{key}' ({hint})"))
        problem = _shape_problem(value, reference[key])
        if problem:
            raise CatalogError(doc.error((key,), f"{key}: {problem}"))
    return dict(doc.fields)


def _shape_problem(value: Any, reference: Message) -> str | None:
    """Say what is wrong with a message's value, if anything."""
    allowed = _placeholders(reference)
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, dict) and "other" in value:
        unknown = [form for form in value if form not in PLURAL_CATEGORIES]
        if unknown:
            return f"'{unknown[0]}' is not a plural category (use {', '.join(PLURAL_CATEGORIES)})"
        texts = list(value.values())
    else:
        return "expected text, or 'one:' and 'other:' lines for a number (quote the text)"
    for text in texts:
        if not isinstance(text, str):
            return "expected text (put the value in quotes)"
        try:
            used = _placeholders(text)
        except ValueError as exc:
            return f"{exc} (write a literal brace as {{{{ or }}}})"
        if not used <= allowed:
            extra = sorted(used - allowed)[0]
            names = ", ".join("{" + name + "}" for name in sorted(allowed)) or "none"
            return f"unknown placeholder {{{extra}}} (this message has: {names})"
    return None


def _placeholders(message: Message) -> set[str]:
    """Return the names of the {placeholders} of a message (of all its plural forms)."""
    texts = [message] if isinstance(message, str) else list(message.values())
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name} | (
        {"count"} if not isinstance(message, str) else set()
    )


def table_labels(message_dirs: tuple[Path, ...], site: Site, theme_version: str) -> dict[str, str]:
    """Return how each language of the site names a table ('Tabla {number}').

    The catalogs are cached by the theme's version: a server then sees a reworded `table`.
    """
    items: list[Essay | Roundtable] = [*site.roundtables, *site.essays]
    languages = {site.language_of(item) for item in items}
    labels = {}
    for language in sorted(languages | {site.config.language}):
        try:
            labels[language] = str(
                catalog(message_dirs, language, theme_version)("table", number="{number}")
            )
        except (CatalogError, KeyError):
            continue  # a broken messages file is reported, located, when the pages render
    return labels
