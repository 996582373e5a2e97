"""`content/authors.yml`: each person's affiliation, bio, ORCID iD and family name (or that the
name is an organisation's), written once.

Keyed by the name as bylines write it. What an essay's front matter says about a person wins
over the file, so an essay can still give an affiliation of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from roundtable.content.frontmatter import Document, FrontMatterError, parse
from roundtable.errors import ContentError
from roundtable.model import Person

if TYPE_CHECKING:
    from roundtable.content.schema import AuthorDetails


@dataclass(frozen=True)
class Details:
    """What authors.yml says of one person."""

    affiliation: str = ""
    bio: str = ""
    orcid: str = ""
    family: str = ""
    organization: bool = False


Directory = dict[str, Details]
"""Details by name."""
Loaded = tuple[Directory, list[ContentError]]
"""The details by name and every mistake found in the file."""


def check_people(data: bytes | None, display: str) -> Loaded:
    """Parse and validate authors.yml's bytes (None: there is no authors.yml)."""
    if data is None:
        return {}, []
    try:
        doc = parse(display, data, whole_file_is_yaml=True)
    except FrontMatterError as exc:
        return {}, [ContentError(display, exc.line, exc.message)]
    directory: Directory = {}
    errors: list[ContentError] = []
    for name, value in doc.fields.items():
        details, found = _entry(doc, name, value)
        errors.extend(found)
        if details is not None:
            directory[name.strip()] = details
    return directory, errors


def _entry(doc: Document, name: str, value: object) -> tuple[Details | None, list[ContentError]]:
    """Validate one person's details, locating mistakes in the file."""
    # Imported here: pydantic takes a tenth of a second to load, and a warm build recalls this.
    from roundtable.content.schema import AuthorDetails, validate

    if not isinstance(value, dict):
        message = (
            f"{name}: expected indented 'key: value' lines under the name "
            "(affiliation:, bio:, orcid:, family:, organization:)"
        )
        return None, [doc.error((name,), message)]
    lines = {key[1:]: line for key, line in doc.lines.items() if key[:1] == (name,) and key[1:]}
    entry = Document(doc.display, value, lines)
    details, errors = validate(AuthorDetails, entry)
    if details is not None and family_problem(name, details.family):
        errors.append(entry.error(("family",), family_problem(name, details.family) or ""))
    located = [ContentError(e.path, e.line, f"{name}: {e.message}") for e in errors]
    if errors or details is None:
        return None, located
    return _details(details), located


def _details(fields: AuthorDetails) -> Details:
    """Return validated details as a plain value (kept between builds without pydantic)."""
    return Details(fields.affiliation, fields.bio, fields.orcid, fields.family, fields.organization)


def family_problem(name: str, family: str) -> str | None:
    """Say why a family name cannot be the end of a person's name, if it cannot."""
    name, family = name.strip(), family.strip()
    if not family or name == family or name.endswith(" " + family):
        return None
    return f"family: '{family}' is not the end of the name (write the last words of '{name}')"


def with_details(person: Person, directory: Directory) -> Person:
    """Fill what the front matter left empty from the person's entry in authors.yml."""
    details = directory.get(person.name)
    if details is None:
        return person
    return replace(
        person,
        affiliation=person.affiliation or details.affiliation,
        bio=person.bio or details.bio,
        orcid=person.orcid or details.orcid,
        family=person.family or details.family,
        organization=person.organization or details.organization,
    )
