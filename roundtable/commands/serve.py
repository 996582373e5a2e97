"""The dev server: watch → debounce → rebuild → tell the browsers; the HTTP side; the overlay.

Builds are held in memory and swapped whole, so a request sees the complete old or the complete
new site, never half of each; nothing is written to disk, so the server cannot trigger itself.
Files copied as they are (pictures, assets) are read when asked for, and sent only while each is
the file the last good build saw. Whatever a rebuild raises, and whenever a browser leaves, the
server goes on.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import os
import posixpath
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from stat import S_ISREG
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

from roundtable import urls
from roundtable.commands import local_cms
from roundtable.content.discover import is_ignored
from roundtable.errors import BuildFailed, CannotMake, ContentError
from roundtable.incremental.cache import BuildCache
from roundtable.incremental.search import with_search_index
from roundtable.options import BuildOptions
from roundtable.pipeline import BuildResult, build_site
from roundtable.publish.cms import LOCAL_API
from roundtable.publish.search import find_pagefind
from roundtable.regular_files import read_regular
from roundtable.render.pages import TemplateFailed

EVENTS_PATH = "/__roundtable/events"
DEBOUNCE_SECONDS = 0.12
"""Quiet time after the last change before rebuilding: one save is often several events, and
a busy machine can pause an editor between them (0.05 s let a half-done save show an error)."""
SAVED_SECONDS = 0.04
"""Quiet time after a change that completes a file: written and closed, or moved into place
from a temporary name. Only the rest of the same save (an editor deleting its backup) is left
to come; a half-done save (a file truncated, renamed away) still waits DEBOUNCE_SECONDS."""
MAX_DELAY_SECONDS = 1.0
"""Rebuild at the latest this long after the first change, even if changes keep coming."""
HEARTBEAT_SECONDS = 10.0
BUG_HINT = "a bug in Roundtable: please report it"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".pdf": "application/pdf",
    ".bib": "text/plain; charset=utf-8",
    ".yml": "text/yaml; charset=utf-8",
    ".ris": "text/plain; charset=utf-8",
}
_ENCODED_SEPARATORS = re.compile(r"%(2f|5c|00)", re.IGNORECASE)


FileIdentity = tuple[int, int, int, int]
"""A regular file as a build saw it: device, inode, size, modification time."""


@dataclass(frozen=True)
class Copied:
    """A file the last good build copies as it is, and what that file was then."""

    path: Path
    """Where the file is read from."""
    identity: FileIdentity | None
    """What the file was just after the build; None when it was not a regular file."""


@dataclass(frozen=True)
class Snapshot:
    """One build as the server shows it: its files, and errors if the latest build failed."""

    generation: int
    """Counts builds; browsers reload when it changes."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Rendered files of the last good build."""
    copies: dict[str, Copied] = field(default_factory=dict)
    """Copied files of the last good build, read when asked for, while they are as it saw them."""
    errors: tuple[ContentError, ...] = ()
    """What broke the latest build; empty when it succeeded."""
    indexing: bool = False
    """The search index is being made and not served yet (the search page says "updating")."""


