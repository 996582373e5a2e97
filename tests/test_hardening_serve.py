"""Hardening, plan section D: the dev server, run as a real process and sent raw requests,
never serves a byte from outside the site, never rebuilds itself, and survives every save."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.hostile import build, bulk_project, new_project, touch_bulk_essays, write_essay
from helpers.processes import HAS_PROC, cpu_seconds
from helpers.server import DevServer, dev_server, settle, wait_until
from helpers.site import HANG_SECONDS, REPO, tree_digest

from roundtable.commands.serve import EVENTS_PATH, Snapshot, resolve_request

CANARY = b"canary: outside the site"


def strip_reload(body: bytes) -> bytes:
    """Remove what serve injects into a page (the reload script, and the overlay if any)."""
    return re.sub(
        rb'(<div id="rt-dev-overlay".*?</div>)?<script>\(\(\)=>\{const g=.*?</script>', b"", body
    )


# --- D49, D50, A14: requests against a running server -----------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, DevServer]]:
    """A server over the minimal site, an NFD-named essay, odd static files, and canaries."""
    root = tmp_path_factory.mktemp("served")
    project = new_project(root / "proj")
    write_essay(project, unicodedata.normalize("NFD", "Éssai-économique.md"), title="Éssai")
    files = project / "content/files"
    files.mkdir()
    (files / "data.json").write_text('{"a": 1}')
    (files / "blob.qqqunknown").write_bytes(b"\x00\x01")
    (files / "map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "secret.txt").write_bytes(CANARY)
    (root / "site-evil").mkdir()
    (root / "site-evil/secret").write_bytes(CANARY)
    (project / "site-evil").mkdir()
    (project / "site-evil/secret").write_bytes(CANARY)
    (project / "secret.txt").write_bytes(CANARY)
    with dev_server(project) as server:
        yield project, server


TRAVERSALS = [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/.%252e/.%252e/etc/passwd",
    "/..\\..\\windows\\win.ini",
    "/..%5c..%5c",
    "/..%5c..%5csecret.txt",
    "/..%20/",
    "/.. ./",
    "/%00",
    "/index.html%00.txt",
    "//evil.example/%2e%2e",
    "/\\evil.example/",
    "/../site-evil/secret",
    "/../secret.txt",
    "/..",
    "/%2e%2e",
    "/files/../../secret.txt",
    "/files/%2e%2e/%2e%2e/secret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/..;/secret.txt",
    "/content/site.yml",
    "/.roundtable-cache/entries/cache.db",
    "/files/",
    "/essays",
]


def raw_get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """Send a request line with the path exactly as given, spaces and all, over a socket."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := conn.recv(65536):
            response += chunk
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split(" ")[1]), headers, body


@pytest.mark.parametrize("path", TRAVERSALS)
def test_d49_traversal_and_odd_paths_get_no_byte_from_outside(
    served: tuple[Path, DevServer], path: str
) -> None:
    """D49: each raw path (sent as is, like curl --path-as-is) gets 400 or 404, or a redirect
    to a same-origin path, and never a byte of a canary or of a source file."""
    _, server = served
    status, headers, body = raw_get(server.port, path)
    assert status in (301, 400, 404), (path, status)
    if status == 301:
        location = headers["location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert CANARY not in body and b"root:" not in body and b"base_url" not in body
    assert b"Index of" not in body and b"SQLite" not in body


def test_d49_redirects_never_leave_the_origin(served: tuple[Path, DevServer]) -> None:
    """D49: '////essays' once redirected to '//essays/', which a browser reads as a host."""
    _, server = served
    for path in ("////essays/first", "//essays/first", "/essays//first", "///essays"):
        status, headers, _ = server.get(path)
        if status == 301:
            assert headers["location"].startswith("/") and headers["location"][1] != "/", path
    snapshot = Snapshot(1, {"essays/first/index.html": b"x"})
    assert resolve_request("////essays/first", snapshot) == ("redirect", "/essays/first/")


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/essays/first/", "text/html; charset=utf-8"),
        ("/files/map.svg", "image/svg+xml"),
        ("/files/data.json", "application/json"),
        ("/files/blob.qqqunknown", "application/octet-stream"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/images/pic.png", "image/png"),
        ("/feed.xml", "application/xml"),
        ("/nope/", "text/html; charset=utf-8"),
    ],
)
def test_d50_types_and_nosniff(served: tuple[Path, DevServer], path: str, ctype: str) -> None:
    """D50: the right Content-Type, `nosniff` on every response, octet-stream when unknown."""
    _, server = served
    _, headers, _ = server.get(path)
    assert headers["content-type"] == ctype
    assert headers["x-content-type-options"] == "nosniff"


