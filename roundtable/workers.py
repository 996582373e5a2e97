"""Spread pure work over the machine's cores: a process pool that keeps results in order."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor

Item = TypeVar("Item")
Result = TypeVar("Result")

CHUNK_MOST = 100
"""Items a worker takes at a time, at most: it holds their results until it sends them all (a
megabyte of HTML a chunk, not 40)."""

PARENT_POLL_SECONDS = 0.2
"""How often a worker looks whether the process that started it is still there."""

_STATE: Any = None
"""What every task of a pool shares (link targets, the site), set once per worker process."""


def core_count() -> int:
    """Return how many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_in_workers(
    function: Callable[[Item, Any], Result],
    items: Sequence[Item],
    workers: int,
    state: Any,
    *,
    here: bool = False,
) -> list[Result]:
    """Return [function(item, state) for item in items], computed by `workers` processes.

    `here` makes this process one of them: it takes every `workers`-th item while the forked
    processes do the rest. Each forked process counts a copy of this one's memory, so work whose
    results are small (pages written by the workers themselves) is better shared this way;
    work that returns much (HTML) is faster with this process free to receive it, and its
    workers give back what sending each chunk took.
    """
    mine = list(range(0, len(items), workers)) if here and workers > 1 else []
    taken = set(mine)
    theirs = [i for i in range(len(items)) if i not in taken]
    helpers = workers - 1 if mine else workers
    chunk = max(1, min(len(theirs) // (helpers * 4), CHUNK_MOST))
    chunks = [[items[i] for i in theirs[s : s + chunk]] for s in range(0, len(theirs), chunk)]
    results: list[Any] = [None] * len(items)
    # Imported here: a build with little to do starts no process, and these take a while to load.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _return_freed_memory()
    # fork: workers inherit the loaded modules and `state` without pickling them.
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(
        helpers, mp_context=context, initializer=_remember, initargs=(state, os.getpid())
    )
    with heap_frozen():
        try:
            with interrupts_held():  # the first submit forks the workers
                futures = [pool.submit(_run_chunk, function, c, not here) for c in chunks]
            for index in mine:
                results[index] = function(items[index], state)
            done = [result for future in futures for result in future.result()]
        except BaseException:
            _stop(pool)
            raise
        pool.shutdown()
    for index, result in zip(theirs, done, strict=True):
        results[index] = result
    return results


def _return_freed_memory() -> None:
    """Give the memory this process freed back to the system, before forking workers.

    C's allocator keeps what Python frees between live objects (the parsed YAML, a body let go
    of) as part of the process, and every forked worker would count it again. On a system
    without glibc this does nothing.
    """
    with suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(None).malloc_trim(0)  # the C library this process runs on


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Collect the garbage cycles of the work inside, in this process and its forked workers,
    without walking the objects made before it.

    A build pauses the cycle collector (see cycle_collection_paused), but rendering a
    page leaves a few cycles (Jinja's contexts): 5 KB a page, 150 MB at 10,000 essays. Frozen
    objects are skipped by collections, so the collector walks only what the work makes; and a
    forked worker's collections leave the pages it shares with this process unwritten (Python's
    gc.freeze documentation describes this use).
    """
    paused = not gc.isenabled()
    gc.freeze()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()
        gc.unfreeze()


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back from this thread while it forks: it arrives after.

    A KeyboardInterrupt raised in os.fork's after-fork handlers is printed and dropped
    ("Exception ignored in: _releaseLock"): the build went on as if never interrupted, with
    the logging module's lock left taken, and the next thread to log (Pagefind's client)
    waited for it for ever.
    """
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _stop(pool: Executor) -> None:
    """Stop a pool's workers now: the build was interrupted (Ctrl-C) or failed.

    Waiting for them, as leaving a `with` block does, would finish every page queued; and a
    second Ctrl-C during that wait left them behind the build's exit, each holding its output
    streams open (whoever read them waited for ever).
    """
    processes = getattr(pool, "_processes", None) or {}  # no public way before Python 3.14
    for process in list(processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _remember(state: Any, parent: int) -> None:
    """Set up a worker process: it keeps the shared state, collects its own cycles, leaves
    Ctrl-C to the process that started it and ends when that process is gone."""
    global _STATE
    gc.enable()
    _STATE = state
    # Ctrl-C in a terminal reaches every process of the build. The parent stops its workers
    # (_stop); a worker stopped by it as well sent its KeyboardInterrupt back as the result
    # of its task, raised again (with a traceback) in the thread that waited for it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while forking
    threading.Thread(target=_end_with, args=(parent,), name="parent", daemon=True).start()


def _end_with(parent: int) -> None:
    """End this worker process once its parent is gone (a server stopped by Ctrl-C while it
    rebuilt exits without stopping its workers, which would otherwise wait for work for ever)."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _run_chunk(
    function: Callable[[Item, Any], Result], chunk: Sequence[Item], trim: bool
) -> list[Result]:
    """Run a function over a chunk of items in a worker; `trim` first gives back the memory
    that sending the last chunk's results took (1 ms: worth it when they were HTML)."""
    if trim:
        _return_freed_memory()
    return [function(item, _STATE) for item in chunk]


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a build, as mypy does for a type check.

    A build holds hundreds of thousands of long-lived objects (the site, the cache's entries) and
    makes few reference cycles; the collector would walk them all again and again (seconds at
    10,000 essays). Memory is still freed by reference counting; cycles wait for the next pass.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()
