"""Pytest hooks that turn every skip and xfail into a failure when ROUNDTABLE_NO_SKIPS=1 (CI).

`.ci/run` sets the variable, so a test that cannot run there fails with its skip's reason instead
of passing unseen; without it (a newcomer's `pytest`), tests that lack a tool still skip.
"""

from __future__ import annotations

import os
from collections.abc import Generator

import pytest

NO_SKIPS = "ROUNDTABLE_NO_SKIPS"


def no_skips() -> bool:
    """Return True when skips and xfails must fail (ROUNDTABLE_NO_SKIPS set, and not to 0)."""
    return os.environ.get(NO_SKIPS, "").strip() not in ("", "0")


def skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str | None:
    """Return why a report skipped or xfailed (or xpassed an xfail mark), or None if it did not."""
    if hasattr(report, "wasxfail"):
        return f"xfail: {report.wasxfail or 'no reason given'}"
    if not report.skipped:
        return None
    if isinstance(report.longrepr, tuple):
        return report.longrepr[2]
    return str(report.longrepr)


def fail_skip(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Turn a skipped or xfailed report into a failure that says why it would have skipped."""
    reason = skip_reason(report)
    if reason is None:
        return
    report.outcome = "failed"
    report.longrepr = f"{reason} [{NO_SKIPS}=1: a skip or xfail is a failure]"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Fail a test's setup, call or teardown that skipped or xfailed."""
    report = yield
    if no_skips():
        fail_skip(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """Fail a module that skipped as a whole (a module-level importorskip or skip)."""
    report = yield
    if no_skips():
        fail_skip(report)
    return report
