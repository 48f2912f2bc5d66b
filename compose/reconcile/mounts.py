"""A service's `volumes:` and `tmpfs:` as the engine's mounts.

    options = mounts.attach(run_options(...), project, service)

A volume mount names a top-level volume by its key (the engine's name is `project.volumes[key].name`,
`<project>_<key>` by default); one without a source is anonymous (the engine names it). A bind's
source is already absolute (the loader's paths phase), made when missing with `create_host_path`
(the short syntax's default). `tmpfs:` entries are `DST[:size=..,mode=..]`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from compose.model import Mount as ModelMount
from compose.model import Project, Service
from compose.reconcile.errors import NotSupportedYet

if TYPE_CHECKING:
    from engine.containers.options import Mount, RunOptions


def attach(options: RunOptions, project: Project, service: Service) -> RunOptions:
    """`options` with the service's mounts."""
    from engine.volumes import parse_tmpfs

    made = [engine_mount(project, service, m) for m in service.volumes]
    made += [parse_tmpfs(spec) for spec in service.tmpfs]
    return replace(options, mounts=tuple(made)) if made else options


def engine_mount(project: Project, service: Service, mount: ModelMount) -> Mount:
    from engine.containers.options import Mount

    if mount.type == "tmpfs":
        tmpfs = mount.tmpfs
        return Mount("tmpfs", mount.target, read_only=mount.read_only, size=tmpfs.size if tmpfs else None,
                     mode=tmpfs.mode if tmpfs else None)
    if mount.type == "bind":
        create = bool(mount.bind and mount.bind.create_host_path)
        return Mount("bind", mount.target, mount.source, read_only=mount.read_only, create_host_path=create)
    if mount.type == "volume":
        if mount.volume and mount.volume.subpath:
            raise NotSupportedYet(f"service {service.name}: volume subpath is not supported yet")
        source = mount.source
        if source is not None and source in project.volumes:
            source = project.volumes[source].name
        return Mount("volume", mount.target, source, read_only=mount.read_only,
                     nocopy=bool(mount.volume and mount.volume.nocopy))
    raise NotSupportedYet(f"service {service.name}: {mount.type} mounts are not supported yet",
                          hint="use bind, volume or tmpfs")
