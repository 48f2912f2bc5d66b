"""v1 devices: the allow/deny list, one rule per write, in the order given.

A deny of `a *:* rwm` switches the cgroup to deny-by-default and clears its exceptions,
so the usual list (DEFAULT_DEVICE_RULES) starts with it and then allows device by device.
The kernel takes the wildcard rule as just `a`.
"""

from __future__ import annotations

from pathlib import Path

from engine.cgroups import fs
from engine.cgroups.resources import Resources


def apply(cgroup: Path, resources: Resources) -> None:
    for rule in resources.devices:
        line = "a" if rule.type == "a" else str(rule)
        fs.write(cgroup / ("devices.allow" if rule.allow else "devices.deny"), line)
