"""Personal names split the way citation styles need them: given, family, suffix.

The front matter holds each name as the person writes it ("Mariana Peña Ibáñez"), so the family
name is inferred: the last word, with the particles and conjunctions that belong to it ("de la
Cruz", "van der Berg", "Ortega y Gasset") and without a generational suffix ("Jr.").
A second surname without a particle cannot be told from a middle name: "Mariana Peña Ibáñez"
gives family "Ibáñez", as it would in Zotero, unless the editors give the family name.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICLES = frozenset(
    {"da", "das", "de", "del", "della", "der", "di", "do", "dos", "du", "la", "las", "le", "los"}
    | {"van", "von", "ten", "ter", "den", "bin", "ibn", "al", "el"}
)
"""Lower-case words that start a family name."""
CONJUNCTIONS = frozenset({"y", "e", "i"})
"""Spanish, Portuguese and Catalan: 'Ortega y Gasset' is one family name."""
SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
"""Generational suffixes, kept apart from the family name."""


@dataclass(frozen=True)
class Name:
    """A person's name, split for citation styles."""

    full: str
    """As the person writes it."""
    given: str
    """Given names; empty for a one-word name."""
    family: str
    """Family name, with its particles."""
    suffix: str = ""
    """Jr., III, …"""


def split_name(full: str, family: str = "", organization: bool = False) -> Name:
    """Split a name as written into given names, family name and suffix.

    `family`, when the editors give it (authors.yml), is taken as it is: 'Peña Ibáñez'. An
    organisation's name is never split: it is all 'family', as reference managers file it.
    """
    if organization:
        return Name(full, "", full)
    if family and full.endswith(family) and family != full:
        return Name(full, full[: -len(family)].strip(), family)
    words = full.replace(",", " ").split()
    suffix = words.pop() if len(words) > 1 and words[-1] in SUFFIXES else ""
    start = _family_start(words)
    return Name(full, " ".join(words[:start]), " ".join(words[start:]), suffix)


def _family_start(words: list[str]) -> int:
    """Return the index of the word where the family name starts."""
    start = max(len(words) - 1, 0)
    while start > 1 and words[start - 1] in CONJUNCTIONS:
        start -= 2
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return start


def initials(given: str) -> str:
    """Return given names as APA initials: 'Mary Ann' → 'M. A.', 'Jean-Paul' → 'J.-P.'."""
    return " ".join(
        "-".join(part[0] + "." for part in word.split("-") if part) for word in given.split()
    )
