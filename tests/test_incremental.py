"""Random edits of a real site: after each, an incremental build equals a clean one, byte for byte.

The edits are drawn from a seeded generator; a failure names the seed and every edit up to it.
ROUNDTABLE_EDIT_SEED=<n> replays a sequence or explores another, ROUNDTABLE_EDIT_COUNT=<n> sets
its length.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.site import REPO, sample_project
from PIL import Image

import roundtable.incremental.cache
from roundtable.commands.cli import theme_for
from roundtable.errors import BuildFailed
from roundtable.options import BuildOptions
from roundtable.pipeline import BuildResult, build_site

SEED = int(os.environ.get("ROUNDTABLE_EDIT_SEED", "19"))
EDIT_COUNT = int(os.environ.get("ROUNDTABLE_EDIT_COUNT", "36"))
WORDS = ("border", "trust", "ports", "money", "rule", "law", "court", "trade", "route", "audit")
TAGS = ("Fentanyl", "Border", "Ports", "Trade", "Courts", "Migration")
LANGUAGES = ("es", "fr", "pt")
BODY_PICTURE = "chart.png"
"""A picture that an essay's body shows (the sample's pictures are all heroes)."""
SHOWN_IN = "migration-beyond-enforcement.md"
SITE_FIELDS = ("title", "tagline", "organization", "disclaimer")
PEOPLE = ("Mariana Peña Ibáñez", "Elena Vásquez Holt", "Priya Raman", "Nadia Okafor Reyes")
"""Authors: three of the sample's, whose front matter gives an affiliation and bio (and wins over
authors.yml), and one whose essays the test adds, without."""
ORCIDS = ("0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X")


Front = dict[str, Any]


@dataclass
class Project:
    """The site being edited, and the generator that picks each edit."""

    root: Path
    rng: random.Random
    made: int = 0
    """How many new names have been handed out."""

    @property
    def content(self) -> Path:
        """Return the content folder."""
        return self.root / "content"

    def essays(self) -> list[Path]:
        """Return the essay files, in order."""
        return sorted((self.content / "essays").glob("*.md"))

    def new_name(self, stem: str) -> str:
        """Return a name used by no file yet."""
        self.made += 1
        return f"{stem}-{self.made}"

    def words(self, count: int) -> str:
        """Return a few random words."""
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def date(self) -> dt.date:
        """Return a random date."""
        return dt.date(2020, 1, 1) + dt.timedelta(days=self.rng.randrange(900))


def read_item(path: Path) -> tuple[Front, str]:
    """Return an essay's or roundtable's front matter and body."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def write_item(path: Path, front: Front, body: str) -> None:
    """Write an essay or roundtable file."""
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{dumped}---\n{body}", encoding="utf-8")


def slug_of(path: Path) -> str:
    """Return the slug an essay is known by."""
    return str(read_item(path)[0].get("slug") or path.stem)


def translated(project: Project) -> set[str]:
    """Return the slugs that some translation names."""
    return {str(read_item(p)[0].get("translation_of")) for p in project.essays()} - {"None"}


def movable(project: Project) -> list[Path]:
    """Return the essays that may be deleted or renamed without breaking a translation or a
    link (a build refuses a link that leads nowhere)."""
    targets = translated(project)
    linked = "\n".join(p.read_text(encoding="utf-8") for p in project.content.rglob("*.md"))
    return [
        p
        for p in project.essays()
        if slug_of(p) not in targets and p.name not in linked and f"/{slug_of(p)}/" not in linked
    ]


def originals(project: Project) -> list[Path]:
    """Return the essays in the site's language that are no translation."""
    return [p for p in project.essays() if not read_item(p)[0].get("translation_of")]


def edit_body(project: Project) -> str:
    """Change the body of an essay: a word, a new paragraph, or a note."""
    path = project.rng.choice(project.essays())
    front, body = read_item(path)
    how = project.rng.choice(("first word", "paragraph", "note"))
    if how == "first word":
        body = project.words(1) + body.lstrip()[body.lstrip().find(" ") :]
    elif how == "paragraph":
        body += f"\n{project.words(12).capitalize()}.\n"
    else:
        label = project.new_name("note")
        body += f"\nA claim.[^{label}]\n\n[^{label}]: {project.words(5)}.\n"
    write_item(path, front, body)
    return f"body of {path.name} ({how})"


