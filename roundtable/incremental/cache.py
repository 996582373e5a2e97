"""What may be reused between builds, and why.

Every entry is keyed by a hash of everything that determines it (the generator's version, the
source bytes, the settings that change its meaning), so a stale entry is never found, only
missed. Entries are kept by diskcache in `.roundtable-cache/entries/`, each with a checksum: one
that fails it, or cannot be read, is a miss; a store that will not open, or cannot be written,
is thrown away and started again (an entry found damaged only once a build counted on it, HTML
a page shows, restarts the build without the cache); a store no build can make (a full disk)
leaves the build its entries in memory. A cache costs speed, never a build. The cache folder is
always safe to delete.

The tables of entries:
- `checked`: the essay or roundtable a file makes, with its mistakes, by the file's bytes and
  everything checking reads besides it (skips YAML and validation), kept without its body, which
  is read again from the file if it must be converted again; also site.yml's settings and
  authors.yml's details, by their bytes;
- `bodies`: what a Markdown body renders to (the hash of its HTML, its first paragraph), by the
  body and its page, with the content links it looked up (reused only while every one of them
  still resolves the same way);
- `html`: the HTML itself, by its hash, written as soon as it is made and read back only for
  the pages a build renders, by the process that renders them;
- `meta`: what the last build of each output folder knew (the files' hashes, its inputs, its
  manifest: page → fingerprint), so unchanged pages are not rendered or written again.

Beside the entries: resized images (by their source's hash) and compiled templates
(`CompiledTemplates`, checked against their source by Jinja and against a checksum by us).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, MutableMapping
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from roundtable import __version__
from roundtable.errors import CacheDamaged

Value = TypeVar("Value")
"""What a remembered computation makes."""

SCHEMA = 8
"""Bump when the shape of any cached value changes."""
RACY_NS = 2_000_000_000
"""A file changed this close to a build may change again with the same stat: never trusted."""


def file_signature(path: str | os.PathLike[str]) -> tuple[int, ...] | None:
    """Return what a file's stat says of its bytes; None if it changed too recently to trust.

    As git's index does: a second write within the same clock tick would leave the stat as it
    was, so a file changed less than RACY_NS ago is known by its bytes only.
    """
    stat = os.stat(path)
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) <= RACY_NS:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


def source_digest(data: bytes) -> str:
    """Return the hash a source file's bytes are known by."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@cache
def code_version() -> bytes:
    """Return a hash of the generator's own code: any change to it invalidates every entry.

    The version number alone would not do: between releases (or in a checkout) the code changes
    while the number stays.
    """
    digest = hashlib.blake2b(f"{__version__}/{SCHEMA}".encode(), digest_size=20)
    package = Path(__file__).resolve().parent.parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.digest()


def key(*parts: str | bytes) -> str:
    """Return a cache key: a hash of the generator's code and every part given."""
    digest = _versioned_hash().copy()  # a build makes some 60,000 keys: start each hashed
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


@cache
def _versioned_hash() -> hashlib.blake2b:
    """Return a hash that has read the generator's code version, for keys to copy."""
    return hashlib.blake2b(code_version(), digest_size=20)


def memoised(cache: BuildCache, table: str, stage: Callable[..., Value], *args: object) -> Value:
    """Return what a stage gave for these very arguments in an earlier build, or call it now.

    The key is the stage's name and every argument: a stage's result is a function of what it
    is given, and nothing else (Make's and Bazel's rule).
    """
    parts = [a if isinstance(a, bytes) else repr(a) for a in args]
    entry_key = key(stage.__module__, stage.__qualname__, *parts)
    value: Value | None = cache.get(table, entry_key)
    if value is None:
        value = stage(*args)
        cache.put(table, entry_key, value)
    return value


