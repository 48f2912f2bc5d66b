"""One-off containers of `run`: the service as the command line changes it, its dependencies brought up first.

    request = RunRequest("api", command=("echo", "hi"), remove=True)
    container = prepare(world, project, request, config_files=loaded.files, progress=progress, warn=warn)
    world.containers.start(container.id)   # then attach, or print its ID (-d)

As Docker Compose's `run` does it:
- dependencies: `up` is planned for the service with its dependencies (none with `--no-deps`), the service's
  own step left out and replaced by waits on its dependencies' conditions (`dependency_plan`); the plan makes
  the service's networks and volumes too, and refuses an image that is not there (as `up` does);
- the container: named `<project>-<service>-run-<12 hex>` (or `--name`), labelled `com.docker.compose.oneoff=True`
  with container number -1 and a slug, restart policy none, on the service's networks under its own name only
  (no service alias unless `--use-aliases`: the service's name still finds only the service's containers);
  ports are published only with `--service-ports` or `-p`; command, entrypoint, user, working directory,
  environment, labels and volumes of the command line replace or add to the service's; `tty` and `stdin_open`
  are the command line's (`-T`, `-i`), whatever the service says.

`down` removes one-off containers with their service's (compose.plan.down); `up` leaves them alone.
"""

from __future__ import annotations

import os
import secrets
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from compose.errors import ComposeError
from compose.model import FrozenMap, Mount, PortConfig, Project, Service
from compose.plan import labels as L
from pycompose.errors import InvalidArgument

if TYPE_CHECKING:
    from compose.plan.observed import Observed
    from compose.plan.structure import Plan
    from compose.reconcile.world import World
    from engine.state import ContainerRecord


class BadRunArgument(ComposeError, InvalidArgument):
    """A flag of `run` or `exec` that cannot be read (a port, a volume)."""


@dataclass(frozen=True)
class RunRequest:
    """What `run` asks for on top of the service's definition."""

    service: str
    command: tuple[str, ...] = ()
    entrypoint: str | None = None          # a command line, split as a shell would (`--entrypoint "sh -c"`)
    env: tuple[str, ...] = ()              # KEY=VALUE, or KEY (its value from the project's environment)
    user: str | None = None
    workdir: str | None = None
    name: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    volumes: tuple[str, ...] = ()          # short syntax, as `volumes:` has it
    publish: tuple[str, ...] = ()          # short syntax, as `ports:` has it
    service_ports: bool = False
    use_aliases: bool = False              # also the service's name and aliases on its networks
    no_deps: bool = False
    remove_orphans: bool = False
    tty: bool = False                      # a pty for the container (the service's `tty`, as Compose sets it)
    interactive: bool = False              # its stdin kept open (`stdin_open`), closed with ours when attached
    attached: bool = True                  # not `-d`: with `interactive`, the end of our input ends its stdin
    remove_on_exit: bool = False           # `-d --rm`: its supervisor removes it once it has exited
    console_size: tuple[int, int] | None = None  # (rows, columns) of our terminal, for its pty


def container_name(project: str, service: str, slug: str) -> str:
    """`demo-web-run-0123456789ab`: Compose's name for a one-off container (the slug's first 12 hex)."""
    return f"{project}-{service}-run-{slug[:12]}"


def environment(items: tuple[str, ...] | list[str], environ: Mapping[str, str]) -> dict[str, str]:
    """`-e` items as a mapping; `-e NAME` takes NAME's value from `environ` and is dropped when it has none."""
    from pycompose.pairs import key_values

    try:
        return key_values(items, environ)
    except ValueError as err:
        raise BadRunArgument(f"invalid environment variable: {err.args[0]!r}") from None


def _ports(specs: tuple[str, ...]) -> tuple[PortConfig, ...]:
    from compose.load.canonical.ports import parse_short

    ports = []
    for spec in specs:
        try:
            entries = parse_short(spec, ())
        except ComposeError as error:
            raise BadRunArgument(f"invalid --publish {spec!r}: {getattr(error, 'problem', error)}") from None
        ports += [PortConfig.from_canonical(e) for e in entries]
    return tuple(ports)


def _mounts(specs: tuple[str, ...], working_dir: Path) -> tuple[Mount, ...]:
    from compose.load.canonical.storage import parse_volume

    mounts = []
    for spec in specs:
        try:
            raw = parse_volume(spec, ())
        except ComposeError as error:
            raise BadRunArgument(f"invalid --volume {spec!r}: {getattr(error, 'problem', error)}") from None
        if raw["type"] == "bind":
            raw["source"] = os.path.normpath(working_dir / os.path.expanduser(raw["source"]))
        mounts.append(Mount.from_canonical(raw))
    return tuple(mounts)


