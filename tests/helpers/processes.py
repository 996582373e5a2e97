"""What Linux's /proc says of processes: whether one runs, which belong to a group, CPU time."""

from __future__ import annotations

import os
from pathlib import Path

HAS_PROC = Path("/proc/self/stat").exists()
"""False off Linux, where the tests that read /proc skip."""


def stat_fields(pid: int) -> list[str] | None:
    """Return /proc/<pid>/stat's fields after "pid (command)", the state first; None when the
    process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()


def alive(pid: int) -> bool:
    """Return True while a process runs (a zombie has ended: its parent has not reaped it)."""
    fields = stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def cpu_seconds(pid: int) -> float:
    """Return the CPU time a process has used (user and system)."""
    fields = stat_fields(pid)
    assert fields is not None, f"process {pid} is gone"
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_members(group: int) -> list[str]:
    """Return the command lines of the live processes in a process group."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = stat_fields(int(entry.name))
        if fields is None or int(fields[2]) != group or fields[0] == "Z":
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        members.append(cmdline.strip())
    return members
