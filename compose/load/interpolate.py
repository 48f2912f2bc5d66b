"""Phase `interpolate`: `${VAR}` substitution in every string value, as Docker Compose does it.

The syntax (measured against Docker Compose v2.40.3):

    $$                  a literal `$`
    $NAME  ${NAME}      the value, or "" with a warning when unset
    ${NAME:-default}    default when unset or empty     ${NAME-default}  default when unset
    ${NAME:+other}      other when set and not empty    ${NAME+other}    other when set
    ${NAME:?message}    error when unset or empty       ${NAME?message}  error when unset

NAME is `[_A-Za-z][_A-Za-z0-9]*`. A `$` followed by anything else is kept as it is;
`${` that does not form one of the braced forms is an error. Defaults, alternatives
and messages are themselves interpolated, and, as compose does, before the variable
is looked at (so `${SET:-${UNSET}}` still warns about UNSET). Mapping keys are not
interpolated, values of any depth are, `x-` extensions included.

After interpolation compose casts strings to the types the specification expects
at a few paths (`services.*.scale: "3"` -> 3); `cast()` does that from the table
`CASTS`, keyed by path pattern. It is a separate step; note that compose casts only
when it interpolates (`config --no-interpolate` prints `scale: "2"` as written).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from compose.errors import FileError, KeyPath

__all__ = ["Lookup", "TemplateError", "cast", "interpolate", "substitute", "warn_once"]

Lookup = Callable[[str], "str | None"]
Missing = Callable[[str], None]

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
# What compose accepts after `${`: a name, then an optional operator and anything up to
# the last `}` on the line. Where the expression really ends is found by counting braces.
_BRACED = re.compile(r"\$\{(?P<body>[_A-Za-z][_A-Za-z0-9]*(?::?[-+?].*)?)\}")


class TemplateError(ValueError):
    """A string that cannot be interpolated; `problem` says why in one sentence."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def warn_once(warn: Callable[[str], None]) -> Missing:
    """A `missing` callback that warns about each unset variable once, in compose's words."""
    seen: set[str] = set()

    def missing(name: str) -> None:
        if name not in seen:
            seen.add(name)
            warn(f'The "{name}" variable is not set. Defaulting to a blank string.')

    return missing


def interpolate(data: Any, lookup: Lookup, *, warn: Callable[[str], None], path: KeyPath = ()) -> Any:
    """`data` with every string value interpolated; keys are left as written.

    Raises FileError at the key path of the first string that is malformed or names a
    required variable without a value. Each unset variable is reported to `warn` once.
    """
    return _walk(data, lookup, warn_once(warn), tuple(path))


