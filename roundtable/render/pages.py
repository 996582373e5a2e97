"""The Jinja environment and one context per page kind: the site model in, rendered pages out."""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from roundtable import urls
from roundtable.errors import CacheDamaged, ContentError
from roundtable.model import NO_HTML, Author, Essay, Person, Roundtable, Site, Topic
from roundtable.publish import citations, cms, feeds, metadata, sitemap
from roundtable.render import i18n
from roundtable.render.markdown import DESCRIPTION, render_inline, shortened
from roundtable.slugs import make_slug
from roundtable.workers import map_in_workers
from roundtable.write import Sink, Stage

PARALLEL_FROM = 400
"""Fewer pages than this render faster in one process than a pool can start."""


@dataclass(frozen=True)
class Theme:
    """Where templates and assets come from: the site's own folders first, then the default."""

    template_dirs: tuple[Path, ...]
    """Searched in order; a site's `templates/` overrides the theme by file name."""
    asset_dirs: tuple[Path, ...]
    """Searched in order; the first file of a name wins."""
    display_root: Path
    """Folder that template paths in error messages are relative to."""
    message_dirs: tuple[Path, ...] = (i18n.PACKAGE_MESSAGES,)
    """Messages files by language; a site's `messages/` first, then the package's."""


@dataclass(frozen=True)
class Derived:
    """A context value computed only if its page is rendered (citations, metadata, feeds).

    `inputs` are the model values the result depends on: the page's fingerprint hashes them
    instead of computing the result, so a page that has not changed never pays for it.
    """

    compute: Callable[[], Any]
    """Makes the value."""
    inputs: tuple[Any, ...]
    """Everything `compute` reads, for the fingerprint."""

    @classmethod
    def of(cls, function: Callable[..., Any], site: Site, *args: Any) -> Derived:
        """Return function(site, *args), declared to read the site's settings and the args.

        The functions given here read only `site.config` and the roundtables of the essays
        they are given; both are declared as inputs.
        """
        roundtables = tuple(_roundtables_of(site, args))
        return cls(partial(function, site, *args), (site.config, *args, *roundtables))

    def value(self) -> Any:
        """Compute the value."""
        return self.compute()


def _roundtables_of(site: Site, args: tuple[Any, ...]) -> Iterator[Roundtable]:
    """Yield the roundtables of the essays among args, with their translations."""
    for arg in args:
        if isinstance(arg, Essay):
            yield from _as_roundtables(site.versions(site.roundtable(arg.roundtable)))
        elif isinstance(arg, tuple | list):
            yield from _roundtables_of(site, tuple(arg))


@dataclass(frozen=True)
class Page:
    """One output file: a template to render, or bytes made elsewhere (BibTeX, RIS)."""

    path: str
    """Page path from the site root (see urls): 'essays/x/', 'feed.xml'."""
    template: str
    """Template file name; empty when `body` is given."""
    context: Mapping[str, Any]
    """What the template may use besides the site-wide globals."""
    body: bytes | Derived | None = None
    """The finished file (or how to make it), for outputs no template makes."""


class TemplateFailed(Exception):
    """A template has a mistake; carries the located error."""

    def __init__(self, error: ContentError) -> None:
        super().__init__(error)  # the error itself is the argument, so a worker can pickle it
        self.error = error


