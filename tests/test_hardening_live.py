"""Hardening, issue 24 classes 9 and 12: the dev server, run as a real process while its files
change underneath it, serves only what its last good build saw, and survives any content and
any client."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.hostile import new_project, write_essay
from helpers.server import DevServer, dev_server, settle, wait_until
from helpers.site import FIXTURES

CANARY = b"canary: outside the site"
WAIT = 20.0
"""Seconds to wait for an event the server must reach (generous: the machine is shared)."""


def failed_rebuilds(server: DevServer) -> int:
    """Return how many rebuilds ended with errors."""
    return sum("still serving" in line for line in server.output)


def tracebacks(server: DevServer) -> list[str]:
    """Return the lines of the server's output that belong to a Python traceback."""
    markers = ("Traceback", "Exception occurred", 'File "')
    return [line for line in server.output if any(m in line for m in markers)]


def break_site(project: Path, server: DevServer) -> None:
    """Save an essay with a mistake and wait for the failed rebuild: the last good build stays."""
    failed = failed_rebuilds(server)
    write_essay(project, "broken.md", roundtable="no-such-roundtable")
    assert wait_until(lambda: failed_rebuilds(server) > failed, WAIT), server.output


# --- 9: a copied file changed under a running server ------------------------------------------


def variant_file(project: Path) -> Path:
    """Return the cached resized copy of the fixture's picture."""
    found = sorted((project / ".roundtable-cache/images").glob("*.webp"))
    assert len(found) == 1, found
    return found[0]


def _symlink_out(project: Path, outside: Path) -> str:
    picture = project / "content/images/pic.png"
    picture.unlink()
    picture.symlink_to(outside / "secret")
    return "/images/pic.png"


def _symlink_to_passwd(project: Path, outside: Path) -> str:
    picture = project / "content/images/pic.png"
    picture.unlink()
    picture.symlink_to("/etc/passwd")
    return "/images/pic.png"


def _hard_link_out(project: Path, outside: Path) -> str:
    picture = project / "content/images/pic.png"
    picture.unlink()
    os.link(outside / "secret", picture)
    return "/images/pic.png"


def _fifo(project: Path, outside: Path) -> str:
    notes = project / "content/files/notes.txt"  # not a picture: no build stage opens it
    notes.unlink()
    os.mkfifo(notes)
    return "/files/notes.txt"


def _parent_folder_swapped(project: Path, outside: Path) -> str:
    images = project / "content/images"
    os.replace(images, project / "images.moved")
    (outside / "images").mkdir()
    (outside / "images/pic.png").write_bytes(CANARY)
    images.symlink_to(outside / "images")
    return "/images/pic.png"


def _deleted(project: Path, outside: Path) -> str:
    (project / "content/images/pic.png").unlink()
    return "/images/pic.png"


def _theme_asset_symlinked(project: Path, outside: Path) -> str:
    asset = project / "assets/extra.css"
    asset.unlink()
    asset.symlink_to(outside / "secret")
    return "/assets/extra.css"


def _theme_asset_rewritten(project: Path, outside: Path) -> str:
    asset = project / "assets/extra.css"
    temporary = project / "assets/.extra.css.new"
    shutil.copyfile(outside / "secret", temporary)
    os.replace(temporary, asset)  # an editor's atomic save: another file takes the name
    return "/assets/extra.css"


def _cached_variant_symlinked(project: Path, outside: Path) -> str:
    variant = variant_file(project)
    variant.unlink()
    variant.symlink_to(outside / "secret")
    return "/images/pic.40w.webp"


SWAPS: list[Callable[[Path, Path], str]] = [
    _symlink_out,
    _symlink_to_passwd,
    _hard_link_out,
    _fifo,
    _parent_folder_swapped,
    _deleted,
    _theme_asset_symlinked,
    _theme_asset_rewritten,
    _cached_variant_symlinked,
]


