"""Located content errors and the report that prints them; imports nothing of ours."""

from __future__ import annotations

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
        return f"{where}: {self.message}"


class BuildFailed(Exception):
    """Raised by a stage when the user's files have mistakes; carries all of them."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = sorted(set(errors))


def raise_if_any(errors: list[ContentError]) -> None:
    """Stop the build when any errors were collected."""
    if errors:
        raise BuildFailed(errors)
