"""What a template sees: Python values standing for Go's, and the names Go's messages give their types.

    MISSING      Go's invalid reflect.Value: a key a map does not have; prints `<no value>`
    None         a nil interface{}: JSON's null in data (`<nil>` inside a list or map)
    bool int float str list dict
                 Go's bool, int, float64, string, []interface {}, map[string]interface {}:
                 JSON data decoded the way Docker's inspect decodes it
    StringMap    a map[string]string (labels, options): a missing key read with `index` is ""
                 (NilStringMap: a nil one, null in JSON, `map[]` printed)
    Record       a struct of Docker's formatter (a row of `ps`, `images`...): named fields, and
                 methods that take arguments (`.Label "com.docker.compose.service"`)

A dict keeps its order for `json` (our JSON objects stand for Go structs, printed in field
order); a StringMap and a Record are Go maps in JSON (keys sorted), as Docker marshals them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class _Missing:
    """The one invalid value: what Go's reflect.Value{} is to text/template."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class StringMap(dict[str, str]):
    """A Go map[string]string: `index` of a missing key is the empty string, not nil."""


class NilStringMap(StringMap):
    """A nil map[string]string (JSON's null where a struct has one): empty, but `json` writes null."""


@dataclass(frozen=True)
class Func:
    """A function a template can call, with Go's parameter kinds, which decide how arguments are checked.

    Kinds: "string", "int", "[]string", "any" (interface{}: a missing value arrives as None) and
    "value" (reflect.Value, Go's builtins: a missing value arrives as MISSING). `call` raises
    CallError for Go's `error calling NAME: ...`.
    """

    call: Callable[..., Any]
    params: tuple[str, ...] = ()
    variadic: str | None = None


class CallError(Exception):
    """A function failed: the evaluator reports `error calling NAME: <message>`."""


@dataclass(frozen=True)
class Record:
    """A Go struct as Docker's formatter contexts are: fields read as `.Name`, methods called as `.Label "k"`.

    `type_name` is what Go's errors call the type (`*formatter.ContainerContext`). `json` writes
    the fields sorted by name, as Docker marshals its formatter contexts (through a map);
    `sorted_json=False` keeps their order, as Go marshals a plain struct.
    """

    type_name: str
    fields: Mapping[str, Any]
    methods: Mapping[str, Func] = field(default_factory=dict)
    sorted_json: bool = True


class HeaderMap(StringMap):
    """Docker's SubHeaderContext: column titles by field name, and `.Label "a.b-c"` -> `b c`."""

    TYPE = "formatter.SubHeaderContext"

    @staticmethod
    def label(name: str) -> str:
        return name.split(".")[-1].replace("-", " ").replace("_", " ")


def go_type(value: Any) -> str:
    """The name Go gives the type of `value`, as its error messages print it."""
    if isinstance(value, Record):
        return value.type_name
    if isinstance(value, HeaderMap):
        return HeaderMap.TYPE
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, StringMap):
        return "map[string]string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list | tuple):
        return "[]interface {}"
    return "interface {}"
