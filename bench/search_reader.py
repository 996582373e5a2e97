"""Measure what search costs a reader: time to the first result, and what the search downloads.

    python bench/search_reader.py                        # 1,000 essays in 50 and in 500 roundtables
    python bench/search_reader.py --sites 10000:500 --runs 5

Each site (`essays:roundtables`) is a synthetic corpus (bench/corpus.py) with search on, built
with our build and served over HTTP on 127.0.0.1. For each run a fresh headless Chromium (fresh
profile, so nothing is cached) opens the search page, waits until the page has loaded, clicks
the search box and types a word that every essay holds, a key every 50 ms, as a reader types.

- `first result` is the time, on the page's own clock, from the last keystroke (its `input`
  event) to the first result's title in the DOM (`.pagefind-ui__result-link`). It includes
  the search box's wait for typing to stop (Pagefind UI's debounce, 300 ms by default), as a
  reader's wait does.
- `page` counts the requests and bytes for the index's files (everything under `pagefind/`)
  made while the page loads; `search`, those made from the click in the box to the first
  result: the shard list, Pagefind's code and WebAssembly, each shard's entry, metadata,
  filters and word chunks, and the first results' fragments. Bytes are response bodies as
  sent (Pagefind's files are compressed already; this server compresses nothing else).

Medians of the runs. The index is in shards of at most about 128 pages each (64 shards at
most), merged by the search page (`mergeIndex`; roundtable/publish/search.py): a site's page
count decides how many there are, and its roundtables which pages fall together.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from corpus import write_corpus
from run import REPO, ours

# The tests' browser and server helpers: Chromium launched as the project's tests launch it.
sys.path.insert(0, str(REPO / "tests"))
from helpers.browser import launch_browser, serve_directory

if TYPE_CHECKING:
    from playwright.sync_api import Request

QUERY = "fentanyl"
"""A word of the corpus's vocabulary: every essay holds it, so every shard has results."""
KEY_DELAY_MS = 50
"""Milliseconds between two keystrokes, about a quick reader's typing."""
MOUNT = "/bench/"
"""The path the corpus's base_url gives the site."""
CLOCKS = """
window.benchClock = { lastInput: 0, firstResult: 0 };
document.addEventListener("input", () => { benchClock.lastInput = performance.now(); }, true);
new MutationObserver(() => {
  if (!benchClock.firstResult && document.querySelector(".pagefind-ui__result-link")) {
    benchClock.firstResult = performance.now();
  }
}).observe(document, { childList: true, subtree: true });
"""
"""Read on the page: when the last keystroke reached the box, when the first result showed."""


@dataclass(frozen=True)
class Search:
    """What one reader's search cost."""

    first_result_ms: float
    """From the last keystroke to the first result in the DOM."""
    page_requests: int
    """Requests for the index's files while the page loaded."""
    page_bytes: int
    """Their response bodies' bytes."""
    search_requests: int
    """Requests for the index's files from the click in the box to the first result."""
    search_bytes: int
    """Their response bodies' bytes."""


class RequestLog:
    """The finished requests for the index's files, by phase: while loading, while searching."""

    def __init__(self) -> None:
        """Start in the loading phase."""
        self.phases: dict[str, list[Request]] = {"page": [], "search": []}
        self.phase = "page"

    def note(self, request: Request) -> None:
        """Keep a finished request for one of the index's files."""
        if "/pagefind/" in request.url:
            self.phases[self.phase].append(request)

    def count(self, phase: str) -> int:
        """Return how many requests a phase made."""
        return len(self.phases[phase])

    def bytes(self, phase: str) -> int:
        """Return the response bodies' bytes of a phase's requests."""
        return sum(request.sizes()["responseBodySize"] for request in self.phases[phase])


def search_once(search_page: str, query: str) -> Search:
    """Open the search page in a fresh Chromium, type the query, and measure until a result."""
    with launch_browser() as context:
        page = context.new_page()
        page.add_init_script(CLOCKS)
        log = RequestLog()
        page.on("requestfinished", log.note)
        page.goto(search_page, wait_until="networkidle")
        log.phase = "search"
        box = page.locator("#rt-search input")
        box.click()
        box.press_sequentially(query, delay=KEY_DELAY_MS)
        page.wait_for_function("benchClock.firstResult > 0", timeout=60_000)
        clock = page.evaluate("benchClock")
        return Search(
            first_result_ms=clock["firstResult"] - clock["lastInput"],
            page_requests=log.count("page"),
            page_bytes=log.bytes("page"),
            search_requests=log.count("search"),
            search_bytes=log.bytes("search"),
        )


def bench_site(essays: int, roundtables: int, runs: int, root: Path, query: str) -> Search:
    """Build a corpus with search on; return the median cost of `runs` readers' searches."""
    project = root / f"corpus-{essays}-{roundtables}"
    write_corpus(essays, project, search=True, roundtables=roundtables)
    ours(project).build()
    with serve_directory(project / "site", mount=MOUNT) as site:
        searches = [search_once(site + "search/", query) for _ in range(runs)]
    medians = {
        f.name: statistics.median(getattr(s, f.name) for s in searches) for f in fields(Search)
    }
    return Search(**medians)


def shard_count(project: Path) -> int:
    """Return how many shards a built site's index has."""
    return sum(1 for folder in (project / "site" / "pagefind").iterdir() if folder.is_dir())


def main() -> None:
    """Measure each site and print a table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sites",
        nargs="+",
        default=["1000:50", "1000:500"],
        metavar="ESSAYS:ROUNDTABLES",
        help="the corpora to measure (default: 1000:50 1000:500)",
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--query", default=QUERY)
    args = parser.parse_args()
    print(f"query {args.query!r}; medians of {args.runs} fresh browsers")
    print(
        f"{'essays':>7} {'roundtables':>11} {'shards':>6} {'first result':>12}"
        f" {'page: requests':>14} {'KiB':>6} {'search: requests':>16} {'KiB':>6}"
    )
    with tempfile.TemporaryDirectory(prefix="roundtable-reader-") as tmp:
        for site in args.sites:
            essays, roundtables = (int(n) for n in site.split(":"))
            cost = bench_site(essays, roundtables, args.runs, Path(tmp), args.query)
            shards = shard_count(Path(tmp) / f"corpus-{essays}-{roundtables}")
            print(
                f"{essays:>7} {roundtables:>11} {shards:>6} {cost.first_result_ms:>9.0f} ms"
                f" {cost.page_requests:>14.0f} {cost.page_bytes / 1024:>6.0f}"
                f" {cost.search_requests:>16.0f} {cost.search_bytes / 1024:>6.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