def _walk(data: Any, lookup: Lookup, missing: Missing, path: KeyPath) -> Any:
    if isinstance(data, str):
        if "$" not in data:
            return data
        try:
            return substitute(data, lookup, missing)
        except TemplateError as err:
            raise FileError(path, err.problem) from None
    if isinstance(data, dict):
        return {key: _walk(value, lookup, missing, (*path, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [_walk(item, lookup, missing, (*path, index)) for index, item in enumerate(data)]
    return data


MAX_NESTING = 64


def substitute(template: str, lookup: Lookup, missing: Missing, _depth: int = 0) -> str:
    """One string with its variables replaced; raises TemplateError."""
    if _depth > MAX_NESTING:
        raise TemplateError(f"variables are nested more than {MAX_NESTING} levels deep")
    out: list[str] = []
    pos = 0
    while (dollar := template.find("$", pos)) >= 0:
        out.append(template[pos:dollar])
        following = template[dollar + 1 : dollar + 2]
        if following == "$":
            out.append("$")
            pos = dollar + 2
        elif following == "{":
            value, pos = _braced(template, dollar, lookup, missing, _depth)
            out.append(value)
        elif match := _NAME.match(template, dollar + 1):
            out.append(_value(match.group(), lookup, missing))
            pos = match.end()
        else:
            out.append("$")
            pos = dollar + 1
    out.append(template[pos:])
    return "".join(out)


def _value(name: str, lookup: Lookup, missing: Missing) -> str:
    value = lookup(name)
    if value is None:
        missing(name)
        return ""
    return value


def _invalid(template: str, start: int) -> TemplateError:
    """The error for a `${` at `start` that is not an expression; it quotes the fragment."""
    line = template[start:].split("\n", 1)[0]
    brace = line.find("}")
    fragment = line[: brace + 1] if brace >= 0 else line
    if len(fragment) > 60:
        fragment = fragment[:57] + "..."
    return TemplateError(f'invalid interpolation format "{fragment}": write a literal $ as $$')


def _braced(template: str, start: int, lookup: Lookup, missing: Missing, depth: int) -> tuple[str, int]:
    """Expand the `${...}` at `start`; return its value and where scanning goes on.

    As compose does: the pattern takes everything up to the last `}` on the line, the
    expression ends at the brace that balances the first `{` in that, and scanning goes
    on after it.
    """
    match = _BRACED.match(template, start)
    if match is None:
        raise _invalid(template, start)
    close = _closing_brace(match.group())
    head = match.group() if close < 0 else match.group()[: close + 1]
    inner = _BRACED.match(head)
    if inner is None:
        raise _invalid(template, start)
    body = inner.group("body")
    name = body[: _NAME.match(body).end()]  # type: ignore[union-attr]  # the pattern guarantees a name
    operator, argument = _split_operator(body[len(name) :])
    if not operator:
        return _value(name, lookup, missing), start + len(head)
    argument = substitute(argument, lookup, missing, depth + 1)
    return _apply(name, lookup(name), operator, argument), start + len(head)


def _closing_brace(text: str) -> int:
    """Index of the `}` closing the first `{` in `text`, counted as compose counts it, or -1."""
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "}":
            depth -= 1
            if depth == 0:
                return index
        elif char == "{":
            depth += 1
            index += 1  # compose skips the character after an opening brace
        index += 1
    return -1


def _split_operator(text: str) -> tuple[str, str]:
    if not text:
        return "", ""
    size = 2 if text[0] == ":" else 1
    return text[:size], text[size:]


def _apply(name: str, value: str | None, operator: str, argument: str) -> str:
    unset, empty = value is None, not value
    if operator == ":-":
        return argument if empty else value  # type: ignore[return-value]
    if operator == "-":
        return argument if unset else value  # type: ignore[return-value]
    if operator == ":+":
        return "" if empty else argument
    if operator == "+":
        return "" if unset else argument
    if (operator == ":?" and empty) or (operator == "?" and unset):
        reason = f": {argument}" if argument else ""
        raise TemplateError(f"required variable {name} is missing a value{reason}")
    return value or ""


# --- casting ----------------------------------------------------------------------

Caster = Callable[[str, Callable[[str], None]], Any]

_INT64 = (-(2**63), 2**63 - 1)
_FLOAT32_MAX = 3.4028234663852886e38
_INTEGER = re.compile(r"[+-]?[0-9]+")
_TRUE, _FALSE = ("y", "yes", "on"), ("n", "no", "off")


def to_int(text: str, warn: Callable[[str], None]) -> int:
    """A decimal integer that fits in 64 bits, as Go's strconv.Atoi reads it."""
    if not _INTEGER.fullmatch(text):
        raise TemplateError(f'"{text}" is not an integer')
    number = int(text)
    if not _INT64[0] <= number <= _INT64[1]:
        raise TemplateError(f'"{text}" is out of range for an integer')
    return number


def to_float(text: str, warn: Callable[[str], None]) -> float:
    """A number as Go's strconv.ParseFloat reads it: no blanks, `_` between digits, `inf`, hex with `p`."""
    plain = text.lstrip("+-").lower()
    try:
        if text != text.strip() or not plain:
            raise ValueError(text)
        number = float.fromhex(text) if plain.startswith("0x") and "p" in plain else float(text)
    except (ValueError, OverflowError):
        raise TemplateError(f'"{text}" is not a number') from None
    if number in (float("inf"), float("-inf")) and "inf" not in plain:
        raise TemplateError(f'"{text}" is out of range for a number')
    return number


def to_float32(text: str, warn: Callable[[str], None]) -> float:
    """A number that fits in a 32-bit float (compose reads `cpus` that way)."""
    number = to_float(text, warn)
    if abs(number) > _FLOAT32_MAX and abs(number) != float("inf"):
        raise TemplateError(f'"{text}" is out of range for a number')
    return number


def to_bool(text: str, warn: Callable[[str], None]) -> bool:
    """true/false in any case; y/yes/on and n/no/off too, with compose's YAML 1.2 warning."""
    lower = text.lower()
    if lower in ("true", "false"):
        return lower == "true"
    if lower in _TRUE or lower in _FALSE:
        value = lower in _TRUE
        warn(f'"{text}" for boolean is not supported by YAML 1.2, please use `{str(value).lower()}`')
        return value
    raise TemplateError(f'"{text}" is not a boolean: use true or false')


_SERVICE: dict[str, Caster] = {
    "cpu_count": to_int,
    "cpu_percent": to_float,
    "cpu_period": to_int,
    "cpu_quota": to_int,
    "cpu_rt_period": to_int,
    "cpu_rt_runtime": to_int,
    "cpus": to_float32,
    "cpu_shares": to_int,
    "init": to_bool,
    "oom_kill_disable": to_bool,
    "oom_score_adj": to_int,
    "pids_limit": to_int,
    "privileged": to_bool,
    "read_only": to_bool,
    "scale": to_int,
    "stdin_open": to_bool,
    "tty": to_bool,
    "deploy.replicas": to_int,
    "deploy.update_config.parallelism": to_int,
    "deploy.update_config.max_failure_ratio": to_float,
    "deploy.rollback_config.parallelism": to_int,
    "deploy.rollback_config.max_failure_ratio": to_float,
    "deploy.restart_policy.max_attempts": to_int,
    "deploy.placement.max_replicas_per_node": to_int,
    "healthcheck.retries": to_int,
    "healthcheck.disable": to_bool,
    "ports.[].target": to_int,
    "ulimits.*": to_int,
    "ulimits.*.soft": to_int,
    "ulimits.*.hard": to_int,
    "volumes.[].read_only": to_bool,
    "volumes.[].volume.nocopy": to_bool,
}

# Where compose turns strings into numbers and booleans after interpolation, measured on
# v2.40.3 (a string that does not convert is an error there, and here). `*` is any mapping
# key, `[]` any list item. Other conversions (`mem_limit: 1g`, `configs[].mode: "0440"`,
# `deploy.resources.limits.pids`, `ports[].published`) belong to later phases.
CASTS: dict[str, Caster] = {
    **{f"services.*.{pattern}": caster for pattern, caster in _SERVICE.items()},
    "networks.*.external": to_bool,
    "networks.*.internal": to_bool,
    "networks.*.attachable": to_bool,
    "networks.*.enable_ipv4": to_bool,
    "networks.*.enable_ipv6": to_bool,
    "volumes.*.external": to_bool,
    "secrets.*.external": to_bool,
    "configs.*.external": to_bool,
}


class _Node:
    """One level of the CASTS table as a tree: children by key (`*`, `[]`), and a caster."""

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.caster: Caster | None = None

    def child(self, key: Any, *, item: bool = False) -> _Node | None:
        """The node for a list item (`item`) or for a mapping key."""
        if item:
            return self.children.get("[]")
        return (self.children.get(key) if isinstance(key, str) else None) or self.children.get("*")


def _tree(table: dict[str, Caster]) -> _Node:
    root = _Node()
    for pattern, caster in table.items():
        node = root
        for part in pattern.split("."):
            node = node.children.setdefault(part, _Node())
        node.caster = caster
    return root


_CASTS = _tree(CASTS)


def cast(data: dict, *, warn: Callable[[str], None] | None = None, path: KeyPath = ()) -> dict:
    """`data` (a whole compose file) with the strings at the paths of CASTS converted.

    Raises FileError at the path of a string that does not convert; `warn` hears about
    booleans written the YAML 1.1 way (`yes`, `off`). `path` is where `data` stands in
    the file, for a loader that casts a part.
    """
    node: _Node | None = _CASTS
    for key in path:
        node = node.child(key, item=isinstance(key, int)) if node else None
    if node is None:
        return data
    return _cast(data, node, warn or (lambda message: None), tuple(path))


def _cast(data: Any, node: _Node, warn: Callable[[str], None], path: KeyPath) -> Any:
    if isinstance(data, str):
        if node.caster is None:
            return data
        try:
            return node.caster(data, warn)
        except TemplateError as err:
            raise FileError(path, err.problem) from None
    items: Any
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return data
    changed = {}
    for key, value in items:
        below = node.child(key, item=isinstance(data, list))
        if below is not None:
            new = _cast(value, below, warn, (*path, key))
            if new is not value:
                changed[key] = new
    if not changed:
        return data
    if isinstance(data, dict):
        return {key: changed.get(key, value) for key, value in data.items()}
    return [changed.get(index, value) for index, value in enumerate(data)]
