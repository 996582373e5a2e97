"""The code stays readable: ruff and mypy are part of the suite, so CI enforces them."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from helpers.site import REPO


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "."],
        ["ruff", "format", "--check", "."],
        [sys.executable, "-m", "mypy"],
    ],
)
def test_linters_are_clean(command: list[str]) -> None:
    if shutil.which(command[0]) is None and command[0] != sys.executable:
        pytest.fail(f"{command[0]} is not installed (pip install -e '.[test]')")
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
