"""Go's fmt and encoding/json, for the values a template handles (see values.py).

    sprint([1, 2, "a"])                -> "1 2a"            fmt.Sprint
    sprintf("%-5s|%03d", ["ab", 7])    -> "ab   |007"       fmt.Sprintf
    verb_v({"b": [1, 2.5], "a": None}) -> "map[a:<nil> b:[1 2.5]]"
    go_json({"a": 1.0})                -> '{"a":1}'         json.Marshal, HTML left unescaped

Go's rules where users see them: maps print sorted by key, lists with spaces, floats in the
shortest form (`1e+06`, `0.5`, never `1.0`), a wrong verb as `%!d(string=abc)`, a missing
argument as `%!s(MISSING)`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compose.cli.gotemplate.lexer import go_quote
from compose.cli.gotemplate.values import MISSING, NilStringMap, Record, StringMap, go_type


def _digits(value: float) -> tuple[str, int]:
    """The shortest decimal digits of a positive finite float, and the decimal point's place."""
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)
    stripped = text.lstrip("0")
    point -= len(text) - len(stripped)
    return stripped.rstrip("0") or "0", point


def _exponent(exp: int) -> str:
    return ("e-" if exp < 0 else "e+") + f"{abs(exp):02d}"


def float_shortest(value: float, verb: str = "g") -> str:
    """strconv.FormatFloat(value, verb, -1, 64) for verb g (Go's %v), e or f."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + ("0e+00" if verb == "e" else "0")
    digits, point = _digits(abs(value))
    exp = point - 1
    if verb == "e" or (verb == "g" and (exp < -4 or exp >= 6)):
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return sign + mantissa + _exponent(exp)
    if point <= 0:
        return sign + "0." + "0" * -point + digits
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return sign + digits[:point] + "." + digits[point:]


def verb_v(value: Any) -> str:
    """Go's %v of `value` (fmt.Fprint)."""
    return _format(value, _Spec(), "v")


# -- printf -------------------------------------------------------------------------------------


@dataclass
class _Spec:
    """One printf verb as parsed: flags, width, precision and the verb."""

    minus: bool = False
    plus: bool = False
    sharp: bool = False
    space: bool = False
    zero: bool = False
    width: int | None = None
    prec: int | None = None


def sprintf(fmt: str, args: list[Any]) -> str:  # noqa: C901 - Go's doPrintf, one state per character
    out: list[str] = []
    argi = 0
    i = 0
    n = len(fmt)
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        spec = _Spec()
        while i < n and fmt[i] in "+-# 0":
            flag = fmt[i]
            spec.plus |= flag == "+"
            spec.minus |= flag == "-"
            spec.sharp |= flag == "#"
            spec.space |= flag == " "
            spec.zero |= flag == "0"
            i += 1
        spec.zero = spec.zero and not spec.minus
        if i < n and fmt[i] == "*":
            i += 1
            if argi < len(args) and isinstance(args[argi], int) and not isinstance(args[argi], bool):
                spec.width = args[argi]
                if spec.width < 0:
                    spec.minus, spec.width = True, -spec.width
            else:
                out.append("%!(BADWIDTH)")
            argi += 1
        else:
            start = i
            while i < n and fmt[i].isdigit():
                i += 1
            spec.width = int(fmt[start:i]) if i > start else None
        if i < n and fmt[i] == ".":
            i += 1
            if i < n and fmt[i] == "*":
                i += 1
                if argi < len(args) and isinstance(args[argi], int) and not isinstance(args[argi], bool):
                    spec.prec = max(0, args[argi])
                else:
                    out.append("%!(BADPREC)")
                argi += 1
            else:
                start = i
                while i < n and fmt[i].isdigit():
                    i += 1
                spec.prec = int(fmt[start:i]) if i > start else 0
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
        elif argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
        else:
            out.append(_format(args[argi], spec, verb))
            argi += 1
    if argi < len(args):
        extra = ", ".join(f"{_type_name(a)}={_format(a, _Spec(), 'v')}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def sprint(args: list[Any]) -> str:
    """fmt.Sprint: a space between two operands when neither is a string."""
    out = []
    previous_string = False
    for n, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if n and not is_string and not previous_string:
            out.append(" ")
        out.append(_format(arg, _Spec(), "v"))
        previous_string = is_string
    return "".join(out)


def sprintln(args: list[Any]) -> str:
    return " ".join(_format(a, _Spec(), "v") for a in args) + "\n"


def _type_name(value: Any) -> str:
    return "<nil>" if value is None or value is MISSING else go_type(value)


def _bad_verb(value: Any, verb: str) -> str:
    if value is None or value is MISSING:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(value)}={_format(value, _Spec(), 'v')})"


def _pad(text: str, spec: _Spec, zero_ok: bool = False) -> str:
    if spec.width is None or len(text) >= spec.width:
        return text
    fill = spec.width - len(text)
    if spec.minus:
        return text + " " * fill
    if spec.zero and zero_ok:
        sign = text[0] if text[:1] in ("+", "-", " ") else ""
        return sign + "0" * fill + text[len(sign):]
    return " " * fill + text


