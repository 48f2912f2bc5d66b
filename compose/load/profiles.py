"""Phase `profiles`: which services of the canonical project are active.

As Docker Compose 2.40 decides it:

1. A service without `profiles` is active; one with profiles is active when one of
   them is enabled (`*` enables them all).
2. An active service may not require (`required: true`) a service that is inactive.
3. Services named on the command line enable their own profiles first; then only
   they and their dependencies stay, and a dependency that is still inactive is an
   error when required and dropped (from `depends_on` too) when not.

    >>> project = {"services": {"web": {}, "debug": {"profiles": ["tools"]}}}
    >>> sorted(select(project, profiles=[], services=[])["services"])
    ['web']
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from compose.errors import FileError, ServiceNotFound


def all_profiles(data: dict) -> list[str]:
    """Every profile any service names, sorted (`config --profiles`)."""
    found = {str(p) for s in _services(data).values() if isinstance(s, dict) for p in s.get("profiles") or ()}
    return sorted(found)


def select(data: dict, *, profiles: Collection[str], services: Collection[str]) -> dict:
    """`data` with only the active services (and, when `services` are named, only those and their dependencies)."""
    everything = _services(data)
    enabled = set(profiles)
    active = _active(everything, enabled)
    _check_required(everything, active)
    for name in services:
        if name not in everything:
            raise ServiceNotFound(f"no such service: {name}")
    if services:
        for name in services:
            if name not in active:
                enabled.update(str(p) for p in everything[name].get("profiles") or ())
        active = _active(everything, enabled)
        active = _closure(everything, active, list(services))
    kept = {name: _keep_dependencies(everything[name], active) if services else everything[name]
            for name in everything if name in active}
    return {**data, "services": kept}


def _services(data: dict) -> dict[str, Any]:
    services = data.get("services")
    return services if isinstance(services, dict) else {}


def _enabled(service: Any, profiles: set[str]) -> bool:
    own = service.get("profiles") if isinstance(service, dict) else None
    return not own or "*" in profiles or any(str(p) in profiles for p in own)


def _active(services: dict[str, Any], profiles: set[str]) -> set[str]:
    return {name for name, service in services.items() if _enabled(service, profiles)}


def _dependencies(service: Any) -> dict[str, Any]:
    depends = service.get("depends_on") if isinstance(service, dict) else None
    if isinstance(depends, list):
        return {str(name): {} for name in depends}
    return depends if isinstance(depends, dict) else {}


def _required(condition: Any) -> bool:
    return not isinstance(condition, dict) or condition.get("required", True) is not False


def _check_required(services: dict[str, Any], active: set[str]) -> None:
    """An active service may not require one its profiles leave out."""
    for name in sorted(active):
        for dep, condition in _dependencies(services[name]).items():
            if dep in services and dep not in active and _required(condition):
                profiles = ", ".join(str(p) for p in services[dep].get("profiles") or ())
                raise FileError(("services", name, "depends_on", dep),
                                f'service "{name}" depends on service "{dep}", which is not enabled: enable one of its '
                                f"profiles ({profiles}) with --profile, or make the dependency `required: false`")


def _closure(services: dict[str, Any], active: set[str], named: list[str]) -> set[str]:
    """The named services and, transitively, their dependencies that are active."""
    chosen: set[str] = set()
    todo = list(named)
    while todo:
        name = todo.pop()
        if name in chosen:
            continue
        chosen.add(name)
        for dep, condition in _dependencies(services[name]).items():
            if dep in active:
                todo.append(dep)
            elif _required(condition):
                raise ServiceNotFound(f"no such service: {dep}")
    return chosen


def _keep_dependencies(service: Any, kept: set[str]) -> Any:
    """`service` without the `depends_on` entries on services that are not kept."""
    depends = _dependencies(service)
    if not depends or all(dep in kept for dep in depends):
        return service
    out = dict(service)
    remaining = {dep: cond for dep, cond in depends.items() if dep in kept}
    if remaining:
        out["depends_on"] = remaining
    else:
        del out["depends_on"]
    return out
