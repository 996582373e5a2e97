"""Split a file into front matter and body; load the YAML safely, remembering each key's line."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from roundtable.errors import ContentError

MAX_FRONT_MATTER_BYTES = 64 * 1024
"""Front matter is a few fields; anything larger is a mistake or an attack."""
MAX_FILE_BYTES = 1024 * 1024
"""A long essay is a tenth of this; a 20 MB file would take the Markdown renderer half a minute."""

# The Markdown renderer's cost grows with lines and punctuation, not with words: a megabyte of
# prose renders in a tenth of a second, a megabyte of '*_' in eight. Measured worst cases per item:
# a line ~40 µs, '[', '<' or a quote ~60 µs, other punctuation ~8 µs. These caps keep any file
# under about four seconds, and no real essay comes near them.
CHECKED_FROM = 16 * 1024
"""Bodies up to this size render within a second whatever they hold, and are not counted."""
MAX_BODY_LINES = 20_000
MAX_COSTLY_MARKS = 20_000
"""Of '[', '<' and quotes together (smart quotes also grow faster than linearly)."""
MAX_PUNCTUATION = 200_000
MAX_DEPTH = 20
"""Lists and mappings inside each other; the format needs three, and a few hundred exhaust
Python's stack in the YAML composer (a 500-byte file raised RecursionError)."""
_COSTLY_MARKS = b"[<\"'"
_PUNCTUATION = string.punctuation.encode()

Key = tuple[str | int, ...]
"""A path to a value: ('author', 0, 'name')."""

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_YAML = "tag:yaml.org,2002:"
_SCALAR_KINDS = {
    _YAML + "str": "text",
    _YAML + "int": "a whole number",
    _YAML + "float": "a number",
    _YAML + "bool": "true or false",
    _YAML + "null": "null",
    _YAML + "timestamp": "a date",
}
_NODE_TAGS = {
    yaml.ScalarNode: frozenset(_SCALAR_KINDS),
    yaml.SequenceNode: frozenset({_YAML + "seq"}),
    yaml.MappingNode: frozenset({_YAML + "map"}),
}
"""The only tags a value may have: text, numbers, yes/no, nothing, dates, lists and mappings.
Others build Python objects (!!binary, !!set, !!python/...) or have no constructor at all."""


