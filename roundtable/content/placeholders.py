"""The placeholder text `new` writes into a file, and the warning for each one still there."""

from __future__ import annotations

from collections.abc import Iterator

from roundtable.errors import ContentError
from roundtable.model import Essay, Roundtable

AUTHOR = "Author Name"
"""The author `new essay` writes when given no --author."""
ESSAY_BODY = (
    "Write the essay here: a blank line between paragraphs.",
    "",
    "## A section heading",
    "",
    "Use `##` for section headings, *italics* for emphasis, and [links](https://example.org).",
)
"""The body of a new essay, line by line."""
ROUNDTABLE_BODY = ("Introduce the roundtable here: the question it asks and why it matters now.",)
"""The body of a new roundtable, line by line."""
_LINES = frozenset(line for line in (*ESSAY_BODY, *ROUNDTABLE_BODY) if line)


def placeholders_left(item: Essay | Roundtable) -> Iterator[ContentError]:
    """Yield a warning for each placeholder of `new` still in an essay or roundtable.

    Left in, they are published as they are: an author page for "Author Name", an essay that
    tells the reader to write it (issue 20).
    """
    if isinstance(item, Essay) and any(person.name == AUTHOR for person in item.authors):
        yield ContentError(
            item.source,
            item.lines.get("author", 0),
            f"author: '{AUTHOR}' is the placeholder 'new' writes (write the author's name)",
        )
    for index, line in item.placeholder_lines:
        yield ContentError(
            item.source,
            item.body_line + index,
            f"'{line}' is placeholder text from 'new' (replace it with your own)",
        )


def placeholder_lines(body: str) -> tuple[tuple[int, str], ...]:
    """Return each line of a body that is placeholder text from `new`: 0-based, with its text
    (found while the body is converted, so that the check need not read the body again)."""
    lines = enumerate(line.strip() for line in body.split("\n"))
    return tuple((index, line) for index, line in lines if line in _LINES)
