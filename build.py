#!/usr/bin/env python3
"""Build the roundtable site: `python build.py [build|serve|new|check] ...`."""

from roundtable.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
