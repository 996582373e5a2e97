"""The content editor: config.yml made from the schema, the files under /admin/, the local
backend's protocol and its gate (the browser side is in test_cms_browser.py)."""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.server import dev_server
from helpers.site import FIXTURES, REPO, copy_project, html_files, run_subprocess, sample_project

from roundtable.commands import local_cms
from roundtable.commands.cli import build_options
from roundtable.commands.local_cms import Refused, RequestFacts
from roundtable.content.read import read_site
from roundtable.content.schema import EssayFields
from roundtable.model import Site
from roundtable.publish import cms


def site_of(project: Path) -> Site:
    """Read a project's content into the site model."""
    args = argparse.Namespace(content=str(project / "content"), drafts=False, command="build")
    site, errors = read_site(build_options(args, None))
    assert errors == []
    return site


def config_of(site: Site, essay_schema: type[EssayFields] | None = None) -> dict[str, Any]:
    """Return the editor's configuration for a site."""
    return cms.config(site.config, cms.choices_of(site), essay_schema)


def fields_by_name(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return a collection's form fields by name."""
    return {field["name"]: field for field in collection["fields"]}


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The bilingual fixture site, read."""
    return site_of(copy_project(FIXTURES / "bilingual", tmp_path_factory.mktemp("b") / "p"))


@pytest.fixture(scope="module")
def essays(bilingual: Site) -> dict[str, dict[str, Any]]:
    """The essay form of the bilingual site, by field name."""
    return fields_by_name(config_of(bilingual)["collections"][0])


def test_every_essay_field_of_the_schema_has_its_widget(essays: dict[str, dict[str, Any]]) -> None:
    assert set(essays) == set(EssayFields.model_fields) - {"extra"} | {"body"}
    widgets = {name: field["widget"] for name, field in essays.items()}
    assert widgets["title"] == "string"
    assert widgets["summary"] == "text"
    assert widgets["date"] == "datetime"
    assert widgets["order"] == "number"
    assert widgets["draft"] == "boolean"
    assert widgets["tags"] == "list"
    assert widgets["image"] == widgets["source"] == "object"
    assert widgets["body"] == "markdown"
    assert {f["name"]: f["widget"] for f in essays["image"]["fields"]}["src"] == "image"
    assert next(f["name"] for f in essays["author"]["forms"]) == "name"


def test_required_fields_are_required(essays: dict[str, dict[str, Any]]) -> None:
    required = {name for name, field in essays.items() if field["required"]}
    assert required == {"title", "author", "roundtable"}
    alt = {f["name"]: f for f in essays["image"]["fields"]}["alt"]
    assert not alt["required"] and "Needed when image" in alt["hint"]


def test_choices_come_from_the_site(bilingual: Site, essays: dict[str, dict[str, Any]]) -> None:
    roundtables = {(r.title, r.slug) for r in bilingual.roundtables}
    options = essays["roundtable"]["options"]
    assert {(o["label"], o["value"]) for o in options} == roundtables
    assert essays["lang"]["options"] == ["en", "es"]
    name = {f["name"]: f for f in essays["author"]["forms"]}["name"]
    for author in bilingual.authors:
        assert author.person.name in name["hint"]


def test_a_field_added_to_the_schema_appears_in_the_form(bilingual: Site) -> None:
    class Extended(EssayFields):
        reading_minutes: int | None = None
        embargoed: bool = False

    fields = fields_by_name(config_of(bilingual, Extended)["collections"][0])
    assert fields["reading_minutes"]["widget"] == "number"
    assert fields["embargoed"] == {
        "name": "embargoed",
        "label": "Embargoed",
        "widget": "boolean",
        "required": False,
        "default": False,
    }


def test_the_backend_and_folders_come_from_site_yml(bilingual: Site) -> None:
    config = config_of(bilingual)
    assert config["backend"] == {"name": "github", "branch": "main"}
    assert config["publish_mode"] == "editorial_workflow"
    assert [c["folder"] for c in config["collections"]] == ["content/essays", "content/roundtables"]
    assert config["media_folder"] == "content/images"


def sample_with(tmp_path: Path, settings: str) -> Path:
    """Copy the sample project with lines added to its site.yml; return the project."""
    project = sample_project(tmp_path / "p")
    site_yml = project / "content" / "site.yml"
    site_yml.write_text(site_yml.read_text() + settings)
    return project


def build(project: Path, output: Path) -> None:
    """Build a project, which must succeed."""
    run = run_subprocess(["build", "--output", str(output)], cwd=project)
    assert run.status == 0, run.err


def test_the_built_site_has_the_editor_and_no_reader_page_links_to_it(tmp_path: Path) -> None:
    settings = "repo: forum/website\nbranch: drafts\ncms_auth: https://auth.example.org\n"
    build(sample_with(tmp_path, settings), tmp_path / "site")
    admin = tmp_path / "site" / "admin"
    config = yaml.safe_load((admin / "config.yml").read_text())
    assert config["backend"] == {
        "name": "github",
        "branch": "drafts",
        "repo": "forum/website",
        "base_url": "https://auth.example.org",
    }
    scripts = re.findall(r'src="([^"]+)"', (admin / "index.html").read_text())
    assert scripts == ["manual-init.js", "decap-cms.js", "init.js"]
    assert all((admin / script).is_file() for script in scripts)
    assert (admin / "LICENSE").is_file()
    readers = [p for p in html_files(tmp_path / "site") if "admin" not in p.parts]
    assert readers and not [
        p for p in readers if "admin/" in p.read_text() or "decap" in p.read_text()
    ]


def test_cms_false_publishes_no_editor(tmp_path: Path) -> None:
    build(sample_with(tmp_path, "cms: false\n"), tmp_path / "site")
    assert not (tmp_path / "site" / "admin").exists()


def test_a_repo_that_is_not_owner_slash_name_is_a_located_error(tmp_path: Path) -> None:
    project = sample_with(tmp_path, "repo: https://github.com/forum/website\n")
    run = run_subprocess(["check"], cwd=project)
    assert run.status == 1
    assert run.error_lines == [
        "content/site.yml:7: repo: expected a GitHub repository, found "
        "'https://github.com/forum/website' (write it as owner/name, e.g. forum/website)"
    ]


def test_the_bundle_is_the_pinned_version_and_init_names_the_local_api() -> None:
    pinned = re.search(r'VERSION = "([^"]+)"', (REPO / "tools" / "update-decap").read_text())
    assert pinned and (cms.BUNDLE / "VERSION").read_text().startswith(f"decap-cms {pinned[1]} ")
    assert json.dumps(cms.LOCAL_API) in (cms.SCRIPTS / "init.js").read_text()


# The local backend's protocol (decap-server's, file-system mode).


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the sample content."""
    return sample_project(tmp_path / "p") / "content"


def ask(content: Path, action: str, **params: Any) -> Any:
    """Send one request to the local backend."""
    return local_cms.answer(content, {"action": action, "params": {"branch": "main", **params}})


def test_info_says_a_file_system_that_saves_at_once(content: Path) -> None:
    info = ask(content, "info")
    assert info["publish_modes"] == ["simple"] and info["type"] == "local_fs"


def test_entries_are_read_written_and_moved_under_content(content: Path) -> None:
    listed = ask(content, "entriesByFolder", folder="content/essays", extension="md", depth=1)
    files = len(list((content / "essays").iterdir()))
    assert len(listed) == files
    assert all(e["file"]["path"].startswith("content/essays/") for e in listed)
    raw = "---\ntitle: T\n---\nBody\n"
    entry = {"path": "content/essays/t.md", "slug": "t", "raw": raw}
    ask(content, "persistEntry", dataFiles=[entry], assets=[], options={})
    assert (content / "essays" / "t.md").read_text() == raw
    assert ask(content, "getEntry", path="content/essays/t.md")["data"] == raw
    moved = {**entry, "newPath": "content/essays/u.md"}
    ask(content, "persistEntry", dataFiles=[moved], assets=[], options={})
    assert not (content / "essays" / "t.md").exists()
    assert (content / "essays" / "u.md").read_text() == raw
    assert len(list((content / "essays").iterdir())) == files + 1  # only the entry moved


def test_a_picture_uploaded_is_written_and_listed(content: Path) -> None:
    data = base64.b64encode(b"\x89PNG picture").decode()
    asset = {"path": "content/images/new.png", "content": data, "encoding": "base64"}
    written = ask(content, "persistMedia", asset=asset)
    assert written["name"] == "new.png" and (content / "images" / "new.png").exists()
    names = [m["name"] for m in ask(content, "getMedia", mediaFolder="content/images")]
    assert "new.png" in names


@pytest.mark.parametrize(
    "path",
    [
        "../outside.md",
        "content/../outside.md",
        "content/essays/../../outside.md",
        "/etc/passwd",
        "site.yml",
        "content/.git/config.md",
        "content//essays/x.md",
        "content\\..\\outside.md",
    ],
)
def test_no_path_outside_content_is_written(content: Path, path: str) -> None:
    entry = {"path": path, "slug": "x", "raw": "x"}
    with pytest.raises(Refused):
        ask(content, "persistEntry", dataFiles=[entry], assets=[], options={})
    with pytest.raises(Refused):
        ask(content, "getEntry", path=path)
    assert not (content.parent.parent / "outside.md").exists()


def test_only_markdown_and_pictures_are_written(content: Path) -> None:
    entry = {"path": "content/site.yml", "slug": "x", "raw": "title: taken\n"}
    with pytest.raises(Refused):
        ask(content, "persistEntry", dataFiles=[entry], assets=[], options={})
    with pytest.raises(Refused):
        ask(content, "deleteFile", path="content/authors.yml")
    assert "taken" not in (content / "site.yml").read_text()


def test_no_link_is_followed(content: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("secret")
    os.symlink(outside, content / "essays" / "linked")
    with pytest.raises(Refused):
        ask(content, "getEntry", path="content/essays/linked/secret.md")
    entry = {"path": "content/essays/linked/new.md", "slug": "x", "raw": "x"}
    with pytest.raises(Refused):
        ask(content, "persistEntry", dataFiles=[entry], assets=[], options={})
    assert sorted(p.name for p in outside.iterdir()) == ["secret.md"]
    listed = ask(content, "entriesByFolder", folder="content/essays", extension="md", depth=3)
    assert not [e for e in listed if "linked" in e["file"]["path"]]


def facts(**changes: Any) -> RequestFacts:
    """Return a request as the editor's own page on this computer sends it."""
    fields = {
        "client": "127.0.0.1",
        "host": "127.0.0.1:8000",
        "origin": "http://127.0.0.1:8000",
        "content_type": "application/json",
        "body": b'{"action": "info"}',
    }
    return RequestFacts(**(fields | changes))


@pytest.mark.parametrize(
    "changes",
    [
        {"client": "192.168.1.20"},
        {"host": "attacker.example:8000"},
        {"origin": "https://attacker.example"},
        {"origin": "null"},
        {"content_type": "text/plain"},
    ],
)
def test_the_gate_refuses_other_computers_sites_and_forms(
    content: Path, changes: dict[str, str]
) -> None:
    assert local_cms.respond(content, facts())[0] == 200
    status, body = local_cms.respond(content, facts(**changes))
    assert status == 403 and json.loads(body)["error"]


def test_serve_answers_the_editor_and_refuses_a_forged_origin(tmp_path: Path) -> None:
    project = sample_project(tmp_path / "p")
    with dev_server(project) as server:
        for origin, expected in ((server.url.rstrip("/"), 200), ("https://evil.example", 403)):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
            headers = {"Content-Type": "application/json", "Origin": origin}
            conn.request("POST", cms.LOCAL_API, body=b'{"action": "info"}', headers=headers)
            assert conn.getresponse().status == expected
            conn.close()
        status, headers, _ = server.get("/admin/config.yml")
        assert status == 200 and headers["content-type"].startswith("text/yaml")
        assert b"EventSource" not in server.get("/admin/")[2]  # a save must not reload the form


def test_the_editor_page_asks_for_a_repository_only_when_none_is_named(bilingual: Site) -> None:
    unnamed = cms.admin_page(replace(bilingual.config, repo="")).decode()
    named = cms.admin_page(replace(bilingual.config, repo="forum/website")).decode()
    assert '<main id="rt-no-repo" hidden' in unnamed and "repo: owner/name" in unnamed
    assert "rt-no-repo" not in named
    assert named.count("<script") == unnamed.count("<script") == 3
