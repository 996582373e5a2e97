"""The full-text search index: Pagefind reads the rendered pages and returns its bundle as files.

Pagefind indexes what templates mark with `data-pagefind-body` (essays and roundtables) and
filters by their `data-pagefind-filter` elements (roundtable, author, topic). Its files go into
the output with the pages, so the write stage publishes them atomically like everything else.
Where the index cannot be made (Pagefind missing, failing or too slow), the build fails on one
line and publishes nothing: a search page that cannot search is not a site the user asked for.

The index is split in shards, each a whole Pagefind bundle under `pagefind/<n>/`, that the
search page merges (Pagefind's `mergeIndex`, listed in `pagefind/shards.json`): a roundtable's
pages (with its essays and translations) all fall in one shard, so an edit changes one shard,
and Pagefind, whose time grows with the pages it is given (about 1.5 ms a page), reads a hundred
or so pages at a time. A reader's first search loads every shard's entry and word chunk, so
their number is bounded: past 64 shards, shards grow instead.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

from roundtable import urls
from roundtable.errors import CannotMake

PAGES_PER_SHARD = 128
"""Indexed pages a shard holds at most, on average, up to MOST_SHARDS: Pagefind takes about
0.2 s over 128, the most an edit waits for the index at 16,000 pages or fewer."""
MOST_SHARDS = 64
"""Shards at most: a reader's first search fetches about 6 files from each."""
SHARDS = "shards.json"
"""The file, in the index's folder, that lists the shards for the search page to merge."""
UI_FILES = ("pagefind-ui.js", "pagefind-ui.css")
"""Pagefind's search box, which the search page loads from the index's folder."""
UNUSED_FILES = (
    "pagefind-component-ui.css",
    "pagefind-component-ui.js",
    "pagefind-highlight.js",
    "pagefind-modular-ui.css",
    "pagefind-modular-ui.js",
)
"""Pagefind's other search boxes, not published. Every shard keeps the rest of its bundle:
the first one listed is loaded whole (its search code and WebAssembly), the others' indexes
only."""
PAGEFIND_DATA = b"pagefind_dcd"
"""What every Pagefind data file starts with, once decompressed."""
TIMEOUT = 300.0
"""Seconds before giving up on Pagefind (about 20 s at 10,000 pages)."""
MEMORY_FOLDER = "/dev/shm"
"""Linux's file system in memory, for Pagefind's working files."""
MEMORY_MARGIN = 8
"""How many times the pages' size must be free in memory for Pagefind to work there: their
copy, Pagefind's bundle (smaller) and another shard's run at the same time, with room left."""
FIX = "reinstall it: pip install 'pagefind[bin]'; or write search: false in site.yml"
"""How to get a search index made, or not need one."""


def is_indexed(path: str) -> bool:
    """Return True for the output files Pagefind reads: the HTML pages but the 404 page."""
    return path.endswith(".html") and path != urls.NOT_FOUND


@dataclass(frozen=True)
class Pagefind:
    """The Pagefind program a build indexes with."""

    executable: Path
    """Where the program is."""
    identity: str
    """Its path, size and time: another Pagefind may index otherwise, so the index is remade."""


def find_pagefind() -> Pagefind:
    """Return the Pagefind program; raise CannotMake, saying how to get it, where there is none."""
    # Imported here: the pagefind package loads its asyncio client, which a site without
    # search need not pay for.
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise CannotMake(f"search index: the pagefind program is not installed ({FIX})")
    try:
        found = executable.stat()
    except OSError as exc:
        raise CannotMake(f"search index: {executable}: {exc.strerror} ({FIX})") from None
    return Pagefind(executable, f"{executable}:{found.st_size}:{found.st_mtime_ns}")


def shard_count(pages: int) -> int:
    """Return how many shards an index of so many pages is split in: a power of two, so a
    site that grows a little keeps its shards, and at most MOST_SHARDS."""
    count = 1
    while count * PAGES_PER_SHARD < pages and count < MOST_SHARDS:
        count *= 2
    return count


FAMILY = "roundtable:"
"""How render/pages.page_groups names a roundtable's group: its pages, essays and
translations, which are all the pages Pagefind indexes."""


def site_shards(groups: Mapping[str, Iterable[str]]) -> dict[int, tuple[str, ...]]:
    """Return the indexed pages of each shard by its number, given every group of pages by
    name with its output files.

    A roundtable's pages always fall in one shard, and each shard holds as many roundtables as
    the others (the last one fewer), taken in the order of their names: the same shards on
    every build, whatever is edited, until the page count crosses a power of two. A roundtable
    added last in that order changes the last shard; one added elsewhere, the shards after it.
    """
    families = [
        indexed
        for name, files in sorted(groups.items())
        if name.startswith(FAMILY) and (indexed := [path for path in files if is_indexed(path)])
    ]
    count = shard_count(sum(map(len, families)))
    each = -(-len(families) // count)  # roundtables a shard holds: count or fewer shards
    return {
        number: tuple(sorted(page for family in families[start : start + each] for page in family))
        for number, start in enumerate(range(0, len(families), each))
    }


def index_shards(
    shards: Mapping[int, tuple[str, ...]], page: Callable[[str], bytes], pagefind: Pagefind
) -> dict[int, dict[str, bytes]]:
    """Run Pagefind over each shard's pages, as many at once as there are cores."""

    def index(number: int) -> dict[str, bytes]:
        return shard_index({path: page(path) for path in shards[number]}, number, pagefind)

    if len(shards) < 2:
        return {number: index(number) for number in shards}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(shards, pool.map(index, shards), strict=True))


