"""Hardening, issue 24 classes 3 and 4: hostile YAML in every file the site reads as YAML.

Essays' front matter, site.yml, authors.yml and a project's messages/en.yml go through one
loader. Whatever tag or nesting they hold, `check` exits 0 or 1 with located lines, never with a
traceback. The quick fuzz run is part of the suite; a longer one:

    ROUNDTABLE_FUZZ_EXAMPLES=2000 pytest tests/test_hardening_yaml.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.hostile import build, new_project
from helpers.site import FIXTURES, LOCATED, Run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ROUNDTABLE_FUZZ_EXAMPLES", "30"))
SUMMARY = re.compile(r"^(\d+ errors?\.|Build failed\.|Check failed \(.*\)\.|Checked .*)$")
"""The lines `check` prints besides located ones."""


@dataclass(frozen=True)
class Target:
    """A YAML file of a project, written with one value that a test chooses."""

    path: str
    """From the project folder."""
    template: str
    """The file's text, with {value} where the value goes (always on `line`)."""
    line: int
    """The file line of the value."""

    def write(self, project: Path, value: str) -> None:
        """Write the file with this value in it."""
        file = project / self.path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(self.template.format(value=value), encoding="utf-8")


TARGETS = {
    "essay": Target(
        "content/essays/x.md",
        "---\ntitle: X\nauthor: A. Writer\nroundtable: alpha\nextra: {value}\n---\nBody.\n",
        5,
    ),
    "site.yml": Target(
        "content/site.yml",
        "title: Test Forum\nbase_url: https://example.org/forum/\ntagline: {value}\n",
        3,
    ),
    "authors.yml": Target("content/authors.yml", "A. Writer:\n  affiliation: {value}\n", 2),
    "messages": Target("messages/en.yml", "next: {value}\n", 1),
}


def check(project: Path) -> Run:
    """Run `check` in a project, as the command line does."""
    return build(project, command="check")


def assert_only_located_lines(run: Run) -> None:
    """Exit 0 or 1, no traceback, and every line on stderr located or a summary."""
    assert run.status in (0, 1), run.err
    assert "Traceback" not in run.err, run.err
    for line in run.err.splitlines():
        assert LOCATED.match(line) or SUMMARY.match(line) or not line.strip(), run.err


def refusal(project: Path, target: Target, value: str) -> str:
    """Write a value into a target, run check, and return its one located error line."""
    target.write(project, value)
    run = check(project)
    assert_only_located_lines(run)
    located = [line for line in run.err.splitlines() if line.startswith(target.path)]
    assert run.status == 1 and len(located) == 1, run.err
    return located[0]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One project for the whole module: each test writes its target's file over it."""
    return new_project(tmp_path_factory.mktemp("yaml") / "proj")


@pytest.fixture(autouse=True)
def pristine(project: Path) -> None:
    """Put back every target file before each test."""
    restore(project)


def restore(project: Path) -> None:
    """Put back every target file as the fixture has it: only one is hostile at a time."""
    for target in TARGETS.values():
        (project / target.path).unlink(missing_ok=True)
    (project / "content/site.yml").write_bytes((FIXTURES / "minimal/content/site.yml").read_bytes())


# Values whose tag's constructor raised something other than ValueError (a traceback), or that
# fit no tag the format needs; each must be one line at the value's line, naming the tag.
MISFIT_TAGS = [
    ("!!bool maybe", "!!bool needs true or false, not 'maybe'"),
    ("!!timestamp hello", "!!timestamp needs a date, not 'hello'"),
    ("!!int ''", "!!int needs a whole number, not ''"),
    ("!!float ''", "!!float needs a number, not ''"),
    ("!!int 0x", "!!int needs a whole number, not '0x'"),
    ("!!null nothing", "!!null needs null, not 'nothing'"),
    ("[ok, !!bool nope]", "!!bool needs true or false, not 'nope'"),
]
UNNEEDED_TAGS = [
    ("!!binary aGVsbG8=", "tag !!binary is not allowed"),
    ("!!set {a: null}", "tag !!set is not allowed"),
    ("!!omap [a: 1]", "tag !!omap is not allowed"),
    ("!!pairs [a: 1]", "tag !!pairs is not allowed"),
    ("!custom text", "tag !custom is not allowed"),
    ("!!seq {a: 1}", "tag !!seq is not allowed"),
    ("!!python/tuple [1, 2]", "tag !!python/tuple is not allowed"),
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("value", "says"), MISFIT_TAGS + UNNEEDED_TAGS)
def test_tags_are_one_located_line(project: Path, target: str, value: str, says: str) -> None:
    line = refusal(project, TARGETS[target], value)
    assert line.startswith(f"{TARGETS[target].path}:{TARGETS[target].line}: "), line
    assert says in line and "(" in line, line