class LiveSite:
    """Holds the current snapshot, rebuilds it, and wakes the browsers waiting for changes."""

    def __init__(self, options: BuildOptions) -> None:
        self.options = options  # output=None: builds stay in memory
        self.snapshot = Snapshot(0)
        self.changed = threading.Condition()
        self.stopping = False
        self.cache = BuildCache(options.cache_dir)
        self.last_good: BuildResult | None = None
        self.index = ServedIndex()

    def rebuild(self) -> Snapshot:
        """Build the site, reusing the last build's work; keep its files when the build fails."""
        started = time.perf_counter()
        outcome = _build_errors(self.options, self.cache, self.last_good)
        previous = self.snapshot
        if isinstance(outcome, tuple):
            snapshot = Snapshot(previous.generation + 1, previous.files, previous.copies, outcome)
            _log(f"{len(outcome)} error(s); still serving the last good site:")
            for error in outcome:
                _log(f"  {error}")
        else:
            self.last_good = outcome
            searched = outcome.site is not None and outcome.site.config.search
            # The last index is served until the new one is made, a second or two later.
            files = outcome.files | self.index.files if searched else outcome.files
            indexing = searched and not self.index.files
            snapshot = Snapshot(
                previous.generation + 1, files, as_seen(outcome.copies), indexing=indexing
            )
            seconds = time.perf_counter() - started
            _log(f"Rebuilt {outcome.rendered} of {len(outcome.files)} files in {seconds:.2f} s")
            if searched:
                threading.Thread(target=self.follow_with_index, args=(snapshot, outcome)).start()
        with self.changed:
            self.snapshot = snapshot
            self.changed.notify_all()
        return snapshot

    def follow_with_index(self, built: Snapshot, outcome: BuildResult) -> None:
        """Index a build's pages (the shards they changed) and serve the index with them."""
        try:
            files = self.index.update(outcome)
        except CannotMake as exc:
            _log(f"error: {exc}")
            return
        with self.changed:
            if self.snapshot.generation != built.generation:
                return  # a newer build follows with its own index
            # Browsers reload only where the index was missing: the search page said "updating".
            generation = built.generation + 1 if built.indexing else built.generation
            self.snapshot = replace(built, generation=generation, files=built.files | files)
            self.changed.notify_all()

    def wait_for_change(self, generation: int, timeout: float) -> int:
        """Wait for a build after `generation` (or the timeout); return the current generation."""
        with self.changed:
            self.changed.wait_for(
                lambda: self.snapshot.generation != generation or self.stopping, timeout
            )
            return self.snapshot.generation

    def stop(self) -> None:
        """Release every waiting browser connection."""
        with self.changed:
            self.stopping = True
            self.changed.notify_all()


class ServedIndex:
    """The search index of the last build it followed, remade shard by shard, one at a time."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        """The index's files."""
        self.manifest: dict[str, str] = {}
        """Their fingerprints: a shard whose pages kept theirs is not made again."""
        self.lock = threading.Lock()

    def update(self, outcome: BuildResult) -> dict[str, bytes]:
        """Index a build's pages, reusing the shards whose pages did not change; return it."""
        with self.lock:
            made, manifest = with_search_index(
                {},
                outcome.manifest,
                self.manifest,
                None,
                outcome.files | self.files,
                find_pagefind(),
                outcome.groups,
            )
            ours = [path for path in manifest if path.startswith(urls.SEARCH_INDEX)]
            self.files = {path: made.get(path) or self.files[path] for path in ours}
            self.manifest = {path: manifest[path] for path in ours}
            return self.files


def _build_errors(
    options: BuildOptions, cache: BuildCache, previous: BuildResult | None
) -> BuildResult | tuple[ContentError, ...]:
    """Return the build result, or the tuple of errors that stopped it."""
    try:
        return build_site(options, cache, previous)
    except BuildFailed as exc:
        return tuple(exc.errors)
    except TemplateFailed as exc:
        return (exc.error,)
    except OSError as exc:
        return (ContentError(str(exc.filename or "build"), 0, f"{exc.strerror} (check the file)"),)
    except Exception as exc:  # a bug of ours: the server must outlive it (issue 24, class 12)
        return (internal_error(exc),)


def internal_error(exc: BaseException) -> ContentError:
    """Name an error that no build should raise, in one line, and ask for a bug report."""
    return ContentError(
        "roundtable",
        0,
        f"internal error: {_named(exc)} ({BUG_HINT}, with the file you saved; undo it meanwhile)",
    )


def _named(exc: BaseException) -> str:
    """Return an exception's type and message on one line."""
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


