"""The placeholders of `new` (content/placeholders.py), called with values: an item in, warnings out.

Which lines of a body are placeholder text is found while the body is converted
(render/convert.py); the check turns them into located warnings. The whole way, from
`new` to `check`, is tested in test_new.py.
"""

from __future__ import annotations

from dataclasses import replace

from helpers.values import alpha, essay, site

from roundtable.content.placeholders import (
    AUTHOR,
    ESSAY_BODY,
    ROUNDTABLE_BODY,
    placeholder_lines,
    placeholders_left,
)
from roundtable.model import Essay, Person, Roundtable
from roundtable.render.convert import convert
from roundtable.slugs import make_slug


def warnings(item: Essay | Roundtable) -> list[str]:
    """Return the warnings of an item, as the check prints them."""
    return [str(error) for error in placeholders_left(item)]


def by(item: Essay, *names: str) -> Essay:
    """Return an essay with these authors."""
    return replace(item, authors=tuple(Person(name, make_slug(name)) for name in names))


def test_every_line_new_writes_is_found_and_no_blank_one() -> None:
    body = "\n".join(ESSAY_BODY)
    assert placeholder_lines(body) == (
        (0, ESSAY_BODY[0]),
        (2, ESSAY_BODY[2]),
        (4, ESSAY_BODY[4]),
    )
    assert placeholder_lines("\n".join(ROUNDTABLE_BODY)) == ((0, ROUNDTABLE_BODY[0]),)
    assert placeholder_lines("") == ()


def test_only_a_whole_line_left_as_new_wrote_it_is_a_placeholder() -> None:
    heading = ESSAY_BODY[2]
    body = "\n".join(
        [
            "My own opening.",
            f"  {heading}  ",  # moved or indented, it is still the placeholder
            f"{heading}: trade and water",  # written on, it is the author's
            f"> {heading}",  # quoted, it is the author's
            heading.upper(),
            ROUNDTABLE_BODY[0],  # the roundtable's placeholder, pasted into an essay
        ]
    )
    assert placeholder_lines(body) == ((1, heading), (5, ROUNDTABLE_BODY[0]))


def test_the_author_new_writes_is_a_warning_at_the_author_line() -> None:
    item = replace(by(essay("fresh"), "Ana Pérez", AUTHOR), lines={"title": 2, "author": 3})
    assert warnings(item) == [
        "content/essays/fresh.md:3: author: 'Author Name' is the placeholder 'new' writes "
        "(write the author's name)"
    ]
    assert warnings(replace(item, lines={})) == [
        "content/essays/fresh.md: author: 'Author Name' is the placeholder 'new' writes "
        "(write the author's name)"
    ]
    assert warnings(by(item, "Author Namesake", "Ana Pérez")) == []


def test_a_placeholder_line_is_warned_of_at_its_line_in_the_file() -> None:
    made = convert(site(essay("fresh", "\n".join(ESSAY_BODY))))
    (fresh,) = made.essays
    assert fresh.body_line == 5
    assert warnings(fresh) == [
        f"content/essays/fresh.md:{5 + index}: '{ESSAY_BODY[index]}' is placeholder text from "
        "'new' (replace it with your own)"
        for index in (0, 2, 4)
    ]


def test_a_roundtable_left_as_new_wrote_it_is_warned_of() -> None:
    introduction = "\n".join(ROUNDTABLE_BODY)
    made = convert(site(roundtable=alpha(introduction)))
    (roundtable,) = made.roundtables
    assert warnings(roundtable) == [
        f"content/roundtables/alpha.md:1: '{ROUNDTABLE_BODY[0]}' is placeholder text from 'new' "
        "(replace it with your own)"
    ]


def test_an_essay_written_in_full_has_no_warning() -> None:
    written = "An opening of my own.\n\n## Water\n\nA closing of my own."
    made = convert(site(by(essay("done", written), "Ana Pérez")))
    assert warnings(made.roundtables[0]) == warnings(made.essays[0]) == []
