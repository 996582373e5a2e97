"""What the output already holds: every output's fingerprint, groups of pages skipped whole,
and files written only when their bytes changed."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING

from roundtable import urls
from roundtable.incremental.cache import BuildCache, key
from roundtable.incremental.fingerprint import Fingerprinter
from roundtable.model import Site
from roundtable.plan import GroupRecord, Plan
from roundtable.publish.outputs import Outputs, collisions, copy_stats, unreadable_copies
from roundtable.render.pages import Group, Page
from roundtable.render.theme import ThemeFiles
from roundtable.write import Previous, Stage, build_id, digest_bytes, publish, read_marker

if TYPE_CHECKING:
    from roundtable.options import BuildOptions
    from roundtable.pipeline import BuildResult


def plan_outputs(
    options: BuildOptions,
    outputs: Outputs,
    site: Site,
    cache: BuildCache,
    previous: BuildResult | None,
    theme: ThemeFiles,
) -> Plan:
    """Fingerprint every output, and say what the output already holds.

    A group of pages whose inputs are those of the last build keeps its fingerprints unmade.
    """
    before, known = previous_manifest(options, cache, previous)
    groups = outputs.groups
    made_pages, manifest, records = fingerprint_pages(groups, site, theme.version, known, before)
    errors = [*outputs.errors, *collisions(options, site, set(manifest))]
    copied, failed = fingerprint_copies(outputs.copies)
    manifest |= copied
    errors += unreadable_copies(options, site, outputs.copies, failed)
    return Plan(
        made_pages,
        outputs.copies,
        manifest,
        before,
        theme.asset_hashes,
        theme.version,
        outputs.images_made,
        records,
        errors,
    )


def fingerprint_pages(
    groups: list[Group],
    site: Site,
    theme_version: str,
    known: Mapping[str, GroupRecord],
    before: Mapping[str, str],
) -> tuple[list[Page], dict[str, str], dict[str, GroupRecord]]:
    """Fingerprint every page by its inputs; return the pages made, the fingerprints, the groups.

    A group whose inputs are those of the last build, with all its files still in the output,
    keeps their fingerprints without making its pages.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")  # feeds fall back on it when nothing is dated
    site_digest = key("site", repr(site.config), theme_version, epoch)
    printer = Fingerprinter(site_digest)
    made: list[Page] = []
    manifest: dict[str, str] = {}
    records: dict[str, GroupRecord] = {}
    for group in groups:
        digest = printer.group(group.inputs) if group.inputs is not None else ""
        record = known.get(group.name)
        if _unchanged(digest, record, before):
            assert record is not None
            manifest.update((path, before[path]) for path in record[1])
            records[group.name] = record
            continue
        group_pages = list(group.make())
        fingerprints = {urls.output_file(p.path): printer.page(p) for p in group_pages}
        made.extend(group_pages)
        manifest.update(fingerprints)
        if digest:
            records[group.name] = (digest, tuple(fingerprints))
    return made, manifest, records


def _unchanged(digest: str, record: GroupRecord | None, before: Mapping[str, str]) -> bool:
    """Return True when a group's inputs are the last build's and its files are all there."""
    if not digest or record is None or record[0] != digest:
        return False
    return all(map(before.__contains__, record[1]))


def fingerprint_copies(copies: Mapping[str, Path]) -> tuple[dict[str, str], dict[str, OSError]]:
    """Return the fingerprint of every copied file, by its path and stat, and why each file
    that cannot be read (gone since the content was listed, say) cannot."""
    stats, failed = copy_stats(copies)
    manifest = {
        rel: key("copy", str(copies[rel]), str(stat.st_size), str(stat.st_mtime_ns))
        for rel, stat in stats.items()
    }
    return manifest, failed


def previous_manifest(
    options: BuildOptions, cache: BuildCache, previous: BuildResult | None
) -> tuple[dict[str, str], dict[str, GroupRecord]]:
    """Return what the output already holds, by fingerprint, and the groups of the build that
    made it; both empty when the output cannot be trusted."""
    if options.output is None:
        return (previous.manifest, previous.groups) if previous is not None else ({}, {})
    stored = cache.get("meta", output_key(options.output))
    if not stored or read_marker(options.output) != stored[0]:
        return {}, {}  # the output changed behind our back (or never existed): rebuild it whole
    manifest: dict[str, str] = stored[1]
    groups: dict[str, GroupRecord] = stored[3] if len(stored) > 3 else {}
    # Someone may have deleted files by hand: those are made again.
    present = present_files(options.output, manifest)
    return {path: fp for path, fp in manifest.items() if path in present}, groups


def present_files(folder: Path, paths: Iterable[str]) -> set[str]:
    """Return which of these paths, relative to a folder, are files there."""
    return {path for path in paths if os.path.isfile(os.path.join(folder, path))}


def output_key(output: Path) -> str:
    """Return the cache's name for the manifest of an output folder."""
    return f"output:{output.resolve()}"


def content_digests(
    output: Path,
    made: Mapping[str, str],
    copies: Mapping[str, Path],
    manifest: Mapping[str, str],
    before: Mapping[str, str],
    known: Mapping[str, str],
) -> dict[str, str]:
    """Hash every output file: made now, else known from the last build if unchanged, else read.

    The build id is made of these, not of the fingerprints, so the marker file is the same on
    every machine for the same site (fingerprints hold paths, times and SOURCE_DATE_EPOCH).
    """

    def digest(path: str) -> str:
        if path in made:
            return made[path]
        if path in known and before.get(path) == manifest[path]:
            return known[path]
        data = copies[path].read_bytes() if path in copies else (output / path).read_bytes()
        return digest_bytes(data)

    return {path: digest(path) for path in sorted(manifest)}


def write_site(
    options: BuildOptions,
    cache: BuildCache,
    plan: Plan,
    files: MutableMapping[str, bytes],
    manifest: dict[str, str],
    previous: BuildResult | None,
) -> dict[str, bytes]:
    """Publish to the output folder, or complete the in-memory site; return the files.

    Built to disk, the files are in the output and none is returned.
    """
    if options.output is None:
        return _complete_in_memory(dict(files), manifest, previous)
    assert isinstance(files, Stage)
    stored = cache.get("meta", output_key(options.output))
    known = stored[2] if stored and len(stored) > 2 and plan.before else {}
    digests = content_digests(
        options.output, files.digests, plan.copies, manifest, plan.before, known
    )
    # Rendered again (an input changed) to the very bytes the output holds: not written again.
    unchanged = [p for p, d in files.digests.items() if p in plan.before and known.get(p) == d]
    for path in unchanged:
        del files[path]
    marker = build_id(digests)
    publish(options.output, files, plan.copies, manifest, Previous(plan.before, marker))
    cache.put("meta", output_key(options.output), (marker, manifest, digests, plan.groups))
    return {}


def _complete_in_memory(
    files: dict[str, bytes], manifest: Mapping[str, str], previous: BuildResult | None
) -> dict[str, bytes]:
    """Return every rendered file: the new ones, and the unchanged ones from the last build."""
    if previous is None:
        return files
    kept = {path: body for path, body in previous.files.items() if path in manifest}
    return {**kept, **files}
