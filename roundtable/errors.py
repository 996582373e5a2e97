"""Located content errors and the report that prints them; imports nothing of ours."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class ContentError:
    """One mistake in the user's files, printed as `path:line: message`."""

    path: str
    """The file as the user would name it (relative to where they ran the command)."""
    line: int
    """1-based line in that file; 0 when the mistake has no single line."""
    message: str
    """What is wrong, then in parentheses how to fix it."""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return printable(f"{where}: {self.message}")


_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
"""Control characters, line separators and bidirectional overrides."""


def printable(text: str) -> str:
    """Show invisible characters from a file as escapes, so a message stays one honest line.

    A key or value quoted in a message may hold a newline or an escape sequence: printed raw, it
    would split the line, recolour the terminal, or start a CI annotation of its own.
    """
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class BuildFailed(Exception):
    """Raised by a stage when the user's files have mistakes; carries all of them."""

    def __init__(self, errors: list[ContentError], warnings: Sequence[ContentError] = ()) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(set(errors))
        self.warnings = sorted(set(warnings))
        """What the site's check found worth a look, when the build got that far."""


class CannotMake(Exception):
    """Raised when a tool for something the user asked for (PDFs, the search index) cannot run
    here; the message is one line: what is missing, then in parentheses how to get it."""


def raise_if_any(errors: list[ContentError]) -> None:
    """Stop the build when any errors were collected."""
    if errors:
        raise BuildFailed(errors)


class CacheDamaged(Exception):
    """Something a build was told it could read again (a body's HTML, a file's bytes) is gone or
    changed: not the content's mistake, so the build starts again from the files themselves."""
