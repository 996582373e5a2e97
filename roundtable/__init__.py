"""Roundtable: a static-site generator for policy roundtables."""

__version__ = "0.1.0"