def shard_folder(shard: int) -> str:
    """Return the folder of a shard's bundle, inside the index's."""
    return f"{shard}/"


def shard_list(shards: Iterable[int]) -> dict[str, bytes]:
    """Return the file that lists the shards the search page merges, the first one loaded."""
    folders = [shard_folder(shard) for shard in sorted(shards)]
    return {urls.search_index(SHARDS): json.dumps({"shards": folders}).encode("utf-8")}


def ui_files(bundle: Mapping[str, bytes]) -> dict[str, bytes]:
    """Return the search box's files, from any shard's bundle (all shards' are the same)."""
    return {urls.search_index(name): bundle[urls.search_index(name)] for name in UI_FILES}


def shard_index(files: Mapping[str, bytes], shard: int, pagefind: Pagefind) -> dict[str, bytes]:
    """Return one shard's bundle by output path, the search box's files included.

    Raises CannotMake when Pagefind fails, does not finish, or writes what cannot be read.
    """
    folder = shard_folder(shard)
    shard_files = {}
    for path, body in search_index(files, pagefind).items():
        name = path.removeprefix(urls.SEARCH_INDEX)
        if name in UI_FILES:
            shard_files[path] = body
        elif name not in UNUSED_FILES:
            shard_files[urls.search_index(folder + name)] = body
    return shard_files


def search_index(files: Mapping[str, bytes], pagefind: Pagefind) -> dict[str, bytes]:
    """Return Pagefind's index of the rendered HTML pages by output path.

    Raises CannotMake when Pagefind fails, does not finish, or writes what cannot be read.
    """
    # One run of Pagefind's command line over a copy of the pages: it ends once its files are
    # all written, and a Pagefind that dies is noticed when it dies. (Its service, used before,
    # answered before its last writes ended, and one that died left the build waiting.)
    scratch = scratch_folder(sum(len(body) for body in files.values()))
    try:
        with tempfile.TemporaryDirectory(prefix="roundtable-search-", dir=scratch) as folder:
            pages, bundle = Path(folder, "pages"), Path(folder, "bundle")
            _copy_pages(files, pages)
            _run_pagefind(pagefind.executable, pages, bundle)
            written = _read_folder(bundle)
    except OSError as exc:
        where = scratch or tempfile.gettempdir()
        raise CannotMake(
            f"search index: cannot write Pagefind's working files in {where} ({exc.strerror}) "
            "(free some space there, or set TMPDIR to a folder with room)"
        ) from None
    try:
        index = sort_filters(written)
    except (KeyError, IndexError, TypeError, ValueError, OSError, EOFError, zlib.error) as exc:
        raise CannotMake(  # OSError: gzip.BadGzipFile
            f"search index: Pagefind wrote an index Roundtable cannot read ({exc!r}) "
            "(install the Pagefind version Roundtable names: pip install -e .)"
        ) from None
    return {urls.search_index(name): body for name, body in sorted(index.items())}


def scratch_folder(size: int) -> str | None:
    """Return where Pagefind's input and output are written for the moment of a run, given the
    size of the pages: memory (/dev/shm) where the system has it with room to spare and TMPDIR
    names no other place, else the system's temporary folder. Written to a disk, a shard's
    hundred files can cost as much as indexing them."""
    if os.environ.get("TMPDIR") or not os.access(MEMORY_FOLDER, os.W_OK | os.X_OK):
        return None
    free = os.statvfs(MEMORY_FOLDER)
    room = free.f_bavail * free.f_frsize
    return MEMORY_FOLDER if room > MEMORY_MARGIN * size else None


def _copy_pages(files: Mapping[str, bytes], folder: Path) -> None:
    """Write the pages Pagefind indexes into a scratch folder (not the output)."""
    for rel, body in files.items():
        if is_indexed(rel):
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)


def _run_pagefind(executable: Path, pages: Path, bundle: Path) -> None:
    """Index a folder of pages into a bundle folder; raise CannotMake, saying why, if it fails."""
    command = [str(executable), "--site", str(pages), "--output-path", str(bundle), "--silent"]
    try:
        # Run in the scratch folder, where no pagefind.yml of the user's is read.
        ran = subprocess.run(
            command,
            cwd=pages.parent,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotMake(
            f"search index: Pagefind did not finish in {TIMEOUT:.0f} s ({FIX})"
        ) from None
    except OSError as exc:
        raise CannotMake(
            f"search index: {executable} cannot run ({exc.strerror}) ({FIX})"
        ) from None
    if ran.returncode != 0:
        said = _first_line(ran.stderr) or _first_line(ran.stdout) or "no message"
        raise CannotMake(
            f"search index: Pagefind failed with exit status {ran.returncode}: {said} ({FIX})"
        )


def _first_line(output: bytes) -> str:
    """Return the first line of a program's output that says something."""
    lines = output.decode("utf-8", "replace").splitlines()
    return next((line.strip() for line in lines if line.strip()), "")


def _read_folder(folder: Path) -> dict[str, bytes]:
    """Return every file under a folder by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


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