def edit_front(project: Project) -> str:
    """Change a title, date, tags or summary of an essay."""
    path = project.rng.choice(project.essays())
    front, body = read_item(path)
    name = project.rng.choice(("title", "date", "tags", "summary"))
    if name == "title":
        front["title"] = project.words(3).title()
    elif name == "date":
        front["date"] = project.date()
    elif name == "tags":
        front["tags"] = project.rng.sample(TAGS, project.rng.randrange(4))
    elif "summary" in front and project.rng.random() < 0.3:
        del front["summary"]  # the first paragraph stands in
    else:
        front["summary"] = f"{project.words(8).capitalize()}."
    write_item(path, front, body)
    return f"{name} of {path.name}"


def edit_roundtable(project: Project) -> str:
    """Change the roundtable's introduction or its summary."""
    path = project.content / "roundtables/us-mexico-security-cooperation.md"
    front, body = read_item(path)
    if project.rng.random() < 0.5:
        front["summary"] = f"{project.words(10).capitalize()}."
        write_item(path, front, body)
        return "the roundtable's summary"
    write_item(path, front, body + f"\n{project.words(15).capitalize()}.\n")
    return "the roundtable's introduction"


def edit_people(project: Project) -> str:
    """Change a person's affiliation, bio, ORCID iD or family name in authors.yml."""
    path = project.content / "authors.yml"
    people = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = project.rng.choice(PEOPLE)
    detail = project.rng.choice(("affiliation", "bio", "orcid", "family"))
    if detail == "orcid":
        value = project.rng.choice(ORCIDS)
    elif detail == "family":  # the end of the name: one surname or two
        value = " ".join(name.split()[-project.rng.choice((1, 2)) :])
    else:
        value = f"{project.words(4).capitalize()}."
    people.setdefault(name, {})[detail] = value
    path.write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    return f"{detail} of {name} in authors.yml"


def edit_settings(project: Project) -> str:
    """Change a field of site.yml that every page shows."""
    path = project.content / "site.yml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    name = project.rng.choice(SITE_FIELDS)
    settings[name] = project.words(3).title()
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return f"{name} in site.yml"


def edit_template(project: Project) -> str:
    """Override a theme template in the site's templates/ folder, or drop an override."""
    folder = project.root / "templates"
    folder.mkdir(exist_ok=True)
    name = project.rng.choice(("essay.html", "404.html"))
    override = folder / name
    if override.exists() and project.rng.random() < 0.3:
        override.unlink()
        return f"override of {name} removed"
    theme = (REPO / "templates" / name).read_text(encoding="utf-8")
    marker = f"{{% block main %}}<p>{project.words(2)}</p>"
    assert "{% block main %}" in theme, f"templates/{name} has no main block to override"
    override.write_text(theme.replace("{% block main %}", marker, 1), encoding="utf-8")
    return f"override of {name}"


def edit_messages(project: Project) -> str:
    """Reword a fixed word of the theme in the site's messages/ folder."""
    language = project.rng.choice(("en", "es"))
    catalog = yaml.safe_load((REPO / f"roundtable/messages/{language}.yml").read_text("utf-8"))
    plain = sorted(k for k, v in catalog.items() if isinstance(v, str) and "{" not in v)
    path = project.root / f"messages/{language}.yml"
    path.parent.mkdir(exist_ok=True)
    words = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    name = project.rng.choice(plain)
    words[name] = project.words(2).capitalize()
    path.write_text(yaml.safe_dump(words, allow_unicode=True), encoding="utf-8")
    return f"message {name} in messages/{language}.yml"


