"""The build that remembers nothing: every output made again, every time.

`Fresh` answers the pipeline's `Reuse` without `incremental/`: a build through it reads, checks
and converts every file, renders every page, indexes every page and writes the whole output.
It is what a build is without the cache (`--no-cache`, `check`), and the reference that
incremental builds must equal byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping

import jinja2

from roundtable import urls
from roundtable.content.read import Reading
from roundtable.errors import ContentError
from roundtable.model import Image, Site
from roundtable.options import BuildOptions
from roundtable.plan import GroupRecord, Plan
from roundtable.publish.outputs import Outputs, collisions, copy_stats, unreadable_copies
from roundtable.publish.search import Pagefind, index_shards, shard_list, site_shards
from roundtable.render.convert import convert
from roundtable.render.theme import ThemeFiles
from roundtable.write import Previous, Stage, build_id, digest_bytes, publish

MADE = ""
"""The fingerprint of every output: none is known, so every one is made."""


class Fresh:
    """A build that reuses nothing."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options

    def unchanged(self) -> None:
        """Nothing is known of earlier builds: something may always have changed."""
        return None

    def reading(self) -> Reading:
        """Read the plain way: every file parsed and checked."""
        return Reading()

    def convert(
        self, site: Site, workers: int, pictures: Mapping[str, Image], labels: Mapping[str, str]
    ) -> Site:
        """Convert every body."""
        return convert(site, workers, pictures, labels)

    def plan(self, outputs: Outputs, site: Site, theme: ThemeFiles) -> Plan:
        """Make every page again, and list every file to copy (those that cannot be read:
        reported)."""
        pages, groups = [], {}
        for group in outputs.groups:
            made = list(group.make())
            pages += made
            groups[group.name] = (MADE, tuple(urls.output_file(p.path) for p in made))
        manifest = {path: MADE for _, paths in groups.values() for path in paths}
        errors = [*outputs.errors, *collisions(self.options, site, set(manifest))]
        errors += unreadable_copies(
            self.options, site, outputs.copies, copy_stats(outputs.copies)[1]
        )
        manifest |= dict.fromkeys(outputs.copies, MADE)
        records: dict[str, GroupRecord] = groups
        return Plan(
            pages,
            outputs.copies,
            manifest,
            {},
            theme.asset_hashes,
            theme.version,
            outputs.images_made,
            records,
            errors,
        )

    def templates(self) -> jinja2.BytecodeCache | None:
        """Compile the templates afresh."""
        return None

    def pages(self, plan: Plan, rendered: Mapping[str, bytes]) -> Callable[[str], bytes | None]:
        """Read a page of the site: every one was rendered now (a copied file: None)."""
        return lambda path: None if path in plan.copies else rendered.get(path)

    def search(
        self, pagefind: Pagefind | None, plan: Plan, rendered: MutableMapping[str, bytes]
    ) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
        """Index every page, shard by shard."""
        if pagefind is None:
            return rendered, plan.manifest
        shards = site_shards({name: files for name, (_, files) in plan.groups.items()})
        for files in index_shards(shards, rendered.__getitem__, pagefind).values():
            rendered.update(files)
        rendered.update(shard_list(shards))
        return rendered, {**plan.manifest, **dict.fromkeys(rendered, MADE)}

    def write(
        self, plan: Plan, rendered: MutableMapping[str, bytes], manifest: dict[str, str]
    ) -> dict[str, bytes]:
        """Publish the whole output (a build in memory: return its files)."""
        output = self.options.output
        if output is None:
            return dict(rendered)
        assert isinstance(rendered, Stage)
        digests = dict(rendered.digests)
        digests |= {rel: digest_bytes(path.read_bytes()) for rel, path in plan.copies.items()}
        publish(output, rendered, plan.copies, manifest, Previous({}, build_id(digests)))
        return {}

    def remember(self, counts: tuple[int, int], warnings: list[ContentError]) -> None:
        """Remember nothing."""
