"""Time what hostile content costs a build: each body that has made Markdown parsers take
quadratic time or worse (tests/helpers/payloads.py), a YAML alias bomb, 20,000 identical
headings, against the budget a build may spend on one file however hostile it is.

    python bench/pathological.py            # medians of 3; exit 1 if any is over the budget
    python bench/pathological.py --runs 5

The tests check that each input is refused with a located error or rendered; how long that
takes is measured here, on a machine quiet enough to say (see docs/performance.md).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from helpers.payloads import ALIAS_BOMB, PATHOLOGICAL  # noqa: E402

from roundtable.content import frontmatter  # noqa: E402
from roundtable.content.frontmatter import FrontMatterError, parse  # noqa: E402
from roundtable.render.markdown import render  # noqa: E402

BUDGET_SECONDS = 10.0
"""What a build may spend on one file, however hostile. The worst body the limits accept took
about 3.5 s alone on the project's 2-core machine."""


def cases() -> dict[str, Callable[[], str]]:
    """Return each hostile input by name, as what reading and rendering it does."""
    made: dict[str, Callable[[], str]] = {
        name: partial(_read_and_render, body) for name, body in PATHOLOGICAL.items()
    }
    made["alias-bomb"] = lambda: _read_and_render("", front=ALIAS_BOMB)
    made["headings-20k"] = lambda: _rendered("## a\n\n" * 20_000)  # over the line limit
    made["worst-accepted"] = lambda: _read_and_render(_worst_accepted())
    return made


def _worst_accepted() -> str:
    """Return a body just under every limit at once (lines, [ < and quotes, punctuation)."""
    costly = "[<\"'" * (frontmatter.MAX_COSTLY_MARKS // 4 - 10)
    lines = "- a\n" * (frontmatter.MAX_BODY_LINES - 100)
    rest = frontmatter.MAX_PUNCTUATION - len(costly) - len(lines) // 2 - 1_000
    return costly + "\n\n" + lines + "\n" + "*_" * (rest // 2)


def _rendered(body: str) -> str:
    """Render a body without reading it as a file (past the limits reading applies)."""
    render(body, allow_html=False)
    return "rendered"


def _read_and_render(body: str, front: str = "title: T") -> str:
    """Read a file as a build does and render its body; return what became of it."""
    raw = f"---\n{front}\n---\n{body}".encode()
    try:
        doc = parse("x.md", raw)
    except FrontMatterError:
        return "refused"
    return _rendered(doc.body)


def main() -> int:
    """Time every case; print a table; return 1 if any median is over the budget."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    over = 0
    print(f"{'input':<16} {'outcome':<9} {'median':>9}  (budget {BUDGET_SECONDS:.0f} s a file)")
    for name, case in cases().items():
        times, outcome = [], ""
        for _ in range(args.runs):
            started = time.perf_counter()
            outcome = case()
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        over += median > BUDGET_SECONDS
        flag = "  OVER BUDGET" if median > BUDGET_SECONDS else ""
        print(f"{name:<16} {outcome:<9} {median:>7.2f} s{flag}", flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
