"""The functions a template calls: Go's builtins and Docker's (docker/cli `templates`).

    Go:     and or not len index slice print printf println eq ne lt le gt ge
    Docker: json split join title lower upper pad truncate
    HEADER_FUNCTIONS: Docker's replacements while a `table` header is printed (json, split,
            join, title, lower, upper and truncate give back the column title unchanged)

`and` and `or` are evaluated by the evaluator (they stop at the first deciding argument);
their entries here give their shape. Failures raise CallError with Go's message.
"""

from __future__ import annotations

from typing import Any

from compose.cli.gotemplate import gofmt
from compose.cli.gotemplate.values import MISSING, CallError, Func, Record, StringMap, go_type


def truth(value: Any) -> bool:
    """Go's truth: false, 0, nil, a missing value and empty strings, lists and maps are false."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, Record):
        return True
    if isinstance(value, bool | int | float):
        return bool(value)
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return True


def _length(item: Any) -> int:
    if item is MISSING:
        raise CallError("reflect: call of reflect.Value.Type on zero Value")
    if item is None:
        raise CallError("len of nil pointer")
    if isinstance(item, str):
        return len(item.encode())
    if isinstance(item, list | tuple | dict):
        return len(item)
    raise CallError(f"len of type {go_type(item)}")


def _index_arg(index: Any, size: int) -> int:
    if index is None or index is MISSING:
        raise CallError("cannot index slice/array with nil")
    if not isinstance(index, int) or isinstance(index, bool):
        raise CallError(f"cannot index slice/array with type {go_type(index)}")
    if index < 0 or index > size:
        raise CallError(f"index out of range: {index}")
    return index


def _index(item: Any, *indexes: Any) -> Any:
    if item is None or item is MISSING:
        raise CallError("index of untyped nil")
    for index in indexes:
        if isinstance(item, str | list | tuple):
            at = _index_arg(index, len(item.encode()) if isinstance(item, str) else len(item))
            if isinstance(item, str):
                if at == len(item.encode()):
                    raise CallError("reflect: string index out of range")
                item = item.encode()[at]
            else:
                if at == len(item):
                    raise CallError("reflect: slice index out of range")
                item = item[at]
        elif isinstance(item, dict) and not isinstance(item, Record):
            if index is None or index is MISSING:
                raise CallError("value is nil; should be of type string")
            if not isinstance(index, str):
                raise CallError(f"value has type {go_type(index)}; should be string")
            item = item.get(index, "" if isinstance(item, StringMap) else None)
        else:
            raise CallError(f"can't index item of type {go_type(item)}")
    return item


def _slice(item: Any, *indexes: Any) -> Any:
    if item is None or item is MISSING:
        raise CallError("slice of untyped nil")
    if len(indexes) > 3:
        raise CallError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise CallError("cannot 3-index slice a string")
        data: Any = item.encode()
    elif isinstance(item, list | tuple):
        data = list(item)
    else:
        raise CallError(f"can't slice item of type {go_type(item)}")
    bounds = [0, len(data)]
    for n, index in enumerate(indexes):
        at = _index_arg(index, len(data))
        if n < 2:
            bounds[n] = at
    if bounds[0] > bounds[1]:
        raise CallError(f"invalid slice index: {bounds[0]} > {bounds[1]}")
    if len(indexes) == 3 and bounds[1] > indexes[2]:
        raise CallError(f"invalid slice index: {bounds[1]} > {indexes[2]}")
    part = data[bounds[0]:bounds[1]]
    return part.decode("utf-8", "replace") if isinstance(item, str) else part


def _kind(value: Any) -> str:
    """Go's basicKind: bool, int, float, string; anything else is `other` (it does not order)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _eq(arg1: Any, *others: Any) -> bool:
    if not others:
        raise CallError("missing argument for comparison")
    arg1 = MISSING if arg1 is None else arg1
    for arg in others:
        arg = MISSING if arg is None else arg
        if arg1 is MISSING or arg is MISSING:
            if arg1 is arg:
                return True
            continue
        if _kind(arg1) != _kind(arg):
            raise CallError("incompatible types for comparison")
        if _kind(arg) == "other":
            if isinstance(arg, list | tuple | dict):
                raise CallError(f"non-comparable type {gofmt.verb_v(arg)}: {go_type(arg)}")
            if arg1 is arg:
                return True
        elif arg1 == arg:
            return True
    return False


