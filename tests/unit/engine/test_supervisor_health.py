"""engine.supervisor.health: when probes run and what their results make of a container's health."""

from __future__ import annotations

from engine.state.record import Health, Healthcheck, ProbeResult
from engine.supervisor.health import HEALTHY, STARTING, UNHEALTHY, next_interval, probe_argv, record_result

CHECK = Healthcheck(test=("CMD", "true"), interval=1.0, timeout=1.0, retries=2)


def result(code: int) -> ProbeResult:
    return ProbeResult("s", "e", code, "out")


def schedule(check: Healthcheck, until: float) -> list[float]:
    """The start times of the probes of a container that never becomes healthy (probes take no time)."""
    at, times, health = 0.0, [], Health()
    while True:
        at += next_interval(check, health, at)
        if at > until:
            return times
        times.append(round(at, 3))
        health = record_result(check, health, result(1), at)


def test_a_starting_container_is_probed_early_then_on_dockers_schedule():
    assert schedule(CHECK, 3.0) == [0.1, 0.2, 0.4, 0.8, 1.0, 2.0, 3.0]
    slow = Healthcheck(test=("CMD", "true"), interval=30.0)
    assert schedule(slow, 30.0)[:3] == [0.1, 0.2, 0.4] and schedule(slow, 30.0)[-1] == 30.0


def test_early_failures_do_not_count_so_unhealthy_comes_no_sooner_than_with_docker():
    health = Health()
    for at in (0.1, 0.2, 0.4, 0.8):
        health = record_result(CHECK, health, result(1), at)
    assert (health.status, health.failing_streak) == (STARTING, 0)
    health = record_result(CHECK, health, result(1), 1.0)   # Docker's first probe
    health = record_result(CHECK, health, result(1), 2.0)
    assert (health.status, health.failing_streak) == (UNHEALTHY, 2)


def test_an_early_success_is_healthy_at_once_and_then_the_interval_holds():
    health = record_result(CHECK, Health(), result(0), 0.1)
    assert health.status == HEALTHY
    assert next_interval(CHECK, health, 0.1) == 1.0


def test_a_start_period_keeps_its_start_interval_after_the_early_probes():
    check = Healthcheck(test=("CMD", "true"), interval=30.0, start_period=10.0, start_interval=0.5)
    assert schedule(check, 2.0) == [0.1, 0.2, 0.4, 0.5, 1.0, 1.5, 2.0]


def test_probe_commands():
    assert probe_argv(Healthcheck(test=("CMD-SHELL", "exit 0"))) == ["/bin/sh", "-c", "exit 0"]
    assert probe_argv(Healthcheck(test=("NONE",))) is None
