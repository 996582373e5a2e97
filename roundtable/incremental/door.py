"""The one door to incremental building: what the pipeline asks of earlier builds.

`Remembered` answers each question of the pipeline's `Reuse` with what `.roundtable-cache/`
and the output hold: the shortcut when nothing changed, the memos of reading and of Markdown,
which outputs changed, the compiled templates, the search shards kept, the writes skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING

import jinja2

from roundtable.content.read import Reading
from roundtable.errors import ContentError
from roundtable.incremental import bodies
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.inputs import Unchanged, inputs_key, known_inputs, unchanged_output
from roundtable.incremental.outputs import plan_outputs, write_site
from roundtable.incremental.reading import remembered_reading
from roundtable.incremental.search import with_search_index
from roundtable.incremental.theme import compiled_templates
from roundtable.model import Image, Site
from roundtable.plan import Plan
from roundtable.publish.outputs import Outputs
from roundtable.publish.search import Pagefind
from roundtable.render.theme import ThemeFiles

if TYPE_CHECKING:
    from roundtable.options import BuildOptions
    from roundtable.pipeline import BuildResult


class Remembered:
    """A build that reuses what earlier builds made, kept in a cache (and, for `serve`, the
    last build in memory)."""

    def __init__(
        self, options: BuildOptions, cache: BuildCache, previous: BuildResult | None
    ) -> None:
        self.options = options
        self.cache = cache
        self.previous = previous
        self.earlier = previous.files if previous is not None else {}
        """The last build's files, when it was kept in memory (serve)."""
        self.hashed, self.inputs = known_inputs(options, cache)

    def unchanged(self) -> Unchanged | None:
        """Return what the last build made, when nothing it read has changed since."""
        return unchanged_output(self.options, self.cache, self.inputs)

    def reading(self) -> Reading:
        """Return how to read the content: each file known by its bytes' hash, parsed and
        checked again only when what that depends on changed."""
        return remembered_reading(self.cache, self.hashed)

    def convert(
        self, site: Site, workers: int, pictures: Mapping[str, Image], labels: Mapping[str, str]
    ) -> Site:
        """Convert the site's Markdown, reusing each body's HTML while what made it holds."""
        return bodies.convert(site, self.cache, workers, pictures, labels)

    def plan(self, outputs: Outputs, site: Site, theme: ThemeFiles) -> Plan:
        """Fingerprint every output, and say what the output already holds."""
        return plan_outputs(self.options, outputs, site, self.cache, self.previous, theme)

    def templates(self) -> jinja2.BytecodeCache | None:
        """Return the compiled templates kept between builds."""
        return compiled_templates(self.options)

    def pages(self, plan: Plan, rendered: Mapping[str, bytes]) -> Callable[[str], bytes | None]:
        """Return what reads a page of the site about to be published (for the check): made
        now, else as the output (or the last build in memory) holds it; None for a copy."""
        output, earlier = self.options.output, self.earlier

        def page(path: str) -> bytes | None:
            if path in plan.copies:
                return None
            if path in rendered:
                return rendered[path]
            if output is None:
                return earlier.get(path)
            try:
                return (output / path).read_bytes()
            except OSError:
                return None

        return page

    def search(
        self, pagefind: Pagefind | None, plan: Plan, rendered: MutableMapping[str, bytes]
    ) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
        """Add the search index, made again only for the shards whose pages changed."""
        if pagefind is None:
            return rendered, plan.manifest
        output = self.options.output
        return with_search_index(
            rendered, plan.manifest, plan.before, output, self.earlier, pagefind, plan.groups
        )

    def write(
        self, plan: Plan, rendered: MutableMapping[str, bytes], manifest: dict[str, str]
    ) -> dict[str, bytes]:
        """Publish, writing only the files whose bytes changed."""
        return write_site(self.options, self.cache, plan, rendered, manifest, self.previous)

    def remember(self, counts: tuple[int, int], warnings: list[ContentError]) -> None:
        """Keep what the next build starts from: this build's inputs, counts and warnings (for a
        build that finds nothing changed), and the cache's new entries."""
        if self.options.output is not None:
            digest = self.inputs or ""
            self.cache.put("meta", inputs_key(self.options.output), (digest, counts, warnings))
        self.cache.save()