DEEP = 300
NESTINGS = {
    "flow lists": "[" * DEEP + "]" * DEEP,
    "flow mappings": "{a: " * DEEP + "1" + "}" * DEEP,
    "lists in mappings": "[{a: " * (DEEP // 2) + "1" + "}]" * (DEEP // 2),
    "unclosed": "[" * DEEP,
    # One space of indent per level, to stay under the 64 KB that front matter may hold.
    "block mappings": "\n"
    + "".join(" " * (4 + i) + "a:\n" for i in range(DEEP))
    + " " * (4 + DEEP)
    + "b",
    "block lists": "\n"
    + "".join(" " * (4 + i) + "-\n" for i in range(DEEP))
    + " " * (4 + DEEP)
    + "x",
}


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("nesting", NESTINGS)
def test_deep_nesting_is_one_located_line(project: Path, target: str, nesting: str) -> None:
    line = refusal(project, TARGETS[target], NESTINGS[nesting])
    assert "nested more than 20 deep" in line, line


def test_nesting_the_format_needs_is_read(project: Path) -> None:
    """Twenty levels (the format needs three) still load: the bound refuses only the absurd."""
    TARGETS["essay"].write(project, "[" * 19 + "]" * 19)
    run = check(project)
    assert "nested" not in run.err, run.err


SCALAR_TAGS = [f"!!{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")]
TAGS = [
    *SCALAR_TAGS,
    "!!seq",
    "!!map",
    *(f"!!{name}" for name in ("binary", "set", "omap", "pairs", "merge", "value", "yaml")),
    "!",
    "!local",
    "!!python/object:os.system",
    "!<tag:example.org,2000:x>",
]
SCALARS = ["", "''", "maybe", "hello", "0x", "0b_", "1_0", ".nan", "2021-13-45", "~", "=", "1e9"]


@st.composite
def yaml_values(draw: st.DrawFn) -> str:
    """A flow-style YAML value: tagged scalars inside lists and mappings, nested at random.

    Most collections have no tag or their own (`!!seq [...]`), so that what lies inside them is
    reached, not refused at the outermost tag.
    """
    scalar = draw(st.sampled_from(SCALARS) | st.text(alphabet="abz019.:-_ ", max_size=6))
    tag = draw(st.sampled_from(["", *SCALAR_TAGS, *SCALAR_TAGS]) | st.sampled_from(TAGS))
    value = f"{tag} {scalar}"
    for _ in range(draw(st.integers(0, 8) | st.integers(15, 300))):
        shape, own = draw(st.sampled_from([("[{}]", "!!seq"), ("{{k: {}}}", "!!map")]))
        wrong = draw(st.integers(0, 9)) == 0
        tag = draw(st.sampled_from(TAGS if wrong else ["", own]))
        value = f"{tag} {shape.format(value)}"
    return value


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(target=st.sampled_from(sorted(TARGETS)), value=yaml_values())
def test_fuzz_yaml_tags_and_nesting_give_located_lines(
    project: Path, target: str, value: str
) -> None:
    """Random tags, values and nesting in any YAML file: located lines, never a traceback."""
    restore(project)
    TARGETS[target].write(project, value)
    assert_only_located_lines(check(project))