@dataclass(frozen=True)
class Document:
    """A source file's front matter, its lines, and its Markdown body."""

    display: str
    """The file as the user names it, used in every error."""
    fields: dict[str, Any]
    """The front matter, as YAML values."""
    lines: dict[Key, int] = field(default_factory=dict)
    """File line (1-based) of each key and list item."""
    body: str = ""
    """Everything after the closing `---`."""
    body_line: int = 1
    """File line on which the body starts."""
    front: str = ""
    """The front matter as written: the same text gives the same fields at the same lines."""

    def line(self, *key: str | int) -> int:
        """Return the line of a key, or of its nearest parent that has one."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1

    def error(self, key: Key, message: str) -> ContentError:
        """Return an error located at a key of this document."""
        return ContentError(self.display, self.line(*key), message)


class FrontMatterError(Exception):
    """A mistake in framing or YAML, at one line of the file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message

    def __reduce__(self) -> tuple[type[FrontMatterError], tuple[int, str]]:
        return (type(self), (self.line, self.message))  # raised in a worker, read in the build


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) and normalise every newline to LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrontMatterError(
            line,
            f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x}; "
            "save it as UTF-8 in your editor)",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str) -> tuple[str, str, int]:
    """Return (yaml, body, body_line) of a file that starts with a `---` block."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterError(
            1,
            "missing front matter (start the file with a line '---', then the fields, "
            "then another '---')",
        )
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise FrontMatterError(1, "front matter is not closed (add a line '---' after the last field)")


def body_of(raw: bytes) -> str:
    """Return the body of a file whose front matter was read before, from the same bytes
    (its YAML is not parsed again)."""
    return split(decode(raw))[1]


def parse(display: str, raw: bytes, *, whole_file_is_yaml: bool = False) -> Document:
    """Read a source file into a Document, raising FrontMatterError on the first mistake."""
    if len(raw) > MAX_FILE_BYTES:
        raise FrontMatterError(
            1, f"the file is larger than {MAX_FILE_BYTES // 2**20} MB (split it into several files)"
        )
    text = decode(raw)
    if whole_file_is_yaml:
        source, body, body_line, first_line = text, "", 1, 1
    else:
        source, body, body_line = split(text)
        first_line = 2
        check_body(body, body_line)
    if len(source.encode()) > MAX_FRONT_MATTER_BYTES:
        raise FrontMatterError(
            first_line,
            f"front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KB "
            "(move long text into the body)",
        )
    fields, lines = load_yaml(source, first_line)
    return Document(display, fields, lines, body, body_line, source)


def check_body(body: str, body_line: int) -> None:
    """Refuse a body that the Markdown renderer could not finish within a few seconds."""
    if len(body) <= CHECKED_FROM:
        return
    data = body.encode("utf-8", "surrogatepass")
    lines = data.count(b"\n")
    costly = sum(data.count(mark) for mark in _COSTLY_MARKS)
    punctuation = len(data) - len(data.translate(None, _PUNCTUATION))
    if lines >= MAX_BODY_LINES:
        raise FrontMatterError(
            body_line + MAX_BODY_LINES,
            f"the file has more than {MAX_BODY_LINES:,} lines (split it into several files)",
        )
    if costly > MAX_COSTLY_MARKS or punctuation > MAX_PUNCTUATION:
        raise FrontMatterError(
            body_line,
            f"the text has {costly:,} of the marks [ < \" ' (at most {MAX_COSTLY_MARKS:,}) and "
            f"{punctuation:,} punctuation marks in all (at most {MAX_PUNCTUATION:,}): too many "
            "to render in time (split it into several files)",
        )


def load_yaml(source: str, first_line: int) -> tuple[dict[str, Any], dict[Key, int]]:
    """Load a YAML mapping safely; return its values and the file line of every key."""
    loader = _Loader(source)
    try:
        _refuse_deep_nesting(source, first_line)
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                first_line + node.start_mark.line,
                "front matter must be 'key: value' lines (found a single value or a list)",
            )
        lines = dict(_walk(loader, node, (), first_line, set()))
        fields = _construct(loader, node, first_line)
        _refuse_invisible((), fields, lines, first_line)
        return fields, lines
    except yaml.MarkedYAMLError as exc:
        raise _yaml_syntax_error(exc, first_line, source) from None
    except yaml.reader.ReaderError as exc:
        # Not a MarkedYAMLError: YAML refuses control characters before it looks at anything.
        raise FrontMatterError(
            first_line + source[: exc.position].count("\n"),
            f"the front matter holds the invisible control character U+{exc.character:04X} "
            "(delete it; it usually comes with text pasted from elsewhere)",
        ) from None
    finally:
        loader.dispose()


def _refuse_deep_nesting(source: str, first_line: int) -> None:
    """Refuse lists and mappings nested deeper than MAX_DEPTH, before anything recurses into them.

    The parser's events come one after another, without recursion, whatever the depth.
    """
    depth = 0
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise FrontMatterError(
                    first_line + (mark.line if mark else 0),
                    f"lists and mappings are nested more than {MAX_DEPTH} deep here "
                    "(write the values in fewer levels)",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _walk(
    loader: yaml.SafeLoader, node: yaml.Node, key: Key, first_line: int, seen: set[int]
) -> Iterator[tuple[Key, int]]:
    """Yield each key's line; reject aliases, duplicate keys and tags as they are met."""
    if id(node) in seen:
        # The composer makes an alias the very same node object; refusing the second visit
        # also defuses "billion laughs" documents before anything is constructed.
        raise FrontMatterError(
            first_line + node.start_mark.line,
            "YAML anchors and aliases (&name, *name) are not allowed (write the value out)",
        )
    seen.add(id(node))
    _check_tag(loader, node, key, first_line)
    if isinstance(node, yaml.MappingNode):
        yield from _walk_mapping(loader, node, key, first_line, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield (*key, index), first_line + item.start_mark.line
            yield from _walk(loader, item, (*key, index), first_line, seen)


def _walk_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, key: Key, first_line: int, seen: set[int]
) -> Iterator[tuple[Key, int]]:
    """Yield the lines of a mapping's keys, refusing duplicates and merge keys."""
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = first_line + key_node.start_mark.line
        name = str(key_node.value)
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise FrontMatterError(
                line, "YAML merge keys (<<) are not allowed (write the fields out)"
            )
        if not isinstance(key_node, yaml.ScalarNode):
            raise FrontMatterError(
                line, "a key is a list or a mapping (write each key as a plain word)"
            )
        _check_tag(loader, key_node, key, first_line)
        if name in first_seen:
            raise FrontMatterError(
                line,
                f"duplicate key '{name}' (it is also on line {first_seen[name]}; keep one)",
            )
        first_seen[name] = line
        yield (*key, name), line
        yield from _walk(loader, value_node, (*key, name), first_line, seen)


