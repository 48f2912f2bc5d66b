"""Waiting on a `depends_on` condition, read from the engine's records of the dependency's containers.

    service_started                 every container has started (running, or run and exited)
    service_healthy                 every container's healthcheck says healthy
    service_completed_successfully  every container has exited with code 0

A condition that can no longer be met fails at once (exited while waiting for healthy,
unhealthy, a non-zero exit, no healthcheck at all) with Docker Compose's wording; otherwise
the records are polled (tenacity: a few ms at first, backing off to a quarter second) until
`timeout`. Health is the supervisor's, which probes at `start_interval` while a container starts.

`wait_ready` is `up --wait`: every container of the services running, and healthy when it has a
healthcheck (one that completed with code 0 counts as done); an unhealthy or failed one fails at
once, and a timeout names what is missing, with the last health check's output.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from compose.plan import labels as L
from compose.reconcile.errors import DependencyFailed

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.state import ContainerRecord

CONDITIONS = ("service_started", "service_healthy", "service_completed_successfully")
DEFAULT_TIMEOUT = 600.0


class _NotYet(Exception):
    pass


def _met(world: World, record: ContainerRecord, condition: str) -> bool:
    """True when met, False when not yet; raises DependencyFailed when it never will be."""
    state = record.state
    if condition == "service_started":
        return state != "created"
    if condition == "service_completed_successfully":
        if state in ("exited", "dead"):
            # the engine's wait, not the record: a process that has just ended reads "exit 255"
            # until its supervisor has written the real code, which `wait` asks it for
            code = world.containers.wait(record.id)
            if code:
                raise DependencyFailed(f"service {record.labels.get(L.SERVICE, record.name)} didn't complete "
                                       f"successfully: exit {code}")
            return True
        return False
    if record.config.healthcheck is None:
        raise DependencyFailed(f"dependency failed to start: container {record.name} has no healthcheck configured")
    if state in ("exited", "dead"):
        raise DependencyFailed(f"dependency failed to start: container {record.name} exited ({record.exit_code})")
    status = record.health.status if record.health else "starting"
    if status == "unhealthy":
        raise DependencyFailed(f"dependency failed to start: container {record.name} is unhealthy")
    return status == "healthy"


def check(world: World, project: str, dependency: str, condition: str) -> list[ContainerRecord]:
    """The dependency's containers once `condition` holds for all; raises `_NotYet` or `DependencyFailed`."""
    if condition not in CONDITIONS:
        raise DependencyFailed(f"unknown depends_on condition {condition!r} for service {dependency}")
    records = [r for r in world.containers.list(all=True)
               if r.labels.get(L.PROJECT) == project and r.labels.get(L.SERVICE) == dependency
               and r.labels.get(L.ONEOFF, "False") != "True"]
    if not records:
        raise DependencyFailed(f"dependency failed to start: service {dependency} has no container")
    if not all([_met(world, r, condition) for r in records]):
        raise _NotYet
    return records


def wait_for(world: World, project: str, dependency: str, condition: str,
             timeout: float = DEFAULT_TIMEOUT) -> list[ContainerRecord]:
    """Wait until `dependency` meets `condition`; its containers. Raises DependencyFailed (a timeout too)."""
    import tenacity

    retrying = tenacity.Retrying(retry=tenacity.retry_if_exception_type(_NotYet),
                                 wait=tenacity.wait_exponential(multiplier=0.005, max=0.25),
                                 stop=tenacity.stop_after_delay(timeout), reraise=False)
    try:
        return retrying(check, world, project, dependency, condition)
    except tenacity.RetryError:
        raise DependencyFailed(f"dependency failed to start: service {dependency} did not become "
                               f"{condition.removeprefix('service_')} within {timeout:g}s") from None


def last_probe(record: ContainerRecord) -> str:
    """What the last health check of `record` said, on one line."""
    probes = record.health.log if record.health else ()
    if not probes:
        return "no health check has run yet"
    output = " ".join(probes[-1].output.split())
    return f"last health check exited {probes[-1].exit_code}: {output or '(no output)'}"


def ready(world: World, record: ContainerRecord) -> str | None:
    """`up --wait`'s word for a ready container (`Healthy`, or `Exited` for one that completed with 0);
    None while not yet; raises DependencyFailed when it never will be."""
    service = record.labels.get(L.SERVICE, record.name)
    if record.state in ("exited", "dead"):
        code = world.containers.wait(record.id)
        if code:
            raise DependencyFailed(f"service {service} exited with code {code} (container {record.name})")
        return "Exited"
    if record.state not in ("running", "paused"):
        return None
    if record.config.healthcheck is None:
        return "Healthy"
    status = record.health.status if record.health else "starting"
    if status == "unhealthy":
        raise DependencyFailed(f"service {service} is unhealthy (container {record.name}): {last_probe(record)}")
    return "Healthy" if status == "healthy" else None


def wait_ready(world: World, project: str, services: Iterable[str], timeout: float = DEFAULT_TIMEOUT,
               progress: Callable[[ContainerRecord, str], None] | None = None) -> None:
    """Until every container of `services` is `ready`; `progress(record, word)` once for each as it gets there."""
    wanted, delay = set(services), 0.005
    done: set[str] = set()
    deadline = time.monotonic() + timeout
    while True:
        pending = []
        for record in world.containers.list(all=True):
            if (record.labels.get(L.PROJECT) != project or record.labels.get(L.SERVICE) not in wanted
                    or record.labels.get(L.ONEOFF, "False") == "True" or record.id in done):
                continue
            word = ready(world, record)
            if word is None:
                pending.append(record)
                continue
            done.add(record.id)
            if progress is not None:
                progress(record, word)
        if not pending:
            return
        if time.monotonic() >= deadline:
            late = pending[0]
            goal = "healthy" if late.config.healthcheck is not None else "running"
            detail = f": {last_probe(late)}" if late.config.healthcheck is not None else f" (it is {late.state})"
            raise DependencyFailed(f"service {late.labels.get(L.SERVICE, late.name)} did not become {goal} "
                                   f"within {timeout:g}s (container {late.name}){detail}")
        time.sleep(min(delay, max(0.0, deadline - time.monotonic())))
        delay = min(delay * 2, 0.25)
