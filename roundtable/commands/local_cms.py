"""Decap CMS's local backend, inside `serve`: the form reads and writes content/ directly.

This answers the small JSON protocol of `decap-server` in its file-system mode (npm
decap-server 3.11, src/middlewares/localFs): one POST per action, `{"action", "params"}` in,
JSON out. Doing it here spares an editor a Node server on port 8081. It is stricter than
decap-server: paths are the repository's `content/…` only, never through a link, never
hidden files, and only Markdown and pictures are written or deleted. Requests come from the
browser of whoever runs `serve`; `serve` only lets them through on this computer.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from stat import S_ISDIR, S_ISLNK
from typing import Any

from roundtable.publish.cms import CONTENT
from roundtable.regular_files import read_regular

WRITABLE = frozenset({".md", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".pdf"})
"""What the editor may write or delete: essays and roundtables, pictures, PDFs."""
MAX_DEPTH = 8
"""How deep a folder listing goes at most, whatever the request asks."""


class Refused(Exception):
    """A request the local backend will not carry out; the message says why."""


Answer = Any
"""A JSON value sent back to Decap."""


def answer(content: Path, request: Any) -> Answer:
    """Carry out one request of Decap's local-backend protocol on the content folder."""
    if not isinstance(request, dict) or not isinstance(request.get("action"), str):
        raise Refused("expected a JSON object with an 'action'")
    action = _ACTIONS.get(request["action"])
    if action is None:
        raise Refused(f"Unknown action {request['action']}")
    params = request.get("params") or {}
    if not isinstance(params, dict):
        raise Refused("'params' must be a JSON object")
    return action(content, params)


def _info(content: Path, params: dict[str, Any]) -> Answer:
    """Say what this backend is: a file system, saving at once (no editorial workflow)."""
    return {"repo": content.resolve().parent.name, "publish_modes": ["simple"], "type": "local_fs"}


def _entries_by_folder(content: Path, params: dict[str, Any]) -> Answer:
    """Return every entry file under a folder with the extension asked for."""
    folder = _path(params, "folder")
    extension = _text(params, "extension")
    depth = min(int(params.get("depth") or 1), MAX_DEPTH)
    found = _list(content, folder, depth)
    return [_entry(content, path) for path in found if path.endswith(extension)]


def _entries_by_files(content: Path, params: dict[str, Any]) -> Answer:
    """Return the entries of the files asked for."""
    files = params.get("files")
    if not isinstance(files, list):
        raise Refused("'files' must be a list")
    return [{**_entry(content, _path(f, "path")), "label": f.get("label")} for f in files]


def _get_entry(content: Path, params: dict[str, Any]) -> Answer:
    """Return one entry."""
    return _entry(content, _path(params, "path"))


def _persist_entry(content: Path, params: dict[str, Any]) -> Answer:
    """Write an entry's files and its pictures; move the entry when it was renamed."""
    files = params.get("dataFiles") or [params.get("entry")]
    assets = params.get("assets") or []
    if not isinstance(files, list) or not isinstance(assets, list):
        raise Refused("'dataFiles' and 'assets' must be lists")
    for asset in assets:
        _write(content, _path(asset, "path"), _decoded(asset))
    for data in files:
        _write(content, _path(data, "path"), _text(data, "raw").encode("utf-8"))
    for data in files:
        if data.get("newPath"):
            _move(content, _path(data, "path"), _path(data, "newPath"))
    return {"message": "entry persisted"}


def _get_media(content: Path, params: dict[str, Any]) -> Answer:
    """Return every file in the media folder."""
    folder = _path(params, "mediaFolder")
    return [_media(content, path) for path in _list(content, folder, 1)]


def _get_media_file(content: Path, params: dict[str, Any]) -> Answer:
    """Return one media file."""
    return _media(content, _path(params, "path"))


def _persist_media(content: Path, params: dict[str, Any]) -> Answer:
    """Write one uploaded picture."""
    asset = params.get("asset")
    path = _path(asset, "path")
    _write(content, path, _decoded(asset))
    return _media(content, path)