@pytest.mark.parametrize("swap", SWAPS, ids=[s.__name__.strip("_") for s in SWAPS])
def test_hl_9_a_copied_file_changed_while_serving_is_never_served(
    tmp_path: Path, swap: Callable[[Path, Path], str]
) -> None:
    """A picture, a theme asset or a cached resized copy is replaced while the site is broken
    (so the last good build stays): the server never sends the new bytes, answers 404 at once
    (a FIFO must not hang it), prints no traceback, and still serves the pages."""
    project = new_project(tmp_path / "proj")
    (project / "assets").mkdir()
    (project / "assets/extra.css").write_text("body { margin: 0 }\n")
    (project / "content/files").mkdir()
    (project / "content/files/notes.txt").write_text("Notes.\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(CANARY)
    with dev_server(project) as server:
        assert server.get("/images/pic.png")[0] == 200
        assert server.get("/assets/extra.css")[0] == 200
        assert server.get("/images/pic.40w.webp")[0] == 200
        assert server.get("/files/notes.txt")[0] == 200
        break_site(project, server)
        settle(server, timeout=WAIT)
        failed = failed_rebuilds(server)
        path = swap(project, outside)
        if swap is not _cached_variant_symlinked:  # the cache is not watched: no rebuild comes
            assert wait_until(lambda: failed_rebuilds(server) > failed, WAIT), server.output
        status, _, body = server.get(path)
        assert CANARY not in body and b"root:" not in body
        assert status == 404, (status, body[:80])
        assert server.get("/essays/first/")[0] == 200
        assert server.proc.poll() is None
        assert tracebacks(server) == [], server.output


def test_hl_9_an_unchanged_file_is_still_served_and_a_fixed_site_serves_the_new_one(
    tmp_path: Path,
) -> None:
    """The check refuses only what changed: untouched copies are served all along, and once the
    site builds again the picture it read is served."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        original = (project / "content/images/pic.png").read_bytes()
        break_site(project, server)
        assert server.get("/images/pic.png")[2] == original
        assert server.get("/images/pic.40w.webp")[0] == 200
        copy = project / "content/images/copy.png"
        shutil.copyfile(project / "content/images/pic.png", copy)
        (project / "content/essays/broken.md").unlink()
        assert wait_until(lambda: server.get("/images/copy.png")[0] == 200, WAIT), server.output
        assert server.get("/images/copy.png")[2] == original


# --- 12: serve survives any content and any client --------------------------------------------


def _title(project: Path, title: str) -> None:
    """Save the first essay as it was in the fixture, with a new title."""
    text = (FIXTURES / "minimal/content/essays/first.md").read_text(encoding="utf-8")
    essay = project / "content/essays/first.md"
    essay.write_text(text.replace("First Essay", title), encoding="utf-8")


@pytest.mark.parametrize(
    "field", ["draft: !!bool maybe", "date: !!timestamp hello", "order: !!int ''"]
)
def test_hl_12_a_failing_tag_does_not_stop_rebuilding(tmp_path: Path, field: str) -> None:
    """A save whose YAML tag fails to construct is one reported rebuild (located, or an
    internal error): the last good site stays served and the next save is rebuilt."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        settle(server, timeout=WAIT)
        failed = failed_rebuilds(server)
        tagged = project / "content/essays/tagged.md"
        tagged.write_text(
            f"---\ntitle: Tagged\nauthor: A\nroundtable: alpha\n{field}\n---\nBody.\n",
            encoding="utf-8",
        )
        assert wait_until(lambda: failed_rebuilds(server) > failed, WAIT), server.output
        assert "First Essay" in server.text("/essays/first/")
        tagged.unlink()
        _title(project, "Saved After The Tag")
        assert wait_until(lambda: "Saved After The Tag" in server.text("/essays/first/"), WAIT), (
            server.output
        )
        assert tracebacks(server) == [], server.output


EXPLODING_STAGE = """
import roundtable.pipeline as pipeline
from pathlib import Path

def exploding(real):
    def stage(*args, **kwargs):
        if Path("content/explode.txt").exists():
            raise {error}
        return real(*args, **kwargs)
    return stage

pipeline.{stage} = exploding(pipeline.{stage})
"""


@pytest.mark.parametrize(
    ("stage", "error"),
    [
        ("read_site", "ZeroDivisionError('simulated')"),
        ("read_site", "KeyError('simulated')"),
        ("read_site", "RecursionError('simulated')"),
        ("list_outputs", "AttributeError('simulated\\nsecond line')"),
        ("render_pages", "MemoryError()"),
    ],
)
def test_hl_12_an_unexpected_error_in_any_stage_is_one_line_and_the_next_save_rebuilds(
    tmp_path: Path, stage: str, error: str
) -> None:
    """A stage raising what no stage should (a bug in Roundtable) is reported in one line that
    names it and asks for a bug report; the rebuild thread lives on and the next save shows."""
    project = new_project(tmp_path / "proj")
    prelude = EXPLODING_STAGE.format(stage=stage, error=error)
    with dev_server(project, prelude=prelude) as server:
        settle(server, timeout=WAIT)
        failed = failed_rebuilds(server)
        (project / "content/explode.txt").write_text("boom")
        assert wait_until(lambda: failed_rebuilds(server) > failed, WAIT), server.output
        settle(server, timeout=WAIT)
        reported = [line for line in server.output if "internal error" in line]
        assert len(reported) == 1, server.output
        assert error.split("(")[0] in reported[0] and "report" in reported[0]
        page = server.text("/essays/first/")
        assert "rt-dev-overlay" in page and "First Essay" in page
        (project / "content/explode.txt").unlink()
        _title(project, "Saved After The Bug")
        assert wait_until(lambda: "Saved After The Bug" in server.text("/essays/first/"), WAIT), (
            server.output
        )
        assert "rt-dev-overlay" not in server.text("/")
        assert tracebacks(server) == [], server.output


def _deleted_then_copied_back(project: Path, saved: Path) -> None:
    shutil.rmtree(project / "content")
    time.sleep(0.5)  # let the server see the folder gone (the test waits for its report)
    shutil.copytree(saved, project / "content")


def _renamed_away_and_another_moved_in(project: Path, saved: Path) -> None:
    os.replace(project / "content", project / "content.old")
    shutil.copytree(saved, project / "content.new")
    os.replace(project / "content.new", project / "content")


def _emptied_then_filled(project: Path, saved: Path) -> None:
    shutil.rmtree(project / "content")
    (project / "content").mkdir()
    for source in sorted(saved.rglob("*")):
        target = project / "content" / source.relative_to(saved)
        if source.is_dir():
            target.mkdir()
        else:
            shutil.copyfile(source, target)


RECREATIONS = [_deleted_then_copied_back, _renamed_away_and_another_moved_in, _emptied_then_filled]


@pytest.mark.parametrize("recreate", RECREATIONS, ids=[r.__name__.strip("_") for r in RECREATIONS])
def test_hl_12_content_deleted_and_recreated_is_watched_again(
    tmp_path: Path, recreate: Callable[[Path, Path], None]
) -> None:
    """content/ replaced whole (deleted and copied back, renamed away and another moved in,
    emptied and refilled): the new folder's site is served, and later saves deep inside it
    are rebuilt too."""
    project = new_project(tmp_path / "proj")
    saved = tmp_path / "saved"
    shutil.copytree(project / "content", saved)
    essay = saved / "essays/first.md"
    essay.write_text(
        essay.read_text(encoding="utf-8").replace("First Essay", "From The New Folder"),
        encoding="utf-8",
    )
    with dev_server(project) as server:
        settle(server, timeout=WAIT)
        recreate(project, saved)
        assert wait_until(lambda: "From The New Folder" in server.text("/essays/first/"), WAIT), (
            server.output
        )
        write_essay(project, "deeper/nested.md", title="Nested After")
        assert wait_until(lambda: server.get("/essays/nested/")[0] == 200, WAIT), server.output
        _title(project, "Saved Again")
        assert wait_until(lambda: "Saved Again" in server.text("/essays/first/"), WAIT), (
            server.output
        )
        assert tracebacks(server) == [], server.output


def _reset(sock: socket.socket) -> None:
    """Close a socket with a TCP reset (SO_LINGER 0), as a browser tab closed mid-load does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _connect(port: int) -> socket.socket:
    """Open a connection that reads slowly: a small receive window keeps the server writing."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(WAIT)
    sock.connect(("127.0.0.1", port))
    return sock


def _gone_mid_body(port: int, method: str = "GET") -> None:
    sock = _connect(port)
    sock.sendall(f"{method} /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    sock.recv(64)  # the response has started: the server is writing the body
    _reset(sock)


def _gone_after_request(port: int) -> None:
    sock = _connect(port)
    sock.sendall(b"GET /files/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    _reset(sock)


def _gone_mid_request_line(port: int) -> None:
    sock = _connect(port)
    sock.sendall(b"GET /essays/fi")
    _reset(sock)


def _gone_mid_events(port: int) -> None:
    sock = _connect(port)
    sock.sendall(b"GET /__roundtable/events HTTP/1.1\r\nHost: x\r\n\r\n")
    sock.recv(64)
    _reset(sock)


def test_hl_12_clients_that_go_away_early_are_silent(tmp_path: Path) -> None:
    """Browsers closing tabs mid-response (reset during a large body, right after the request,
    mid request line, on the events stream) leave no traceback and a server that answers."""
    project = new_project(tmp_path / "proj")
    (project / "content/files").mkdir()
    (project / "content/files/big.bin").write_bytes(os.urandom(1 << 20) * 24)
    with dev_server(project) as server:
        settle(server, timeout=WAIT)
        for _ in range(3):
            _gone_mid_body(server.port)
            _gone_mid_body(server.port, "HEAD")
            _gone_after_request(server.port)
            _gone_mid_request_line(server.port)
            _gone_mid_events(server.port)
        assert server.get("/essays/first/")[0] == 200
        settle(server, quiet=1.5, timeout=WAIT)
        assert tracebacks(server) == [], server.output[-12:]
        assert server.get("/files/big.bin", "HEAD")[0] == 200
