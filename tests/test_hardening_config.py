"""Hardening, plan section B: bad configuration is refused before anything is written, and the
switches an operator has (raw HTML, the output folder, the dev server's address) stay safe."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import jinja2
import pytest
from helpers.hostile import build, known_scripts, new_project, write_essay
from helpers.sinks import site_sinks
from helpers.site import REPO, tree_digest
from test_hardening_content import RAW_HTML

from roundtable.commands.cli import theme_for
from roundtable.render.pages import environment


def test_b26_raw_html_switched_on_goes_through_the_sanitizer(tmp_path: Path) -> None:
    """B26: `allow_html: true` is the only switch, and it always sanitizes: the A1 payloads
    come out with no script sink. There is no setting for markdown-it's own `html` option."""
    project = new_project(tmp_path / "proj")
    site_yml = project / "content/site.yml"
    site_yml.write_text(site_yml.read_text() + "allow_html: true\n")
    for name, payload in RAW_HTML.items():
        write_essay(project, f"{name}.md", body=f"{payload}\n\n<b>kept</b>\n")
    run = build(project)
    assert run.status == 0, run.err
    assert site_sinks(project / "site", set(known_scripts())) == []
    assert "<b>kept</b>" in (project / "site/essays/inline/index.html").read_text()

    site_yml.write_text(site_yml.read_text() + "markdown: {html: true}\n")
    run = build(project)
    assert run.status == 1
    assert run.error_lines[0].startswith("content/site.yml:7: unknown field 'markdown'")


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("title: [unclosed\nbase_url: https://e.org/\n", 1, "invalid YAML"),
        ("title: T\nbase_url: https://e.org/\ntitel: T\n", 3, "unknown field 'titel'"),
        ("title: T\nbase_url: 5\n", 2, "base_url: expected text, found the number 5"),
        ("title: T\nbase_url: javascript:alert(1)\n", 2, "is not an absolute http(s) URL"),
        ("title: T\n", 1, "missing required field 'base_url'"),
        ("- a list\n", 1, "must be 'key: value' lines"),
    ],
)
def test_b27_broken_site_config_fails_before_anything_is_written(
    tmp_path: Path, text: str, line: int, needle: str
) -> None:
    """B27: a located error, exit 1, and no output folder (only the cache folder appears)."""
    project = new_project(tmp_path / "proj")
    (project / "content/site.yml").write_text(text)
    run = build(project)
    assert run.status == 1 and "Traceback" not in run.err
    assert any(
        e.startswith(f"content/site.yml:{line}: ") and needle in e for e in run.error_lines
    ), run.err
    assert sorted(p.name for p in project.iterdir()) == [".roundtable-cache", "content"]


