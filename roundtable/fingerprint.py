"""What a rendered page depends on, as one hash: if it is unchanged, so is the page.

A page is a pure function of its template (and every template it may include), the theme's
assets, the site settings, its path and its context. The context holds only model values, which
are hashed by content, so any edit that could show on a page changes that page's fingerprint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from roundtable.cache import key
from roundtable.render import Derived, Page


def theme_digest(template_dirs: tuple[Path, ...], asset_hashes: Mapping[str, str]) -> str:
    """Hash every template (by name and bytes, in lookup order) and every asset hash."""
    parts: list[str | bytes] = ["theme"]
    for folder in template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    parts += [f"{name}={digest}" for name, digest in sorted(asset_hashes.items())]
    return key(*parts)


def _name(function: Callable[..., Any]) -> str:
    """Name the function a Derived value calls (through functools.partial)."""
    inner = getattr(function, "func", function)
    return f"{inner.__module__}.{inner.__qualname__}"


class Fingerprinter:
    """Hashes page contexts, remembering each model object's hash for the whole build."""

    def __init__(self, site_digest: str) -> None:
        self.site_digest = site_digest
        self.memo: dict[int, tuple[object, str]] = {}

    def page(self, page: Page) -> str:
        """Return the fingerprint of one page."""
        body = self.value(page.body) if isinstance(page.body, Derived) else page.body or b""
        return key(
            "page", self.site_digest, page.path, page.template, self.value(page.context), body
        )

    def value(self, value: Any) -> str:
        """Return the hash of a context value."""
        if isinstance(value, str):
            return "s" + value
        if value is None or isinstance(value, bool | int | float | dt.date):
            return repr(value)
        if isinstance(value, Mapping):
            return key("map", *(part for k, v in value.items() for part in (str(k), self.value(v))))
        if isinstance(value, list | tuple):
            return key("seq", *(self.value(v) for v in value))
        if isinstance(value, Derived):
            return key("derived", _name(value.compute), self.value(value.inputs))
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self._model(value)
        raise TypeError(f"cannot fingerprint a {type(value).__name__} in a page context")

    def _model(self, value: object) -> str:
        """Hash a model object by content, once per object."""
        known = self.memo.get(id(value))
        if known is None:
            # Keep the object alive with its hash, so its id cannot be reused by another.
            known = (value, key("model", pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)))
            self.memo[id(value)] = known
        return known[1]