class BuildCache:
    """The entries of earlier builds, in a diskcache store in a folder (in memory without one).

    An entry is named by its table and key. New entries wait in memory until `write_new` or
    `save` writes them, in one transaction; `save` then drops the entries this build did not
    use, except the `meta` ones, which builds to another output folder need. Entries read stay
    in memory while builds use them (`serve` keeps one cache from save to save).
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.store: MutableMapping[str, bytes] = {} if folder is None else _open(folder)
        if folder is not None:  # the single SQLite file of earlier versions, HTML and all
            for old in ("cache.sqlite", "cache.sqlite-journal"):
                (folder / old).unlink(missing_ok=True)
        self.new: dict[str, Any] = {}
        """This build's entries, not yet written."""
        self.loaded: dict[str, Any] = {}
        """The entries read from the store, while builds use them."""
        self.used: set[str] = set()
        """The entries this build used or made: the others are dropped when it ends."""

    def get(self, table: str, entry_key: str) -> Any | None:
        """Return a cached value, or None; marks the entry as still in use."""
        name = f"{table}:{entry_key}"
        value = self.new.get(name, self.loaded.get(name))
        if value is None and (value := self._read(name)) is not None:
            self.loaded[name] = value
        if value is not None:
            self.used.add(name)
        return value

    def fetch(self, table: str, entry_key: str) -> Any:
        """Return an entry this build counted on being there, without keeping it, in this
        process or a worker forked from it; raise CacheDamaged if it is not there (intact)."""
        name = f"{table}:{entry_key}"
        value = self.new.get(name, self.loaded.get(name))
        if value is None and (value := self._read(name)) is None:
            raise CacheDamaged(f"{table} entry {entry_key} is missing or damaged")
        return value

    def put(self, table: str, entry_key: str, value: Any) -> None:
        """Remember a value made in this build."""
        name = f"{table}:{entry_key}"
        self.new[name] = value
        self.loaded.pop(name, None)
        self.used.add(name)

    def keep(self, table: str, keys: Iterable[str]) -> None:
        """Keep entries that this build did not need to read but a later one may."""
        self.used.update(f"{table}:{entry_key}" for entry_key in keys)

    def write_new(self) -> bool:
        """Write this build's new entries now and let go of them in memory (`fetch` reads one
        back); return False when they stay in memory (the store cannot be written).

        A cold build would otherwise hold every body's HTML (140 MB at 10,000 essays) until its
        end, though each page reads only its own.
        """
        try:
            with self._transaction():
                self._write_new()
        except Exception:  # any failure: the save at the end of the build deals with it
            return False
        return True

    def save(self, *, prune: bool = True) -> bool:
        """Write the new entries and, if `prune`, drop those this build did not use.

        A build that stopped early (nothing had changed) used no entry, and must not drop them
        all. Return False when nothing could be saved: the store was locked by another build
        (and is left to it), or damaged or on a full disk (and is now empty).
        """
        try:
            with self._transaction():
                self._write_new()
                if prune:
                    unused = [n for n in self.store if n not in self.used and n[:5] != "meta:"]
                    for name in unused:
                        del self.store[name]
        except diskcache.Timeout:
            return False
        except Exception:  # damaged where no checksum looks (a row's mode), or no room left
            self._reset()
            return False
        if prune:
            self.loaded = {name: v for name, v in self.loaded.items() if name in self.used}
            self.used = set()
        return True

    def discard(self) -> None:
        """Forget every entry: a build found the cache damaged."""
        self.new, self.loaded, self.used = {}, {}, set()
        self._reset()

    def close(self) -> None:
        """Close the store's database (a later read opens it again)."""
        if isinstance(self.store, diskcache.Cache):
            self.store.close()

    def _read(self, name: str) -> Any | None:
        """Return one stored, intact entry, or None."""
        try:
            blob = self.store.get(name)
        except Exception:  # a damaged row (its mode, its file's name): a miss
            return None
        return _unpack(blob) if blob is not None else None

    def _write_new(self) -> None:
        """Write the new entries, packed one at a time (a cold build's HTML pickles to hundreds
        of megabytes, which need not all be held at once)."""
        for name, value in self.new.items():
            self.store[name] = _pack(value)
        self.new = {}

    def _transaction(self) -> contextlib.AbstractContextManager[object]:
        """Return a transaction of the store (a dict needs none)."""
        if isinstance(self.store, diskcache.Cache):
            return self.store.transact()  # type: ignore[no-any-return]
        return contextlib.nullcontext()

    def _reset(self) -> None:
        """Throw away the stored entries (a damaged store: its files) and start empty ones."""
        self.close()
        if self.folder is None:
            self.store = {}
            return
        shutil.rmtree(self.folder / STORE, ignore_errors=True)
        self.store = _open(self.folder)


STORE = "entries"
"""The folder of the cache that diskcache keeps its entries in."""


def _open(folder: Path) -> MutableMapping[str, bytes]:
    """Open (or create) the store in a cache folder; one damaged beyond opening is replaced,
    and where none can be made (a full disk, a folder that cannot be written) the build keeps
    its entries in memory."""
    for attempt in range(2):
        try:
            # A lost cache costs one slow build, never a wrong one: no need to sync to disk.
            # Entries no build uses are dropped by `save`, never by diskcache's own eviction.
            # No memory map, a small page cache: every worker reading HTML back would otherwise
            # hold its own copy of the pages it read (a third more memory at 1,000 essays).
            store: MutableMapping[str, bytes] = diskcache.Cache(
                folder / STORE,
                eviction_policy="none",
                sqlite_synchronous=0,
                sqlite_mmap_size=0,
                sqlite_cache_size=512,
                size_limit=2**62,
            )
            return store
        except diskcache.Timeout:
            break  # another build holds it: never thrown away
        except (sqlite3.DatabaseError, OSError) as exc:
            if "locked" in str(exc):
                break  # as above
            if attempt == 0:
                shutil.rmtree(folder / STORE, ignore_errors=True)
    return {}


def _pack(value: Any) -> bytes:
    """Return a value's bytes, after a checksum of them."""
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return zlib.crc32(blob).to_bytes(4, "little") + blob


def _unpack(packed: bytes) -> Any | None:
    """Return a stored value, or None when its bytes are damaged."""
    if not isinstance(packed, bytes) or zlib.crc32(packed[4:]).to_bytes(4, "little") != packed[:4]:
        return None
    try:
        return pickle.loads(packed[4:])
    except Exception:  # Damaged beyond the checksum's reach: treat as a miss, never trust it.
        return None