@pytest.mark.parametrize(
    "output",
    [
        ".",
        "..",
        "/",
        "HOME",
        "content",
        "content/images",
        "templates",
        "assets",
        "through-link/site",
        "repo",
        "mine",
    ],
)
def test_b28_dangerous_output_folders_are_refused(
    tmp_path: Path, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B28: the project, its parent, /, home, content/, where the theme folders would be (even
    before they exist), a path through a symlink, a repository, a folder of someone else's:
    refused with exit 2, and nothing deleted or replaced."""
    project = new_project(tmp_path / "proj")
    monkeypatch.setenv("HOME", str(project))
    (tmp_path / "elsewhere").mkdir()
    (project / "through-link").symlink_to(tmp_path / "elsewhere")
    (project / "repo" / ".git").mkdir(parents=True)
    (project / "mine").mkdir()
    (project / "mine" / "thesis.docx").write_text("precious")
    before = tree_digest(tmp_path)
    run = build(project, "--output", str(project) if output == "HOME" else output)
    assert run.status == 2 and run.err.startswith("error: "), run.err
    assert tree_digest(tmp_path) == before


def test_b28_site_written_as_templates_would_run_content_as_a_template(tmp_path: Path) -> None:
    """B28, why templates/ is refused before it exists: the next build would load the built
    404.html as the theme's 404 template, and a roundtable title `{{ … }}` would then run."""
    project = new_project(tmp_path / "proj")
    run = build(project, "--output", "templates")
    assert run.status == 2 and "theme's templates/ folder" in run.err
    assert not (project / "templates").exists()


def test_b29_template_runtime_error_names_the_page_too(tmp_path: Path) -> None:
    """B29: `templates/essay.html:LINE:` plus the essay being rendered."""
    project = new_project(tmp_path / "proj")
    (project / "templates").mkdir()
    (project / "templates/essay.html").write_text(
        "{% extends 'base.html' %}{% block main %}{{ essay.title.name.x }}{% endblock %}"
    )
    run = build(project)
    assert run.status == 1 and "templates/essay.html:1:" in run.err
    assert "essays/first" in run.err


def test_b30_environment_escapes_and_refuses_undefined_names() -> None:
    """B30: autoescape on, StrictUndefined, for the theme the CLI builds with."""
    env = environment(theme_for(REPO / "content"))
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


SAFE_ALLOWED = {
    ("_macros.html", "{{ html|safe }}"): "the Markdown renderer's output, escaped or sanitized",
    ("robots.txt", "{{ sitemap_url|safe }}"): "plain text, not HTML: &amp; would break the URL",
}
MARKUP_ALLOWED = {
    "pages.py": "markdown_inline: renderer output, raw HTML escaped",
    "citations.py": "Markup('{}…').format(...) escapes every argument",
    "i18n.py": "Markup(escape(message)).format(...): the message and every argument escaped",
}
HTML_ALLOWED = {
    "model.py": "Html: the Markdown renderer's output, escaped or sanitized, read when shown",
}


def test_b30_templates_and_code_mark_nothing_safe_outside_the_allowlist() -> None:
    """B30: `|safe`, `Markup(`, `__html__`, `autoescape false`, `from_string` and `xmlattr`
    only where reviewed; a new one fails here until it is reviewed and added."""
    found = set()
    for template in sorted((REPO / "templates").glob("*")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"\{\{[^}]*\|\s*safe\b[^}]*\}\}", text):
            found.add((template.name, match.group()))
        assert not re.search(r"autoescape\s+false|xmlattr", text, re.IGNORECASE), template
    assert found <= set(SAFE_ALLOWED), found - set(SAFE_ALLOWED)
    for module in sorted((REPO / "roundtable").rglob("*.py")):
        text = module.read_text(encoding="utf-8")
        if "Markup(" in text:
            assert module.name in MARKUP_ALLOWED, module
        if "def __html__" in text:
            assert module.name in HTML_ALLOWED, module
        assert not re.search(r"\bfrom_string\b", text) and "xmlattr" not in text, module
        assert "autoescape=False" not in text, module


FLOORS = {"jinja2": (3, 1, 6), "markdown-it-py": (2, 2, 0), "pyyaml": (5, 4)}
"""Versions below these have the CVEs the plan lists (Jinja sandbox escapes, markdown-it-py
ReDoS, PyYAML full_load code execution)."""


def _version(text: str) -> tuple[int, ...]:
    """Return the leading numbers of a version string."""
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_b31_dependency_floors_are_declared_and_installed() -> None:
    """B31: pyproject requires at least the fixed versions, and those are what is installed."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower(): spec
        for spec in project["dependencies"]
    }
    for name, floor in FLOORS.items():
        spec = declared[name]
        assert ">=" in spec and _version(spec.split(">=")[1]) >= floor, spec
        assert _version(importlib.metadata.version(name)) >= floor, name


@pytest.mark.parametrize("value", ["0", "-1", "abc", "99999999999", ""])
def test_b32_source_date_epoch_edge_values(
    tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B32: the only use of SOURCE_DATE_EPOCH is the feeds' <updated> of a site with no dates;
    0 is 1970-01-01, values that are not a count of seconds count as 0, none is a traceback."""
    project = new_project(tmp_path / "proj")
    for source in (project / "content").rglob("*.md"):
        text = source.read_text(encoding="utf-8")
        source.write_text(re.sub(r"(?m)^date: .*\n", "", text), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    run = build(project)
    assert run.status == 0, run.err
    updated = re.search(r"<updated>([^<]+)", (project / "site/feed.xml").read_text())
    assert updated is not None
    expected = "5138-11-16T09:46:39Z" if value == "99999999999" else "1970-01-01T00:00:00Z"
    assert updated.group(1) == expected


def test_b32_source_date_epoch_past_year_9999_is_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """B32: an epoch past the year 9999 is clamped to the last second of 9999, no traceback."""
    project = new_project(tmp_path / "proj")
    for source in (project / "content").rglob("*.md"):
        text = source.read_text(encoding="utf-8")
        source.write_text(re.sub(r"(?m)^date: .*\n", "", text), encoding="utf-8")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    run = build(project)
    assert run.status == 0 and "Traceback" not in run.err
    assert "<updated>9999-12-31T23:59:59Z</updated>" in (project / "site/feed.xml").read_text()
