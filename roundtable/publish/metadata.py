"""What a page tells search engines, reference managers and link previews in its <head>.

Highwire Press tags for Google Scholar and Zotero, OpenGraph and Twitter tags for link previews,
and schema.org JSON-LD for search engines, all from the same Reference as the citations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from roundtable import urls
from roundtable.model import Essay, Image, Person, Roundtable, Site
from roundtable.publish.citations import Reference, reference
from roundtable.render.markdown import DESCRIPTION, shortened

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class HeadMetadata:
    """The <meta> tags and JSON-LD of one page."""

    names: Pairs
    """<meta name=… content=…>: Highwire citation_* and Twitter tags, in order."""
    properties: Pairs
    """<meta property=… content=…>: OpenGraph tags, in order."""
    json_ld: Mapping[str, Any] | None = None
    """schema.org data, for a <script type="application/ld+json"> written with |tojson."""


def essay_metadata(site: Site, essay: Essay) -> HeadMetadata:
    """Return an essay page's Highwire, OpenGraph, Twitter and JSON-LD metadata."""
    ref = reference(site, essay)
    return HeadMetadata(
        names=(*highwire(essay, ref), *twitter(essay.image)),
        properties=(
            *opengraph(site, ref.url, essay.title, essay.summary, essay.image, "article"),
            *_article_properties(site, essay, ref),
        ),
        json_ld=json_ld(site, essay, ref),
    )


def roundtable_metadata(site: Site, roundtable: Roundtable) -> HeadMetadata:
    """Return a roundtable page's OpenGraph and Twitter tags."""
    url = urls.absolute(site.config.base_url, urls.page_of(roundtable))
    return HeadMetadata(
        names=twitter(roundtable.image),
        properties=opengraph(
            site, url, roundtable.title, roundtable.summary, roundtable.image, "website"
        ),
    )


def highwire(essay: Essay, ref: Reference) -> Pairs:
    """Return the citation_* tags that Google Scholar and Zotero read, in their expected order."""
    tags = [("citation_title", ref.title)]
    for person in essay.authors:  # each institution right after its author, as Scholar pairs them
        tags.append(("citation_author", person.name))
        if person.affiliation:
            tags.append(("citation_author_institution", person.affiliation))
        if person.orcid:
            tags.append(("citation_author_orcid", orcid_url(person.orcid)))
    if ref.date:
        tags.append(("citation_publication_date", ref.date.strftime("%Y/%m/%d")))
    # Zotero reads citation_inbook_title as the container ('publicationTitle'); journal_title
    # would claim a journal, and series_title only fills a field that citations leave out.
    tags += [
        ("citation_inbook_title", ref.container),
        ("citation_publisher", ref.publisher),
        ("citation_language", ref.language),
        ("citation_abstract_html_url", ref.url),
        ("citation_fulltext_html_url", ref.url),
    ]
    if ref.abstract:
        tags.append(("citation_abstract", ref.abstract))
    tags += [("citation_keywords", tag) for tag in ref.keywords]
    return tuple(tags)


def twitter(image: Image | None) -> Pairs:
    """Return the Twitter card tags; the rest of the card comes from OpenGraph."""
    if image is None:
        return (("twitter:card", "summary"),)
    return (("twitter:card", "summary_large_image"), ("twitter:image:alt", image.alt))


def opengraph(
    site: Site, url: str, title: str, description: str, image: Image | None, kind: str
) -> Pairs:
    """Return the OpenGraph tags every link preview reads; the picture's URL is absolute."""
    tags = [
        ("og:type", kind),
        ("og:title", title),
        ("og:description", shortened(description or title, DESCRIPTION)),
        ("og:url", url),
        ("og:site_name", site.config.title),
    ]
    if image is not None:
        tags += [("og:image", urls.absolute(site.config.base_url, image.src))]
        tags += [("og:image:alt", image.alt)]
        if image.width:
            tags += [("og:image:width", str(image.width)), ("og:image:height", str(image.height))]
    return tuple(tags)


def _article_properties(site: Site, essay: Essay, ref: Reference) -> Pairs:
    """Return OpenGraph's article:* tags: date, authors' pages, roundtable, tags."""
    tags = [("article:published_time", ref.date.isoformat())] if ref.date else []
    tags += [("article:author", _absolute_page(site, person)) for person in essay.authors]
    tags += [("article:section", ref.container)]
    tags += [("article:tag", tag) for tag in ref.keywords]
    return tuple(tags)


def json_ld(site: Site, essay: Essay, ref: Reference) -> dict[str, Any]:
    """Return the essay as a schema.org Article, the type search engines document."""
    roundtable = site.roundtable_of(essay)
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": essay.title,
        "url": ref.url,
        "mainEntityOfPage": ref.url,
        "inLanguage": ref.language,
        "isPartOf": {
            "@type": "CreativeWork",
            "name": roundtable.title,
            "url": _absolute_page(site, roundtable),
        },
        "publisher": {"@type": "Organization", "name": ref.publisher, "url": site.config.base_url},
    }
    optional = {
        "author": [_person(site, person) for person in essay.authors],  # none: unsigned
        "translator": [{"@type": _kind(p), "name": p.name} for p in essay.translators],
        "alternativeHeadline": essay.subtitle,
        "description": essay.summary,
        "datePublished": ref.date.isoformat() if ref.date else "",
        "image": urls.absolute(site.config.base_url, essay.image.src) if essay.image else "",
        "keywords": list(essay.tags),
        "isBasedOn": essay.republished.url if essay.republished else "",
    }
    return data | {key: value for key, value in optional.items() if value}


def _person(site: Site, person: Person) -> dict[str, Any]:
    """Return an author as a schema.org Person (or Organization), with the institution as an
    Organization."""
    data: dict[str, Any] = {
        "@type": _kind(person),
        "name": person.name,
        "url": _absolute_page(site, person),
    }
    if person.affiliation and not person.organization:  # schema.org: a Person's only
        data["affiliation"] = {"@type": "Organization", "name": person.affiliation}
    if person.orcid:
        data["sameAs"] = orcid_url(person.orcid)
    return data


def _kind(person: Person) -> str:
    """Return the schema.org type of who signs or translates: a Person or an Organization."""
    return "Organization" if person.organization else "Person"


def orcid_url(orcid: str) -> str:
    """Return the orcid.org address of an ORCID iD, the form ORCID asks sites to show."""
    return f"https://orcid.org/{orcid}"


def _absolute_page(site: Site, item: Roundtable | Person) -> str:
    """Return the absolute URL of a model object's page."""
    return urls.absolute(site.config.base_url, urls.page_of(item))
