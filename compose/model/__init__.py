"""The typed, immutable model of a project: what every phase after loading works from.

    Project
     |-- services: name -> Service
     |    |-- build: Build | None, deploy: Deploy | None, healthcheck: Healthcheck | None
     |    |-- ports: (PortConfig, ...), volumes: (Mount, ...), secrets/configs: (FileReference, ...)
     |    `-- networks: name -> ServiceNetwork, depends_on: name -> Dependency
     `-- networks: Network, volumes: Volume, secrets: Secret, configs: Config (by key)

Every class is a frozen dataclass; lists are tuples and mappings `FrozenMap`s, so a
service can be hashed, compared and shared freely. `Project.from_canonical()` builds
the model from the canonical dict (`docker compose config`'s output, parsed): sizes
become bytes, Go durations float seconds, octal modes permission bits, and whatever
the model does not name is kept in the `extra` mapping of its nearest object.

    >>> from pathlib import Path
    >>> p = Project.from_canonical({"name": "demo", "services": {"db": {"image": "postgres", "scale": 2}}},
    ...                            working_dir=Path("/srv/demo"))
    >>> p.services["db"].replicas
    2
"""

from compose.model.deploy import Deploy, DeviceRequest, Resources, ResourceSpec, RestartPolicy
from compose.model.parts import (
    BindOptions,
    Build,
    Dependency,
    Device,
    FileReference,
    Healthcheck,
    Hook,
    Logging,
    Mount,
    PortConfig,
    ServiceNetwork,
    TmpfsOptions,
    Ulimit,
    VolumeOptions,
)
from compose.model.project import Config, FileObject, Ipam, IpamPool, Network, Project, Secret, Volume
from compose.model.service import Service
from compose.model.values import FrozenMap, freeze

__all__ = [
    "BindOptions", "Build", "Config", "Dependency", "Deploy", "Device", "DeviceRequest", "FileObject",
    "FileReference", "FrozenMap", "Healthcheck", "Hook", "Ipam", "IpamPool", "Logging", "Mount", "Network",
    "PortConfig", "Project", "Resources", "ResourceSpec", "RestartPolicy", "Secret", "Service",
    "ServiceNetwork", "TmpfsOptions", "Ulimit", "Volume", "VolumeOptions", "freeze",
]
