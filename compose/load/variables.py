"""The variables a project's files use, for `config --variables`: name, required, default, alternate."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from compose.load.interpolate import _BRACED, _NAME, _closing_brace, _split_operator


@dataclass(frozen=True)
class Variable:
    """A variable a file uses: its name, default and whether it is required."""

    name: str
    required: bool = False
    default: str = ""
    alternate: str = ""


def _strings(data: Any) -> Iterator[str]:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            stack.extend(reversed(list(value.values())))
        elif isinstance(value, list):
            stack.extend(reversed(value))


def _in_template(template: str) -> Iterator[Variable]:
    pos = 0
    while (dollar := template.find("$", pos)) >= 0:
        following = template[dollar + 1: dollar + 2]
        if following == "$":
            pos = dollar + 2
        elif following == "{" and (match := _BRACED.match(template, dollar)):
            close = _closing_brace(match.group())
            head = match.group() if close < 0 else match.group()[: close + 1]
            body = head[2:-1]
            name = body[: _NAME.match(body).end()]  # type: ignore[union-attr]  # the pattern starts with a name
            operator, argument = _split_operator(body[len(name):])
            yield Variable(name, required=operator in (":?", "?"),
                           default=argument if operator in (":-", "-") else "",
                           alternate=argument if operator in (":+", "+") else "")
            yield from _in_template(argument)
            pos = dollar + len(head)
        elif match := _NAME.match(template, dollar + 1):
            yield Variable(match.group())
            pos = match.end()
        else:
            pos = dollar + 1


def variables(sources: Iterable[Any]) -> list[Variable]:
    """Every variable the raw (not yet interpolated) files use, by name; the most informative use wins."""
    found: dict[str, Variable] = {}
    for data in sources:
        if isinstance(data, dict):  # the top-level name is settled before the rest, and not listed (as Compose)
            data = {k: v for k, v in data.items() if k != "name"}
        for text in _strings(data):
            for var in _in_template(text):
                known = found.get(var.name)
                if known is None or (var.required, var.default, var.alternate) > (
                        known.required, known.default, known.alternate):
                    found[var.name] = var
    return [found[name] for name in sorted(found)]


def table(found: list[Variable]) -> str:
    """Docker Compose's table: columns at least 20 wide, 3 spaces between them."""
    rows = [("NAME", "REQUIRED", "DEFAULT VALUE", "ALTERNATE VALUE")]
    rows += [(v.name, "true" if v.required else "false", v.default, v.alternate) for v in found]
    widths = [max(20, max(len(row[i]) for row in rows) + 3) for i in range(3)]
    lines = ("".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + row[3] for row in rows)
    return "".join(f"{line}\n" for line in lines)


def as_json(found: list[Variable]) -> dict[str, dict[str, Any]]:
    return {v.name: {"Name": v.name, "DefaultValue": v.default, "PresenceValue": v.alternate,
                     "Required": v.required} for v in found}
