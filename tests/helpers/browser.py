"""Headless Chromium via Playwright, axe-core checks, and a local HTTP server for built sites."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .validators import axe_source

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_RUN = """async (opts) => {
  const res = await axe.run(document, opts);
  return res.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


def chromium_path() -> str | None:
    """Return the Chromium executable: $CHROMIUM, /usr/bin/chromium, or chromium on PATH."""
    env = os.environ.get("CHROMIUM")
    if env and os.access(env, os.X_OK):
        return env
    if os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    return shutil.which("chromium")


@contextmanager
def launch_browser(**context_options: Any) -> Iterator[BrowserContext]:
    """Yield a headless Chromium BrowserContext with a fresh, afterwards-deleted profile."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError(f"Chromium not found at {DEFAULT_CHROMIUM}")
    profile = tempfile.mkdtemp(prefix="roundtable-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=exe, headless=True, args=CHROMIUM_ARGS, **context_options
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def axe_violations(
    page: Page, source: str | None = None, options: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run axe-core on the loaded page; return violations as {id, impact, help, helpUrl, nodes}."""
    src = source or axe_source()
    if src is None:
        raise RuntimeError("axe-core not found (run npm ci)")
    if not page.evaluate("typeof window.axe === 'object'"):
        with contextlib.suppress(Exception):  # a page CSP may forbid inline scripts
            page.add_script_tag(content=src)
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(f"() => {{ {src}\n}}")
    opts = {"resultTypes": ["violations"], **(options or {})}
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, opts)
    return violations


def format_violations(violations: Sequence[dict[str, Any]]) -> str:
    """Render axe violations one per line, for assertion messages."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {', '.join(v['nodes'][:5])}" for v in violations
    )


def _normalize_mount(mount: str) -> str:
    """Return mount as '/', or '/prefix/' with both slashes."""
    stripped = mount.strip("/")
    return f"/{stripped}/" if stripped else "/"


def _handler(root: Path, mount: str) -> type[SimpleHTTPRequestHandler]:
    """Build a quiet request handler serving root under the URL prefix mount."""

    class Handler(SimpleHTTPRequestHandler):
        """Serve files under mount from root; 404 outside it and for index-less folders."""

        extensions_map = {  # noqa: RUF012 - class attribute mirrors the base class
            **SimpleHTTPRequestHandler.extensions_map,
            ".webmanifest": "application/manifest+json",
            ".woff2": "font/woff2",
            ".xml": "application/xml",
            ".json": "application/json",
        }

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            """Fix the served directory to root."""
            super().__init__(*args, directory=str(root), **kwargs)

        def send_head(self) -> Any:
            """Reply 404 to paths outside the mount; otherwise serve as usual."""
            path = urlsplit(self.path).path
            if not (path.startswith(mount) or path + "/" == mount):
                self.send_error(404, "Outside the mounted site")
                return None
            return super().send_head()

        def translate_path(self, path: str) -> str:
            """Map a URL under the mount to a file under root."""
            bare = urlsplit(path).path
            rest = bare[len(mount) - 1 :] if bare.startswith(mount) else "/"
            return super().translate_path(rest)

        def list_directory(self, path: str | os.PathLike[str]) -> None:
            """Refuse directory listings: a folder without index.html is a 404."""
            self.send_error(404, "No index.html")

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    return Handler


@contextmanager
def serve_directory(root: Path, mount: str = "/") -> Iterator[str]:
    """Serve root over HTTP on 127.0.0.1 at a free port; yield the base URL ending in mount."""
    prefix = _normalize_mount(mount)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(Path(root), prefix))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="serve_directory", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
