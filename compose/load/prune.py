"""Phase `prune`: top-level networks, volumes, secrets and configs that no enabled service uses are dropped.

Docker Compose prints (and creates) only what the enabled services refer to, so a
resource used only by a service whose profile is off does not appear either.
"""

from __future__ import annotations

from typing import Any


def _used(services: dict[str, Any]) -> dict[str, set[str]]:
    used: dict[str, set[str]] = {"networks": set(), "volumes": set(), "secrets": set(), "configs": set()}
    for service in services.values():
        used["networks"].update(service.get("networks") or {})
        for mount in service.get("volumes") or ():
            if mount.get("type") == "volume" and mount.get("source"):
                used["volumes"].add(mount["source"])
        for kind in ("secrets", "configs"):
            used[kind].update(ref["source"] for ref in service.get(kind) or () if "source" in ref)
        used["secrets"].update(ref["source"] for ref in (service.get("build") or {}).get("secrets") or ()
                               if isinstance(ref, dict) and "source" in ref)
    return used


def prune(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with only the resources its services use."""
    used = _used(data.get("services") or {})
    out = dict(data)
    for kind, names in used.items():
        if kind not in data:
            continue
        kept = {name: value for name, value in (data[kind] or {}).items() if name in names}
        if kept:
            out[kind] = kept
        else:
            del out[kind]
    return out
