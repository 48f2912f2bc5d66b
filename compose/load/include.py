"""Phase `include`: other compose projects brought into this one.

    include:
      - sub/compose.yaml                       # short form: a path
      - path: [a.yaml, a.override.yaml]        # long form: one or several files merged
        project_directory: ./a                 # default: the folder of the first file
        env_file: [a.env]                      # default: <project_directory>/.env, when it exists

Each entry becomes an `IncludeSpec` with absolute paths; `load_included(spec)` loads
it (nested includes are its business) and returns the included project in canonical
form. Its services, networks, volumes, secrets and configs join this project. A
name defined both here and there is an error unless both definitions are equal
(`canonical`, when given, puts the local definition in the same form first).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compose.errors import FileError

RESOURCES = ("services", "volumes", "networks", "secrets", "configs")


@dataclass(frozen=True)
class IncludeSpec:
    """One `include` entry, resolved: the files to merge, their project directory and env files."""

    paths: tuple[Path, ...]
    project_directory: Path
    env_files: tuple[Path, ...]


def specs(data: dict, working_dir: Path) -> list[IncludeSpec]:
    """The `include` entries of `data`, with paths resolved against `working_dir`."""
    entries = data.get("include") or []
    if not isinstance(entries, list):
        raise FileError(("include",), "must be a list of paths or of mappings with a `path`")
    return [_spec(entry, index, Path(working_dir)) for index, entry in enumerate(entries)]


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _absolute(path: str, folder: Path) -> Path:
    return Path(os.path.normpath(folder / os.path.expanduser(path)))


def _spec(entry: Any, index: int, working_dir: Path) -> IncludeSpec:
    where = ("include", index)
    if isinstance(entry, str):
        entry = {"path": entry}
    if not isinstance(entry, dict) or not _strings(entry.get("path")):
        raise FileError(where, "an include entry needs a `path` (a file or a list of files)")
    paths = tuple(_absolute(p, working_dir) for p in _strings(entry["path"]))
    directory = entry.get("project_directory")
    project_directory = _absolute(str(directory), working_dir) if directory else paths[0].parent
    if entry.get("env_file") is None:
        default = project_directory / ".env"
        env_files: tuple[Path, ...] = (default,) if default.is_file() else ()
    else:
        env_files = tuple(_env_file(p, working_dir, where) for p in _strings(entry["env_file"]) if p != "/dev/null")
    return IncludeSpec(paths, project_directory, env_files)


def _env_file(path: str, working_dir: Path, where: tuple) -> Path:
    full = _absolute(path, working_dir)
    if not full.exists():
        raise FileError(where + ("env_file",), f"env file {full} not found")
    if not full.is_file():
        raise FileError(where + ("env_file",), f"env file {full} is not a file")
    return full


def apply_include(data: dict, *, working_dir: Path, load_included: Callable[[IncludeSpec], dict],
                  canonical: Callable[[dict], dict] | None = None) -> dict:
    """`data` with the included projects' resources added and without its `include` key."""
    if "include" not in data:
        return data
    out = {k: v for k, v in data.items() if k != "include"}
    for index, spec in enumerate(specs(data, working_dir)):
        for path in spec.paths:
            if not path.is_file():
                problem = "is not a file" if path.exists() else "not found"
                raise FileError(("include", index), f"included file {path} {problem}")
        imported = load_included(spec)
        for kind in RESOURCES:
            theirs = imported.get(kind)
            if not isinstance(theirs, dict) or not theirs:
                continue
            ours = dict(out.get(kind) or {})
            for name, definition in theirs.items():
                if name in ours and not _same(kind, name, ours[name], definition, canonical):
                    raise FileError((kind, name), "conflicts with imported resource "
                                    f"(defined differently in {spec.paths[0]})")
                ours[name] = definition
            out[kind] = ours
    return out


def _same(kind: str, name: str, ours: Any, theirs: Any, canonical: Callable[[dict], dict] | None) -> bool:
    if ours == theirs:
        return True
    if canonical is None:
        return False
    shaped = canonical({kind: {name: ours}}).get(kind, {}).get(name)
    return bool(shaped == theirs)