def shown_pictures(project: Project) -> list[str]:
    """Return the pictures that some essay or roundtable shows."""
    texts = " ".join(p.read_text(encoding="utf-8") for p in project.content.rglob("*.md"))
    return [p.name for p in sorted((project.content / "images").iterdir()) if p.name in texts]


def draw(path: Path, rng: random.Random) -> None:
    """Draw a small picture of one random colour (JPEG or PNG, by its name): as wide as it is,
    each has as many resized copies."""
    colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
    Image.new("RGB", (rng.choice((500, 520)), rng.choice((300, 320))), colour).save(path)


def edit_picture(project: Project) -> str:
    """Replace the bytes of a picture a page shows."""
    name = project.rng.choice(shown_pictures(project))
    draw(project.content / "images" / name, project.rng)
    return f"picture {name}"


def add_essay(project: Project) -> str:
    """Add an essay to the roundtable."""
    path = project.content / f"essays/{project.new_name('added')}.md"
    front: Front = {
        "title": project.words(3).title(),
        "author": project.rng.choice(PEOPLE),
        "roundtable": "us-mexico-security-cooperation",
        "date": project.date(),
        "tags": project.rng.sample(TAGS, project.rng.randrange(3)),
    }
    if project.rng.random() < 0.3:
        front["image"] = {"src": f"images/{BODY_PICTURE}", "alt": "A chart"}
    write_item(path, front, f"{project.words(20).capitalize()}.\n")
    return f"essay {path.name} added"


def delete_essay(project: Project) -> str:
    """Delete an essay that no translation names (or add one, when few are left)."""
    choices = movable(project)
    if len(choices) < 2:
        return add_essay(project)
    path = project.rng.choice(choices)
    path.unlink()
    return f"essay {path.name} deleted"


def rename_essay(project: Project) -> str:
    """Rename an essay's file (its address follows, unless its front matter gives a slug)."""
    choices = movable(project)
    if not choices:
        return add_essay(project)
    path = project.rng.choice(choices)
    target = path.with_name(f"{project.new_name('renamed')}.md")
    os.replace(path, target)
    return f"essay {path.name} renamed {target.name}"


def languages_of(project: Project, original: Path) -> set[str]:
    """Return the languages an essay is translated into."""
    slug = slug_of(original)
    fronts = [read_item(p)[0] for p in project.essays()]
    return {str(front.get("lang")) for front in fronts if front.get("translation_of") == slug}


def edit_translation(project: Project) -> str:
    """Translate an essay into a language it lacks, or retitle a translation."""
    existing = [p for p in project.essays() if read_item(p)[0].get("translation_of")]
    lacking = [
        (original, language)
        for original in originals(project)
        for language in LANGUAGES
        if language not in languages_of(project, original)
    ]
    if existing and (not lacking or project.rng.random() < 0.4):
        path = project.rng.choice(existing)
        front, body = read_item(path)
        front["title"] = f"Traducción: {project.words(2)}"
        write_item(path, front, body)
        return f"translation {path.name} retitled"
    original, language = project.rng.choice(lacking)
    of, _ = read_item(original)
    path = project.content / f"essays/{project.new_name('translated')}.md"
    front = {
        "title": f"Traducción: {project.words(2)}",
        "roundtable": of["roundtable"],
        "date": project.date(),
        "lang": language,
        "translation_of": slug_of(original),
    }
    if "author" in of:  # else an unsigned piece, as its original
        front["author"] = of["author"]
    write_item(path, front, f"{project.words(15).capitalize()}.\n")
    return f"translation {path.name} of {original.name} into {language}"


class Reuse(Enum):
    """What an incremental build must have kept after one kind of edit."""

    PAGES = "some pages and every resized picture"
    PICTURES = "the resized copies of every other picture"
    EVERY_PAGE = "every resized picture (the edit shows on every page)"


@dataclass(frozen=True)
class Edit:
    """One kind of edit, and what the next build must reuse."""

    make: Callable[[Project], str]
    reuse: Reuse


