"""`new`: start an essay or a roundtable from a filled-in template, so editors never begin blank."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path

from roundtable.content.discover import ROUNDTABLES_DIR
from roundtable.content.placeholders import ESSAY_BODY, ROUNDTABLE_BODY
from roundtable.model import Site
from roundtable.slugs import make_slug

ESSAYS_DIR = "essays"


class CannotCreate(Exception):
    """The file cannot be created: it exists, or it names something unknown."""


def quoted(text: str) -> str:
    """Return text as a double-quoted YAML string (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def new_essay(
    site: Site, content: Path, title: str, roundtable: str, author: str, today: dt.date
) -> Path:
    """Write content/essays/<slug>.md for a new essay in a roundtable; return its path."""
    if roundtable not in {r.slug for r in site.roundtables}:
        raise CannotCreate(f"unknown roundtable '{roundtable}' ({_suggest(site, roundtable)})")
    orders = [e.order or 0 for e in site.essays_in(roundtable)]
    text = ESSAY_TEMPLATE.format(
        title=quoted(title),
        author=quoted(author),
        roundtable=roundtable,
        date=today.isoformat(),
        order=max(orders, default=0) + 1,
        body="\n".join(ESSAY_BODY),
    )
    return _create(content / ESSAYS_DIR / f"{_slug(title)}.md", text)


def new_roundtable(content: Path, title: str, today: dt.date) -> Path:
    """Write content/roundtables/<slug>.md for a new roundtable; return its path."""
    text = ROUNDTABLE_TEMPLATE.format(
        title=quoted(title), date=today.isoformat(), body="\n".join(ROUNDTABLE_BODY)
    )
    return _create(content / ROUNDTABLES_DIR / f"{_slug(title)}.md", text)


MAX_SLUG = 80
"""Longest file slug `new` makes from a title: a name and a URL one can still read."""


def _slug(title: str) -> str:
    """Return the file slug of a title, cut to MAX_SLUG at a word; refuse titles with no
    letters or digits."""
    slug = make_slug(title)
    if not slug:
        raise CannotCreate(f"'{title[:60]}' has no letters or digits to make a file name from")
    if len(slug) > MAX_SLUG:
        cut = slug[: MAX_SLUG + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:MAX_SLUG]
    return slug


def _suggest(site: Site, slug: str) -> str:
    """Name the closest roundtable slug, or list them."""
    slugs = [r.slug for r in site.roundtables]
    close = difflib.get_close_matches(slug, slugs, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "roundtables: " + (", ".join(slugs) or "none yet; create one with 'new roundtable'")


def _create(path: Path, text: str) -> Path:
    """Write a new file, never replacing one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise CannotCreate(
            f"{path} already exists (choose another title, or edit that file)"
        ) from None
    except OSError as exc:
        raise CannotCreate(f"{exc.filename or path}: {exc.strerror}") from None
    return path


ESSAY_TEMPLATE = """\
---
title: {title}
author: {author}
roundtable: {roundtable}
date: {date}
order: {order}
# Remove the '# ' in front of a line to use it.
# affiliation: "Institution"           # the author's institution
# bio: "Name is … at …"                # one sentence, shown at the end of the essay
# subtitle: "A second line under the title"
# summary: "One or two sentences"      # default: the first paragraph
# disclaimer: "…"                      # default: the roundtable's, then the site's; false omits it
# image:
#   src: images/photo.jpg              # path from content/
#   alt: "What the picture shows"      # required with src
#   caption: "What is happening"
#   credit: "Photo: Name / Agency"
# tags: [Migration, Border]
# slug: a-shorter-url                  # default: from the file name
# draft: true                          # left out of the site until removed
---
{body}
"""

ROUNDTABLE_TEMPLATE = """\
---
title: {title}
date: {date}
# Remove the '# ' in front of a line to use it.
# short_title: "Short Title Roundtable"   # used in "Return to …"; default: the title
# editors: ["Editor One", "Editor Two"]
# summary: "One or two sentences for the home page"
# disclaimer: "…"                          # default for this roundtable's essays
# image:
#   src: images/photo.jpg
#   alt: "What the picture shows"
#   caption: "What is happening"
#   credit: "Photo: Name / Agency"
---
{body}
"""
