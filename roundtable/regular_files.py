"""Read a file that must be a regular file: never through a link, never waiting on a FIFO."""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG
from typing import NamedTuple

NO_LINK_NO_WAIT = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
"""Open flags: a link in the file's place fails, and a FIFO there opens without waiting."""


class Regular(NamedTuple):
    """A regular file's bytes, and its stat as it was read."""

    data: bytes
    """Everything the file held."""
    stat: os.stat_result
    """The stat of the very file read (of the open handle, not of the path)."""


def read_regular(path: str | Path) -> Regular | None:
    """Return a regular file's bytes and stat; None for a link, a folder, a FIFO, a device, or
    a file that cannot be read."""
    try:
        handle = os.open(path, NO_LINK_NO_WAIT)
    except OSError:
        return None
    stat = os.fstat(handle)
    if not S_ISREG(stat.st_mode):
        os.close(handle)  # before open(), which refuses a folder's handle with an error
        return None
    with open(handle, "rb") as file:
        try:
            return Regular(file.read(), stat)
        except OSError:
            return None