def _format(value: Any, spec: _Spec, verb: str, nested: bool = False) -> str:  # noqa: C901 - one case a kind
    if value is None or value is MISSING:
        return _pad("<nil>", spec) if nested or verb in "vT" else _bad_verb(value, verb)
    if verb == "T":
        return _pad(go_type(value), spec)
    if isinstance(value, bool):
        return _pad("true" if value else "false", spec) if verb in "tv" else _bad_verb(value, verb)
    if isinstance(value, int):
        return _format_int(value, spec, verb)
    if isinstance(value, float):
        return _format_float(value, spec, verb)
    if isinstance(value, str):
        return _format_str(value, spec, verb)
    if isinstance(value, Record):
        return "{" + " ".join(_format(v, spec, verb, True) for v in value.fields.values()) + "}"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{_format(k, spec, verb, True)}:{_format(value[k], spec, verb, True)}"
                                 for k in sorted(value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_format(v, spec, verb, True) for v in value) + "]"
    return _pad(str(value), spec)


def _format_int(value: int, spec: _Spec, verb: str) -> str:
    if verb in "vd":
        text = str(abs(value))
    elif verb == "b":
        text = format(abs(value), "b")
    elif verb in "oO":
        text = format(abs(value), "o")
    elif verb in "xX":
        text = format(abs(value), "x" if verb == "x" else "X")
    elif verb == "c":
        return _pad(chr(value) if 0 <= value <= 0x10FFFF else "\ufffd", spec)
    elif verb == "q":
        return _pad("'" + go_quote(chr(value))[1:-1].replace("'", "\\'").replace('\\"', '"') + "'", spec)
    elif verb == "U":
        return _pad(f"U+{value:04X}", spec)
    else:
        return _bad_verb(value, verb)
    if spec.prec is not None:
        text = text.rjust(spec.prec, "0") if spec.prec else ("" if value == 0 else text)
    prefix = ""
    if spec.sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "")
    if verb == "O":
        prefix = "0o"
    sign = "-" if value < 0 else "+" if spec.plus else " " if spec.space else ""
    return _pad(sign + prefix + text, spec, zero_ok=spec.prec is None)


def _format_float(value: float, spec: _Spec, verb: str) -> str:
    if verb not in "vgGeEfFxX":
        return _bad_verb(value, verb)
    if math.isnan(value) or math.isinf(value):
        text = float_shortest(value)
        if text == "NaN" and (spec.plus or spec.space):
            text = ("+" if spec.plus else " ") + text
        elif text == "+Inf" and spec.space and not spec.plus:
            text = " Inf"
        return _pad(text, spec)
    if verb in "xX":
        text = _hex_float(value)
    elif verb in "vgG":
        text = float_shortest(value, "g") if spec.prec is None else f"{value:.{spec.prec}g}"
    elif verb in "eE":
        text = f"{value:.{6 if spec.prec is None else spec.prec}e}"
    else:
        text = f"{value:.{6 if spec.prec is None else spec.prec}f}"
    if verb in "GEX":
        text = text.upper()
    if spec.plus and not text.startswith("-"):
        text = "+" + text
    elif spec.space and not text.startswith("-"):
        text = " " + text
    return _pad(text, spec, zero_ok=True)


def _hex_float(value: float) -> str:
    """Go's %x of a float64: `0x1.8p+01`."""
    text = float.hex(value)
    sign = "-" if text.startswith("-") else ""
    mantissa, _, exp = text.lstrip("-").partition("p")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{sign}{mantissa}p{exp[0]}{int(exp[1:]):02d}"


def _format_str(value: str, spec: _Spec, verb: str) -> str:
    if verb in "vs":
        text = value if spec.prec is None else value[:spec.prec]
    elif verb == "q":
        text = go_quote(value if spec.prec is None else value[:spec.prec])
    elif verb in "xX":
        pattern = "02x" if verb == "x" else "02X"
        prefix = ("0x" if verb == "x" else "0X") if spec.sharp else ""
        hexes = [format(b, pattern) for b in value.encode()]
        text = " ".join(prefix + h for h in hexes) if spec.space else prefix + "".join(hexes)
    else:
        return _bad_verb(value, verb)
    return _pad(text, spec)


# -- json ---------------------------------------------------------------------------------------


def go_json(value: Any) -> str:
    """Go's json encoding with HTML left as is (Docker's `json` function): compact, floats Go's way."""
    if value is None or value is MISSING or isinstance(value, NilStringMap):
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, Record):
        return go_json(dict(sorted(value.fields.items())) if value.sorted_json else dict(value.fields))
    if isinstance(value, dict):
        pairs = sorted(value.items()) if isinstance(value, StringMap) else value.items()
        return "{" + ",".join(f"{go_json(str(k))}:{go_json(v)}" for k, v in pairs) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return go_json(str(value))


def _json_float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {float_shortest(value)}")
    if value == 0 or 1e-6 <= abs(value) < 1e21:
        return float_shortest(value, "f")
    text = float_shortest(value, "e")
    mantissa, _, exp = text.partition("e")
    return f"{mantissa}e{exp[0]}{int(exp[1:])}"