def test_a14_nfd_named_essay_is_served_at_its_ascii_url(served: tuple[Path, DevServer]) -> None:
    """A14: the NFD-named essay is at an ASCII URL, linked from its roundtable, and served."""
    _, server = served
    status, _, body = server.get("/essays/essai-economique/")
    assert status == 200 and "Éssai".encode() in body
    assert b'href="../../essays/essai-economique/"' in server.get("/roundtables/alpha/")[2]


def other_addresses() -> list[str]:
    """Return addresses of this machine that are not 127.0.0.1: another loopback address (Linux
    routes all of 127.0.0.0/8 to lo) and the address it would reach the outside from, if any."""
    addresses = ["127.0.0.2"]
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a source address
            addresses.append(probe.getsockname()[0])
    except OSError:
        pass  # no route out: a machine with loopback only
    return sorted(set(addresses))


def test_d33_default_bind_is_loopback_only(served: tuple[Path, DevServer]) -> None:
    """D33: the default server listens on 127.0.0.1 only; the host's other addresses, loopback
    or not, get no answer (a server on 0.0.0.0 would answer them all)."""
    _, server = served
    for address in other_addresses():
        with pytest.raises(OSError), socket.create_connection((address, server.port), timeout=2):
            pass


# --- D44 broken saves while serving -----------------------------------------------------------


def test_d44_syntax_errors_while_serving_show_located_and_keep_the_last_good_site(
    tmp_path: Path,
) -> None:
    """D44: broken YAML in an essay, then in site.yml: the process lives, the overlay names
    `file:line`, other pages keep their content, and each fix is one rebuild."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        essay = project / "content/essays/first.md"
        good = essay.read_text(encoding="utf-8")
        for path, broken in [
            (essay, good.replace("roundtable: alpha", 'roundtable: "alpha')),
            (project / "content/site.yml", "title: [Test Forum\nbase_url: https://e.org/\n"),
        ]:
            before = path.read_text(encoding="utf-8")
            path.write_text(broken, encoding="utf-8")
            assert wait_until(lambda: "rt-dev-overlay" in server.text("/essays/second/"))
            located = re.escape(path.relative_to(project).as_posix()) + r":\d+: invalid YAML"
            assert re.search(located, server.text("/")), server.output
            assert "Second Essay" in server.text("/essays/second/")
            assert server.proc.poll() is None
            rebuilds = settle(server)
            path.write_text(before, encoding="utf-8")
            assert wait_until(lambda: "rt-dev-overlay" not in server.text("/"))
            assert settle(server) == rebuilds + 1
        assert not any("Traceback" in line for line in server.output)


# --- D45 editor save patterns -----------------------------------------------------------------


def vim_save(path: Path, text: str) -> None:
    """Vim with backupcopy=no: probe file, swap file, rename to backup, write, delete backup."""
    (path.parent / "4913").write_text("")
    (path.parent / "4913").unlink()
    swap = path.parent / f".{path.name}.swp"
    swap.write_text("swap")
    os.replace(path, path.parent / f"{path.name}~")
    path.write_text(text, encoding="utf-8")
    (path.parent / f"{path.name}~").unlink()
    swap.unlink()


def gedit_save(path: Path, text: str) -> None:
    """gedit: write a hidden stream file, then move it onto the file."""
    temporary = path.parent / ".goutputstream-ABC123"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def jetbrains_save(path: Path, text: str) -> None:
    """JetBrains safe write: x___jb_tmp___, rename x → x___jb_old___, tmp → x, delete old."""
    temporary = path.parent / f"{path.name}___jb_tmp___"
    old = path.parent / f"{path.name}___jb_old___"
    temporary.write_text(text, encoding="utf-8")
    os.replace(path, old)
    os.replace(temporary, path)
    old.unlink()


def emacs_save(path: Path, text: str) -> None:
    """Emacs: a `.#x` lock symlink and a `#x#` auto-save file around the write."""
    lock = path.parent / f".#{path.name}"
    lock.symlink_to("user@host.1234:1700000000")
    autosave = path.parent / f"#{path.name}#"
    autosave.write_text(text, encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    autosave.unlink()
    lock.unlink()


def zola_style_save(path: Path, text: str) -> None:
    """A backup such as `x.md0HlVyu.bck` beside the file, removed after the write."""
    backup = path.parent / f"{path.name}0HlVyu.bck"
    backup.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    backup.unlink()


SAVES = [vim_save, gedit_save, jetbrains_save, emacs_save, zola_style_save]


def test_d45_editor_save_patterns_rebuild_once_and_never_publish_litter(tmp_path: Path) -> None:
    """D45: each editor's exact sequence, on an essay and on site.yml: the new text shows, at
    most two rebuilds per save, no error on the way, no temporary file served or copied."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        essay = project / "content/essays/first.md"
        site_yml = project / "content/site.yml"
        for number, save in enumerate(SAVES):
            rebuilds = settle(server)
            title = f"Saved by {save.__name__} {number}"
            text = re.sub(r"(?m)^title: .*$", f"title: {title}", essay.read_text(encoding="utf-8"))
            save(essay, text)
            assert wait_until(lambda t=title: t in server.text("/essays/first/")), save.__name__
            assert settle(server) - rebuilds <= 2, (save.__name__, server.output)
            forum = f"Forum {number}"
            text = re.sub(r"(?m)^title: .*$", f"title: {forum}", site_yml.read_text())
            save(site_yml, text)
            assert wait_until(lambda t=forum: t in server.text("/")), save.__name__
        assert not [line for line in server.output if "still serving" in line], server.output
        assert server.get("/essays/first.md___jb_old___")[0] == 404
    assert build(project).status == 0
    litter = [p.name for p in (project / "site").rglob("*") if "jb_" in p.name or "#" in p.name]
    assert litter == []


