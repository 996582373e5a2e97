"""Model values for tests that call a stage directly: one roundtable, 'alpha', and its essays."""

from __future__ import annotations

from typing import Any

from roundtable.model import Essay, Roundtable, Site, SiteConfig, Text


def essay(slug: str, body: str = "Some text.", **fields: Any) -> Essay:
    """An essay of roundtable 'alpha' from content/essays/<slug>.md, its body from line 5."""
    path = f"essays/{slug}.md"
    return Essay(
        slug=slug,
        title=slug.title(),
        roundtable="alpha",
        authors=(),
        source=f"content/{path}",
        path=path,
        body=Text.of(body),
        body_line=5,
        **fields,
    )


def alpha(introduction: str = "") -> Roundtable:
    """Roundtable 'alpha', from content/roundtables/alpha.md."""
    return Roundtable(
        slug="alpha",
        title="Alpha",
        short_title="Alpha",
        source="content/roundtables/alpha.md",
        path="roundtables/alpha.md",
        body=Text.of(introduction),
    )


def site(
    *essays: Essay,
    roundtable: Roundtable | None = None,
    left_out: tuple[str, ...] = (),
    **settings: Any,
) -> Site:
    """A site of one roundtable (alpha, unless another is given) and these essays; `settings`
    are site.yml's beyond its title and address."""
    config = SiteConfig(title="A site", base_url="https://example.org/", **settings)
    return Site(
        config=config,
        roundtables=(roundtable or alpha(),),
        essays=essays,
        authors=(),
        left_out=left_out,
    )
