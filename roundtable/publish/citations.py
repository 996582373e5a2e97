"""How to cite an essay: Chicago and APA text for the page, BibTeX and RIS files to download.

Every format is built from one Reference, so they always agree. The two styles are written here
rather than by citeproc-py: it ignores the CSL options that Chicago and APA depend on (names
written in full, punctuation inside quotation marks) and does not escape the HTML it makes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import rispy  # type: ignore[import-untyped]  # rispy ships no type hints
from babel.dates import format_date
from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares import default_unparse_stack
from bibtexparser.model import Entry, Field
from markupsafe import Markup

from roundtable import urls
from roundtable.model import Essay, Person, Site
from roundtable.publish.names import Name, initials, split_name
from roundtable.slugs import make_slug

NOTE_AUTHORS_IN_FULL = 3
"""Chicago notes name up to three authors; four or more are 'First et al.' (CMOS 14.76)."""
APA_AUTHORS_IN_FULL = 20
"""APA names up to twenty authors; past that, the first nineteen, an ellipsis and the last."""
LATEX_SPECIALS = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
"""What LaTeX reads as markup; letters outside ASCII stay as they are (UTF-8)."""


@dataclass(frozen=True)
class StyleWords:
    """The few words and date patterns that Chicago and APA write in the essay's language."""

    and_: str
    """Before the last of several authors in a Chicago note."""
    serial_comma: bool
    """'A, B, and C' (English) or 'A, B y C' (Spanish)."""
    ampersand: str
    """Before the last of several authors in APA."""
    no_date: str
    """For an undated essay."""
    long_date: str
    """Babel pattern of a Chicago date."""
    month_day: str
    """Babel pattern of APA's month and day."""
    comma_inside_quotes: bool
    """English puts the comma after a quoted title inside the quotation marks; Spanish, after."""
    translated_by: str
    """Before the translators' names in a Chicago note."""
    translator: str
    """After the translators' names in APA's parenthesis."""


STYLE_WORDS = {
    "en": StyleWords("and", True, "&", "n.d.", "MMMM d, y", "MMMM d", True, "trans.", "Trans."),
    "es": StyleWords(
        "y", False, "y", "s. f.", "d 'de' MMMM 'de' y", "d 'de' MMMM", False, "trad.", "Trad."
    ),
}
"""By primary language; the Spanish editions of both styles write 'y', 's. f.' and 'trad.'."""


def style_words(language: str) -> StyleWords:
    """Return the citation words of a language (English for a language not listed)."""
    return STYLE_WORDS.get(language.split("-")[0].lower(), STYLE_WORDS["en"])


@dataclass(frozen=True)
class Reference:
    """What every citation of an essay says, gathered once."""

    title: str
    """The title, with the subtitle after a colon."""
    authors: tuple[Name, ...]
    """In byline order; none for an unsigned piece, which citations start with its title."""
    container: str
    """The roundtable's title."""
    publisher: str
    """The organization, else the site's title."""
    date: dt.date | None
    """The essay's date, else its roundtable's; None when neither has one."""
    url: str
    """The essay's absolute URL."""
    language: str
    """BCP 47 code."""
    abstract: str
    """The summary."""
    keywords: tuple[str, ...]
    """The tags."""
    container_language: str = ""
    """The language of the roundtable's title, when it is not the essay's."""
    translators: tuple[Name, ...] = ()
    """Who translated it."""


def reference(site: Site, essay: Essay) -> Reference:
    """Gather what a citation of this essay says."""
    roundtable = site.roundtable_of(essay)
    return Reference(
        title=full_title(essay),
        authors=tuple(_name(person) for person in essay.authors),
        translators=tuple(_name(person) for person in essay.translators),
        container=roundtable.title,
        container_language=site.language_of(roundtable),
        publisher=site.config.organization or site.config.title,
        date=site.date_of(essay),
        url=urls.absolute(site.config.base_url, urls.page_of(essay)),
        language=site.language_of(essay),
        abstract=essay.summary,
        keywords=essay.tags,
    )


def _name(person: Person) -> Name:
    """Return a person's (or organisation's) name split as citations need it."""
    return split_name(person.name, person.family, person.organization)