# --- D46, D47, D53 bursts, new folders, and the served site equals a clean build ---------------


def test_d46_d47_d53_bursts_slow_writes_new_folders_then_equal_a_clean_build(
    tmp_path: Path,
) -> None:
    """D46: 300 new files at once are a few rebuilds; a writer pausing mid-file ends with the
    whole file shown. D47: delete, rename, and an essay in a new nested folder. D53: then every
    page served equals a clean build at the same address, less the injected script."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        rebuilds = settle(server)
        for n in range(300):
            write_essay(project, f"bulk/b{n:03}.md", title=f"Bulk {n}")
        assert wait_until(lambda: server.get("/essays/b299/")[0] == 200, 20)
        assert settle(server) - rebuilds <= 4, server.output

        slow = project / "content/essays/slow.md"
        with slow.open("w", encoding="utf-8") as handle:
            handle.write("---\ntitle: Slow\nauthor: A\n")
            handle.flush()
            time.sleep(0.5)
            handle.write("roundtable: alpha\n---\nThe whole text.\n")
        assert wait_until(lambda: "The whole text." in server.text("/essays/slow/"))

        (project / "content/essays/third.md").unlink()
        os.replace(project / "content/essays/second.md", project / "content/essays/moved.md")
        for linking in ("essays/first.md", "roundtables/alpha.md"):  # else their links break
            path = project / "content" / linking
            path.write_text(path.read_text(encoding="utf-8").replace("second.md", "moved.md"))
        write_essay(project, "new/dir/deep.md", title="Deep")
        assert wait_until(lambda: server.get("/essays/deep/")[0] == 200)
        assert wait_until(lambda: server.get("/essays/third/")[0] == 404)
        assert server.get("/essays/second/")[0] == 404
        assert server.get("/essays/moved/")[0] == 200
        settle(server)

        clean = build(project, "--base-url", server.url, "--output", str(tmp_path / "clean"))
        assert clean.status == 0, clean.err
        served = {}
        for path in sorted((tmp_path / "clean").rglob("*")):
            rel = path.relative_to(tmp_path / "clean").as_posix()
            if path.is_file() and not rel.startswith(("pagefind/", ".roundtable")):
                status, _, body = server.get("/" + rel)
                served[rel] = (status, strip_reload(body))
        different = [
            rel
            for rel, (status, body) in served.items()
            if status != 200 or body != (tmp_path / "clean" / rel).read_bytes()
        ]
        assert different == [], different[:5]


# --- D48 requests during rebuilds -------------------------------------------------------------


def test_d48_requests_during_rebuilds_get_complete_old_or_new_pages(tmp_path: Path) -> None:
    """D48: GET / and an essay in a loop while it is rebuilt again and again: always 200, always
    a whole page, always one of the titles it had."""
    project = new_project(tmp_path / "proj")
    for n in range(60):
        write_essay(project, f"bulk-{n:02}.md", title=f"Bulk {n}", body="Text. " * 400)
    essay = project / "content/essays/first.md"
    original = essay.read_text(encoding="utf-8")
    titles = ["First Essay"] + [f"Edited {n}" for n in range(6)]
    with dev_server(project) as server:
        stop = threading.Event()

        def edit() -> None:
            for title in titles[1:]:
                essay.write_text(original.replace("First Essay", title), encoding="utf-8")
                time.sleep(0.4)
            stop.set()

        editor = threading.Thread(target=edit)
        editor.start()
        problems, requests, deadline = [], 0, time.monotonic() + 15
        while not stop.is_set() and requests < 3000 and time.monotonic() < deadline:
            for path in ("/", "/essays/first/"):
                status, _, body = server.get(path)
                requests += 1
                whole = body.rstrip().endswith(b"</html>") and body.count(b"<main") == 1
                shown = re.findall(rb"<h1[^>]*>(.*?)</h1>", body)
                if status != 200 or not whole:
                    problems.append((path, status, body[-80:]))
                elif path != "/" and [t.decode() for t in shown] not in ([t] for t in titles):
                    problems.append((path, shown))
        editor.join()
        assert requests > 20 and problems == [], problems[:3]
        assert wait_until(lambda: "Edited 5" in server.text("/essays/first/"))


# --- D51, D52 the reload client stays out of the files; no self-triggered rebuilds -------------


@pytest.mark.skipif(not HAS_PROC, reason="reads CPU time from /proc")
def test_d51_d52_no_rebuild_from_its_own_writes_and_no_reload_script_on_disk(
    tmp_path: Path,
) -> None:
    """D52: idle after a build, the server uses next to no CPU; writes to .roundtable-cache/, to
    the project root, and a whole `build` writing site/ and site.tmp-* beside content/ trigger no
    rebuild (content/, templates/ and assets/ are watched, not the project). D51: neither serve
    nor build leaves the reload client in any file."""
    project = new_project(tmp_path / "proj")
    with dev_server(project) as server:
        rebuilds = settle(server, quiet=1.0)
        used = cpu_seconds(server.proc.pid)
        time.sleep(3)
        assert cpu_seconds(server.proc.pid) - used < 0.5
        (project / ".roundtable-cache/noise").write_text("x")
        (project / "notes.txt").write_text("x")
        assert build(project).status == 0
        assert settle(server, quiet=1.0) == rebuilds, server.output
        (project / "content/essays/first.md").touch()
        assert wait_until(lambda: server.rebuilds() == rebuilds + 1)
    markers = (b"EventSource", EVENTS_PATH.encode(), b"rt-dev-overlay")
    for path in [*project.rglob("*")]:
        if path.is_file() and ".roundtable-cache" not in path.parts:
            data = path.read_bytes()
            assert not any(marker in data for marker in markers), path


# --- D54 interrupts ---------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    """Return True if a new server could listen on this loopback port now."""
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            again.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_d54_ctrl_c_during_a_rebuild_exits_and_frees_the_port(tmp_path: Path) -> None:
    """D54: SIGINT while a rebuild runs: exit 0, no traceback, nothing written beside the
    content but the cache, and the port free again."""
    project = bulk_project(tmp_path)
    with dev_server(project) as server:
        settle(server)
        touch_bulk_essays(project)
        time.sleep(0.4)  # past the debounce: the rebuild is under way
        server.proc.send_signal(signal.SIGINT)
        assert server.proc.wait(timeout=HANG_SECONDS) == 0
        assert wait_until(lambda: port_is_free(server.port)), server.port
        assert not any("Traceback" in line for line in server.output), server.output
    assert sorted(p.name for p in project.iterdir()) == [".roundtable-cache", "content"]


def test_d54_ctrl_c_during_build_keeps_the_site_and_cleans_up(tmp_path: Path) -> None:
    """D54: SIGINT to `build` in its write phase: exit 130 (or 0 if it had finished), the old
    or the new site whole, no staging folder left."""
    project = bulk_project(tmp_path)
    assert build(project).status == 0
    before = tree_digest(project / "site")
    shutil.rmtree(project / ".roundtable-cache")  # a whole build: staged, then swapped
    touch_bulk_essays(project)
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "build"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_until(lambda: bool(list(project.glob("site.tmp-*"))) or proc.poll() is not None)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode in (0, 130) and "Traceback" not in err, err
    assert not list(project.glob("site.*"))
    if proc.returncode == 130:
        assert err.strip().endswith("Interrupted.")
        assert tree_digest(project / "site") == before
