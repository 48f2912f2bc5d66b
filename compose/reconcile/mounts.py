"""A service's `volumes:` and `tmpfs:` as the engine's mounts.

    options = mounts.attach(run_options(...), project, service)

A volume mount names a top-level volume by its key (the engine's name is `project.volumes[key].name`,
`<project>_<key>` by default); one without a source is anonymous (the engine names it). A bind's
source is already absolute (the loader's paths phase), made when missing with `create_host_path`
(the short syntax's default). `tmpfs:` entries are `DST[:size=..,mode=..]`.

`secrets:` and `configs:` are files bound read-only: at `/run/secrets/<target>` and `/<target>`
(a config's default target is `/<source>`). A `file:` source with no `uid`, `gid` or `mode` is bound
as it is, as Compose does; otherwise, and for `environment:` and `content:` sources, the content is
written to a file of the container's own (`files_dir`) with those owners and mode (default root,
0444), so they are honoured, not ignored as outside Swarm.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from compose.model import FileObject, FileReference, Project, Service
from compose.model import Mount as ModelMount
from compose.reconcile.errors import NotSupportedYet

if TYPE_CHECKING:
    from engine.containers.options import Mount, RunOptions


def attach(options: RunOptions, project: Project, service: Service, files_dir: Path | None = None) -> RunOptions:
    """`options` with the service's mounts; secrets and configs that need a file of their own get it in
    `files_dir` (made when needed; the caller removes it with the container)."""
    from engine.volumes import parse_tmpfs

    made = [engine_mount(project, service, m) for m in service.volumes]
    made += [parse_tmpfs(spec) for spec in service.tmpfs]
    for kind, refs in (("secrets", service.secrets), ("configs", service.configs)):
        made += [file_mount(project, service, kind, ref, files_dir) for ref in refs]
    return replace(options, mounts=tuple(made)) if made else options


def file_mount(project: Project, service: Service, kind: str, ref: FileReference, files_dir: Path | None) -> Mount:
    """One secret or config of `service` as a read-only bind."""
    from engine.containers.options import Mount

    objects = project.secrets if kind == "secrets" else project.configs
    what = f"service {service.name}: {kind[:-1]} {ref.source}"
    if ref.source not in objects:
        raise NotSupportedYet(f"{what} is not defined in the top-level {kind}")
    obj = objects[ref.source]
    if obj.external:
        raise NotSupportedYet(f"{what}: external {kind} need Swarm; give a file, environment or content")
    target = ref.target or ref.source
    if not target.startswith("/"):
        target = f"/run/secrets/{target}" if kind == "secrets" else f"/{target}"
    if obj.file is not None and ref.uid is None and ref.gid is None and ref.mode is None:
        if not os.path.exists(obj.file):
            raise NotSupportedYet(f"{what}: file {obj.file} does not exist")
        return Mount("bind", target, obj.file, read_only=True)
    if files_dir is None:
        raise NotSupportedYet(f"{what}: needs a file of the container's own, and none was given")
    return Mount("bind", target, str(_materialize(what, obj, ref, project, files_dir / kind)), read_only=True)


def _materialize(what: str, obj: FileObject, ref: FileReference, project: Project, directory: Path) -> Path:
    if obj.file is not None:
        try:
            data = Path(obj.file).read_bytes()
        except OSError as err:
            raise NotSupportedYet(f"{what}: cannot read {obj.file}: {err.strerror}") from None
    elif obj.environment is not None:
        if obj.environment not in project.environment:
            raise NotSupportedYet(f"{what}: environment variable {obj.environment} is not set")
        data = project.environment[obj.environment].encode()
    else:
        data = (obj.content or "").encode()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / ref.source
    path.write_bytes(data)
    os.chown(path, int(ref.uid or 0), int(ref.gid or 0))
    path.chmod(0o444 if ref.mode is None else ref.mode)
    return path


def engine_mount(project: Project, service: Service, mount: ModelMount) -> Mount:
    from engine.containers.options import Mount

    if mount.type == "tmpfs":
        tmpfs = mount.tmpfs
        return Mount("tmpfs", mount.target, read_only=mount.read_only, size=tmpfs.size if tmpfs else None,
                     mode=tmpfs.mode if tmpfs else None)
    if mount.type == "bind":
        create = bool(mount.bind and mount.bind.create_host_path)
        return Mount("bind", mount.target, mount.source, read_only=mount.read_only, create_host_path=create,
                     propagation=mount.bind.propagation if mount.bind else None)
    if mount.type == "volume":
        source = mount.source
        if source is not None and source in project.volumes:
            source = project.volumes[source].name
        return Mount("volume", mount.target, source, read_only=mount.read_only,
                     nocopy=bool(mount.volume and mount.volume.nocopy),
                     subpath=mount.volume.subpath if mount.volume else None)
    raise NotSupportedYet(f"service {service.name}: {mount.type} mounts are not supported yet",
                          hint="use bind, volume or tmpfs")


def reuse_anonymous(options: RunOptions, previous: Mapping[str, str], image_volumes: Iterable[str]) -> RunOptions:
    """`options` whose anonymous volumes (the service's, and the image's VOLUMEs) are those of the container
    being replaced, target for target, so that recreating keeps their data as Compose does."""
    from engine.containers.options import Mount

    wanted = {os.path.normpath(t): n for t, n in previous.items()}
    kept = []
    for mount in options.mounts:
        target = os.path.normpath(mount.target)
        if mount.type == "volume" and mount.source is None and target in wanted:
            mount = replace(mount, source=wanted.pop(target))
        elif target in wanted:
            del wanted[target]  # something else is mounted there now
        kept.append(mount)
    kept += [Mount("volume", t, wanted[os.path.normpath(t)]) for t in image_volumes if os.path.normpath(t) in wanted]
    return replace(options, mounts=tuple(kept))