def full_title(essay: Essay) -> str:
    """Return the title with its subtitle, as citations write it: 'Title: Subtitle'."""
    if not essay.subtitle:
        return essay.title
    joiner = " " if essay.title.endswith((":", "?", "!")) else ": "
    return essay.title + joiner + essay.subtitle


def chicago(ref: Reference) -> Markup:
    """Return a Chicago full note (CMOS 17th ed.): names as written, so none is misread."""
    words = style_words(ref.language)
    quoted = f"“{_end(ref.title, ',')}”" if words.comma_inside_quotes else f"“{ref.title}”,"
    if ref.translators:
        quoted += f" {words.translated_by} {_note_authors(ref.translators, words)},"
    head = Markup("{} {}").format(quoted, _cite(ref))
    if ref.authors:  # an unsigned piece starts with its title (CMOS 14.75)
        head = Markup("{}, {}").format(_note_authors(ref.authors, words), head)
    publisher = [] if ref.publisher == ref.container else [ref.publisher]
    date = _long_date(ref.date, words) if ref.date else words.no_date
    return Markup(", ").join([head, *publisher, date, ref.url]) + "."


def apa(ref: Reference) -> Markup:
    """Return an APA reference (7th ed.)."""
    words = style_words(ref.language)
    when = f"{ref.date.year}, {_month_day(ref.date, words)}" if ref.date else words.no_date
    date = f"({when})."
    title = _end(ref.title, ".")
    if ref.translators:
        names = _apa_authors(tuple(_given_first(n) for n in ref.translators), words)
        title = f"{ref.title} ({names}, {words.translator})."
    # Without an author, the title takes the author's place, before the date (APA 9.12).
    head = [title, date] if not ref.authors else [_apa_authors(ref.authors, words), date, title]
    return Markup("{} {}. {}{}").format(
        " ".join(head),
        _cite(ref),
        "" if ref.publisher == ref.container else f"{ref.publisher}. ",
        ref.url,
    )


def _cite(ref: Reference) -> Markup:
    """Return the roundtable's title as <cite>, with its language when the essay's differs."""
    if ref.container_language in ("", ref.language):
        return Markup("<cite>{}</cite>").format(ref.container)
    return Markup('<cite lang="{}">{}</cite>').format(ref.container_language, ref.container)


def bibtex(ref: Reference) -> str:
    """Return a BibTeX @misc entry; names and titles keep their letters in UTF-8."""
    fields = {
        "author": " and ".join(_bibtex_name(name) for name in ref.authors),
        "translator": " and ".join(_bibtex_name(name) for name in ref.translators),
        "title": "{" + _latex(ref.title) + "}",  # inner braces keep the title's capitals
        "howpublished": "{" + _latex(ref.container) + "}",
        "publisher": _latex(ref.publisher),
        **_bibtex_date(ref.date),
        "url": ref.url,
        "abstract": _latex(ref.abstract),
        "keywords": _latex(", ".join(ref.keywords)),
    }
    entry = Entry("misc", bibtex_key(ref), [Field(k, v) for k, v in fields.items() if v])
    # The library is made here and thrown away: its middleware may work in place, not on a copy.
    stack = default_unparse_stack(allow_inplace_modification=True)
    return str(write_string(Library([entry]), unparse_stack=stack))


def bibtex_key(ref: Reference) -> str:
    """Return a citation key like 'penaibanez2021follow': ASCII, stable, readable."""
    family = make_slug(ref.authors[0].family).replace("-", "") if ref.authors else ""
    year = str(ref.date.year) if ref.date else "nd"
    words = [w for w in make_slug(ref.title).split("-") if w not in ("a", "an", "the")]
    return f"{family or 'anon'}{year}{words[0] if words else ''}"


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no type hints
    """RIS without rispy's counter line ('1.'), which is not part of the format."""

    def set_header(self, count: int) -> str:
        """Write nothing before each record's TY line."""
        return ""


def ris(ref: Reference) -> str:
    """Return an RIS record of type ELEC (a web page), which Zotero and EndNote import."""
    record = {
        "type_of_reference": "ELEC",
        "authors": [_inverted(name) for name in ref.authors],
        "subsidiary_authors": [_inverted(name) for name in ref.translators],  # A4: translator
        "title": ref.title,
        "secondary_title": ref.container,
        "publisher": ref.publisher,
        "year": str(ref.date.year) if ref.date else "",
        "date": ref.date.strftime("%Y/%m/%d") if ref.date else "",
        "urls": [ref.url],
        "language": ref.language,
        "abstract": ref.abstract,
        "keywords": list(ref.keywords),
    }
    text: str = rispy.dumps([{k: v for k, v in record.items() if v}], implementation=_RisWriter)
    return text


