"""Docker Compose's labels, and the names of a project's containers.

A container, network or volume belongs to a project only through its labels, so
these are the very names Docker Compose writes: a stack made by one tool is
recognised by the other (its config hash aside, see `compose.hash`).

    >>> container_name("demo", "web", 2)
    'demo-web-2'
    >>> depends_on_label({"db": ("service_healthy", True), "cache": ("service_started", False)})
    'db:service_healthy:true,cache:service_started:false'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from compose.model import Network, Project, Service, Volume

PREFIX = "com.docker.compose."
PROJECT = PREFIX + "project"
SERVICE = PREFIX + "service"
CONTAINER_NUMBER = PREFIX + "container-number"
ONEOFF = PREFIX + "oneoff"
CONFIG_HASH = PREFIX + "config-hash"
CONFIG_FILES = PREFIX + "project.config_files"
WORKING_DIR = PREFIX + "project.working_dir"
ENVIRONMENT_FILE = PREFIX + "project.environment_file"
DEPENDS_ON = PREFIX + "depends_on"
IMAGE = PREFIX + "image"
VERSION = PREFIX + "version"
NETWORK = PREFIX + "network"
VOLUME = PREFIX + "volume"
REPLACE = PREFIX + "replace"
SLUG = PREFIX + "slug"


def _version() -> str:
    from pycompose import __version__

    return __version__


def container_name(project: str, service: str, number: int, *, container_name: str | None = None) -> str:
    """`<project>-<service>-<number>`, or the service's own `container_name`."""
    return container_name or f"{project}-{service}-{number}"


def service_container_name(project: Project, service: Service, number: int) -> str:
    return container_name(project.name, service.name, number, container_name=service.container_name)


def depends_on_label(dependencies: Mapping[str, tuple[str, bool]]) -> str:
    """`name:condition:restart` for each dependency, comma-separated, as Compose writes it."""
    return ",".join(f"{name}:{cond}:{str(restart).lower()}" for name, (cond, restart) in dependencies.items())


def container_labels(project: Project, service: Service, number: int, *, config_files: Iterable[str] = (),
                     image_digest: str | None = None, oneoff: bool = False) -> dict[str, str]:
    """The labels of a service's container: the service's own, then Compose's (which win)."""
    labels = dict(service.labels)
    labels.update({
        PROJECT: project.name,
        SERVICE: service.name,
        CONTAINER_NUMBER: str(number),
        ONEOFF: "True" if oneoff else "False",
        CONFIG_HASH: service.config_hash,
        CONFIG_FILES: ",".join(config_files),
        WORKING_DIR: str(project.working_dir),
        DEPENDS_ON: depends_on_label({n: (d.condition, d.restart) for n, d in service.depends_on.items()}),
        VERSION: _version(),
    })
    if image_digest:
        labels[IMAGE] = image_digest
    return labels


def network_labels(project: Project, key: str, network: Network, *, config_hash: str = "") -> dict[str, str]:
    """A project network's labels: its own, then project, network key, config hash and version."""
    labels = dict(network.labels)
    labels.update({PROJECT: project.name, NETWORK: key, VERSION: _version()})
    if config_hash:
        labels[CONFIG_HASH] = config_hash
    return labels


def volume_labels(project: Project, key: str, volume: Volume, *, config_hash: str = "") -> dict[str, str]:
    """A project volume's labels: its own, then project, volume key, config hash and version."""
    labels = dict(volume.labels)
    labels.update({PROJECT: project.name, VOLUME: key, VERSION: _version()})
    if config_hash:
        labels[CONFIG_HASH] = config_hash
    return labels
