"""The loader: compose files -> the canonical project. See `compose.load.loader` for the phases.

`from compose.load import load, ProjectOptions` is the public surface; the phase
modules are imported only when a load runs, so importing one phase stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Loaded", "ProjectOptions", "load"]


def __getattr__(name: str) -> Any:
    if name in ("load", "Loaded"):
        from compose.load import loader

        return getattr(loader, name)
    if name == "ProjectOptions":
        from compose.load.options import ProjectOptions

        return ProjectOptions
    raise AttributeError(name)
