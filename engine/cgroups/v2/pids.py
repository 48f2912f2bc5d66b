"""v2 pids: pids.max (`max` when the limit is 0 or less); the files are the same as v1's."""

from __future__ import annotations

from engine.cgroups.v1.pids import apply, stats

__all__ = ["apply", "stats"]
