"""Healthchecks: starting -> healthy at start_interval, -> unhealthy after retries, timeouts, start period."""

from engine.state import Healthcheck
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

lab = supervisor_lab.lab  # the fixture


def health_of(lab, name):
    return lab.store.get(name).health


def test_starting_then_healthy_polled_at_start_interval(lab, tmp_path):
    flag = tmp_path / "ready"
    check = Healthcheck(test=("CMD-SHELL", f"test -e {flag}"), interval=30, start_period=30, start_interval=0.05)
    web = lab.run("web-1", "exec sleep 30", healthcheck=check)
    assert health_of(lab, "web-1").status == "starting"
    eventually(lambda: len(health_of(lab, "web-1").log) >= 2, what="two probes at start_interval")
    assert health_of(lab, "web-1").status == "starting"  # failures inside the start period do not count
    assert health_of(lab, "web-1").failing_streak == 0
    flag.touch()
    health = eventually(lambda: (h := health_of(lab, "web-1")).status == "healthy" and h, what="healthy")
    assert health.log[-1].exit_code == 0 and health.failing_streak == 0
    lab.sup.stop(web.id, timeout=5)


def test_unhealthy_after_retries_and_only_five_results_kept(lab):
    check = Healthcheck(test=("CMD", "sh", "-c", "echo nope; exit 1"), interval=0.02, retries=3, start_interval=0.02)
    web = lab.run("web-1", "exec sleep 30", healthcheck=check)
    health = eventually(lambda: (h := health_of(lab, "web-1")).status == "unhealthy" and h, what="unhealthy")
    assert health.failing_streak == 3
    assert health.log[-1].output == "nope\n" and health.log[-1].exit_code == 1
    eventually(lambda: len(health_of(lab, "web-1").log) == 5 and health_of(lab, "web-1").failing_streak >= 6,
               what="more probes")
    lab.sup.stop(web.id, timeout=5)


def test_a_probe_that_times_out_fails_with_minus_one(lab):
    check = Healthcheck(test=("CMD", "sleep", "30"), interval=0.02, timeout=0.1, retries=1)
    web = lab.run("web-1", "exec sleep 30", healthcheck=check)
    health = eventually(lambda: (h := health_of(lab, "web-1")).status == "unhealthy" and h, what="unhealthy")
    assert health.log[-1].exit_code == -1
    assert health.log[-1].output == "Health check exceeded timeout (0.1s)"
    lab.sup.stop(web.id, timeout=5)


def test_none_disables_the_check(lab):
    web = lab.run("web-1", "exec sleep 30", healthcheck=Healthcheck(test=("NONE",)))
    assert health_of(lab, "web-1") is None
    lab.sup.stop(web.id, timeout=5)


def test_a_restart_starts_health_over(lab):
    check = Healthcheck(test=("CMD", "true"), interval=0.02, start_interval=0.02)
    web = lab.run("web-1", "exec sleep 30", healthcheck=check)
    eventually(lambda: health_of(lab, "web-1").status == "healthy", what="healthy")
    lab.sup.stop(web.id, timeout=5)
    lab.sup.start(web.id)
    assert health_of(lab, "web-1").status == "starting"
    lab.sup.stop(web.id, timeout=5)