def oneoff_service(project: Project, service: Service, request: RunRequest,
                   environ: Mapping[str, str] | None = None) -> Service:
    """The service as the one-off container runs it (pure); `-e NAME` reads `environ` (the project's)."""
    env = dict(service.environment)
    env.update(environment(request.env, project.environment if environ is None else environ))
    changes: dict = {
        "environment": FrozenMap(env),
        "restart": "no",
        "ports": (*(service.ports if request.service_ports else ()), *_ports(request.publish)),
        "labels": FrozenMap({**service.labels, **request.labels}),
        "tty": request.tty,
        "stdin_open": request.interactive,
    }
    if request.command:
        changes["command"] = tuple(request.command)
    if request.entrypoint is not None:
        changes["entrypoint"] = tuple(shlex.split(request.entrypoint))
        if not request.command:
            changes["command"] = ()
    if request.user:
        changes["user"] = request.user
    if request.workdir:
        changes["working_dir"] = request.workdir
    if request.volumes:
        added = _mounts(request.volumes, project.working_dir)
        targets = {m.target for m in added}
        changes["volumes"] = (*(m for m in service.volumes if m.target not in targets), *added)
    return replace(service, **changes)


def oneoff_labels(project: Project, service: Service, slug: str, *, config_files: tuple[str, ...] = (),
                  image_digest: str | None = None) -> dict[str, str]:
    """Compose's labels of a one-off container: oneoff True, container number -1, the slug."""
    labels = L.container_labels(project, service, -1, config_files=config_files, image_digest=image_digest,
                                oneoff=True)
    labels[L.SLUG] = slug
    return labels


def dependency_plan(project: Project, observed: Observed, request: RunRequest, *,
                    config_files: tuple[str, ...] = ()) -> Plan:
    """`up`'s plan for the service and its dependencies, minus the service's own containers, plus waits on
    its dependencies' conditions (none with `no_deps`). Pure."""
    from compose import graph as G
    from compose.plan import actions as A
    from compose.plan.planner import UpOptions, plan
    from compose.plan.structure import Plan

    name = request.service
    project.service(name)  # ServiceNotFound names the services there are
    options = UpOptions(services=(name,), no_deps=request.no_deps, remove_orphans=request.remove_orphans,
                        config_files=config_files)
    up = plan(project, observed, options)
    stages: list[tuple[str, list[tuple[str, tuple[A.Action, ...]]]]] = [
        (stage.name, [(step.subject, step.actions) for step in stage.steps
                      if not (stage.name == "services" and step.subject == name)])
        for stage in up.stages]
    if not request.no_deps:
        graph = G.service_graph(project)
        waits = tuple(A.WaitDependency(name, dep, G.edge(graph, name, dep).condition,
                                       G.edge(graph, name, dep).required)
                      for dep in sorted(graph.successors(name)))
        stages.append(("services", [(name, waits)]))
    return Plan.of(stages, up.warnings)


def prepare(world: World, project: Project, request: RunRequest, *, config_files: tuple[str, ...] = (),
            environ: Mapping[str, str] | None = None, progress: Callable[[str], None],
            warn: Callable[[str], None]) -> ContainerRecord:
    """Bring the dependencies up, then make the one-off container (created, not started)."""
    from compose.plan.resources import image_of
    from compose.reconcile import dns, runs
    from compose.reconcile.execute import execute
    from compose.reconcile.observe import observe

    the_plan = dependency_plan(project, observe(project, world), request, config_files=config_files)
    dns.ensure(world)
    execute(the_plan, project, world, progress=progress, warn=warn)
    service = oneoff_service(project, project.service(request.service), request, environ)
    slug = secrets.token_hex(32)
    image = image_of(project, service)
    labels = oneoff_labels(project, service, slug, config_files=config_files, image_digest=world.images.get(image).id)
    name = request.name or container_name(project.name, service.name, slug)
    terminal = {"stdin_once": request.interactive and request.attached,
                "console_size": request.console_size if request.tty else None,
                "remove_on_exit": request.remove_on_exit}
    return runs.make(world, project, service, name, image, labels, aliases=request.use_aliases,
                     engine_options=terminal)


def remove(world: World, container: str) -> None:
    """Stop and remove the one-off container with its anonymous volumes (`run --rm`)."""
    from compose.reconcile import runs
    from compose.reconcile.execute import _anonymous_volumes

    anonymous = _anonymous_volumes(world, container)
    runs.unmake(world, container, 0)
    for volume in anonymous:
        world.volumes.remove(volume, force=True)
