"""Wrappers for the Nu Html Checker (vnu.jar), axe-core and Lighthouse from node_modules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_BIN = NODE_MODULES / ".bin" / "lighthouse"
VNU_BATCH = 400  # files per JVM run; keeps the command line well under ARG_MAX


def find_vnu() -> list[str] | None:
    """Return the command that runs vnu.jar, or None if java or the jar is missing."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        return None
    return [java, "-Xss8m", "-jar", str(VNU_JAR)]


def _vnu_messages(cmd: list[str], paths: Sequence[Path]) -> list[dict[str, object]]:
    """Run vnu once over paths and return its JSON messages."""
    args = [*cmd, "--format", "json", "--errors-only", "--exit-zero-always", "--stdout"]
    proc = subprocess.run(
        [*args, *map(str, paths)], capture_output=True, text=True, timeout=600, check=False
    )
    try:
        messages: list[dict[str, object]] = json.loads(proc.stdout)["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"vnu gave no JSON (exit {proc.returncode}): {proc.stderr}") from exc
    return messages


def _url_to_path(url: str) -> Path:
    """Turn vnu's file: URL back into a resolved Path."""
    return Path(unquote(urlsplit(url).path)).resolve()


def vnu_errors(paths: Sequence[Path]) -> list[str]:
    """Validate HTML files with vnu in as few JVM runs as possible; return 'file:line: message'."""
    cmd = find_vnu()
    if cmd is None:
        raise RuntimeError("Java or vnu-jar not found (run npm ci; needs java)")
    names = {Path(p).resolve(): str(p) for p in paths}
    files = list(names)
    errors: list[str] = []
    for start in range(0, len(files), VNU_BATCH):
        for msg in _vnu_messages(cmd, files[start : start + VNU_BATCH]):
            if msg.get("type") not in ("error", "non-document-error"):
                continue
            where = _url_to_path(str(msg.get("url", "")))
            name = names.get(where, str(where))
            line = msg.get("lastLine", msg.get("firstLine", 0))
            errors.append(f"{name}:{line}: {msg.get('message', '')}")
    return errors


@cache
def axe_source() -> str | None:
    """Return the text of axe-core's axe.min.js, or None if it is not installed."""
    return AXE_JS.read_text(encoding="utf-8") if AXE_JS.is_file() else None


def lighthouse_cmd() -> list[str] | None:
    """Return the command that runs Lighthouse from node_modules, or None if missing."""
    if not LIGHTHOUSE_BIN.exists() or shutil.which("node") is None:
        return None
    return [str(LIGHTHOUSE_BIN)]


def run_lighthouse(
    url: str, chrome: str, categories: Sequence[str] = ("accessibility",), timeout: float = 300
) -> dict[str, object]:
    """Run Lighthouse headless against url with the given Chromium; return the JSON report."""
    cmd = lighthouse_cmd()
    if cmd is None:
        raise RuntimeError("Lighthouse not found (run npm ci)")
    flags = "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run"
    flags += " --disable-background-networking --disable-component-update --disable-sync"
    args = [*cmd, url, "--output=json", "--output-path=stdout", "--quiet"]
    args += [f"--chrome-flags={flags}", f"--only-categories={','.join(categories)}"]
    env = {**os.environ, "CHROME_PATH": chrome}
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"lighthouse failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    report: dict[str, object] = json.loads(proc.stdout)
    return report