def _check_tag(loader: yaml.SafeLoader, node: yaml.Node, key: Key, first_line: int) -> None:
    """Refuse a tag the format does not need, or one its value does not fit (`!!bool maybe`).

    PyYAML's constructors trust the tag: `!!bool maybe` raised KeyError, `!!timestamp hello`
    AttributeError, `!!int ''` IndexError. A value fits its tag when, written plainly, it would
    have had that tag anyway; only `!!str` (and `!!float` on a whole number) changes a type.
    """
    if node.tag == _YAML + "value":
        node.tag = _YAML + "str"  # a plain '=' (YAML's "default value" key): just the text "="
    line = first_line + node.start_mark.line
    name = ".".join(str(part) for part in key if isinstance(part, str)) or "a key"
    if node.tag not in _NODE_TAGS[type(node)]:
        raise FrontMatterError(
            line, f"{name}: tag {_short(node.tag)} is not allowed here (write the value plainly)"
        )
    if not isinstance(node, yaml.ScalarNode) or node.tag == _YAML + "str":
        return
    plain = loader.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]
    if plain != node.tag and (plain, node.tag) != (_YAML + "int", _YAML + "float"):
        raise FrontMatterError(
            line,
            f"{name}: {_short(node.tag)} needs {_SCALAR_KINDS[node.tag]}, not '{node.value}' "
            "(remove the tag and write the value plainly)",
        )


def _construct(loader: yaml.SafeLoader, node: yaml.MappingNode, first_line: int) -> dict[str, Any]:
    """Build the Python values one key at a time, so a bad value is reported at its line."""
    fields: dict[str, Any] = {}
    for key_node, value_node in node.value:
        line = first_line + value_node.start_mark.line
        try:
            fields[str(key_node.value)] = loader.construct_object(value_node, deep=True)
        except ValueError as exc:
            # PyYAML raises ValueError, not YAMLError, for an impossible date like 2021-13-45
            # (or a number that its pattern lets through, like 0b_).
            raise FrontMatterError(line, _impossible_value(key_node, value_node, exc)) from None
    return fields


def _impossible_value(key_node: yaml.Node, value_node: yaml.Node, exc: ValueError) -> str:
    """Explain a value that looks like a date or number but is none (`date: 2021-13-45`)."""
    value = f"'{value_node.value}'" if isinstance(value_node, yaml.ScalarNode) else "a value"
    if value_node.tag == _YAML + "timestamp" or "must be in" in str(exc):
        return f"{key_node.value}: {value} is not a real date ({exc}; write it as YYYY-MM-DD)"
    return f"{key_node.value}: {value} is not a real number ({exc}; put quotes around it)"


