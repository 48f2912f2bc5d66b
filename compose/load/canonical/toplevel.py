"""Canonical forms of the project-level keys that are not networks, volumes, secrets or configs.

`name` is set by the loader before this phase and printed as is; `version` is
obsolete and dropped (the loader warns about it); `x-*` extensions and `models`
are printed as written.
"""

from __future__ import annotations

from typing import Any

from compose.errors import KeyPath
from compose.load.canonical import DELETE, Context, Rule


def drop(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a key `config` never prints."""
    return DELETE


def model(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a top-level model: empty `runtime_flags` and a zero `context_size` are left out."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for key in ("runtime_flags", "context_size", "name"):
        if key in out and not out[key]:
            del out[key]
    return out


RULES: list[tuple[str, Rule]] = [
    ("version", drop),
    ("models.*", model),
]