def _note_authors(names: tuple[Name, ...], words: StyleWords) -> str:
    """Return authors as a Chicago note names them: 'A', 'A and B', 'A, B, and C', 'A et al.'."""
    full = [name.full for name in names]
    if len(full) > NOTE_AUTHORS_IN_FULL:
        return f"{full[0]} et al."
    if len(full) <= 2:
        return f" {words.and_} ".join(full)
    comma = "," if words.serial_comma else ""
    return ", ".join(full[:-1]) + f"{comma} {words.and_} " + full[-1]


def _apa_authors(names: tuple[Name, ...], words: StyleWords) -> str:
    """Return authors as APA lists them: 'Family, I.', joined with commas and an ampersand."""
    listed = [_apa_name(name) for name in names]
    if len(listed) > APA_AUTHORS_IN_FULL:
        return ", ".join(listed[: APA_AUTHORS_IN_FULL - 1]) + ", . . . " + listed[-1]
    if len(listed) == 1:
        return listed[0]
    comma = "," if words.serial_comma else ""
    return ", ".join(listed[:-1]) + f"{comma} {words.ampersand} " + listed[-1]


def _given_first(name: Name) -> Name:
    """Return a name as APA writes translators: initials first, 'J. Doe' (an organisation whole)."""
    shown = " ".join(part for part in (initials(name.given), name.family) if part)
    return Name(name.full, "", shown, name.suffix)


def _apa_name(name: Name) -> str:
    """Return 'Family, I. I.' (or the family name alone), with any suffix after a comma."""
    parts = [name.family, initials(name.given), name.suffix]
    return ", ".join(part for part in parts if part)


def _inverted(name: Name) -> str:
    """Return 'Family, Given, Suffix', the form RIS and bibliographies sort by."""
    return ", ".join(part for part in (name.family, name.given, name.suffix) if part)


def _bibtex_name(name: Name) -> str:
    """Return 'Family, Jr, Given'; a family name of several words is braced, to stay whole."""
    family = _latex(name.family)
    family = "{" + family + "}" if " " in family else family
    return ", ".join(part for part in (family, _latex(name.suffix), _latex(name.given)) if part)


def _bibtex_date(date: dt.date | None) -> dict[str, str]:
    """Return BibTeX's year and month and BibLaTeX's ISO date; nothing when undated."""
    if date is None:
        return {}
    return {"year": str(date.year), "month": str(date.month), "date": date.isoformat()}


def _latex(text: str) -> str:
    """Escape LaTeX's special characters."""
    return text.translate(LATEX_SPECIALS)


def _end(title: str, mark: str) -> str:
    """Close a title with a mark, unless it already ends with its own (?, !)."""
    return title if title.endswith(("?", "!", mark)) else title + mark


def _long_date(date: dt.date, words: StyleWords) -> str:
    """Return 'March 1, 2021' (or '1 de marzo de 2021'), whatever the machine's locale."""
    return str(format_date(date, format=words.long_date, locale=_babel_locale(words)))


def _month_day(date: dt.date, words: StyleWords) -> str:
    """Return 'March 1' (or '1 de marzo')."""
    return str(format_date(date, format=words.month_day, locale=_babel_locale(words)))


def _babel_locale(words: StyleWords) -> str:
    """Return the locale whose month names go with a language's citation words."""
    return next(code for code, known in STYLE_WORDS.items() if known is words)


@dataclass(frozen=True)
class CiteThis:
    """An essay's 'Cite this essay' section: text in two styles and two files to download."""

    chicago: Markup
    """Chicago full note, as HTML."""
    apa: Markup
    """APA reference, as HTML."""
    bibtex: str
    """Page path of the BibTeX file."""
    ris: str
    """Page path of the RIS file."""


def cite_this(site: Site, essay: Essay) -> CiteThis:
    """Return what an essay page's citation section shows and links to."""
    ref = reference(site, essay)
    return CiteThis(
        chicago(ref), apa(ref), urls.citation(essay.slug, "bib"), urls.citation(essay.slug, "ris")
    )