class Debouncer:
    """Turns bursts of file events into one rebuild, run on a single worker thread."""

    def __init__(self, action: Callable[[], object]) -> None:
        self.action = action
        self.lock = threading.Lock()
        self.pending = threading.Event()
        self.first_change = 0.0
        self.last_change = 0.0
        self.quiet = DEBOUNCE_SECONDS
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="rebuild", daemon=True)

    def start(self) -> None:
        """Start the worker."""
        self.thread.start()

    def poke(self, complete: bool = False) -> None:
        """Note a change; the rebuild runs once changes go quiet.

        `complete` says the change finished a file (closed after writing, or moved into place),
        so a shorter quiet time will do.
        """
        now = time.monotonic()
        with self.lock:
            if not self.pending.is_set():
                self.first_change = now
            self.last_change = now
            self.quiet = SAVED_SECONDS if complete else DEBOUNCE_SECONDS
            self.pending.set()

    def stop(self) -> None:
        """Stop the worker after its current rebuild."""
        self.stopped = True
        self.pending.set()

    def _run(self) -> None:
        """Wait for changes, let them settle, rebuild; repeat."""
        while True:
            self.pending.wait()
            if self.stopped:
                return
            self._settle()
            with self.lock:
                self.pending.clear()
            if self.stopped:  # stop() came while settling (its wake-up was just cleared)
                return
            self.action()

    def _settle(self) -> None:
        """Sleep until changes have been quiet long enough, or MAX_DELAY_SECONDS have passed."""
        while True:
            with self.lock:
                now = time.monotonic()
                quiet_until = self.last_change + self.quiet
                deadline = self.first_change + MAX_DELAY_SECONDS
            if now >= quiet_until or now >= deadline:
                return
            time.sleep(min(quiet_until, deadline) - now)


class _Changes(FileSystemEventHandler):
    """Pokes the debouncer for every relevant change, ignoring editor litter."""

    def __init__(self, debouncer: Debouncer) -> None:
        self.debouncer = debouncer

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's entries changed: each of them has an event of its own
        paths = [event.src_path, getattr(event, "dest_path", "")]
        relevant = [bool(path) and not is_ignored(posixpath.basename(str(path))) for path in paths]
        if any(relevant):
            self.debouncer.poke(complete=_completes_a_file(event, relevant))


def _completes_a_file(event: FileSystemEvent, relevant: list[bool]) -> bool:
    """Return True for a change that leaves a content file whole: written and closed, or moved
    onto its name from an editor's temporary file."""
    if event.is_directory:
        return False
    if event.event_type == "closed":
        return True
    return event.event_type == "moved" and relevant == [False, True]


