"""Phase `validate`: one compose file, after interpolation and casting, against the specification.

`validate(data)` walks the data along the tables of `schema.py` and raises the first
mistake, in the order keys stand in the file, as a `FileError` at the deepest key path
it can name: an unknown key (with the nearest known one), a value of the wrong kind
(saying what was expected and what was found), a value outside its choices or range,
a missing required key, a repeated entry where entries must be unique, a mapping key
that is not a string.

The tables are compiled once, at import, into one small function per shape. The walk
recurses along the schema, not along the data: it goes no deeper than the
tables do (about ten levels). Free-form values (`x-*` extensions, `storage_opt`...)
are only scanned, without recursion, for keys that are not strings.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.schema import COMPOSE_FILE, Any_, Bool, Int, List, Map, Null, Num, Obj, OneOf, Shape, Str
from compose.load.timestamps import go_time

__all__ = ["compile_shape", "kind", "validate"]


Checker = Callable[[Any, KeyPath], None]


def validate(data: dict[str, Any]) -> None:
    """Raise a `FileError` for the first thing in `data` that the Compose Specification refuses."""
    _FILE(data, ())


_PY_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "integer", dict: "mapping", list: "list",
                              type(None): "null"}


def kind(value: Any) -> str:
    """The JSON schema kind of a value; a float without a fraction counts as an integer."""
    found = _PY_TYPES.get(type(value))
    if found is not None:
        return found
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, datetime.date):  # an unquoted timestamp, which Compose reads as a time
        return "timestamp"
    for base, name in _PY_TYPES.items():
        if isinstance(value, base):
            return name
    return type(value).__name__


def compile_shape(shape: Shape, cache: dict[int, Checker] | None = None) -> Checker:
    """A function `check(value, path)` for `shape`, built once; shared shapes share their function."""
    cache = {} if cache is None else cache
    checker = cache.get(id(shape))
    if checker is None:
        checker = _BUILDERS[type(shape)](shape, cache)
        cache[id(shape)] = checker
    return checker


def _gate(shape: Shape) -> Callable[[Any, KeyPath], None]:
    """Refuse a value of a kind `shape` does not take."""
    kinds = shape.kinds

    def check(value: Any, path: KeyPath) -> None:
        if kind(value) not in kinds:
            raise FileError(path, _wrong_kind(shape, value))

    return check


def fast_types(shape: Shape) -> frozenset[type]:
    """The Python types of which `shape` takes every value with no further check (e.g. `str` for a plain string)."""
    if isinstance(shape, Str):
        return frozenset() if shape.enum or shape.pattern is not None else frozenset({str})
    if isinstance(shape, Int):
        return frozenset({int}) if shape.minimum is None and shape.maximum is None else frozenset()
    if isinstance(shape, Num):
        return frozenset({int, float})
    if isinstance(shape, Bool):
        return frozenset({bool})
    if isinstance(shape, Null):
        return frozenset({type(None)})
    if isinstance(shape, OneOf):
        return frozenset(t for t, name in _PY_TYPES.items()
                         if [b for b in shape.shapes if name in b.kinds] and
                         all(t in fast_types(b) for b in shape.shapes if name in b.kinds))
    return frozenset()


def _build_one_of(shape: OneOf, cache: dict[int, Checker]) -> Checker:
    table: dict[str, list[Checker]] = {}
    for branch in shape.shapes:
        for name in branch.kinds:
            table.setdefault(name, []).append(compile_shape(branch, cache))
    fast = fast_types(shape)

    def check(value: Any, path: KeyPath) -> None:
        if type(value) in fast:
            return
        branches = table.get(kind(value))
        if branches is None:
            raise FileError(path, _wrong_kind(shape, value))
        if len(branches) == 1:
            branches[0](value, path)
            return
        first: FileError | None = None
        for branch in branches:
            try:
                branch(value, path)
                return
            except FileError as error:
                first = first or error
        assert first is not None
        raise first

    return check


def _build_obj(shape: Obj, cache: dict[int, Checker]) -> Checker:
    fields = {key: (fast_types(field), compile_shape(field, cache)) for key, field in shape.fields.items()}
    other = compile_shape(shape.other, cache) if shape.other is not None else None
    extensions, required = shape.extensions, shape.required

    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not dict:
            raise FileError(path, _wrong_kind(shape, value))
        for key, item in value.items():
            field = fields.get(key)
            if field is not None:
                if type(item) not in field[0]:
                    field[1](item, path + (key,))
            elif not isinstance(key, str):
                raise FileError(path, _not_a_string_key(key))
            elif extensions and key.startswith("x-"):
                _scan_keys(item, path + (key,))
            elif other is not None:
                other(item, path + (key,))
            else:
                raise FileError(path + (key,), _unknown_key(key, shape))
        for key in required:
            if key not in value:
                raise FileError(path, f'missing required key "{key}"')

    return check


def _build_map(shape: Map, cache: dict[int, Checker]) -> Checker:
    values, fast = compile_shape(shape.values, cache), fast_types(shape.values)
    other = compile_shape(shape.other, cache) if shape.other is not None else None
    search = shape.keys.search if shape.keys is not None else None

    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not dict:
            raise FileError(path, _wrong_kind(shape, value))
        for key, item in value.items():
            if not isinstance(key, str):
                raise FileError(path, _not_a_string_key(key))
            if search is None or search(key):
                if type(item) not in fast:
                    values(item, path + (key,))
            elif other is not None:
                other(item, path + (key,))
            else:
                rule = f": {shape.rule}" if shape.rule else ""
                raise FileError(path + (key,), f"{_show(key)} is not a valid {shape.what}{rule}")

    return check


def _build_list(shape: List, cache: dict[int, Checker]) -> Checker:
    items, fast = compile_shape(shape.items, cache), fast_types(shape.items)
    unique = shape.unique

    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not list:
            raise FileError(path, _wrong_kind(shape, value))
        for index, item in enumerate(value):
            if type(item) not in fast:
                items(item, path + (index,))
        if unique:
            _check_unique(value, path)

    return check


def _check_unique(value: list[Any], path: KeyPath) -> None:
    seen: dict[Any, int] = {}
    for index, item in enumerate(value):
        token = _token(item)
        if token in seen:
            raise FileError(path + (index,), f"{_show(item)} is listed twice (also at [{seen[token]}]); "
                                             "entries here must be unique")
        seen[token] = index


def _build_str(shape: Str, cache: dict[int, Checker]) -> Checker:
    choices, search = shape.enum, shape.pattern.search if shape.pattern is not None else None

    def check(value: Any, path: KeyPath) -> None:
        if type(value) is not str and not isinstance(value, str):
            raise FileError(path, _wrong_kind(shape, value))
        if choices and value not in choices:
            listed = ", ".join(f'"{choice}"' for choice in choices)
            near = _close_matches(value, choices)
            hint = f' (did you mean "{near[0]}"?)' if near else ""
            raise FileError(path, f"{_show(value)} is not one of {listed}{hint}")
        if search is not None and not search(value):
            raise FileError(path, f"{_show(value)} is not valid here: {shape.rule}")

    return check


def _build_int(shape: Int, cache: dict[int, Checker]) -> Checker:
    gate, low, high = _gate(shape), shape.minimum, shape.maximum

    def check(value: Any, path: KeyPath) -> None:
        gate(value, path)
        if (low is not None and value < low) or (high is not None and value > high):
            raise FileError(path, f"{_show(value)} is out of range: expected {_describe(shape)}")

    return check


def _build_scalar(shape: Shape, cache: dict[int, Checker]) -> Checker:
    return _gate(shape)


_BUILDERS: dict[type, Callable[[Any, dict[int, Checker]], Checker]] = {
    OneOf: _build_one_of, Obj: _build_obj, Map: _build_map, List: _build_list, Str: _build_str, Int: _build_int,
    Num: _build_scalar, Bool: _build_scalar, Null: _build_scalar, Any_: lambda shape, cache: _scan_keys,
}


def _scan_keys(value: Any, path: KeyPath) -> None:
    """Refuse a mapping key that is not a string anywhere inside a free-form value (YAML allows them)."""
    stack: list[tuple[Any, KeyPath]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, inner in reversed(item.items()):
                if not isinstance(key, str):
                    raise FileError(where, _not_a_string_key(key))
                if isinstance(inner, (dict, list)):
                    stack.append((inner, where + (key,)))
        elif isinstance(item, list):
            stack.extend((inner, where + (index,)) for index, inner in reversed(list(enumerate(item)))
                         if isinstance(inner, (dict, list)))


def _token(value: Any) -> Any:
    """What makes two entries equal in JSON schema terms (1 equals 1.0; true does not equal 1)."""
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True, default=str))
    return (type(value).__name__, value)


# ---- messages ----------------------------------------------------------------------------------------------

def _unknown_key(key: str, shape: Obj) -> str:
    near = _close_matches(key, list(shape.fields))
    if near:
        return f'unknown key "{key}" (did you mean "{near[0]}"?)'
    if len(shape.fields) <= 8:
        known = ", ".join(shape.fields)
        return f'unknown key "{key}"; the keys here are {known}' + (" and x-*" if shape.extensions else "")
    if shape.extensions:
        return f'unknown key "{key}" (a key of your own must start with "x-")'
    return f'unknown key "{key}"'


def _not_a_string_key(key: Any) -> str:
    shown = "null" if key is None else json.dumps(key) if isinstance(key, bool) else repr(key)
    return f'the key {shown} is not a string; put it in quotes ("{shown}")'


def _wrong_kind(shape: Shape, value: Any) -> str:
    message = f"expected {_describe(shape)}, found {_found(value)}"
    if "string" in shape.kinds and isinstance(value, (bool, int, float, datetime.date)):
        message += " (put it in quotes to make it a string)"
    return message


def _found(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    if isinstance(value, datetime.datetime):
        return f"the timestamp {go_time(value)}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _show(value: Any) -> str:
    """A value quoted for a message, cut short when long."""
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return json.dumps(text, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_SINGULAR: dict[type, str] = {Num: "a number", Bool: "a boolean", Null: "an empty value", Map: "a mapping",
                              Obj: "a mapping", Any_: "anything"}
_PLURAL: dict[type, str] = {Str: "strings", Int: "integers", Num: "numbers", Bool: "booleans", Null: "empty values",
                            Map: "mappings", Obj: "mappings", List: "lists", Any_: "anything"}


def _describe(shape: Shape) -> str:
    """`a string`, `an integer from 0 to 100`, `a string or a list of strings`..."""
    if isinstance(shape, OneOf):
        return _join([_describe(branch) for branch in shape.shapes])
    if isinstance(shape, Str):
        if shape.enum:
            return "one of " + ", ".join(f'"{choice}"' for choice in shape.enum)
        return "a string"
    if isinstance(shape, Int):
        low, high = shape.minimum, shape.maximum
        if low is not None and high is not None:
            return f"an integer from {low} to {high}"
        if low is not None:
            return f"an integer of at least {low}"
        return "an integer" if high is None else f"an integer of at most {high}"
    if isinstance(shape, List):
        return f"a list of {_plural(shape.items)}"
    return _SINGULAR[type(shape)]


def _plural(shape: Shape) -> str:
    if isinstance(shape, OneOf):
        return _join([_plural(branch) for branch in shape.shapes])
    return _PLURAL[type(shape)]


def _join(parts: list[str]) -> str:
    unique = list(dict.fromkeys(parts))
    return unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]


_FILE = compile_shape(COMPOSE_FILE)


def _close_matches(word: str, choices: list[str]) -> list[str]:
    """The nearest of `choices` to a misspelt `word` (difflib is imported only when a file is wrong)."""
    import difflib

    return difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
