"""What a rendered page depends on, as one hash: if it is unchanged, so is the page.

A page is a pure function of its template (and every template it may include), the theme's
assets, the site settings, its path and its context. The context holds only model values, which
are hashed by content, so any edit that could show on a page changes that page's fingerprint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import pickle
from collections.abc import Callable, Mapping
from typing import Any

from roundtable.incremental.cache import key
from roundtable.model import Essay, Roundtable
from roundtable.render.pages import Derived, Page

_SCALARS = frozenset({str, bool, int, float})
"""Values that are their own plain form (exact types: subclasses take the longer way)."""


def _name(function: Callable[..., Any]) -> str:
    """Name the function a Derived value calls (through functools.partial)."""
    inner = getattr(function, "func", function)
    return f"{inner.__module__}.{inner.__qualname__}"


class Fingerprinter:
    """Hashes page contexts, remembering each model object's hash for the whole build."""

    def __init__(self, site_digest: str) -> None:
        self.site_digest = site_digest
        self.memo: dict[object, tuple[object, Any]] = {}

    def page(self, page: Page) -> str:
        """Return the fingerprint of one page: one hash over its plain, JSON-shaped inputs."""
        body = page.body if isinstance(page.body, bytes) else b""
        inputs = [page.path, page.template, self.plain(page.context), self.plain(page.body)]
        return key("page", self.site_digest, json.dumps(inputs, ensure_ascii=False), body)

    def group(self, inputs: tuple[Any, ...]) -> str:
        """Return the fingerprint of a group's inputs: equal, and so are the group's pages."""
        return key("group", self.site_digest, json.dumps(self.plain(inputs), ensure_ascii=False))

    def plain(self, value: Any) -> Any:
        """Return a context value as JSON-shaped data, model objects replaced by their hashes.

        The checks go from the commonest kind of value to the rarest: pages have many.
        """
        kind = type(value)
        if value is None or kind in _SCALARS:
            return value
        if kind is tuple or kind is Derived or hasattr(kind, "__dataclass_fields__"):
            return self._remembered(value)
        if isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, bytes):
            return None
        if isinstance(value, dt.date):
            return {"date": value.isoformat()}
        if isinstance(value, dict | Mapping):
            return {"map": [[str(k), self.plain(v)] for k, v in value.items()]}
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        if isinstance(value, tuple | Derived):
            return self._remembered(value)
        raise TypeError(f"cannot fingerprint a {type(value).__name__} in a page context")

    def _remembered(self, value: object) -> Any:
        """Return the plain form of an immutable value, computed once per object.

        Tuples are remembered by the identity of their items, so the many equal tuples pages
        build (the same essay, roundtable and settings) are hashed once.
        """
        memo_key = ("tuple", *map(id, value)) if isinstance(value, tuple) else id(value)
        known = self.memo.get(memo_key)
        if known is None:
            # Keep the object alive with its form, so no id in the key can be reused by another.
            known = (value, self._immutable(value))
            self.memo[memo_key] = known
        return known[1]

    def _immutable(self, value: object) -> Any:
        """Return the plain form of a tuple, a Derived value or a model object."""
        if isinstance(value, tuple):
            return [self.plain(v) for v in value]
        if isinstance(value, Derived):
            return {"derived": _name(value.compute), "inputs": self.plain(value.inputs)}
        if isinstance(value, Essay | Roundtable):
            return {"model": _item_digest(value)}
        return {"model": key("model", _pickled(value))}


def _pickled(value: object) -> bytes:
    """Return a value's bytes for hashing: equal values give equal bytes.

    Whichever objects they share: an item recalled from the cache shares fewer strings than
    one made afresh. Pickle's memo would write a string met twice as a reference to
    its first copy, and one interned by Python is met twice where an unpickled copy is met as
    two: without the memo ("fast" mode), every value is written out in full. Models hold no
    cycles.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


_UNSHOWN = frozenset({"body", "html", "links", "raw_html", "blank", "placeholder_lines"})
"""The Markdown source, which no page shows (it reaches pages only as `html` and the values
derived from it, summary and reading time), the HTML, which stands in by its hash, and what
converting found in the body for the check (links, raw HTML, blankness, placeholder lines)."""


_SHOWN = {
    kind: tuple(f.name for f in dataclasses.fields(kind) if f.name not in _UNSHOWN)
    for kind in (Essay, Roundtable)
}
"""The fields of essays and roundtables that pages may show, by class."""


def _item_digest(item: Essay | Roundtable) -> str:
    """Hash an essay or roundtable: its shown fields pickled, and its HTML's hash."""
    small = [(name, getattr(item, name)) for name in _SHOWN[type(item)]]
    pickled = _pickled((type(item).__name__, small))
    return key("model", pickled, item.html.digest)