@lru_cache(maxsize=4)
def environment(
    theme: Theme, version: str = "", compiled: jinja2.BytecodeCache | None = None
) -> jinja2.Environment:
    """Return the Jinja environment: autoescape on, undefined names are errors.

    `version` is the hash of the theme's files: a new one (a template added in the site's own
    folder, say) gets a fresh environment, since Jinja only rechecks templates it has loaded.
    `compiled` keeps templates compiled between builds (Jinja checks each against its source);
    it must be hashable, as environments are kept by their arguments.
    """
    env = jinja2.Environment(
        bytecode_cache=compiled,
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["markdown_inline"] = lambda text: Markup(render_inline(text))
    env.filters["description"] = lambda text: shortened(text, DESCRIPTION)
    return env


@dataclass(frozen=True)
class Group:
    """Outputs made from a few model values alone: while those are unchanged, so are the outputs.

    A build compares a group's inputs with the last build's before it makes the group's pages at
    all, so an edit costs the pages of its own roundtable, not the whole site's.
    """

    name: str
    """Names the group from one build to the next."""
    inputs: tuple[Any, ...] | None
    """Every model value the group's pages read besides the site settings and the theme (which
    every fingerprint holds); None for a group made on every build."""
    make: Callable[[], Iterable[Page]]
    """Makes the group's pages."""


def page_groups(site: Site, pdfs: bool = False) -> list[Group]:
    """Return every output of the site, in groups: one per roundtable (with its translations,
    their essays and everything made of them), then the pages that show the whole site.

    `pdfs` says the build also makes PDFs (publish/pdf.py), which essay and roundtable pages
    link to.
    """
    groups = [
        Group(
            f"roundtable:{roundtables[0].slug}",
            (pdfs, roundtables, essays),
            partial(_roundtable_outputs, site, roundtables, essays, pdfs),
        )
        for roundtables, essays in _translation_families(site)
    ]
    return [
        *groups,
        *_people_and_topic_groups(site),
        Group("site", None, partial(_site_outputs, site)),
    ]


def _translation_families(
    site: Site,
) -> list[tuple[tuple[Roundtable, ...], tuple[Essay, ...]]]:
    """Return the roundtables that share essays or translations, with all their essays.

    An essay page shows its roundtable, its neighbours and its translations; a roundtable page
    its essays and translations. Each family holds all of that, so no page of one family reads
    another's items.
    """
    parent = {r.slug: r.slug for r in site.roundtables}

    def root(slug: str) -> str:
        while parent[slug] != slug:
            parent[slug] = slug = parent[parent[slug]]
        return slug

    def join(a: str, b: str) -> None:
        parent[root(a)] = root(b)

    for roundtable in site.roundtables:
        join(roundtable.slug, site.original(roundtable).slug)
    for essay in site.essays:
        for version in site.versions(essay):
            assert isinstance(version, Essay)
            join(essay.roundtable, version.roundtable)
    families: dict[str, tuple[list[Roundtable], list[Essay]]] = {}
    for roundtable in site.roundtables:
        families.setdefault(root(roundtable.slug), ([], []))[0].append(roundtable)
    for essay in site.essays:
        families[root(essay.roundtable)][1].append(essay)
    return [(tuple(rts), tuple(essays)) for rts, essays in families.values()]


def _roundtable_outputs(
    site: Site, roundtables: tuple[Roundtable, ...], essays: tuple[Essay, ...], pdfs: bool
) -> Iterator[Page]:
    """Yield the pages of a family of roundtables: what readers see, then feeds and citations."""
    cards = {essay.slug: _card(essay) for essay in essays}
    for roundtable in roundtables:
        yield _roundtable_page(site, roundtable, cards, pdfs)
    for essay in essays:
        yield _essay_page(site, essay, cards, pdfs)
    for roundtable in roundtables:
        feed = Derived.of(feeds.roundtable_feed, site, roundtable)
        inputs = (*feed.inputs, site.essays_in(roundtable.slug))
        yield Page(urls.feed(roundtable.slug), "atom.xml", {"feed": replace(feed, inputs=inputs)})
    for essay in essays:
        yield from _citation_files(site, essay)


def _people_and_topic_groups(site: Site) -> list[Group]:
    """Return a group per author page and per topic page: an edit renders only the pages that
    list the edited essay (the site-wide pages are hashed again on every build, these are not)."""
    topics_index = {"topics_index": urls.TOPICS}
    return [
        *(
            _listing_group(site, f"author:{a.person.slug}", a, "author.html", {})
            for a in site.authors
        ),
        *(
            _listing_group(site, f"topic:{t.slug}", t, "topic.html", topics_index)
            for t in site.topics
        ),
    ]


def _listing_group(
    site: Site, name: str, listed: Author | Topic, template: str, extra: Mapping[str, str]
) -> Group:
    """Return the group of an author's or a topic's page: made from its essays and their
    roundtables alone."""
    essays = tuple(site.essay(slug) for slug in listed.essays)
    roundtables = tuple(site.roundtable(e.roundtable) for e in essays)
    page = partial(_listing_page, listed, essays, roundtables, template, extra)
    return Group(name, (listed, essays, roundtables), page)


def _listing_page(
    listed: Author | Topic,
    essays: tuple[Essay, ...],
    roundtables: tuple[Roundtable, ...],
    template: str,
    extra: Mapping[str, str],
) -> Iterator[Page]:
    """Yield the page of an author or a topic: its essays, newest first, with their roundtables."""
    context = {
        "author" if isinstance(listed, Author) else "topic": listed,
        "essays": list(essays),
        "roundtables_by_slug": {e.roundtable: r for e, r in zip(essays, roundtables, strict=True)},
        **extra,
    }
    yield Page(urls.page_of(listed), template, context)


def _site_outputs(site: Site) -> Iterator[Page]:
    """Yield the pages that show the whole site: home, topics index, feed, sitemap…"""
    html = [_home_page(site), *_site_wide_pages(site)]
    yield from html
    site_feed = Derived(
        partial(feeds.site_feed, site), (site.config, site.essays, site.roundtables)
    )
    yield Page(urls.feed(), "atom.xml", {"feed": site_feed})
    listed = [
        *(urls.page_of(author) for author in site.authors),
        *([urls.TOPICS, *(urls.page_of(topic) for topic in site.topics)] if site.topics else []),
    ]
    paths = [
        html[0].path,
        *(urls.page_of(r) for r in site.roundtables),
        *(urls.page_of(e) for e in site.essays),
        *listed,
        *(page.path for page in html[1:] if page.path != urls.TOPICS),
    ]
    entries = sitemap.sitemap_entries(site, paths)
    yield Page(urls.SITEMAP, "sitemap.xml", {"entries": entries})
    sitemap_url = urls.absolute(site.config.base_url, urls.SITEMAP)
    yield Page(urls.ROBOTS, "robots.txt", {"sitemap_url": sitemap_url})
    if site.config.cms:
        yield from _editor_pages(site)


def _editor_pages(site: Site) -> Iterator[Page]:
    """Yield the content editor's page and config.yml (publish/cms.py); the files beside them
    are copied as they are."""
    page = Derived(partial(cms.admin_page, site.config), (site.config,))
    choices = cms.choices_of(site)
    config = Derived(partial(cms.config_yaml, site.config, choices), (site.config, choices))
    yield Page(urls.ADMIN, "", {}, body=page)
    yield Page(urls.ADMIN + "config.yml", "", {}, body=config)


def _home_page(site: Site) -> Page:
    """Return the home page: every roundtable, newest first, and the topics."""
    listed = _listed_roundtables(site)
    counts = {r.slug: len(site.reading_list(r.slug)) for r in listed}
    return Page(
        urls.HOME,
        "home.html",
        {
            "roundtables": listed,
            "roundtable_essay_counts": counts,
            "other_versions": _other_versions(site, listed),
            "topics": _topic_links(site),
        },
    )


def _site_wide_pages(site: Site) -> Iterator[Page]:
    """Yield the topics index, the search page and the 404 page."""
    if site.topics:
        yield Page(urls.TOPICS, "topics.html", {"topics": _topic_links(site)})
    if site.config.search:
        yield Page(
            urls.SEARCH,
            "search.html",
            {
                "search_script": urls.search_index("pagefind-ui.js"),
                "search_stylesheet": urls.search_index("pagefind-ui.css"),
            },
        )
    yield Page(urls.NOT_FOUND, "404.html", {"roundtables": _listed_roundtables(site)})


def _citation_files(site: Site, essay: Essay) -> Iterator[Page]:
    """Yield an essay's BibTeX and RIS files."""
    roundtable = site.roundtable_of(essay)
    for kind, write in (("bib", citations.bibtex), ("ris", citations.ris)):
        make = partial(_citation_file, site, essay, write)
        body = Derived(make, (site.config, essay, roundtable, kind))
        yield Page(urls.citation(essay.slug, kind), "", {}, body=body)


def _citation_file(site: Site, essay: Essay, write: Callable[[citations.Reference], str]) -> bytes:
    """Return one citation file of an essay."""
    return write(citations.reference(site, essay)).encode("utf-8")


def _card(essay: Essay) -> Essay:
    """Return an essay as the lists of a roundtable's pages show it: without its HTML.

    A page shows only its own essay's body. Were its lists of neighbours whole essays, an edit to
    one body would change, and render again, every page of the roundtable; as cards they change
    only when what cards show does (title, summary, reading time…). Made anew, not evolved, a
    card is hashed by its fields alone, not by the checked entry (and file) it came from.
    """
    return replace(essay, html=NO_HTML)


def _roundtable_page(
    site: Site, roundtable: Roundtable, cards: Mapping[str, Essay], pdfs: bool = False
) -> Page:
    """Return a roundtable's page: introduction, essays in order (as cards), contributors."""
    essays = _reading_list(site, roundtable.slug, site.language_of(roundtable))
    return Page(
        urls.page_of(roundtable),
        "roundtable.html",
        {
            "roundtable": roundtable,
            "essays": tuple(cards[e.slug] for e in essays),
            "contributors": _contributors(site, essays),
            "feed": urls.feed(roundtable.slug),
            "head_metadata": Derived.of(metadata.roundtable_metadata, site, roundtable),
            "other_versions": _other_versions(site, essays, cards),
            "pdf": urls.pdf(urls.page_of(roundtable)) if pdfs else "",
            **_language_context(site, roundtable),
        },
    )


def _essay_page(site: Site, essay: Essay, cards: Mapping[str, Essay], pdfs: bool = False) -> Page:
    """Return an essay's page, with its roundtable and neighbours (as cards) in reading order.

    A translation takes its original's place in the reading order, and its neighbours and
    roundtable are shown in its language where they have been translated.
    """
    language = site.language_of(essay)
    works = site.reading_list(essay.roundtable)
    siblings = tuple(cards[e.slug] for e in _reading_list(site, essay.roundtable, language))
    versions = {v.slug for v in site.versions(essay)}
    index = next((i for i, work in enumerate(works) if work.slug in versions), -1)
    return Page(
        urls.page_of(essay),
        "essay.html",
        {
            "essay": essay,
            "roundtable": site.roundtable_of(essay),
            "published": site.date_of(essay),
            "siblings": siblings,
            "position": index + 1 if index >= 0 and len(works) > 1 else 0,
            "previous": siblings[index - 1] if index > 0 else None,
            "next": siblings[index + 1] if 0 <= index < len(siblings) - 1 else None,
            "feed": urls.feed(essay.roundtable),
            "head_metadata": Derived.of(metadata.essay_metadata, site, essay),
            "cite": Derived.of(citations.cite_this, site, essay),
            "tags": tuple((tag, urls.topic(make_slug(tag))) for tag in essay.tags),
            "all_topics": urls.TOPICS if essay.tags else "",
            "pdf": urls.pdf(urls.page_of(essay)) if pdfs else "",
            **_language_context(site, essay, cards),
            **_republished_context(essay),
        },
    )


def _reading_list(site: Site, roundtable: str, language: str) -> tuple[Essay, ...]:
    """Return a roundtable's essays in reading order, each in a language where it can be."""
    return site.reading_list_in(roundtable, language)


def _as_roundtables(items: Iterable[Essay | Roundtable]) -> Iterator[Roundtable]:
    """Narrow the versions of a roundtable to Roundtable (versions of a roundtable are ones)."""
    for item in items:
        assert isinstance(item, Roundtable)
        yield item


def _listed_roundtables(site: Site) -> tuple[Roundtable, ...]:
    """Return one version of each roundtable, in the site's language where there is one."""
    listed = []
    for roundtable in site.roundtables:
        if site.original(roundtable) is roundtable:
            shown = site.in_language(roundtable, site.config.language) or roundtable
            assert isinstance(shown, Roundtable)
            listed.append(shown)
    return tuple(listed)


def _other_versions(
    site: Site, items: Iterable[Essay | Roundtable], cards: Mapping[str, Essay] = {}
) -> dict[str, tuple[Essay | Roundtable, ...]]:
    """Return, for each item, its versions in other languages (for 'Also in: Español'); essays
    as their cards, when given."""
    return {
        item.slug: tuple(
            _as_card(v, cards)
            for v in site.versions(item)
            if site.language_of(v) != site.language_of(item)
        )
        for item in items
    }


def _as_card(item: Essay | Roundtable, cards: Mapping[str, Essay]) -> Essay | Roundtable:
    """Return an essay's card if there is one, else the item itself."""
    return cards.get(item.slug, item) if isinstance(item, Essay) else item


def _language_context(
    site: Site, item: Essay | Roundtable, cards: Mapping[str, Essay] = {}
) -> dict[str, Any]:
    """Return a page's language, its translations (essays as cards, when given) and their
    hreflang links (with x-default)."""
    versions = tuple(_as_card(v, cards) for v in site.versions(item))
    alternates: tuple[tuple[str, str], ...] = ()
    if len(versions) > 1:
        base = site.config.base_url
        alternates = (
            *((site.language_of(v), urls.absolute(base, urls.page_of(v))) for v in versions),
            ("x-default", urls.absolute(base, urls.page_of(versions[0]))),
        )
    return {
        "lang": site.language_of(item),
        "versions": tuple(v for v in versions if v.slug != item.slug),
        "alternates": alternates,
    }


def _republished_context(essay: Essay) -> dict[str, Any]:
    """Point the canonical link at the original of a republished essay, when it says so."""
    source = essay.republished
    return {"canonical": source.url} if source and source.canonical and source.url else {}


def _topic_links(site: Site) -> tuple[tuple[str, str, int], ...]:
    """Return each topic's name, page and number of essays."""
    return tuple((t.name, urls.page_of(t), len(t.essays)) for t in site.topics)


def _contributors(site: Site, essays: tuple[Essay, ...]) -> list[Person]:
    """Return each author of these essays once, in byline order of first appearance."""
    seen: dict[str, Person] = {}
    for essay in essays:
        for person in essay.authors:
            seen.setdefault(person.slug, person)
    return list(seen.values())


def render_pages(
    selected: list[Page],
    site: Site,
    theme: Theme,
    asset_hashes: Mapping[str, str],
    workers: int = 1,
    theme_version: str = "",
    stage: Stage | None = None,
    compiled: jinja2.BytecodeCache | None = None,
) -> MutableMapping[str, bytes]:
    """Render the given pages (on every core when there are many); return output path → bytes.

    With a stage, each page is written into it where it is rendered (by the worker, on a big
    site) and the stage is returned: the pages are not all held in memory. `compiled` is where
    compiled templates are kept between builds.
    """
    sink = stage.sink if stage is not None else None
    state: RenderState = (selected, site, theme, asset_hashes, theme_version, sink, compiled)
    indexes = list(range(len(selected)))
    if uses_workers(len(selected), workers):
        # Given a stage, workers return only hashes: this process can take its share.
        rendered = map_in_workers(_render_index, indexes, workers, state, here=sink is not None)
    else:
        rendered = [_render_index(i, state) for i in indexes]
    paths = [urls.output_file(p.path) for p in selected]
    if stage is None:
        return {p: body for p, body in zip(paths, rendered, strict=True) if isinstance(body, bytes)}
    for path, digest in zip(paths, rendered, strict=True):
        stage.written(path, str(digest))
    return stage


def uses_workers(pages: int, workers: int) -> bool:
    """Return True when this many pages are rendered by worker processes."""
    return workers > 1 and pages >= PARALLEL_FROM


RenderState = tuple[
    list[Page], Site, Theme, Mapping[str, str], str, Sink | None, jinja2.BytecodeCache | None
]
"""What every page render shares: the pages, the site, the theme, asset hashes, theme version,
where to write the pages (None: return them) and where compiled templates are kept."""


def _render_index(index: int, state: RenderState) -> bytes | str:
    """Render the page at an index of the shared list (runs in a worker process).

    Return its bytes, or, given a sink, write them and return their hash.
    """
    selected, site, theme, asset_hashes, theme_version, sink, compiled = state
    env = environment(theme, theme_version, compiled)
    page = selected[index]
    body = _render(env, theme, site, page, asset_hashes, theme_version)
    return body if sink is None else sink.write(urls.output_file(page.path), body)


def _render(
    env: jinja2.Environment,
    theme: Theme,
    site: Site,
    page: Page,
    asset_hashes: Mapping[str, str],
    theme_version: str = "",
) -> bytes:
    """Render one page, turning template mistakes into located errors."""
    if isinstance(page.body, Derived):
        return bytes(page.body.value())
    if page.body is not None:
        return page.body
    messages = _catalog(theme, str(page.context.get("lang") or site.config.language), theme_version)
    try:
        template = env.get_template(page.template)
        values = {k: v.value() if isinstance(v, Derived) else v for k, v in page.context.items()}
        context = {**_globals(site, page.path, asset_hashes, messages), **values}
        return template.render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(_syntax_error(theme, exc)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateFailed(
            ContentError(
                str(exc.name or page.template),
                0,
                "template not found (restore it, or add it to templates/)",
            )
        ) from None
    except CacheDamaged:
        raise  # not the template's fault: the build starts again without the cache
    except Exception as exc:  # A runtime error inside a template: report where, not a traceback.
        raise TemplateFailed(_runtime_error(theme, page, exc)) from None


def render_document(
    theme: Theme, site: Site, template: str, path: str, context: Mapping[str, Any]
) -> str:
    """Render a template outside the page pipeline, for a PDF's HTML.

    Templates and messages are read afresh; the globals are those of the page at `path`, in the
    context's language.
    """
    env = environment.__wrapped__(theme)
    language = str(context.get("lang") or site.config.language)
    try:
        messages = i18n.read_catalog(theme.message_dirs, language)
    except i18n.CatalogError as exc:
        raise TemplateFailed(exc.error) from None
    try:
        values = {**_globals(site, path, {}, messages), **context}
        return env.get_template(template).render(values)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailed(_syntax_error(theme, exc)) from None
    except Exception as exc:  # A runtime error inside a template: report where, not a traceback.
        raise TemplateFailed(_runtime_error(theme, Page(path, template, context), exc)) from None


def _catalog(theme: Theme, language: str, theme_version: str) -> i18n.Catalog:
    """Return the messages of a page's language; a mistake in a messages file is located."""
    try:
        return i18n.catalog(theme.message_dirs, language, theme_version)
    except i18n.CatalogError as exc:
        raise TemplateFailed(exc.error) from None


def _globals(
    site: Site, page: str, asset_hashes: Mapping[str, str], messages: i18n.Catalog
) -> dict[str, Any]:
    """Return what every template may use: the site, links from this page, words and dates.

    Everything here depends only on the site's settings, the page's path and language and the
    theme, which every fingerprint holds; a page context may override a value (`canonical`).
    """
    base_url = site.config.base_url
    link: Callable[[str], str] = partial(urls.link, page, base_url=base_url)
    return {
        "site": site.config,
        "page": page,
        "lang": messages.language,
        "canonical": urls.absolute(base_url, "" if page == urls.NOT_FOUND else page),
        "alternates": (),
        "pdf": "",
        "site_feed": urls.feed(),
        "search_page": urls.SEARCH,
        "href": lambda target: link(target if isinstance(target, str) else urls.page_of(target)),
        "asset": lambda name: f"{link(urls.asset(name))}?v={asset_hashes.get(name, '')}",
        "t": messages,
        "format_date": messages.date,
        "join": messages.join,
        "language_name": i18n.language_name,
        "is_essay": lambda item: isinstance(item, Essay),
        "is_author": lambda item: isinstance(item, Author),
    }


def _syntax_error(theme: Theme, exc: jinja2.TemplateSyntaxError) -> ContentError:
    """Locate a template syntax error."""
    return ContentError(
        _template_display(theme, exc.filename or exc.name or "?"),
        exc.lineno,
        f"template syntax error: {exc.message} (fix the tag on this line)",
    )


def _runtime_error(theme: Theme, page: Page, exc: Exception) -> ContentError:
    """Locate a runtime template error at the deepest template frame of its traceback."""
    where = ContentError(page.template, 0, "")
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            where = ContentError(_template_display(theme, filename), line, "")
    hint = (
        "check the spelling of the name"
        if isinstance(exc, jinja2.UndefinedError)
        else "fix the template"
    )
    rendering = urls.output_file(page.path)
    return ContentError(where.path, where.line, f"template error in {rendering}: {exc} ({hint})")


def _template_display(theme: Theme, filename: str) -> str:
    """Name a template file relative to the project, as users see it."""
    path = Path(filename)
    try:
        return path.relative_to(theme.display_root).as_posix()
    except ValueError:
        return path.as_posix()


def hash_bytes(data: bytes) -> str:
    """Return a short content hash, for cache-busting asset links."""
    return hashlib.sha256(data).hexdigest()[:10]
