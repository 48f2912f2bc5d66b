"""Healthcheck semantics, as Docker has them, in pure functions; the supervisor runs the probes.

A probe runs `interval` after the last one ended (`start_interval` while the
container is still `starting` inside its `start_period`). Exit 0 makes the
container `healthy` and clears the failing streak. Any other result (a timeout
counts, with exit code -1) adds to the streak, except while `starting` inside the
start period; a streak of `retries` makes it `unhealthy`. The last 5 results are
kept, each output cut to 4096 bytes.
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


def next_interval(check: Healthcheck, health: Health, since_start: float) -> float:
    if health.status == STARTING and since_start < check.start_period:
        return check.start_interval
    return check.interval


def record_result(check: Healthcheck, health: Health, result: ProbeResult, since_start: float) -> Health:
    """The health after `result`; `since_start` is how long after the container's start the probe began."""
    log = (*health.log, result)[-KEEP:]
    if result.exit_code == 0:
        return Health(HEALTHY, 0, log)
    if health.status == STARTING and since_start < check.start_period:
        return Health(health.status, health.failing_streak, log)
    streak = health.failing_streak + 1
    return Health(UNHEALTHY if streak >= check.retries else health.status, streak, log)
