"""The process pool: every item computed once, results in the items' order, state shared."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.processes import HAS_PROC, alive
from helpers.server import wait_until

from roundtable.workers import map_in_workers


def _square_plus(item: int, state: int) -> tuple[int, int]:
    """Return the item's square plus the shared state, with the process that computed it."""
    return item * item + state, os.getpid()


@pytest.mark.parametrize("here", [False, True])
@pytest.mark.parametrize("count", [1, 2, 7, 100])
def test_results_keep_the_items_order(count: int, here: bool) -> None:
    results = map_in_workers(_square_plus, list(range(count)), 2, 10, here=here)
    assert [value for value, _ in results] == [i * i + 10 for i in range(count)]


def test_this_process_takes_a_share_only_when_asked() -> None:
    shared = {pid for _, pid in map_in_workers(_square_plus, list(range(40)), 2, 0, here=True)}
    alone = {pid for _, pid in map_in_workers(_square_plus, list(range(40)), 2, 0)}
    assert os.getpid() in shared and len(shared) == 2
    assert os.getpid() not in alone


def _slow_unless_here(item: int, parent: int) -> int:
    """Sleep in a worker; in the process that started the pool, be interrupted (Ctrl-C)."""
    if os.getpid() == parent:
        raise KeyboardInterrupt
    time.sleep(30)
    return item


def test_an_interrupted_pool_leaves_no_worker_behind() -> None:
    """Ctrl-C stops the workers at once: none finishes its queue, none outlives the build."""
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        map_in_workers(_slow_unless_here, list(range(8)), 2, os.getpid(), here=True)
    assert time.monotonic() - started < 10  # the workers' queue holds minutes of sleep
    assert multiprocessing.active_children() == []


ORPHANED = """
import os, sys, time
from pathlib import Path
from roundtable.workers import map_in_workers

def record_and_sleep(item, folder):
    Path(folder, str(os.getpid())).touch()
    time.sleep(60)
    return item

map_in_workers(record_and_sleep, list(range(4)), 2, sys.argv[1])
"""


@pytest.mark.skipif(not HAS_PROC, reason="looks for the workers in /proc (Linux)")
def test_workers_end_when_the_build_is_killed(tmp_path: Path) -> None:
    """A build killed outright (or a server that exits mid-rebuild) does not stop its workers:
    they notice their parent is gone and end, instead of waiting for work for ever."""
    build = subprocess.Popen([sys.executable, "-c", ORPHANED, str(tmp_path)])
    try:
        wait_until(lambda: len(list(tmp_path.iterdir())) >= 2, 30)
        workers = [int(path.name) for path in tmp_path.iterdir()]
        assert len(workers) == 2
    finally:
        build.kill()
        build.wait()
    wait_until(lambda: not any(alive(pid) for pid in workers))
    assert not [pid for pid in workers if alive(pid)]