def _delete_file(content: Path, params: dict[str, Any]) -> Answer:
    """Delete one file."""
    path = _path(params, "path")
    _delete(content, path)
    return {"message": f"deleted file {path}"}


def _delete_files(content: Path, params: dict[str, Any]) -> Answer:
    """Delete several files."""
    paths = params.get("paths")
    if not isinstance(paths, list):
        raise Refused("'paths' must be a list")
    checked = [_path({"path": path}, "path") for path in paths]
    for path in checked:
        _delete(content, path)
    return {"message": f"deleted files {', '.join(checked)}"}


def _no_preview(content: Path, params: dict[str, Any]) -> Answer:
    """Say there is no deploy preview: serve's own preview is the site itself."""
    return None


_ACTIONS: dict[str, Callable[[Path, dict[str, Any]], Answer]] = {
    "info": _info,
    "entriesByFolder": _entries_by_folder,
    "entriesByFiles": _entries_by_files,
    "getEntry": _get_entry,
    "persistEntry": _persist_entry,
    "getMedia": _get_media,
    "getMediaFile": _get_media_file,
    "persistMedia": _persist_media,
    "deleteFile": _delete_file,
    "deleteFiles": _delete_files,
    "getDeployPreview": _no_preview,
}


def _text(params: Any, key: str) -> str:
    """Return a text parameter."""
    value = params.get(key) if isinstance(params, dict) else None
    if not isinstance(value, str):
        raise Refused(f"'{key}' must be text")
    return value


def _path(params: Any, key: str) -> str:
    """Return a repository path under content/, refusing anything that could leave it."""
    path = _text(params, key)
    parts = path.split("/")
    if parts[0] != CONTENT or "\\" in path or "\x00" in path:
        raise Refused(f"{path}: the editor may only use files under {CONTENT}/")
    if any(part in ("", ".", "..") or part.startswith(".") for part in parts[1:]):
        raise Refused(f"{path}: not a plain path under {CONTENT}/")
    return path


def _on_disk(content: Path, path: str) -> Path:
    """Return where a repository path is, refusing a link anywhere on the way."""
    place = content
    for part in path.split("/")[1:]:
        place = place / part
        try:
            mode = os.lstat(place).st_mode
        except FileNotFoundError:
            continue
        if S_ISLNK(mode):
            raise Refused(f"{path}: goes through a link, which the editor does not follow")
    return place


def _entry(content: Path, path: str) -> Answer:
    """Return an entry as decap-server does: its text and an id made of its bytes."""
    read = read_regular(_on_disk(content, path))
    if read is None:
        return {"data": None, "file": {"path": path, "id": None}}
    text = read.data.decode("utf-8", errors="replace")
    return {"data": text, "file": {"path": path, "id": hashlib.sha256(read.data).hexdigest()}}


def _media(content: Path, path: str) -> Answer:
    """Return a media file, base64-encoded, as decap-server does."""
    read = read_regular(_on_disk(content, path))
    if read is None:
        raise Refused(f"{path}: no such file")
    return {
        "id": hashlib.sha256(read.data).hexdigest(),
        "content": base64.b64encode(read.data).decode("ascii"),
        "encoding": "base64",
        "path": path,
        "name": posixpath.basename(path),
    }


def _list(content: Path, folder: str, depth: int) -> list[str]:
    """Return the repository paths of the regular files under a folder, `depth` levels down."""
    return sorted(_walk(_on_disk(content, folder), folder, depth))


def _walk(place: Path, folder: str, depth: int) -> Iterator[str]:
    """Yield the files in a folder and its subfolders, skipping links and hidden names."""
    if depth <= 0:
        return
    try:
        entries = list(os.scandir(place))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        path = f"{folder}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(Path(entry.path), path, depth - 1)
        elif entry.is_file(follow_symlinks=False):
            yield path


