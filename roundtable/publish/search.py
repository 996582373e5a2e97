"""The full-text search index: Pagefind reads the rendered pages and returns its bundle as files.

Pagefind indexes what templates mark with `data-pagefind-body` (essays and roundtables) and
filters by their `data-pagefind-filter` elements (roundtable, author). Its files go into the
output with the pages, so the write stage publishes them atomically like everything else.
Where the index cannot be built, the build says why on one line and goes on without it.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Mapping, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

import cbor2
from pagefind.service import PagefindService, get_executable

from roundtable import urls
from roundtable.cache import key

PAGEFIND_DATA = b"pagefind_dcd"
"""What every Pagefind data file starts with, once decompressed."""
TIMEOUT = 300.0
"""Seconds before giving up on the Pagefind service, which never answers if it dies mid-way."""
SETTLE_SECONDS = 0.05
"""Seconds between two reads of Pagefind's files, until they agree."""
PAGEFIND_DATA_SUFFIXES = (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta", ".pagefind")
"""Pagefind's compressed files: a cut-short one of these fails to decompress."""


def with_search_index(
    rendered: MutableMapping[str, bytes],
    manifest: dict[str, str],
    before: Mapping[str, str],
    output: Path | None,
    earlier: Mapping[str, bytes],
) -> tuple[MutableMapping[str, bytes], dict[str, str]]:
    """Add the search index to a build's files and manifest; kept as it is if no page changed.

    `rendered` holds the pages this build rendered; the others are unchanged since the build
    that made `before`, and are read from `earlier` (a server's last build) or the output.
    """
    fingerprint = _index_fingerprint(manifest)
    kept = {path: fp for path, fp in before.items() if path.startswith(urls.SEARCH_INDEX)}
    if kept and all(fp == fingerprint for fp in kept.values()):
        return rendered, manifest | kept
    pages = {path: body for path, body in rendered.items() if _indexed(path)}
    for path in manifest:
        if _indexed(path) and path not in pages:
            pages[path] = earlier[path] if path in earlier else _read(output, path)
    index = search_index(pages)
    rendered.update(index)
    return rendered, manifest | dict.fromkeys(index, fingerprint)


def _index_fingerprint(manifest: Mapping[str, str]) -> str:
    """Return what the index depends on: every indexed page's fingerprint and Pagefind's version."""
    pages = sorted(f"{path}={fp}" for path, fp in manifest.items() if _indexed(path))
    return key("search", version("pagefind_bin"), *pages)


def _indexed(path: str) -> bool:
    """Return True for the output files Pagefind reads: the HTML pages but the 404 page."""
    return path.endswith(".html") and path != urls.NOT_FOUND


def _read(output: Path | None, path: str) -> bytes:
    """Return an unchanged page from the output folder, where the last build wrote it."""
    if output is None:
        raise FileNotFoundError(f"{path}: neither rendered nor kept from the last build")
    return (output / path).read_bytes()


def search_index(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return Pagefind's index of the rendered HTML pages by output path; none if it can't run."""
    executable = get_executable()
    problem = _cannot_run(executable)
    if problem:
        return _skipped(problem)
    try:
        bundle = sort_filters(_run_index(files))
        return {urls.search_index(name): body for name, body in sorted(bundle.items())}
    # The index is an extra: whatever stops Pagefind (its service reports failures as plain
    # Exceptions) must not stop the build, so every failure becomes the one warning line.
    except Exception as exc:
        return _skipped(f"{type(exc).__name__}: {exc}")


def _run_index(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Run Pagefind's asyncio client on a thread of its own: the caller may run an event loop."""
    thread = ThreadPoolExecutor(max_workers=1)
    try:
        return thread.submit(lambda: asyncio.run(asyncio.wait_for(_index(files), TIMEOUT))).result()
    finally:
        # Not waited for when interrupted: Ctrl-C stops Pagefind's service too, and its client
        # then waits for an answer until TIMEOUT. Otherwise the thread is done already.
        thread.shutdown(wait=False)


def _cannot_run(executable: Path | None) -> str:
    """Return why the Pagefind binary cannot run here, or '' when it can."""
    if executable is None:
        return "the pagefind binary is not installed (pip install 'pagefind[bin]')"
    try:
        subprocess.run([executable, "--version"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{executable} does not run ({exc})"
    return ""


def _skipped(why: str) -> dict[str, bytes]:
    """Say on stderr why there is no search index; return no files."""
    print(f"search index skipped: {why}", file=sys.stderr)
    return {}


async def _index(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Index the HTML pages and return Pagefind's bundle by file name."""
    # One request for the whole folder: the service answers one request per 0.1 s, so adding
    # pages one by one (add_html_file) costs 0.1 s a page, 100 s for 1,000 essays; a folder
    # costs 0.3 s at any size. The scratch folder is a copy for Pagefind, not the output.
    with tempfile.TemporaryDirectory(prefix="roundtable-search-") as scratch:
        pages, bundle = Path(scratch, "pages"), Path(scratch, "bundle")
        for rel, body in files.items():
            if _indexed(rel):
                target = pages / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
        async with PagefindService() as service:
            index = await service.create_index()
            await index.add_directory(str(pages))
            await index.write_files(output_path=str(bundle))
            # Read while the service still runs: leaving this block kills it (SIGTERM), and it
            # answers before its last writes are done, so a killed service can leave a file
            # empty or cut short (a build under load once published an empty entry file).
            return await _settled_bundle(bundle)


async def _settled_bundle(folder: Path) -> dict[str, bytes]:
    """Return Pagefind's files once they are whole: two reads agree and each file is complete.

    A compressed data file is complete when it decompresses (gzip checks its length and CRC);
    the entry file when it parses. Give up after TIMEOUT seconds.
    """
    deadline = time.monotonic() + TIMEOUT
    last: dict[str, bytes] = {}
    while True:
        files = _read_folder(folder)
        if files == last and _complete(files):
            return files
        if time.monotonic() > deadline:
            raise RuntimeError("Pagefind's files were still incomplete after writing")
        last = files
        await asyncio.sleep(SETTLE_SECONDS)


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Return every file under a folder by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _complete(bundle: Mapping[str, bytes]) -> bool:
    """Return True when the entry file parses and every compressed data file decompresses."""
    try:
        json.loads(bundle["pagefind-entry.json"])
        for name, body in bundle.items():
            # An empty file decompresses to nothing without complaint: it is not whole either.
            if name.endswith(PAGEFIND_DATA_SUFFIXES) and not gzip.decompress(body):
                return False
    except (KeyError, ValueError, EOFError, OSError, zlib.error):
        return False
    return True


def sort_filters(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """Return Pagefind's bundle with each filter's values in order, so builds are byte-identical.

    Pagefind 1.5 writes a filter's values in Rust hash-map order, which changes from run to run.
    A filter file is gzip(b"pagefind_dcd" + CBOR [name, [[value, [page, …]], …]]) named by its
    hash; the language's meta file lists the filter files, and pagefind-entry.json the meta file.
    Sorting the values renames the filter file, so both lists are rewritten with the new names.
    """
    renamed: dict[str, str] = {}
    for name in [n for n in bundle if n.startswith("filter/")]:
        name_, values = _decode(bundle.pop(name))
        body = cbor2.dumps([name_, sorted(values, key=lambda value: str(value[0]))])
        old, new = Path(name).stem, f"{Path(name).stem.split('_')[0]}_{_hash(body, 7)}"
        bundle[f"filter/{new}.pf_filter"] = _encode(body)
        renamed[old] = new
    for name in [n for n in bundle if n.endswith(".pf_meta")]:
        meta = _decode(bundle.pop(name))
        meta[3] = sorted([filter_, renamed.get(file, file)] for filter_, file in meta[3])
        body = cbor2.dumps(meta)
        old = name.removeprefix("pagefind.").removesuffix(".pf_meta")
        new = f"{old.split('_')[0]}_{_hash(body, 10)}"
        bundle[f"pagefind.{new}.pf_meta"] = _encode(body)
        entry = bundle["pagefind-entry.json"].decode("utf-8")
        bundle["pagefind-entry.json"] = entry.replace(f'"{old}"', f'"{new}"').encode("utf-8")
    return _sort_languages(bundle)


def _sort_languages(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """Return the bundle with pagefind-entry.json's languages in order.

    A site in two languages has an index for each, and Pagefind lists them in hash-map order.
    """
    entry = json.loads(bundle["pagefind-entry.json"])
    entry["languages"] = dict(sorted(entry["languages"].items()))
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return bundle | {"pagefind-entry.json": text.encode("utf-8")}


def _decode(data: bytes) -> Any:
    """Return the CBOR value of a Pagefind data file."""
    raw = gzip.decompress(data)
    if not raw.startswith(PAGEFIND_DATA):
        raise ValueError("unexpected Pagefind data file (a new Pagefind version?)")
    return cbor2.loads(raw[len(PAGEFIND_DATA) :])


def _encode(body: bytes) -> bytes:
    """Return a Pagefind data file for a CBOR body, compressed the same way on every run."""
    return gzip.compress(PAGEFIND_DATA + body, mtime=0)


def _hash(body: bytes, length: int) -> str:
    """Return Pagefind's name for a file: its SHA-1, each byte in hex without padding, cut."""
    return "".join(f"{byte:x}" for byte in hashlib.sha1(body).digest())[:length]
