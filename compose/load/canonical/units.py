"""Durations, byte sizes and scalars as Docker Compose reads and prints them.

Durations follow Go's `time.ParseDuration` (plus `d` and `w`, as Compose accepts)
and print as Go's `Duration.String()`: `1m30s`, `1h0m0s`, `500ms`, `1.5s`.
Sizes follow Docker's `RAMInBytes` (binary multiples: `1k` is 1024, `1.5g`, `12mb`,
`1GiB`) and are printed by each attribute in its own way (most as a decimal string).
Scalars in string maps (labels, environment) print as Go's `fmt` prints them.
"""

from __future__ import annotations

import math
from typing import Any

NS = 1
US = 1000 * NS
MS = 1000 * US
SECOND = 1000 * MS
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
_UNITS = {"ns": NS, "us": US, "µs": US, "μs": US, "ms": MS, "s": SECOND, "m": MINUTE, "h": HOUR,
          "d": 24 * HOUR, "w": 7 * 24 * HOUR}
_MAX_INT64 = (1 << 63) - 1
_DIGITS = "0123456789"


class UnitError(ValueError):
    """A duration or a size that cannot be read; the message is Go's."""


def parse_duration(text: str) -> int:
    """Nanoseconds in `text`, e.g. `"1m30s"` -> 90_000_000_000; raises `UnitError`."""
    s = text
    negative = s[:1] == "-"
    if s[:1] in "-+" and s:
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise UnitError(f'time: invalid duration "{text}"')
    total = 0
    while s:
        whole, s = _take_digits(s)
        frac = ""
        if s[:1] == ".":
            frac, s = _take_digits(s[1:])
        if not whole and not frac:
            raise UnitError(f'time: invalid duration "{text}"')
        end = 0
        while end < len(s) and s[end] != "." and s[end] not in _DIGITS:
            end += 1
        unit_name, s = s[:end], s[end:]
        if not unit_name:
            raise UnitError(f'time: missing unit in duration "{text}"')
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise UnitError(f'time: unknown unit "{unit_name}" in duration "{text}"')
        value = int(whole or "0") * unit
        if frac:
            value += int(int(frac) * (unit / 10 ** len(frac)))
        total += value
        if value > _MAX_INT64 or total > _MAX_INT64:
            raise UnitError(f'time: invalid duration "{text}"')
    return -total if negative else total


def _take_digits(s: str) -> tuple[str, str]:
    end = 0
    while end < len(s) and s[end] in _DIGITS:
        end += 1
    return s[:end], s[end:]


def format_duration(ns: int) -> str:
    """Go's `Duration.String()`: 90s -> `1m30s`, 0 -> `0s`, 1.5ms -> `1.5ms`."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < SECOND:
        if u < US:
            return f"{sign}{u}ns"
        unit, name = (US, "µs") if u < MS else (MS, "ms")
        return sign + _fraction(u, unit) + name
    hours, rest = divmod(u, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    seconds = _fraction(rest, SECOND) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _fraction(value: int, unit: int) -> str:
    whole, frac = divmod(value, unit)
    if not frac:
        return str(whole)
    width = len(str(unit)) - 1
    return f"{whole}." + str(frac).rjust(width, "0").rstrip("0")


def canonical_duration(value: Any) -> str:
    """A duration as Compose prints it; raises `UnitError`."""
    if isinstance(value, bool) or not isinstance(value, str):
        raise UnitError(f'time: missing unit in duration "{value}"')
    return format_duration(parse_duration(value))


_SIZE_UNITS = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40, "p": 1 << 50}


def parse_size(value: Any) -> int:
    """Bytes in a size: an integer as is, a string like `1.5g` or `12mb` (binary multiples).

    A float in the file reads as 0, as Compose's decoder does; raises `UnitError`.
    """
    if isinstance(value, bool):
        raise UnitError(f"invalid size: '{value}'")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return 0
    text = str(value)
    sep = max(text.rfind(c) for c in "0123456789. ")
    if sep < 0:
        raise UnitError(f"invalid size: '{text}'")
    number, suffix = (text[:sep + 1], text[sep + 1:]) if text[sep] != " " else (text[:sep], text[sep + 1:])
    size = go_parse_float(number)
    if size < 0:
        raise UnitError(f"invalid size: '{text}'")
    if suffix:
        lower = suffix.lower()
        if len(lower) > 3 or not _size_suffix_ok(lower):
            raise UnitError(f"invalid suffix: '{lower}'")
        if lower[0] != "b":
            size *= _SIZE_UNITS[lower[0]]
    return _go_int64(size)


def _size_suffix_ok(suffix: str) -> bool:
    if suffix[0] == "b":
        return len(suffix) == 1
    if suffix[0] not in _SIZE_UNITS:
        return False
    return len(suffix) == 1 or suffix[1:] in ("b", "ib")


def go_parse_float(text: str) -> float:
    """Go's `strconv.ParseFloat` for the decimal forms Compose meets (no surrounding blanks)."""
    if not text or text != text.strip():
        raise UnitError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    try:
        return float(text)
    except ValueError:
        raise UnitError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from None


def _go_int64(value: float) -> int:
    """Go's float64 -> int64 conversion on amd64: truncation, out of range gives the minimum."""
    if math.isnan(value) or not -(2.0 ** 63) <= value < 2.0 ** 63:
        return -(1 << 63)
    return int(value)


def go_float(value: float, *, json_style: bool = False) -> str:
    """A float in Go's shortest form: `strconv.FormatFloat(f, 'g', -1, 64)` (1.5, 1e+06, 1e-05, +Inf, NaN),
    or with `json_style` encoding/json's choice (exponent only below 1e-6 or from 1e21, `1e-7`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    from decimal import Decimal  # only numbers with a fraction get here

    sign, digits_t, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digits_t)).rstrip("0") or "0"
    point = len(digits_t) + int(exponent)  # position of the decimal point after the first digit run
    exp = point - 1
    prefix = "-" if sign else ""
    use_exp = (abs(value) < 1e-6 or abs(value) >= 1e21) if json_style else (exp < -4 or exp >= 6)
    if use_exp:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        width = 1 if json_style and exp < 0 else 2
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):0{width}d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return prefix + digits + "0" * (point - len(digits))
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def go_string(value: Any) -> str:
    """A scalar of a string map (labels, sysctls, ...) as Compose prints it: `true`, `1.5`, `""` for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def go_int(value: Any) -> int:
    """An integer attribute given as a number or a numeric string; a float is truncated."""
    if isinstance(value, bool):
        raise UnitError(f"invalid integer: '{value}'")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _go_int64(value)
    try:
        return int(str(value), 10)
    except ValueError:
        try:
            return _go_int64(go_parse_float(str(value)))
        except UnitError:
            raise UnitError(f"invalid integer: '{value}'") from None
