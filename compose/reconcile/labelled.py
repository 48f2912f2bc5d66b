"""A project known by its name only: `pycompose -p demo down` where there is no compose file.

As Docker Compose does for the commands that take a project name instead of a file (`down`, `ps`,
`logs`, `stop`, `start`, `restart`, `kill`, `rm`, `pause`, `unpause`, `top`, `port`, `exec`, `cp`,
`wait`, `stats`...), the project is what the engine and netplan hold under its labels: a service for
each `com.docker.compose.service` among its containers (its image, and its dependencies from the
`com.docker.compose.depends_on` label, so that `down` still stops dependents first), the networks and
volumes labelled with the project under their compose keys. The result is a `Loaded` like the
loader's, so every command goes on as with a file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from compose.plan import labels as L

if TYPE_CHECKING:
    from compose.load.loader import Loaded
    from compose.reconcile.world import World


def _depends_on(label: str) -> dict[str, dict[str, Any]]:
    """`db:service_healthy:true,cache:service_started:false` -> canonical `depends_on`."""
    out: dict[str, dict[str, Any]] = {}
    for item in filter(None, label.split(",")):
        name, _, rest = item.partition(":")
        condition, _, restart = rest.partition(":")
        out[name] = {"condition": condition or "service_started", "required": True, "restart": restart == "true"}
    return out


def loaded_from_labels(world: World, name: str) -> Loaded:
    from compose.load.loader import Loaded
    from compose.reconcile.observe import project_records

    services: dict[str, dict[str, Any]] = {}
    working_dir = ""
    for record in project_records(world, name):
        service = record.labels.get(L.SERVICE)
        if not service or service in services:
            continue
        working_dir = working_dir or record.labels.get(L.WORKING_DIR, "")
        services[service] = {"image": record.config.launch.get("image", ""),
                             "depends_on": _depends_on(record.labels.get(L.DEPENDS_ON, ""))}
    for spec in services.values():  # a dependency with no container left is not a service here
        spec["depends_on"] = {k: v for k, v in spec["depends_on"].items() if k in services}
    networks = {net.record.labels[L.NETWORK]: {"name": net.record.name}
                for net in world.networks.list_networks()
                if net.record.labels.get(L.PROJECT) == name and L.NETWORK in net.record.labels}
    volumes = {vol.labels[L.VOLUME]: {"name": vol.name} for vol in world.volumes.list()
               if vol.labels.get(L.PROJECT) == name and L.VOLUME in vol.labels}
    data = {"name": name, "services": services, "networks": networks, "volumes": volumes}
    return Loaded(name=name, working_dir=Path(working_dir or "."), files=(), data=data, environ={},
                  all_profiles=())
