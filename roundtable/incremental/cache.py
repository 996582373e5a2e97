"""What may be reused between builds, and why.

Every entry is keyed by a hash of everything that determines it (the generator's version, the
source bytes, the settings that change its meaning), so a stale entry is never found, only
missed. Entries carry a checksum; one that fails it, or a cache file that will not open, is
thrown away and rebuilt (an entry found damaged only once a build counted on it, HTML a page
shows, restarts the build without the cache). The cache lives in `.roundtable-cache/` beside the
output and is always safe to delete.

The kinds of entry:
- `checked`: the essay or roundtable a file makes, with its mistakes, by the file's bytes and
  everything checking reads besides it (skips YAML and validation), kept without its body, which
  is read again from the file if it must be converted again; also site.yml's settings and
  authors.yml's details, by their bytes;
- `bodies`: what a Markdown body renders to (the hash of its HTML, its first paragraph), by the
  body and its page, with the content links it looked up (reused only while every one of them
  still resolves the same way);
- `html`: the HTML itself, by its hash, written as soon as it is made and read back only for
  the pages a build renders, by the process that renders them;
- `meta`: the manifest of the last output (page → fingerprint), so unchanged pages are not
  rendered or written again.

Beside the database: resized images (by their source's hash) and compiled templates
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
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from roundtable import __version__
from roundtable.errors import CacheDamaged

Value = TypeVar("Value")
"""What a remembered computation makes."""

SCHEMA = 7
"""Bump when the shape of any cached value changes."""
TABLES = ("checked", "bodies", "html")
SCAN_FROM = 1000
"""Wanting this many entries of a table, a build reads the table whole."""
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
    cache.prefetch(table, [entry_key])
    value: Value | None = cache.get(table, entry_key)
    if value is None:
        value = stage(*args)
        cache.put(table, entry_key, value)
    return value


class BuildCache:
    """Entries read at the start of a build and written at its end; memory-only without a folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.entries: dict[str, dict[str, Any]] = {table: {} for table in TABLES}
        self.used: dict[str, set[str]] = {table: set() for table in TABLES}
        self.new: dict[str, dict[str, Any]] = {table: {} for table in TABLES}
        self.meta: dict[str, Any] = {}
        self.db: sqlite3.Connection | None = None
        self.pid = os.getpid()
        """The process that opened the database: a forked worker must not use it."""
        self._worker: tuple[int, sqlite3.Connection] | None = None
        """A forked worker's own connection, with the process it was opened in (never this
        one's: a worker's connection ends with the worker)."""
        if folder is not None:
            self.db = _open(folder / "cache.sqlite")
            shutil.rmtree(folder / "blobs", ignore_errors=True)  # snapshots of older versions
            self.meta = self._load_meta()
        self._stored = dict(self.meta)
        """The meta values as stored: only those replaced since are written again."""

    def prefetch(self, table: str, keys: Iterable[str]) -> None:
        """Load the entries for these keys in one query (the rest stay on disk)."""
        wanted = [k for k in keys if k not in self.entries[table]]
        if self.db is None or not wanted:
            return
        try:
            self.entries[table].update(self._select(table, wanted))
        except sqlite3.DatabaseError:
            self._reset()

    def get(self, table: str, entry_key: str) -> Any | None:
        """Return a cached value, or None; marks the entry as still in use."""
        value = self.entries[table].get(entry_key)
        if value is not None:
            self.used[table].add(entry_key)
        return value

    def fetch(self, table: str, entry_key: str) -> Any:
        """Return an entry this build counted on being there, from memory or else from the
        database without keeping it, in this process or in a worker forked from it; raise
        CacheDamaged if it is not there."""
        value = self.entries[table].get(entry_key)
        if value is None:
            value = self._read(table, entry_key)
        if value is None:
            raise CacheDamaged(f"{table} entry {entry_key} is missing or damaged")
        return value

    def _read(self, table: str, entry_key: str) -> Any | None:
        """Return one stored, intact entry, or None.

        The build reads through its own connection. A forked worker must not use the connection
        it inherited, and keeps one of its own until it ends; a read after the build closed the
        cache opens one for that read alone.
        """
        if self.folder is None:
            return None
        query = f"SELECT crc, value FROM {table} WHERE key = ?"
        pid = os.getpid()
        try:
            if pid == self.pid and self.db is not None:
                row = self.db.execute(query, (entry_key,)).fetchone()
            elif pid == self.pid:
                with contextlib.closing(self._read_only()) as db:
                    row = db.execute(query, (entry_key,)).fetchone()
            else:
                if self._worker is None or self._worker[0] != pid:
                    self._worker = (pid, self._read_only())
                row = self._worker[1].execute(query, (entry_key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        return _unpack(*row) if row is not None else None

    def _read_only(self) -> sqlite3.Connection:
        """Open the cache's database for reading only."""
        assert self.folder is not None
        path = (self.folder / "cache.sqlite").resolve().as_uri() + "?mode=ro"
        return sqlite3.connect(path, uri=True)

    def discard(self) -> None:
        """Forget every entry, in memory and on disk: a build found the cache damaged."""
        for table in TABLES:
            self.entries[table], self.used[table], self.new[table] = {}, set(), {}
        self.meta = {}
        if self.db is not None:
            self._reset()

    def keep(self, table: str, keys: Iterable[str]) -> None:
        """Keep entries that this build did not need to read but a later one may."""
        self.used[table].update(keys)

    def put(self, table: str, entry_key: str, value: Any) -> None:
        """Remember a value made in this build."""
        self.entries[table][entry_key] = value
        self.new[table][entry_key] = value
        self.used[table].add(entry_key)

    def set_aside(self, table: str) -> bool:
        """Write a table's new entries now and let go of its values in memory (`fetch` reads
        one back); return False when they stay in memory (no database, or it cannot be written).

        A cold build would otherwise hold every body's HTML (140 MB at 10,000 essays) until its
        end, though each page reads only its own.
        """
        if self.db is None:
            return False
        try:
            with self.db:
                self._store(table, drop_unused=False)
        except sqlite3.DatabaseError:
            return False  # the save at the end of the build finds the damage, and starts over
        self.entries[table], self.new[table] = {}, {}
        return True

    def save(self, *, tables: bool = True) -> bool:
        """Write new entries and the manifest; drop entries this build did not use.

        `tables=False` writes only the meta values: a build that stopped early (nothing had
        changed) used no entry, and must not drop them all. Return False when nothing could be
        saved (the database was damaged, and is now empty).
        """
        if self.db is None:
            return False
        try:
            with self.db:
                for table in TABLES if tables else ():
                    self._store(table, drop_unused=True)
                changed = {k: v for k, v in self.meta.items() if self._stored.get(k) is not v}
                rows = [(name, *_pack(value)) for name, value in changed.items()]
                self.db.executemany("REPLACE INTO meta VALUES (?, ?, ?)", rows)
                self._stored = dict(self.meta)
        except sqlite3.DatabaseError:
            self._reset()
            return False
        if tables:
            self._forget_unused()
        return True

    def close(self) -> None:
        """Close the database."""
        if self.db is not None:
            self.db.close()
            self.db = None

    def _forget_unused(self) -> None:
        """Keep in memory only what this build used (serve keeps one cache across rebuilds)."""
        for table in TABLES:
            used = self.used[table]
            self.entries[table] = {k: v for k, v in self.entries[table].items() if k in used}
            self.used[table] = set()
            self.new[table] = {}

    def _store(self, table: str, drop_unused: bool) -> None:
        """Insert this build's new entries and delete the unused ones (if asked to)."""
        assert self.db is not None
        # Packed one at a time as SQLite takes them: a cold build's HTML alone pickles to
        # hundreds of megabytes, which need not all be held at once.
        rows = ((k, *_pack(v)) for k, v in self.new[table].items())
        self.db.executemany(f"REPLACE INTO {table} VALUES (?, ?, ?)", rows)
        if not drop_unused:
            return
        used = self.used[table]
        unused = [row for row in self.db.execute(f"SELECT key FROM {table}") if row[0] not in used]
        self.db.executemany(f"DELETE FROM {table} WHERE key = ?", unused)

    def _select(self, table: str, keys: list[str]) -> dict[str, Any]:
        """Return the stored, intact entries among `keys`."""
        assert self.db is not None
        if len(keys) >= SCAN_FROM:
            # A build wants most of what a table holds (unused entries are dropped after each
            # build): reading it whole is faster than looking thousands of keys up.
            wanted = set(keys)
            rows: Iterable[tuple[str, int, bytes]] = (
                row
                for row in self.db.execute(f"SELECT key, crc, value FROM {table}")
                if row[0] in wanted
            )
        else:
            self.db.execute("DELETE FROM wanted")
            self.db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((k,) for k in keys))
            # CROSS JOIN walks `wanted` and looks each key up, never reading the whole table.
            rows = self.db.execute(
                f"SELECT t.key, t.crc, t.value FROM wanted CROSS JOIN {table} t USING (key)"
            )
        found = {}
        for entry_key, crc, blob in rows:
            value = _unpack(crc, blob)
            if value is not None:
                found[entry_key] = value
        return found

    def _load_meta(self) -> dict[str, Any]:
        """Return the stored manifest values."""
        assert self.db is not None
        try:
            rows = self.db.execute("SELECT key, crc, value FROM meta").fetchall()
        except sqlite3.DatabaseError:
            self._reset()
            return {}
        return {
            name: value for name, crc, blob in rows if (value := _unpack(crc, blob)) is not None
        }

    def _reset(self) -> None:
        """Throw away a damaged cache file and start an empty one."""
        assert self.folder is not None
        self.close()
        self._stored = {}
        path = self.folder / "cache.sqlite"
        for leftover in (path, path.with_name(path.name + "-journal")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        self.db = _open(path)


def _open(path: Path) -> sqlite3.Connection:
    """Open (or create) the cache database; a file that is not one is replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):
        try:
            # One build at a time uses it, but serve rebuilds on another thread than it started.
            db = sqlite3.connect(path, check_same_thread=False)
            db.execute("PRAGMA journal_mode=DELETE")
            # A lost cache costs one slow build, never a wrong one: no need to sync to disk.
            db.execute("PRAGMA synchronous=OFF")
            for table in (*TABLES, "meta"):
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(key TEXT PRIMARY KEY, crc INTEGER, value BLOB)"
                )
            db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
            return db
        except sqlite3.DatabaseError:
            with contextlib.suppress(NameError):
                db.close()
            path.unlink(missing_ok=True)
    raise sqlite3.DatabaseError(f"cannot create a cache at {path}")


def _pack(value: Any) -> tuple[int, bytes]:
    """Return (checksum, bytes) of a value."""
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return zlib.crc32(blob), blob


def _unpack(crc: int, blob: bytes) -> Any | None:
    """Return a stored value, or None when its bytes are damaged."""
    if zlib.crc32(blob) != crc:
        return None
    try:
        return pickle.loads(blob)
    except Exception:  # Damaged beyond the checksum's reach: treat as a miss, never trust it.
        return None
