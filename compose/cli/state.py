"""The global flags every command sees, and how a command turns them into loader options."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from compose.load.options import ProjectOptions


@dataclass(frozen=True)
class GlobalOptions:
    """The global flags that reach the loader (-f, -p, --project-directory, --env-file, --profile,
    --all-resources) and --debug; --ansi and --progress go to compose.cli.output, --parallel to
    compose.reconcile.parallel."""

    files: tuple[str, ...] = ()
    project_name: str | None = None
    project_directory: Path | None = None
    env_files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    debug: bool = False
    all_resources: bool = False

    def project_options(self, *, services: tuple[str, ...] = (), interpolate: bool = True,
                        consistency: bool = True) -> ProjectOptions:
        env_files = self.env_files or tuple(f for f in os.environ.get("COMPOSE_ENV_FILES", "").split(",") if f)
        return ProjectOptions(
            files=self.files,
            working_dir=Path.cwd(),
            project_directory=self.project_directory,
            project_name=self.project_name,
            env_files=env_files,
            dotenv=not switch("COMPOSE_DISABLE_ENV_FILE"),
            profiles=self.profiles,
            services=services,
            interpolate=interpolate,
            consistency=consistency,
            all_resources=self.all_resources,
            environ=dict(os.environ),
            stdin_text=sys.stdin.read() if "-" in self.files else None,
        )


def switch(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """A COMPOSE_* environment switch, true as Go's ParseBool reads it (1, t, true in any case)."""
    return (os.environ if environ is None else environ).get(name, "").strip().lower() in ("1", "t", "true")


def warn(message: str) -> None:
    """A warning for the user, on stderr."""
    sys.stderr.write(f"WARN[0000] {message}\n")
