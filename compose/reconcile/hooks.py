"""A service's lifecycle hooks, run as Docker Compose runs them: `exec` in the container.

    post_start(world, service, container)   after the container started (`up`, `start`, `restart`)
    pre_stop(world, service, container)     before a running container is stopped (`stop`, `down`, a
                                            recreate, `restart`)
    stopping(world, project, record)        pre_stop of the service a project container belongs to;
    started(world, project, record)         and post_start (the lifecycle commands hold records)

Each hook runs with its own `user`, `privileged` (every capability), `working_dir` and
`environment` (over the container's), one after another, its output dropped (as Compose's
detached `up` drops it). A hook that exits non-zero stops there with Compose's message,
`<service> hook exited with status <n>`: a failing post_start fails the service, a failing
pre_stop fails the stop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compose.errors import ComposeError
from compose.model import Service
from compose.model.parts import Hook
from pycompose.errors import Conflict

if TYPE_CHECKING:
    from compose.model import Project
    from compose.reconcile.world import World
    from engine.state import ContainerRecord


class HookFailed(ComposeError, Conflict):
    """A lifecycle hook exited non-zero."""


def _run(world: World, service: Service, container: str, hooks: tuple[Hook, ...]) -> None:
    from engine.containers.exec import ExecOptions

    for hook in hooks:
        env = tuple(f"{k}={v}" for k, v in hook.environment.items() if v is not None)
        code = world.containers.exec(container, ExecOptions(argv=hook.command, env=env, user=hook.user,
                                                            workdir=hook.working_dir, privileged=hook.privileged,
                                                            quiet=True))
        if code != 0:
            raise HookFailed(f"{service.name} hook exited with status {code}")


def post_start(world: World, service: Service, container: str) -> None:
    _run(world, service, container, service.post_start)


def pre_stop(world: World, service: Service, container: str) -> None:
    """The pre_stop hooks, when the container runs (a stopped one has nothing to run them in)."""
    if service.pre_stop and world.containers.get(container).state == "running":
        _run(world, service, container, service.pre_stop)


def _service_of(project: Project, record: ContainerRecord) -> Service | None:
    from compose.plan import labels as L

    return project.services.get(record.labels.get(L.SERVICE, ""))


def stopping(world: World, project: Project, record: ContainerRecord) -> None:
    service = _service_of(project, record)
    if service is not None:
        pre_stop(world, service, record.id)


def started(world: World, project: Project, record: ContainerRecord) -> None:
    service = _service_of(project, record)
    if service is not None:
        post_start(world, service, record.id)