EDITS: dict[str, Edit] = {
    "body": Edit(edit_body, Reuse.PAGES),
    "front matter": Edit(edit_front, Reuse.PAGES),
    "roundtable": Edit(edit_roundtable, Reuse.PAGES),
    "authors.yml": Edit(edit_people, Reuse.PAGES),
    "site.yml": Edit(edit_settings, Reuse.EVERY_PAGE),
    "template": Edit(edit_template, Reuse.EVERY_PAGE),
    "messages": Edit(edit_messages, Reuse.EVERY_PAGE),
    "picture": Edit(edit_picture, Reuse.PICTURES),
    "add": Edit(add_essay, Reuse.PAGES),
    "delete": Edit(delete_essay, Reuse.PAGES),
    "rename": Edit(rename_essay, Reuse.PAGES),
    "translation": Edit(edit_translation, Reuse.PAGES),
}


def real_site(root: Path) -> Project:
    """Copy the sample site, its pictures made small (fast to resize), one shown in a body."""
    sample_project(root)
    rng = random.Random(SEED)
    images = root / "content/images"
    for picture in sorted(images.iterdir()):
        draw(picture, rng)
    draw(images / BODY_PICTURE, rng)
    shown = root / "content/essays" / SHOWN_IN
    front, body = read_item(shown)
    write_item(shown, front, f"{body}\n![A chart of crossings](../images/{BODY_PICTURE})\n")
    return Project(root, rng)


def options(project: Project, output: Path, use_cache: bool) -> BuildOptions:
    """Return the options `python build.py build` would use (search off: it costs seconds)."""
    content = project.content
    return BuildOptions(
        content,
        "content",
        output,
        theme_for(content),
        workers=1,
        use_cache=use_cache,
        search_index=False,
    )


def build(settings: BuildOptions, where: str) -> BuildResult:
    """Build, failing the test with every error the content has."""
    try:
        return build_site(settings)
    except BuildFailed as failed:
        errors = "\n".join(str(error) for error in failed.errors)
        pytest.fail(f"{where}: the build failed:\n{errors}", pytrace=False)


def files(root: Path) -> dict[str, bytes]:
    """Return every file under a folder by relative path (a link by its target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if path.is_symlink():
            found[name] = b"link:" + os.readlink(path).encode()
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


def first_difference(built: Path, clean: Path) -> str | None:
    """Name the first file in which two output folders differ, show where, and count the rest.

    The site's pages come first, the build's own marker file (a dot file) last.
    """
    ours, theirs = files(built), files(clean)
    names = sorted(ours.keys() | theirs.keys(), key=lambda name: (name.startswith("."), name))
    differing = [name for name in names if ours.get(name) != theirs.get(name)]
    if not differing:
        return None
    name, others = differing[0], len(differing) - 1
    if name not in theirs or name not in ours:
        return f"{name} is only in the {'incremental' if name in ours else 'clean'} build"
    a, b = ours[name], theirs[name]
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    start = max(at - 60, 0)
    return (
        f"{name} differs at byte {at} ({others} other files differ):"
        f"\n  incremental: {a[start : at + 60]!r}\n  clean:       {b[start : at + 60]!r}"
    )


def reuse_problem(reuse: Reuse, made: BuildResult, clean: BuildResult, pictures: int) -> str | None:
    """Say what the incremental build made again that this kind of edit leaves as it was."""
    pages, copies = made.rendered, made.images_made
    if clean.rendered == 0 or clean.images_made == 0:
        return "the clean build made nothing: the comparison proves nothing"
    if reuse is Reuse.PICTURES:  # every picture has as many resized copies (see draw)
        mine = clean.images_made // pictures
        if not 0 < copies <= mine:
            return f"{copies} resized copies made, where the edited picture has {mine}"
    elif copies:
        return f"{copies} resized copies made again, though no picture changed"
    if reuse is Reuse.PAGES and pages >= clean.rendered:
        return f"every page rendered again ({pages} of {clean.rendered})"
    return None


def edit_plan(rng: random.Random, count: int) -> list[str]:
    """Return the kinds of edits to make, in order: every kind at least once."""
    kinds = list(EDITS)
    plan = kinds + rng.choices(kinds, k=max(0, count - len(kinds)))
    rng.shuffle(plan)
    return plan


@dataclass(frozen=True)
class Step:
    """How one edit is built again."""

    reuse: Reuse
    """What the build must have kept."""
    stats_trusted: bool
    """Files' stats are trusted, as long after an edit (else each file is read and hashed)."""
    new_process: bool
    """The build starts in a new process (`python build.py build`), not in serve's."""

    def __str__(self) -> str:
        """Say how the edit was built, for a failure's message."""
        stats = "stats trusted" if self.stats_trusted else "files hashed"
        return f"{stats}, {'a new process' if self.new_process else 'the same process'}"