def _lt(arg1: Any, arg2: Any) -> bool:
    kinds = []
    for value in (arg1, arg2):
        if value is None or value is MISSING or _kind(value) == "other":
            raise CallError("invalid type for comparison")
        kinds.append(_kind(value))
    if kinds[0] != kinds[1]:
        raise CallError("incompatible types for comparison")
    if kinds[0] == "bool":
        raise CallError("invalid type for comparison")
    return bool(arg1 < arg2)


def _le(arg1: Any, arg2: Any) -> bool:
    return _lt(arg1, arg2) or _eq(arg1, arg2)


def _json(value: Any) -> str:
    try:
        return gofmt.go_json(value)
    except ValueError:
        return ""  # Docker's json ignores the encoder's error and prints nothing


def _title(text: str) -> str:
    """Go's strings.Title: the first letter after a separator upper-cased (ASCII non-alphanumerics separate)."""
    out = []
    previous = " "
    for ch in text:
        if ord(previous) < 0x80:
            separator = not (previous.isascii() and (previous.isalnum() or previous == "_"))
        else:
            separator = not (previous.isalpha() or previous.isdigit()) and previous.isspace()
        out.append(ch.upper() if separator else ch)
        previous = ch
    return "".join(out)


def _split(text: str, sep: str) -> list[str]:
    return list(text) if sep == "" else text.split(sep)


def _pad(source: str, prefix: int, suffix: int) -> str:
    if prefix < 0 or suffix < 0:
        raise CallError("strings: negative Repeat count")
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source: str, length: int) -> str:
    raw = source.encode()
    if len(raw) < length:
        return source
    if length < 0:
        raise CallError(f"runtime error: slice bounds out of range [:{length}]")
    return raw[:length].decode("utf-8", "replace")


def _same(value: str, *_: Any) -> str:
    return value


BUILTINS: dict[str, Func] = {
    "and": Func(lambda *a: a[-1], ("value",), "value"),
    "or": Func(lambda *a: a[-1], ("value",), "value"),
    "not": Func(lambda a: not truth(a), ("value",)),
    "len": Func(_length, ("value",)),
    "index": Func(_index, ("value",), "value"),
    "slice": Func(_slice, ("value",), "value"),
    "print": Func(lambda *a: gofmt.sprint(list(a)), (), "any"),
    "printf": Func(lambda f, *a: gofmt.sprintf(f, list(a)), ("string",), "any"),
    "println": Func(lambda *a: gofmt.sprintln(list(a)), (), "any"),
    "eq": Func(_eq, ("value",), "value"),
    "ne": Func(lambda a, b: not _eq(a, b), ("value", "value")),
    "lt": Func(_lt, ("value", "value")),
    "le": Func(_le, ("value", "value")),
    "gt": Func(lambda a, b: not _le(a, b), ("value", "value")),
    "ge": Func(lambda a, b: not _lt(a, b), ("value", "value")),
}

DOCKER: dict[str, Func] = {
    "json": Func(_json, ("any",)),
    "split": Func(_split, ("string", "string")),
    "join": Func(lambda elems, sep: sep.join(elems or ()), ("[]string", "string")),
    "title": Func(_title, ("string",)),
    "lower": Func(str.lower, ("string",)),
    "upper": Func(str.upper, ("string",)),
    "pad": Func(_pad, ("string", "int", "int")),
    "truncate": Func(_truncate, ("string", "int")),
}

FUNCTIONS: dict[str, Func] = {**BUILTINS, **DOCKER}

HEADER_FUNCTIONS: dict[str, Func] = {
    **FUNCTIONS,
    "json": Func(_same, ("string",)),
    "split": Func(_same, ("string", "string")),
    "join": Func(_same, ("string", "string")),
    "title": Func(_same, ("string",)),
    "lower": Func(_same, ("string",)),
    "upper": Func(_same, ("string",)),
    "truncate": Func(_same, ("string", "int")),
}