_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""What a YAML escape ("\\x1f") can put in a value, and XML (the feeds) cannot hold."""


def _refuse_invisible(key: Key, value: Any, lines: dict[Key, int], first_line: int) -> None:
    """Refuse control characters written as escapes, at the line of the value holding them."""
    if isinstance(value, dict):
        for name, item in value.items():
            _refuse_invisible((*key, str(name)), str(name), lines, first_line)
            _refuse_invisible((*key, str(name)), item, lines, first_line)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_invisible((*key, index), item, lines, first_line)
    elif isinstance(value, str) and (found := _INVISIBLE.search(value)):
        line = next((lines[k] for k in (key, key[:1]) if k in lines), first_line)
        raise FrontMatterError(
            line,
            f"{'.'.join(str(part) for part in key if isinstance(part, str)) or 'a key'}: holds "
            f"the invisible control character U+{ord(found.group()):04X} (delete it)",
        )


def _short(tag: str) -> str:
    """Return a tag as the user wrote it: `!!python/...`, `!custom`."""
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


_HINTS = (
    ("mapping values are not allowed", "put quotes around a value that contains ': '"),
    ("cannot start any token", "indent with spaces, not tabs; quote values starting with @ or `"),
    ("end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "the list opened on this line is not closed with ']'"),
    ("expected ',' or '}'", "the mapping opened on this line is not closed with '}'"),
    ("expected <block end>", "check the indentation of this line"),
    ("could not find expected ':'", "each line needs 'key: value'"),
)


_OPENERS = (
    "while scanning a quoted scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
)


def _yaml_syntax_error(exc: yaml.MarkedYAMLError, first_line: int, source: str) -> FrontMatterError:
    """Turn PyYAML's message into one line with a hint on how to fix it.

    An unclosed quote or bracket is found where the file ends or the next key begins; it is
    reported where it was opened, the line the editor has to fix.
    """
    opened = (exc.context or "").startswith(_OPENERS) and exc.context_mark
    mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
    line = first_line + (mark.line if mark else 0)
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    hint = next((h for needle, h in _HINTS if needle in problem), "check quoting and indentation")
    if "mapping values are not allowed" in problem and mark:
        hint = _indentation_hint(source.split("\n"), mark.line, first_line) or hint
    return FrontMatterError(line, f"invalid YAML: {problem} ({hint})")


_KEY_LINE = re.compile(r"^(\s*(?:-\s+)*)([^\s#:'\"-][^:]*):(?:\s|$)")
"""A `key: value` line (or `- key: value`); group 1 ends where the key starts."""


def _indentation_hint(lines: list[str], index: int, first_line: int) -> str | None:
    """Say which key above an over-indented line it should line up with, if it is one.

    A key indented more than the key above it, which already has its value, is read as more of
    that value, and YAML then finds a second ': ' in it. Quotes cannot fix that; indentation
    can (issue 20: `   alt: "…"`, already quoted, was told to add quotes).
    """
    here = _KEY_LINE.match(lines[index]) if index < len(lines) else None
    above = _key_above(lines, index) if here else None
    if here is None or above is None:
        return None
    number, key = above
    if len(key.group(1)) >= len(here.group(1)) or lines[number].rstrip().endswith(":"):
        return None
    name = key.group(2).strip()
    return (
        f"this line is indented more than '{name}:' on line {first_line + number}; "
        f"line it up with '{name}:'"
    )


def _key_above(lines: list[str], index: int) -> tuple[int, re.Match[str]] | None:
    """Return the nearest `key: value` line above a line, with its index."""
    for number in range(index - 1, -1, -1):
        key = _KEY_LINE.match(lines[number])
        if key:
            return number, key
    return None
