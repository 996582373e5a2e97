"""Spread pure work over the machine's cores: a process pool that keeps results in order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_STATE: Any = None
"""What every task of a pool shares (link targets, the site), set once per worker process."""


def core_count() -> int:
    """Return how many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_workers(
    function: Callable[[Item, Any], Result], items: Sequence[Item], workers: int, state: Any
) -> list[Result]:
    """Return [function(item, state) for item in items], computed by `workers` processes."""
    chunk = max(1, len(items) // (workers * 4))
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    # fork: workers inherit the loaded modules and `state` without pickling them.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_remember, initargs=(state,)
    ) as pool:
        results = pool.map(_run_chunk, [function] * len(chunks), chunks)
        return [result for chunk_results in results for result in chunk_results]


def _remember(state: Any) -> None:
    """Keep the shared state in this worker process."""
    global _STATE
    _STATE = state


def _run_chunk(function: Callable[[Item, Any], Result], chunk: Sequence[Item]) -> list[Result]:
    """Run a function over a chunk of items in a worker."""
    return [function(item, _STATE) for item in chunk]
