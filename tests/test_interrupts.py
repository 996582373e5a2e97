"""Ctrl-C as a terminal sends it: to every process of the build, at any moment of it.

A terminal's Ctrl-C reaches the whole foreground process group: the build, its forked workers
and Pagefind. Each test starts the command in a session of its own, waits for one
moment of the build, sends SIGINT to the group and checks what a person would see: the command
ends within seconds, says "Interrupted." (or finished first), prints no traceback, and leaves
no process behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.hostile import build, bulk_project, touch_bulk_essays
from helpers.processes import HAS_PROC, group_members
from helpers.server import wait_until
from helpers.site import HANG_SECONDS, REPO, tree_digest

pytestmark = pytest.mark.skipif(not HAS_PROC, reason="finds a command's processes in /proc (Linux)")


class Terminal:
    """A command started as a terminal starts it: a process group of its own; what it prints
    (both streams) kept in a file."""

    def __init__(self, project: Path, *argv: str) -> None:
        self.log = project.parent / "terminal.log"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                argv or [sys.executable, str(REPO / "build.py"), "build"],
                cwd=project,
                stdout=log,
                stderr=log,
                start_new_session=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def printed(self) -> str:
        """Return what the command has printed so far."""
        return self.log.read_text(encoding="utf-8")

    def running(self) -> bool:
        """Return True while the command has not ended."""
        return self.proc.poll() is None

    def processes(self) -> list[str]:
        """Return the command lines of the command's live processes."""
        return group_members(self.proc.pid)

    def reaches(self, moment: Callable[[], bool]) -> bool:
        """Wait until a moment of the command comes, or the command ends first (30 s at most);
        look often, as a moment of a build lasts a fraction of a second."""
        return wait_until(lambda: moment() or not self.running(), 30, every=0.005)

    def ctrl_c(self) -> int:
        """Press Ctrl-C; return the exit status.

        Fails if the command takes more than 10 seconds to end, or leaves a process of its
        group running 10 seconds later.
        """
        os.killpg(self.proc.pid, signal.SIGINT)
        try:
            status = self.proc.wait(timeout=HANG_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            pytest.fail(f"still running 10 s after Ctrl-C; it had printed: {self.printed()!r}")
        assert wait_until(lambda: not self.processes(), HANG_SECONDS), self.processes()
        return status

    def kill(self) -> None:
        """End the whole group, whatever state it is in (after a failed test)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def assert_interrupted_cleanly(
    project: Path, status: int, err: str, before: dict[str, str]
) -> None:
    """Exit 130 with the old site whole, or 0 with a new one; no traceback; no staging left."""
    assert "Traceback" not in err and "Process " not in err, err
    assert not list(project.glob("site.*"))
    if status == 130:
        assert err.strip().endswith("Interrupted."), err
        assert tree_digest(project / "site") == before
    else:
        assert status == 0, err


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A bulk project built once, then changed throughout and its cache removed: the next
    build renders every page into a staging folder and swaps it in whole."""
    project = bulk_project(tmp_path)
    assert build(project).status == 0
    before = tree_digest(project / "site")
    shutil.rmtree(project / ".roundtable-cache")
    touch_bulk_essays(project)
    return project, before


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    """The commands a test starts, killed if it left any running."""
    started: list[Terminal] = []
    yield started
    for terminal in started:
        terminal.kill()


def test_ctrl_c_while_workers_render_stops_them_all_quietly(
    built: tuple[Path, dict[str, str]], terminals: list[Terminal]
) -> None:
    """The workers used to raise KeyboardInterrupt too and print 'Process ForkProcess-1:'."""
    project, before = built
    build_ = Terminal(project)
    terminals.append(build_)
    assert build_.reaches(lambda: bool(list(project.glob("site.tmp-*"))))
    status = build_.ctrl_c()
    assert_interrupted_cleanly(project, status, build_.printed(), before)


def test_ctrl_c_while_pagefind_indexes_ends_the_build_at_once(
    built: tuple[Path, dict[str, str]], terminals: list[Terminal]
) -> None:
    """Ctrl-C stops Pagefind as well: the build used to wait for its answer (for
    five minutes)."""
    project, before = built
    build_ = Terminal(project)
    terminals.append(build_)
    assert build_.reaches(lambda: any("pagefind" in cmd for cmd in build_.processes()))
    status = build_.ctrl_c()
    assert_interrupted_cleanly(project, status, build_.printed(), before)


FORK_INTERRUPTED = textwrap.dedent(
    """
    import os, signal, sys
    first = []

    def interrupt_once():
        if not first:
            first.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    # Registered before the logging module's own handler, which then runs with SIGINT due.
    os.register_at_fork(after_in_parent=interrupt_once)
    import logging
    from roundtable.commands.cli import run
    sys.argv = ["roundtable", "build"]
    run()
    """
)


def test_ctrl_c_as_workers_are_forked_is_not_lost(
    built: tuple[Path, dict[str, str]], terminals: list[Terminal]
) -> None:
    """SIGINT arriving while os.fork runs its after-fork handlers: KeyboardInterrupt raised in
    one is printed and dropped by Python, so the build went on, with the logging module's lock
    left taken (Pagefind's client then waited for it for ever)."""
    project, before = built
    build_ = Terminal(project, sys.executable, "-c", FORK_INTERRUPTED)
    terminals.append(build_)
    status = build_.proc.wait(timeout=60)
    printed = build_.printed()
    assert "Exception ignored" not in printed, printed
    assert status == 130, printed
    assert_interrupted_cleanly(project, status, printed, before)


def test_ctrl_c_while_the_server_rebuilds_stops_it_quietly(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    """A rebuild runs on a thread of the server: its workers' KeyboardInterrupt used to come
    back to that thread as the result of their tasks, and end it with a traceback."""
    project = bulk_project(tmp_path)
    server = Terminal(project, sys.executable, str(REPO / "build.py"), "serve", "--port", "0")
    terminals.append(server)
    assert server.reaches(lambda: "Serving on" in server.printed())
    time.sleep(0.5)  # the watcher is started
    touch_bulk_essays(project)
    assert server.reaches(lambda: len(server.processes()) > 1)  # its workers run
    status = server.ctrl_c()
    printed = server.printed()
    assert status == 0, printed
    assert "Traceback" not in printed and "Process " not in printed, printed
