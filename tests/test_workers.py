"""The process pool: every item computed once, results in the items' order, state shared."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

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
