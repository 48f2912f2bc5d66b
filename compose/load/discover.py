"""Phase `discover`: which compose files, which project directory, which project name.

Follows Docker Compose: `-f` files (or `COMPOSE_FILE`, split on
`COMPOSE_PATH_SEPARATOR`), else the first of the standard names found walking up
from the working directory, with its `.override` file beside it. The project
directory is `--project-directory`, else the first file's directory. The project
name is `-p`, else `COMPOSE_PROJECT_NAME`, else the top-level `name:`, else the
project directory's name, lowered and stripped to the allowed characters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from compose.errors import NoConfigFile, ProjectError

STANDARD_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yaml", "docker-compose.override.yml")
STDIN = "-"
_VALID_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


def _first_present(directory: Path, names: tuple[str, ...], what: str, warn: Callable[[str], None]) -> Path | None:
    found = [directory / n for n in names if (directory / n).is_file()]
    if len(found) > 1:
        warn(f"Found multiple {what} files with supported names: {', '.join(map(str, found))}")
        warn(f"Using {found[0]}")
    return found[0] if found else None


def find_default_files(start: Path, warn: Callable[[str], None]) -> list[Path]:
    """The standard compose file found walking up from `start`, and its override."""
    directory = start.resolve()
    while True:
        main = _first_present(directory, STANDARD_NAMES, "config", warn)
        if main is not None:
            override = _first_present(directory, OVERRIDE_NAMES, "override", warn)
            return [main] + ([override] if override else [])
        if directory.parent == directory:
            raise NoConfigFile(
                f"no configuration file provided: no {STANDARD_NAMES[0]} (or {', '.join(STANDARD_NAMES[1:])}) "
                f"in {start} or any parent directory",
                hint="pass one with -f, or run pycompose in the directory that holds your compose file",
            )
        directory = directory.parent


def files_from_environment(environ: Mapping[str, str], working_dir: Path) -> list[str]:
    """`COMPOSE_FILE` split on `COMPOSE_PATH_SEPARATOR` (default `:`), relative to the working directory."""
    value = environ.get("COMPOSE_FILE", "")
    if not value:
        return []
    separator = environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return [str(working_dir / p) for p in value.split(separator) if p]


def resolve_files(names: list[str], working_dir: Path) -> list[str]:
    """Absolute paths of the named files (`-` stays `-`); a missing file is the user's mistake."""
    out: list[str] = []
    for name in names:
        if name == STDIN:
            out.append(STDIN)
            continue
        path = (working_dir / os.path.expanduser(name)).absolute()
        if not path.exists():
            raise ProjectError(f"compose file {name!r} not found ({path})")
        if path.is_dir():
            main = _first_present(path, STANDARD_NAMES, "config", lambda _: None)
            if main is None:
                raise ProjectError(f"{path} is a directory without a compose file")
            path = main
        out.append(str(path))
    return out


def normalize_project_name(name: str) -> str:
    """What Docker Compose makes of a directory name or a top-level `name:`: lowered, stripped."""
    return re.sub(r"[^a-z0-9_-]", "", name.lower())


def check_project_name(name: str, source: str) -> str:
    if not _VALID_NAME.fullmatch(name):
        raise ProjectError(
            f"invalid project name {name!r} (from {source}): use only lowercase letters, digits, "
            "hyphens and underscores, starting with a letter or digit"
        )
    return name


def project_name(explicit: str | None, environ: Mapping[str, str], top_level: object, project_dir: Path) -> str:
    """The project name, by Docker Compose's order of precedence."""
    if explicit:
        return check_project_name(explicit, "-p")
    if environ.get("COMPOSE_PROJECT_NAME"):
        return check_project_name(environ["COMPOSE_PROJECT_NAME"], "COMPOSE_PROJECT_NAME")
    if isinstance(top_level, str) and top_level:
        return check_project_name(normalize_project_name(top_level), "the top-level name")
    name = normalize_project_name(project_dir.name)
    if not name:
        raise ProjectError(
            f"cannot derive a project name from the directory {str(project_dir)!r}",
            hint="set one with -p, COMPOSE_PROJECT_NAME or a top-level `name:` in the compose file",
        )
    return name
