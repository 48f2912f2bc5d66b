"""Where the engine keeps its state: the persistent root and the run root.

    state root  /var/lib/pycompose   images, layers, container records, volumes, network records
    run root    /run/pycompose       namespace files, sockets, pid files: what a reboot clears

`PYCOMPOSE_ROOT` and `PYCOMPOSE_RUN_ROOT` move them (tests use temporary directories
whose path contains "pycompose", so the leak check finds anything left under them).
Every part of the engine and netplan takes its directory as a parameter; only the
CLI asks this module.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_STATE_ROOT = Path("/var/lib/pycompose")
DEFAULT_RUN_ROOT = Path("/run/pycompose")


@dataclass(frozen=True)
class Roots:
    """The engine's state root and run root."""

    state: Path
    run: Path

    @property
    def images(self) -> Path:
        return self.state / "images"

    @property
    def containers(self) -> Path:
        return self.state / "containers"

    @property
    def volumes(self) -> Path:
        return self.state / "volumes"

    @property
    def networks(self) -> Path:
        return self.state / "networks"


def roots(environ: Mapping[str, str] | None = None) -> Roots:
    """The roots this process uses: the environment's, else the defaults."""
    environ = os.environ if environ is None else environ
    return Roots(state=Path(environ.get("PYCOMPOSE_ROOT") or DEFAULT_STATE_ROOT),
                 run=Path(environ.get("PYCOMPOSE_RUN_ROOT") or DEFAULT_RUN_ROOT))
