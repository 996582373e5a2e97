"""Templates kept compiled between builds, in the build cache."""

from __future__ import annotations

import contextlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.bccache import Bucket

if TYPE_CHECKING:
    from roundtable.options import BuildOptions


def compiled_templates(options: BuildOptions) -> CompiledTemplates | None:
    """Return what keeps templates compiled between builds: a folder of the build cache, if any.

    Pages render the same with or without it (Jinja checks each against its source).
    """
    if options.cache_dir is None:
        return None
    folder = options.cache_dir / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    return CompiledTemplates(folder)


@dataclass(frozen=True, eq=True)
class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in a folder between builds (skips compiling them again).

    Jinja reuses one only while its template's source is the same; a file damaged on disk fails
    our checksum and is compiled afresh; a file that cannot be written is simply not kept.
    """

    folder: Path

    def load_bytecode(self, bucket: Bucket) -> None:
        """Fill the bucket from its file, when there is one and it is intact."""
        try:
            data = self._path(bucket).read_bytes()
        except OSError:
            return
        checksum, blob = data[:4], data[4:]
        if zlib.crc32(blob).to_bytes(4, "little") != checksum:
            return
        try:
            bucket.bytecode_from_string(blob)
        except Exception:  # Damaged beyond the checksum's reach: compile the template again.
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the bucket's compiled template (whole or not at all)."""
        blob = bucket.bytecode_to_string()
        path = self._path(bucket)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(zlib.crc32(blob).to_bytes(4, "little") + blob)
            os.replace(temporary, path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _path(self, bucket: Bucket) -> Path:
        """Return the file of a bucket (its key hashes the template's name and file)."""
        return self.folder / f"{bucket.key}.jinja"
