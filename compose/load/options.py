"""What the user asked for when loading a project: files, directories, names, profiles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ProjectOptions:
    """The loader's input, gathered by the CLI from flags and the process environment.

    `files` empty means discovery; `"-"` in `files` means standard input (`stdin_text`).
    `environ` is the shell environment; `.env` files add to it but never override it.
    """

    files: tuple[str, ...] = ()
    working_dir: Path = field(default_factory=Path.cwd)
    project_directory: Path | None = None
    project_name: str | None = None
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    interpolate: bool = True
    consistency: bool = True
    resolve_paths: bool = True   # `config --no-path-resolution` prints relative paths as written
    normalize: bool = True       # `config --no-normalize` skips compose-go's normalisation (implicit defaults)
    all_resources: bool = False  # keep the networks, volumes, secrets and configs no service uses
    dotenv: bool = True          # read the project's `.env` (COMPOSE_DISABLE_ENV_FILE turns it off)
    environ: Mapping[str, str] = field(default_factory=dict)
    stdin_text: str | None = None
