"""site.yml: the settings a site is built with, or every mistake in them, located."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from roundtable.content.read import read_config
from roundtable.errors import ContentError
from roundtable.incremental.cache import BuildCache, memoised
from roundtable.model import SiteConfig


def load_config(
    path: Path, display: str, base_url: str | None = None, memo: BuildCache | None = None
) -> tuple[SiteConfig | None, list[ContentError]]:
    """Read a site.yml as a build does: its bytes, then checked and remembered in a memo."""
    return read_config(
        path.parent,
        display.rsplit("/", 1)[0],
        base_url,
        partial(memoised, memo or BuildCache(None), "checked"),
    )


GOOD = "title: Forum\nbase_url: https://e.org/forum\n"


def load(tmp_path: Path, text: str, base_url: str | None = None) -> tuple[object, list[str]]:
    """Write site.yml, load it, and return the config and the error lines."""
    (tmp_path / "site.yml").write_text(text)
    config, errors = load_config(tmp_path / "site.yml", "content/site.yml", base_url)
    return config, [str(error) for error in errors]


def test_every_setting_is_read_and_base_url_ends_with_a_slash(tmp_path: Path) -> None:
    text = GOOD + (
        "tagline: Essays\nlanguage: es\norganization: Org\ndisclaimer: Views are theirs.\n"
        "allow_html: true\nsearch: false\n"
    )
    assert load(tmp_path, text) == (
        SiteConfig(
            title="Forum",
            base_url="https://e.org/forum/",
            tagline="Essays",
            language="es",
            organization="Org",
            disclaimer="Views are theirs.",
            allow_html=True,
            search=False,
        ),
        [],
    )


def test_defaults(tmp_path: Path) -> None:
    config, _ = load(tmp_path, "title: Forum\nbase_url: http://localhost:8000/\n")
    assert config == SiteConfig(title="Forum", base_url="http://localhost:8000/")
    assert isinstance(config, SiteConfig) and config.search and not config.allow_html


def test_command_line_base_url_replaces_the_files(tmp_path: Path) -> None:
    config, _ = load(tmp_path, GOOD, base_url="https://preview.e.org")
    assert isinstance(config, SiteConfig) and config.base_url == "https://preview.e.org/"


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    config, errors = load_config(tmp_path / "site.yml", "content/site.yml")
    assert config is None
    assert [str(error) for error in errors] == [
        "content/site.yml: site.yml is missing (create it with 'title:' and 'base_url:')"
    ]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://e.org/", "is not an absolute http(s) URL (write e.g. https://example.org/forum/)"),
        (
            "https:///forum/",
            "is not an absolute http(s) URL (write e.g. https://example.org/forum/)",
        ),
        ("/forum/", "is not an absolute http(s) URL (write e.g. https://example.org/forum/)"),
        ("https://e.org/?page=1", "has a query or fragment (remove everything after ? or #)"),
        ("https://e.org/#top", "has a query or fragment (remove everything after ? or #)"),
    ],
)
def test_bad_base_url_is_located(tmp_path: Path, url: str, message: str) -> None:
    config, errors = load(tmp_path, f"title: Forum\nbase_url: '{url}'\n")
    assert config is None
    assert errors == [f"content/site.yml:2: base_url: '{url}' {message}"]


def test_bad_base_url_from_the_command_line_is_refused(tmp_path: Path) -> None:
    config, errors = load(tmp_path, GOOD, base_url="e.org")
    assert config is None
    assert errors == [
        "content/site.yml:2: base_url: 'e.org' is not an absolute http(s) URL "
        "(write e.g. https://example.org/forum/)"
    ]


def test_yaml_and_schema_mistakes_are_located(tmp_path: Path) -> None:
    assert load(tmp_path, "title: [unclosed\n")[1][0].startswith("content/site.yml:1: ")
    config, errors = load(tmp_path, "title: Forum\ntitel: x\n")
    assert config is None
    assert len(errors) == 2
    assert any(line.startswith("content/site.yml:2: unknown field 'titel'") for line in errors)
    assert any("missing required field 'base_url'" in line for line in errors)


def test_memo_recalls_per_base_url(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text(GOOD)
    memo = BuildCache(None)
    first = load_config(tmp_path / "site.yml", "content/site.yml", None, memo)
    again = load_config(tmp_path / "site.yml", "content/site.yml", None, memo)
    other = load_config(tmp_path / "site.yml", "content/site.yml", "https://x.org/", memo)
    assert first == again
    assert first[0] is not None and first[0].base_url == "https://e.org/forum/"
    assert other[0] is not None and other[0].base_url == "https://x.org/"


def test_errors_are_values_with_a_line_number() -> None:
    missing = load_config(Path("/nonexistent/site.yml"), "content/site.yml")[1]
    assert missing == [
        ContentError(
            "content/site.yml", 0, "site.yml is missing (create it with 'title:' and 'base_url:')"
        )
    ]


def test_broken_yaml_is_explained_whole(tmp_path: Path) -> None:
    assert load(tmp_path, "title: [unclosed\n")[1] == [
        "content/site.yml:1: invalid YAML: did not find expected ',' or ']' (the list opened on "
        "this line is not closed with ']')"
    ]


def test_memo_recalls_the_same_bytes_of_the_same_file_only(tmp_path: Path) -> None:
    memo = BuildCache(None)
    site_yml = tmp_path / "site.yml"
    site_yml.write_text("title: Forum\nbase_url: x\n")
    for display in ("content/site.yml", "other/site.yml"):
        _, errors = load_config(site_yml, display, None, memo)
        assert [str(error) for error in errors] == [
            f"{display}:2: base_url: 'x' is not an absolute http(s) URL "
            "(write e.g. https://example.org/forum/)"
        ]
    site_yml.write_text("title: Forum\nbase_url: https://e.org/\n")
    config, errors = load_config(site_yml, "content/site.yml", None, memo)
    assert errors == [] and config is not None and config.base_url == "https://e.org/"
