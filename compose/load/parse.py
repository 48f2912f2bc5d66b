"""Phase `parse`: YAML text -> plain data, with the position of every key path.

Compose files are read as Docker Compose reads them (YAML 1.2 core schema, as
yaml.v3 resolves plain scalars): `yes`, `on` and `80:80` stay strings, `0x1f` and
`0o17` are integers. Merge keys (`<<`), anchors and aliases work; the tags
`!reset` and `!override` are recorded as key paths for the merge phase.

The tree is built from the parser's event stream, without recursion, and within a
budget: a document nested deeper than `MAX_DEPTH` or expanding (through aliases)
to more than `MAX_NODES` values is refused before it costs much memory or time.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from compose.errors import FileError, KeyPath, Position
from compose.load.timestamps import parse_timestamp

MAX_DEPTH = 64
MAX_NODES = 1_000_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INFS = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}
_NANS = {".nan", ".NaN", ".NAN"}

_STR, _INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_COLLECTION_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "!reset", "!override"}


@dataclass(frozen=True)
class ParsedFile:
    """One compose file as data, with where each key path stands in it."""

    name: str
    data: Any
    positions: dict[KeyPath, Position] = field(default_factory=dict)
    resets: frozenset[KeyPath] = frozenset()
    overrides: frozenset[KeyPath] = frozenset()


def _resolve_plain(value: str) -> Any:
    """Type a plain (unquoted, untagged) scalar by the YAML 1.2 core schema."""
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if _INT.fullmatch(value):
        digits = value.replace("_", "")
        sign = -1 if digits.startswith("-") else 1
        digits = digits.lstrip("+-")
        base = 10
        if digits[:2].lower() in ("0x", "0o", "0b"):
            base = {"0x": 16, "0o": 8, "0b": 2}[digits[:2].lower()]
            digits = digits[2:]
        elif len(digits) > 1 and digits.startswith("0") and digits.isdigit() and set(digits) <= set("01234567"):
            base = 8  # yaml.v3 keeps Go's leading-zero octal
        try:
            return sign * int(digits, base)
        except ValueError:
            return value
    if _FLOAT.fullmatch(value):
        number = float(value)
        return value if math.isinf(number) else number  # go-yaml keeps an overflowing float a string
    if value in _INFS:
        return math.inf
    if value in ("-.inf", "-.Inf", "-.INF"):
        return -math.inf
    if value in _NANS:
        return math.nan
    return parse_timestamp(value) or value


def _scalar(event: Any, path: KeyPath, name: str) -> Any:
    tag, value = event.tag, event.value
    plain = event.implicit[0] and event.style in (None, "")
    if tag in (None, "!"):
        return _resolve_plain(value) if plain and tag is None else value
    if tag == _STR:
        return value
    if tag in (_INT_TAG, _FLOAT_TAG, _BOOL_TAG, _NULL_TAG):
        typed = _resolve_plain(value)
        wanted = {_INT_TAG: int, _FLOAT_TAG: (int, float), _BOOL_TAG: bool, _NULL_TAG: type(None)}[tag]
        if isinstance(typed, wanted) and not (tag == _INT_TAG and isinstance(typed, bool)):
            return float(typed) if tag == _FLOAT_TAG else typed
        raise FileError(path, f"cannot read {value!r} as {tag.rsplit(':', 1)[-1]}",
                        position=_position(name, event))
    if tag in ("!reset", "!override"):
        return _resolve_plain(value) if event.implicit[1] is False and event.style in (None, "") else value
    raise FileError(path, f"unknown YAML tag {tag!r}", position=_position(name, event))


def _position(name: str, event: Any) -> Position:
    mark = event.start_mark
    return Position(name, mark.line + 1, mark.column + 1)


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count(v) for v in value)
    return 1


class _Frame:
    """A collection being built: a mapping (waiting for a key or a value) or a sequence."""

    __slots__ = ("value", "path", "anchor", "key", "key_event", "merges", "explicit", "nodes", "tag")

    def __init__(self, value: Any, path: KeyPath, anchor: str | None, tag: str | None):
        self.value = value
        self.path = path
        self.anchor = anchor
        self.tag = tag
        self.key: Any = _NO_KEY
        self.key_event: Any = None
        self.merges: list[tuple[Any, KeyPath]] = []
        self.explicit: set[Any] = set()
        self.nodes = 1


_NO_KEY = object()


class _Builder:
    def __init__(self, name: str):
        self.name = name
        self.positions: dict[KeyPath, Position] = {}
        self.resets: set[KeyPath] = set()
        self.overrides: set[KeyPath] = set()
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.stack: list[_Frame] = []
        self.nodes = 0
        self.root: Any = None
        self.done = False

    def error(self, path: KeyPath, problem: str, event: Any) -> FileError:
        return FileError(path, problem, position=_position(self.name, event))

    def child_path(self, event: Any) -> KeyPath | None:
        """The key path of the value `event` starts, or None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if isinstance(top.value, list):
            index = len(top.value)
            self.positions[top.path + (index,)] = _position(self.name, event)
            return top.path + (index,)
        if top.key is _NO_KEY:
            return None
        return top.path + (top.key,)

    def charge(self, count: int, event: Any, path: KeyPath) -> None:
        self.nodes += count
        if self.nodes > MAX_NODES:
            raise self.error(path, f"the document expands to more than {MAX_NODES:,} values "
                             "(an alias bomb?); refusing to read it", event)

    def scalar(self, event: Any) -> None:
        path = self.child_path(event)
        if path is None:  # a mapping key
            top = self.stack[-1]
            key = _scalar(event, top.path, self.name)
            if isinstance(key, (dict, list)) or key is None and event.value != "":
                key = event.value
            if event.tag is None and event.value == "<<" and event.style in (None, ""):
                key = _MERGE
            elif not isinstance(key, str):
                key = event.value if isinstance(key, (bool, type(None))) else key
            if key is not _MERGE:
                if key in top.explicit:
                    first = self.positions.get(top.path + (key,))
                    where = f" (first at line {first.line})" if first else ""
                    raise self.error(top.path + (key,), f"key {key!r} is defined twice{where}", event)
                top.explicit.add(key)
                self.positions[top.path + (key,)] = _position(self.name, event)
            top.key, top.key_event = key, event
            return
        self.charge(1, event, path)
        self.note_tag(event.tag, path)
        value = _scalar(event, path, self.name)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        self.attach(value, path, 1, event)

    def alias(self, event: Any) -> None:
        path = self.child_path(event)
        if event.anchor not in self.anchors:
            where = path if path is not None else self.stack[-1].path
            raise self.error(where, f"unknown alias *{event.anchor}", event)
        value, count = self.anchors[event.anchor]
        if path is None:  # an alias used as a key
            top = self.stack[-1]
            top.key = value if isinstance(value, str) else str(value)
            top.explicit.add(top.key)
            self.positions[top.path + (top.key,)] = _position(self.name, event)
            return
        self.charge(count, event, path)
        self.attach(copy.deepcopy(value) if isinstance(value, (dict, list)) else value, path, count, event)

    def start(self, event: Any, value: Any) -> None:
        path = self.child_path(event)
        if path is None:
            raise self.error(self.stack[-1].path, "a mapping or sequence cannot be a key", event)
        if len(self.stack) >= MAX_DEPTH:
            raise self.error(path, f"the document is nested deeper than {MAX_DEPTH} levels; refusing to read it",
                             event)
        if event.tag not in _COLLECTION_TAGS:
            raise self.error(path, f"unknown YAML tag {event.tag!r}", event)
        self.charge(1, event, path)
        self.note_tag(event.tag, path)
        self.stack.append(_Frame(value, path, event.anchor, event.tag))

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        value = frame.value
        if frame.merges:
            merged: dict[Any, Any] = {}
            for source, _ in reversed(frame.merges):
                merged.update(source)
            merged.update(value)
            value = merged
        if frame.anchor:
            self.anchors[frame.anchor] = (value, frame.nodes)
        self.attach(value, frame.path, frame.nodes, event, popped=True)

    def note_tag(self, tag: str | None, path: KeyPath) -> None:
        if tag == "!reset":
            self.resets.add(path)
        elif tag == "!override":
            self.overrides.add(path)

    def attach(self, value: Any, path: KeyPath, count: int, event: Any, popped: bool = False) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        top.nodes += count
        if isinstance(top.value, list):
            top.value.append(value)
            return
        key = top.key
        top.key = _NO_KEY
        if key is _MERGE:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.error(top.path, "a merge key (<<) takes a mapping or a list of mappings", event)
                top.merges.append((copy.deepcopy(source), top.path))
            return
        if path in self.resets:
            return  # `!reset`: the key is dropped here and cleared from earlier files by the merge
        top.value[key] = value


