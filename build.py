#!/usr/bin/env python3
"""Build the roundtable site: `python build.py [build|serve|new|check] ...`."""

from roundtable.commands.cli import run

if __name__ == "__main__":
    run()