def forget_memory() -> None:
    """Empty the generator's in-process caches, as a new `python build.py` process starts."""
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] == "roundtable":
            for value in list(vars(module).values()):
                if hasattr(value, "cache_info") and hasattr(value, "cache_clear"):
                    value.cache_clear()


def check_edit(project: Project, step: Step, clean_site: Path, where: str) -> None:
    """Build incrementally and from scratch; compare the two, and what the first reused."""
    site = project.root / "site"
    if step.new_process:
        forget_memory()
    made = build(options(project, site, use_cache=True), where)
    forget_memory()  # what a clean build makes must not come from the memory of another
    clean = build(options(project, clean_site, use_cache=False), where)
    pictures = len(shown_pictures(project))
    problem = first_difference(site, clean_site) or reuse_problem(step.reuse, made, clean, pictures)
    if problem is None:
        again = build(options(project, site, use_cache=True), where)
        if again.rendered or again.images_made:
            problem = (
                f"built again unedited, {again.rendered} pages and {again.images_made} copies made"
            )
    if problem is not None:
        pytest.fail(f"{where}\n{problem}", pytrace=False)
    shutil.rmtree(clean_site)


def test_random_edits_build_incrementally_as_a_clean_build_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = real_site(tmp_path / "proj")
    build(options(project, project.root / "site", use_cache=True), f"seed {SEED}: first build")
    racy = roundtable.incremental.cache.RACY_NS
    done = [f"seed {SEED} (ROUNDTABLE_EDIT_SEED={SEED} replays it), after the edits"]
    for number, kind in enumerate(edit_plan(project.rng, EDIT_COUNT), start=1):
        rng = project.rng
        step = Step(EDITS[kind].reuse, rng.random() < 0.5, rng.random() < 0.5)
        # A file the test wrote is too new for its stat to be trusted; half the builds trust it
        # anyway, as one long after the edit would (each build outlasts a clock tick).
        monkeypatch.setattr(
            roundtable.incremental.cache, "RACY_NS", 0 if step.stats_trusted else racy
        )
        done.append(f"{number}. {kind}: {EDITS[kind].make(project)} ({step})")
        check_edit(project, step, tmp_path / f"clean-{number}", "\n  ".join(done))


def test_the_plan_holds_every_kind_of_edit() -> None:
    plan = edit_plan(random.Random(SEED), 30)
    assert len(plan) == 30 and set(plan) == set(EDITS)


def test_a_difference_names_the_first_file(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder / "x").mkdir(parents=True)
        (tmp_path / folder / "x/page.html").write_text(f"<p>{folder}</p>", encoding="utf-8")
        (tmp_path / folder / "z.html").write_text("same", encoding="utf-8")
        (tmp_path / folder / ".marker").write_text(folder, encoding="utf-8")
    assert first_difference(tmp_path / "a", tmp_path / "a") is None
    difference = first_difference(tmp_path / "a", tmp_path / "b")
    assert difference is not None
    assert difference.startswith("x/page.html differs at byte 3 (1 other files differ)")
    (tmp_path / "b/z.html").unlink()
    (tmp_path / "b/x/page.html").write_text("<p>a</p>", encoding="utf-8")
    (tmp_path / "b/.marker").write_text("a", encoding="utf-8")
    assert first_difference(tmp_path / "a", tmp_path / "b") == (
        "z.html is only in the incremental build"
    )
