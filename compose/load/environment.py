"""Phase `environment`: the variables a project is interpolated with.

The shell's environment always wins. `.env` files only add what the shell does
not set: first the `--env-file` files (later ones override earlier ones) or else
the `.env` of the directory Compose starts from, then the `.env` of the project
directory once the files are known (when it is another file).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from compose.errors import ProjectError
from compose.load.dotenv import read_dotenv


def read_env_files(paths: list[Path], environ: Mapping[str, str], *, required: bool) -> dict[str, str]:
    """Variables from `paths` in order (later files win), each file seeing the ones before it."""
    found: dict[str, str] = {}
    for path in paths:
        if not path.is_file():
            if required:
                raise ProjectError(f"couldn't find env file: {path}")
            continue
        seen = {**found}

        def lookup(name: str, seen: dict[str, str] = seen) -> str | None:
            return environ.get(name, seen.get(name))

        for key, value in read_dotenv(path, lookup).items():
            if value is not None:
                found[key] = value
    return found


def with_dotenv(environ: Mapping[str, str], dotenv: Mapping[str, str]) -> dict[str, str]:
    """`dotenv` under `environ`: a variable the shell sets is never replaced."""
    return {**dotenv, **environ}
