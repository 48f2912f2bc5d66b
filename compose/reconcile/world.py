"""The services a reconcile talks to, made from the roots (engine.roots) and the host namespace.

    world = World.from_roots(roots())      # the namespace the CLI runs in is the host
    world.containers.create(...); world.networks.attach(...)

`host_netns` is None for the namespace this process runs in (under `ip netns exec` in tests);
each container's own namespace lives under the run root (`netplan.netns`). Published ports go through
the userland proxy too unless the engine setting turns it off (compose.reconcile.proxy).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.containers.service import ContainerService
    from engine.images.images import ImageService
    from engine.roots import Roots
    from engine.volumes import VolumeService
    from netplan.service import NetworkService


@dataclass(frozen=True)
class World:
    """The engine's and netplan's services of this process's roots, each made (and its modules imported) when
    first used: a container without a network never loads netplan."""

    roots: Roots
    host_netns: Path | None = None

    @property
    def run_root(self) -> Path:
        return self.roots.run

    def files_dir(self, container_name: str) -> Path:
        """Where the container's own secret and config files are written (removed with it)."""
        return self.roots.state / "files" / container_name

    @cached_property
    def containers(self) -> ContainerService:
        from engine.containers.service import ContainerService

        return ContainerService(self.roots)

    @cached_property
    def networks(self) -> NetworkService:
        from compose.reconcile import proxy

        return proxy.network_service(self.roots, self.host_netns)

    @property
    def images(self) -> ImageService:
        return self.containers.images

    @property
    def volumes(self) -> VolumeService:
        return self.containers.volumes

    @classmethod
    def from_roots(cls, roots: Roots, host_netns: Path | None = None) -> World:
        return cls(roots, host_netns)