_MERGE = object()


def parse(text: str, name: str) -> ParsedFile:
    """Read one compose file's text; `name` is what errors call the file."""
    loader = _Loader(text)
    builder = _Builder(name)
    documents: list[Any] = []
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event).__name__
            if kind == "ScalarEvent":
                builder.scalar(event)
            elif kind == "AliasEvent":
                builder.alias(event)
            elif kind == "MappingStartEvent":
                builder.start(event, {})
            elif kind == "SequenceStartEvent":
                builder.start(event, [])
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                builder.end(event)
            elif kind == "DocumentEndEvent":
                documents.append(builder.root)
                builder.root = None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(name, mark.line + 1, mark.column + 1) if mark else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise FileError((), f"invalid YAML: {problem}", position=position, file=name) from None
    except yaml.YAMLError as exc:
        raise FileError((), f"invalid YAML: {exc}", file=name) from None
    finally:
        loader.dispose()
    documents = [d for d in documents if d is not None]
    if len(documents) > 1:
        raise FileError((), "holds several YAML documents; a compose file has one", file=name)
    data = documents[0] if documents else {}
    if not isinstance(data, dict):
        raise FileError((), f"must be a mapping at the top level, not {type_name(data)}", file=name,
                        position=Position(name, 1, 1))
    return ParsedFile(name, data, builder.positions, frozenset(builder.resets), frozenset(builder.overrides))


def type_name(value: Any) -> str:
    """How an error names the type of a value, in YAML's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a sequence"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