class Watcher(FileSystemEventHandler):
    """Watches folders recursively, and watches one afresh when it is deleted and made again.

    A watch ends with the folder it watches (and follows a folder renamed away), so each
    folder's parent is watched too: when the folder's own entry there is created, deleted or
    moved, the folder is watched again as it now is (issue 24: a `content/` replaced whole
    stopped every rebuild).
    """

    def __init__(self, folders: list[Path], debouncer: Debouncer) -> None:
        self.observer = Observer()
        self.changes = _Changes(debouncer)
        self.debouncer = debouncer
        self.watches: dict[str, ObservedWatch | None] = {os.path.abspath(f): None for f in folders}
        self.lock = threading.Lock()

    def start(self) -> None:
        """Watch every folder, and the parent of each, then start the observer."""
        for folder in self.watches:
            self._watch(folder)
        for parent in sorted({os.path.dirname(folder) for folder in self.watches}):
            _schedule(self.observer, self, parent, recursive=False)
        self.observer.start()

    def stop(self) -> None:
        """Stop watching."""
        self.observer.stop()
        self.observer.join(timeout=2)

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Watch a folder afresh when its own entry in its parent changes; rebuild."""
        if event.event_type not in ("created", "deleted", "moved"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            folder = os.path.abspath(os.fsdecode(path)) if path else ""
            if folder in self.watches:
                self._watch(folder)
                self.debouncer.poke()

    def _watch(self, folder: str) -> None:
        """Watch a folder recursively as it is now, dropping the watch it had."""
        with self.lock:
            old, self.watches[folder] = self.watches[folder], None
            if old is not None:
                with contextlib.suppress(KeyError):
                    self.observer.unschedule(old)
            if os.path.isdir(folder):
                watch = _schedule(self.observer, self.changes, folder, recursive=True)
                self.watches[folder] = watch


def _schedule(
    observer: BaseObserver, handler: FileSystemEventHandler, folder: str, *, recursive: bool
) -> ObservedWatch | None:
    """Watch a folder; say on one line why it cannot be watched, unless it is gone again (its
    parent's event then comes next)."""
    try:
        watch: ObservedWatch = observer.schedule(handler, folder, recursive=recursive)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        _log(
            f"{folder}: cannot watch for changes: {exc.strerror or exc} (saves there are not "
            "seen; on Linux, raise fs.inotify.max_user_watches, then restart serve)"
        )
        return None
    return watch


@contextmanager
def watching(folders: list[Path], debouncer: Debouncer) -> Iterator[None]:
    """Watch folders recursively while the generator is suspended."""
    watcher = Watcher(folders, debouncer)
    watcher.start()
    try:
        yield
    finally:
        watcher.stop()


def resolve_request(raw_path: str, snapshot: Snapshot) -> tuple[str, str | None]:
    """Map a request path to ('file', key), ('redirect', location) or ('missing', None).

    Decodes once and refuses what could climb out: encoded separators, backslashes, NUL, `..`.
    """
    path = urlsplit(raw_path).path
    if _ENCODED_SEPARATORS.search(path):
        return "missing", None
    decoded = unquote(path)
    if "\\" in decoded or "\x00" in decoded or ".." in decoded.split("/"):
        return "missing", None
    key = decoded.lstrip("/")
    if key == "" or key.endswith("/"):
        index = key + "index.html"
        return ("file", index) if _has(snapshot, index) else ("missing", None)
    if _has(snapshot, key):
        return "file", key
    if _has(snapshot, key + "/index.html"):
        # From the key, not the raw path: '////essays' must not redirect to '//essays/', which
        # a browser reads as another host.
        return "redirect", "/" + key + "/"
    return "missing", None


def _has(snapshot: Snapshot, key: str) -> bool:
    """Return True when the snapshot holds a file at this output path."""
    return key in snapshot.files or key in snapshot.copies


def _read(snapshot: Snapshot, key: str) -> bytes | None:
    """Return a file's bytes from the snapshot; None for a copied file changed since."""
    if key in snapshot.files:
        return snapshot.files[key]
    return read_as_built(snapshot.copies[key])


def as_seen(copies: Mapping[str, Path]) -> dict[str, Copied]:
    """Return each copied file with what it is just after the build that listed it."""
    seen = {}
    for rel, path in copies.items():
        try:
            identity = _identity(os.lstat(path))
        except OSError:
            identity = None
        seen[rel] = Copied(path, identity)
    return seen


def _identity(stat: os.stat_result) -> FileIdentity | None:
    """Return what a stat says a regular file is; None for anything else."""
    if not S_ISREG(stat.st_mode):
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def read_as_built(copied: Copied) -> bytes | None:
    """Return a copied file's bytes while it is the very file the last good build saw.

    serve reads copied files when they are asked for, long after the build: what replaced one
    since (a link, a hard link, a FIFO, a parent folder swapped for a link, new bytes) is
    another file, or the same one changed, and is served only once a build has read it.
    """
    read = read_regular(copied.path)
    if read is None or _identity(read.stat) != copied.identity:
        return None
    return read.data


def content_type(key: str) -> str:
    """Return the Content-Type of an output path."""
    suffix = posixpath.splitext(key)[1].lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def reload_script(generation: int) -> str:
    """Return the script injected into served pages: reload when the site's generation changes."""
    return (
        f"<script>(()=>{{const g={generation};const s=new EventSource({json.dumps(EVENTS_PATH)});"
        "s.addEventListener('build',e=>{if(Number(e.data)!==g){s.close();location.reload();}});"
        "})();</script>"
    )


def overlay(errors: tuple[ContentError, ...]) -> str:
    """Return the error overlay shown on every page while the latest build is broken."""
    items = "".join(f"<li>{html.escape(str(e))}</li>" for e in errors)
    return (
        '<div id="rt-dev-overlay" role="alert" style="position:fixed;inset:0;z-index:2147483647;'
        "overflow:auto;background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 ui-monospace,"
        'Menlo,Consolas,monospace;padding:2rem"><p style="font-weight:bold;color:#ff8a80;'
        'margin:0 0 1rem">The site could not be rebuilt. Fix these and save; this page reloads '
        'by itself.</p><ul style="margin:0;padding-left:1.2rem">'
        f"{items}</ul></div>"
    )


def inject(page: bytes, snapshot: Snapshot) -> bytes:
    """Add the reload script (and the overlay, if broken) before </body> of a served page."""
    extra = reload_script(snapshot.generation)
    if snapshot.indexing:
        extra = "<script>window.roundtableIndexing = true;</script>" + extra
    if snapshot.errors:
        extra = overlay(snapshot.errors) + extra
    text = page.decode("utf-8")
    at = text.rfind("</body>")
    at = len(text) if at < 0 else at
    return (text[:at] + extra + text[at:]).encode("utf-8")


EMPTY_PAGE = b"<!doctype html><html lang=en><title>Roundtable</title><body></body></html>"


def handler_for(current: Callable[[], LiveSite]) -> type[BaseHTTPRequestHandler]:
    """Return a request handler class bound to the live site `current()` returns."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "roundtable"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if urlsplit(self.path).path == EVENTS_PATH:
                self._events()
            else:
                self._page(send_body=True)

        def do_HEAD(self) -> None:
            self._page(send_body=False)

        def do_POST(self) -> None:
            """Answer the content editor (Decap's local backend); nothing else takes a POST."""
            wanted = urlsplit(self.path).path == LOCAL_API
            facts = local_cms.read_request(self, str(self.client_address[0])) if wanted else None
            if facts is None:
                self.close_connection = True
                self._send(HTTPStatus.NOT_FOUND, b"", "text/plain", {"Connection": "close"}, True)
                return
            status, body = local_cms.respond(current().options.content, facts)
            self._send(HTTPStatus(status), body, "application/json", {}, True)

        def _page(self, send_body: bool) -> None:
            snapshot = current().snapshot
            kind, key = resolve_request(self.path, snapshot)
            body = _read(snapshot, key) if kind == "file" and key else None
            if kind == "redirect" and key:
                self._send(
                    HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", {"Location": key}, send_body
                )
            elif body is not None and key:
                ctype = content_type(key)
                if ctype.startswith("text/html") and not key.startswith(urls.ADMIN):
                    # Not the editor's page: a save rebuilds the site, and a reload loses the form.
                    body = inject(body, snapshot)
                self._send(HTTPStatus.OK, body, ctype, {}, send_body)
            else:
                missing = snapshot.files.get(urls.NOT_FOUND, EMPTY_PAGE)
                self._send(
                    HTTPStatus.NOT_FOUND, inject(missing, snapshot), _TYPES[".html"], {}, send_body
                )

        def _send(
            self,
            status: HTTPStatus,
            body: bytes,
            ctype: str,
            headers: dict[str, str],
            send_body: bool,
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.close_connection = True
            live = current()
            generation = live.snapshot.generation
            try:
                self._event(generation)
                while not live.stopping:
                    latest = live.wait_for_change(generation, HEARTBEAT_SECONDS)
                    if latest != generation:
                        generation = latest
                        self._event(generation)
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                        self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

        def _event(self, generation: int) -> None:
            self.wfile.write(f"event: build\ndata: {generation}\n\n".encode())
            self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            """Stay quiet: editors want build messages, not an access log."""

    return Handler


class Server(ThreadingHTTPServer):
    """A threading HTTP server whose connection threads never block shutdown."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Say nothing of a browser that left mid-answer; name anything else in one line."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, ConnectionError | TimeoutError):
            return  # a tab closed or reloaded early: an everyday event, not a problem
        _log(f"roundtable: internal error answering a request: {_named(error)} ({BUG_HINT})")


def _log(message: str) -> None:
    """Print a server message at once."""
    print(message, flush=True)


def serve(
    make_options: Callable[[str], BuildOptions], host: str, port: int, watched: list[Path]
) -> int:
    """Build, serve, and rebuild on every change until Ctrl-C; return the exit status."""
    live_box: list[LiveSite] = []
    try:
        server = Server((host, port), handler_for(lambda: live_box[0]))
    except OSError as exc:
        print(
            f"error: cannot listen on {host}:{port}: {exc.strerror} "
            f"(another server may be running; try --port {port + 1})",
            file=sys.stderr,
        )
        return 2
    url = f"http://{f'[{host}]' if ':' in host else host}:{server.server_address[1]}/"
    live = LiveSite(make_options(url))
    live_box.append(live)
    live.rebuild()
    debouncer = Debouncer(live.rebuild)
    debouncer.start()
    _log(f"Serving on {url} (Ctrl-C to stop)")
    try:
        with watching(watched, debouncer):
            server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        _log("Stopped.")
    finally:
        live.stop()
        debouncer.stop()
        server.server_close()
        # A rebuild still running uses the cache: let it finish (or give up on it) before closing.
        debouncer.thread.join(timeout=1)
        if not debouncer.thread.is_alive():
            live.cache.close()
    return 0
