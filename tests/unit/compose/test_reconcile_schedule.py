"""execute: the services' generations run as one dependency-ordered set, not behind a barrier per generation."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from compose.model import Project
from compose.plan.structure import Plan
from compose.reconcile import execute as E
from compose.reconcile.errors import DependencyFailed, ReconcileFailed

PROJECT = Project.from_canonical({"name": "demo", "services": {
    "db": {"image": "busybox"},
    "slow": {"image": "busybox"},
    "api": {"image": "busybox", "depends_on": {"db": {"condition": "service_started", "required": True,
                                                     "restart": False}}},
    "web": {"image": "busybox", "depends_on": {"api": {"condition": "service_started", "required": True,
                                                      "restart": False}}},
}}, working_dir=Path("/p"))


def plan_of(*generations: list[str]) -> Plan:
    from compose.plan.actions import StartContainer

    return Plan.of([("services", [(name, [StartContainer(name, f"demo-{name}-1")]) for name in generation])
                    for generation in generations])


def test_a_dependent_starts_when_its_dependency_is_done_not_the_whole_generation(monkeypatch):
    web_started = threading.Event()
    order: list[str] = []

    def step(run, step, released=None):  # type: ignore[no-untyped-def]
        if step.subject == "slow":  # an unrelated service of the first generation, done only after web starts
            assert web_started.wait(5), "web waited for the whole first generation"
        order.append(step.subject)
        if step.subject == "web":
            web_started.set()

    monkeypatch.setattr(E, "_step", step)
    E.execute(plan_of(["db", "slow"], ["api"], ["web"]), PROJECT, world=None)  # type: ignore[arg-type]
    assert order.index("db") < order.index("api") < order.index("web") < order.index("slow")


def test_a_failed_step_stops_only_what_is_related_to_it(monkeypatch):
    ran: list[str] = []

    def step(run, step, released=None):  # type: ignore[no-untyped-def]
        ran.append(step.subject)
        if step.subject == "db":
            raise RuntimeError("no database")

    monkeypatch.setattr(E, "_step", step)
    with pytest.raises(ReconcileFailed) as caught:
        E.execute(plan_of(["db", "slow"], ["api"], ["web"]), PROJECT, world=None)  # type: ignore[arg-type]
    assert sorted(ran) == ["db", "slow"]
    failures = caught.value.failures
    assert set(failures) == {"db", "api", "web"}
    assert isinstance(failures["api"], DependencyFailed) and "db failed" in str(failures["api"])


def test_a_down_step_lets_the_services_it_depended_on_stop_while_it_removes_its_containers(monkeypatch):
    from compose.plan.actions import RemoveContainer, StopContainer

    api_removal_may_end = threading.Event()
    done: list[str] = []

    def act(run, action, made):  # type: ignore[no-untyped-def]
        if isinstance(action, RemoveContainer) and action.service == "api":
            assert api_removal_may_end.wait(5), "db waited for api's removal, not only for its stop"
        if isinstance(action, StopContainer) and action.service == "db":
            api_removal_may_end.set()
        done.append(f"{type(action).__name__} {action.service}")

    monkeypatch.setattr(E, "_act", act)
    down = Plan.of([("services", [(name, [StopContainer(name, f"demo-{name}-1", "x", None),
                                          RemoveContainer(name, f"demo-{name}-1", "x")])])
                    for name in ("web", "api", "db")])
    E.execute(down, PROJECT, world=None)  # type: ignore[arg-type]
    assert done.index("StopContainer web") < done.index("StopContainer api") < done.index("StopContainer db")
    assert done.index("StopContainer db") < done.index("RemoveContainer api")
