"""Planning: the model plus what is running -> the actions that converge one on the other.

    model (compose.model.Project) --+
                                    +--> plan() / plan_down() --> Plan --> reconcile (executor)
    observed (plan.observed.Observed) +

`plan` is pure: no engine, no network, no clock. A `Plan` is a sequence of stages
run one after another; a stage's steps may run in parallel; a step's actions run in
order (see `compose.plan.structure`). `compose.plan.labels` is Docker Compose's
label set and container naming, importable without networkx.

    >>> from compose.plan import plan, plan_down, UpOptions  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["Observed", "Plan", "UpOptions", "plan", "plan_down"]


def __getattr__(name: str) -> Any:
    if name in ("plan", "UpOptions"):
        from compose.plan import planner

        return getattr(planner, name)
    if name == "plan_down":
        from compose.plan.down import plan_down

        return plan_down
    if name == "Plan":
        from compose.plan.structure import Plan

        return Plan
    if name == "Observed":
        from compose.plan.observed import Observed

        return Observed
    raise AttributeError(name)
