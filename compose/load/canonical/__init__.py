"""Phase `canonical`: the merged project -> the canonical form `docker compose config` prints.

Short syntax becomes long syntax, sizes become bytes, durations Go's form, relative
paths absolute, and defaults are filled in. The work is a table of rules keyed by
path patterns (`*` matches any mapping key or sequence index; `""` is the whole
project), run in table order:
first the shape of each attribute, then the defaults that depend on several.

A rule is `rule(value, ctx, path) -> new value` (return `DELETE` to drop the key);
it never mutates `value`. It raises `FileError(path, problem)` for a bad value.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compose.errors import FileError, KeyPath


@dataclass(frozen=True)
class Context:
    """What rules may know besides the value: where the project lives, its name and environment."""

    working_dir: Path
    project_name: str
    environ: Mapping[str, str]
    raw_variables: bool = False  # `--no-interpolate`: a value holding `$` that a rule cannot read stays as written
    normalize: bool = True  # `--no-normalize` turns off compose-go's `Normalize` step (see `normalizing`)
    resolve_paths: bool = True  # `--no-path-resolution`: relative paths are printed as written...
    paths_relative_to: Path | None = None  # ...except an included project's, made relative to the includer's folder

    @property
    def path_base(self) -> str | None:
        """The folder relative paths are joined to in the output, or None to leave them as written.

        Files are still read from `working_dir`; this only decides what `config` prints.
        Compose resolves an included project's paths against the relative folder it was
        included from, so `./data` in `inc/compose.yaml` prints as `inc/data`.
        """
        if self.resolve_paths:
            return str(self.working_dir)
        if self.paths_relative_to is not None:
            return os.path.relpath(self.working_dir, self.paths_relative_to)
        return None


Rule = Callable[[Any, Context, KeyPath], Any]
DELETE = object()


def _rules() -> list[tuple[str, Rule]]:
    from compose.load.canonical import networks, ports, process, storage, toplevel

    return [*ports.RULES, *storage.RULES, *networks.RULES, *process.RULES, *toplevel.RULES]


def apply(data: Any, pattern: tuple[str, ...], rule: Rule, ctx: Context, path: KeyPath = ()) -> Any:
    """`data` with `rule` applied at every key path that matches `pattern`."""
    if not pattern:
        if not ctx.raw_variables:
            return rule(data, ctx, path)
        try:
            return rule(data, ctx, path)
        except FileError:
            if holds_variable(data):
                return data
            raise
    head, rest = pattern[0], pattern[1:]
    if isinstance(data, dict):
        keys = list(data) if head == "*" else ([head] if head in data else [])
        if not keys:
            return data
        out = dict(data)
        for key in keys:
            value = apply(data[key], rest, rule, ctx, path + (key,))
            if value is DELETE:
                del out[key]
            else:
                out[key] = value
        return out
    if isinstance(data, list) and head == "*":
        out_list = []
        for index, item in enumerate(data):
            value = apply(item, rest, rule, ctx, path + (index,))
            if value is not DELETE:
                out_list.append(value)
        return out_list
    return data


def canonicalize(data: dict[str, Any], ctx: Context) -> dict[str, Any]:
    for pattern, rule in _rules():
        data = apply(data, tuple(pattern.split(".")) if pattern else (), rule, ctx)
    return data


def holds_variable(value: Any) -> bool:
    """Whether a value (or anything inside it) still holds a `$` expression."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "$" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