def _decoded(asset: Any) -> bytes:
    """Return an uploaded file's bytes."""
    if _text(asset, "encoding") != "base64":
        raise Refused("pictures must be sent base64-encoded")
    try:
        return base64.b64decode(_text(asset, "content"), validate=True)
    except ValueError:
        raise Refused("a picture's content is not valid base64") from None


def _writable(content: Path, path: str) -> Path:
    """Return where a file may be written or deleted: Markdown or a picture, not a folder."""
    if posixpath.splitext(path)[1].lower() not in WRITABLE:
        raise Refused(f"{path}: the editor writes only Markdown and pictures")
    place = _on_disk(content, path)
    if place.exists() and S_ISDIR(os.lstat(place).st_mode):
        raise Refused(f"{path}: is a folder")
    return place


def _write(content: Path, path: str, data: bytes) -> None:
    """Write a file whole: to a temporary name beside it, then moved into place."""
    place = _writable(content, path)
    place.parent.mkdir(parents=True, exist_ok=True)
    _on_disk(content, path)  # again: a folder made just now must not have become a link
    handle, temporary = tempfile.mkstemp(dir=place.parent, prefix=".cms-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, place)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _move(content: Path, old: str, new: str) -> None:
    """Rename an entry's file (its slug changed); only that file, never its folder's others."""
    source, target = _writable(content, old), _writable(content, new)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _delete(content: Path, path: str) -> None:
    """Delete a file if it is there."""
    _writable(content, path).unlink(missing_ok=True)


MAX_REQUEST_BYTES = 50 * 1024 * 1024
"""The largest request read, as decap-server's (a picture travels base64-encoded in it)."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})


def respond(content: Path, request: RequestFacts) -> tuple[int, bytes]:
    """Answer one HTTP request to the local backend: (status, JSON body)."""
    refusal = _gatekeep(request)
    if refusal is not None:
        return 403, _json({"error": refusal})
    try:
        return 200, _json(answer(content, json.loads(request.body)))
    except json.JSONDecodeError:
        return 400, _json({"error": "the request is not JSON"})
    except Refused as exc:
        return 422, _json({"error": str(exc)})
    except OSError as exc:
        return 500, _json({"error": f"{exc.filename or ''}: {exc.strerror or exc}"})


@dataclass(frozen=True)
class RequestFacts:
    """What the gate looks at in a request to the local backend."""

    client: str
    """The address the request comes from."""
    host: str
    """The Host header."""
    origin: str | None
    """The Origin header, which browsers send with every cross-site POST."""
    content_type: str
    """The Content-Type header."""
    body: bytes
    """The request's body."""


def read_request(handler: BaseHTTPRequestHandler, client: str) -> RequestFacts | None:
    """Read what the gate needs of a POST; None when its length is missing or too large."""
    length = handler.headers.get("Content-Length", "")
    if not length.isdigit() or int(length) > MAX_REQUEST_BYTES:
        return None
    return RequestFacts(
        client,
        handler.headers.get("Host", ""),
        handler.headers.get("Origin"),
        handler.headers.get("Content-Type", ""),
        handler.rfile.read(int(length)),
    )


def _gatekeep(request: RequestFacts) -> str | None:
    """Return why a request may not touch content/, or None when it may.

    Only a browser on this computer edits (serve opened to the network with --host must not
    let anyone there write); the Host must name this computer (a web page cannot rename itself
    to it: DNS rebinding); a browser's Origin must be the editor's own page; and a JSON body
    makes a browser ask first before another site's page may send it (cross-site forgery).
    """
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    if request.client not in LOOPBACK_ADDRESSES:
        return "the editor saves only from this computer (open it at http://127.0.0.1:…)"
    if host not in LOOPBACK_HOSTS:
        return "the editor saves only when opened at 127.0.0.1 or localhost"
    if request.origin is not None and request.origin != f"http://{request.host}":
        return "the editor saves only from its own page"
    if request.content_type.split(";")[0].strip().lower() != "application/json":
        return "the editor sends JSON"
    return None


def _json(value: Any) -> bytes:
    """Encode an answer."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
