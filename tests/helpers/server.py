"""Run `python build.py serve` in a subprocess and talk to it over raw HTTP."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from helpers.site import REPO


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, every: float = 0.05) -> bool:
    """Poll a condition every `every` seconds until it holds or the timeout passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


@dataclass
class DevServer:
    """A running dev server: its URL, process and what it has printed."""

    proc: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Return the server's base URL."""
        return f"http://127.0.0.1:{self.port}/"

    def get(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """Send a request with the path exactly as given (no client-side normalisation)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def text(self, path: str) -> str:
        """Return the body of a page as text."""
        return self.get(path)[2].decode("utf-8")

    def rebuilds(self) -> int:
        """Return how many rebuilds (good or failed) the server has reported."""
        builds = [ln for ln in self.output if ln.startswith("Rebuilt") or "still serving" in ln]
        return len(builds) - 1  # the first build is not a rebuild


def settle(server: DevServer, quiet: float = 0.4, timeout: float = 10.0) -> int:
    """Wait until the server has printed nothing for `quiet` seconds; return its rebuilds."""
    deadline = time.monotonic() + timeout
    seen, since = len(server.output), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if len(server.output) != seen:
            seen, since = len(server.output), time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
    return server.rebuilds()


def _pump(server: DevServer) -> None:
    """Collect the server's output lines in the background."""
    assert server.proc.stdout is not None
    for line in server.proc.stdout:
        server.output.append(line.rstrip("\n"))


@contextmanager
def dev_server(project: Path, *extra: str, prelude: str = "") -> Iterator[DevServer]:
    """Start `build.py serve --port 0` in a project; stop it with SIGINT afterwards.

    `prelude` is Python run first in the server's process (a test replaces a stage with it).
    """
    launcher = [str(REPO / "build.py")]
    if prelude:
        launcher = ["-c", f"{prelude}\nfrom roundtable.commands.cli import run\nrun()"]
    proc = subprocess.Popen(
        [sys.executable, *launcher, "serve", "--port", "0", *extra],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    server = DevServer(proc, 0)
    threading.Thread(target=_pump, args=(server,), daemon=True).start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not server.port:
        for line in list(server.output):
            match = re.search(r"Serving on http://[^ ]+:(\d+)/", line)
            if match:
                server.port = int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    if not server.port:
        proc.kill()
        raise RuntimeError("server did not start: " + "\n".join(server.output))
    try:
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


class EventStream:
    """A raw Server-Sent Events connection, read on a background thread."""

    def __init__(self, port: int, path: str = "/__roundtable/events") -> None:
        self.events: list[str] = []
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        try:
            while chunk := self.sock.recv(4096):
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    data = [ln[6:] for ln in block.decode().splitlines() if ln.startswith("data: ")]
                    if data:
                        self.events.append(data[0])
        except OSError:
            return

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` build events arrived."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.events) >= count:
                return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()
