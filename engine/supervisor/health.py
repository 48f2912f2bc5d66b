"""Healthcheck semantics, as Docker has them, in pure functions; the supervisor runs the probes.

A probe runs `interval` after the last one ended (`start_interval` while the
container is still `starting` inside its `start_period`). Exit 0 makes the
container `healthy` and clears the failing streak. Any other result (a timeout
counts, with exit code -1) adds to the streak, except while `starting` inside the
start period; a streak of `retries` makes it `unhealthy`. The last 5 results are
kept, each output cut to 4096 bytes.

One departure, so that a dependent waiting on `service_healthy` starts as soon as it
can: until Docker's first probe is due (`interval` after the start, or `start_interval`
inside a start period), a container that has never been healthy is also probed early,
0.1 s after its start and then at doubling gaps (0.1, 0.2, 0.4 s...). A success there
makes it healthy at once; a failure there does not count, as none would have been
seen yet. A container never turns unhealthy sooner than Docker would say.
"""

from __future__ import annotations

from engine.state.record import Health, Healthcheck, ProbeResult

KEEP = 5
MAX_OUTPUT = 4096
STARTING, HEALTHY, UNHEALTHY = "starting", "healthy", "unhealthy"


def probe_argv(check: Healthcheck) -> list[str] | None:
    """The command a probe runs, or None when the check is disabled (["NONE"] or empty)."""
    kind, *args = check.test or ("NONE",)
    if kind == "NONE":
        return None
    if kind == "CMD":
        return list(args)
    if kind == "CMD-SHELL":
        return ["/bin/sh", "-c", " ".join(args)]
    return list(check.test)  # a bare command, as an older API allowed


EARLY = 0.1  # the first early probe, seconds after the start; the gaps double from there


def first_regular(check: Healthcheck) -> float:
    """When Docker probes a container first, in seconds after its start."""
    return min(check.interval, check.start_interval) if check.start_period > 0 else check.interval


def _early(health: Health, check: Healthcheck, since_start: float) -> bool:
    return health.status == STARTING and since_start < first_regular(check) \
        and not any(r.exit_code == 0 for r in health.log)


def next_interval(check: Healthcheck, health: Health, since_start: float) -> float:
    if _early(health, check, since_start):
        return min(max(EARLY, since_start), first_regular(check) - since_start)
    if health.status == STARTING and since_start < check.start_period:
        return check.start_interval
    return check.interval


def record_result(check: Healthcheck, health: Health, result: ProbeResult, since_start: float) -> Health:
    """The health after `result`; `since_start` is how long after the container's start the probe began."""
    log = (*health.log, result)[-KEEP:]
    if result.exit_code == 0:
        return Health(HEALTHY, 0, log)
    if health.status == STARTING and (since_start < check.start_period or since_start < first_regular(check)):
        return Health(health.status, health.failing_streak, log)
    streak = health.failing_streak + 1
    return Health(UNHEALTHY if streak >= check.retries else health.status, streak, log)
