"""Immutable values and the conversions from canonical data into them.

`FrozenMap` is a read-only, hashable mapping (unlike `types.MappingProxyType`, it
can sit in a frozen dataclass that is itself hashed). `freeze()` turns nested
dicts and lists into `FrozenMap`s and tuples. `build()` makes a model dataclass
from one canonical mapping with a table of converters: a key with a converter is
converted, a key naming a field is frozen as it is, any other key lands in the
dataclass's `extra`, and a null value leaves the field at its default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class FrozenMap(Mapping[K, V]):
    """A read-only mapping that keeps insertion order, compares like a dict and hashes by content."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[K, V] | None = None) -> None:
        self._data: dict[K, V] = dict(data or {})
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and self._data == dict(other.items())

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"


EMPTY: FrozenMap[Any, Any] = FrozenMap()


def freeze(value: Any) -> Any:
    """`value` with every dict made a `FrozenMap` and every list a tuple, all the way down."""
    if isinstance(value, FrozenMap):
        return value
    if isinstance(value, Mapping):
        return FrozenMap({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value


@cache
def _field_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def build(cls: type[T], data: Mapping[str, Any] | None, convert: Mapping[str, Callable[[Any], Any]],
          **given: Any) -> T:
    """A `cls` from canonical `data`; see the module docstring. `given` fields win over `data`."""
    names = _field_names(cls)
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in (data or {}).items():
        if value is None or key in given:
            continue
        if key in convert:
            kwargs[key] = convert[key](value)
        elif key in names and key != "extra":
            kwargs[key] = freeze(value)
        else:
            extra[key] = freeze(value)
    if extra and "extra" in names:
        kwargs["extra"] = FrozenMap(extra)
    return cls(**kwargs, **given)


# --- scalar conversions ------------------------------------------------------------------------------------------

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(value: Any) -> float:
    """A Go duration (`"1m30s"`, `"500ms"`, `"10µs"`, `"0s"`) or a number of seconds, as float seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    if body == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(body) or not body:
        raise ValueError(f"{value!r} is not a duration")
    return sign * total


_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def size(value: Any) -> int:
    """A byte count as canonical data prints it (`"536870912"`, `1024`), or with a unit (`"64m"`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value)
    match = _SIZE.fullmatch(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a size")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def octal(value: Any) -> int:
    """A file mode: canonical data prints `"0440"` (octal text) or an integer."""
    return value if isinstance(value, int) else int(str(value), 8)


def strings(value: Any) -> tuple[str, ...]:
    """A list of strings (a lone string is a list of one)."""
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def str_map(value: Any) -> FrozenMap[str, str]:
    """A mapping of strings (labels, options); a `KEY=VALUE` list is accepted too."""
    if not isinstance(value, Mapping):
        value = dict(str(item).split("=", 1) if "=" in str(item) else (str(item), "") for item in value)
    return FrozenMap({str(k): "" if v is None else _text(v) for k, v in value.items()})


def env_map(value: Any) -> FrozenMap[str, str | None]:
    """An environment: `None` means "take it from the caller's environment, or leave it out"."""
    if not isinstance(value, Mapping):
        value = dict((str(i).split("=", 1) + [None])[:2] for i in value)  # type: ignore[misc]
    return FrozenMap({str(k): None if v is None else _text(v) for k, v in value.items()})


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def tuple_of(make: Callable[[Any], T]) -> Callable[[Any], tuple[T, ...]]:
    """Converter of a list whose items `make` converts."""
    return lambda value: tuple(make(v) for v in value)


def map_of(make: Callable[[Any], T]) -> Callable[[Any], FrozenMap[str, T]]:
    """Converter of a mapping whose values `make` converts."""
    return lambda value: FrozenMap({str(k): make(v) for k, v in value.items()})
