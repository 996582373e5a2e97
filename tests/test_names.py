"""Names split for citation styles (publish/names.py), called with strings: a name in, its parts out.

The common names, and the edges of the split, are in test_citations.py beside the styles that
use them; here are the rules the split keeps whatever the name.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from roundtable.publish.names import CONJUNCTIONS, PARTICLES, SUFFIXES, initials, split_name

NAMES = ["Ana", "Peña", "Ibáñez", "O'Neil", "Jean-Paul"]
WORDS = st.sampled_from([*sorted(PARTICLES | CONJUNCTIONS | SUFFIXES), *NAMES])
"""Words of names: those the split treats apart, and plain names."""


@settings(max_examples=300, deadline=None, derandomize=True)
@given(written=st.lists(st.tuples(WORDS, st.sampled_from(["", ","])), max_size=7))
def test_a_split_never_loses_adds_or_reorders_a_word(written: list[tuple[str, str]]) -> None:
    """Whatever the words, each is in the given names, the family name or the suffix, in order
    (a comma, as in 'King, Jr.', only separates)."""
    words = [word for word, _ in written]
    full = " ".join(word + comma for word, comma in written)
    name = split_name(full)
    assert name.full == full
    assert [*name.given.split(), *name.family.split(), *name.suffix.split()] == words
    assert bool(name.family) == bool(words), "a name with any word has a family name"
    assert not name.suffix or len(words) > 1, "a lone 'Jr.' is a name, not a suffix"


@pytest.mark.parametrize(
    "full", ["Instituto de la Paz", "World Politics Review", "Smith & Sons Jr.", "UN"]
)
def test_an_organisation_is_never_split(full: str) -> None:
    assert split_name(full, organization=True) == split_name(full, "Paz", organization=True)
    name = split_name(full, organization=True)
    assert (name.full, name.given, name.family, name.suffix) == (full, "", full, "")


SPLITS = {
    "Ludwig von der Heide": ("Ludwig", "von der Heide", ""),
    "Maria da Silva e Souza": ("Maria", "da Silva e Souza", ""),
    "Khalid bin Walid": ("Khalid", "bin Walid", ""),
    "Anne ten Boom": ("Anne", "ten Boom", ""),
    # A particle starts a family name only in lower case: this 'Van' is a given name.
    "Vincent Van Gogh": ("Vincent Van", "Gogh", ""),
    "Ann Smith IV": ("Ann", "Smith", "IV"),
    "Ann Smith, Sr.": ("Ann", "Smith", "Sr."),
    "Henry Ford III": ("Henry", "Ford", "III"),
    "Ann Smith IV Jr.": ("Ann Smith", "IV", "Jr."),  # one suffix: the last word
}
"""Names as written, and their given names, family name and suffix."""


def test_particles_and_conjunctions_join_the_family_name_and_a_suffix_stays_apart() -> None:
    split = {full: split_name(full) for full in SPLITS}
    assert {full: (n.given, n.family, n.suffix) for full, n in split.items()} == SPLITS


def test_the_editors_family_name_overrides_the_particles() -> None:
    name = split_name("Juan de la Cruz", "Cruz")
    assert (name.given, name.family) == ("Juan de la", "Cruz")
    assert split_name("Juan de la Cruz", "Juan de la Cruz").family == "de la Cruz"


def test_initials_of_given_names_already_abbreviated_stay_as_they_are() -> None:
    assert initials("J. R. R.") == "J. R. R."
    assert initials("Ana-María José") == "A.-M. J."
    assert initials(split_name("Ludwig von der Heide").given) == "L."
